#include "api/pod_message.hpp"

#include <algorithm>

#include "api/key_values.hpp"
#include "appc/manifest.hpp"

namespace rkt::api {

namespace {

int64_t nanos(const std::optional<util::Clock::time_point>& time) {
  if (!time) return 0;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time->time_since_epoch()).count();
}

v1alpha::PodState state_of(pod::PodState state) {
  using S = pod::PodState;
  switch (state) {
    case S::embryo:
      return v1alpha::POD_STATE_EMBRYO;
    case S::preparing:
      return v1alpha::POD_STATE_PREPARING;
    case S::aborted_prepare:
      return v1alpha::POD_STATE_ABORTED_PREPARE;
    case S::prepared:
      return v1alpha::POD_STATE_PREPARED;
    case S::running:
      return v1alpha::POD_STATE_RUNNING;
    case S::exited:
      return v1alpha::POD_STATE_EXITED;
    case S::exited_garbage:
    case S::garbage:
      return v1alpha::POD_STATE_GARBAGE;
    case S::exited_deleting:
    case S::deleting:
      return v1alpha::POD_STATE_DELETING;
  }
  return v1alpha::POD_STATE_UNDEFINED;
}

void fill_app(const pod::Pod& pod, const appc::RuntimeApp& app, PodDetail detail,
              v1alpha::App* out) {
  out->set_name(app.name);
  v1alpha::Image* image = out->mutable_image();
  image->set_id(app.image.id);
  if (detail == PodDetail::basic) return;
  image->mutable_base_format()->set_type(v1alpha::IMAGE_TYPE_APPC);
  image->mutable_base_format()->set_version(std::string(appc::k_ac_version));
  if (auto info = pod.app_image(app.name)) {
    image->set_name(info->manifest.name);
    if (const appc::Label* version = appc::find_label(info->manifest.labels, "version")) {
      image->set_version(version->value);
    }
    image->set_manifest(appc::to_json(info->manifest)
                            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    add_key_values(image->mutable_labels(), info->manifest.labels);
    add_key_values(image->mutable_annotations(), info->manifest.annotations);
  }
  add_key_values(out->mutable_annotations(), app.annotations);
  if (auto status = pod.app_exit_status(app.name)) {
    out->set_state(v1alpha::APP_STATE_EXITED);
    out->set_exit_code(*status);
  } else if (pod.state() == pod::PodState::running) {
    out->set_state(v1alpha::APP_STATE_RUNNING);
  }
}

template <typename Values, typename Pred>
bool all_of(const Values& values, Pred pred) {
  return std::all_of(values.begin(), values.end(), pred);
}

bool has_app(const v1alpha::Pod& pod, const std::string& name) {
  return std::any_of(pod.apps().begin(), pod.apps().end(),
                     [&](const auto& app) { return app.name() == name; });
}

bool has_image(const v1alpha::Pod& pod, const std::string& id) {
  return std::any_of(pod.apps().begin(), pod.apps().end(), [&](const auto& app) {
    return app.image().id() == id || app.image().id().starts_with(id);
  });
}

bool has_annotation(const v1alpha::Pod& pod, const v1alpha::KeyValue& wanted) {
  return std::any_of(pod.annotations().begin(), pod.annotations().end(), [&](const auto& kv) {
    return kv.key() == wanted.key() && kv.value() == wanted.value();
  });
}

}  // namespace

v1alpha::Pod pod_message(const pod::Pod& pod, PodDetail detail) {
  v1alpha::Pod out;
  out.set_id(pod.uuid());
  out.set_state(state_of(pod.state()));
  out.set_created_at(nanos(pod.created_time()));
  out.set_started_at(nanos(pod.start_time()));
  out.set_gc_marked_at(nanos(pod.gc_marked_time()));
  if (pod.state() == pod::PodState::running || pod.state() == pod::PodState::exited) {
    if (auto pid = pod.pid()) out.set_pid(*pid);
  }
  auto manifest = pod.manifest();
  if (!manifest) return out;  // embryo, preparing, aborted prepare: id and state only
  for (const auto& app : manifest->apps) fill_app(pod, app, detail, out.add_apps());
  add_key_values(out.mutable_annotations(), manifest->annotations);
  if (detail == PodDetail::full) {
    if (auto json = pod.manifest_json()) out.set_manifest(*json);
  }
  return out;
}

bool matches(const v1alpha::Pod& pod, const v1alpha::PodFilter& filter) {
  if (!filter.ids().empty() &&
      std::find(filter.ids().begin(), filter.ids().end(), pod.id()) == filter.ids().end()) {
    return false;
  }
  if (!filter.states().empty() && std::find(filter.states().begin(), filter.states().end(),
                                            pod.state()) == filter.states().end()) {
    return false;
  }
  if (!all_of(filter.app_names(), [&](const std::string& n) { return has_app(pod, n); }))
    return false;
  if (!all_of(filter.image_ids(), [&](const std::string& id) { return has_image(pod, id); })) {
    return false;
  }
  if (!all_of(filter.network_names(), [&](const std::string& n) {
        return std::any_of(pod.networks().begin(), pod.networks().end(),
                           [&](const auto& net) { return net.name() == n; });
      })) {
    return false;
  }
  if (!all_of(filter.annotations(), [&](const auto& kv) { return has_annotation(pod, kv); })) {
    return false;
  }
  if (!filter.cgroups().empty() && std::find(filter.cgroups().begin(), filter.cgroups().end(),
                                             pod.cgroup()) == filter.cgroups().end()) {
    return false;
  }
  if (!filter.pod_sub_cgroups().empty() &&
      (pod.cgroup().empty() ||
       std::none_of(filter.pod_sub_cgroups().begin(), filter.pod_sub_cgroups().end(),
                    [&](const std::string& sub) { return sub.starts_with(pod.cgroup()); }))) {
    return false;
  }
  return true;
}

bool matches_any(const v1alpha::Pod& pod,
                 const google::protobuf::RepeatedPtrField<v1alpha::PodFilter>& filters) {
  return filters.empty() || std::any_of(filters.begin(), filters.end(),
                                        [&](const auto& f) { return matches(pod, f); });
}

}  // namespace rkt::api
