// Pod isolation through cgroups, checked from both sides: the inspect program in the pod reports
// its /proc/self/cgroup, OOM score and device access; the test reads the host's cgroup files.
// Layout (docs/devel/cgroups.md): <base>/machine-rkt\x2d<uuid>.scope/system.slice/<app>.service,
// <base> = /machine.slice, or the caller's own cgroup when that is not the hierarchy's root.

#include <signal.h>

#include <gmock/gmock.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "rkt_ctx.hpp"

namespace rkt::functional {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

/// A cgroup hierarchy of this machine: where it is mounted and where this process sits in it.
struct Hierarchy {
  fs::path mount_point;
  std::string own_path;  // "/..." as in /proc/self/cgroup
  std::string key;       // the /proc/self/cgroup controller field ("cpu", "" for v2)
};

/// Every mounted hierarchy but cpuset (which pods leave alone).
std::vector<Hierarchy> hierarchies() {
  std::vector<Hierarchy> found;
  std::string self = read_text("/proc/self/cgroup");
  for (const std::string& line : lines(read_text("/proc/self/mountinfo"))) {
    std::istringstream fields(line);
    std::vector<std::string> f{std::istream_iterator<std::string>(fields), {}};
    auto dash = std::find(f.begin(), f.end(), "-");
    if (dash == f.end() || dash + 3 >= f.end()) continue;
    std::string type = dash[1];
    std::string key;
    if (type == "cgroup") {
      for (std::string option :
           {"cpu", "cpuacct", "memory", "devices", "pids", "freezer", "blkio", "name=systemd"}) {
        if (("," + dash[3] + ",").find("," + option + ",") != std::string::npos) key = option;
      }
      if (key.empty() || dash[3].find("cpuset") != std::string::npos) continue;
    } else if (type != "cgroup2") {
      continue;
    }
    for (const std::string& entry : lines(self)) {
      auto first = entry.find(':');
      auto second = entry.find(':', first + 1);
      std::string list = "," + entry.substr(first + 1, second - first - 1) + ",";
      bool match =
          key.empty() ? entry.starts_with("0::") : list.find("," + key + ",") != std::string::npos;
      if (match) found.push_back({f[4], entry.substr(second + 1), key});
    }
  }
  return found;
}

std::string scope_name(const std::string& uuid) {
  std::string name = "machine-rkt\\x2d";
  for (char c : uuid) name += c == '-' ? std::string("\\x2d") : std::string(1, c);
  return name + ".scope";
}

/// The pod's cgroup path in `h`, as /proc/<pid>/cgroup shows it.
std::string pod_path(const Hierarchy& h, const std::string& uuid) {
  std::string base = h.own_path == "/" ? "/machine.slice" : h.own_path;
  return base + "/" + scope_name(uuid);
}

fs::path host_dir(const Hierarchy& h, const std::string& path) {
  return h.mount_point / path.substr(1);
}

const Hierarchy& hierarchy_of(const std::vector<Hierarchy>& all, const std::string& key) {
  for (const auto& h : all) {
    if (h.key == key) return h;
  }
  throw std::runtime_error("no cgroup hierarchy for " + key);
}

class PodIsolation : public PodTest {
 protected:
  std::string aci() { return inspect_aci().path.string(); }

