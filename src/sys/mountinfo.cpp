#include <charconv>
#include <string_view>

#include "sys/mount.hpp"
#include "util/file.hpp"
#include "util/strings.hpp"

namespace rkt::sys {

namespace {

/// mountinfo escapes space, tab, newline and backslash as \ooo (octal).
std::string unescape(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    auto digit = [&](size_t k) { return field[k] >= '0' && field[k] <= '7'; };
    if (field[i] == '\\' && i + 3 < field.size() && digit(i + 1) && digit(i + 2) && digit(i + 3)) {
      out += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 +
                               (field[i + 3] - '0'));
      i += 3;
      continue;
    }
    out += field[i];
  }
  return out;
}

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t end = line.find(' ', pos);
    if (end == std::string_view::npos) end = line.size();
    if (end > pos) fields.push_back(line.substr(pos, end - pos));
    pos = end + 1;
  }
  return fields;
}

bool parse_int(std::string_view text, int& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

Result<MountInfo> parse_line(std::string_view line) {
  auto fields = fields_of(line);
  size_t dash = 6;
  while (dash < fields.size() && fields[dash] != "-") ++dash;
  MountInfo info;
  if (fields.size() < 6 || dash + 2 >= fields.size() || !parse_int(fields[0], info.id) ||
      !parse_int(fields[1], info.parent_id)) {
    return Error::make(ErrorKind::invalid_argument, "malformed mountinfo line `{}`", line);
  }
  info.root = unescape(fields[3]);
  info.mount_point = unescape(fields[4]);
  info.options = std::string(fields[5]);
  info.fstype = std::string(fields[dash + 1]);
  info.source = unescape(fields[dash + 2]);
  if (dash + 3 < fields.size()) info.super_options = std::string(fields[dash + 3]);
  return info;
}

}  // namespace

Result<std::vector<MountInfo>> parse_mountinfo(std::string_view text) {
  std::vector<MountInfo> mounts;
  for (const auto& line : util::split(text, '\n')) {
    if (util::trim(line).empty()) continue;
    RKT_TRY_ASSIGN(auto info, parse_line(line));
    mounts.push_back(std::move(info));
  }
  return mounts;
}

Result<std::vector<MountInfo>> read_mountinfo(const fs::path& path) {
  RKT_TRY_ASSIGN(auto text, util::read_file(path));
  return parse_mountinfo(text);
}

}  // namespace rkt::sys
