#pragma once

// Builds ACI files (tar, optionally compressed) in memory for tests, with arbitrary and
// deliberately malformed entries (duplicates, absolute and `..` paths, escaping links).
// Header-only; libarchive's writer does not sanitise paths, so what you add is what ends up in the
// tar.

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rkt::test {

/// Compression of the ACI file; the image ID is always over the uncompressed tar.
enum class Compression { none, gzip, bzip2, xz, zstd };

/// One tar entry, written as is.
struct TarEntry {
  enum class Type { file, dir, symlink, hardlink, fifo, char_device, block_device };
  std::string path;
  Type type = Type::file;
  std::string content;      // regular files
  std::string link_target;  // symlinks and hard links
  mode_t mode = 0644;       // permission bits only
  int64_t uid = 0;
  int64_t gid = 0;
  int64_t mtime = 1500000000;
  unsigned dev_major = 0;  // devices
  unsigned dev_minor = 0;
};

/// A minimal valid appc image manifest for `name` with `labels` ({name, value} pairs).
inline std::string image_manifest_json(
    std::string_view name, const std::vector<std::pair<std::string, std::string>>& labels = {},
    std::string_view extra_fields = {}) {
  std::string json = R"({"acKind":"ImageManifest","acVersion":"0.8.11","name":")";
  json += name;
  json += R"(","labels":[)";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) json += ',';
    json += R"({"name":")" + labels[i].first + R"(","value":")" + labels[i].second + R"("})";
  }
  json += ']';
  if (!extra_fields.empty()) {
    json += ',';
    json += extra_fields;
  }
  json += '}';
  return json;
}

/// Collects entries and serialises them as a pax tar, compressed on request.
class AciBuilder {
 public:
  using Type = TarEntry::Type;

  /// A typical valid image: manifest, rootfs/, rootfs/etc/hello ("hello <name>").
  static AciBuilder simple(std::string_view name,
                           const std::vector<std::pair<std::string, std::string>>& labels = {}) {
    AciBuilder b;
    b.manifest(image_manifest_json(name, labels));
    b.dir("rootfs");
    b.dir("rootfs/etc");
    b.file("rootfs/etc/hello", "hello " + std::string(name) + "\n");
    return b;
  }

  AciBuilder& entry(TarEntry e) {
    m_entries.push_back(std::move(e));
    return *this;
  }
  /// The `manifest` entry (a regular file at top level).
  AciBuilder& manifest(std::string json) { return file("manifest", std::move(json)); }
  AciBuilder& file(std::string path, std::string content, mode_t mode = 0644) {
    TarEntry e;
    e.path = std::move(path);
    e.content = std::move(content);
    e.mode = mode;
    return entry(std::move(e));
  }
  AciBuilder& dir(std::string path, mode_t mode = 0755) {
    TarEntry e;
    e.path = std::move(path);
    e.type = Type::dir;
    e.mode = mode;
    return entry(std::move(e));
  }
  AciBuilder& symlink(std::string path, std::string target) {
    TarEntry e;
    e.path = std::move(path);
    e.type = Type::symlink;
    e.link_target = std::move(target);
    e.mode = 0777;
    return entry(std::move(e));
  }
  /// A hard link `path` to the earlier entry `target` (a path inside the tar).
  AciBuilder& hardlink(std::string path, std::string target) {
    TarEntry e;
    e.path = std::move(path);
    e.type = Type::hardlink;
    e.link_target = std::move(target);
    return entry(std::move(e));
  }
  const std::vector<TarEntry>& entries() const { return m_entries; }

  /// The uncompressed tar bytes; the image ID is "sha512-" + util::sha512_hex(tar()).
  std::string tar() const {
    std::string out;
    archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    check(a, archive_write_open(a, &out, nullptr, &append_cb, nullptr), "open");
    for (const auto& e : m_entries) write_entry(a, e);
    check(a, archive_write_close(a), "close");
    archive_write_free(a);
    return out;
  }

  /// The ACI file content with `compression`.
  std::string build(Compression compression = Compression::none) const {
    return compress(tar(), compression);
  }

  /// Writes build(compression) to `path`.
  void write(const std::filesystem::path& path, Compression compression = Compression::none) const {
    write_bytes(path, build(compression));
  }

