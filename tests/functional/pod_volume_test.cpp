// Volumes as a user sees them: --volume kind=host and kind=empty (mode, uid, gid, readOnly),
// --mount per app and for all apps, the image's mountPoints, and the errors for a missing source
// or an unknown volume.

#include <gmock/gmock.h>

#include <fstream>

#include "rkt_ctx.hpp"

namespace rkt::functional {
namespace {

using ::testing::HasSubstr;

class PodVolume : public PodTest {
 protected:
  void SetUp() override {
    m_host_dir = ctx.scratch_path("host-volume");
    fs::create_directories(m_host_dir);
    std::ofstream(m_host_dir / "from-host") << "hello from the host\n";
  }
  std::string aci() { return inspect_aci().path.string(); }
  const fs::path& host_dir() const { return m_host_dir; }
  std::string host_volume(std::string_view name, std::string_view extra = "") const {
    return "--volume=" + std::string(name) + ",kind=host,source=" + m_host_dir.string() +
           std::string(extra);
  }

 private:
  fs::path m_host_dir;
};

TEST_F(PodVolume, HostVolumeIsSharedWithTheHost) {
  ProcResult r = run_pod({host_volume("data"), aci(), "--mount=volume=data,target=/data", "--",
                          "--read-file=/data/from-host", "--write-file=/data/from-pod",
                          "--content=written inside"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(value_of(r.out, "READ_FILE"), "hello from the host\\n") << r.out;
  EXPECT_EQ(read_text(host_dir() / "from-pod"), "written inside")
      << "a file written in the pod appears on the host";
}

TEST_F(PodVolume, ReadOnlyHostVolume) {
  ProcResult r =
      run_pod({host_volume("data", ",readOnly=true"), aci(), "--mount=volume=data,target=/data",
               "--", "--read-file=/data/from-host", "--write-file=/data/from-pod"});
  EXPECT_EQ(r.exit_code, 1) << dump(r);
  EXPECT_EQ(value_of(r.out, "READ_FILE"), "hello from the host\\n") << r.out;
  EXPECT_THAT(value_of(r.out, "WRITE_FILE_ERROR").value_or(""), HasSubstr("Read-only file system"));
  EXPECT_FALSE(fs::exists(host_dir() / "from-pod"));
}

TEST_F(PodVolume, EmptyVolumeWithModeAndOwner) {
  ProcResult r = run_pod({"--volume=scratch,kind=empty,mode=0750,uid=1000,gid=1002", aci(),
                          "--mount=volume=scratch,target=/scratch", "--", "--stat=/scratch",
                          "--list-dir=/scratch", "--write-file=/scratch/x"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(value_of(r.out, "STAT"), "/scratch mode=0750 uid=1000 gid=1002 type=dir") << r.out;
  EXPECT_EQ(value_of(r.out, "LIST_DIR"), "") << "an empty volume starts empty\n" << r.out;
  EXPECT_EQ(value_of(r.out, "WRITE_FILE"), "/scratch/x") << r.out;
}

TEST_F(PodVolume, EmptyVolumeIsSharedBetweenApps) {
  // The reader waits a second for the writer, which exits at once.
  ProcResult r =
      run_pod({"--volume=shared,kind=empty", "--mount=volume=shared,target=/shared", aci(),
               "--name=writer", "--", "--write-file=/shared/note", "--content=from writer", "---",
               aci(), "--name=reader", "--", "--sleep=1", "--read-file=/shared/note"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(value_of(r.out, "READ_FILE"), "from writer") << r.out;
}

TEST_F(PodVolume, MountBeforeTheImagesAppliesToEveryApp) {
  ProcResult r = run_pod({host_volume("data"), "--mount=volume=data,target=/data", aci(),
                          "--name=one", "--", "--read-file=/data/from-host", "---", aci(),
                          "--name=two", "--", "--read-file=/data/from-host"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(values_of(r.out, "READ_FILE"),
            (std::vector<std::string>{"hello from the host\\n", "hello from the host\\n"}))
      << r.out;
}

TEST_F(PodVolume, ImageMountPointTakesTheVolumeOfItsName) {
  BuiltAci image = ctx.inspect_image("example.com/mountpoint",
                                     R"({"mountPoints": [{"name": "data", "path": "/mp"}]})");
  ProcResult r =
      run_pod({host_volume("data"), image.path.string(), "--", "--read-file=/mp/from-host"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(value_of(r.out, "READ_FILE"), "hello from the host\\n") << r.out;
}

TEST_F(PodVolume, MissingSourceIsAClearError) {
  fs::path missing = ctx.scratch_path("no-such-dir");
  ProcResult r = run_pod({"--volume=data,kind=host,source=" + missing.string(), aci(),
                          "--mount=volume=data,target=/data"});
  EXPECT_TRUE(IsRktError(r));
  EXPECT_THAT(r.err, HasSubstr(missing.string()));
  EXPECT_THAT(r.err, HasSubstr("\"data\""));
  // TearDown checks that gc leaves no pod behind.
}

TEST_F(PodVolume, MountOfAnUnknownVolumeIsAnError) {
  ProcResult r = run_pod({aci(), "--mount=volume=nope,target=/x"});
  EXPECT_TRUE(IsRktError(r));
  EXPECT_THAT(r.err, HasSubstr("\"nope\""));
}

TEST_F(PodVolume, BadVolumeFlagIsAnError) {
  ProcResult r = run_pod({"--volume=data,kind=bogus", aci()});
  EXPECT_TRUE(IsRktError(r));
  EXPECT_THAT(r.err, HasSubstr("kind"));
}

}  // namespace
}  // namespace rkt::functional
