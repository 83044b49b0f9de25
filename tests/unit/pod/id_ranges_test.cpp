#include "pod/id_ranges.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "support/temp_dir.hpp"
#include "util/file.hpp"

namespace rkt::pod {
namespace {

namespace fs = std::filesystem;

class IdRangesTest : public ::testing::Test {
 protected:
  IdRangeRegistry registry() const { return IdRangeRegistry(m_dir.path() / "userns"); }
  util::TempDir m_dir = test::make_temp_dir();
};

TEST(IdRangeTest, SlotsAre65536AlignedAndAboveTheHostsUsers) {
  sys::IdRange first = id_range_of_slot(0);
  EXPECT_EQ(first.base, 655360u);
  EXPECT_EQ(first.count, 65536u);
  sys::IdRange last = id_range_of_slot(k_id_slot_count - 1);
  EXPECT_EQ(last.base % 65536, 0u);
  EXPECT_LT(uint64_t{last.base} + last.count, 0xFFFFFFFFull) << "(uid_t)-1 stays unmapped";
  EXPECT_FALSE(first.overlaps(id_range_of_slot(1)));
  EXPECT_TRUE(first.overlaps(sys::IdRange{first.base + 65535, 10}));
}

TEST(IdRangeTest, FormatAndParseAreRktsBaseColonCount) {
  EXPECT_EQ(sys::format_id_range({655360, 65536}), "655360:65536");
  auto parsed = sys::parse_id_range("655360:65536");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, (sys::IdRange{655360, 65536}));
  EXPECT_EQ(sys::id_map_line(*parsed), "0 655360 65536\n");
  for (const char* bad : {"", "1", "1:", ":2", "1:0", "a:b", "1:2:3", "4294967295:1"}) {
    EXPECT_FALSE(sys::parse_id_range(bad)) << bad;
  }
}

TEST_F(IdRangesTest, ClaimsNeverShareARange) {
  std::set<uint32_t> bases;
  for (int i = 0; i < 5; ++i) {
    // Every claim starts at the same slot: the later ones must move on.
    auto range = registry().claim("pod-" + std::to_string(i), 7);
    ASSERT_TRUE(range) << range.error().message;
    EXPECT_TRUE(bases.insert(range->base).second) << range->base;
  }
  EXPECT_EQ(*bases.begin(), id_range_of_slot(7).base);
  auto claims = registry().claims();
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->size(), 5u);
}

TEST_F(IdRangesTest, TheSearchWrapsAround) {
  auto last = registry().claim("a", k_id_slot_count - 1);
  auto next = registry().claim("b", k_id_slot_count - 1);
  ASSERT_TRUE(last && next);
  EXPECT_EQ(next->base, id_range_of_slot(0).base);
}

TEST_F(IdRangesTest, ReleaseFreesOnlyTheHoldersClaim) {
  auto range = registry().claim("mine", 3);
  ASSERT_TRUE(range);
  ASSERT_TRUE(registry().release(*range, "someone-else"));
  EXPECT_EQ(registry().claims()->size(), 1u) << "another pod's release leaves the claim";
  ASSERT_TRUE(registry().release(*range, "mine"));
  EXPECT_TRUE(registry().claims()->empty());
  auto again = registry().claim("next", 3);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->base, range->base) << "a released range can be claimed again";
  EXPECT_TRUE(registry().release(*range, "mine")) << "releasing twice is harmless";
}

TEST_F(IdRangesTest, ConcurrentClaimsFromManyProcessesGetDistinctRanges) {
  constexpr int k_processes = 8;
  std::vector<pid_t> children;
  for (int i = 0; i < k_processes; ++i) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      auto range = registry().claim("pod-" + std::to_string(i), 0);
      ::_exit(range ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto claims = registry().claims();
  ASSERT_TRUE(claims);
  ASSERT_EQ(claims->size(), static_cast<size_t>(k_processes));
  std::set<std::string> holders;
  for (const auto& [range, holder] : *claims) holders.insert(holder);
  EXPECT_EQ(holders.size(), static_cast<size_t>(k_processes)) << "one range per pod";
  auto left = std::filesystem::directory_iterator(m_dir.path() / "userns");
  for (const auto& entry : left) {
    EXPECT_NE(entry.path().filename().string().front(), '.') << "no temporary file left";
  }
}

}  // namespace
}  // namespace rkt::pod
