#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace rkt::store {

/// What the store remembers about an image downloaded over HTTP(S), to revalidate it later
/// (If-None-Match with the ETag, or no request at all while Cache-Control max-age holds).
struct RemoteInfo {
  std::string aci_url;  // primary key
  std::string sig_url;
  std::string etag;
  std::string blob_key;       // the image it produced
  int64_t cache_max_age = 0;  // seconds; 0 = always revalidate
  std::chrono::system_clock::time_point download_time;
};

}  // namespace rkt::store
