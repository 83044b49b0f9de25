#pragma once

#include "config/config.hpp"
#include "image/docker/docker_ref.hpp"
#include "image/fetch_context.hpp"
#include "store/image_info.hpp"

namespace rkt::image::docker {

/// `rkt fetch docker://...`: resolves the tag (an index or manifest list picks this host's
/// platform; schema 1 as a fallback), gets the config and the missing layers into the layer cache
/// (in parallel, every digest checked), squashes them into one ACI with docker2aci's manifest and
/// imports it. Needs --insecure-options=image (docker images have no signatures), as rkt did.
Result<store::ImageInfo> fetch_docker_image(const FetchContext& context, const DockerRef& ref,
                                            const config::BasicCredentials* credentials);

}  // namespace rkt::image::docker
