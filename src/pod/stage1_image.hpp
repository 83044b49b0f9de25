#pragma once

#include <filesystem>
#include <string>

#include "config/config.hpp"
#include "image/fetcher.hpp"
#include "store/image_info.hpp"
#include "store/image_store.hpp"
#include "util/result.hpp"

namespace rkt::pod {

/// rkt's --stage1-{path,url,name,hash,from-dir} flags; at most one may be set.
struct Stage1Flags {
  std::string path;      // a local ACI file
  std::string url;       // file:// (http(s):// and docker:// not supported yet)
  std::string name;      // name[:version], from the store (discovery not supported yet)
  std::string hash;      // sha512-... prefix of an image in the store
  std::string from_dir;  // a file name inside the stage1-images directory
};

/// Where the default stage1 comes from when no flag is given.
struct Stage1Defaults {
  config::Stage1Defaults configured;  // stage1.d: name + version, location
  std::string build_name = "coreos.com/rkt/stage1-native";
  std::string build_version;                    // the rkt version (RKT_VERSION)
  std::string file_name = "stage1-native.aci";  // looked for beside rkt and in images_dir
  std::filesystem::path images_dir;             // paths.d stage1-images, else RKT_STAGE1_IMAGES_DIR
  std::filesystem::path binary_dir;             // empty: the directory of /proc/self/exe
};

/// Fails when more than one --stage1-* flag is set.
Result<void> validate_stage1_flags(const Stage1Flags& flags);

/// Chooses the stage1 image as rkt does and makes sure it is in the store, printing where it
/// came from ("using image from file /x/stage1-native.aci", "using image from local store for
/// image name coreos.com/rkt/stage1-native:1.30.0"):
/// - --stage1-path / --stage1-url (file://): fetched with `fetcher` (signature checked unless
///   --insecure-options=image); --stage1-name / --stage1-hash: from the store only;
///   --stage1-from-dir: <images_dir>/<file>, no signature needed;
/// - no flag: stage1.d name+version (else build_name:build_version) in the store, else
///   stage1.d's location, else `file_name` beside the rkt binary, else in images_dir; these
///   need no signature, and a file whose image is already stored is not imported again. A
///   default file newer than the stored image of the default name (a rebuilt stage1 with the
///   same version) wins over the store.
Result<store::ImageInfo> select_stage1(store::ImageStore& store, image::Fetcher& fetcher,
                                       const Stage1Flags& flags, const Stage1Defaults& defaults);

/// Imports an ACI file without checking a signature, unless the store already has its image.
Result<store::ImageInfo> import_trusted_file(store::ImageStore& store,
                                             const std::filesystem::path& aci);

}  // namespace rkt::pod
