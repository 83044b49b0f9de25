// The pod commands around `rkt run`: prepare and run-prepared, list, status, cat-manifest, export,
// enter, stop, rm, gc (with the seed's exact report) and logs.

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

std::vector<std::string> words(std::string_view line) {
  std::istringstream in{std::string(line)};
  std::vector<std::string> out;
  std::string word;
  while (in >> word) out.push_back(word);
  return out;
}

class PodLifecycle : public PodTest {
 protected:
  std::string aci() { return inspect_aci().path.string(); }

  /// Runs one pod to its end with `inspect_args`; returns its UUID.
  std::string run_to_exit(const std::vector<std::string>& inspect_args, int expected_exit = 0) {
    fs::path uuid_file = ctx.scratch_path("uuid");
    std::vector<std::string> args = {"--uuid-file-save=" + uuid_file.string(), aci(), "--"};
    args.insert(args.end(), inspect_args.begin(), inspect_args.end());
    ProcResult r = run_pod(args);
    EXPECT_EQ(r.exit_code, expected_exit) << dump(r);
    std::ifstream in(uuid_file);
    std::string uuid;
    std::getline(in, uuid);
    return uuid;
  }
};

TEST_F(PodLifecycle, PrepareThenRunPrepared) {
  ProcResult prepared = ctx.run(
      {"--insecure-options=image", "prepare", aci(), "--", "--print-hostname", "--exit-code=4"});
  ASSERT_TRUE(Succeeded(prepared));
  ASSERT_EQ(lines(prepared.out).size(), 1u) << "prepare prints the UUID alone\n" << dump(prepared);
  std::string uuid = lines(prepared.out).front();
  ASSERT_TRUE(is_uuid(uuid)) << uuid;

  ProcResult status = ctx.run({"status", uuid});
  EXPECT_EQ(value_of(status.out, "state"), "prepared") << status.out;
  EXPECT_EQ(value_of(status.out, "exited"), "false") << status.out;
  EXPECT_EQ(ctx.pod_state_dir(uuid), "prepared");

  ProcResult ran = ctx.run({"run-prepared", uuid.substr(0, 8)});
  EXPECT_EQ(ran.exit_code, 4) << dump(ran);
  EXPECT_EQ(value_of(ran.out, "HOSTNAME"), "rkt-" + uuid) << ran.out;
  status = ctx.run({"status", uuid});
  EXPECT_EQ(value_of(status.out, "state"), "exited") << status.out;
  EXPECT_EQ(value_of(status.out, "app-inspect"), "4") << status.out;

  EXPECT_TRUE(IsRktError(ctx.run({"run-prepared", uuid}))) << "a pod runs once";
}

TEST_F(PodLifecycle, PrepareQuiet) {
  ProcResult r = ctx.run({"--insecure-options=image", "prepare", "--quiet", aci()});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(lines(r.out).size(), 1u) << dump(r);
  EXPECT_TRUE(is_uuid(last_line(r.out))) << r.out;
}

TEST_F(PodLifecycle, ListColumnsAndFormats) {
  std::string uuid = run_to_exit({"--exit-code=0"});
  ASSERT_TRUE(is_uuid(uuid));

  ProcResult list = ctx.run({"list"});
  ASSERT_TRUE(Succeeded(list));
  auto rows = lines(list.out);
  ASSERT_EQ(rows.size(), 2u) << list.out;
  EXPECT_EQ(words(rows[0]),
            (std::vector<std::string>{"UUID", "APP", "IMAGE", "NAME", "STATE", "NETWORKS"}));
  EXPECT_EQ(words(rows[1]), (std::vector<std::string>{uuid.substr(0, 8), "inspect",
                                                      "example.com/inspect", "exited"}));

  ProcResult full = ctx.run({"list", "--full"});
  ASSERT_TRUE(Succeeded(full));
  rows = lines(full.out);
  ASSERT_EQ(rows.size(), 2u) << full.out;
  EXPECT_EQ(words(rows[0]), (std::vector<std::string>{"UUID", "APP", "IMAGE", "NAME", "IMAGE", "ID",
                                                      "STATE", "CREATED", "STARTED", "NETWORKS"}));
  auto cells = words(rows[1]);
  ASSERT_GE(cells.size(), 5u) << rows[1];
  EXPECT_EQ(cells[0], uuid);
  EXPECT_EQ(cells[3], inspect_aci().list_id());
  EXPECT_EQ(cells[4], "exited");

  ProcResult bare = ctx.run({"list", "--no-legend"});
  ASSERT_EQ(lines(bare.out).size(), 1u) << bare.out;
  EXPECT_EQ(words(lines(bare.out)[0])[0], uuid.substr(0, 8));

  ProcResult json = ctx.run({"list", "--format=json"});
  ASSERT_TRUE(Succeeded(json));
  auto pods = nlohmann::json::parse(json.out);
  ASSERT_EQ(pods.size(), 1u) << json.out;
  EXPECT_EQ(pods[0]["name"], uuid);
  EXPECT_EQ(pods[0]["state"], "exited");
  EXPECT_EQ(pods[0]["app_names"], nlohmann::json::array({"inspect"}));
  EXPECT_EQ(pods[0]["apps"][0]["exit_code"], 0);
  EXPECT_EQ(pods[0]["apps"][0]["image_id"], inspect_aci().key());

  ProcResult pretty = ctx.run({"list", "--format=json-pretty"});
  ASSERT_TRUE(Succeeded(pretty));
  EXPECT_EQ(nlohmann::json::parse(pretty.out), pods);
  EXPECT_GT(lines(pretty.out).size(), 3u) << "json-pretty is indented";
}

