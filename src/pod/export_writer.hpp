#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "pod/export_merge.hpp"
#include "util/result.hpp"

struct archive;

namespace rkt::pod {

/// Writes an ACI (an uncompressed pax tar: `manifest`, then `rootfs/...`) to an open descriptor,
/// with libarchive. Hard links inside the rootfs stay hard links; user.* and security.capability
/// xattrs are kept; sockets (which tar cannot hold) are left out.
class AciWriter {
 public:
  /// Starts writing to `fd` (not owned; keep it open until close()).
  static Result<AciWriter> open(int fd);
  AciWriter(AciWriter&&) noexcept = default;
  AciWriter& operator=(AciWriter&&) noexcept = default;
  ~AciWriter();

  Result<void> add_manifest(std::string_view json);
  /// Adds a rootfs entry (`entry.path` relative to the rootfs; "" is `rootfs` itself).
  Result<void> add(const TreeEntry& entry);
  /// Writes the end of the archive.
  Result<void> close();

 private:
  struct ArchiveDeleter {
    void operator()(archive* a) const;
  };
  explicit AciWriter(std::unique_ptr<archive, ArchiveDeleter> archive)
      : m_archive(std::move(archive)) {}
  Result<void> write_data(const TreeEntry& entry);
  Error archive_error(std::string_view what, std::string_view path) const;

  std::unique_ptr<archive, ArchiveDeleter> m_archive;
  std::map<std::pair<dev_t, ino_t>, std::string> m_links;  // first tar path of each multi-link file
};

}  // namespace rkt::pod
