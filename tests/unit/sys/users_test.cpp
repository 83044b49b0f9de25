#include "sys/users.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "support/temp_dir.hpp"
#include "util/file.hpp"

namespace rkt::sys {
namespace {

constexpr const char* k_passwd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# a comment\n"
    "\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "broken line\n"
    "badid:x:abc:1::/:/bin/sh\n"
    "web:x:1000:1001:Web Server:/srv/web:/bin/sh\n";

constexpr const char* k_group =
    "root:x:0:\n"
    "wheel:x:10:web,root\n"
    "staff:x:50: web \n"
    "web:x:1001:\n";

class UsersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(util::make_dirs(m_dir.path() / "etc"));
    ASSERT_TRUE(util::write_file_atomic(m_dir.path() / "etc/passwd", k_passwd));
    ASSERT_TRUE(util::write_file_atomic(m_dir.path() / "etc/group", k_group));
  }
  const fs::path& root() const { return m_dir.path(); }
  util::TempDir m_dir = test::make_temp_dir();
};

TEST(ParseIdTest, AcceptsDecimalIds) {
  EXPECT_EQ(parse_id("0"), 0u);
  EXPECT_EQ(parse_id("65534"), 65534u);
  EXPECT_FALSE(parse_id(""));
  EXPECT_FALSE(parse_id("-1"));
  EXPECT_FALSE(parse_id("+1"));
  EXPECT_FALSE(parse_id("12a"));
  EXPECT_FALSE(parse_id("4294967295"));
  EXPECT_FALSE(parse_id("99999999999"));
}

TEST(ParsePasswdTest, SkipsCommentsAndMalformedLines) {
  auto entries = parse_passwd(k_passwd);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[2].name, "web");
  EXPECT_EQ(entries[2].uid, 1000u);
  EXPECT_EQ(entries[2].gid, 1001u);
  EXPECT_EQ(entries[2].home, "/srv/web");
  EXPECT_EQ(entries[2].shell, "/bin/sh");
}

TEST(ParseGroupTest, ReadsMembers) {
  auto entries = parse_group(k_group);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[1].name, "wheel");
  EXPECT_EQ(entries[1].gid, 10u);
  EXPECT_EQ(entries[1].members, (std::vector<std::string>{"web", "root"}));
  EXPECT_EQ(entries[2].members, (std::vector<std::string>{"web"}));
  EXPECT_TRUE(entries[3].members.empty());
}

TEST_F(UsersTest, ResolvesNamesNumbersAndEmpty) {
  EXPECT_EQ(*resolve_user(root(), "web"), 1000u);
  EXPECT_EQ(*resolve_user(root(), "4242"), 4242u);
  EXPECT_EQ(*resolve_user(root(), ""), 0u);
  EXPECT_EQ(*resolve_group(root(), "staff"), 50u);
  EXPECT_EQ(*resolve_group(root(), "7"), 7u);
}

TEST_F(UsersTest, UnknownNamesNameTheFile) {
  auto user = resolve_user(root(), "foo");
  ASSERT_FALSE(user);
  EXPECT_EQ(user.error().kind, ErrorKind::not_found);
  EXPECT_EQ(user.error().message, "user \"foo\" not found in " + (root() / "etc/passwd").string());
  auto group = resolve_group(root(), "bar");
  ASSERT_FALSE(group);
  EXPECT_EQ(group.error().message, "group \"bar\" not found in " + (root() / "etc/group").string());
}

TEST_F(UsersTest, MissingDatabaseIsAClearError) {
  ASSERT_TRUE(util::remove_all(root() / "etc/passwd"));
  auto user = resolve_user(root(), "web");
  ASSERT_FALSE(user);
  EXPECT_NE(user.error().message.find("user \"web\": open"), std::string::npos);
  EXPECT_NE(user.error().message.find("etc/passwd"), std::string::npos);
}

TEST_F(UsersTest, PathsResolveToTheOwnerInsideTheRootfs) {
  ASSERT_TRUE(util::write_file_atomic(root() / "owned", "x"));
  ASSERT_EQ(::chown((root() / "owned").c_str(), getuid(), getgid()), 0);
  EXPECT_EQ(*resolve_user(root(), "/owned"), getuid());
  EXPECT_EQ(*resolve_group(root(), "/owned"), getgid());
  // An absolute symlink is followed inside the rootfs, not on the host.
  ASSERT_EQ(::symlink("/owned", (root() / "link").c_str()), 0);
  EXPECT_EQ(*resolve_user(root(), "/link"), getuid());
  auto missing = resolve_user(root(), "/nope");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("user \"/nope\""), std::string::npos);
}

TEST_F(UsersTest, SymlinkedPasswdStaysInsideTheRootfs) {
  ASSERT_TRUE(util::make_dirs(root() / "usr/lib"));
  ASSERT_EQ(::rename((root() / "etc/passwd").c_str(), (root() / "usr/lib/passwd").c_str()), 0);
  ASSERT_EQ(::symlink("/usr/lib/passwd", (root() / "etc/passwd").c_str()), 0);
  EXPECT_EQ(*resolve_user(root(), "daemon"), 1u);
}

TEST_F(UsersTest, GroupsOfUserListsMemberships) {
  EXPECT_EQ(*groups_of_user(root(), "web"), (std::vector<gid_t>{10, 50}));
  EXPECT_TRUE(groups_of_user(root(), "nobody")->empty());
  ASSERT_TRUE(util::remove_all(root() / "etc/group"));
  EXPECT_TRUE(groups_of_user(root(), "web")->empty());
}

TEST_F(UsersTest, CredentialsDeduplicateSupplementaryGids) {
  auto creds = resolve_credentials(root(), "web", "web", {10, 20, 10});
  ASSERT_TRUE(creds);
  EXPECT_EQ(creds->uid, 1000u);
  EXPECT_EQ(creds->gid, 1001u);
  EXPECT_EQ(creds->groups, (std::vector<gid_t>{10, 20}));
  EXPECT_FALSE(resolve_credentials(root(), "web", "web", {-5}));
}

}  // namespace
}  // namespace rkt::sys
