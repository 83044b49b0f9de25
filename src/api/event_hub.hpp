#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "pod/pod_paths.hpp"
#include "pod/pod_state.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace rkt::api {

/// v1alpha's EventType numbers.
enum class EventType : int {
  pod_prepared = 1,
  pod_prepare_aborted = 2,
  pod_started = 3,
  pod_exited = 4,
  pod_garbage_collected = 5,
  app_started = 6,
  app_exited = 7,
  image_imported = 8,
  image_removed = 9,
};

struct Event {
  EventType type{};
  std::string id;    // pod UUID or image ID
  std::string from;  // pod UUID, app name or image name
  int64_t time = 0;  // seconds since the epoch
  std::vector<std::pair<std::string, std::string>> data;
};

/// What the hub compares between two looks at the machine.
struct PodLook {
  pod::PodState state{};
  std::map<std::string, std::optional<int>> apps;  // app -> exit status
};
struct MachineLook {
  std::map<std::string, PodLook> pods;        // by UUID
  std::map<std::string, std::string> images;  // store key -> image name
};

/// The events that take the machine from `before` to `after`, stamped `time`. A pod seen several
/// states further gets the events of the states it went through (started, then exited).
std::vector<Event> diff_looks(const MachineLook& before, const MachineLook& after, int64_t time);

/// ListenEvents' source: rkt recorded no events, so they are derived by watching. A thread looks
/// at the pods (state, apps' exit statuses) and the store's images whenever inotify reports a
/// change in pods/<state>/ or cas/db/, and at least every 250 ms (a pod's exit is a lock released,
/// which inotify does not see), and publishes the differences. Events since the hub started are
/// kept (the last 4096) for clients asking for a since_time.
class EventHub {
 public:
  using ImageLister = std::function<Result<std::map<std::string, std::string>>()>;

  EventHub(pod::PodsDir pods, ImageLister images);
  ~EventHub();
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  /// One client's queue of events.
  class Subscription {
   public:
    /// Waits up to `timeout` for events; returns what arrived (possibly nothing).
    std::vector<Event> wait(std::chrono::milliseconds timeout);

   private:
    friend class EventHub;
    std::mutex m_mutex;
    std::condition_variable m_ready;
    std::vector<Event> m_pending;
  };

  /// Starts receiving events; those already seen with time >= since_time are queued first
  /// (since_time 0: only new ones).
  std::shared_ptr<Subscription> subscribe(int64_t since_time);
  void unsubscribe(const std::shared_ptr<Subscription>& subscription);

 private:
  MachineLook look() const;
  void run();
  void publish(std::vector<Event> events);
  void watch_dirs();

  pod::PodsDir m_pods;
  ImageLister m_images;
  UniqueFd m_inotify;
  UniqueFd m_wakeup;  // eventfd: stops the thread
  std::mutex m_mutex;
  std::deque<Event> m_history;
  std::vector<std::shared_ptr<Subscription>> m_subscribers;
  std::map<std::string, int> m_watched;
  std::thread m_thread;
};

}  // namespace rkt::api
