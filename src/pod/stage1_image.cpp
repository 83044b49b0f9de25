#include "pod/stage1_image.hpp"

#include <sys/stat.h>

#include <chrono>

#include "appc/image_string.hpp"
#include "image/aci_file.hpp"
#include "image/image_ref.hpp"
#include "sys/executable_dir.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace rkt::pod {

namespace fs = std::filesystem;

namespace {

Error not_supported(std::string_view what, std::string_view location) {
  return Error::make(ErrorKind::invalid_argument, "{} stage1 images ({}) are not supported yet",
                     what, location);
}

fs::path absolute_path(const fs::path& path) {
  std::error_code ec;
  fs::path result = fs::absolute(path, ec);
  return ec ? path : result.lexically_normal();
}

Result<fs::path> binary_dir(const Stage1Defaults& defaults) {
  if (!defaults.binary_dir.empty()) return defaults.binary_dir;
  return sys::executable_dir();
}

/// A file from a default place or from the stage1-images dir: trusted, no signature needed.
Result<store::ImageInfo> use_trusted_file(store::ImageStore& store, const fs::path& path) {
  fs::path file = absolute_path(path);
  RKT_TRY_ASSIGN(auto info, import_trusted_file(store, file));
  log::info("using image from file {}", file.string());
  return info;
}

/// --stage1-path and file:// --stage1-url: fetched like any image, so signed unless the user
/// said --insecure-options=image.
Result<store::ImageInfo> use_fetched_file(image::Fetcher& fetcher, const fs::path& path) {
  fs::path file = absolute_path(path);
  image::ImageRef ref{image::RefKind::path, file.string()};
  ref.path = file.string();
  auto info = fetcher.fetch(image::FetchRequest{ref, {}});
  if (!info) return std::move(info).error().wrap("stage1 image {}", file.string());
  return info;  // the fetcher said "using image from file ..."

}

Result<store::ImageInfo> use_url(image::Fetcher& fetcher, const std::string& url) {
  if (!util::starts_with(url, "file://")) return not_supported("remote", url);
  return use_fetched_file(fetcher, url.substr(7));
}

Result<store::ImageInfo> use_stored_name(store::ImageStore& store, const std::string& text) {
  RKT_TRY_ASSIGN(auto parsed, appc::parse_image_string(text));
  auto info = store.find_by_name(parsed.name, parsed.labels);
  if (!info) {
    return Error::make(ErrorKind::not_found,
                       "stage1 image {} is not in the store (discovery is not supported yet: "
                       "use --stage1-path)",
                       text);
  }
  log::info("using image from local store for image name {}", text);
  return info;
}

Result<store::ImageInfo> use_stored_hash(store::ImageStore& store, const std::string& hash) {
  auto info = store.resolve_id_prefix(hash);
  if (!info) return std::move(info).error().wrap("stage1 image {}", hash);
  return info;
}

/// mtime of a regular file, if it is one.
std::optional<std::chrono::system_clock::time_point> file_mtime(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  auto since_epoch =
      std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec);
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(since_epoch));
}

/// The default stage1 files, in rkt's order; a configured location replaces them.
Result<std::vector<fs::path>> default_files(const Stage1Defaults& defaults) {
  const std::string& location = defaults.configured.location;
  if (!location.empty()) {
    if (util::starts_with(location, "file://")) return std::vector<fs::path>{location.substr(7)};
    if (location.front() == '/') return std::vector<fs::path>{location};
    return not_supported("remote", location);
  }
  RKT_TRY_ASSIGN(fs::path beside_rkt, binary_dir(defaults));
  std::vector<fs::path> files{beside_rkt / defaults.file_name};
  if (!defaults.images_dir.empty()) files.push_back(defaults.images_dir / defaults.file_name);
  return files;
}

Result<store::ImageInfo> use_default(store::ImageStore& store, const Stage1Defaults& defaults) {
  bool configured_name = !defaults.configured.name.empty();
  std::string name = configured_name ? defaults.configured.name : defaults.build_name;
  std::string version = configured_name ? defaults.configured.version : defaults.build_version;
  std::string display = version.empty() ? name : name + ":" + version;
  appc::Labels labels;
  if (!version.empty()) labels.push_back({"version", version});
  auto stored = store.find_by_name(name, labels);

  auto files = default_files(defaults);
  if (!files && !stored) return std::move(files).error();
  if (files) {
    for (const fs::path& file : *files) {
      auto mtime = file_mtime(file);
      if (!mtime) continue;
      // A stage1 rebuilt without a new version must not lose against its stale store copy.
      if (stored && *mtime <= stored->import_time) break;
      return use_trusted_file(store, file);
    }
  }
  if (stored) {
    log::info("using image from local store for image name {}", display);
    return stored;
  }
  std::vector<std::string> tried;
  for (const fs::path& file : *files) tried.push_back(file.string());
  return Error::make(ErrorKind::not_found,
                     "no stage1 image found: {} is not in the store and none of {} exists (use "
                     "--stage1-path)",
                     display, util::join(tried, ", "));
}

}  // namespace

Result<void> validate_stage1_flags(const Stage1Flags& flags) {
  int given = !flags.path.empty() + !flags.url.empty() + !flags.name.empty() + !flags.hash.empty() +
              !flags.from_dir.empty();
  if (given > 1) {
    return Error::make(ErrorKind::invalid_argument,
                       "flags --stage1-url, --stage1-path, --stage1-name, --stage1-hash and "
                       "--stage1-from-dir are mutually exclusive");
  }
  return {};
}

Result<store::ImageInfo> import_trusted_file(store::ImageStore& store, const fs::path& aci) {
  auto id = image::compute_image_id(aci);
  if (!id) return std::move(id).error().wrap("stage1 image {}", aci.string());
  if (auto stored = store.get_by_key(store::key_of_id(*id))) return stored;
  store::ImportOptions options;
  options.source = aci.string();
  auto imported = store.import_aci(aci, options);
  if (!imported) return std::move(imported).error().wrap("importing stage1 image {}", aci.string());
  return imported;
}

Result<store::ImageInfo> select_stage1(store::ImageStore& store, image::Fetcher& fetcher,
                                       const Stage1Flags& flags, const Stage1Defaults& defaults) {
  RKT_TRY(validate_stage1_flags(flags));
  if (!flags.path.empty()) return use_fetched_file(fetcher, flags.path);
  if (!flags.url.empty()) return use_url(fetcher, flags.url);
  if (!flags.name.empty()) return use_stored_name(store, flags.name);
  if (!flags.hash.empty()) return use_stored_hash(store, flags.hash);
  if (!flags.from_dir.empty()) {
    if (flags.from_dir.find('/') != std::string::npos) {
      return Error::make(ErrorKind::invalid_argument,
                         "--stage1-from-dir takes a file name inside {}, not a path",
                         defaults.images_dir.string());
    }
    return use_trusted_file(store, defaults.images_dir / flags.from_dir);
  }
  return use_default(store, defaults);
}

}  // namespace rkt::pod
