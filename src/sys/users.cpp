#include "sys/users.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>

#include "sys/path_in_root.hpp"
#include "util/file.hpp"
#include "util/strings.hpp"

namespace rkt::sys {

std::optional<uint32_t> parse_id(std::string_view text) {
  uint32_t value = 0;
  if (text.empty() || text.front() == '+' || text.front() == '-') return std::nullopt;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value == UINT32_MAX) {
    return std::nullopt;
  }
  return value;
}

namespace {

/// The ':'-separated fields of a database line, or nothing for comments and blank lines.
std::vector<std::string> fields_of(std::string_view line) {
  if (line.empty() || line.front() == '#' || util::trim(line).empty()) return {};
  return util::split(line, ':');
}

}  // namespace

std::vector<PasswdEntry> parse_passwd(std::string_view text) {
  std::vector<PasswdEntry> entries;
  for (const auto& line : util::split(text, '\n')) {
    auto fields = fields_of(line);
    if (fields.size() < 7 || fields[0].empty()) continue;
    auto uid = parse_id(fields[2]);
    auto gid = parse_id(fields[3]);
    if (!uid || !gid) continue;
    entries.push_back({fields[0], *uid, *gid, fields[5], fields[6]});
  }
  return entries;
}

std::vector<GroupEntry> parse_group(std::string_view text) {
  std::vector<GroupEntry> entries;
  for (const auto& line : util::split(text, '\n')) {
    auto fields = fields_of(line);
    if (fields.size() < 4 || fields[0].empty()) continue;
    auto gid = parse_id(fields[2]);
    if (!gid) continue;
    GroupEntry entry{fields[0], *gid, {}};
    for (auto& member : util::split(fields[3], ',')) {
      if (!member.empty()) entry.members.push_back(std::string(util::trim(member)));
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

namespace {

struct Owner {
  uid_t uid;
  gid_t gid;
};

Result<Owner> owner_of(const fs::path& rootfs, std::string_view path, std::string_view what) {
  RKT_TRY_ASSIGN(auto host_path, resolve_in_root(rootfs, path));
  struct stat st {};
  if (::stat(host_path.c_str(), &st) != 0) {
    return Error::from_errno(errno, "{} \"{}\": stat `{}`", what, path, host_path.string());
  }
  return Owner{st.st_uid, st.st_gid};
}

/// Reads <rootfs>/<etc_file> (resolved as inside the rootfs); `shown_path` gets the host path.
Result<std::string> read_database(const fs::path& rootfs, std::string_view etc_file,
                                  fs::path& shown_path) {
  RKT_TRY_ASSIGN(shown_path, resolve_in_root(rootfs, etc_file));
  return util::read_file(shown_path);
}

}  // namespace

Result<uid_t> resolve_user(const fs::path& rootfs, std::string_view spec) {
  if (spec.empty()) return uid_t{0};
  if (auto id = parse_id(spec)) return *id;
  if (spec.front() == '/') {
    RKT_TRY_ASSIGN(auto owner, owner_of(rootfs, spec, "user"));
    return owner.uid;
  }
  fs::path file;
  auto text = read_database(rootfs, "/etc/passwd", file);
  if (!text) return std::move(text).error().wrap("user \"{}\"", spec);
  for (const auto& entry : parse_passwd(*text)) {
    if (entry.name == spec) return entry.uid;
  }
  return Error::make(ErrorKind::not_found, "user \"{}\" not found in {}", spec, file.string());
}

Result<gid_t> resolve_group(const fs::path& rootfs, std::string_view spec) {
  if (spec.empty()) return gid_t{0};
  if (auto id = parse_id(spec)) return *id;
  if (spec.front() == '/') {
    RKT_TRY_ASSIGN(auto owner, owner_of(rootfs, spec, "group"));
    return owner.gid;
  }
  fs::path file;
  auto text = read_database(rootfs, "/etc/group", file);
  if (!text) return std::move(text).error().wrap("group \"{}\"", spec);
  for (const auto& entry : parse_group(*text)) {
    if (entry.name == spec) return entry.gid;
  }
  return Error::make(ErrorKind::not_found, "group \"{}\" not found in {}", spec, file.string());
}

Result<std::vector<gid_t>> groups_of_user(const fs::path& rootfs, std::string_view user_name) {
  fs::path file;
  auto text = read_database(rootfs, "/etc/group", file);
  if (!text) {
    if (text.error().sys_errno == ENOENT) return std::vector<gid_t>{};
    return std::move(text).error();
  }
  std::vector<gid_t> gids;
  for (const auto& entry : parse_group(*text)) {
    if (std::find(entry.members.begin(), entry.members.end(), user_name) != entry.members.end()) {
      gids.push_back(entry.gid);
    }
  }
  return gids;
}

Result<Credentials> resolve_credentials(const fs::path& rootfs, std::string_view user,
                                        std::string_view group,
                                        const std::vector<int64_t>& supplementary_gids) {
  Credentials creds;
  RKT_TRY_ASSIGN(creds.uid, resolve_user(rootfs, user));
  RKT_TRY_ASSIGN(creds.gid, resolve_group(rootfs, group));
  for (int64_t gid : supplementary_gids) {
    if (gid < 0 || gid >= UINT32_MAX) {
      return Error::make(ErrorKind::invalid_argument, "invalid supplementary gid {}", gid);
    }
    auto g = static_cast<gid_t>(gid);
    if (std::find(creds.groups.begin(), creds.groups.end(), g) == creds.groups.end()) {
      creds.groups.push_back(g);
    }
  }
  return creds;
}

}  // namespace rkt::sys
