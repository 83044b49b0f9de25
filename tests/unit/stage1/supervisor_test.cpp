#include "stage1/supervisor.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include "support/temp_dir.hpp"
#include "util/file.hpp"

namespace rkt::stage1 {
namespace {

/// Runs apps as plain children of the test (no chroot) with the supervisor's piped output. Needs
/// root only because apps always get their groups set (setgroups).
class SupervisorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (setgroups)";
    ASSERT_TRUE(util::make_dirs(m_dir.path() / "status"));
    ASSERT_TRUE(util::make_dirs(m_dir.path() / "logs"));
    ASSERT_EQ(::sigprocmask(SIG_SETMASK, nullptr, &m_old_mask), 0);
  }
  void TearDown() override {
    ::sigprocmask(SIG_SETMASK, &m_old_mask, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
  }

  AppPlan app(const std::string& name, const std::string& script) {
    AppPlan plan;
    plan.name = name;
    plan.argv = {"/bin/sh", "-c", script};
    plan.exec_path = "/bin/sh";
    plan.env = {"PATH=/usr/bin:/bin"};
    plan.working_directory = "/";
    plan.credentials = {::getuid(), ::getgid(), {}};
    return plan;
  }

  int run(std::vector<AppPlan> apps, int stop_timeout = 10) {
    auto signals = Supervisor::block_signals();
    EXPECT_TRUE(signals);
    SupervisorOptions options;
    options.kill_scope = KillScope::apps;  // never kill(-1) in a test
    options.status_dir = m_dir.path() / "status";
    options.log_dir = m_dir.path() / "logs";
    options.stop_timeout_seconds = stop_timeout;
    Supervisor supervisor(std::move(apps), options, std::move(*signals));
    bool started = false;
    int status = supervisor.run([&] { started = true; });
    EXPECT_TRUE(started);
    return status;
  }

  std::string file(const std::string& relative) {
    auto text = util::read_file(m_dir.path() / relative);
    return text ? *text : "<missing>";
  }

  util::TempDir m_dir = test::make_temp_dir();
  sigset_t m_old_mask{};
};

TEST_F(SupervisorTest, RecordsStatusesAndLogs) {
  int status = run({app("a", "echo out; echo err >&2; exit 0"), app("b", "exit 0")});
  EXPECT_EQ(status, 0);
  EXPECT_EQ(file("status/a"), "0");
  EXPECT_EQ(file("status/b"), "0");
  std::string log = file("logs/a");
  EXPECT_NE(log.find("out\n"), std::string::npos);
  EXPECT_NE(log.find("err\n"), std::string::npos);
}

TEST_F(SupervisorTest, AFailingAppStopsTheOthers) {
  int status = run({app("long", "exec sleep 30"), app("bad", "sleep 0.2; exit 3")});
  EXPECT_EQ(status, 128 + SIGTERM);  // the first app's
  EXPECT_EQ(file("status/bad"), "3");
  EXPECT_EQ(file("status/long"), std::to_string(128 + SIGTERM));
}

TEST_F(SupervisorTest, ExecFailureIsLoggedAndFailsThePod) {
  auto bad = app("x", "");
  bad.exec_path = "/bin/nope";
  bad.argv = {"/bin/nope"};
  int status = run({bad});
  EXPECT_EQ(status, 254);
  EXPECT_EQ(file("status/x"), "254");
  EXPECT_EQ(file("logs/x"),
            "stage1: exec of \"/bin/nope\" in app \"x\" failed: No such file or directory\n");
}

TEST_F(SupervisorTest, KillsAppsIgnoringTheStopAfterTheTimeout) {
  auto stubborn = app("stubborn", "trap '' TERM; sleep 0.3; exit 4");
  auto stopper = app("stopper", "exit 1");
  stubborn.argv = {"/bin/sh", "-c", "trap '' TERM; while true; do sleep 0.1; done"};
  int status = run({stubborn, stopper}, 1);
  EXPECT_EQ(status, 128 + SIGKILL);
  EXPECT_EQ(file("status/stubborn"), std::to_string(128 + SIGKILL));
}

TEST_F(SupervisorTest, PrestartAndPoststopHandlersRun) {
  auto plan = app("h", "cat " + (m_dir.path() / "pre").string());
  plan.pre_start =
      HandlerPlan{{"/bin/sh", "-c", "echo pre > " + (m_dir.path() / "pre").string()}, "/bin/sh"};
  plan.post_stop =
      HandlerPlan{{"/bin/sh", "-c", "echo post > " + (m_dir.path() / "post").string()}, "/bin/sh"};
  EXPECT_EQ(run({plan}), 0);
  EXPECT_EQ(file("logs/h"), "pre\n");
  EXPECT_EQ(file("post"), "post\n");
}

TEST_F(SupervisorTest, FailingPrestartHandlerKeepsTheAppFromStarting) {
  auto plan = app("h", "echo should not run");
  plan.pre_start = HandlerPlan{{"/bin/sh", "-c", "exit 9"}, "/bin/sh"};
  EXPECT_EQ(run({plan}), 254);
  EXPECT_EQ(file("logs/h"),
            "stage1: pre-start event handler \"/bin/sh\" of app \"h\" failed with exit status 9\n");
}

}  // namespace
}  // namespace rkt::stage1
