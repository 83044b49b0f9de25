// Bad input and faults: a clear error, a non-zero exit and a pod that gc removes cleanly; SIGKILL
// to rkt or to the pod's PID 1; fifty pods started at once.

#include <gmock/gmock.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "rkt_ctx.hpp"

namespace rkt::functional {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

/// Lines of /proc/self/mountinfo that mention `text` (a pod's UUID).
std::vector<std::string> mountinfo_lines_with(std::string_view text) {
  std::vector<std::string> found;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (contains(line, text)) found.push_back(line);
  }
  return found;
}

/// Whether `pid` is gone or a zombie nobody reaped yet (its parent may be slow to reap it).
bool process_gone(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return true;
  size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

bool wait_gone(pid_t pid) {
  for (int i = 0; i < 200; ++i) {
    reap_orphans();
    if (process_gone(pid)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

class PodFault : public PodTest {
 protected:
  std::string aci() { return inspect_aci().path.string(); }

  /// `gc --grace-period=0s` must collect `uuid` (and leave no mount of it).
  void expect_collected(const std::string& uuid) {
    ProcResult gc = ctx.run({"gc", "--grace-period=0s"});
    EXPECT_TRUE(Succeeded(gc));
    EXPECT_THAT(gc.out, HasSubstr("Garbage collecting pod \"" + uuid + "\"")) << dump(gc);
    EXPECT_THAT(gc.all(), Not(HasSubstr("busy")));
    EXPECT_EQ(ctx.pod_state_dir(uuid), "") << "gc removed the pod directory";
    EXPECT_EQ(mountinfo_lines_with(uuid), std::vector<std::string>{});
  }

  /// The only pod of this test.
  std::string only_pod() {
    auto uuids = ctx.pod_uuids();
    EXPECT_EQ(uuids.size(), 1u);
    return uuids.empty() ? std::string() : uuids.front();
  }
};

TEST_F(PodFault, UnknownUserIsAClearError) {
  ProcResult r = run_pod({aci(), "--user=nobody", "--", "--print-user"});
  EXPECT_EQ(r.exit_code, k_rkt_error) << dump(r);
  EXPECT_THAT(r.err, HasSubstr("user \"nobody\" not found")) << dump(r);
  EXPECT_FALSE(value_of(r.out, "UID")) << "the app never ran";
  std::string uuid = only_pod();
  ProcResult status = ctx.run({"status", uuid});
  EXPECT_EQ(value_of(status.out, "state"), "exited") << status.out;
  expect_collected(uuid);
}

TEST_F(PodFault, UnknownGroupIsAClearError) {
  ProcResult r = run_pod({aci(), "--group=nogroup", "--", "--print-user"});
  EXPECT_EQ(r.exit_code, k_rkt_error) << dump(r);
  EXPECT_THAT(r.err, HasSubstr("group \"nogroup\" not found")) << dump(r);
  expect_collected(only_pod());
}

TEST_F(PodFault, MissingExecIsAClearError) {
  ProcResult r = run_pod({aci(), "--exec=/bin/nope"});
  EXPECT_EQ(r.exit_code, k_rkt_error) << dump(r);
  EXPECT_THAT(r.err, HasSubstr("/bin/nope"));
  EXPECT_THAT(r.err, HasSubstr("No such file or directory"));
  expect_collected(only_pod());
}

TEST_F(PodFault, ConflictingFlagsAreRejected) {
  EXPECT_TRUE(IsRktError(run_pod({"--interactive", aci(), aci(), "--name=two"})))
      << "--interactive takes one app";
  // An unknown network name is found out at network set-up (net_test.cpp); a malformed list here.
  EXPECT_TRUE(IsRktError(run_pod({"--net=host,default", aci()})));
  EXPECT_TRUE(IsRktError(run_pod({})));
  EXPECT_TRUE(ctx.pod_uuids().empty()) << "no pod left by flags refused up front";
}

TEST_F(PodFault, SigtermToRktStopsThePod) {
  RunningPod pod = start_pod({aci(), "--", "--sleep=60"});
  pod.rkt.kill(SIGTERM);
  ProcResult rkt = pod.rkt.wait();
  EXPECT_EQ(rkt.exit_code, 128 + SIGTERM) << dump(rkt);
  ProcResult status = ctx.run({"status", pod.uuid});
  EXPECT_EQ(value_of(status.out, "app-inspect"), "143") << "the app got the SIGTERM\n"
                                                        << status.out;
  expect_collected(pod.uuid);
}

TEST_F(PodFault, SigkillToRkt) {
  RunningPod pod = start_pod({aci(), "--", "--sleep=60"});
  pid_t pid1 = std::stoi(value_of(ctx.run({"status", pod.uuid}).out, "pid").value_or("0"));
  ASSERT_GT(pid1, 0);
  // rkt exec'd the stage1: its process is the pod's supervisor.
  ::kill(pod.rkt.pid(), SIGKILL);
  EXPECT_EQ(pod.rkt.wait().exit_code, 128 + SIGKILL);
  EXPECT_TRUE(wait_gone(pid1)) << "the pod's PID 1 dies with its supervisor";

  ProcResult list = ctx.run({"list", "--no-legend"});
  EXPECT_THAT(list.out, HasSubstr("exited")) << list.out;
  EXPECT_EQ(value_of(ctx.run({"status", pod.uuid}).out, "state"), "exited");
  expect_collected(pod.uuid);
}

TEST_F(PodFault, SigkillToThePodsPid1) {
  RunningPod pod = start_pod({aci(), "--", "--sleep=60"});
  pid_t pid1 = std::stoi(value_of(ctx.run({"status", pod.uuid}).out, "pid").value_or("0"));
  ASSERT_GT(pid1, 0);
  ::kill(pid1, SIGKILL);
  ProcResult rkt = pod.rkt.wait();
  EXPECT_EQ(rkt.exit_code, 128 + SIGKILL) << dump(rkt);
  EXPECT_TRUE(wait_gone(pid1));

  ProcResult list = ctx.run({"list", "--no-legend"});
  EXPECT_THAT(list.out, HasSubstr("exited")) << list.out;
  expect_collected(pod.uuid);
}

TEST_F(PodFault, FiftyPodsAtOnce) {
  // Store the image and the stage1 first, so the fifty pods only read the store.
  ASSERT_TRUE(Succeeded(run_pod({aci(), "--", "--exit-code=0"})));
  ASSERT_TRUE(Succeeded(ctx.run({"gc", "--grace-period=0s"})));
  constexpr int k_pods = 50;
  std::vector<Child> children;
  for (int i = 0; i < k_pods; ++i) {
    children.push_back(ctx.spawn({"run", "--net=none", "example.com/inspect", "--exec", "/inspect",
                                  "--", "--sleep=1", "--exit-code=0"}));
  }
  int failures = 0;
  for (Child& child : children) {
    ProcResult r = child.wait();
    if (r.exit_code != 0) {
      ++failures;
      ADD_FAILURE() << dump(r);
    }
  }
  EXPECT_EQ(failures, 0);
  auto uuids = ctx.pod_uuids();
  EXPECT_EQ(uuids.size(), static_cast<size_t>(k_pods));

  ProcResult gc = ctx.run({"gc", "--grace-period=0s"});
  ASSERT_TRUE(Succeeded(gc));
  size_t collected = 0;
  for (const std::string& line : lines(gc.out))
    collected += line.rfind("Garbage collecting pod", 0) == 0;
  EXPECT_EQ(collected, static_cast<size_t>(k_pods)) << gc.out;
  EXPECT_EQ(gc.err, "");
  EXPECT_TRUE(ctx.pod_uuids().empty());
  EXPECT_EQ(mounts_below(ctx.root()), std::vector<std::string>{});
}

}  // namespace
}  // namespace rkt::functional
