#include "image/aci_file.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "appc/manifest.hpp"
#include "util/digest.hpp"

namespace rkt::image {

namespace {

using ArchivePtr = std::unique_ptr<archive, decltype(&archive_read_free)>;

constexpr size_t k_max_manifest_size = 1 << 20;

Result<ArchivePtr> open_archive(const std::filesystem::path& path, bool raw) {
  ArchivePtr a(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(a.get());
  if (raw) {
    archive_read_support_format_raw(a.get());
  } else {
    archive_read_support_format_tar(a.get());
  }
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return Error::make(ErrorKind::invalid_argument, "reading {}: {}", path.string(),
                       archive_error_string(a.get()));
  }
  return a;
}

}  // namespace

Result<appc::ImageManifest> read_aci_manifest(const std::filesystem::path& aci) {
  RKT_TRY_ASSIGN(ArchivePtr a, open_archive(aci, false));
  archive_entry* entry = nullptr;
  int status;
  while ((status = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
    std::string name = archive_entry_pathname(entry);
    if (name != "manifest" && name != "./manifest") continue;
    if (archive_entry_size(entry) > static_cast<la_int64_t>(k_max_manifest_size)) {
      return Error::make(ErrorKind::invalid_argument, "{}: manifest is too large", aci.string());
    }
    std::string text(static_cast<size_t>(archive_entry_size(entry)), '\0');
    if (archive_read_data(a.get(), text.data(), text.size()) != static_cast<la_ssize_t>(text.size())) {
      return Error::make(ErrorKind::invalid_argument, "{}: reading manifest: {}", aci.string(),
                         archive_error_string(a.get()));
    }
    auto manifest = appc::parse_image_manifest(text);
    if (!manifest) return std::move(manifest).error().wrap("{}: invalid manifest", aci.string());
    return manifest;
  }
  if (status != ARCHIVE_EOF) {
    return Error::make(ErrorKind::invalid_argument, "{}: {}", aci.string(),
                       archive_error_string(a.get()));
  }
  return Error::make(ErrorKind::invalid_argument, "{}: image has no manifest", aci.string());
}

Result<std::string> compute_image_id(const std::filesystem::path& aci) {
  RKT_TRY_ASSIGN(ArchivePtr a, open_archive(aci, true));
  archive_entry* entry = nullptr;
  if (archive_read_next_header(a.get(), &entry) != ARCHIVE_OK) {
    return Error::make(ErrorKind::invalid_argument, "{}: {}", aci.string(),
                       archive_error_string(a.get()));
  }
  util::Digest digest(util::DigestAlgorithm::sha512);
  std::string buffer(1 << 16, '\0');
  while (true) {
    la_ssize_t n = archive_read_data(a.get(), buffer.data(), buffer.size());
    if (n < 0) {
      return Error::make(ErrorKind::invalid_argument, "{}: {}", aci.string(),
                         archive_error_string(a.get()));
    }
    if (n == 0) break;
    digest.update(buffer.data(), static_cast<size_t>(n));
  }
  return "sha512-" + digest.hex();
}

}  // namespace rkt::image