  /// The pod's cgroup directories that still exist, in any hierarchy.
  std::vector<fs::path> pod_cgroups_left(const std::string& uuid) {
    std::vector<fs::path> left;
    for (const auto& h : hierarchies()) {
      fs::path dir = host_dir(h, pod_path(h, uuid));
      if (fs::exists(dir)) left.push_back(dir);
    }
    return left;
  }
};

TEST_F(PodIsolation, ThisMachineHasTheControllersTheTestsNeed) {
  auto all = hierarchies();
  for (const char* key : {"cpu", "memory", "devices"}) {
    EXPECT_NO_THROW(hierarchy_of(all, key)) << key;
  }
}

TEST_F(PodIsolation, LimitsAreInTheAppsCgroupAndTheCgroupsGoAtExit) {
  RunningPod pod =
      start_pod({aci(), "--cpu=500m", "--cpu-shares=512", "--memory=100M", "--oom-score-adj=300",
                 "--", "--print-cgroups", "--read-file=/proc/self/oom_score_adj", "--sleep=60"});
  auto all = hierarchies();
  auto app_dir = [&](const std::string& key) {
    const Hierarchy& h = hierarchy_of(all, key);
    return host_dir(h, pod_path(h, pod.uuid) + "/system.slice/inspect.service");
  };
  EXPECT_EQ(trimmed(read_text(app_dir("cpu") / "cpu.cfs_period_us")), "100000");
  EXPECT_EQ(trimmed(read_text(app_dir("cpu") / "cpu.cfs_quota_us")), "50000") << "--cpu=500m";
  EXPECT_EQ(trimmed(read_text(app_dir("cpu") / "cpu.shares")), "512");
  long memory = std::stol("0" + trimmed(read_text(app_dir("memory") / "memory.limit_in_bytes")));
  EXPECT_LE(memory, 100'000'000) << "--memory=100M (rounded down to pages)";
  EXPECT_GT(memory, 99'000'000);
  std::string devices = read_text(app_dir("devices") / "devices.list");
  EXPECT_THAT(devices, HasSubstr("c 1:3 rwm"));
  EXPECT_THAT(devices, Not(HasSubstr("a *:* rwm"))) << devices;

  ASSERT_TRUE(Succeeded(ctx.run({"stop", pod.uuid})));
  ProcResult r = pod.rkt.wait();
  EXPECT_EQ(value_of(r.out, "READ_FILE"), "300\\n") << "--oom-score-adj\n" << r.out;
  auto seen = values_of(r.out, "CGROUP");
  for (const auto& h : all) {
    std::string expected = pod_path(h, pod.uuid) + "/system.slice/inspect.service";
    bool found = false;
    for (const auto& line : seen) found = found || line.ends_with(":" + expected);
    EXPECT_TRUE(found) << "the app is in " << expected << " of " << h.mount_point << "\n" << r.out;
  }
  EXPECT_THAT(pod_cgroups_left(pod.uuid), ::testing::IsEmpty()) << "removed at the pod's exit";
}

TEST_F(PodIsolation, PodInitIsInInitScope) {
  RunningPod pod = start_pod({aci(), "--", "--sleep=60"});
  pid_t pid1 = std::stoi(value_of(ctx.run({"status", pod.uuid}).out, "pid").value_or("0"));
  ASSERT_GT(pid1, 0);
  std::string cgroups = read_text("/proc/" + std::to_string(pid1) + "/cgroup");
  // In every hierarchy: v1 ones joined, the v2 one (if any) born there.
  for (const auto& h : hierarchies()) {
    EXPECT_THAT(cgroups, HasSubstr(":" + pod_path(h, pod.uuid) + "/init.scope\n"))
        << h.mount_point << "\n"
        << cgroups;
  }
  ASSERT_TRUE(Succeeded(ctx.run({"stop", pod.uuid})));
  pod.rkt.wait();
}

TEST_F(PodIsolation, AnAllocationBeyondMemoryIsOomKilledAndReported) {
  ProcResult r = run_pod({aci(), "--memory=32M", "--", "--alloc-mib=256"});
  EXPECT_EQ(r.exit_code, 128 + SIGKILL) << dump(r);
  EXPECT_FALSE(value_of(r.out, "ALLOC_MIB")) << "the allocation never completed\n" << r.out;
  EXPECT_THAT(r.err, HasSubstr("app \"inspect\" was killed by the OOM killer")) << dump(r);
  auto uuids = ctx.pod_uuids();
  ASSERT_EQ(uuids.size(), 1u);
  ProcResult status = ctx.run({"status", uuids[0]});
  EXPECT_EQ(value_of(status.out, "app-inspect"), "137") << status.out;
  EXPECT_TRUE(fs::exists(ctx.pod_dir(uuids[0]) / "stage1/rootfs/rkt/oom-killed/inspect"));
  EXPECT_THAT(pod_cgroups_left(uuids[0]), ::testing::IsEmpty());

  ProcResult fits = run_pod({aci(), "--memory=64M", "--", "--alloc-mib=16"});
  EXPECT_TRUE(Succeeded(fits));
  EXPECT_EQ(value_of(fits.out, "ALLOC_MIB"), "16") << fits.out;
  EXPECT_THAT(fits.err, Not(HasSubstr("OOM")));
}

TEST_F(PodIsolation, DeviceCgroupAllowsOnlyTheOsSpecDevices) {
  ProcResult r = run_pod({aci(), "--", "--mknod=/null-again:1:3", "--mknod=/loop-control:10:237",
                          "--mknod=/kmsg:1:11"});
  EXPECT_EQ(value_of(r.out, "MKNOD"), "/null-again:ok") << dump(r);
  auto made = values_of(r.out, "MKNOD");
  auto opened = values_of(r.out, "OPEN");
  ASSERT_EQ(made.size(), 3u) << r.out;
  ASSERT_EQ(opened.size(), 3u) << r.out;
  EXPECT_EQ(opened[0], "/null-again:ok") << "a null device made in the pod can be used";
  EXPECT_EQ(made[1], "/loop-control:EPERM") << "mknod of /dev/loop-control is denied";
  EXPECT_EQ(made[2], "/kmsg:EPERM") << "and of any device not in the app's /dev";
}

TEST_F(PodIsolation, GcRemovesTheCgroupsOfAPodWhoseRktWasKilled) {
  RunningPod pod = start_pod({aci(), "--", "--sleep=60"});
  pid_t pid1 = std::stoi(value_of(ctx.run({"status", pod.uuid}).out, "pid").value_or("0"));
  ASSERT_GT(pid1, 0);
  ::kill(pod.rkt.pid(), SIGKILL);  // the supervisor, which removes the cgroups at exit
  EXPECT_EQ(pod.rkt.wait().exit_code, 128 + SIGKILL);
  // The pod's PID 1 dies with its supervisor (parent-death signal).
  for (int i = 0; i < 1000 && ::kill(pid1, 0) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(pod_cgroups_left(pod.uuid).empty()) << "nobody removed them at exit";
  ProcResult gc = ctx.run({"gc", "--grace-period=0s"});
  EXPECT_TRUE(Succeeded(gc));
  EXPECT_THAT(pod_cgroups_left(pod.uuid), ::testing::IsEmpty()) << dump(gc);
}

TEST_F(PodIsolation, UnsupportedIsolatorsAreReportedAndCgroupOnesAreNot) {
  BuiltAci image = ctx.inspect_image(
      "example.com/isolated", R"({"isolators":[{"name":"resource/memory","value":{"limit":"64M"}},)"
                              R"({"name":"example.com/made-up","value":{}}]})");
  ProcResult r = run_pod({image.path.string(), "--", "--print-cgroups"});
  EXPECT_TRUE(Succeeded(r));
  EXPECT_THAT(r.err, HasSubstr("ignoring isolators not supported: example.com/made-up")) << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("resource/memory"))) << r.err;
}

}  // namespace
}  // namespace rkt::functional
