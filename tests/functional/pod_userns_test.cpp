// --private-users as a user sees it: the pod runs in a user namespace whose mapping is the range
// recorded in the pod dir; pods get ranges that do not overlap; the image's files are root's
// inside; the app is root inside and the range's base outside; gc leaves nothing behind. With
// overlayfs (idmapped lower layer) and with --no-overlay (a shifted copy).

#include <gmock/gmock.h>

#include <fstream>
#include <sstream>

#include "rkt_ctx.hpp"

namespace rkt::functional {
namespace {

using ::testing::HasSubstr;

struct Range {
  uint64_t base = 0;
  uint64_t count = 0;
};

/// "BASE:COUNT" of the pod's private-users-prepared file.
Range recorded_range(const RktCtx& ctx, const std::string& uuid) {
  std::string text = read_text(ctx.pod_dir(uuid) / "private-users-prepared");
  Range range;
  char colon = 0;
  std::istringstream(text) >> range.base >> colon >> range.count;
  return range;
}

/// The uid_map line the app read, "\n" written as "\\n" by inspect, split into numbers.
std::vector<uint64_t> map_numbers(const std::string& read_file_value) {
  std::istringstream in(read_file_value.substr(0, read_file_value.find('\\')));
  std::vector<uint64_t> numbers;
  for (uint64_t n = 0; in >> n;) numbers.push_back(n);
  return numbers;
}

/// The "Uid:" line's real uid of a host process.
std::string host_uid_of(pid_t pid) {
  std::istringstream status(read_text("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Uid:", 0) == 0) {
      std::istringstream fields(line.substr(4));
      std::string uid;
      fields >> uid;
      return uid;
    }
  }
  return "";
}

class PodUserns : public PodTest {
 protected:
  std::string aci() { return inspect_aci().path.string(); }
  std::string uuid_of(const ProcResult&) {
    auto uuids = ctx.pod_uuids();
    return uuids.empty() ? "" : uuids.back();
  }
};

TEST_F(PodUserns, TheUserNamespaceMapsTheRecordedRange) {
  ProcResult r = run_pod({"--private-users", aci(), "--", "--read-file=/proc/self/uid_map",
                          "--print-user", "--stat=/inspect", "--stat=/"});
  ASSERT_TRUE(Succeeded(r)) << dump(r);
  std::string uuid = uuid_of(r);
  Range range = recorded_range(ctx, uuid);
  EXPECT_EQ(range.count, 65536u);
  EXPECT_EQ(range.base % 65536, 0u) << "ranges are 65536-aligned";
  EXPECT_GE(range.base, 10u * 65536) << "above the host's own users";
  auto map = map_numbers(value_of(r.out, "READ_FILE").value_or(""));
  EXPECT_EQ(map, (std::vector<uint64_t>{0, range.base, range.count})) << r.out;
  EXPECT_EQ(value_of(r.out, "UID"), "0") << "the app is root inside";
  EXPECT_EQ(value_of(r.out, "GID"), "0");
  auto stats = values_of(r.out, "STAT");
  ASSERT_EQ(stats.size(), 2u) << r.out;
  EXPECT_THAT(stats[0], HasSubstr("uid=0 gid=0")) << "the image's files are root's inside";
  EXPECT_THAT(stats[1], HasSubstr("uid=0 gid=0"));
}

TEST_F(PodUserns, WithoutOverlayTheCopyIsShifted) {
  ProcResult r = run_pod({"--private-users", "--no-overlay", aci(), "--",
                          "--read-file=/proc/self/uid_map", "--stat=/inspect",
                          "--write-file=/made-inside"});
  ASSERT_TRUE(Succeeded(r)) << dump(r);
  std::string uuid = uuid_of(r);
  Range range = recorded_range(ctx, uuid);
  EXPECT_EQ(map_numbers(value_of(r.out, "READ_FILE").value_or("")),
            (std::vector<uint64_t>{0, range.base, range.count}));
  EXPECT_THAT(value_of(r.out, "STAT").value_or(""), HasSubstr("uid=0 gid=0"));
  struct stat st {};
  fs::path made = ctx.pod_dir(uuid) / "stage1/rootfs/opt/stage2/inspect/rootfs/made-inside";
  ASSERT_EQ(::stat(made.c_str(), &st), 0) << made;
  EXPECT_EQ(st.st_uid, range.base) << "a file the pod's root makes is the range base's outside";
}

TEST_F(PodUserns, TwoPodsGetRangesThatDoNotOverlap) {
  RunningPod first = start_pod({"--private-users", aci(), "--", "--sleep=30"});
  RunningPod second = start_pod({"--private-users", aci(), "--", "--sleep=30"});
  Range a = recorded_range(ctx, first.uuid);
  Range b = recorded_range(ctx, second.uuid);
  EXPECT_TRUE(a.base + a.count <= b.base || b.base + b.count <= a.base)
      << a.base << " and " << b.base;
  EXPECT_TRUE(Succeeded(ctx.run({"stop", first.uuid})));
  EXPECT_TRUE(Succeeded(ctx.run({"stop", second.uuid})));
  first.rkt.wait();
  second.rkt.wait();
}

TEST_F(PodUserns, TheHostSeesTheAppAsTheRangeBase) {
  RunningPod pod = start_pod({"--private-users", aci(), "--", "--sleep=30"});
  Range range = recorded_range(ctx, pod.uuid);
  pid_t pid1 = std::stoi(read_text(ctx.pod_dir(pod.uuid) / "pid"));
  std::istringstream children(
      read_text("/proc/" + std::to_string(pid1) + "/task/" + std::to_string(pid1) + "/children"));
  pid_t app = 0;
  children >> app;
  ASSERT_GT(app, 0) << "the app is a child of the pod's PID 1";
  EXPECT_EQ(host_uid_of(app), std::to_string(range.base)) << "root inside is the base outside";
  EXPECT_EQ(host_uid_of(pid1), std::to_string(range.base));
  ProcResult entered = ctx.run({"enter", pod.uuid, "/inspect", "--print-user",
                                "--read-file=/proc/self/uid_map"});
  ASSERT_TRUE(Succeeded(entered)) << dump(entered);
  EXPECT_EQ(value_of(entered.out, "UID"), "0");
  EXPECT_EQ(map_numbers(value_of(entered.out, "READ_FILE").value_or("")),
            (std::vector<uint64_t>{0, range.base, range.count}))
      << "enter joins the pod's user namespace";
  EXPECT_TRUE(Succeeded(ctx.run({"stop", pod.uuid})));
  pod.rkt.wait();
}

TEST_F(PodUserns, VolumesStillWork) {
  fs::path host = ctx.scratch_path("host-volume");
  fs::create_directories(host);
  std::ofstream(host / "from-host") << "hello";
  fs::permissions(host / "from-host", fs::perms::all, fs::perm_options::add);
  ProcResult r = run_pod({"--private-users", "--volume=data,kind=host,source=" + host.string(),
                          "--volume=scratch,kind=empty,uid=1000,gid=1000", aci(),
                          "--mount=volume=data,target=/data",
                          "--mount=volume=scratch,target=/scratch", "--",
                          "--read-file=/data/from-host", "--stat=/scratch",
                          "--write-file=/scratch/x"});
  ASSERT_TRUE(Succeeded(r)) << dump(r);
  EXPECT_EQ(value_of(r.out, "READ_FILE"), "hello");
  EXPECT_THAT(value_of(r.out, "STAT").value_or(""), HasSubstr("uid=1000 gid=1000"))
      << "an empty volume's owner is shifted into the range";
}

TEST_F(PodUserns, GcLeavesNothingBehind) {
  ProcResult r = run_pod({"--private-users", aci(), "--", "--print-user"});
  ASSERT_TRUE(Succeeded(r)) << dump(r);
  EXPECT_FALSE(fs::is_empty(ctx.data_dir() / "userns")) << "the range is claimed";
  ASSERT_TRUE(Succeeded(ctx.run({"gc", "--grace-period=0s"})));
  EXPECT_TRUE(ctx.pod_uuids().empty());
  EXPECT_TRUE(fs::is_empty(ctx.data_dir() / "userns")) << "the claim goes with the pod";
  EXPECT_TRUE(mounts_below(ctx.root()).empty());
}

TEST_F(PodUserns, NotWithStage1Fly) {
  ProcResult r = run_pod({"--private-users", "--stage1-path=" + stage1_image("fly").string(),
                          aci()});
  EXPECT_TRUE(IsRktError(r));
  EXPECT_THAT(r.err, HasSubstr("--private-users is not supported by stage1-fly"));
}

}  // namespace
}  // namespace rkt::functional
