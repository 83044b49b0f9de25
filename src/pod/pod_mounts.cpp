#include "pod/pod_mounts.hpp"

#include <sys/mount.h>

#include <algorithm>
#include <cerrno>

#include "util/file.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace rkt::pod {

namespace fs = std::filesystem;

namespace {

bool is_octal(char c) {
  return c >= '0' && c <= '7';
}

/// mountinfo escapes space, tab, newline and backslash as \ooo (octal).
std::string unescape_octal(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && is_octal(text[i + 1]) && is_octal(text[i + 2]) &&
        is_octal(text[i + 3])) {
      out += static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 +
                               (text[i + 3] - '0'));
      i += 3;
    } else {
      out += text[i];
    }
  }
  return out;
}

size_t depth(const std::string& path) {
  return static_cast<size_t>(std::count(path.begin(), path.end(), '/'));
}

Result<void> unmount_one(const std::string& target) {
  // Private first: if the pod dir sits in a shared mount, a plain unmount would propagate.
  ::mount(nullptr, target.c_str(), nullptr, MS_PRIVATE | MS_REC, nullptr);
  if (::umount2(target.c_str(), UMOUNT_NOFOLLOW) == 0 || errno == EINVAL || errno == ENOENT) {
    return {};
  }
  if (errno == EBUSY && ::umount2(target.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) return {};
  return Error::from_errno(errno, "unmount `{}`", target);
}

}  // namespace

Result<std::vector<std::string>> mount_points_from_mountinfo(std::string_view text) {
  std::vector<std::string> points;
  for (const auto& line : util::split(text, '\n')) {
    if (util::trim(line).empty()) continue;
    auto fields = util::split(line, ' ');
    if (fields.size() < 5) {
      return Error::make(ErrorKind::invalid_argument, "malformed mountinfo line \"{}\"", line);
    }
    points.push_back(unescape_octal(fields[4]));
  }
  return points;
}

std::vector<std::string> mounts_under(const std::vector<std::string>& mount_points,
                                      const fs::path& dir) {
  const std::string base = dir.lexically_normal().string();
  std::vector<std::string> found;
  for (const auto& point : mount_points) {
    if (point == base || util::starts_with(point, base + "/")) found.push_back(point);
  }
  // Deepest first; among equals, the later mount (on top) first.
  std::reverse(found.begin(), found.end());
  std::stable_sort(found.begin(), found.end(),
                   [](const std::string& a, const std::string& b) { return depth(a) > depth(b); });
  return found;
}

Result<void> unmount_all_under(const fs::path& dir) {
  RKT_TRY_ASSIGN(auto text, util::read_file("/proc/self/mountinfo"));
  RKT_TRY_ASSIGN(auto points, mount_points_from_mountinfo(text));
  for (const auto& target : mounts_under(points, dir)) {
    log::debug("unmounting leftover mount `{}`", target);
    if (auto r = unmount_one(target); !r) log::warn("{}", r.error().message);
  }
  RKT_TRY_ASSIGN(auto after, util::read_file("/proc/self/mountinfo"));
  RKT_TRY_ASSIGN(auto left, mount_points_from_mountinfo(after));
  auto remaining = mounts_under(left, dir);
  if (!remaining.empty()) {
    return Error::make(ErrorKind::conflict, "`{}` is still mounted", remaining.front());
  }
  return {};
}

}  // namespace rkt::pod
