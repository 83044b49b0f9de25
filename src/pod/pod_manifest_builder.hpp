#pragma once

#include <string>
#include <vector>

#include "appc/types.hpp"
#include "pod/env.hpp"
#include "pod/pod_request.hpp"
#include "store/image_info.hpp"
#include "store/image_store.hpp"
#include "util/result.hpp"

namespace rkt::pod {

/// Pod annotation rkt always writes; "false": apps can't be added to or removed from the pod.
inline constexpr const char* k_annotation_mutable = "coreos.com/rkt/stage1/mutable";

/// The app's name: --name, else appc::sanitize_ac_name of the image name ("coreos.com/etcd" ->
/// "etcd").
Result<std::string> app_name_of(const AppRequest& app);

/// The app's `app` section: the image's with the command-line overrides, as rkt's stage0 makes
/// it. --exec replaces the whole exec; args after `--` are appended (rkt, and the seed's
/// `ps`); an image without `app` needs --exec (the app then runs as this process's uid:gid).
/// user, group, supplementaryGIDs, workingDirectory, user annotations and labels replace the
/// image's; isolators replace same-named ones (capability and seccomp retain/remove sets replace
/// each other); `env` becomes the app's environment.
Result<appc::App> effective_app(const AppRequest& app, std::vector<appc::EnvironmentVariable> env);

/// The pod manifest for a command line: apps by image ID with name and labels, each with its
/// full `app` section (environment merged as env.hpp says, from `parent_environ` with
/// --inherit-env), mounts, read-only rootfs, annotations; volumes (plus an implicit `empty`
/// volume for every image mountPoint without a volume), ports, pod annotations including
/// coreos.com/rkt/stage1/mutable=false. Errors: duplicate app names (use --name), an image
/// without `app` and no --exec, a --mount of an unknown volume, a port no app defines, and
/// anything appc::validate rejects.
Result<appc::PodManifest> build_pod_manifest(const PodRequest& request,
                                             const EnvPairs& parent_environ);

/// A --pod-manifest, checked as rkt does (every app's image is in the store, given by ID; app
/// names unique; an `app` section in the pod manifest or the image), then completed for our
/// stage1: an app without `app` gets its image's, implicit volumes are added. Returns the apps'
/// images in app order.
struct ResolvedPodManifest {
  appc::PodManifest manifest;
  std::vector<store::ImageInfo> images;
};
Result<ResolvedPodManifest> resolve_pod_manifest(store::ImageStore& store,
                                                 appc::PodManifest manifest);

/// Adds an `empty` volume named after each app mountPoint that no volume satisfies (rkt's
/// implicit volumes; they go away with the pod).
void add_implicit_volumes(appc::PodManifest& manifest);

/// Checks a PodRequest before anything is created: --pod-manifest with image or pod flags
/// ("conflicting flags set with --pod-manifest"), host
/// volumes whose source is missing, --mount of an unknown volume.
Result<void> validate_pod_request(const PodRequest& request);

}  // namespace rkt::pod
