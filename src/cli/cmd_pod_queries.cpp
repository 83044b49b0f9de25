#include <iostream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/pod_output.hpp"
#include "pod/pod_list.hpp"
#include "pod/uuid.hpp"
#include "pod/wait.hpp"
#include "util/time.hpp"

namespace rkt::cli {

namespace {

struct ListOptions {
  bool full = false;
  bool no_legend = false;
  std::string format;
};

struct PodTarget {
  std::string uuid;
  std::string uuid_file;
  std::string format;
  bool pretty_print = true;
  std::string wait = "false";
  std::string wait_ready = "false";
};

Result<pod::Pod> find_target(Context& context, const PodTarget& target) {
  RKT_TRY_ASSIGN(pod::PodsDir pods, context.pods_dir());
  std::string uuid = target.uuid;
  if (!target.uuid_file.empty()) {
    if (!uuid.empty()) {
      return Error::make(ErrorKind::invalid_argument, "give either a UUID or --uuid-file, not both");
    }
    RKT_TRY_ASSIGN(uuid, pod::read_uuid_file(target.uuid_file));
  }
  if (uuid.empty()) return Error::make(ErrorKind::invalid_argument, "a pod UUID is required");
  return pod::Pod::find(pods, uuid);
}

void add_list_row(Table& table, const PodView& view, bool full) {
  if (view.apps.empty()) {
    table.add_row(full ? std::vector<std::string>{view.uuid, "", "", "", view.state,
                                                  format_pod_time(view.created, true),
                                                  format_pod_time(view.started, true), view.networks}
                       : std::vector<std::string>{view.uuid.substr(0, 8), "", "", view.state,
                                                  view.networks});
    return;
  }
  for (size_t i = 0; i < view.apps.size(); ++i) {
    const PodAppView& app = view.apps[i];
    bool first = i == 0;
    std::string uuid = first ? (full ? view.uuid : view.uuid.substr(0, 8)) : "";
    if (full) {
      table.add_row({uuid, app.name, app.image_name, app.image_id.substr(0, 7 + 12),
                     first ? view.state : "", first ? format_pod_time(view.created, true) : "",
                     first ? format_pod_time(view.started, true) : "", first ? view.networks : ""});
    } else {
      table.add_row({uuid, app.name, app.image_name, first ? view.state : "",
                     first ? view.networks : ""});
    }
  }
}

Result<int> run_list(Context& context, const ListOptions& options) {
  RKT_TRY_ASSIGN(OutputFormat format, parse_output_format(options.format));
  RKT_TRY_ASSIGN(pod::PodsDir pods, context.pods_dir());
  RKT_TRY_ASSIGN(auto all, pod::list_pods(pods));
  if (format != OutputFormat::table) {
    nlohmann::json out = nlohmann::json::array();
    for (const pod::Pod& pod : all) out.push_back(pod_json(view_of(pod)));
    print_json(std::cout, out, format);
    return k_exit_success;
  }
  Table table(options.full ? std::vector<std::string>{"UUID", "APP", "IMAGE NAME", "IMAGE ID",
                                                      "STATE", "CREATED", "STARTED", "NETWORKS"}
                           : std::vector<std::string>{"UUID", "APP", "IMAGE NAME", "STATE",
                                                      "NETWORKS"});
  for (const pod::Pod& pod : all) add_list_row(table, view_of(pod), options.full);
  table.print(std::cout, !options.no_legend);
  return k_exit_success;
}

/// "false" (don't wait), "true" or a bare flag (no limit), or a duration.
Result<std::optional<pod::WaitTimeout>> parse_wait(const std::string& text) {
  if (text == "false") return std::optional<pod::WaitTimeout>();
  if (text == "true" || text.empty()) return std::optional<pod::WaitTimeout>(pod::WaitTimeout());
  RKT_TRY_ASSIGN(util::Duration limit, util::parse_duration(text));
  return std::optional<pod::WaitTimeout>(pod::WaitTimeout(limit));
}

void print_status_text(const PodView& view) {
  std::cout << "state=" << view.state << "\n";
  if (view.created) std::cout << "created=" << format_pod_time(view.created, true) << "\n";
  if (view.started) std::cout << "started=" << format_pod_time(view.started, true) << "\n";
  if (view.state == "running") std::cout << "networks=" << view.networks << "\n";
  if (view.pid) std::cout << "pid=" << *view.pid << "\n";
  bool exited = view.state == "exited" || view.state == "exited garbage" ||
                view.state == "exited deleting";
  std::cout << "exited=" << (exited ? "true" : "false") << "\n";
  for (const PodAppView& app : view.apps) {
    if (app.exit_status) std::cout << "app-" << app.name << "=" << *app.exit_status << "\n";
  }
}

Result<int> run_status(Context& context, const PodTarget& target) {
  RKT_TRY_ASSIGN(OutputFormat format, parse_output_format(target.format));
  RKT_TRY_ASSIGN(auto wait, parse_wait(target.wait));
  RKT_TRY_ASSIGN(auto wait_ready, parse_wait(target.wait_ready));
  RKT_TRY_ASSIGN(pod::Pod pod, find_target(context, target));
  if (wait_ready) RKT_TRY(pod::wait_ready(pod, *wait_ready));
  if (wait) RKT_TRY(pod::wait_for_exit(pod, *wait));
  PodView view = view_of(pod);
  if (format == OutputFormat::table) {
    print_status_text(view);
  } else {
    print_json(std::cout, pod_json(view), format);
  }
  return k_exit_success;
}

Result<int> run_cat_manifest(Context& context, const PodTarget& target) {
  RKT_TRY_ASSIGN(pod::Pod pod, find_target(context, target));
  RKT_TRY_ASSIGN(std::string text, pod.manifest_json());
  auto manifest = nlohmann::ordered_json::parse(text, nullptr, false);
  std::cout << (target.pretty_print ? manifest.dump(1, '\t') : manifest.dump()) << "\n";
  return k_exit_success;
}

CLI::App* add_target(CLI::App* cmd, PodTarget& target) {
  cmd->add_option("UUID", target.uuid, "the pod's UUID (or a unique prefix)");
  cmd->add_option("--uuid-file", target.uuid_file, "read the pod UUID from this file");
  return cmd;
}

}  // namespace

void add_pod_query_commands(CommandTable& table, Context& context) {
  auto list = std::make_shared<ListOptions>();
  CLI::App* list_cmd = table.add(nullptr, "list", "List pods",
                                 [&context, list] { return run_list(context, *list); });
  list_cmd->add_flag("--full", list->full, "use long output format");
  list_cmd->add_flag("--no-legend", list->no_legend, "suppress a legend with the list");
  list_cmd->add_option("--format", list->format, "output format: json or json-pretty");

  auto status = std::make_shared<PodTarget>();
  CLI::App* status_cmd = add_target(
      table.add(nullptr, "status", "Check the status of a rkt pod",
                [&context, status] { return run_status(context, *status); }),
      *status);
  status_cmd->add_option("--wait", status->wait,
                         "wait for the pod to exit: true, false or a time limit such as 10s")
      ->expected(0, 1)
      ->default_str("false");
  status_cmd->add_option("--wait-ready", status->wait_ready,
                         "wait until the pod is ready: true, false or a time limit")
      ->expected(0, 1)
      ->default_str("false");
  status_cmd->add_option("--format", status->format, "output format: json or json-pretty");

  auto cat = std::make_shared<PodTarget>();
  add_target(table.add(nullptr, "cat-manifest", "Inspect and print the pod manifest",
                       [&context, cat] { return run_cat_manifest(context, *cat); }),
             *cat)
      ->add_flag("--pretty-print", cat->pretty_print, "apply indent to format the output")
      ->default_str("true");
}

}  // namespace rkt::cli
