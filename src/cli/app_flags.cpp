#include "cli/app_flags.hpp"

#include <charconv>
#include <functional>
#include <map>

#include "appc/isolator.hpp"
#include "util/strings.hpp"

namespace rkt::cli {

namespace {

using appc::Isolator;

Result<int64_t> parse_int(std::string_view text, std::string_view what) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return Error::make(ErrorKind::invalid_argument, "{}: \"{}\" is not an integer", what, text);
  }
  return value;
}

Result<bool> parse_bool(std::string_view text) {
  if (text == "true" || text == "1" || text == "t" || text == "TRUE") return true;
  if (text == "false" || text == "0" || text == "f" || text == "FALSE") return false;
  return Error::make(ErrorKind::invalid_argument, "\"{}\" is not a boolean", text);
}

/// "k=v" as (k, v); the key must not be empty.
Result<std::pair<std::string, std::string>> parse_key_value(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Error::make(ErrorKind::invalid_argument, "\"{}\" is not of the form KEY=VALUE", text);
  }
  return std::pair{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

void add_isolator(pod::AppRequest& app, Isolator isolator) {
  std::erase_if(app.isolators, [&](const Isolator& i) { return i.name == isolator.name; });
  app.isolators.push_back(std::move(isolator));
}

Result<void> add_capabilities(pod::AppRequest& app, appc::SetMode mode, std::string_view text) {
  std::string_view other = mode == appc::SetMode::retain ? appc::k_isolator_caps_remove
                                                         : appc::k_isolator_caps_retain;
  if (appc::find_isolator(app.isolators, other)) {
    return Error::make(ErrorKind::invalid_argument,
                       "--caps-retain and --caps-remove are mutually exclusive for one image");
  }
  RKT_TRY_ASSIGN(Isolator isolator, appc::make_capability_isolator(mode, util::split(text, ',')));
  add_isolator(app, std::move(isolator));
  return {};
}

/// --seccomp mode=retain|remove[,errno=E],syscall,@set,...
Result<void> add_seccomp(pod::AppRequest& app, std::string_view text) {
  std::optional<appc::SetMode> mode;
  std::string errno_name;
  std::vector<std::string> set;
  for (const std::string& item : util::split(text, ',')) {
    if (item.starts_with("mode=")) {
      std::string value = item.substr(5);
      if (value != "retain" && value != "remove") {
        return Error::make(ErrorKind::invalid_argument, "--seccomp: unknown mode \"{}\"", value);
      }
      mode = value == "retain" ? appc::SetMode::retain : appc::SetMode::remove;
    } else if (item.starts_with("errno=")) {
      errno_name = item.substr(6);
    } else if (!item.empty()) {
      set.push_back(item);
    }
  }
  if (!mode) return Error::make(ErrorKind::invalid_argument, "--seccomp: missing mode=retain|remove");
  RKT_TRY_ASSIGN(Isolator isolator, appc::make_seccomp_isolator(*mode, set, errno_name));
  std::erase_if(app.isolators, [](const Isolator& i) {
    return i.name == appc::k_isolator_seccomp_retain || i.name == appc::k_isolator_seccomp_remove;
  });
  app.isolators.push_back(std::move(isolator));
  return {};
}

using FlagHandler = std::function<Result<void>(pod::AppRequest&, const std::string&)>;

const std::map<std::string, FlagHandler>& handlers() {
  static const std::map<std::string, FlagHandler> k_handlers = {
      {"exec", [](auto& app, const auto& v) -> Result<void> { app.exec = v; return {}; }},
      {"name", [](auto& app, const auto& v) -> Result<void> { app.name = v; return {}; }},
      {"user", [](auto& app, const auto& v) -> Result<void> { app.user = v; return {}; }},
      {"group", [](auto& app, const auto& v) -> Result<void> { app.group = v; return {}; }},
      {"working-dir",
       [](auto& app, const auto& v) -> Result<void> { app.working_dir = v; return {}; }},
      {"signature", [](auto& app, const auto& v) -> Result<void> { app.signature = v; return {}; }},
      {"readonly-rootfs",
       [](auto& app, const auto& v) -> Result<void> {
         RKT_TRY_ASSIGN(app.readonly_rootfs, parse_bool(v));
         return {};
       }},
      {"supplementary-gids",
       [](auto& app, const auto& v) -> Result<void> {
         std::vector<int64_t> gids;
         for (const std::string& gid : util::split(v, ',')) {
           RKT_TRY_ASSIGN(int64_t n, parse_int(gid, "--supplementary-gids"));
           gids.push_back(n);
         }
         app.supplementary_gids = std::move(gids);
         return {};
       }},
      {"environment",
       [](auto& app, const auto& v) -> Result<void> {
         RKT_TRY_ASSIGN(auto kv, parse_key_value(v));
         app.environment.push_back(std::move(kv));
         return {};
       }},
      {"annotation",
       [](auto& app, const auto& v) -> Result<void> {
         RKT_TRY_ASSIGN(auto kv, parse_key_value(v));
         app.annotations.push_back({kv.first, kv.second});
         return {};
       }},
      {"user-annotation",
       [](auto& app, const auto& v) -> Result<void> {
         RKT_TRY_ASSIGN(auto kv, parse_key_value(v));
         app.user_annotations[kv.first] = kv.second;
         return {};
       }},
      {"user-label",
       [](auto& app, const auto& v) -> Result<void> {
         RKT_TRY_ASSIGN(auto kv, parse_key_value(v));
         app.user_labels[kv.first] = kv.second;
         return {};
       }},
      {"mount",
       [](auto& app, const auto& v) -> Result<void> {
         RKT_TRY_ASSIGN(appc::Mount mount, parse_mount_flag(v));
         app.mounts.push_back(std::move(mount));
         return {};
       }},
      {"memory",
       [](auto& app, const auto& v) -> Result<void> {
         RKT_TRY_ASSIGN(Isolator isolator, appc::make_memory_isolator("", v));
         add_isolator(app, std::move(isolator));
         return {};
       }},
      {"cpu",
       [](auto& app, const auto& v) -> Result<void> {
         RKT_TRY_ASSIGN(Isolator isolator, appc::make_cpu_isolator("", v));
         add_isolator(app, std::move(isolator));
         return {};
       }},
      {"cpu-shares",
       [](auto& app, const auto& v) -> Result<void> {
         RKT_TRY_ASSIGN(int64_t shares, parse_int(v, "--cpu-shares"));
         RKT_TRY_ASSIGN(Isolator isolator, appc::make_cpu_shares_isolator(shares));
         add_isolator(app, std::move(isolator));
         return {};
       }},
      {"oom-score-adj",
       [](auto& app, const auto& v) -> Result<void> {
         RKT_TRY_ASSIGN(int64_t score, parse_int(v, "--oom-score-adj"));
         RKT_TRY_ASSIGN(Isolator isolator, appc::make_oom_score_adj_isolator(score));
         add_isolator(app, std::move(isolator));
         return {};
       }},
      {"caps-retain",
       [](auto& app, const auto& v) { return add_capabilities(app, appc::SetMode::retain, v); }},
      {"caps-remove",
       [](auto& app, const auto& v) { return add_capabilities(app, appc::SetMode::remove, v); }},
      {"cap-retain",
       [](auto& app, const auto& v) { return add_capabilities(app, appc::SetMode::retain, v); }},
      {"cap-remove",
       [](auto& app, const auto& v) { return add_capabilities(app, appc::SetMode::remove, v); }},
      {"seccomp", [](auto& app, const auto& v) { return add_seccomp(app, v); }},
  };
  return k_handlers;
}

}  // namespace

Result<appc::Mount> parse_mount_flag(std::string_view text) {
  appc::Mount mount;
  for (const std::string& item : util::split(text, ',')) {
    RKT_TRY_ASSIGN(auto kv, parse_key_value(item));
    if (kv.first == "volume") {
      mount.volume = kv.second;
    } else if (kv.first == "target") {
      mount.path = kv.second;
    } else {
      return Error::make(ErrorKind::invalid_argument, "--mount: unknown key \"{}\"", kv.first);
    }
  }
  if (mount.volume.empty() || mount.path.empty()) {
    return Error::make(ErrorKind::invalid_argument,
                       "--mount \"{}\": expected volume=NAME,target=PATH", text);
  }
  return mount;
}

Result<void> apply_app_flag(pod::AppRequest& app, const AppFlag& flag) {
  auto handler = handlers().find(flag.name);
  if (handler == handlers().end()) {
    return Error::make(ErrorKind::invalid_argument, "unknown flag --{}", flag.name);
  }
  auto applied = handler->second(app, flag.value);
  if (!applied) return std::move(applied).error().wrap("--{}={}", flag.name, flag.value);
  return {};
}

}  // namespace rkt::cli
