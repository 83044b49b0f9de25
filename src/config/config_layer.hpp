#pragma once

// Internal to rkt_config: one directory's configuration while it is being read, remembering the
// file each setting came from so that a setting given twice can be reported with both files.

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "util/result.hpp"

namespace rkt::config {

struct ConfigLayer {
  Config config;
  std::map<std::string, std::string> auth_file;    // domain -> file
  std::map<std::string, std::string> docker_file;  // registry -> file
  std::string data_file;
  std::string stage1_images_file;
  std::string stage1_name_file;
  std::string stage1_location_file;
};

// One parser per rktKind (version v1); `file` is used in errors. Each adds to `layer`.
Result<void> parse_auth_v1(const nlohmann::json& document, const std::string& file,
                           ConfigLayer& layer);
Result<void> parse_docker_auth_v1(const nlohmann::json& document, const std::string& file,
                                  ConfigLayer& layer);
Result<void> parse_paths_v1(const nlohmann::json& document, const std::string& file,
                            ConfigLayer& layer);
Result<void> parse_stage1_v1(const nlohmann::json& document, const std::string& file,
                             ConfigLayer& layer);

}  // namespace rkt::config
