#pragma once

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace rkt::config {

/// The security checks --insecure-options turns off, one flag per value.
struct InsecureOptions {
  bool image = false;         // skip image signature verification
  bool tls = false;           // skip TLS certificate checks
  bool ondisk = false;        // rendered trees are not checked against their hash
  bool http = false;          // allow plain HTTP for images, signatures and discovery
  bool pubkey = false;        // allow fetching keys over HTTP when trusting from HTTPS
  bool capabilities = false;  // give apps all capabilities
  bool paths = false;         // don't protect /proc and /sys paths
  bool seccomp = false;       // no seccomp filter
  bool operator==(const InsecureOptions&) const = default;

  /// Whether any check is off.
  bool any() const;
};

/// Parses a comma list of none, image, tls, ondisk, http, pubkey, capabilities, paths, seccomp,
/// all-fetch (image,tls,http,pubkey), all-run (ondisk,capabilities,paths,seccomp) and all.
/// Values add up ("none" adds nothing). An unknown value is an error naming it and the valid ones.
Result<InsecureOptions> parse_insecure_options(std::string_view text);

/// "image,tls" (or "none"): the canonical list of the options that are on.
std::string format_insecure_options(const InsecureOptions& options);

}  // namespace rkt::config
