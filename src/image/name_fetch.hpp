#pragma once

#include <string_view>

#include "appc/types.hpp"
#include "image/fetch_context.hpp"
#include "store/image_info.hpp"

namespace rkt::image {

/// The labels discovery and the store use for a name: the given ones plus the host's os and arch
/// when missing (rkt's defaults), validated.
Result<appc::Labels> labels_with_host_defaults(appc::Labels labels);

/// `rkt fetch NAME[:version][,label=value]` from the network: appc meta discovery, the first
/// endpoint that yields a valid image (see fetch_remote_aci), then its dependencies (from the
/// store when present, else fetched the same way). Prints rkt's "searching for app image ...".
Result<store::ImageInfo> fetch_by_discovery(const FetchContext& context, std::string_view name,
                                            const appc::Labels& labels);

/// Gets each dependency of `image` into the store, recursively.
Result<void> fetch_dependencies(const FetchContext& context, const store::ImageInfo& image);

}  // namespace rkt::image