  /// Compresses arbitrary bytes (e.g. a tar with trailing garbage) with `compression`.
  static std::string compress(std::string_view data, Compression compression) {
    if (compression == Compression::none) return std::string(data);
    std::string out;
    archive* a = archive_write_new();
    archive_write_set_format_raw(a);
    add_filter(a, compression);
    archive_write_set_bytes_per_block(a, 0);  // no padding after the compressed stream
    check(a, archive_write_open(a, &out, nullptr, &append_cb, nullptr), "open");
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, "data");
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_size(entry, static_cast<la_int64_t>(data.size()));
    check(a, archive_write_header(a, entry), "header");
    archive_entry_free(entry);
    if (!data.empty() && archive_write_data(a, data.data(), data.size()) < 0) {
      check(a, ARCHIVE_FATAL, "data");
    }
    check(a, archive_write_close(a), "close");
    archive_write_free(a);
    return out;
  }

  static void write_bytes(const std::filesystem::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("aci_builder: cannot write " + path.string());
  }

  /// Conventional file name suffix for `compression` (".aci" for all; kept for readable test dirs).
  static const char* suffix(Compression compression) {
    switch (compression) {
      case Compression::none:
        return ".tar.aci";
      case Compression::gzip:
        return ".gz.aci";
      case Compression::bzip2:
        return ".bz2.aci";
      case Compression::xz:
        return ".xz.aci";
      case Compression::zstd:
        return ".zst.aci";
    }
    return ".aci";
  }

 private:
  static la_ssize_t append_cb(archive*, void* client, const void* buf, size_t size) {
    static_cast<std::string*>(client)->append(static_cast<const char*>(buf), size);
    return static_cast<la_ssize_t>(size);
  }

  static void check(archive* a, int rc, const char* what) {
    if (rc >= ARCHIVE_WARN) return;
    std::string msg = std::string("aci_builder: ") + what + ": " +
                      (archive_error_string(a) ? archive_error_string(a) : "?");
    archive_write_free(a);
    throw std::runtime_error(msg);
  }

  static void add_filter(archive* a, Compression compression) {
    int rc = ARCHIVE_OK;
    switch (compression) {
      case Compression::none:
        break;
      case Compression::gzip:
        rc = archive_write_add_filter_gzip(a);
        break;
      case Compression::bzip2:
        rc = archive_write_add_filter_bzip2(a);
        break;
      case Compression::xz:
        rc = archive_write_add_filter_xz(a);
        break;
      case Compression::zstd:
        rc = archive_write_add_filter_zstd(a);
        break;
    }
    check(a, rc, "add filter");
  }

  static unsigned filetype(Type type) {
    switch (type) {
      case Type::file:
        return AE_IFREG;
      case Type::dir:
        return AE_IFDIR;
      case Type::symlink:
        return AE_IFLNK;
      case Type::hardlink:
        return AE_IFREG;
      case Type::fifo:
        return AE_IFIFO;
      case Type::char_device:
        return AE_IFCHR;
      case Type::block_device:
        return AE_IFBLK;
    }
    return AE_IFREG;
  }

  static void write_entry(archive* a, const TarEntry& e) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.path.c_str());
    archive_entry_set_filetype(entry, filetype(e.type));
    archive_entry_set_perm(entry, e.mode);
    archive_entry_set_uid(entry, e.uid);
    archive_entry_set_gid(entry, e.gid);
    archive_entry_set_mtime(entry, e.mtime, 0);
    if (e.type == Type::symlink) archive_entry_set_symlink(entry, e.link_target.c_str());
    if (e.type == Type::hardlink) archive_entry_set_hardlink(entry, e.link_target.c_str());
    if (e.type == Type::char_device || e.type == Type::block_device) {
      archive_entry_set_rdev(entry, makedev(e.dev_major, e.dev_minor));
    }
    const bool has_data = e.type == Type::file;
    archive_entry_set_size(entry, has_data ? static_cast<la_int64_t>(e.content.size()) : 0);
    int rc = archive_write_header(a, entry);
    archive_entry_free(entry);
    check(a, rc, "header");
    if (has_data && !e.content.empty() &&
        archive_write_data(a, e.content.data(), e.content.size()) < 0) {
      check(a, ARCHIVE_FATAL, "data");
    }
  }

  std::vector<TarEntry> m_entries;
};

}  // namespace rkt::test
