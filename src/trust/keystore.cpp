#include "trust/keystore.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <system_error>

#include "trust/gpg_session.hpp"
#include "trust/openpgp_key.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace rkt::trust {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_root_dir = "root.d";
constexpr const char* k_prefix_dir = "prefix.d";

enum class Origin { system, local };

struct TrustDir {
  fs::path path;
  Origin origin;
};

struct KeyFile {
  fs::path path;
  std::string name;
  Origin origin;
  bool empty;
};

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/// AC identifier: [a-z0-9]+([-._~/][a-z0-9]+)* (appc spec, types.ACIdentifier).
bool is_ac_identifier(std::string_view text) {
  bool need_alnum = true;
  for (char c : text) {
    if (is_lower_alnum(c)) {
      need_alnum = false;
    } else if (std::string_view("-._~/").find(c) != std::string_view::npos && !need_alnum) {
      need_alnum = true;
    } else {
      return false;
    }
  }
  return !need_alnum;
}

/// The scheme of "scheme:..." per RFC 3986 (what Go's url.Parse reports), if any.
std::optional<std::string_view> url_scheme(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view scheme = text.substr(0, colon);
  if (!std::isalpha(static_cast<unsigned char>(scheme[0]))) return std::nullopt;
  for (char c : scheme) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return std::nullopt;
    }
  }
  return scheme;
}

/// The directories whose keys apply to `name`, system before local at each level, shallow first.
std::vector<TrustDir> trust_dirs(const KeystoreConfig& config, std::string_view name) {
  std::vector<TrustDir> dirs = {{config.system_dir / k_root_dir, Origin::system},
                                {config.local_dir / k_root_dir, Origin::local}};
  fs::path relative;
  for (const std::string& component : util::split(name, '/')) {
    relative /= component;
    dirs.push_back({config.system_dir / k_prefix_dir / relative, Origin::system});
    dirs.push_back({config.local_dir / k_prefix_dir / relative, Origin::local});
  }
  return dirs;
}

/// Regular files directly in `dir` (subdirectories are deeper prefixes), sorted by name.
Result<void> list_key_files(const TrustDir& dir, std::vector<KeyFile>& out) {
  std::error_code ec;
  fs::directory_iterator it(dir.path, ec);
  if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory) return {};
  if (ec)
    return Error::from_errno(ec.value(), "reading keystore directory `{}`", dir.path.string());
  std::vector<KeyFile> files;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    // Leftovers of an interrupted write_file_atomic are not keys.
    if (name.find(".tmp-") != std::string::npos) continue;
    std::error_code stat_ec;
    if (!it->is_regular_file(stat_ec)) continue;
    uintmax_t size = it->file_size(stat_ec);
    if (stat_ec) return Error::from_errno(stat_ec.value(), "stat `{}`", it->path().string());
    files.push_back(KeyFile{it->path(), std::move(name), dir.origin, size == 0});
  }
  if (ec)
    return Error::from_errno(ec.value(), "reading keystore directory `{}`", dir.path.string());
  std::sort(files.begin(), files.end(),
            [](const KeyFile& a, const KeyFile& b) { return a.name < b.name; });
  out.insert(out.end(), files.begin(), files.end());
  return {};
}

/// Applies the override and masking rules to the files found on the walk, keeping walk order.
std::vector<KeyFile> select_keys(const std::vector<KeyFile>& files) {
  std::set<std::string> masked;
  for (const KeyFile& file : files) {
    // An empty local file distrusts the key; an empty system file carries nothing.
    if (file.empty && file.origin == Origin::local) masked.insert(file.name);
  }
  std::vector<KeyFile> chosen;
  for (const KeyFile& file : files) {
    if (file.empty || masked.contains(file.name)) continue;
    auto same = std::find_if(chosen.begin(), chosen.end(),
                             [&](const KeyFile& c) { return c.name == file.name; });
    if (same == chosen.end()) {
      chosen.push_back(file);
    } else if (!(same->origin == Origin::local && file.origin == Origin::system)) {
      *same = file;
    }
  }
  return chosen;
}

