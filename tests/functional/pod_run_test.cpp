// `rkt run` as a user sees it from inside the pod: exit codes, apps, exec and arguments, users and
// groups, environment, hostname, PID namespace, /dev, /etc/hosts, networking, read-only rootfs,
// event handlers, --uuid-file-save, --pod-manifest. Every check runs the inspect program (see
// helpers/inspect.cpp) in the pod and reads its KEY=VALUE report.

#include <unistd.h>

#include <gmock/gmock.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "rkt_ctx.hpp"

namespace rkt::functional {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string host_hostname() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) items.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return items;
}

bool has(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

class PodRun : public PodTest {
 protected:
  std::string aci() { return inspect_aci().path.string(); }

  /// Runs the inspect image with `inspect_args` (appended to its exec) and expects exit 0.
  ProcResult inspect(const std::vector<std::string>& pod_flags,
                     const std::vector<std::string>& app_flags,
                     const std::vector<std::string>& inspect_args) {
    std::vector<std::string> args = pod_flags;
    args.push_back(aci());
    args.insert(args.end(), app_flags.begin(), app_flags.end());
    args.push_back("--");
    args.insert(args.end(), inspect_args.begin(), inspect_args.end());
    ProcResult r = run_pod(args);
    EXPECT_TRUE(Succeeded(r));
    return r;
  }
};

TEST_F(PodRun, ExitCodeIsTheApps) {
  ProcResult ok = run_pod({aci(), "--", "--exit-code=0"});
  EXPECT_TRUE(Succeeded(ok));
  EXPECT_THAT(ok.err, HasSubstr("rkt: using image from file " + stage1_image("native").string()));
  EXPECT_THAT(ok.err, HasSubstr("rkt: using image from file " + aci()));

  ProcResult three = run_pod({aci(), "--", "--print-hostname", "--exit-code=3"});
  EXPECT_EQ(three.exit_code, 3) << dump(three);
  EXPECT_TRUE(value_of(three.out, "HOSTNAME")) << "the app's stdout reaches rkt's\n" << dump(three);
  ProcResult big = run_pod({aci(), "--", "--exit-code=200"});
  EXPECT_EQ(big.exit_code, 200) << dump(big);
}

TEST_F(PodRun, SeveralAppsShareOnePod) {
  fs::path uuid_file = ctx.scratch_path("uuid");
  ProcResult r = run_pod({"--uuid-file-save=" + uuid_file.string(), aci(), "--name=alpha", "--",
                          "--print-env=AC_APP_NAME", "--print-hostname", "---", aci(),
                          "--name=beta", "--", "--print-env=AC_APP_NAME", "--print-hostname"});
  ASSERT_TRUE(Succeeded(r));
  auto names = values_of(r.out, "AC_APP_NAME");
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"alpha", "beta"})) << dump(r);
  std::string uuid = read_text(uuid_file);
  EXPECT_EQ(values_of(r.out, "HOSTNAME"), (std::vector<std::string>{"rkt-" + uuid, "rkt-" + uuid}))
      << "both apps share the pod's UTS namespace\n"
      << dump(r);

  ProcResult status = ctx.run({"status", uuid});
  ASSERT_TRUE(Succeeded(status));
  EXPECT_EQ(value_of(status.out, "app-alpha"), "0") << status.out;
  EXPECT_EQ(value_of(status.out, "app-beta"), "0") << status.out;
}

TEST_F(PodRun, DuplicateAppNamesAreRejected) {
  ProcResult same_image = run_pod({aci(), aci()});
  EXPECT_TRUE(IsRktError(same_image));
  EXPECT_THAT(same_image.err, HasSubstr("multiple apps with name \"inspect\""));

  ProcResult same_name = run_pod({aci(), "--name=x", aci(), "--name=x"});
  EXPECT_TRUE(IsRktError(same_name));
  EXPECT_THAT(same_name.err, HasSubstr("multiple apps with name \"x\""));

  ProcResult flag_first = run_pod({"--name=x", aci()});
  EXPECT_TRUE(IsRktError(flag_first));
  EXPECT_THAT(flag_first.err, HasSubstr("--name must follow an image"));
}

