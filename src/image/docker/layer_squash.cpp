#include "image/docker/layer_squash.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "util/strings.hpp"

namespace rkt::image::docker {

namespace {

using ReadPtr = std::unique_ptr<archive, decltype(&archive_read_free)>;
using WritePtr = std::unique_ptr<archive, decltype(&archive_write_free)>;
using EntryPtr = std::unique_ptr<archive_entry, decltype(&archive_entry_free)>;

constexpr std::string_view k_whiteout = ".wh.";
constexpr std::string_view k_opaque = ".wh..wh..opq";

/// A layer that libarchive could not read, named by its feed (the blob's digest).
Error layer_error(const util::FileFeed& layer, archive* a) {
  return Error::make(ErrorKind::invalid_argument, "layer {}: {}", layer.name(),
                     archive_error_string(a));
}

/// A layer being read: libarchive's input, read from the feed as it arrives.
struct LayerInput {
  std::shared_ptr<util::FileFeed> feed;
  uint64_t offset = 0;
  std::string buffer = std::string(1 << 17, '\0');
};

la_ssize_t read_layer(archive* a, void* client, const void** block) {
  auto& input = *static_cast<LayerInput*>(client);
  auto n = input.feed->read_at(input.offset, input.buffer);
  if (!n) {
    archive_set_error(a, EIO, "%s", n.error().message.c_str());
    return -1;
  }
  input.offset += *n;
  *block = input.buffer.data();
  return static_cast<la_ssize_t>(*n);
}

/// A layer open for reading (the input must outlive the archive, which reads through it).
struct OpenLayer {
  std::unique_ptr<LayerInput> input;
  ReadPtr reader{nullptr, archive_read_free};
  archive* get() const { return reader.get(); }
};

Result<OpenLayer> open_layer(const std::shared_ptr<util::FileFeed>& feed) {
  OpenLayer layer{std::make_unique<LayerInput>(LayerInput{feed}),
                  ReadPtr(archive_read_new(), archive_read_free)};
  archive_read_support_filter_all(layer.get());
  archive_read_support_format_tar(layer.get());
  if (archive_read_open(layer.get(), layer.input.get(), nullptr, &read_layer, nullptr) !=
      ARCHIVE_OK) {
    return layer_error(*feed, layer.get());
  }
  return layer;
}

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// What the layers above the current one left for it: the paths they removed or replaced, and
/// those they wrote.
struct Above {
  std::unordered_set<std::string> removed;  // this path and everything below it
  std::unordered_set<std::string> emptied;  // everything below this path (opaque dirs)
  std::unordered_set<std::string> written;  // already in the image
  std::unordered_set<std::string> parents;  // directories there, as something is written below