TEST_F(PodLifecycle, StatusOfARunningAndAnExitedPod) {
  RunningPod pod = start_pod({aci(), "--", "--sleep=1"});
  ProcResult running = ctx.run({"status", pod.uuid});
  ASSERT_TRUE(Succeeded(running));
  EXPECT_EQ(value_of(running.out, "state"), "running") << running.out;
  EXPECT_EQ(value_of(running.out, "exited"), "false") << running.out;
  std::string pid = value_of(running.out, "pid").value_or("");
  ASSERT_FALSE(pid.empty()) << running.out;
  EXPECT_TRUE(fs::exists("/proc/" + pid)) << "pid is a live host process: " << pid;
  EXPECT_FALSE(value_of(running.out, "app-inspect")) << "no exit status yet\n" << running.out;
  EXPECT_THAT(ctx.run({"list", "--no-legend"}).out, HasSubstr("running"));

  ProcResult waited = ctx.run({"status", "--wait=true", pod.uuid});
  ASSERT_TRUE(Succeeded(waited));
  EXPECT_EQ(value_of(waited.out, "state"), "exited") << waited.out;
  EXPECT_EQ(value_of(waited.out, "exited"), "true") << waited.out;
  EXPECT_EQ(value_of(waited.out, "app-inspect"), "0") << waited.out;
  EXPECT_TRUE(value_of(waited.out, "created")) << waited.out;
  EXPECT_TRUE(value_of(waited.out, "started")) << waited.out;
  // As rkt's documentation shows: an exited pod still reports the pid it ran as.
  EXPECT_EQ(value_of(waited.out, "pid"), pid) << waited.out;
  EXPECT_EQ(pod.rkt.wait().exit_code, 0);

  ProcResult json = ctx.run({"status", "--format=json", pod.uuid});
  ASSERT_TRUE(Succeeded(json));
  EXPECT_EQ(nlohmann::json::parse(json.out)["state"], "exited") << json.out;
}

TEST_F(PodLifecycle, StatusWaitAndWaitReadyAsBareFlags) {
  // rkt's documented spelling: `rkt status --wait UUID`; the bare flag means "true".
  RunningPod pod = start_pod({aci(), "--", "--sleep=0.5"});
  ProcResult ready = ctx.run({"status", "--wait-ready", pod.uuid});
  EXPECT_TRUE(Succeeded(ready));
  ProcResult waited = ctx.run({"status", "--wait", pod.uuid});
  EXPECT_TRUE(Succeeded(waited));
  EXPECT_EQ(value_of(waited.out, "app-inspect"), "0") << waited.out;
}

