#pragma once

#include <curl/curl.h>

#include "util/result.hpp"

namespace rkt::image {

/// The libcurl functions rkt calls, resolved from libcurl.so.4 on the first transfer rather than
/// linked: libcurl and what it pulls in (TLS, Kerberos, LDAP, SSH, RTMP, IDN, ...) took about a
/// third of the start-up of every rkt command, and most commands (run from the store, list,
/// status, gc) never open a connection.
struct CurlLibrary {
  decltype(&curl_easy_init) easy_init;
  decltype(&curl_easy_cleanup) easy_cleanup;
  decltype(&curl_easy_setopt) easy_setopt;
  decltype(&curl_easy_getinfo) easy_getinfo;
  decltype(&curl_easy_perform) easy_perform;
  decltype(&curl_easy_strerror) easy_strerror;
  decltype(&curl_slist_append) slist_append;
  decltype(&curl_slist_free_all) slist_free_all;
};

/// Loads and initialises libcurl once per process; an error names the library that is missing.
Result<const CurlLibrary*> curl_library();

}  // namespace rkt::image
