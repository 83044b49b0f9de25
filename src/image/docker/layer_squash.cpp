#include "image/docker/layer_squash.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "util/strings.hpp"

namespace rkt::image::docker {

namespace {

using ReadPtr = std::unique_ptr<archive, decltype(&archive_read_free)>;
using WritePtr = std::unique_ptr<archive, decltype(&archive_write_free)>;
using EntryPtr = std::unique_ptr<archive_entry, decltype(&archive_entry_free)>;

constexpr std::string_view k_whiteout = ".wh.";
constexpr std::string_view k_opaque = ".wh..wh..opq";
constexpr size_t k_scan_threads = 4;

Result<ReadPtr> open_layer(const std::filesystem::path& path) {
  ReadPtr a(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 17) != ARCHIVE_OK) {
    return Error::make(ErrorKind::invalid_argument, "layer {}: {}", path.filename().string(),
                       archive_error_string(a.get()));
  }
  return a;
}

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// What the layers above the current one removed or replaced.
struct Hidden {
  std::unordered_set<std::string> removed;  // this path and everything below it
  std::unordered_set<std::string> emptied;  // everything below this path (opaque dirs)

  bool hides(const std::string& path) const {
    if (removed.count(path) != 0) return true;
    for (std::string dir = parent_of(path);; dir = parent_of(dir)) {
      if (removed.count(dir) != 0 || emptied.count(dir) != 0) return true;
      if (dir.empty()) return false;
    }
  }
};

/// Pass 1, top layer first: which layer provides each visible path, and the directories' headers.
struct Plan {
  std::vector<std::unordered_set<std::string>> chosen;  // per layer
  std::map<std::string, EntryPtr> directories;          // sorted: parents first
};

/// One entry of a layer as the plan needs it.
struct ScannedEntry {
  enum class Kind { other, directory, whiteout, opaque };
  Kind kind;
  std::string path;  // whiteout: the path it deletes; opaque: the directory it empties
  EntryPtr header{nullptr, archive_entry_free};  // directories only
};

/// Reads a layer's entries (no data kept). Layers are scanned in parallel: each is a full
/// decompression pass.
Result<std::vector<ScannedEntry>> scan_layer(const std::filesystem::path& layer) {
  RKT_TRY_ASSIGN(ReadPtr a, open_layer(layer));
  std::vector<ScannedEntry> entries;
  archive_entry* entry = nullptr;
  int status;
  while ((status = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
    std::string path = normalize_layer_path(archive_entry_pathname(entry));
    if (path.empty()) continue;
    std::string base = base_of(path);
    if (base == k_opaque) {
      entries.push_back({ScannedEntry::Kind::opaque, parent_of(path)});
    } else if (util::starts_with(base, k_whiteout)) {
      std::string parent = parent_of(path);
      entries.push_back({ScannedEntry::Kind::whiteout,
                         (parent.empty() ? "" : parent + "/") + base.substr(k_whiteout.size())});
    } else if (archive_entry_filetype(entry) == AE_IFDIR) {
      entries.push_back({ScannedEntry::Kind::directory, std::move(path),
                         EntryPtr(archive_entry_clone(entry), archive_entry_free)});
    } else {
      entries.push_back({ScannedEntry::Kind::other, std::move(path)});
    }
  }
  if (status != ARCHIVE_EOF) {
    return Error::make(ErrorKind::invalid_argument, "layer {}: {}", layer.filename().string(),
                       archive_error_string(a.get()));
  }
  return entries;
}

Result<std::vector<std::vector<ScannedEntry>>> scan_layers(
    const std::vector<std::filesystem::path>& layers) {
  std::vector<std::optional<Result<std::vector<ScannedEntry>>>> results(layers.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < layers.size(); i = next++)
      results[i].emplace(scan_layer(layers[i]));
  };
  std::vector<std::thread> threads;
  for (size_t i = 0; i < std::min<size_t>(k_scan_threads, layers.size()); ++i) {
    threads.emplace_back(worker);
  }
  for (std::thread& thread : threads) thread.join();
  std::vector<std::vector<ScannedEntry>> out;
  for (auto& result : results) {
    if (!*result) return std::move(*result).error();
    out.push_back(std::move(**result));
  }
  return out;
}

/// Pass 1 for one layer, top layer first: which of its entries stay visible.
void plan_layer(std::vector<ScannedEntry>& entries, size_t index, Hidden& hidden, Plan& plan,
                std::unordered_set<std::string>& taken) {
  Hidden added;
  for (ScannedEntry& entry : entries) {
    switch (entry.kind) {
      case ScannedEntry::Kind::opaque:
        added.emptied.insert(entry.path);
        continue;
      case ScannedEntry::Kind::whiteout:
        added.removed.insert(entry.path);
        continue;
      default:
        break;
    }
    if (hidden.hides(entry.path) || !taken.insert(entry.path).second) continue;
    if (entry.kind == ScannedEntry::Kind::directory) {
      plan.directories.emplace(entry.path, std::move(entry.header));
    } else {
      plan.chosen[index].insert(entry.path);
      added.removed.insert(entry.path);  // a non-directory hides what lower layers have below it
    }
  }
  hidden.removed.insert(added.removed.begin(), added.removed.end());
  hidden.emptied.insert(added.emptied.begin(), added.emptied.end());
}

Result<void> write_header(archive* out, archive_entry* entry, const std::string& path) {
  archive_entry_set_pathname(entry, ("rootfs/" + path).c_str());
  if (const char* link = archive_entry_hardlink(entry)) {
    archive_entry_set_hardlink(entry, ("rootfs/" + normalize_layer_path(link)).c_str());
  }
  if (archive_write_header(out, entry) != ARCHIVE_OK) {
    return Error::make(ErrorKind::io, "writing {}: {}", path, archive_error_string(out));
  }
  return {};
}

Result<void> copy_chosen(const std::filesystem::path& layer,
                         const std::unordered_set<std::string>& chosen, archive* out) {
  if (chosen.empty()) return {};
  RKT_TRY_ASSIGN(ReadPtr a, open_layer(layer));
  archive_entry* entry = nullptr;
  std::string buffer(1 << 17, '\0');
  while (archive_read_next_header(a.get(), &entry) == ARCHIVE_OK) {
    std::string path = normalize_layer_path(archive_entry_pathname(entry));
    if (chosen.count(path) == 0) continue;
    RKT_TRY(write_header(out, entry, path));
    while (true) {
      la_ssize_t n = archive_read_data(a.get(), buffer.data(), buffer.size());
      if (n < 0) {
        return Error::make(ErrorKind::invalid_argument, "layer {}: {}", layer.filename().string(),
                           archive_error_string(a.get()));
      }
      if (n == 0) break;
      if (archive_write_data(out, buffer.data(), static_cast<size_t>(n)) != n) {
        return Error::make(ErrorKind::io, "writing {}: {}", path, archive_error_string(out));
      }
    }
  }
  return {};
}

Result<void> write_manifest(archive* out, std::string_view manifest_json) {
  EntryPtr entry(archive_entry_new(), archive_entry_free);
  archive_entry_set_pathname(entry.get(), "manifest");
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_perm(entry.get(), 0644);
  archive_entry_set_size(entry.get(), static_cast<la_int64_t>(manifest_json.size()));
  archive_entry_set_mtime(entry.get(), 0, 0);
  if (archive_write_header(out, entry.get()) != ARCHIVE_OK ||
      archive_write_data(out, manifest_json.data(), manifest_json.size()) !=
          static_cast<la_ssize_t>(manifest_json.size())) {
    return Error::make(ErrorKind::io, "writing the manifest: {}", archive_error_string(out));
  }
  archive_entry_clear(entry.get());
  archive_entry_set_pathname(entry.get(), "rootfs");
  archive_entry_set_filetype(entry.get(), AE_IFDIR);
  archive_entry_set_perm(entry.get(), 0755);
  archive_entry_set_mtime(entry.get(), 0, 0);
  if (archive_write_header(out, entry.get()) != ARCHIVE_OK) {
    return Error::make(ErrorKind::io, "writing rootfs/: {}", archive_error_string(out));
  }
  return {};
}

/// libarchive's write callback: the block goes to every output in turn (a pipe whose reader
/// stopped fails the squash with EPIPE).
la_ssize_t write_to_all(archive* out, void* client, const void* buffer, size_t size) {
  const auto& fds = *static_cast<const std::vector<int>*>(client);
  for (int fd : fds) {
    const char* data = static_cast<const char*>(buffer);
    for (size_t left = size; left > 0;) {
      ssize_t n = ::write(fd, data, left);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        archive_set_error(out, errno, "%s", std::strerror(errno));
        return -1;
      }
      data += n;
      left -= static_cast<size_t>(n);
    }
  }
  return static_cast<la_ssize_t>(size);
}

}  // namespace