TEST_F(PodLifecycle, StatusWaitGivesUpAfterItsLimit) {
  RunningPod pod = start_pod({aci(), "--", "--sleep=30"});
  auto started = std::chrono::steady_clock::now();
  ProcResult r = ctx.run({"status", "--wait=300ms", pod.uuid});
  EXPECT_TRUE(IsRktError(r));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST_F(PodLifecycle, CatManifest) {
  std::string uuid = run_to_exit({"--print-hostname"});
  ProcResult r = ctx.run({"cat-manifest", uuid.substr(0, 8)});
  ASSERT_TRUE(Succeeded(r));
  auto manifest = nlohmann::json::parse(r.out);
  EXPECT_EQ(manifest["acKind"], "PodManifest");
  ASSERT_EQ(manifest["apps"].size(), 1u);
  EXPECT_EQ(manifest["apps"][0]["name"], "inspect");
  EXPECT_EQ(manifest["apps"][0]["image"]["id"], inspect_aci().id);
  EXPECT_EQ(manifest["apps"][0]["app"]["exec"],
            nlohmann::json::array({"/inspect", "--print-hostname"}));
  EXPECT_GT(lines(r.out).size(), 5u) << "pretty-printed by default";
}

TEST_F(PodLifecycle, ExportPassesActoolValidate) {
  std::string uuid = run_to_exit({"--write-file=/exported-file", "--content=made in the pod"});
  fs::path out = ctx.scratch_path("exported.aci");
  ProcResult r = ctx.run({"export", uuid, out.string()});
  ASSERT_TRUE(Succeeded(r));
  ProcResult validate = run_process({"actool", "validate", out.string()});
  EXPECT_TRUE(Succeeded(validate)) << "actool validate";
  ProcResult content = run_process({"tar", "-xOf", out.string(), "rootfs/exported-file"});
  EXPECT_EQ(content.out, "made in the pod") << dump(content);
  EXPECT_EQ(run_process({"tar", "-xOf", out.string(), "rootfs/inspect"}).exit_code, 0)
      << "the image's files are there too";

  EXPECT_TRUE(IsRktError(ctx.run({"export", uuid, out.string()})))
      << "an existing file is not overwritten without --overwrite";
  EXPECT_TRUE(Succeeded(ctx.run({"export", "--overwrite", uuid, out.string()})));
}

TEST_F(PodLifecycle, EnterRunsInThePod) {
  RunningPod pod = start_pod({aci(), "--", "--sleep=30"});
  ProcResult r = ctx.run({"enter", pod.uuid, "/inspect", "--print-hostname", "--print-pid",
                          "--print-env=AC_APP_NAME"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(value_of(r.out, "HOSTNAME"), "rkt-" + pod.uuid) << r.out;
  EXPECT_EQ(value_of(r.out, "AC_APP_NAME"), "inspect") << r.out;
  EXPECT_LT(std::stoi(value_of(r.out, "PID").value_or("99999")), 100)
      << "in the pod's PID namespace\n"
      << r.out;

  ProcResult code = ctx.run({"enter", "--app=inspect", pod.uuid, "/inspect", "--exit-code=5"});
  EXPECT_EQ(code.exit_code, 5) << "enter returns the command's exit code\n" << dump(code);
}

TEST_F(PodLifecycle, EnterNeedsAppWhenThePodHasSeveral) {
  RunningPod pod = start_pod(
      {aci(), "--name=a", "--", "--sleep=30", "---", aci(), "--name=b", "--", "--sleep=30"});
  EXPECT_TRUE(IsRktError(ctx.run({"enter", pod.uuid, "/inspect"})));
  ProcResult r = ctx.run({"enter", "--app=b", pod.uuid, "/inspect", "--print-env=AC_APP_NAME"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(value_of(r.out, "AC_APP_NAME"), "b") << r.out;
}

TEST_F(PodLifecycle, StopEndsThePodWithSigterm) {
  RunningPod pod = start_pod({aci(), "--", "--sleep=30"});
  ProcResult stop = ctx.run({"stop", pod.uuid});
  ASSERT_TRUE(Succeeded(stop));
  EXPECT_EQ(lines(stop.out), std::vector<std::string>{"\"" + pod.uuid + "\""});
  ProcResult status = ctx.run({"status", "--wait=10s", pod.uuid});
  EXPECT_EQ(value_of(status.out, "app-inspect"), "143") << status.out;
  EXPECT_EQ(pod.rkt.wait().exit_code, 143);

  EXPECT_TRUE(IsRktError(ctx.run({"stop", pod.uuid}))) << "the pod is not running any more";
}

TEST_F(PodLifecycle, StopForceKills) {
  // A shell that ignores SIGTERM: only --force ends it at once.
  RunningPod pod =
      start_pod({aci(), "--exec=/bin/sh", "--", "-c", "trap '' TERM; while :; do sleep 1; done"});
  fs::path uuid_file = ctx.scratch_path("uuid");
  std::ofstream(uuid_file) << pod.uuid << "\n";
  auto started = std::chrono::steady_clock::now();
  ProcResult stop = ctx.run({"stop", "--force", "--uuid-file=" + uuid_file.string()});
  ASSERT_TRUE(Succeeded(stop));
  ProcResult exited = pod.rkt.wait();
  EXPECT_EQ(exited.exit_code, 137) << dump(exited);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  ProcResult status = ctx.run({"status", pod.uuid});
  EXPECT_EQ(value_of(status.out, "state"), "exited") << status.out;
}

TEST_F(PodLifecycle, RmRemovesAnExitedPodAndRefusesARunningOne) {
  std::string exited = run_to_exit({});
  ProcResult rm = ctx.run({"rm", exited});
  ASSERT_TRUE(Succeeded(rm));
  EXPECT_EQ(lines(rm.out), std::vector<std::string>{"\"" + exited + "\""});
  EXPECT_EQ(ctx.pod_state_dir(exited), "") << "the pod directory is gone";

  RunningPod running = start_pod({aci(), "--", "--sleep=30"});
  ProcResult refused = ctx.run({"rm", running.uuid});
  EXPECT_EQ(refused.exit_code, k_rkt_error) << dump(refused);
  EXPECT_THAT(refused.err, HasSubstr("running"));
  EXPECT_EQ(ctx.pod_state_dir(running.uuid), "run");

  ProcResult prepared = ctx.run({"--insecure-options=image", "prepare", "--quiet", aci()});
  std::string prepared_uuid = last_line(prepared.out);
  EXPECT_TRUE(Succeeded(ctx.run({"rm", prepared_uuid})));
  EXPECT_EQ(ctx.pod_state_dir(prepared_uuid), "");
}

TEST_F(PodLifecycle, GcReportsAsTheSeed) {
  std::vector<std::string> uuids = {run_to_exit({}), run_to_exit({})};
  std::sort(uuids.begin(), uuids.end());

  ProcResult mark = ctx.run({"gc"});
  ASSERT_TRUE(Succeeded(mark));
  std::vector<std::string> expected;
  for (const auto& uuid : uuids) expected.push_back("Moving pod \"" + uuid + "\" to garbage");
  for (const auto& uuid : uuids) {
    expected.push_back("Pod \"" + uuid + "\" not removed: still within grace period (30m0s)");
  }
  EXPECT_EQ(lines(mark.out), expected) << dump(mark);
  EXPECT_EQ(ctx.pod_state_dir(uuids[0]), "exited-garbage");
  ProcResult list = ctx.run({"list", "--no-legend"});
  EXPECT_THAT(list.out, HasSubstr("exited garbage"));

  ProcResult collect = ctx.run({"gc", "--grace-period=0s"});
  ASSERT_TRUE(Succeeded(collect));
  expected.clear();
  for (const auto& uuid : uuids) expected.push_back("Garbage collecting pod \"" + uuid + "\"");
  EXPECT_EQ(lines(collect.out), expected) << dump(collect);
  EXPECT_TRUE(ctx.pod_uuids().empty());
  EXPECT_EQ(lines(ctx.run({"list", "--no-legend"}).out), std::vector<std::string>{});
}

TEST_F(PodLifecycle, GcKeepsRunningPods) {
  RunningPod pod = start_pod({aci(), "--", "--sleep=30"});
  ProcResult gc = ctx.run({"gc", "--grace-period=0s"});
  ASSERT_TRUE(Succeeded(gc));
  EXPECT_THAT(gc.out, Not(HasSubstr(pod.uuid)));
  EXPECT_EQ(ctx.pod_state_dir(pod.uuid), "run");
}

TEST_F(PodLifecycle, Logs) {
  // stdout and stderr come through separate pipes, so the app pauses between streams to make the
  // order it wrote in the order the log can show.
  fs::path uuid_file = ctx.scratch_path("uuid");
  ProcResult r =
      run_pod({"--uuid-file-save=" + uuid_file.string(), aci(), "--name=first", "--exec=/bin/sh",
               "--", "-c", "echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three", "---", aci(),
               "--name=second", "--exec=/bin/sh", "--", "-c", "sleep 0.3; echo four"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_THAT(r.out, HasSubstr("one\n"));
  EXPECT_THAT(r.err, HasSubstr("two\n")) << "the app's stderr reaches rkt's stderr";
  std::string uuid;
  std::ifstream(uuid_file) >> uuid;

  ProcResult first = ctx.run({"logs", "--app=first", uuid});
  ASSERT_TRUE(Succeeded(first));
  EXPECT_EQ(lines(first.out), (std::vector<std::string>{"one", "two", "three"}));

  ProcResult last = ctx.run({"logs", "--app=first", "--lines=1", uuid});
  EXPECT_EQ(lines(last.out), std::vector<std::string>{"three"});

  ProcResult all = ctx.run({"logs", uuid});
  ASSERT_TRUE(Succeeded(all));
  EXPECT_EQ(lines(all.out),
            (std::vector<std::string>{"first: one", "first: two", "first: three", "second: four"}));

  EXPECT_TRUE(IsRktError(ctx.run({"logs", "--app=nope", uuid})));
}

}  // namespace
}  // namespace rkt::functional