  bool hides(const std::string& path, bool is_dir) const {
    if (removed.count(path) != 0 || written.count(path) != 0) return true;
    if (!is_dir && parents.count(path) != 0) return true;
    for (std::string dir = parent_of(path);; dir = parent_of(dir)) {
      if (removed.count(dir) != 0 || emptied.count(dir) != 0) return true;
      if (dir.empty()) return false;
    }
  }
  void write(const std::string& path) {
    written.insert(path);
    for (std::string dir = parent_of(path); !dir.empty(); dir = parent_of(dir)) {
      if (!parents.insert(dir).second) break;
    }
  }
};

Result<void> write_header(archive* out, archive_entry* entry, const std::string& path) {
  archive_entry_sparse_clear(entry);  // copy_data writes the holes
  archive_entry_set_pathname(entry, ("rootfs/" + path).c_str());
  if (const char* link = archive_entry_hardlink(entry)) {
    archive_entry_set_hardlink(entry, ("rootfs/" + normalize_layer_path(link)).c_str());
  }
  if (archive_write_header(out, entry) != ARCHIVE_OK) {
    return Error::make(ErrorKind::io, "writing {}: {}", path, archive_error_string(out));
  }
  return {};
}

/// Copies the entry's `size` bytes of data; the holes of a sparse entry are written as zeros
/// (write_header made its header dense).
Result<void> copy_data(archive* in, archive* out, la_int64_t size, util::FileFeed& layer,
                       const std::string& path) {
  static const std::string zeros(1 << 16, '\0');
  la_int64_t done = 0;
  auto write = [&](const void* data, size_t n) -> Result<void> {
    if (archive_write_data(out, data, n) != static_cast<la_ssize_t>(n)) {
      return Error::make(ErrorKind::io, "writing {}: {}", path, archive_error_string(out));
    }
    done += static_cast<la_int64_t>(n);
    return {};
  };
  auto fill_to = [&](la_int64_t offset) -> Result<void> {
    while (done < offset) {
      RKT_TRY(write(zeros.data(),
                    static_cast<size_t>(std::min<la_int64_t>(offset - done, zeros.size()))));
    }
    return {};
  };
  while (true) {
    const void* block = nullptr;
    size_t length = 0;
    la_int64_t offset = 0;
    int r = archive_read_data_block(in, &block, &length, &offset);
    if (r == ARCHIVE_EOF) return fill_to(size);
    if (r < ARCHIVE_WARN) return layer_error(layer, in);
    RKT_TRY(fill_to(offset));
    RKT_TRY(write(block, length));
  }
}

/// A hard link of a layer whose target the layers above hide (the target was deleted or
/// replaced there): the link keeps the content its layer gave it, as in Docker.
struct OrphanLink {
  std::string path;
  std::string target;
};

/// Writes each orphan link as a file with its target's content in `layer` (a second pass over
/// the layer, only when it has such links); further links to the same target link to the first.
/// A link to no file of the layer is an error.
Result<void> write_orphan_links(const std::shared_ptr<util::FileFeed>& layer,
                                const std::vector<OrphanLink>& links, archive* out) {
  std::unordered_map<std::string, std::vector<std::string>> by_target;
  for (const OrphanLink& link : links) by_target[link.target].push_back(link.path);
  RKT_TRY_ASSIGN(OpenLayer a, open_layer(layer));
  archive_entry* entry = nullptr;
  int status = ARCHIVE_EOF;
  while (!by_target.empty() && (status = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
    auto found = by_target.find(normalize_layer_path(archive_entry_pathname(entry)));
    if (found == by_target.end() || archive_entry_filetype(entry) != AE_IFREG ||
        archive_entry_hardlink(entry)) {
      continue;
    }
    const std::vector<std::string>& paths = found->second;
    la_int64_t size = archive_entry_size(entry);
    EntryPtr copy(archive_entry_clone(entry), archive_entry_free);
    RKT_TRY(write_header(out, copy.get(), paths.front()));
    if (size > 0) RKT_TRY(copy_data(a.get(), out, size, *layer, paths.front()));
    for (size_t i = 1; i < paths.size(); ++i) {
      EntryPtr link(archive_entry_clone(entry), archive_entry_free);
      archive_entry_set_size(link.get(), 0);
      archive_entry_set_hardlink(link.get(), paths.front().c_str());
      RKT_TRY(write_header(out, link.get(), paths[i]));
    }
    by_target.erase(found);
  }
  if (!by_target.empty() && status != ARCHIVE_EOF) {
    return layer_error(*layer, a.get());
  }
  if (!by_target.empty()) {
    const auto& [target, paths] = *by_target.begin();
    return Error::make(ErrorKind::invalid_argument,
                       "layer {}: hard link `{}` to `{}`, which is not a file of the layer",
                       layer->name(), paths.front(), target);
  }
  return {};
}

/// Writes the entries of `layer` that the layers above it left visible, in the layer's order;
/// then adds what it removes and writes to `above`, for the layers below. The layer counts once
/// it is whole (a download: checked), even if its tar ended before its last bytes.
Result<void> copy_visible(const std::shared_ptr<util::FileFeed>& layer, Above& above,
                          archive* out) {
  RKT_TRY_ASSIGN(OpenLayer a, open_layer(layer));
  std::vector<std::string> removed;
  std::vector<std::string> emptied;
  std::unordered_set<std::string> linkable;  // files this layer wrote: what its links may name
  std::vector<OrphanLink> orphans;
  archive_entry* entry = nullptr;
  int status;
  while ((status = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK) {
    std::string path = normalize_layer_path(archive_entry_pathname(entry));
    if (path.empty()) continue;
    std::string base = base_of(path);
    if (base == k_opaque) {
      emptied.push_back(parent_of(path));
      continue;
    }
    if (util::starts_with(base, k_whiteout)) {
      std::string parent = parent_of(path);
      removed.push_back((parent.empty() ? "" : parent + "/") + base.substr(k_whiteout.size()));
      continue;
    }
    const bool is_dir = archive_entry_filetype(entry) == AE_IFDIR;
    if (above.hides(path, is_dir)) continue;
    const char* link = archive_entry_hardlink(entry);
    if (link && linkable.count(normalize_layer_path(link)) == 0) {
      orphans.push_back({path, normalize_layer_path(link)});
    } else {
      RKT_TRY(write_header(out, entry, path));
      if (archive_entry_size(entry) > 0) {
        RKT_TRY(copy_data(a.get(), out, archive_entry_size(entry), *layer, path));
      }
      if (archive_entry_filetype(entry) == AE_IFREG) linkable.insert(path);
    }
    above.write(path);
    // A non-directory hides what lower layers have below it.
    if (!is_dir) removed.push_back(std::move(path));
  }
  if (status != ARCHIVE_EOF) {
    return layer_error(*layer, a.get());
  }
  RKT_TRY(layer->wait());
  if (!orphans.empty()) RKT_TRY(write_orphan_links(layer, orphans, out));
  above.removed.insert(removed.begin(), removed.end());
  above.emptied.insert(emptied.begin(), emptied.end());
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

/// libarchive's write callback: the block goes to the sink.
la_ssize_t write_to_sink(archive* out, void* client, const void* buffer, size_t size) {
  const auto& sink = *static_cast<const TarSink*>(client);
  if (auto written = sink(std::span<const char>(static_cast<const char*>(buffer), size));
      !written) {
    archive_set_error(out, EIO, "%s", written.error().message.c_str());
    return -1;
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

Result<void> squash_layers(const LayerFeeds& layers, std::string_view manifest_json,
                           const TarSink& sink) {
  WritePtr out(archive_write_new(), archive_write_free);
  archive_write_set_format_pax_restricted(out.get());
  archive_write_set_bytes_per_block(out.get(), 1 << 16);  // fewer, larger writes
  archive_write_set_bytes_in_last_block(out.get(), 1);
  if (archive_write_open(out.get(), const_cast<TarSink*>(&sink), nullptr, &write_to_sink,
                         nullptr) != ARCHIVE_OK) {
    return Error::make(ErrorKind::io, "writing the image: {}", archive_error_string(out.get()));
  }
  RKT_TRY(write_manifest(out.get(), manifest_json));
  Above above;
  for (size_t i = layers.size(); i-- > 0;) RKT_TRY(copy_visible(layers[i], above, out.get()));
  if (archive_write_close(out.get()) != ARCHIVE_OK) {
    return Error::make(ErrorKind::io, "writing the image: {}", archive_error_string(out.get()));
  }
  return {};
}

}  // namespace rkt::image::docker
