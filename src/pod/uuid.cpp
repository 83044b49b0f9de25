#include "pod/uuid.hpp"

#include <sys/random.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstdint>

#include "pod/pod_list.hpp"
#include "util/file.hpp"
#include "util/strings.hpp"

namespace rkt::pod {

namespace {

constexpr size_t k_uuid_length = 36;

bool is_hyphen_position(size_t i) {
  return i == 8 || i == 13 || i == 18 || i == 23;
}

Result<std::array<uint8_t, 16>> random_bytes() {
  std::array<uint8_t, 16> bytes{};
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::getrandom(bytes.data() + done, bytes.size() - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(errno, "getrandom");
    done += static_cast<size_t>(n);
  }
  return bytes;
}

}  // namespace

Result<std::string> new_uuid() {
  RKT_TRY_ASSIGN(auto bytes, random_bytes());
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);  // version 4: random
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);  // variant: RFC 4122
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(k_uuid_length);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += k_hex[bytes[i] >> 4];
    out += k_hex[bytes[i] & 0x0f];
  }
  return out;
}

bool is_uuid(std::string_view text) {
  if (text.size() != k_uuid_length) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (is_hyphen_position(i) ? text[i] != '-'
                              : !std::isxdigit(static_cast<unsigned char>(text[i]))) {
      return false;
    }
  }
  return true;
}

Result<std::string> parse_uuid(std::string_view text) {
  if (!is_uuid(text)) return Error::make(ErrorKind::invalid_argument, "invalid UUID \"{}\"", text);
  return util::to_lower(text);
}

Result<std::string> resolve_uuid(const PodsDir& pods, std::string_view prefix) {
  const std::string wanted = util::to_lower(prefix);
  RKT_TRY_ASSIGN(auto uuids, list_pod_uuids(pods));
  std::vector<std::string> matches;
  for (auto& uuid : uuids) {
    if (util::starts_with(uuid, wanted)) matches.push_back(std::move(uuid));
  }
  if (matches.empty()) {
    return Error::make(ErrorKind::not_found, "no matches found for \"{}\"", wanted);
  }
  if (matches.size() > 1) {
    return Error::make(ErrorKind::invalid_argument, "ambiguous uuid, {} matches", matches.size());
  }
  return std::move(matches.front());
}

Result<std::string> read_uuid_file(const std::filesystem::path& path) {
  RKT_TRY_ASSIGN(auto content, util::read_file(path));
  auto uuid = parse_uuid(util::trim(content));
  if (!uuid) return std::move(uuid).error().wrap("reading UUID from `{}`", path.string());
  return uuid;
}

}  // namespace rkt::pod
