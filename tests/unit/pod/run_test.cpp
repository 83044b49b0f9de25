#include "pod/run.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "pod/enter.hpp"
#include "pod/overlay_mounts.hpp"
#include "pod/pod_lock.hpp"
#include "prepare_fixture.hpp"

namespace rkt::pod::test {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;

TEST(Stage1RunArgv, FollowsTheContract) {
  RunRequest request;
  EXPECT_THAT(stage1_run_argv("/p/stage1/rootfs/init", request, "u-1"),
              ElementsAre("/p/stage1/rootfs/init", "--net=default", "u-1"));
  request.netns = "/run/netns/rkt-u-1";
  request.dns_conf_mode = "resolv=stage0,hosts=default";
  EXPECT_THAT(stage1_run_argv("/init", request, "u-1"),
              ElementsAre("/init", "--net=default", "--netns=/run/netns/rkt-u-1",
                          "--dns-conf-mode=resolv=stage0,hosts=default", "u-1"));
  request.netns.clear();
  request.dns_conf_mode.clear();
  request.machined_helper = "/usr/bin/rkt-machined";
  EXPECT_THAT(stage1_run_argv("/init", request, "u-1"),
              ElementsAre("/init", "--net=default", "--machined-helper=/usr/bin/rkt-machined",
                          "u-1"));
  request.machined_helper.clear();
  request.debug = true;
  request.net = "none";
  request.interactive = true;
  request.hostname = "box";
  request.local_config = "/etc/rkt";
  request.disable_capabilities = request.disable_paths = request.disable_seccomp = true;
  EXPECT_THAT(stage1_run_argv("/init", request, "u-1"),
              ElementsAre("/init", "--debug", "--net=none", "--interactive", "--hostname=box",
                          "--local-config=/etc/rkt", "--disable-capabilities-restriction",
                          "--disable-paths", "--disable-seccomp", "u-1"));
}

TEST(RunRequestValidation, InteractiveNeedsOneAppAndNetworkFlagsAreWellFormed) {
  RunRequest request;
  EXPECT_TRUE(validate_run_request(request, 2));
  request.interactive = true;
  EXPECT_TRUE(validate_run_request(request, 1));
  auto two = validate_run_request(request, 2);
  ASSERT_FALSE(two);
  EXPECT_THAT(two.error().message, HasSubstr("one image"));
  request.interactive = false;
  request.net = "default,net1:IP=10.1.0.9";
  EXPECT_TRUE(validate_run_request(request, 1));
  request.net = "host,default";
  EXPECT_FALSE(validate_run_request(request, 1));
  request.net = "default";
  request.dns = {"not-an-ip"};
  EXPECT_FALSE(validate_run_request(request, 1));
  request.dns = {"8.8.8.8"};
  request.hosts_entries = {"10.0.0.1"};
  EXPECT_FALSE(validate_run_request(request, 1));
}

TEST(EnterApp, OnlyAppOrTheRequestedOne) {
  appc::PodManifest manifest;
  manifest.apps.resize(1);
  manifest.apps[0].name = "web";
  EXPECT_EQ(choose_enter_app(manifest, "").value(), "web");
  manifest.apps.resize(2);
  manifest.apps[1].name = "db";
  auto ambiguous = choose_enter_app(manifest, "");
  ASSERT_FALSE(ambiguous);
  EXPECT_THAT(ambiguous.error().message, HasSubstr("web, db"));
  EXPECT_THAT(ambiguous.error().message, HasSubstr("--app="));
  EXPECT_EQ(choose_enter_app(manifest, "db").value(), "db");
  EXPECT_FALSE(choose_enter_app(manifest, "cache"));
  EXPECT_THAT(stage1_enter_argv("/enter", 42, "db", {"/bin/sh", "-c", "x"}),
              ElementsAre("/enter", "--pid=42", "--appname=db", "--", "/bin/sh", "-c", "x"));
}

TEST(Mtab, AddedOnlyWhenEtcIsADirectoryWithoutMtab) {
  auto dir = rkt::test::make_temp_dir();
  fs::path with_etc = dir.path() / "a";
  fs::create_directories(with_etc / "etc");
  ASSERT_TRUE(ensure_mtab(with_etc));
  EXPECT_EQ(fs::read_symlink(with_etc / "etc/mtab"), "../proc/self/mounts");
  ASSERT_TRUE(ensure_mtab(with_etc));  // already there: kept

  fs::path own_mtab = dir.path() / "b";
  fs::create_directories(own_mtab / "etc");
  { std::ofstream(own_mtab / "etc/mtab") << "mine"; }
  ASSERT_TRUE(ensure_mtab(own_mtab));
  EXPECT_FALSE(fs::is_symlink(own_mtab / "etc/mtab"));

  fs::path no_etc = dir.path() / "c";
  fs::create_directories(no_etc);
  ASSERT_TRUE(ensure_mtab(no_etc));
  EXPECT_FALSE(fs::exists(no_etc / "etc"));

  fs::path etc_link = dir.path() / "d";
  fs::create_directories(etc_link);
  fs::create_directory_symlink(dir.path() / "a" / "etc", etc_link / "etc");
  fs::remove(dir.path() / "a/etc/mtab");
  ASSERT_TRUE(ensure_mtab(etc_link));
  EXPECT_FALSE(fs::is_symlink(dir.path() / "a/etc/mtab"));
}

/// A stage1 /init that records what it was given, writes the pid file, says "ready" and waits
/// for "go" before exiting with status 7.
const char* const k_recording_init = R"SH(
{
  echo "cwd=$(pwd)"
  echo "args=$*"
  echo "lock_fd=$RKT_LOCK_FD"
  echo "hello=$(cat stage1/rootfs/opt/stage2/app/rootfs/etc/hello)"
  echo "mtab=$(readlink stage1/rootfs/opt/stage2/app/rootfs/etc/mtab)"
  echo "lock_open=$(test -e /proc/self/fd/$RKT_LOCK_FD && echo yes)"
} > record
echo $$ > pid
touch ready
while [ ! -e go ]; do sleep 0.02; done
exit 7
)SH";

