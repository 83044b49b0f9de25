#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

#include "util/result.hpp"

namespace rkt::store {

/// What a tar entry is, as far as the layout rules care.
enum class EntryKind { regular, directory, symlink, hardlink, other };

/// One tar entry as the validator sees it.
struct TarEntryView {
  std::string_view path;  // as written in the tar
  EntryKind kind = EntryKind::regular;
  std::string_view link_target;  // symlink content or hard link target
};

/// The role of a valid entry in the image.
enum class EntryRole { manifest, rootfs };

/// Normalises a tar entry name: strips "./" and "." components, repeated and trailing slashes.
/// Absolute names and `..` components are errors (they would escape the image). "." yields "".
Result<std::string> clean_entry_path(std::string_view raw);

/// Whether symlink `link_path` (cleaned, under rootfs/) pointing to `target` stays inside rootfs/
/// (relative targets resolve from the link's directory, absolute ones from rootfs/).
bool symlink_stays_inside(std::string_view link_path, std::string_view target);

/// Checks an ACI's entries one by one against the appc layout: exactly `manifest` (regular file)
/// and `rootfs/` (+ entries under it) at top level; no absolute or `..` paths; no duplicates;
/// symlinks and hard links must stay inside rootfs/. Errors are one line naming the entry.
class AciValidator {
 public:
  Result<EntryRole> check(const TarEntryView& entry);
  /// After the last entry: the manifest and rootfs/ must both have been seen.
  Result<void> finish() const;

 private:
  Result<void> check_link(const TarEntryView& entry, const std::string& cleaned) const;
  Result<void> check_hardlink(const TarEntryView& entry) const;

  std::unordered_map<std::string, EntryKind> m_seen;
  bool m_has_manifest = false;
  bool m_has_rootfs = false;
};

}  // namespace rkt::store
