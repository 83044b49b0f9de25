#include "store/aci_validator.hpp"

#include <vector>

#include "util/strings.hpp"

namespace rkt::store {

namespace {

constexpr std::string_view k_rootfs = "rootfs";
constexpr std::string_view k_rootfs_prefix = "rootfs/";
constexpr std::string_view k_manifest = "manifest";

Error layout_error(std::string_view path, std::string_view problem) {
  return Error::make(ErrorKind::invalid_argument, "{}: {}", path, problem);
}

/// Splits on '/', dropping empty and "." components.
std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    if (!part.empty() && part != ".") out.push_back(part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace

Result<std::string> clean_entry_path(std::string_view raw) {
  if (raw.empty()) return layout_error("(empty name)", "entry without a name");
  if (raw.front() == '/') return layout_error(raw, "absolute path in image");
  std::string cleaned;
  for (std::string_view part : components(raw)) {
    if (part == "..") return layout_error(raw, "path escapes the image");
    if (!cleaned.empty()) cleaned += '/';
    cleaned += part;
  }
  return cleaned;
}

bool symlink_stays_inside(std::string_view link_path, std::string_view target) {
  std::vector<std::string_view> stack;
  if (target.empty() || target.front() != '/') {
    // Start from the link's directory, relative to rootfs/.
    stack = components(link_path);
    if (!stack.empty() && stack.front() == k_rootfs) stack.erase(stack.begin());
    if (!stack.empty()) stack.pop_back();
  }
  for (std::string_view part : components(target)) {
    if (part != "..") {
      stack.push_back(part);
    } else if (stack.empty()) {
      return false;
    } else {
      stack.pop_back();
    }
  }
  return true;
}

Result<void> AciValidator::check_hardlink(const TarEntryView& entry) const {
  auto target = clean_entry_path(entry.link_target);
  if (!target || !util::starts_with(*target, k_rootfs_prefix)) {
    return layout_error(entry.path,
                        fmt::format("hard link target `{}` is outside rootfs/", entry.link_target));
  }
  auto it = m_seen.find(*target);
  if (it == m_seen.end() || it->second == EntryKind::directory) {
    return layout_error(
        entry.path, fmt::format("hard link target `{}` is not an earlier file", entry.link_target));
  }
  return {};
}

Result<void> AciValidator::check_link(const TarEntryView& entry, const std::string& cleaned) const {
  if (entry.kind == EntryKind::hardlink) return check_hardlink(entry);
  if (entry.kind != EntryKind::symlink) return {};
  if (entry.link_target.empty()) return layout_error(entry.path, "symlink with an empty target");
  if (!symlink_stays_inside(cleaned, entry.link_target)) {
    return layout_error(entry.path,
                        fmt::format("symlink target `{}` leaves rootfs/", entry.link_target));
  }
  return {};
}

Result<EntryRole> AciValidator::check(const TarEntryView& entry) {
  RKT_TRY_ASSIGN(std::string cleaned, clean_entry_path(entry.path));
  if (cleaned.empty()) {
    // "./": the archive's own top directory, as `tar -C dir .` writes it.
    if (entry.kind != EntryKind::directory) return layout_error(entry.path, "not a directory");
    return EntryRole::rootfs;
  }
  EntryRole role = EntryRole::rootfs;
  if (cleaned == k_manifest) {
    if (entry.kind != EntryKind::regular) return layout_error(entry.path, "not a regular file");
    m_has_manifest = true;
    role = EntryRole::manifest;
  } else if (cleaned == k_rootfs) {
    if (entry.kind != EntryKind::directory) return layout_error(entry.path, "not a directory");
  } else if (!util::starts_with(cleaned, k_rootfs_prefix)) {
    return layout_error(entry.path, "unexpected entry (an image holds only manifest and rootfs/)");
  }
  RKT_TRY(check_link(entry, cleaned));
  if (!m_seen.emplace(cleaned, entry.kind).second) {
    return layout_error(entry.path, "duplicate entry");
  }
  if (role == EntryRole::rootfs) m_has_rootfs = true;
  return role;
}

Result<void> AciValidator::finish() const {
  if (!m_has_manifest) return Error::make(ErrorKind::invalid_argument, "image has no manifest");
  if (!m_has_rootfs) return Error::make(ErrorKind::invalid_argument, "image has no rootfs/");
  return {};
}

}  // namespace rkt::store
