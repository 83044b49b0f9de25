#include "store/aci_stream.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <optional>
#include <vector>

#include "appc/manifest.hpp"
#include "store/aci_validator.hpp"
#include "store/blob_writer.hpp"
#include "store/decompressor.hpp"

namespace rkt::store {

namespace {

/// libarchive's ARCHIVE_ERRNO_FILE_FORMAT ("Unrecognized archive format") on POSIX systems; the
/// constant itself is not in the public headers.
constexpr int k_errno_file_format = EILSEQ;

using ArchivePtr = std::unique_ptr<archive, decltype(&archive_read_free)>;

std::string archive_message(archive* a) {
  const char* message = archive_error_string(a);
  return message ? message : "unknown error";
}

/// Feeds the tar reader with uncompressed blocks; every block goes through the sink first, so
/// that data the tar reader skips is still hashed and stored.
class BlockPump {
 public:
  BlockPump(Decompressor& source, BlobWriter& sink) : m_source(source), m_sink(sink) {}

  /// The next block: its size, 0 at the end, -1 on error (kept in error()).
  la_ssize_t next_block(const void** out) {
    if (m_eof) return 0;
    auto block = m_source.next();
    if (!block) {
      m_error = std::move(block).error();
      return -1;
    }
    if (block->empty()) {
      m_eof = true;
      return 0;
    }
    if (auto r = m_sink.write(block->data(), block->size()); !r) {
      m_error = std::move(r).error();
      return -1;
    }
    *out = block->data();
    return static_cast<la_ssize_t>(block->size());
  }

  /// Reads what the tar reader left (padding, trailing data) so it is hashed and stored too.
  Result<void> drain() {
    const void* block = nullptr;
    while (next_block(&block) > 0) {
    }
    if (m_error) return *m_error;
    return {};
  }

  const std::optional<Error>& error() const { return m_error; }

 private:
  Decompressor& m_source;
  BlobWriter& m_sink;
  std::optional<Error> m_error;
  bool m_eof = false;
};

la_ssize_t pull_block(archive* tar, void* client, const void** buffer) {
  auto* pump = static_cast<BlockPump*>(client);
  la_ssize_t n = pump->next_block(buffer);
  if (n < 0) archive_set_error(tar, EIO, "%s", pump->error()->message.c_str());
  return n;
}

EntryKind entry_kind(archive_entry* entry) {
  if (archive_entry_hardlink(entry)) return EntryKind::hardlink;
  switch (archive_entry_filetype(entry)) {
    case AE_IFREG:
      return EntryKind::regular;
    case AE_IFDIR:
      return EntryKind::directory;
    case AE_IFLNK:
      return EntryKind::symlink;
    default:
      return EntryKind::other;
  }
}

Result<std::string> read_manifest(archive* tar, archive_entry* entry) {
  if (archive_entry_size_is_set(entry) &&
      archive_entry_size(entry) > la_int64_t(k_max_manifest_size)) {
    return Error::make(ErrorKind::invalid_argument, "manifest: larger than {} bytes",
                       k_max_manifest_size);
  }
  std::string json;
  char buffer[65536];
  while (true) {
    la_ssize_t n = archive_read_data(tar, buffer, sizeof buffer);
    if (n < 0)
      return Error::make(ErrorKind::invalid_argument, "manifest: {}", archive_message(tar));
    if (n == 0) break;
    json.append(buffer, static_cast<size_t>(n));
    if (json.size() > k_max_manifest_size) {
      return Error::make(ErrorKind::invalid_argument, "manifest: larger than {} bytes",
                         k_max_manifest_size);
    }
  }
  return json;
}

/// Archive B: the tar reader over the decompressed blocks. Walks every entry, validating the
/// layout and reading the manifest; skipped data still flows through Decompressor::next_block.
class TarWalker {
 public:
  TarWalker(BlockPump& source, std::string_view name)
      : m_tar(archive_read_new(), &archive_read_free), m_source(source), m_name(name) {}

  Result<std::string> walk() {
    archive* tar = m_tar.get();
    archive_read_support_format_tar(tar);
    if (archive_read_open(tar, &m_source, nullptr, &pull_block, nullptr) != ARCHIVE_OK) {
      return tar_error(0);
    }
    std::optional<std::string> manifest;
    for (size_t index = 0;; ++index) {
      archive_entry* entry = nullptr;
      int rc = archive_read_next_header(tar, &entry);
      if (rc == ARCHIVE_EOF) break;
      if (rc < ARCHIVE_WARN) return tar_error(index);
      RKT_TRY_ASSIGN(EntryRole role, check_entry(entry));
      if (role == EntryRole::manifest) {
        RKT_TRY_ASSIGN(manifest, read_manifest(tar, entry));
      } else if (archive_read_data_skip(tar) < ARCHIVE_WARN) {
        return tar_error(index);
      }
    }
    RKT_TRY(m_validator.finish());
    return std::move(*manifest);
  }

 private:
  Result<EntryRole> check_entry(archive_entry* entry) {
    const char* path = archive_entry_pathname(entry);
    EntryKind kind = entry_kind(entry);
    const char* target = kind == EntryKind::hardlink  ? archive_entry_hardlink(entry)
                         : kind == EntryKind::symlink ? archive_entry_symlink(entry)
                                                      : nullptr;
    return m_validator.check(
        TarEntryView{path ? path : "", kind, target ? std::string_view(target) : ""});
  }

  Error tar_error(size_t index) {
    if (m_source.error()) return *m_source.error();
    archive* tar = m_tar.get();
    if (index == 0 && archive_errno(tar) == k_errno_file_format) {
      return Error::make(ErrorKind::invalid_argument, "{}: unknown image filetype", m_name);
    }
    return Error::make(ErrorKind::invalid_argument, "{}: invalid tar: {}", m_name,
                       archive_message(tar));
  }

  ArchivePtr m_tar;
  BlockPump& m_source;
  std::string_view m_name;
  AciValidator m_validator;
};

}  // namespace

Result<StreamedAci> stream_aci(Decompressor& in, int out_fd, std::string_view source) {
  BlobWriter sink(out_fd, source);
  BlockPump pump(in, sink);
  TarWalker walker(pump, source);
  RKT_TRY_ASSIGN(std::string manifest_json, walker.walk());
  RKT_TRY(pump.drain());
  RKT_TRY_ASSIGN(BlobDigest digest, sink.finish());
  auto manifest = appc::parse_image_manifest(manifest_json);
  if (!manifest) return std::move(manifest).error().wrap("manifest");
  StreamedAci out;
  out.size = digest.size;
  out.sha512_hex = std::move(digest.sha512_hex);
  out.manifest_json = std::move(manifest_json);
  out.manifest = std::move(manifest).value();
  return out;
}

}  // namespace rkt::store
