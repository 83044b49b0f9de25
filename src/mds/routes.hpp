#pragma once

#include <httplib.h>

#include "mds/hmac.hpp"
#include "mds/pod_registry.hpp"

namespace rkt::mds {

/// The apps' side (TCP): appc's endpoints under /<token>/acMetadata/v1 (docs/services.md).
/// Unknown token: 401; unknown app or annotation: 404; malformed names or forms: 400.
void add_public_routes(httplib::Server& server, const PodRegistry& registry, const HmacKey& key);

/// stage0's side (unix socket): PUT /pods/<uuid>?token=T (body: pod manifest; reply: JSON
/// {"port": <public port>}), PUT /pods/<uuid>/<app> (body: image manifest), DELETE /pods/<uuid>.
void add_registration_routes(httplib::Server& server, PodRegistry& registry, int public_port);

/// Limits that keep the service answering under bad input: bounded bodies, short timeouts,
/// a fixed worker pool, and a request log on stderr.
void harden(httplib::Server& server, size_t max_body);

}  // namespace rkt::mds
