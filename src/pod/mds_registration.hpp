#pragma once

#include <string>
#include <string_view>

#include "appc/types.hpp"
#include "pod/pod.hpp"
#include "pod/pod_paths.hpp"
#include "util/result.hpp"

namespace rkt::pod {

/// The host address the apps reach the metadata service at. With --net=host the pod shares the
/// host's network, so loopback; CNI networks will give the host side of the pod's network here.
inline constexpr std::string_view k_mds_host_for_host_net = "127.0.0.1";

/// `rkt run --mds-register`: registers the pod and its apps' image manifests with the metadata
/// service (mds::registration_socket_path()), records the socket in `mds-registered` for gc, and
/// adds AC_METADATA_URL=http://<host>:<port>/<token> to every app's environment file. Returns
/// the token (passed on to stage1 as --mds-token).
Result<std::string> register_with_metadata_service(const PodPaths& paths, std::string_view uuid,
                                                   const appc::PodManifest& manifest,
                                                   std::string_view host);

/// gc's counterpart: a pod with `mds-registered` is unregistered (failures are warnings: the
/// service may be gone, and its registrations with it).
void unregister_from_metadata_service(const Pod& pod);

}  // namespace rkt::pod
