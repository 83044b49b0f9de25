#include "pod/id_ranges.hpp"

#include <unistd.h>

#include <algorithm>
#include <random>

#include "util/file.hpp"
#include "util/strings.hpp"

namespace rkt::pod {

namespace fs = std::filesystem;

sys::IdRange id_range_of_slot(uint32_t index) {
  return sys::IdRange{.base = (k_first_id_slot + index) * k_id_range_size,
                      .count = k_id_range_size};
}

uint32_t random_id_slot() {
  std::random_device random;
  return std::uniform_int_distribution<uint32_t>(0, k_id_slot_count - 1)(random);
}

Result<sys::IdRange> IdRangeRegistry::claim(std::string_view uuid, uint32_t first_slot) const {
  if (!util::is_dir(m_dir)) RKT_TRY(util::make_dirs(m_dir, 0700));
  fs::path claim_file = m_dir / fmt::format(".claim-{}-{}", uuid, ::getpid());
  RKT_TRY(util::write_file_atomic(claim_file, uuid, 0600, util::Durability::no_fsync));
  for (uint32_t i = 0; i < k_id_slot_count; ++i) {
    sys::IdRange range = id_range_of_slot((first_slot + i) % k_id_slot_count);
    fs::path name = m_dir / std::to_string(range.base);
    if (::link(claim_file.c_str(), name.c_str()) == 0) {
      ::unlink(claim_file.c_str());
      return range;
    }
    if (errno != EEXIST) {
      int saved = errno;
      ::unlink(claim_file.c_str());
      return Error::from_errno(saved, "claiming `{}`", name.string());
    }
  }
  ::unlink(claim_file.c_str());
  return Error::make(ErrorKind::conflict, "no free UID range left for --private-users ({} in use)",
                     k_id_slot_count);
}

Result<void> IdRangeRegistry::release(const sys::IdRange& range, std::string_view uuid) const {
  fs::path name = m_dir / std::to_string(range.base);
  auto holder = util::read_file(name);
  if (!holder) return {};  // never claimed, or released already
  if (util::trim(*holder) != uuid) return {};
  if (::unlink(name.c_str()) != 0 && errno != ENOENT) {
    return Error::from_errno(errno, "remove `{}`", name.string());
  }
  return {};
}

Result<std::vector<std::pair<sys::IdRange, std::string>>> IdRangeRegistry::claims() const {
  std::vector<std::pair<sys::IdRange, std::string>> found;
  if (!util::is_dir(m_dir)) return found;
  std::error_code ec;
  for (fs::directory_iterator it(m_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.empty() || name.front() == '.') continue;
    auto range = sys::parse_id_range(name + ":" + std::to_string(k_id_range_size));
    if (!range) continue;
    RKT_TRY_ASSIGN(std::string holder, util::read_file(it->path()));
    found.emplace_back(*range, std::string(util::trim(holder)));
  }
  if (ec) return Error::from_errno(ec.value(), "read `{}`", m_dir.string());
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first.base < b.first.base; });
  return found;
}

}  // namespace rkt::pod