std::string normalize_layer_path(std::string_view path) {
  while (util::starts_with(path, "./")) path.remove_prefix(2);
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path == ".") return {};
  return std::string(path);
}

Result<void> squash_layers(const std::vector<std::filesystem::path>& layers,
                           std::string_view manifest_json, const std::vector<int>& out_fds) {
  Plan plan;
  plan.chosen.resize(layers.size());
  Hidden hidden;
  std::unordered_set<std::string> taken;
  RKT_TRY_ASSIGN(auto scanned, scan_layers(layers));
  for (size_t i = layers.size(); i-- > 0;) plan_layer(scanned[i], i, hidden, plan, taken);

  WritePtr out(archive_write_new(), archive_write_free);
  archive_write_set_format_pax_restricted(out.get());
  archive_write_set_bytes_per_block(out.get(), 1 << 16);  // fewer, larger writes
  archive_write_set_bytes_in_last_block(out.get(), 1);
  if (archive_write_open(out.get(), const_cast<std::vector<int>*>(&out_fds), nullptr, &write_to_all,
                         nullptr) != ARCHIVE_OK) {
    return Error::make(ErrorKind::io, "writing the image: {}", archive_error_string(out.get()));
  }
  RKT_TRY(write_manifest(out.get(), manifest_json));
  for (auto& [path, entry] : plan.directories) RKT_TRY(write_header(out.get(), entry.get(), path));
  for (size_t i = 0; i < layers.size(); ++i)
    RKT_TRY(copy_chosen(layers[i], plan.chosen[i], out.get()));
  if (archive_write_close(out.get()) != ARCHIVE_OK) {
    return Error::make(ErrorKind::io, "writing the image: {}", archive_error_string(out.get()));
  }
  return {};
}

}  // namespace rkt::image::docker
