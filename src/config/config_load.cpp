// Reading configuration directories and merging them (system < local < user).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <system_error>

#include "config/config_layer.hpp"
#include "util/file.hpp"

namespace rkt::config {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Parser = Result<void> (*)(const json&, const std::string&, ConfigLayer&);

struct Kind {
  std::string_view name;
  Parser parse;
};

struct SubDir {
  std::string_view name;
  std::vector<Kind> kinds;
};

const std::array<SubDir, 3>& sub_dirs() {
  static const std::array<SubDir, 3> dirs = {{
      {"auth.d", {{"auth", parse_auth_v1}, {"dockerAuth", parse_docker_auth_v1}}},
      {"paths.d", {{"paths", parse_paths_v1}}},
      {"stage1.d", {{"stage1", parse_stage1_v1}}},
  }};
  return dirs;
}

std::string kind_list(const SubDir& dir) {
  std::string out;
  for (const Kind& kind : dir.kinds)
    out += fmt::format("{}\"{}\"", out.empty() ? "" : ", ", kind.name);
  return out;
}

// Whether `path` is an existing directory; a missing one is fine, anything else an error.
Result<bool> usable_dir(const fs::path& path) {
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (ec && status.type() != fs::file_type::not_found) {
    return Error::from_errno(ec.value(), "reading configuration directory `{}`", path.string());
  }
  if (status.type() == fs::file_type::not_found) return false;
  if (status.type() != fs::file_type::directory) {
    return Error::make(ErrorKind::invalid_argument, "expected `{}` to be a directory",
                       path.string());
  }
  return true;
}

// The *.json regular files (symlinks followed) of `dir`, sorted so reading order is stable.
Result<std::vector<fs::path>> json_files(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".json" && it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) return Error::from_errno(ec.value(), "listing `{}`", dir.string());
  std::sort(files.begin(), files.end());
  return files;
}

Result<void> expect_string(const json& document, const char* key, const std::string& file) {
  auto it = document.find(key);
  if (it == document.end() || !it->is_string() || it->get<std::string>().empty()) {
    return Error::make(ErrorKind::invalid_argument, "{}: no {} specified", file, key);
  }
  return {};
}

Result<Parser> parser_for(const json& document, const SubDir& dir, const std::string& file) {
  RKT_TRY(expect_string(document, "rktKind", file));
  RKT_TRY(expect_string(document, "rktVersion", file));
  std::string kind = document["rktKind"].get<std::string>();
  std::string version = document["rktVersion"].get<std::string>();
  auto it = std::find_if(dir.kinds.begin(), dir.kinds.end(),
                         [&](const Kind& k) { return k.name == kind; });
  if (it == dir.kinds.end()) {
    return Error::make(ErrorKind::invalid_argument,
                       "{}: unknown rktKind \"{}\" in {} (expected {})", file, kind, dir.name,
                       kind_list(dir));
  }
  if (version != "v1") {
    return Error::make(ErrorKind::invalid_argument,
                       "{}: unsupported rktVersion \"{}\" for rktKind \"{}\" (expected \"v1\")",
                       file, version, kind);
  }
  return it->parse;
}

Result<void> read_file_into(const fs::path& path, const SubDir& dir, ConfigLayer& layer) {
  std::string file = path.string();
  RKT_TRY_ASSIGN(std::string text, util::read_file(path));
  json document;
  try {
    document = json::parse(text);
  } catch (const json::exception& error) {
    return Error::make(ErrorKind::invalid_argument, "{}: invalid JSON: {}", file, error.what());
  }
  if (!document.is_object()) {
    return Error::make(ErrorKind::invalid_argument, "{}: expected a JSON object", file);
  }
  RKT_TRY_ASSIGN(Parser parse, parser_for(document, dir, file));
  return parse(document, file, layer);
}

void merge(Config& into, const Config& layer) {
  for (const auto& [host, auth] : layer.auth_per_host) into.auth_per_host[host] = auth;
  for (const auto& [registry, credentials] : layer.docker_credentials_per_registry) {
    into.docker_credentials_per_registry[registry] = credentials;
  }
  if (!layer.paths.data.empty()) into.paths.data = layer.paths.data;
  if (!layer.paths.stage1_images.empty()) into.paths.stage1_images = layer.paths.stage1_images;
  if (!layer.stage1.name.empty()) {
    into.stage1.name = layer.stage1.name;
    into.stage1.version = layer.stage1.version;
  }
  if (!layer.stage1.location.empty()) into.stage1.location = layer.stage1.location;
}

}  // namespace

Result<Config> load_config_dir(const fs::path& dir) {
  ConfigLayer layer;
  RKT_TRY_ASSIGN(bool exists, usable_dir(dir));
  if (!exists) return layer.config;
  for (const SubDir& sub_dir : sub_dirs()) {
    fs::path path = dir / sub_dir.name;
    RKT_TRY_ASSIGN(bool sub_exists, usable_dir(path));
    if (!sub_exists) continue;
    RKT_TRY_ASSIGN(auto files, json_files(path));
    for (const fs::path& file : files) RKT_TRY(read_file_into(file, sub_dir, layer));
  }
  return layer.config;
}

Result<Config> load_config(const fs::path& system_dir, const fs::path& local_dir,
                           const fs::path& user_dir) {
  Config config;
  for (const fs::path* dir : {&system_dir, &local_dir, &user_dir}) {
    if (dir->empty()) continue;
    RKT_TRY_ASSIGN(Config layer, load_config_dir(*dir));
    merge(config, layer);
  }
  return config;
}

}  // namespace rkt::config
