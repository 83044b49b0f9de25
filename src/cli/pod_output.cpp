#include "cli/pod_output.hpp"

#include "appc/manifest.hpp"
#include "util/time.hpp"

namespace rkt::cli {

namespace {

long long nanos(const std::optional<util::Clock::time_point>& time) {
  if (!time) return 0;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time->time_since_epoch()).count();
}

std::string image_display_name(const appc::ImageManifest& manifest) {
  const appc::Label* version = appc::find_label(manifest.labels, "version");
  return version ? manifest.name + ":" + version->value : manifest.name;
}

}  // namespace

PodView view_of(const pod::Pod& pod) {
  PodView view;
  view.uuid = pod.uuid();
  view.state = std::string(pod::state_name(pod.state()));
  view.created = pod.created_time();
  view.started = pod.start_time();
  // rkt shows the pid of exited pods too: the last pod init that ran.
  if (pod.state() == pod::PodState::running || pod.state() == pod::PodState::exited) {
    if (auto pid = pod.pid()) view.pid = *pid;
  }
  // As rkt, networks show while the pod runs (an exited pod keeps its records until gc).
  if (pod.state() == pod::PodState::running) {
    view.nets = net::read_net_info(pod.dir());
    view.networks = net::format_networks(view.nets);
  }
  auto manifest = pod.manifest();
  if (!manifest) return view;
  for (const appc::RuntimeApp& app : manifest->apps) {
    PodAppView app_view{app.name, app.image.name, app.image.id.substr(0, 7 + 64), {}};
    if (auto image = pod.app_image(app.name)) {
      app_view.image_name = image_display_name(image->manifest);
    }
    app_view.exit_status = pod.app_exit_status(app.name);
    view.apps.push_back(std::move(app_view));
  }
  return view;
}

nlohmann::json pod_json(const PodView& view) {
  nlohmann::json apps = nlohmann::json::array();
  nlohmann::json app_names = nlohmann::json::array();
  for (const PodAppView& app : view.apps) {
    app_names.push_back(app.name);
    nlohmann::json entry = {{"name", app.name},
                            {"image_name", app.image_name},
                            {"image_id", app.image_id}};
    if (app.exit_status) {
      entry["state"] = "exited";
      entry["exit_code"] = *app.exit_status;
    }
    apps.push_back(std::move(entry));
  }
  nlohmann::json networks = nlohmann::json::array();
  for (const net::NetInfo& net : view.nets) {
    networks.push_back({{"netName", net.net_name}, {"netConf", net.net_conf},
                        {"pluginPath", net.plugin_path}, {"ifName", net.if_name},
                        {"ip", net.ip}, {"args", net.args}, {"mask", net.mask},
                        {"hostIP", net.host_ip}});
  }
  nlohmann::json out = {{"name", view.uuid},
                        {"state", view.state},
                        {"networks", networks},
                        {"app_names", app_names},
                        {"apps", apps}};
  if (view.created) out["created_at"] = nanos(view.created);
  if (view.started) out["started_at"] = nanos(view.started);
  if (view.pid) out["pid"] = *view.pid;
  return out;
}

std::string format_pod_time(const std::optional<util::Clock::time_point>& time, bool full) {
  if (!time) return "";
  return full ? util::format_time_full(*time) : util::format_relative(*time);
}

}  // namespace rkt::cli