class RunPod : public PrepareFixture {
 protected:
  static bool wait_for(const fs::path& path) {
    for (int i = 0; i < 500; ++i) {
      if (fs::exists(path)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  static std::string mountinfo() { return read_text("/proc/self/mountinfo"); }

  /// Waits for a forked rkt-like child and returns its exit status.
  static int exit_status(pid_t pid) {
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  /// Checks a pod whose recording /init is running, lets it finish, and checks what it saw.
  void check_running_pod(pid_t child, const std::string& uuid) {
    fs::path dir = pods().pod_dir(StateDir::run, uuid);
    ASSERT_TRUE(wait_for(dir / "ready")) << "stage1 did not start";
    auto probe = open_pod_dir(dir);
    ASSERT_TRUE(probe);
    EXPECT_TRUE(is_pod_locked(probe->get()).value());
    EXPECT_THAT(mountinfo(), testing::Not(HasSubstr(uuid)));  // nothing leaks to us
    std::ofstream(dir / "go").close();
    EXPECT_EQ(exit_status(child), 7);
    EXPECT_FALSE(is_pod_locked(probe->get()).value());  // the pod reads as exited

    std::string record = read_text(dir / "record");
    EXPECT_THAT(record, HasSubstr("cwd=" + dir.string() + "\n"));
    EXPECT_THAT(record, HasSubstr("args=--net=none " + uuid + "\n"));
    EXPECT_THAT(record, HasSubstr("hello=hello example.com/app\n"));
    EXPECT_THAT(record, HasSubstr("mtab=../proc/self/mounts\n"));
    EXPECT_THAT(record, HasSubstr("lock_open=yes\n"));
    EXPECT_THAT(record, testing::Not(HasSubstr("lock_fd=\n")));
    // Written through the overlay: the copy-up landed in the pod's upper dir only.
    EXPECT_TRUE(fs::is_symlink(PodPaths(dir).overlay_upper("app") / "etc/mtab"));
    EXPECT_FALSE(fs::exists(store().paths().tree / read_text(PodPaths(dir).app_tree_id("app")) /
                            "rootfs/etc/mtab"));
  }
};

TEST_F(RunPod, ExecsTheStage1InAPrivateMountNamespace) {
  RKT_SKIP_UNLESS_ROOT();
  PodRequest request =
      request_for({import(app_aci("example.com/app"), "app.aci")}, k_recording_init);
  request.uuid_file_save = (m_dir.path() / "uuid").string();
  RunRequest run;
  run.net = "none";
  pid_t child = ::fork();
  if (child == 0) {
    auto pod = prepare_pod(pods(), store(), request, PrepareMode::for_run);
    if (!pod) ::_exit(100);
    auto ran = run_pod(pods(), std::move(*pod), run);
    (void)!::write(2, ran.error().message.data(), ran.error().message.size());
    ::_exit(101);
  }
  ASSERT_TRUE(wait_for(m_dir.path() / "uuid"));
  check_running_pod(child, read_text(m_dir.path() / "uuid"));
}

TEST_F(RunPod, RunPreparedAndEnter) {
  RKT_SKIP_UNLESS_ROOT();
  PodRequest request = request_for({import(app_aci("example.com/app"), "app.aci")},
                                   k_recording_init, "echo \"$*\" > enter-args\nexit 3\n");
  auto prepared = prepare_pod(pods(), store(), request, PrepareMode::for_prepare);
  ASSERT_TRUE(prepared) << prepared.error().message;
  std::string uuid = prepared->uuid;
  RunRequest run;
  run.net = "none";
  pid_t child = ::fork();
  if (child == 0) {
    auto pod = Pod::find(pods(), uuid.substr(0, 8));
    if (!pod) ::_exit(100);
    auto ran = run_prepared(*pod, run);
    (void)!::write(2, ran.error().message.data(), ran.error().message.size());
    ::_exit(101);
  }
  fs::path dir = pods().pod_dir(StateDir::run, uuid);
  ASSERT_TRUE(wait_for(dir / "ready"));

  pid_t enter = ::fork();
  if (enter == 0) {
    auto pod = Pod::find(pods(), uuid);
    if (!pod) ::_exit(100);
    auto entered = enter_pod(*pod, EnterRequest{});
    (void)!::write(2, entered.error().message.data(), entered.error().message.size());
    ::_exit(101);
  }
  EXPECT_EQ(exit_status(enter), 3);
  std::string pid = read_text(dir / "pid");
  while (!pid.empty() && pid.back() == '\n') pid.pop_back();
  EXPECT_EQ(read_text(dir / "enter-args"), "--pid=" + pid + " --appname=app -- /bin/bash\n");

  check_running_pod(child, uuid);

  auto again = Pod::find(pods(), uuid);
  ASSERT_TRUE(again);
  auto not_prepared = run_prepared(*again, run);
  ASSERT_FALSE(not_prepared);
  EXPECT_THAT(not_prepared.error().message, HasSubstr("not prepared"));
  auto not_running = enter_pod(*again, EnterRequest{});
  ASSERT_FALSE(not_running);
  EXPECT_THAT(not_running.error().message, HasSubstr("running"));
}

}  // namespace
}  // namespace rkt::pod::test
