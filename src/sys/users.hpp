#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sys/process.hpp"
#include "util/result.hpp"

namespace rkt::sys {

namespace fs = std::filesystem;

/// One /etc/passwd line.
struct PasswdEntry {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
  std::string shell;
};

/// One /etc/group line.
struct GroupEntry {
  std::string name;
  gid_t gid = 0;
  std::vector<std::string> members;
};

/// Parses passwd(5) text; comments, blank and malformed lines are skipped (as libc does).
std::vector<PasswdEntry> parse_passwd(std::string_view text);
/// Parses group(5) text; comments, blank and malformed lines are skipped.
std::vector<GroupEntry> parse_group(std::string_view text);
/// A uid/gid written as a decimal number (not -1, which means "unchanged" to the kernel).
std::optional<uint32_t> parse_id(std::string_view text);

/// Resolves a user spec as a process chrooted into `rootfs` would: a name (looked up in
/// <rootfs>/etc/passwd, never via NSS), a number, or an absolute path (the owner of that file
/// inside the rootfs). An empty spec means root.
Result<uid_t> resolve_user(const fs::path& rootfs, std::string_view spec);
/// The same for a group spec, with <rootfs>/etc/group and the file's group owner.
Result<gid_t> resolve_group(const fs::path& rootfs, std::string_view spec);
/// The gids of the groups in <rootfs>/etc/group that list `user_name` as a member (none if the
/// file is missing).
Result<std::vector<gid_t>> groups_of_user(const fs::path& rootfs, std::string_view user_name);
/// uid, gid and supplementary gids for an app: resolve_user, resolve_group and the given
/// supplementary gids (kept in order, duplicates dropped).
Result<Credentials> resolve_credentials(const fs::path& rootfs, std::string_view user,
                                        std::string_view group,
                                        const std::vector<int64_t>& supplementary_gids);

}  // namespace rkt::sys