Result<std::vector<KeyFile>> applicable_key_files(const KeystoreConfig& config,
                                                  std::string_view name) {
  if (!is_ac_identifier(name)) {
    return Error::make(ErrorKind::invalid_argument,
                       "looking up trusted keys: invalid image name \"{}\": not an AC identifier",
                       name);
  }
  std::vector<KeyFile> files;
  for (const TrustDir& dir : trust_dirs(config, name)) RKT_TRY(list_key_files(dir, files));
  return select_keys(files);
}

/// Reads a key file and checks it holds exactly the key its name promises.
Result<TrustedKey> load_key(GpgSession& session, const KeyFile& file) {
  const std::string shown = file.path.string();
  RKT_TRY_ASSIGN(std::string armored, util::read_file(file.path));
  auto import = session.import_keys(armored);
  if (!import) return std::move(import).error().wrap("trusted key file `{}`", shown);
  const std::vector<std::string>& fingerprints = import->fingerprints;
  if (import->secret_keys > 0) {
    return Error::make(ErrorKind::invalid_argument,
                       "trusted key file `{}` contains a secret key; remove it", shown);
  }
  if (fingerprints.size() != 1) {
    return Error::make(ErrorKind::invalid_argument,
                       "trusted key file `{}` holds {} public keys; exactly one is expected", shown,
                       fingerprints.size());
  }
  if (fingerprints.front() != file.name) {
    return Error::make(ErrorKind::invalid_argument,
                       "trusted key file `{}`: fingerprint mismatch: the file holds key {} but is "
                       "named {}",
                       shown, fingerprints.front(), file.name);
  }
  return TrustedKey{file.path, fingerprints.front(), std::move(armored)};
}

}  // namespace

Result<void> validate_prefix(std::string_view prefix) {
  if (auto scheme = url_scheme(prefix)) {
    return Error::make(ErrorKind::invalid_argument,
                       "--prefix must not contain a URL scheme, omit {}://", *scheme);
  }
  if (!is_ac_identifier(prefix)) {
    return Error::make(ErrorKind::invalid_argument,
                       "invalid prefix \"{}\": must be an AC identifier (lowercase letters, digits "
                       "and -._~/, each separator between letters or digits)",
                       prefix);
  }
  return {};
}

Result<std::vector<TrustedKey>> Keystore::keys_for_name(std::string_view image_name) const {
  RKT_TRY_ASSIGN(std::vector<KeyFile> files, applicable_key_files(m_config, image_name));
  std::vector<TrustedKey> keys;
  if (files.empty()) return keys;
  RKT_TRY_ASSIGN(GpgSession session, GpgSession::create());
  for (const KeyFile& file : files) {
    RKT_TRY_ASSIGN(TrustedKey key, load_key(session, file));
    keys.push_back(std::move(key));
  }
  return keys;
}

Result<bool> Keystore::has_keys_for(std::string_view image_name) const {
  RKT_TRY_ASSIGN(std::vector<KeyFile> files, applicable_key_files(m_config, image_name));
  return !files.empty();
}

Result<fs::path> Keystore::store_trusted_key_prefix(std::string_view prefix,
                                                    std::string_view key_data) const {
  RKT_TRY(validate_prefix(prefix));
  return store_key(m_config.local_dir / k_prefix_dir / fs::path(prefix), key_data);
}

Result<fs::path> Keystore::store_trusted_key_root(std::string_view key_data) const {
  return store_key(m_config.local_dir / k_root_dir, key_data);
}

Result<fs::path> Keystore::store_key(const fs::path& dir, std::string_view key_data) const {
  RKT_TRY_ASSIGN(PublicKeyInfo info, inspect_public_key(key_data));
  RKT_TRY(util::make_dirs(dir, 0755));
  fs::path path = dir / info.fingerprint;
  RKT_TRY(util::write_file_atomic(path, info.armored, 0644));
  log::debug("stored trusted key {} at {}", info.fingerprint, path.string());
  return path;
}

}  // namespace rkt::trust
