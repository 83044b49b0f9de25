#include "pod/uuid.hpp"

#include <gtest/gtest.h>

#include <set>

#include "pod_fixture.hpp"
#include "util/strings.hpp"

namespace rkt::pod {
namespace {

using test::k_uuid_a;
using test::k_uuid_b;
using test::k_uuid_c;

TEST(Uuid, NewUuidIsCanonicalVersion4) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto uuid = new_uuid();
    ASSERT_TRUE(uuid) << uuid.error().message;
    EXPECT_TRUE(is_uuid(*uuid)) << *uuid;
    EXPECT_EQ((*uuid)[14], '4') << *uuid;                                 // version
    EXPECT_NE(std::string("89ab").find((*uuid)[19]), std::string::npos);  // RFC 4122 variant
    EXPECT_EQ(*uuid, util::to_lower(*uuid));
    seen.insert(*uuid);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(Uuid, ParseAcceptsEitherCaseAndLowercases) {
  auto parsed = parse_uuid("ABCDEF01-2345-4789-8BCD-EF0123456789");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, "abcdef01-2345-4789-8bcd-ef0123456789");
}

TEST(Uuid, ParseRejectsMalformed) {
  for (const char* bad :
       {"", "abc", "abcdef0123454789-8bcd-ef0123456789", "abcdef01-2345-4789-8bcd-ef012345678",
        "abcdef01-2345-4789-8bcd-ef012345678g", "abcdef01_2345_4789_8bcd_ef0123456789",
        "../../../../etc/passwd"}) {
    auto parsed = parse_uuid(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().kind, ErrorKind::invalid_argument);
  }
}

class ResolveUuid : public test::PodsFixture {};

TEST_F(ResolveUuid, UniquePrefixAcrossStateDirs) {
  make_pod(StateDir::run, k_uuid_a);
  make_pod(StateDir::prepared, k_uuid_b);
  make_pod(StateDir::garbage, k_uuid_c);
  EXPECT_EQ(resolve_uuid(pods(), "1").value(), k_uuid_a);
  EXPECT_EQ(resolve_uuid(pods(), "22222222").value(), k_uuid_b);
  EXPECT_EQ(resolve_uuid(pods(), "2222A").value(), k_uuid_c);  // case-insensitive
  EXPECT_EQ(resolve_uuid(pods(), k_uuid_b).value(), k_uuid_b);
}

TEST_F(ResolveUuid, ErrorsAsRkt) {
  make_pod(StateDir::run, k_uuid_b);
  make_pod(StateDir::exited_garbage, k_uuid_c);
  auto none = resolve_uuid(pods(), "FF");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, ErrorKind::not_found);
  EXPECT_EQ(none.error().message, "no matches found for \"ff\"");
  auto two = resolve_uuid(pods(), "2222");
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().message, "ambiguous uuid, 2 matches");
}

TEST_F(ResolveUuid, IgnoresEntriesThatAreNotPods) {
  make_pod(StateDir::run, k_uuid_a);
  test::write_text(pods().state_dir(StateDir::run) / "11111111-1111-4111-8111-11111111111f", "x");
  fs::create_directories(pods().state_dir(StateDir::run) / "1-not-a-uuid");
  EXPECT_EQ(resolve_uuid(pods(), "1").value(), k_uuid_a);
}

TEST_F(ResolveUuid, EmptyDataDirHasNoPods) {
  auto none = resolve_uuid(pods(), "1");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, ErrorKind::not_found);
}

TEST_F(ResolveUuid, ReadsUuidFile) {
  auto file = tmp() / "uuid";
  test::write_text(file, "  " + util::to_lower(k_uuid_a) + "\n");
  EXPECT_EQ(read_uuid_file(file).value(), k_uuid_a);
  test::write_text(file, "garbage\n");
  EXPECT_FALSE(read_uuid_file(file));
  EXPECT_FALSE(read_uuid_file(tmp() / "missing"));
}

}  // namespace
}  // namespace rkt::pod
