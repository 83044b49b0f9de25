#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "appc/types.hpp"
#include "image/docker/docker_ref.hpp"
#include "util/result.hpp"

namespace rkt::image::docker {

/// Where a docker image came from, for its ACI manifest's name, labels and annotations.
struct DockerOrigin {
  DockerRef ref;
  std::string manifest_digest;  // "sha256:..." of the image manifest
  std::string image_id;         // the config blob's digest (Docker's image ID)
};

/// The ACI manifest docker2aci made for an image config ("config" with Entrypoint, Cmd, Env,
/// User, WorkingDir, Volumes, ExposedPorts; "os", "architecture", "created", "author"):
/// name = sanitized registry/repository (registry-1.docker.io/library/busybox), labels version
/// (the tag), os, arch (appc spelling), app exec = Entrypoint + Cmd, user/group from User
/// (default 0), mount points "volume-<path>", ports "<port>-<proto>", and the appc.io/docker/*
/// annotations.
Result<appc::ImageManifest> appc_manifest_for(const nlohmann::json& image_config,
                                              const DockerOrigin& origin);

}  // namespace rkt::image::docker
