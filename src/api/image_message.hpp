#pragma once

#include "store/image_info.hpp"
#include "v1alpha/api.pb.h"

namespace rkt::api {

/// The v1alpha message of a store image; the manifest only `with_manifest` (ListImages detail,
/// InspectImage). The id is the store key (sha512-<64 hex>), as `rkt image list` shows it.
v1alpha::Image image_message(const store::ImageInfo& info, bool with_manifest);

/// Whether the image satisfies every condition of `filter`.
bool matches(const v1alpha::Image& image, const v1alpha::ImageFilter& filter);
/// No filters match everything; else any one of them must match.
bool matches_any(const v1alpha::Image& image,
                 const google::protobuf::RepeatedPtrField<v1alpha::ImageFilter>& filters);

}  // namespace rkt::api
