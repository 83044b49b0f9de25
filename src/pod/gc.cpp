#include "pod/gc.hpp"

#include <sys/stat.h>

#include "pod/pod_list.hpp"
#include "pod/pod_transition.hpp"
#include "util/log.hpp"

namespace rkt::pod {

namespace {

void say(std::ostream& out, const std::string& line) {
  out << line << '\n' << std::flush;
}

/// Moves `pod` towards garbage; a pod another process moved first is not an error.
void move_reporting(Pod& pod, PodState to) {
  auto moved = move_pod(pod, to);
  if (!moved && !lost_race(moved)) log::warn("rename error: {}", moved.error().message);
}

/// The pod directory's ctime: when it was renamed into its current state directory.
std::optional<util::Clock::time_point> dir_ctime(const Pod& pod) {
  struct stat st {};
  if (::fstat(pod.dir_fd(), &st) != 0) return std::nullopt;
  auto since_epoch =
      std::chrono::seconds(st.st_ctim.tv_sec) + std::chrono::nanoseconds(st.st_ctim.tv_nsec);
  return util::Clock::time_point(std::chrono::duration_cast<util::Clock::duration>(since_epoch));
}

bool older_than(const Pod& pod, util::Duration age) {
  auto ctime = dir_ctime(pod);
  return ctime &&
         util::Clock::now() >= *ctime + std::chrono::duration_cast<util::Clock::duration>(age);
}

/// Takes the pod's lock without waiting (a held lock means another rkt is deleting it) and deletes.
void collect(Pod& pod, const GcOptions& options, std::ostream& out) {
  auto lock = pod.lock(util::LockMode::exclusive, util::LockWait::no_block);
  if (!lock) {
    log::debug("skipping pod \"{}\": {}", pod.uuid(), lock.error().message);
    return;
  }
  // Another gc may have deleted the pod between the listing and our lock.
  const StateDir listed_in = pod.state_dir();
  if (!pod.refresh() || pod.state_dir() != listed_in) return;
  say(out, fmt::format("Garbage collecting pod \"{}\"", pod.uuid()));
  if (auto deleted = delete_pod(pod, options.delete_options); !deleted) {
    log::warn("{}", deleted.error().message);
  }
}

Result<void> mark_exited(const PodsDir& pods, std::ostream& out) {
  RKT_TRY_ASSIGN(auto run, list_pods_in(pods, StateDir::run));
  for (auto& pod : run) {
    if (pod.state() != PodState::exited) continue;
    say(out, fmt::format("Moving pod \"{}\" to garbage", pod.uuid()));
    move_reporting(pod, PodState::exited_garbage);
  }
  return {};
}

Result<void> mark_aborted(const PodsDir& pods, std::ostream& out) {
  RKT_TRY_ASSIGN(auto prepare, list_pods_in(pods, StateDir::prepare));
  for (auto& pod : prepare) {
    if (pod.state() != PodState::aborted_prepare) continue;
    say(out, fmt::format("Moving failed prepare \"{}\" to garbage", pod.uuid()));
    move_reporting(pod, PodState::garbage);
  }
  return {};
}

Result<void> expire_prepared(const PodsDir& pods, util::Duration expiration, std::ostream& out) {
  RKT_TRY_ASSIGN(auto prepared, list_pods_in(pods, StateDir::prepared));
  for (auto& pod : prepared) {
    if (pod.state() != PodState::prepared || !older_than(pod, expiration)) continue;
    say(out, fmt::format("Moving expired prepared pod \"{}\" to garbage", pod.uuid()));
    move_reporting(pod, PodState::garbage);
  }
  return {};
}

Result<void> empty_exited_garbage(const PodsDir& pods, const GcOptions& options,
                                  std::ostream& out) {
  RKT_TRY_ASSIGN(auto marked, list_pods_in(pods, StateDir::exited_garbage));
  for (auto& pod : marked) {
    if (pod.state() != PodState::exited_garbage) continue;
    if (older_than(pod, options.grace_period)) {
      collect(pod, options, out);
    } else {
      say(out, fmt::format("Pod \"{}\" not removed: still within grace period ({})", pod.uuid(),
                           util::format_duration(options.grace_period)));
    }
  }
  return {};
}

Result<void> empty_garbage(const PodsDir& pods, const GcOptions& options, std::ostream& out) {
  RKT_TRY_ASSIGN(auto garbage, list_pods_in(pods, StateDir::garbage));
  for (auto& pod : garbage) {
    if (pod.state() == PodState::garbage) collect(pod, options, out);
  }
  return {};
}

}  // namespace

Result<void> gc_pods(const PodsDir& pods, const GcOptions& options, std::ostream& out) {
  RKT_TRY(mark_exited(pods, out));
  RKT_TRY(mark_aborted(pods, out));
  if (options.mode == GcMode::mark_only) return {};
  RKT_TRY(expire_prepared(pods, options.expire_prepared, out));
  RKT_TRY(empty_exited_garbage(pods, options, out));
  RKT_TRY(empty_garbage(pods, options, out));
  return {};
}

}  // namespace rkt::pod
