// An unprivileged member of group rkt using a store root created: reading and fetching work,
// commands that need root say so.

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "rkt_ctx.hpp"

namespace rkt::functional {
namespace {

class NonRootTest : public RktTest {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch to the test user";
    rkt_group_user();  // create it now, so failures show up here
    AciBuilder builder(ctx.scratch_path("stage"));
    builder.manifest(image_manifest("example.com/by-root", {{"version", "1.0"}}))
        .file("etc/hello", "hello\n");
    by_root = builder.build(ctx.scratch_path("by-root.aci"));
    ASSERT_EQ(ctx.fetch_insecure(by_root.path), by_root.fetch_id());
  }

  BuiltAci by_root;
};

// Guards the fixture itself: the other tests would prove nothing if they ran as root.
TEST_F(NonRootTest, CommandsRunAsTheTestUser) {
  Credentials user = rkt_group_user();
  ProcOptions options;
  options.as_user = user;
  ProcResult uid = run_process({"id", "-u"}, options);
  ASSERT_TRUE(Succeeded(uid));
  EXPECT_EQ(last_line(uid.out), std::to_string(user.uid));
  EXPECT_NE(user.uid, 0u);
  ProcResult groups = run_process({"id", "-Gn"}, options);
  ASSERT_TRUE(Succeeded(groups));
  EXPECT_TRUE(contains(" " + last_line(groups.out) + " ", " rkt ")) << dump(groups);
}

TEST_F(NonRootTest, ImageListWorks) {
  ProcResult r = ctx.run_as_rkt_user({"image", "list"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_TRUE(contains(r.out, "example.com/by-root:1.0")) << dump(r);
  EXPECT_TRUE(contains(r.out, by_root.list_id())) << dump(r);
}

TEST_F(NonRootTest, CatManifestWorks) {
  ProcResult r = ctx.run_as_rkt_user({"image", "cat-manifest", "example.com/by-root"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(nlohmann::json::parse(r.out, nullptr, false)["name"], "example.com/by-root") << dump(r);
}

TEST_F(NonRootTest, FetchWorks) {
  AciBuilder builder(ctx.scratch_path("stage"));
  builder.manifest(image_manifest("example.com/by-user")).file("etc/hello", "hi\n");
  BuiltAci by_user = builder.build(ctx.scratch_path("by-user.aci"));

  ProcResult r = ctx.run_as_rkt_user({"--insecure-options=image", "fetch", by_user.path.string()});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(last_line(r.out), by_user.fetch_id());

  // Both users see both images afterwards.
  std::vector<std::string> want = {by_root.key(), by_user.key()};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(ctx.listed_ids(), want);
  ProcResult list = ctx.run_as_rkt_user({"image", "list", "--no-legend"});
  ASSERT_TRUE(Succeeded(list));
  EXPECT_EQ(lines(list.out).size(), 2u) << dump(list);
}

TEST_F(NonRootTest, RootFetchAfterUserFetchWorks) {
  AciBuilder builder(ctx.scratch_path("stage"));
  builder.manifest(image_manifest("example.com/user-first")).file("etc/hello", "hi\n");
  BuiltAci user_first = builder.build(ctx.scratch_path("user-first.aci"));
  ASSERT_TRUE(Succeeded(
      ctx.run_as_rkt_user({"--insecure-options=image", "fetch", user_first.path.string()})));
  // Files the user created must not lock root (or a later user fetch) out.
  AciBuilder other(ctx.scratch_path("stage"));
  other.manifest(image_manifest("example.com/root-second")).file("etc/hello", "hi\n");
  BuiltAci root_second = other.build(ctx.scratch_path("root-second.aci"));
  EXPECT_EQ(ctx.fetch_insecure(root_second.path), root_second.fetch_id());
  EXPECT_EQ(ctx.listed_ids().size(), 3u);
}

TEST_F(NonRootTest, ImageGcNeedsRoot) {
  ProcResult r = ctx.run_as_rkt_user({"image", "gc", "--grace-period=0s"});
  ASSERT_TRUE(IsRktError(r));
  EXPECT_EQ(lines(r.err).size(), 1u) << dump(r);
  EXPECT_TRUE(std::regex_search(
      r.err, std::regex("root|superuser|unprivileged|permission", std::regex::icase)))
      << dump(r);
  EXPECT_EQ(ctx.listed_ids(), std::vector<std::string>{by_root.key()});
}

/// Pods root ran, read by the member of group rkt.
class NonRootPodTest : public PodTest {};

TEST_F(NonRootPodTest, PodsAreTheRktGroupsToReadButNotTheAppsEnvironment) {
  fs::path uuid_file = ctx.scratch() / "uuid";
  ProcResult ran = run_pod({"--uuid-file-save=" + uuid_file.string(), inspect_aci().path.string(),
                            "--name=reader", "--exec=/bin/sh", "--", "-c", "echo logged line"});
  ASSERT_EQ(ran.exit_code, 0) << dump(ran);
  std::string uuid = last_line(read_text(uuid_file));

  ProcResult list = ctx.run_as_rkt_user({"list", "--full", "--no-legend"});
  ASSERT_TRUE(Succeeded(list)) << dump(list);
  EXPECT_TRUE(contains(list.out, uuid)) << dump(list);
  EXPECT_TRUE(contains(list.out, "reader")) << dump(list);
  EXPECT_TRUE(contains(list.out, "exited")) << dump(list);
  ProcResult status = ctx.run_as_rkt_user({"status", uuid});
  ASSERT_TRUE(Succeeded(status)) << dump(status);
  EXPECT_EQ(value_of(status.out, "state"), "exited") << dump(status);
  EXPECT_EQ(value_of(status.out, "app-reader"), "0") << dump(status);
  ProcResult manifest = ctx.run_as_rkt_user({"cat-manifest", uuid});
  ASSERT_TRUE(Succeeded(manifest)) << dump(manifest);
  EXPECT_TRUE(contains(manifest.out, "\"reader\"")) << dump(manifest);
  ProcResult logs = ctx.run_as_rkt_user({"logs", uuid});
  ASSERT_TRUE(Succeeded(logs)) << dump(logs);
  EXPECT_TRUE(contains(logs.out, "logged line")) << dump(logs);

  // The environment file carries the metadata service's token with --mds-register: root's only.
  fs::path env = ctx.pod_dir(uuid) / "stage1/rootfs/rkt/env/reader";
  ASSERT_TRUE(fs::exists(env));
  ProcOptions as_user;
  as_user.as_user = rkt_group_user();
  ProcResult read_env = run_process({"cat", env.string()}, as_user);
  EXPECT_NE(read_env.exit_code, 0) << dump(read_env);
  EXPECT_TRUE(contains(read_env.err, "Permission denied")) << dump(read_env);
  // Removing pods stays root's.
  EXPECT_TRUE(IsRktError(ctx.run_as_rkt_user({"rm", uuid})));
  EXPECT_EQ(ctx.pod_state_dir(uuid), "run");
}

}  // namespace
}  // namespace rkt::functional
