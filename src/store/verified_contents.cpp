#include "store/verified_contents.hpp"

#include <charconv>
#include <vector>

namespace rkt::store {

namespace {

/// Stamps this close to the scan are not remembered (coarse kernel timestamps, see the header).
constexpr time_t k_settle_seconds = 2;

int64_t nanoseconds(const struct timespec& ts) {
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

template <typename Number>
bool parse_number(std::string_view text, Number& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

FileStamp FileStamp::of(const struct stat& st) {
  return FileStamp{static_cast<uint64_t>(st.st_ino), static_cast<uint64_t>(st.st_size),
                   nanoseconds(st.st_mtim), nanoseconds(st.st_ctim)};
}

// One record per file: path, inode, size, mtime, ctime and hex, each ended by a NUL (paths may
// hold newlines, never NULs).
VerifiedContents VerifiedContents::parse(std::string_view text, size_t hex_size) {
  VerifiedContents contents;
  std::vector<std::string_view> fields;
  while (!text.empty()) {
    size_t nul = text.find('\0');
    if (nul == std::string_view::npos) break;
    fields.push_back(text.substr(0, nul));
    text.remove_prefix(nul + 1);
    if (fields.size() < 6) continue;
    Known known;
    if (parse_number(fields[1], known.stamp.inode) && parse_number(fields[2], known.stamp.size) &&
        parse_number(fields[3], known.stamp.mtime_ns) &&
        parse_number(fields[4], known.stamp.ctime_ns) && fields[5].size() == hex_size) {
      known.hex = std::string(fields[5]);
      contents.m_files[std::string(fields[0])] = std::move(known);
    }
    fields.clear();
  }
  return contents;
}

std::string VerifiedContents::serialize() const {
  std::string text;
  for (const auto& [path, known] : m_files) {
    for (const std::string& field :
         {path, std::to_string(known.stamp.inode), std::to_string(known.stamp.size),
          std::to_string(known.stamp.mtime_ns), std::to_string(known.stamp.ctime_ns), known.hex}) {
      text += field;
      text += '\0';
    }
  }
  return text;
}

const std::string* VerifiedContents::find(const std::string& path, const FileStamp& stamp) const {
  auto it = m_files.find(path);
  return it != m_files.end() && it->second.stamp == stamp ? &it->second.hex : nullptr;
}

void VerifiedContents::remember(const std::string& path, const FileStamp& stamp, std::string hex,
                                time_t now) {
  int64_t settled = static_cast<int64_t>(now - k_settle_seconds) * 1'000'000'000;
  if (stamp.ctime_ns >= settled || stamp.mtime_ns >= settled) return;
  m_files[path] = Known{stamp, std::move(hex)};
}

}  // namespace rkt::store
