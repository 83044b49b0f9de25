#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "appc/types.hpp"

namespace rkt::store {

/// "sha512-": the only hash appc allows for image IDs.
inline constexpr std::string_view k_id_prefix = "sha512-";
/// A store key is the ID cut to "sha512-" + 64 hex (rkt's lenKey).
inline constexpr size_t k_key_length = 7 + 64;
/// A full image ID: "sha512-" + 128 hex.
inline constexpr size_t k_id_length = 7 + 128;

/// One image of the store, as its index row and manifest describe it.
struct ImageInfo {
  std::string key;  // "sha512-<64 hex>"
  std::string id;   // full "sha512-<128 hex>"
  std::string name;
  appc::Labels labels;
  appc::ImageManifest manifest;
  std::string manifest_json;  // as stored in the ACI
  std::chrono::system_clock::time_point import_time;
  std::chrono::system_clock::time_point last_used;
  bool latest = false;  // fetched without a version (discovery "latest", docker tag latest)
  uint64_t size = 0;    // blob bytes (the uncompressed tar)
  uint64_t tree_size = 0;
};

/// The store key of an image ID (or of a key: then unchanged).
inline std::string key_of_id(std::string_view id) {
  return std::string(id.substr(0, k_key_length));
}

}  // namespace rkt::store
