#pragma once

// Builds test ACIs with the system tools, as a user would: a staging directory packed with GNU tar
// and compressed with the gzip/bzip2/xz/zstd command-line programs. tar's --transform and -P let
// tests store hostile member names (`..`, absolute paths, escaping hard links) on purpose.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rkt::functional {

namespace fs = std::filesystem;

enum class Compression { none, gzip, bzip2, xz, zstd };

/// Human name of a compression, for test names and messages.
std::string_view compression_name(Compression compression);
/// Lets GoogleTest print parameters by name.
inline void PrintTo(Compression compression, std::ostream* os) {
  *os << compression_name(compression);
}

/// A built ACI file and its image ID (over the uncompressed tar, as appc defines it).
struct BuiltAci {
  fs::path path;
  std::string id;  ///< "sha512-" + 128 hex

  /// "sha512-" + 64 hex: the store key, what `--full` prints.
  std::string key() const { return id.substr(0, 7 + 64); }
  /// "sha512-" + 32 hex: what `rkt fetch` prints.
  std::string fetch_id() const { return id.substr(0, 7 + 32); }
  /// "sha512-" + 12 hex: the short form of `rkt image list`.
  std::string list_id() const { return id.substr(0, 7 + 12); }
};

using Labels = std::vector<std::pair<std::string, std::string>>;

/// The host architecture in appc's spelling (amd64, aarch64, ...).
std::string host_appc_arch();

/// A valid ImageManifest: `name`, `labels` plus os/arch of the host unless given, and an app that
/// runs /bin/sh as root.
std::string image_manifest(std::string_view name, const Labels& labels = {});

/// The static inspect program (tests/functional/helpers/inspect.cpp) that the build made.
fs::path inspect_binary();

/// Accounts of the inspect images (AciBuilder::inspect()): /etc/passwd has user1 (1000:1000) and
/// /etc/group has group1 (1000); /owned-file belongs to 1001:1002 (for --user=/owned-file).
inline constexpr uid_t k_user1_uid = 1000;
inline constexpr gid_t k_group1_gid = 1000;
inline constexpr const char* k_owned_file = "/owned-file";
inline constexpr uid_t k_owned_file_uid = 1001;
inline constexpr gid_t k_owned_file_gid = 1002;

/// An inspect image's manifest: like image_manifest(), with an app that runs ["/inspect"] as root
/// in `/` with PATH=/bin:/; `app_patch` (a JSON object) is merged into "app" (RFC 7386 merge patch,
/// e.g. R"({"exec": ["/inspect", "--print-user"], "user": "user1"})").
std::string inspect_manifest(std::string_view name, std::string_view app_patch = "{}",
                             const Labels& labels = {});

class AciBuilder {
 public:
  /// Stages the image in `work_dir`, which must not exist yet (the caller owns its parent).
  explicit AciBuilder(fs::path work_dir);

  AciBuilder& manifest(std::string json);
  /// Leaves the manifest out of the archive.
  AciBuilder& no_manifest();
  AciBuilder& file(std::string_view rootfs_path, std::string_view content, mode_t mode = 0644);
  /// `size` bytes of seeded pseudo-random (incompressible) data.
  AciBuilder& random_file(std::string_view rootfs_path, std::uint64_t size, std::uint64_t seed);
  AciBuilder& dir(std::string_view rootfs_path, mode_t mode = 0755);
  AciBuilder& symlink(std::string_view rootfs_path, std::string_view target);
  AciBuilder& hardlink(std::string_view rootfs_path, std::string_view existing_rootfs_path);
  /// /bin/busybox from busybox-static plus sh, echo, cat, true, false, ls links.
  AciBuilder& busybox();
  /// A file stored in the archive with owner `uid`:`gid` (the rest of the image is 0:0).
  AciBuilder& owned_file(std::string_view rootfs_path, std::string_view content, uid_t uid,
                         gid_t gid, mode_t mode = 0644);
  /// The rootfs of the pod tests' images: /inspect, busybox (+ sleep, id, hostname, env, touch,
  /// mkdir links), /etc/passwd and /etc/group (see k_user1_uid), /owned-file, empty /tmp (1777).
  AciBuilder& inspect();
  /// A file beside `manifest` and `rootfs` (not allowed by appc).
  AciBuilder& top_level_file(std::string_view name, std::string_view content);
  /// Stores archive member `archive_path` ("rootfs/x") under `stored_name` ("rootfs/../../x").
  AciBuilder& rename_member(std::string_view archive_path, std::string_view stored_name);
  /// Hard links to `archive_path` get `stored_target` as their link name.
  AciBuilder& rename_link_target(std::string_view archive_path, std::string_view stored_target);
  /// Appends member `archive_path` a second time.
  AciBuilder& duplicate(std::string_view archive_path);

  /// Packs (and compresses) the image into `out`.
  BuiltAci build(const fs::path& out, Compression compression = Compression::gzip) const;

 private:
  fs::path rootfs_path(std::string_view path) const;
  fs::path m_stage;
  bool m_with_manifest = true;
  std::vector<std::string> m_top_level;
  std::vector<std::string> m_transforms;
  std::vector<std::string> m_duplicates;
  struct Owned {
    std::string archive_path;
    uid_t uid;
    gid_t gid;
  };
  std::vector<Owned> m_owned;
};

/// "sha512-<hex>" of a file's content.
std::string sha512_id_of_file(const fs::path& path);

}  // namespace rkt::functional
