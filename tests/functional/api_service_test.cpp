// `rkt api-service` through a gRPC client built from the same proto: every PublicAPI method,
// follow-mode logs and events while pods start and exit, and the service run by a member of the
// `rkt` group. The one test file that includes grpc++.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <grpcpp/grpcpp.h>
#include <gmock/gmock.h>

#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "rkt_ctx.hpp"
#include "v1alpha/api.grpc.pb.h"

namespace rkt::functional {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Clock = std::chrono::system_clock;

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
}

/// A client context that gives up after `seconds`.
std::unique_ptr<grpc::ClientContext> context(int seconds = 60) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(Clock::now() + std::chrono::seconds(seconds));
  return ctx;
}

class ApiService : public ServiceTest {
 protected:
  /// Starts the service (as `user` if given) and connects a stub to it.
  void start_service(std::optional<Credentials> user = std::nullopt) {
    const int port = free_tcp_port();
    spawn_service({"api-service", "--listen=127.0.0.1:" + std::to_string(port)},
                  ProcOptions{.as_user = user});
    channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                  grpc::InsecureChannelCredentials());
    ASSERT_TRUE(channel->WaitForConnected(Clock::now() + std::chrono::seconds(30)))
        << "the API service never listened";
    stub = v1alpha::PublicAPI::NewStub(channel);
  }

  v1alpha::ListPodsResponse list_pods(const v1alpha::ListPodsRequest& request) {
    v1alpha::ListPodsResponse response;
    grpc::Status status = stub->ListPods(context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  v1alpha::ListImagesResponse list_images(const v1alpha::ListImagesRequest& request) {
    v1alpha::ListImagesResponse response;
    grpc::Status status = stub->ListImages(context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  /// A pod in the background whose app prints "first", waits for <gate>/open, prints
  /// "second" and exits.
  RunningPod start_gated_pod(const fs::path& gate) {
    fs::create_directories(gate);
    return start_pod({"--volume=gate,kind=host,source=" + gate.string(), inspect_aci().path.string(),
                      "--mount=volume=gate,target=/gate", "--exec=/bin/sh", "--", "-c",
                      "echo first; while [ ! -e /gate/open ]; do sleep 0.1; done; echo second"});
  }

  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1alpha::PublicAPI::Stub> stub;
};

std::vector<std::string> ids_of(const v1alpha::ListPodsResponse& response) {
  std::vector<std::string> ids;
  for (const auto& pod : response.pods()) ids.push_back(pod.id());
  return ids;
}

std::vector<std::string> ids_of(const v1alpha::ListImagesResponse& response) {
  std::vector<std::string> ids;
  for (const auto& image : response.images()) ids.push_back(image.id());
  return ids;
}

TEST_F(ApiService, GetInfoReportsVersionsAndFlags) {
  start_service();
  v1alpha::GetInfoResponse response;
  ASSERT_TRUE(stub->GetInfo(context().get(), {}, &response).ok());
  EXPECT_EQ(response.info().api_version(), "1.0.0-alpha");
  EXPECT_EQ(response.info().appc_version(), "0.8.11");
  EXPECT_FALSE(response.info().rkt_version().empty());
  EXPECT_EQ(response.info().global_flags().dir(), ctx.data_dir().string());
  EXPECT_EQ(response.info().global_flags().local_config_dir(), ctx.local_config().string());
}

TEST_F(ApiService, ListsAndInspectsImagesWithFilters) {
  const BuiltAci& image = inspect_aci();
  ctx.fetch_insecure(image.path);
  start_service();
  EXPECT_THAT(ids_of(list_images({})), ElementsAre(image.key()));

  auto filtered = [&](auto fill) {
    v1alpha::ListImagesRequest request;
    fill(*request.add_filters());
    return ids_of(list_images(request));
  };
  EXPECT_THAT(filtered([](auto& f) { f.add_prefixes("example.com/"); }), ElementsAre(image.key()));
  EXPECT_THAT(filtered([](auto& f) { f.add_base_names("inspect"); }), ElementsAre(image.key()));
  EXPECT_THAT(filtered([](auto& f) { f.add_keywords("nspe"); }), ElementsAre(image.key()));
  EXPECT_THAT(filtered([](auto& f) { f.add_full_names("example.com/inspect"); }),
              ElementsAre(image.key()));
  EXPECT_THAT(filtered([&](auto& f) { f.add_ids(image.key()); }), ElementsAre(image.key()));
  EXPECT_THAT(filtered([](auto& f) {
                auto* label = f.add_labels();
                label->set_key("os");
                label->set_value("linux");
              }),
              ElementsAre(image.key()));
  EXPECT_TRUE(filtered([](auto& f) { f.add_base_names("insp"); }).empty());
  EXPECT_TRUE(filtered([](auto& f) { f.set_imported_after(now_seconds() + 3600); }).empty());
  EXPECT_TRUE(filtered([](auto& f) {
                f.add_prefixes("example.com/");
                f.add_keywords("nomatch");
              }).empty());  // conditions AND

  v1alpha::ListImagesRequest detailed;
  detailed.set_detail(true);
  auto with_detail = list_images(detailed);
  ASSERT_EQ(with_detail.images_size(), 1);
  EXPECT_FALSE(with_detail.images(0).manifest().empty());
  EXPECT_TRUE(list_images({}).images(0).manifest().empty());

  v1alpha::InspectImageRequest inspect;
  inspect.set_id(image.key());
  v1alpha::InspectImageResponse inspected;
  ASSERT_TRUE(stub->InspectImage(context().get(), inspect, &inspected).ok());
  EXPECT_EQ(inspected.image().name(), "example.com/inspect");
  EXPECT_EQ(inspected.image().base_format().type(), v1alpha::IMAGE_TYPE_APPC);
  EXPECT_EQ(nlohmann::json::parse(inspected.image().manifest())["name"], "example.com/inspect");
  EXPECT_GT(inspected.image().size(), 0);
  EXPECT_GT(inspected.image().import_timestamp(), 0);

  inspect.set_id("sha512-0000000000000000");
  EXPECT_EQ(stub->InspectImage(context().get(), inspect, &inspected).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ApiService, ListsAndInspectsPodsWithFilters) {
  ProcResult done = run_pod({inspect_aci().path.string(), "--name=done", "--exec=/bin/sh", "--",
                             "-c", "exit 3"});
  ASSERT_EQ(done.exit_code, 3) << dump(done);
  RunningPod running = start_gated_pod(ctx.scratch() / "gate");
  start_service();

  auto all = list_pods({});
  ASSERT_EQ(all.pods_size(), 2);
  std::string exited_id;
  for (const auto& pod : all.pods()) {
    if (pod.id() != running.uuid) exited_id = pod.id();
  }
  auto by_state = [&](v1alpha::PodState state) {
    v1alpha::ListPodsRequest request;
    request.add_filters()->add_states(state);
    return ids_of(list_pods(request));
  };
  EXPECT_THAT(by_state(v1alpha::POD_STATE_RUNNING), ElementsAre(running.uuid));
  EXPECT_THAT(by_state(v1alpha::POD_STATE_EXITED), ElementsAre(exited_id));
  v1alpha::ListPodsRequest by_app;
  by_app.add_filters()->add_app_names("done");
  EXPECT_THAT(ids_of(list_pods(by_app)), ElementsAre(exited_id));
  v1alpha::ListPodsRequest either;  // filters OR
  either.add_filters()->add_ids(running.uuid);
  either.add_filters()->add_app_names("done");
  EXPECT_EQ(list_pods(either).pods_size(), 2);
  v1alpha::ListPodsRequest by_image;
  by_image.add_filters()->add_image_ids(inspect_aci().id);
  EXPECT_EQ(list_pods(by_image).pods_size(), 2);
  v1alpha::ListPodsRequest no_match;
  no_match.add_filters()->add_app_names("nosuchapp");
  EXPECT_TRUE(list_pods(no_match).pods().empty());

  // Without detail: ids and states, apps by name and image id; with detail: manifests.
  for (const auto& pod : all.pods()) EXPECT_TRUE(pod.manifest().empty());
  v1alpha::ListPodsRequest detailed;
  detailed.set_detail(true);
  auto with_detail = list_pods(detailed);
  for (const auto& pod : with_detail.pods()) EXPECT_FALSE(pod.manifest().empty());

  v1alpha::InspectPodRequest inspect;
  inspect.set_id(exited_id);
  v1alpha::InspectPodResponse inspected;
  ASSERT_TRUE(stub->InspectPod(context().get(), inspect, &inspected).ok());
  const v1alpha::Pod& pod = inspected.pod();
  EXPECT_EQ(pod.state(), v1alpha::POD_STATE_EXITED);
  EXPECT_GT(pod.created_at(), 0);
  EXPECT_GT(pod.started_at(), 0);
  EXPECT_GT(pod.pid(), 0);
  ASSERT_EQ(pod.apps_size(), 1);
  EXPECT_EQ(pod.apps(0).name(), "done");
  EXPECT_EQ(pod.apps(0).state(), v1alpha::APP_STATE_EXITED);
  EXPECT_EQ(pod.apps(0).exit_code(), 3);
  EXPECT_EQ(pod.apps(0).image().name(), "example.com/inspect");
  EXPECT_EQ(nlohmann::json::parse(pod.manifest())["apps"][0]["name"], "done");

  inspect.set_id(running.uuid);
  ASSERT_TRUE(stub->InspectPod(context().get(), inspect, &inspected).ok());
  EXPECT_EQ(inspected.pod().state(), v1alpha::POD_STATE_RUNNING);
  EXPECT_EQ(inspected.pod().apps(0).state(), v1alpha::APP_STATE_RUNNING);

  inspect.set_id("00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(stub->InspectPod(context().get(), inspect, &inspected).error_code(),
            grpc::StatusCode::NOT_FOUND);

  std::ofstream(ctx.scratch() / "gate" / "open").put('\n');
  running.rkt.wait();
}

std::vector<std::string> read_all_lines(v1alpha::PublicAPI::Stub& stub,
                                        const v1alpha::GetLogsRequest& request,
                                        grpc::Status* status = nullptr) {
  auto ctx = context();
  auto reader = stub.GetLogs(ctx.get(), request);
  std::vector<std::string> lines;
  v1alpha::GetLogsResponse response;
  while (reader->Read(&response)) {
    for (const auto& line : response.lines()) lines.push_back(line);
  }
  grpc::Status finished = reader->Finish();
  if (status) *status = finished;
  return lines;
}

TEST_F(ApiService, GetLogsReturnsLinesAndTheLastN) {
  ProcResult r = run_pod({"--uuid-file-save=" + (ctx.scratch() / "uuid").string(),
                          inspect_aci().path.string(), "--exec=/bin/sh", "--", "-c",
                          "echo one; echo two; echo three"});
  ASSERT_EQ(r.exit_code, 0) << dump(r);
  std::string uuid;
  std::ifstream(ctx.scratch() / "uuid") >> uuid;
  start_service();

  v1alpha::GetLogsRequest request;
  request.set_pod_id(uuid);
  EXPECT_THAT(read_all_lines(*stub, request), ElementsAre("one", "two", "three"));
  request.set_lines(2);
  EXPECT_THAT(read_all_lines(*stub, request), ElementsAre("two", "three"));
  request.set_lines(0);
  request.set_app_name("inspect");
  EXPECT_THAT(read_all_lines(*stub, request), ElementsAre("one", "two", "three"));

  // The logs were written before now: nothing since a future time, nothing until the epoch.
  request.set_since_time(now_seconds() + 3600);
  EXPECT_TRUE(read_all_lines(*stub, request).empty());
  request.set_since_time(0);
  request.set_until_time(1);
  EXPECT_TRUE(read_all_lines(*stub, request).empty());
  request.set_until_time(now_seconds() + 3600);
  EXPECT_EQ(read_all_lines(*stub, request).size(), 3u);

  grpc::Status status;
  request.set_app_name("nosuchapp");
  read_all_lines(*stub, request, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ApiService, GetLogsFollowsARunningPodUntilItExits) {
  const fs::path gate = ctx.scratch() / "gate";
  RunningPod pod = start_gated_pod(gate);
  start_service();

  v1alpha::GetLogsRequest request;
  request.set_pod_id(pod.uuid);
  request.set_follow(true);
  auto call = context(120);
  auto reader = stub->GetLogs(call.get(), request);
  std::vector<std::string> lines;
  v1alpha::GetLogsResponse response;
  while (lines.empty() && reader->Read(&response)) {
    for (const auto& line : response.lines()) lines.push_back(line);
  }
  ASSERT_THAT(lines, ElementsAre("first"));
  std::ofstream(gate / "open").put('\n');  // the app prints "second" and exits
  while (reader->Read(&response)) {
    for (const auto& line : response.lines()) lines.push_back(line);
  }
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_THAT(lines, ElementsAre("first", "second"));
  pod.rkt.wait();
}

/// Reads events until `done` says so; returns them all.
std::vector<v1alpha::Event> read_events(
    grpc::ClientReader<v1alpha::ListenEventsResponse>& reader,
    const std::function<bool(const std::vector<v1alpha::Event>&)>& done) {
  std::vector<v1alpha::Event> events;
  v1alpha::ListenEventsResponse response;
  while (!done(events) && reader.Read(&response)) {
    for (const auto& event : response.events()) events.push_back(event);
  }
  return events;
}

bool has_event(const std::vector<v1alpha::Event>& events, v1alpha::EventType type,
               const std::string& id) {
  return std::any_of(events.begin(), events.end(),
                     [&](const auto& e) { return e.type() == type && e.id() == id; });
}

TEST_F(ApiService, ListenEventsReportsPodsAndImagesAsTheyChange) {
  start_service();
  v1alpha::ListenEventsRequest request;
  auto call = context(120);
  auto reader = stub->ListenEvents(call.get(), request);

  // An image import, then a pod that runs and exits, then gc and image removal.
  std::string key = inspect_aci().key();
  ctx.fetch_insecure(inspect_aci().path);
  auto events = read_events(*reader, [&](auto& seen) {
    return has_event(seen, v1alpha::EVENT_TYPE_IMAGE_IMPORTED, key);
  });
  ASSERT_TRUE(has_event(events, v1alpha::EVENT_TYPE_IMAGE_IMPORTED, key));

  fs::path uuid_file = ctx.scratch() / "uuid";
  ProcResult r = run_pod({"--uuid-file-save=" + uuid_file.string(), inspect_aci().path.string(),
                          "--name=shortlived", "--exec=/bin/sh", "--", "-c", "exit 7"});
  ASSERT_EQ(r.exit_code, 7) << dump(r);
  std::string uuid;
  std::ifstream(uuid_file) >> uuid;
  events = read_events(*reader, [&](auto& seen) {
    return has_event(seen, v1alpha::EVENT_TYPE_POD_EXITED, uuid);
  });
  for (auto type : {v1alpha::EVENT_TYPE_POD_PREPARED, v1alpha::EVENT_TYPE_POD_STARTED,
                    v1alpha::EVENT_TYPE_APP_STARTED, v1alpha::EVENT_TYPE_APP_EXITED,
                    v1alpha::EVENT_TYPE_POD_EXITED}) {
    EXPECT_TRUE(has_event(events, type, uuid)) << v1alpha::EventType_Name(type);
  }
  for (const auto& event : events) {
    if (event.type() != v1alpha::EVENT_TYPE_APP_EXITED) continue;
    EXPECT_EQ(event.from(), "shortlived");
    ASSERT_EQ(event.data_size(), 1);
    EXPECT_EQ(event.data(0).key(), "exit_code");
    EXPECT_EQ(event.data(0).value(), "7");
    EXPECT_GT(event.time(), 0);
  }

  ASSERT_EQ(ctx.run({"gc", "--grace-period=0s"}).exit_code, 0);
  ASSERT_EQ(ctx.run({"image", "rm", key}).exit_code, 0);
  events = read_events(*reader, [&](auto& seen) {
    return has_event(seen, v1alpha::EVENT_TYPE_POD_GARBAGE_COLLECTED, uuid) &&
           has_event(seen, v1alpha::EVENT_TYPE_IMAGE_REMOVED, key);
  });
  EXPECT_TRUE(has_event(events, v1alpha::EVENT_TYPE_POD_GARBAGE_COLLECTED, uuid));
  EXPECT_TRUE(has_event(events, v1alpha::EVENT_TYPE_IMAGE_REMOVED, key));
  call->TryCancel();
  reader->Finish();

  // A filtered listener asking for the past gets the recorded events of that kind only.
  v1alpha::ListenEventsRequest past;
  past.mutable_filter()->set_since_time(1);
  past.mutable_filter()->add_types(v1alpha::EVENT_TYPE_APP_EXITED);
  past.mutable_filter()->set_until_time(now_seconds() + 1);
  auto past_call = context(60);
  auto past_reader = stub->ListenEvents(past_call.get(), past);
  auto replayed = read_events(*past_reader, [](auto&) { return false; });  // ends at until_time
  EXPECT_TRUE(past_reader->Finish().ok());
  ASSERT_EQ(replayed.size(), 1u);
  EXPECT_EQ(replayed[0].type(), v1alpha::EVENT_TYPE_APP_EXITED);
  EXPECT_EQ(replayed[0].id(), uuid);
}

TEST_F(ApiService, RunsForMembersOfTheRktGroup) {
  const BuiltAci& image = inspect_aci();
  ctx.fetch_insecure(image.path);
  fs::path uuid_file = ctx.scratch() / "uuid";
  ProcResult done = run_pod({"--uuid-file-save=" + uuid_file.string(), image.path.string(),
                             "--exec=/bin/sh", "--", "-c", "echo from the pod"});
  ASSERT_EQ(done.exit_code, 0) << dump(done);
  std::string uuid;
  std::ifstream(uuid_file) >> uuid;
  start_service(rkt_group_user());
  v1alpha::GetInfoResponse info;
  EXPECT_TRUE(stub->GetInfo(context().get(), {}, &info).ok());
  EXPECT_THAT(ids_of(list_images({})), Contains(image.key()));

  // pods/ is the rkt group's (02750, as rkt's setup-data-dir.sh made it): pods, their apps'
  // states and their logs are the group's to read.
  v1alpha::ListPodsRequest detailed;
  detailed.set_detail(true);
  auto pods = list_pods(detailed);
  ASSERT_EQ(pods.pods_size(), 1);
  EXPECT_EQ(pods.pods(0).id(), uuid);
  EXPECT_EQ(pods.pods(0).state(), v1alpha::POD_STATE_EXITED);
  EXPECT_FALSE(pods.pods(0).manifest().empty());
  v1alpha::InspectPodRequest inspect;
  inspect.set_id(uuid);
  v1alpha::InspectPodResponse inspected;
  grpc::Status status = stub->InspectPod(context().get(), inspect, &inspected);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(inspected.pod().apps_size(), 1);
  EXPECT_EQ(inspected.pod().apps(0).state(), v1alpha::APP_STATE_EXITED);
  EXPECT_EQ(inspected.pod().apps(0).exit_code(), 0);
  v1alpha::GetLogsRequest logs;
  logs.set_pod_id(uuid);
  EXPECT_THAT(read_all_lines(*stub, logs, &status), ElementsAre("from the pod"))
      << status.error_message();
}

TEST_F(ApiService, ListenAndSocketActivationTogetherAreAnError) {
  ProcResult r = ctx.run({"api-service", "--listen=127.0.0.1:" + std::to_string(free_tcp_port())},
                         ProcOptions{.extra_env = {"LISTEN_FDS=1"}});
  EXPECT_TRUE(IsRktError(r)) << dump(r);
  EXPECT_THAT(r.err, HasSubstr("socket activation"));
}

}  // namespace
}  // namespace rkt::functional