TEST_F(PodRun, ArgumentsAreAppendedToTheImagesExec) {
  BuiltAci image =
      ctx.inspect_image("example.com/exec", R"({"exec": ["/inspect", "--print-cwd"]})");
  ProcResult r = run_pod({image.path.string(), "--", "--print-args"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(value_of(r.out, "ARGC"), "3") << r.out;
  EXPECT_EQ(value_of(r.out, "ARGV1"), "--print-cwd") << r.out;
  EXPECT_EQ(value_of(r.out, "ARGV2"), "--print-args") << r.out;
}

TEST_F(PodRun, ExecOverrideAndPerAppArguments) {
  ProcResult sh = run_pod({aci(), "--exec", "/bin/sh", "--", "-c", "echo from-sh; exit 9"});
  EXPECT_EQ(sh.exit_code, 9) << dump(sh);
  EXPECT_THAT(sh.out, HasSubstr("from-sh"));

  // `---` ends the first app's arguments; the second app has its own --exec and arguments.
  ProcResult two = run_pod({aci(), "--exec=/inspect", "--", "--print-args", "---", aci(),
                            "--name=two", "--exec", "/inspect", "--", "--print-env=AC_APP_NAME"});
  ASSERT_TRUE(Succeeded(two));
  EXPECT_EQ(value_of(two.out, "ARGC"), "2") << two.out;
  EXPECT_EQ(value_of(two.out, "ARGV1"), "--print-args") << two.out;
  EXPECT_EQ(value_of(two.out, "AC_APP_NAME"), "two") << two.out;

  ProcResult relative = run_pod({aci(), "--exec", "inspect", "--", "--exit-code=4"});
  EXPECT_EQ(relative.exit_code, 4) << "exec without a slash is looked up in the app's PATH\n"
                                   << dump(relative);
}

TEST_F(PodRun, UserAndGroupByName) {
  ProcResult r = inspect({}, {"--user=user1", "--group=group1"}, {"--print-user"});
  EXPECT_EQ(value_of(r.out, "UID"), std::to_string(k_user1_uid)) << r.out;
  EXPECT_EQ(value_of(r.out, "GID"), std::to_string(k_group1_gid)) << r.out;
  EXPECT_EQ(value_of(r.out, "EUID"), std::to_string(k_user1_uid)) << r.out;
}

TEST_F(PodRun, UserAndGroupByNumber) {
  ProcResult r = inspect({}, {"--user=4242", "--group=4343"}, {"--print-user"});
  EXPECT_EQ(value_of(r.out, "UID"), "4242") << r.out;
  EXPECT_EQ(value_of(r.out, "GID"), "4343") << r.out;
}

TEST_F(PodRun, UserAndGroupFromAFilesOwner) {
  std::string path = k_owned_file;
  ProcResult r = inspect({}, {"--user=" + path, "--group=" + path}, {"--print-user"});
  EXPECT_EQ(value_of(r.out, "UID"), std::to_string(k_owned_file_uid)) << r.out;
  EXPECT_EQ(value_of(r.out, "GID"), std::to_string(k_owned_file_gid)) << r.out;
}

TEST_F(PodRun, UserFromTheImageManifest) {
  BuiltAci image = ctx.inspect_image("example.com/user", R"({"user": "user1", "group": "1000"})");
  ProcResult r = run_pod({image.path.string(), "--", "--print-user"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(value_of(r.out, "UID"), "1000") << r.out;
  EXPECT_EQ(value_of(r.out, "GID"), "1000") << r.out;
}

TEST_F(PodRun, SupplementaryGids) {
  ProcResult r = inspect({}, {"--supplementary-gids=3000,2000"}, {"--print-user"});
  EXPECT_EQ(value_of(r.out, "GROUPS"), "2000,3000") << r.out;
}

TEST_F(PodRun, WorkingDirectory) {
  EXPECT_EQ(value_of(inspect({}, {}, {"--print-cwd"}).out, "CWD"), "/");
  EXPECT_EQ(value_of(inspect({}, {"--working-dir=/tmp"}, {"--print-cwd"}).out, "CWD"), "/tmp");
  ProcResult missing = run_pod({aci(), "--working-dir=/nonexistent", "--", "--print-cwd"});
  EXPECT_NE(missing.exit_code, 0) << dump(missing);
  EXPECT_THAT(missing.err, HasSubstr("/nonexistent"));
}

TEST_F(PodRun, EnvironmentPrecedence) {
  // image < --set-env-file < --set-env < --environment; the appc variables always win.
  BuiltAci image = ctx.inspect_image("example.com/env", R"({"environment": [
      {"name": "PATH", "value": "/bin:/"}, {"name": "A", "value": "image"},
      {"name": "B", "value": "image"}, {"name": "C", "value": "image"},
      {"name": "D", "value": "image"}]})");
  fs::path env_file = ctx.scratch_path("env");
  std::ofstream(env_file) << "# comment\nB=file\nC=file\nD=file\n";
  ProcResult r =
      run_pod({"--set-env-file=" + env_file.string(), "--set-env=C=set-env", "--set-env=D=set-env",
               image.path.string(), "--environment=D=environment", "--", "--print-all-env"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(value_of(r.out, "A"), "image") << r.out;
  EXPECT_EQ(value_of(r.out, "B"), "file") << r.out;
  EXPECT_EQ(value_of(r.out, "C"), "set-env") << r.out;
  EXPECT_EQ(value_of(r.out, "D"), "environment") << r.out;
  EXPECT_EQ(value_of(r.out, "AC_APP_NAME"), "env") << "the app is named after the image\n" << r.out;
  EXPECT_EQ(value_of(r.out, "container"), "rkt") << r.out;
  EXPECT_EQ(value_of(r.out, "PATH"), "/bin:/") << r.out;
}

TEST_F(PodRun, InheritEnv) {
  BuiltAci image = ctx.inspect_image(
      "example.com/env",
      R"({"environment": [{"name": "PATH", "value": "/bin:/"}, {"name": "A", "value": "image"}]})");
  ProcOptions host_env;
  host_env.extra_env = {"RKT_TEST_INHERITED=from-host", "A=host"};
  ProcResult without =
      run_pod({image.path.string(), "--", "--print-env=RKT_TEST_INHERITED"}, host_env);
  ASSERT_TRUE(Succeeded(without));
  EXPECT_FALSE(value_of(without.out, "RKT_TEST_INHERITED"))
      << "the host's environment stays out without --inherit-env\n"
      << without.out;

  ProcResult with = run_pod({"--inherit-env", "--set-env=S=set", image.path.string(), "--",
                             "--print-env=RKT_TEST_INHERITED", "--print-env=A", "--print-env=S"},
                            host_env);
  ASSERT_TRUE(Succeeded(with));
  EXPECT_EQ(value_of(with.out, "RKT_TEST_INHERITED"), "from-host") << with.out;
  EXPECT_EQ(value_of(with.out, "A"), "image") << "the image's environment beats the host's\n"
                                              << with.out;
  EXPECT_EQ(value_of(with.out, "S"), "set") << with.out;
}

TEST_F(PodRun, DefaultHostnameIsRktUuid) {
  fs::path uuid_file = ctx.scratch_path("uuid");
  ProcResult r = inspect({"--uuid-file-save=" + uuid_file.string()}, {}, {"--print-hostname"});
  std::string uuid = read_text(uuid_file);
  EXPECT_TRUE(is_uuid(uuid)) << "--uuid-file-save writes the bare UUID: \"" << uuid << "\"";
  EXPECT_EQ(value_of(r.out, "HOSTNAME"), "rkt-" + uuid) << r.out;
  EXPECT_EQ(host_hostname().rfind("rkt-", 0), std::string::npos) << "the host keeps its name";

  ProcResult named = inspect({"--hostname=pod-host"}, {}, {"--print-hostname"});
  EXPECT_EQ(value_of(named.out, "HOSTNAME"), "pod-host") << named.out;
}

TEST_F(PodRun, UuidFileSaveMatchesTheListedPod) {
  fs::path uuid_file = ctx.scratch_path("uuid");
  inspect({"--uuid-file-save=" + uuid_file.string()}, {}, {});
  std::string uuid = read_text(uuid_file);
  ASSERT_TRUE(is_uuid(uuid)) << uuid;
  EXPECT_EQ(ctx.pod_uuids(), std::vector<std::string>{uuid});
  ProcResult list = ctx.run({"list", "--full", "--no-legend"});
  EXPECT_THAT(list.out, HasSubstr(uuid));
  ProcResult by_file = ctx.run({"status", "--uuid-file=" + uuid_file.string()});
  EXPECT_TRUE(Succeeded(by_file));
  EXPECT_EQ(value_of(by_file.out, "state"), "exited") << by_file.out;
}

TEST_F(PodRun, AppIsNotPid1AndSeesNoHostProcess) {
  ProcResult r =
      inspect({}, {}, {"--print-pid", "--list-dir=/proc", "--read-file=/proc/1/cmdline"});
  auto pid = value_of(r.out, "PID");
  ASSERT_TRUE(pid) << r.out;
  EXPECT_NE(*pid, "1") << "PID 1 is the stage1, not the app";
  EXPECT_TRUE(value_of(r.out, "READ_FILE")) << "the pod has a PID 1\n" << r.out;
  std::vector<std::string> pids;
  for (const std::string& entry : split_list(value_of(r.out, "LIST_DIR").value_or(""))) {
    if (entry.find_first_not_of("0123456789") == std::string::npos) pids.push_back(entry);
  }
  EXPECT_TRUE(has(pids, "1")) << r.out;
  EXPECT_TRUE(has(pids, *pid)) << r.out;
  EXPECT_LE(pids.size(), 3u) << "only the pod's own processes are visible in /proc\n" << r.out;
}

TEST_F(PodRun, DevHasTheMinimalNodes) {
  std::vector<std::string> args = {"--list-dir=/dev", "--list-dir=/dev/pts",
                                   "--write-file=/dev/null"};
  for (const char* node : {"null", "zero", "full", "random", "urandom", "tty", "ptmx"}) {
    args.push_back(std::string("--stat=/dev/") + node);
  }
  args.push_back("--stat=/dev/shm");
  ProcResult r = inspect({}, {}, args);
  auto dev = split_list(values_of(r.out, "LIST_DIR").at(0));
  for (const char* node :
       {"null", "zero", "full", "random", "urandom", "tty", "console", "ptmx", "pts", "shm"}) {
    EXPECT_TRUE(has(dev, node)) << "/dev/" << node << " is missing: " << r.out;
  }
  EXPECT_FALSE(has(dev, "sda") || has(dev, "vda") || has(dev, "mem"))
      << "no host devices: " << r.out;
  for (const std::string& stat : values_of(r.out, "STAT")) {
    if (stat.rfind("/dev/shm ", 0) == 0) {
      EXPECT_THAT(stat, HasSubstr("type=dir"));
    } else if (stat.rfind("/dev/ptmx ", 0) != 0) {  // ptmx may be a symlink to pts/ptmx
      EXPECT_THAT(stat, HasSubstr("type=other")) << "a device node";
    }
  }
  EXPECT_EQ(value_of(r.out, "WRITE_FILE"), "/dev/null") << r.out;
}

TEST_F(PodRun, EtcHostsFallbackAndTheImagesOwn) {
  ProcResult r = inspect({"--hostname=hosts-test"}, {}, {"--read-file=/etc/hosts"});
  std::string hosts = value_of(r.out, "READ_FILE").value_or("");
  EXPECT_THAT(hosts, HasSubstr("127.0.0.1")) << r.out;
  EXPECT_THAT(hosts, HasSubstr("localhost")) << r.out;
  EXPECT_THAT(hosts, HasSubstr("hosts-test")) << r.out;

  BuiltAci own = AciBuilder(ctx.scratch_path("hosts-image"))
                     .inspect()
                     .file("etc/hosts", "10.9.8.7 image-own-hosts\n")
                     .manifest(inspect_manifest("example.com/hosts"))
                     .build(ctx.scratch_path("hosts.aci"), Compression::none);
  ProcResult kept = run_pod({own.path.string(), "--", "--read-file=/etc/hosts"});
  ASSERT_TRUE(Succeeded(kept));
  EXPECT_EQ(value_of(kept.out, "READ_FILE"), "10.9.8.7 image-own-hosts\\n") << kept.out;
}

TEST_F(PodRun, NetNoneHasOnlyLoopback) {
  ProcResult r =
      inspect({"--net=none"}, {}, {"--list-dir=/sys/class/net", "--read-file=/proc/net/dev"});
  EXPECT_EQ(value_of(r.out, "LIST_DIR"), "lo") << r.out;
  std::string dev = value_of(r.out, "READ_FILE").value_or("");
  EXPECT_THAT(dev, HasSubstr("lo:"));
  // Two header lines and one interface.
  size_t rows = 0;
  for (size_t at = 0; (at = dev.find("\\n", at)) != std::string::npos; at += 2) ++rows;
  EXPECT_EQ(rows, 3u) << dev;
}

TEST_F(PodRun, NetHostSeesTheHostsInterfaces) {
  std::vector<std::string> host;
  for (const auto& entry : fs::directory_iterator("/sys/class/net")) {
    host.push_back(entry.path().filename().string());
  }
  std::sort(host.begin(), host.end());
  ProcResult r = inspect({"--net=host"}, {}, {"--list-dir=/sys/class/net"});
  EXPECT_EQ(split_list(value_of(r.out, "LIST_DIR").value_or("")), host) << r.out;
}

TEST_F(PodRun, BareNetFlagMeansTheDefaultNetwork) {
  // `--net` alone selects the default network: a namespace with lo and eth0 (net_test.cpp).
  ProcResult r = run_pod({"--net", aci(), "--", "--list-dir=/sys/class/net"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(value_of(r.out, "LIST_DIR"), "eth0,lo") << r.out;
}

TEST_F(PodRun, ReadonlyRootfs) {
  ProcResult r = run_pod({"--volume=scratch,kind=empty", aci(), "--readonly-rootfs=true",
                          "--mount=volume=scratch,target=/scratch", "--", "--write-file=/tmp/x",
                          "--write-file=/scratch/x"});
  EXPECT_EQ(r.exit_code, 1) << "inspect reports the failed write\n" << dump(r);
  EXPECT_THAT(value_of(r.out, "WRITE_FILE_ERROR").value_or(""),
              HasSubstr("/tmp/x: Read-only file system"));
  EXPECT_EQ(value_of(r.out, "WRITE_FILE"), "/scratch/x") << "volumes stay writable\n" << r.out;

  ProcResult writable = inspect({}, {}, {"--write-file=/tmp/x"});
  EXPECT_EQ(value_of(writable.out, "WRITE_FILE"), "/tmp/x");
}

TEST_F(PodRun, PreStartHandlerRunsBeforeTheApp) {
  BuiltAci image = ctx.inspect_image("example.com/handlers", R"({"eventHandlers": [
      {"name": "pre-start", "exec": ["/inspect", "--write-file=/tmp/pre-start", "--content=ran"]}]})");
  ProcResult r = run_pod({image.path.string(), "--", "--read-file=/tmp/pre-start"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(value_of(r.out, "READ_FILE"), "ran") << r.out;

  BuiltAci failing = ctx.inspect_image("example.com/handlers-fail", R"({"eventHandlers": [
      {"name": "pre-start", "exec": ["/inspect", "--exit-code=3"]}]})");
  ProcResult f = run_pod({failing.path.string(), "--", "--print-hostname"});
  EXPECT_NE(f.exit_code, 0) << "a failing pre-start handler fails the app\n" << dump(f);
  EXPECT_FALSE(value_of(f.out, "HOSTNAME")) << "the app did not start\n" << f.out;
}

TEST_F(PodRun, PostStopHandlerRunsAfterTheApp) {
  BuiltAci image = ctx.inspect_image("example.com/post-stop", R"({"eventHandlers": [
      {"name": "post-stop", "exec": ["/inspect", "--write-file=/out/post-stop", "--content=ran"]}]})");
  fs::path out = ctx.scratch_path("out");
  fs::create_directories(out);
  ProcResult r = run_pod({"--volume=out,kind=host,source=" + out.string(), image.path.string(),
                          "--mount=volume=out,target=/out", "--", "--stat=/out/post-stop"});
  EXPECT_EQ(r.exit_code, 1) << "inspect's stat fails: the handler has not run yet\n" << dump(r);
  EXPECT_TRUE(value_of(r.out, "STAT_ERROR")) << r.out;
  EXPECT_EQ(read_text(out / "post-stop"), "ran");
}

TEST_F(PodRun, NoOverlay) {
  ProcResult r = inspect({"--no-overlay"}, {}, {"--write-file=/written", "--read-file=/written"});
  EXPECT_EQ(value_of(r.out, "READ_FILE"), "inspect") << r.out;
}

TEST_F(PodRun, PullPolicyNeverUsesOnlyTheStore) {
  ProcResult missing = run_pod({"--pull-policy=never", "example.com/inspect"});
  EXPECT_TRUE(IsRktError(missing));
  ctx.fetch_insecure(inspect_aci().path);
  ProcResult stored =
      ctx.run({"run", "--pull-policy=never", "example.com/inspect", "--", "--exit-code=2"});
  EXPECT_EQ(stored.exit_code, 2) << dump(stored);
  EXPECT_THAT(stored.err,
              HasSubstr("rkt: using image from local store for image name example.com/inspect"));
}

TEST_F(PodRun, PodManifest) {
  BuiltAci image = inspect_aci();
  ctx.fetch_insecure(image.path);
  nlohmann::json manifest = {
      {"acKind", "PodManifest"},
      {"acVersion", "0.8.11"},
      {"apps",
       {{{"name", "from-manifest"},
         {"image", {{"id", image.id}, {"name", "example.com/inspect"}}},
         {"app",
          {{"exec", {"/inspect", "--print-env=AC_APP_NAME", "--print-env=M", "--exit-code=6"}},
           {"user", "0"},
           {"group", "0"},
           {"environment", {{{"name", "M"}, {"value", "manifest"}}}}}}}}},
  };
  fs::path file = ctx.scratch_path("pod-manifest.json");
  std::ofstream(file) << manifest.dump();
  ProcResult r = ctx.run({"run", "--pod-manifest=" + file.string()});
  EXPECT_EQ(r.exit_code, 6) << dump(r);
  EXPECT_EQ(value_of(r.out, "AC_APP_NAME"), "from-manifest") << r.out;
  EXPECT_EQ(value_of(r.out, "M"), "manifest") << r.out;

  ProcResult both = ctx.run({"run", "--pod-manifest=" + file.string(), image.path.string()});
  EXPECT_TRUE(IsRktError(both)) << "--pod-manifest excludes images on the command line";
}

TEST_F(PodRun, Stage1Fly) {
  fs::path fly = stage1_image("fly");
  ProcResult r = run_pod({"--stage1-path=" + fly.string(), aci(), "--", "--print-hostname",
                          "--print-pid", "--exit-code=5"});
  EXPECT_EQ(r.exit_code, 5) << dump(r);
  EXPECT_EQ(value_of(r.out, "HOSTNAME"), host_hostname()) << "fly runs in the host's namespaces\n"
                                                          << r.out;
  EXPECT_NE(value_of(r.out, "PID"), "1") << r.out;
  EXPECT_NE(value_of(r.out, "PID"), "2") << "no PID namespace of its own\n" << r.out;
  EXPECT_THAT(r.err, HasSubstr("rkt: using image from file " + fly.string()));
}

TEST_F(PodRun, Stage1Selection) {
  fs::path fly = stage1_image("fly");
  ProcResult by_path = run_pod({"--stage1-path=" + fly.string(), aci(), "--", "--print-hostname"});
  ASSERT_TRUE(Succeeded(by_path));
  EXPECT_THAT(by_path.err, HasSubstr("rkt: using image from file " + fly.string()));
  EXPECT_EQ(value_of(by_path.out, "HOSTNAME"), host_hostname());

  // --stage1-from-dir takes a file name in the stage1 images directory (paths.d config).
  fs::path images_dir = ctx.scratch_path("stage1-images");
  fs::create_directories(images_dir);
  fs::copy_file(fly, images_dir / "my-fly.aci");
  fs::create_directories(ctx.local_config() / "paths.d");
  std::ofstream(ctx.local_config() / "paths.d" / "stage1.json")
      << R"({"rktKind": "paths", "rktVersion": "v1", "stage1-images": ")" << images_dir.string()
      << "\"}";
  ProcResult from_dir = run_pod({"--stage1-from-dir=my-fly.aci", aci(), "--", "--print-hostname"});
  ASSERT_TRUE(Succeeded(from_dir));
  EXPECT_THAT(from_dir.err,
              HasSubstr("rkt: using image from file " + (images_dir / "my-fly.aci").string()));
  EXPECT_EQ(value_of(from_dir.out, "HOSTNAME"), host_hostname());

  // The fly stage1 is in the store now: select it by ID and by name.
  ProcResult listed = ctx.run({"image", "list", "--no-legend", "--full", "--fields=id,name"});
  std::string fly_id;
  std::string fly_name;
  for (const std::string& line : lines(listed.out)) {
    if (!contains(line, "stage1-fly")) continue;
    std::istringstream fields(line);
    fields >> fly_id >> fly_name;
  }
  ASSERT_FALSE(fly_id.empty()) << listed.out;
  ProcResult by_hash = run_pod({"--stage1-hash=" + fly_id, aci(), "--", "--print-hostname"});
  ASSERT_TRUE(Succeeded(by_hash));
  EXPECT_EQ(value_of(by_hash.out, "HOSTNAME"), host_hostname()) << by_hash.out;
  EXPECT_THAT(by_hash.err, Not(HasSubstr("stage1-native"))) << by_hash.err;

  ProcResult by_name = run_pod({"--stage1-name=" + fly_name, aci(), "--", "--print-hostname"});
  ASSERT_TRUE(Succeeded(by_name));
  EXPECT_EQ(value_of(by_name.out, "HOSTNAME"), host_hostname()) << by_name.out;
  EXPECT_THAT(by_name.err,
              HasSubstr("rkt: using image from local store for image name " + fly_name));

  ProcResult two = run_pod({"--stage1-path=" + fly.string(), "--stage1-hash=" + fly_id, aci()});
  EXPECT_TRUE(IsRktError(two)) << "the --stage1-* flags are mutually exclusive";
}

}  // namespace
}  // namespace rkt::functional
