#include <gtest/gtest.h>

#include "api/event_hub.hpp"

namespace rkt::api {
namespace {

using pod::PodState;

std::vector<EventType> types(const std::vector<Event>& events) {
  std::vector<EventType> out;
  for (const auto& e : events) out.push_back(e.type);
  return out;
}

MachineLook with_pod(PodState state, std::map<std::string, std::optional<int>> apps = {}) {
  MachineLook look;
  look.pods["u1"] = PodLook{state, std::move(apps)};
  return look;
}

TEST(EventDiff, NothingChangedIsNoEvent) {
  auto look = with_pod(PodState::running, {{"a", std::nullopt}});
  EXPECT_TRUE(diff_looks(look, look, 1).empty());
}

TEST(EventDiff, APodSeenFromPreparedToExitedGetsEveryStep) {
  auto before = with_pod(PodState::prepared, {{"a", std::nullopt}});
  auto after = with_pod(PodState::exited, {{"a", 3}});
  auto events = diff_looks(before, after, 42);
  EXPECT_EQ(types(events), (std::vector<EventType>{EventType::pod_started, EventType::app_started,
                                                   EventType::app_exited, EventType::pod_exited}));
  EXPECT_EQ(events[2].from, "a");
  ASSERT_EQ(events[2].data.size(), 1u);
  EXPECT_EQ(events[2].data[0], (std::pair<std::string, std::string>{"exit_code", "3"}));
  for (const auto& e : events) {
    EXPECT_EQ(e.id, "u1");
    EXPECT_EQ(e.time, 42);
  }
}

TEST(EventDiff, ANewRunningPodWasPreparedAndStarted) {
  auto events = diff_looks({}, with_pod(PodState::running, {{"a", std::nullopt}}), 1);
  EXPECT_EQ(types(events), (std::vector<EventType>{EventType::pod_prepared, EventType::pod_started,
                                                   EventType::app_started}));
}

TEST(EventDiff, AbortedPreparesAndDeletedPods) {
  auto aborted = diff_looks(with_pod(PodState::preparing), with_pod(PodState::aborted_prepare), 1);
  EXPECT_EQ(types(aborted), (std::vector<EventType>{EventType::pod_prepare_aborted}));
  auto gone = diff_looks(with_pod(PodState::exited_garbage), {}, 1);
  EXPECT_EQ(types(gone), (std::vector<EventType>{EventType::pod_garbage_collected}));
  auto marked = diff_looks(with_pod(PodState::exited), with_pod(PodState::exited_garbage), 1);
  EXPECT_TRUE(marked.empty());
}

TEST(EventDiff, AppsExitOneByOne) {
  auto before = with_pod(PodState::running, {{"a", std::nullopt}, {"b", std::nullopt}});
  auto after = with_pod(PodState::running, {{"a", 0}, {"b", std::nullopt}});
  auto events = diff_looks(before, after, 1);
  ASSERT_EQ(types(events), (std::vector<EventType>{EventType::app_exited}));
  EXPECT_EQ(events[0].from, "a");
}

TEST(EventDiff, ImagesImportedAndRemoved) {
  MachineLook before, after;
  before.images["sha512-old"] = "example.com/old";
  after.images["sha512-new"] = "example.com/new";
  auto events = diff_looks(before, after, 1);
  ASSERT_EQ(types(events),
            (std::vector<EventType>{EventType::image_imported, EventType::image_removed}));
  EXPECT_EQ(events[0].id, "sha512-new");
  EXPECT_EQ(events[0].from, "example.com/new");
  EXPECT_EQ(events[1].from, "example.com/old");
}

}  // namespace
}  // namespace rkt::api
