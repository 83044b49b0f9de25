#include "api/event_hub.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>

#include "pod/pod.hpp"
#include "pod/pod_list.hpp"

namespace rkt::api {

namespace {

constexpr size_t k_history_max = 4096;
constexpr int k_look_interval_ms = 250;

/// How far along its life a pod is: prepared < started < exited; garbage of a pod that never
/// ran counts as prepared.
int progress(pod::PodState state) {
  using S = pod::PodState;
  switch (state) {
    case S::embryo:
    case S::preparing:
    case S::aborted_prepare:
      return 0;
    case S::prepared:
    case S::garbage:
    case S::deleting:
      return 1;
    case S::running:
      return 2;
    case S::exited:
    case S::exited_garbage:
    case S::exited_deleting:
      return 3;
  }
  return 0;
}

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void pod_events(const std::string& uuid, const PodLook* before, const PodLook& after, int64_t time,
                std::vector<Event>& out) {
  auto add = [&](EventType type, const std::string& from,
                 std::vector<std::pair<std::string, std::string>> data = {}) {
    out.push_back(Event{type, uuid, from, time, std::move(data)});
  };
  int was = before ? progress(before->state) : 0;
  int is = progress(after.state);
  if (after.state == pod::PodState::aborted_prepare &&
      (!before || before->state != pod::PodState::aborted_prepare)) {
    add(EventType::pod_prepare_aborted, uuid);
  }
  if (was < 1 && is >= 1) add(EventType::pod_prepared, uuid);
  if (was < 2 && is >= 2) {
    add(EventType::pod_started, uuid);
    for (const auto& [app, status] : after.apps) add(EventType::app_started, app);
  }
  for (const auto& [app, status] : after.apps) {
    if (!status) continue;
    auto old = before ? before->apps.find(app) : after.apps.end();
    bool known = before && old != before->apps.end() && old->second;
    if (!known) add(EventType::app_exited, app, {{"exit_code", std::to_string(*status)}});
  }
  if (was < 3 && is >= 3) add(EventType::pod_exited, uuid);
}

}  // namespace

std::vector<Event> diff_looks(const MachineLook& before, const MachineLook& after, int64_t time) {
  std::vector<Event> events;
  for (const auto& [uuid, look] : after.pods) {
    auto old = before.pods.find(uuid);
    pod_events(uuid, old == before.pods.end() ? nullptr : &old->second, look, time, events);
  }
  for (const auto& [uuid, look] : before.pods) {
    if (!after.pods.count(uuid)) {
      events.push_back(Event{EventType::pod_garbage_collected, uuid, uuid, time, {}});
    }
  }
  for (const auto& [key, name] : after.images) {
    if (!before.images.count(key))
      events.push_back(Event{EventType::image_imported, key, name, time, {}});
  }
  for (const auto& [key, name] : before.images) {
    if (!after.images.count(key))
      events.push_back(Event{EventType::image_removed, key, name, time, {}});
  }
  return events;
}

std::vector<Event> EventHub::Subscription::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(m_mutex);
  m_ready.wait_for(lock, timeout, [this] { return !m_pending.empty(); });
  return std::exchange(m_pending, {});
}

EventHub::EventHub(pod::PodsDir pods, ImageLister images)
    : m_pods(std::move(pods)),
      m_images(std::move(images)),
      m_inotify(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)),
      m_wakeup(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  m_thread = std::thread([this] { run(); });
}

EventHub::~EventHub() {
  uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(m_wakeup.get(), &one, sizeof one);
  m_thread.join();
}

std::shared_ptr<EventHub::Subscription> EventHub::subscribe(int64_t since_time) {
  auto subscription = std::make_shared<Subscription>();
  std::lock_guard lock(m_mutex);
  if (since_time > 0) {
    for (const auto& event : m_history) {
      if (event.time >= since_time) subscription->m_pending.push_back(event);
    }
  }
  m_subscribers.push_back(subscription);
  return subscription;
}

void EventHub::unsubscribe(const std::shared_ptr<Subscription>& subscription) {
  std::lock_guard lock(m_mutex);
  std::erase(m_subscribers, subscription);
}

MachineLook EventHub::look() const {
  MachineLook machine;
  if (auto pods = pod::list_pods(m_pods)) {
    for (const auto& pod : *pods) {
      PodLook look{pod.state(), {}};
      if (auto apps = pod.app_names()) {
        for (const auto& app : *apps) look.apps[app] = pod.app_exit_status(app);
      }
      machine.pods.emplace(pod.uuid(), std::move(look));
    }
  }
  if (auto images = m_images()) machine.images = std::move(*images);
  return machine;
}

void EventHub::watch_dirs() {
  if (!m_inotify) return;
  std::vector<std::filesystem::path> dirs{m_pods.data_dir / "cas" / "db"};
  for (auto dir : pod::k_state_dirs) dirs.push_back(m_pods.state_dir(dir));
  for (const auto& dir : dirs) {
    if (m_watched.count(dir.string())) continue;
    int wd = ::inotify_add_watch(
        m_inotify.get(), dir.c_str(),
        IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE | IN_ONLYDIR);
    if (wd >= 0) m_watched[dir.string()] = wd;
  }
}

void EventHub::publish(std::vector<Event> events) {
  if (events.empty()) return;
  std::lock_guard lock(m_mutex);
  for (const auto& event : events) {
    m_history.push_back(event);
    if (m_history.size() > k_history_max) m_history.pop_front();
  }
  for (const auto& subscriber : m_subscribers) {
    std::lock_guard queue_lock(subscriber->m_mutex);
    subscriber->m_pending.insert(subscriber->m_pending.end(), events.begin(), events.end());
    subscriber->m_ready.notify_all();
  }
}

void EventHub::run() {
  MachineLook last = look();
  while (true) {
    watch_dirs();
    pollfd fds[2] = {{m_wakeup.get(), POLLIN, 0}, {m_inotify.get(), POLLIN, 0}};
    int ready = ::poll(fds, m_inotify ? 2 : 1, k_look_interval_ms);
    if (ready > 0 && (fds[0].revents & POLLIN)) return;
    if (ready > 0 && (fds[1].revents & POLLIN)) {
      char buffer[4096];
      while (::read(m_inotify.get(), buffer, sizeof buffer) > 0) {
      }
    }
    MachineLook now = look();
    publish(diff_looks(last, now, now_seconds()));
    last = std::move(now);
  }
}

}  // namespace rkt::api
