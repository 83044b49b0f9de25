#include "image/curl_library.hpp"

#include <dlfcn.h>

#include <mutex>
#include <optional>
#include <string>

namespace rkt::image {

namespace {

constexpr const char* k_soname = "libcurl.so.4";

template <typename Function>
bool resolve(void* library, const char* name, Function& function) {
  function = reinterpret_cast<Function>(::dlsym(library, name));
  return function != nullptr;
}

Result<CurlLibrary> load() {
  void* library = ::dlopen(k_soname, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = ::dlerror();
    return Error::make(ErrorKind::not_found, "cannot load {} for HTTP transfers: {}", k_soname,
                       why != nullptr ? why : "unknown error");
  }
  CurlLibrary curl{};
  decltype(&curl_global_init) global_init = nullptr;
  bool complete = resolve(library, "curl_global_init", global_init) &&
                  resolve(library, "curl_easy_init", curl.easy_init) &&
                  resolve(library, "curl_easy_cleanup", curl.easy_cleanup) &&
                  resolve(library, "curl_easy_setopt", curl.easy_setopt) &&
                  resolve(library, "curl_easy_getinfo", curl.easy_getinfo) &&
                  resolve(library, "curl_easy_perform", curl.easy_perform) &&
                  resolve(library, "curl_easy_strerror", curl.easy_strerror) &&
                  resolve(library, "curl_slist_append", curl.slist_append) &&
                  resolve(library, "curl_slist_free_all", curl.slist_free_all);
  if (!complete) {
    return Error::make(ErrorKind::not_found, "{} lacks a function rkt needs: {}", k_soname,
                       ::dlerror());
  }
  if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    return Error::make(ErrorKind::io, "cannot initialise {}", k_soname);
  }
  return curl;
}

}  // namespace

Result<const CurlLibrary*> curl_library() {
  static std::once_flag once;
  static std::optional<Result<CurlLibrary>> loaded;
  std::call_once(once, [] { loaded.emplace(load()); });
  if (!*loaded) return loaded->error();
  return &loaded->value();
}

}  // namespace rkt::image
