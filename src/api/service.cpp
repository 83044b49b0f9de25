// The gRPC side of the API service: the one translation unit that includes grpc++.
#include "api/service.hpp"

#include <grpcpp/grpcpp.h>
#include <grpcpp/server_posix.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <streambuf>
#include <thread>

#include "api/event_hub.hpp"
#include "api/image_message.hpp"
#include "api/pod_message.hpp"
#include "appc/types.hpp"
#include "pod/logs.hpp"
#include "pod/pod_list.hpp"
#include "store/image_store.hpp"
#include "sys/service_signals.hpp"
#include "sys/systemd.hpp"
#include "util/log.hpp"
#include "v1alpha/api.grpc.pb.h"

namespace rkt::api {

namespace {

using grpc::ServerContext;
using grpc::Status;
using grpc::StatusCode;
using Clock = std::chrono::system_clock;

constexpr auto k_stream_check = std::chrono::milliseconds(500);

Status status_of(const Error& error) {
  if (error.sys_errno == EACCES || error.sys_errno == EPERM) {
    return Status(StatusCode::PERMISSION_DENIED, error.message);
  }
  switch (error.kind) {
    case ErrorKind::not_found:
      return Status(StatusCode::NOT_FOUND, error.message);
    case ErrorKind::invalid_argument:
      return Status(StatusCode::INVALID_ARGUMENT, error.message);
    case ErrorKind::permission:
      return Status(StatusCode::PERMISSION_DENIED, error.message);
    default:
      return Status(StatusCode::INTERNAL, error.message);
  }
}

int64_t seconds(Clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

/// Collects read_logs' output into lines, each stamped with when it was written (as far as the
/// service knows), and hands batches to `send` at every flush.
class LineSink : public std::streambuf {
 public:
  using Send = std::function<bool(const std::vector<std::string>&)>;
  LineSink(int64_t since, int64_t until, int64_t existing_time, Send send)
      : m_since(since), m_until(until), m_existing_time(existing_time), m_send(std::move(send)) {}

  /// From now on lines are new: stamped when they arrive.
  void caught_up() { m_caught_up = true; }
  bool failed() const { return m_failed; }

 protected:
  int_type overflow(int_type c) override {
    if (c == traits_type::eof()) return traits_type::not_eof(c);
    if (c == '\n') {
      int64_t stamp = m_caught_up ? seconds(Clock::now()) : m_existing_time;
      bool in_range = (m_since == 0 || stamp >= m_since) && (m_until == 0 || stamp <= m_until);
      if (in_range) m_batch.push_back(std::move(m_line));
      m_line.clear();
    } else {
      m_line.push_back(static_cast<char>(c));
    }
    return c;
  }
  int sync() override {
    if (!m_batch.empty() && !m_failed) m_failed = !m_send(m_batch);
    m_batch.clear();
    return 0;
  }

 private:
  int64_t m_since, m_until, m_existing_time;
  Send m_send;
  bool m_caught_up = false;
  bool m_failed = false;
  std::string m_line;
  std::vector<std::string> m_batch;
};

/// The newest mtime of the apps' log files: the latest time their existing lines can date from.
int64_t newest_log_time(const pod::Pod& pod, const std::vector<std::string>& apps) {
  int64_t newest = 0;
  for (const auto& app : apps) {
    for (const auto& path : {pod.paths().app_log(app), pod.paths().app_log(app + ".1")}) {
      struct stat st {};
      if (::stat(path.c_str(), &st) == 0) newest = std::max<int64_t>(newest, st.st_mtim.tv_sec);
    }
  }
  return newest ? newest : seconds(Clock::now());
}

bool event_matches(const Event& event, const v1alpha::EventFilter& filter) {
  auto type = static_cast<v1alpha::EventType>(static_cast<int>(event.type));
  return (filter.types().empty() ||
          std::find(filter.types().begin(), filter.types().end(), type) != filter.types().end()) &&
         (filter.ids().empty() ||
          std::find(filter.ids().begin(), filter.ids().end(), event.id) != filter.ids().end()) &&
         (filter.names().empty() || std::find(filter.names().begin(), filter.names().end(),
                                              event.from) != filter.names().end()) &&
         (filter.since_time() == 0 || event.time >= filter.since_time()) &&
         (filter.until_time() == 0 || event.time <= filter.until_time());
}

class PublicApi final : public v1alpha::PublicAPI::Service {
 public:
  PublicApi(const ServiceOptions& options, store::ImageStore store)
      : m_options(options),
        m_pods(options.data_dir),
        m_store(std::move(store)),
        m_events(m_pods, [this] { return image_names(); }) {}

  void stop() { m_stopping = true; }

  Status GetInfo(ServerContext*, const v1alpha::GetInfoRequest*,
                 v1alpha::GetInfoResponse* response) override {
    v1alpha::Info* info = response->mutable_info();
    info->set_rkt_version(m_options.rkt_version);
    info->set_appc_version(appc::k_ac_version);
    info->set_api_version(k_api_version);
    v1alpha::GlobalFlags* flags = info->mutable_global_flags();
    flags->set_dir(m_options.data_dir.string());
    flags->set_system_config_dir(m_options.system_config_dir);
    flags->set_local_config_dir(m_options.local_config_dir);
    flags->set_user_config_dir(m_options.user_config_dir);
    flags->set_insecure_flags(m_options.insecure_flags);
    flags->set_trust_keys_from_https(m_options.trust_keys_from_https);
    return Status::OK;
  }

  Status ListPods(ServerContext*, const v1alpha::ListPodsRequest* request,
                  v1alpha::ListPodsResponse* response) override {
    auto pods = pod::list_pods(m_pods);
    if (!pods) return status_of(pods.error());
    for (const auto& pod : *pods) {
      v1alpha::Pod full = pod_message(pod, PodDetail::full);
      if (!matches_any(full, request->filters())) continue;
      *response->add_pods() =
          request->detail() ? std::move(full) : pod_message(pod, PodDetail::basic);
    }
    return Status::OK;
  }

  Status InspectPod(ServerContext*, const v1alpha::InspectPodRequest* request,
                    v1alpha::InspectPodResponse* response) override {
    if (request->id().empty()) return Status(StatusCode::INVALID_ARGUMENT, "no pod id given");
    auto pod = pod::Pod::find(m_pods, request->id());
    if (!pod) return status_of(pod.error());
    *response->mutable_pod() = pod_message(*pod, PodDetail::full);
    return Status::OK;
  }

  Status ListImages(ServerContext*, const v1alpha::ListImagesRequest* request,
                    v1alpha::ListImagesResponse* response) override {
    std::lock_guard lock(m_store_mutex);
    auto images = m_store.list();
    if (!images) return status_of(images.error());
    for (const auto& info : *images) {
      v1alpha::Image image = image_message(info, request->detail());
      if (matches_any(image, request->filters())) *response->add_images() = std::move(image);
    }
    return Status::OK;
  }

  Status InspectImage(ServerContext*, const v1alpha::InspectImageRequest* request,
                      v1alpha::InspectImageResponse* response) override {
    if (request->id().empty()) return Status(StatusCode::INVALID_ARGUMENT, "no image id given");
    std::lock_guard lock(m_store_mutex);
    auto info = m_store.resolve_id_prefix(request->id());
    if (!info) return status_of(info.error());
    *response->mutable_image() = image_message(*info, true);
    return Status::OK;
  }

  Status GetLogs(ServerContext* context, const v1alpha::GetLogsRequest* request,
                 grpc::ServerWriter<v1alpha::GetLogsResponse>* writer) override {
    if (request->pod_id().empty()) return Status(StatusCode::INVALID_ARGUMENT, "no pod id given");
    if (request->lines() < 0) return Status(StatusCode::INVALID_ARGUMENT, "lines is negative");
    auto pod = pod::Pod::find(m_pods, request->pod_id());
    if (!pod) return status_of(pod.error());
    pod::LogsOptions options;
    if (!request->app_name().empty()) options.app = request->app_name();
    options.lines = static_cast<size_t>(request->lines());
    options.follow = request->follow() ? pod::Follow::yes : pod::Follow::no;
    auto apps = options.app ? std::vector<std::string>{*options.app} : pod->app_names();
    if (!apps) return status_of(apps.error());

    LineSink sink(request->since_time(), request->until_time(), newest_log_time(*pod, *apps),
                  [writer](const std::vector<std::string>& lines) {
                    v1alpha::GetLogsResponse response;
                    for (const auto& line : lines) response.add_lines(line);
                    return writer->Write(response);
                  });
    const int64_t until = request->until_time();
    options.keep_following = [&] {
      sink.caught_up();
      return !context->IsCancelled() && !m_stopping && !sink.failed() &&
             (until == 0 || seconds(Clock::now()) <= until);
    };
    std::ostream out(&sink);
    auto read = pod::read_logs(*pod, options, out);
    out.flush();
    if (!read) return status_of(read.error());
    return context->IsCancelled() ? Status::CANCELLED : Status::OK;
  }

  Status ListenEvents(ServerContext* context, const v1alpha::ListenEventsRequest* request,
                      grpc::ServerWriter<v1alpha::ListenEventsResponse>* writer) override {
    const v1alpha::EventFilter& filter = request->filter();
    auto subscription = m_events.subscribe(filter.since_time());
    struct Unsubscribe {
      EventHub& hub;
      std::shared_ptr<EventHub::Subscription> subscription;
      ~Unsubscribe() { hub.unsubscribe(subscription); }
    } unsubscribe{m_events, subscription};
    while (!context->IsCancelled() && !m_stopping) {
      if (filter.until_time() != 0 && seconds(Clock::now()) > filter.until_time()) break;
      v1alpha::ListenEventsResponse response;
      for (const Event& event : subscription->wait(k_stream_check)) {
        if (!event_matches(event, filter)) continue;
        v1alpha::Event* out = response.add_events();
        out->set_type(static_cast<v1alpha::EventType>(static_cast<int>(event.type)));
        out->set_id(event.id);
        out->set_from(event.from);
        out->set_time(event.time);
        for (const auto& [key, value] : event.data) {
          auto* kv = out->add_data();
          kv->set_key(key);
          kv->set_value(value);
        }
      }
      if (response.events_size() > 0 && !writer->Write(response)) break;
    }
    return Status::OK;
  }

 private:
  Result<std::map<std::string, std::string>> image_names() {
    std::lock_guard lock(m_store_mutex);
    RKT_TRY_ASSIGN(auto images, m_store.list());
    std::map<std::string, std::string> names;
    for (const auto& info : images) names[info.key] = info.name;
    return names;
  }

  const ServiceOptions& m_options;
  pod::PodsDir m_pods;
  std::mutex m_store_mutex;
  store::ImageStore m_store;
  std::atomic<bool> m_stopping{false};
  EventHub m_events;
};

/// Socket activation: accepts on the listening socket systemd passed and hands each connection
/// to gRPC (which cannot adopt a listening socket itself).
class ActivatedAcceptor {
 public:
  ActivatedAcceptor(grpc::Server& server, int listen_fd)
      : m_fd(listen_fd), m_thread([this, &server] { accept_loop(server); }) {}
  ~ActivatedAcceptor() {
    ::shutdown(m_fd, SHUT_RDWR);
    m_thread.join();
    ::close(m_fd);
  }

 private:
  void accept_loop(grpc::Server& server) {
    while (true) {
      int connection = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (connection < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        return;  // shut down
      }
      grpc::AddInsecureChannelFromFd(&server, connection);
    }
  }

  int m_fd;
  std::thread m_thread;
};

}  // namespace

Result<void> run_service(const ServiceOptions& options, bool listen_given) {
  const sys::ServiceSignals signals;  // before gRPC's threads, which inherit the mask

  if (sys::listen_fds_count() > 0 && listen_given) {
    return Error::make(ErrorKind::invalid_argument,
                       "--listen cannot be used with socket activation (LISTEN_FDS)");
  }
  std::vector<int> activated = sys::take_listen_fds();
  for (size_t i = 1; i < activated.size(); ++i) ::close(activated[i]);

  RKT_TRY_ASSIGN(store::ImageStore store, store::ImageStore::open(options.data_dir));
  PublicApi api(options, std::move(store));
  grpc::ServerBuilder builder;
  int bound_port = 0;
  if (activated.empty()) {
    builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &bound_port);
  }
  builder.RegisterService(&api);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || (activated.empty() && bound_port == 0)) {
    for (int fd : activated) ::close(fd);
    return Error::make(ErrorKind::network, "cannot listen on {}", options.listen);
  }
  {
    std::optional<ActivatedAcceptor> acceptor;
    if (!activated.empty()) acceptor.emplace(*server, activated.front());
    log::info("API service running on {}",
              activated.empty() ? options.listen : std::string("the socket-activated socket"));
    signals.serve_until_stopped("API service");
  }
  api.stop();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server->Wait();
  return {};
}

}  // namespace rkt::api
