#include "store/image_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <system_error>

#include "store/aci_stream.hpp"
#include "store/decompressor.hpp"
#include "store/store_index.hpp"
#include "util/file.hpp"
#include "util/lock_file.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"
#include "util/unique_fd.hpp"

namespace rkt::store {

namespace {

using Clock = std::chrono::system_clock;

Result<void> fsync_dir(const fs::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd || ::fsync(fd.get()) != 0) return Error::from_errno(errno, "fsync `{}`", dir.string());
  return {};
}

bool is_lower_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

/// Names of the entries of `dir` (empty if it does not exist).
std::vector<std::string> dir_entries(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  return names;
}

/// Keys of all blob files under cas/blob/sha512/<xx>/.
std::set<std::string> blob_keys(const StorePaths& paths) {
  std::set<std::string> keys;
  for (const auto& fanout : dir_entries(paths.blob_sha512)) {
    for (auto& name : dir_entries(paths.blob_sha512 / fanout)) {
      if (util::starts_with(name, k_id_prefix) && name.size() == k_key_length) {
        keys.insert(std::move(name));
      }
    }
  }
  return keys;
}

/// rkt's preference among images matching a name: latest when no version was asked, then newest.
bool better_candidate(const ImageInfo& candidate, const ImageInfo& current,
                      bool version_requested) {
  if (!version_requested && candidate.latest != current.latest) return candidate.latest;
  return candidate.import_time > current.import_time;
}

bool has_all_labels(const ImageInfo& image, const appc::Labels& wanted) {
  return std::all_of(wanted.begin(), wanted.end(), [&](const appc::Label& label) {
    return std::find(image.labels.begin(), image.labels.end(), label) != image.labels.end();
  });
}

std::string describe(std::string_view name, const appc::Labels& labels) {
  std::string text(name);
  for (const auto& label : labels) text += fmt::format(",{}={}", label.name, label.value);
  return text;
}

}  // namespace

ImageStore::ImageStore(StorePaths paths, std::optional<gid_t> group,
                       std::unique_ptr<StoreIndex> index)
    : m_paths(std::move(paths)), m_group(group), m_index(std::move(index)) {}
ImageStore::ImageStore(ImageStore&&) noexcept = default;
ImageStore& ImageStore::operator=(ImageStore&&) noexcept = default;
ImageStore::~ImageStore() = default;

Result<ImageStore> ImageStore::open(const fs::path& data_dir) {
  StorePaths paths(data_dir);
  if (auto r = prepare_store_layout(paths); !r) {
    return std::move(r).error().wrap("opening the image store in `{}`", data_dir.string());
  }
  auto group = store_group();
  auto index = StoreIndex::open(paths.db_file, group);
  if (!index) {
    return std::move(index).error().wrap("opening the image store in `{}`", data_dir.string());
  }
  ImageStore store(std::move(paths), group, std::make_unique<StoreIndex>(std::move(index).value()));
  // Whatever a killed import left (a blob renamed into place before its row was committed) is
  // cleaned up by the next command of any kind that may write the store, not only the next write.
  if (::access(store.m_paths.blob_sha512.c_str(), W_OK) == 0) log::warn_and_drop(store.recover());
  return store;
}

Result<ImageInfo> ImageStore::import_aci(const fs::path& aci_file, const ImportOptions& options) {
  UniqueFd fd(::open(aci_file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "open `{}`", aci_file.string());
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  ImportOptions with_source = options;
  if (with_source.source.empty()) with_source.source = aci_file.string();
  return import_aci_fd(fd.get(), with_source);
}

namespace {

std::string_view source_name(const ImportOptions& options) {
  return options.source.empty() ? "image" : std::string_view(options.source);
}

}  // namespace

Result<ImageInfo> ImageStore::import_aci_fd(int fd, const ImportOptions& options) {
  RKT_TRY(recover());
  RKT_TRY_ASSIGN(auto in, Decompressor::open(fd, source_name(options)));
  return import_from(*in, options);
}

Result<ImageInfo> ImageStore::import_aci_blocks(util::BlockReader reader,
                                                const ImportOptions& options) {
  RKT_TRY(recover());
  auto in = Decompressor::plain(std::move(reader), source_name(options));
  return import_from(*in, options);
}

Result<ImageInfo> ImageStore::import_from(Decompressor& in, const ImportOptions& options) {
  RKT_TRY_ASSIGN(auto temp, StoreTempFile::create(m_paths.tmp, "import-"));
  RKT_TRY_ASSIGN(auto aci, stream_aci(in, temp.fd(), source_name(options)));
  if (options.before_commit) RKT_TRY(options.before_commit());
  if (::fsync(temp.fd()) != 0) return Error::from_errno(errno, "fsync `{}`", temp.path().string());
  return commit_blob(temp, aci, options);
}

Result<ImageInfo> ImageStore::commit_blob(StoreTempFile& temp, const StreamedAci& aci,
                                          const ImportOptions& options) {
  const std::string id = std::string(k_id_prefix) + aci.sha512_hex;
  const std::string key = key_of_id(id);
  RKT_TRY_ASSIGN(auto lock,
                 util::LockFile::acquire(m_paths.image_lock(key), util::LockMode::exclusive));
  const fs::path blob = blob_path(key);
  RKT_TRY(make_store_dir(blob.parent_path(), k_cas_dir_mode, m_group));
  // Order (see the class comment): blob in place first, row committed second. If the blob is
  // already there (same content by construction) the temp file is just dropped.
  bool placed = false;
  if (!util::path_exists(blob)) {
    if (::rename(temp.path().c_str(), blob.c_str()) != 0) {
      return Error::from_errno(errno, "rename `{}` to `{}`", temp.path().string(), blob.string());
    }
    temp.release();
    placed = true;
    if (auto r = fsync_dir(blob.parent_path()); !r) {
      ::unlink(blob.c_str());  // we still hold the lock: nobody saw it
      return r.error();
    }
  }
  ImageInfo info;
  info.key = key;
  info.id = id;
  info.name = aci.manifest.name;
  info.manifest_json = aci.manifest_json;
  info.import_time = info.last_used = Clock::now();
  info.latest = options.latest;
  info.size = aci.size;
  if (auto r = m_index->upsert_image(info); !r) {
    if (placed) ::unlink(blob.c_str());  // we still hold the lock: nobody saw it
    return std::move(r).error().wrap("recording image {}", id);
  }
  return get_by_key(key);
}

Result<ImageInfo> ImageStore::get_by_key(std::string_view key) {
  RKT_TRY_ASSIGN(auto image, m_index->get_image(key.substr(0, k_key_length)));
  if (!image) return Error::make(ErrorKind::not_found, "no image with key {} in the store", key);
  return std::move(*image);
}

Result<ImageInfo> ImageStore::resolve_id_prefix(std::string_view prefix) {
  if (!util::starts_with(prefix, k_id_prefix)) {
    return Error::make(ErrorKind::invalid_argument, "invalid image ID `{}`: must start with {}",
                       prefix, k_id_prefix);
  }
  const std::string hex = util::to_lower(prefix.substr(k_id_prefix.size()));
  if (hex.size() < 2 || hex.size() > k_id_length - k_id_prefix.size() || !is_lower_hex(hex)) {
    return Error::make(ErrorKind::invalid_argument,
                       "invalid image ID `{}`: expected {} and 2 to 128 hex digits", prefix,
                       k_id_prefix);
  }
  RKT_TRY_ASSIGN(auto images, m_index->images_with_id_prefix(std::string(k_id_prefix) + hex, 2));
  if (images.empty()) return Error::make(ErrorKind::not_found, "no image with ID {}", prefix);
  if (images.size() > 1) return Error::make(ErrorKind::conflict, "ambiguous image ID {}", prefix);
  return std::move(images.front());
}

Result<ImageInfo> ImageStore::find_by_name(std::string_view name, const appc::Labels& labels) {
  const bool version_requested =
      std::any_of(labels.begin(), labels.end(), [](const auto& l) { return l.name == "version"; });
  RKT_TRY_ASSIGN(auto images, m_index->images_with_name(name));
  const ImageInfo* best = nullptr;
  for (const auto& image : images) {
    if (!has_all_labels(image, labels)) continue;
    if (!best || better_candidate(image, *best, version_requested)) best = &image;
  }
  if (!best) {
    return Error::make(ErrorKind::not_found, "no image {} in the store", describe(name, labels));
  }
  return *best;
}

Result<std::vector<ImageInfo>> ImageStore::list() {
  return m_index->all_images();
}

fs::path ImageStore::blob_path(std::string_view key) const {
  return m_paths.blob_path(key.substr(0, k_key_length));
}

Result<UniqueFd> ImageStore::open_blob(std::string_view key) {
  const fs::path blob = blob_path(key);
  UniqueFd fd(::open(blob.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "open blob `{}`", blob.string());
  RKT_TRY(touch_last_used(key));
  return fd;
}

Result<util::LockFile> ImageStore::lock_image(std::string_view key, util::LockMode mode) {
  return util::LockFile::acquire(m_paths.image_lock(key_of_id(key)), mode);
}

Result<void> ImageStore::touch_last_used(std::string_view key) {
  RKT_TRY_ASSIGN(bool found, m_index->set_last_used(key.substr(0, k_key_length), Clock::now()));
  if (!found) return Error::make(ErrorKind::not_found, "no image with key {} in the store", key);
  return {};
}

Result<void> ImageStore::set_tree_size(std::string_view key, uint64_t size) {
  RKT_TRY_ASSIGN(bool found, m_index->set_tree_size(key.substr(0, k_key_length), size));
  if (!found) return Error::make(ErrorKind::not_found, "no image with key {} in the store", key);
  return {};
}

Result<void> ImageStore::remove(std::string_view key_or_id) {
  const std::string key = key_of_id(key_or_id);
  RKT_TRY(recover());
  RKT_TRY_ASSIGN(auto lock,
                 util::LockFile::acquire(m_paths.image_lock(key), util::LockMode::exclusive));
  // Row first, blob second: a crash in between leaves a blob without a row, which recover()
  // deletes; the opposite order could leave a row pointing at nothing.
  RKT_TRY_ASSIGN(bool found, m_index->delete_image(key));
  if (!found) return Error::make(ErrorKind::not_found, "no image with key {} in the store", key);
  const fs::path blob = blob_path(key);
  if (::unlink(blob.c_str()) != 0 && errno != ENOENT) {
    return Error::from_errno(errno, "removing `{}`", blob.string());
  }
  return {};
}

Result<std::optional<RemoteInfo>> ImageStore::get_remote(std::string_view aci_url) {
  return m_index->get_remote(aci_url);
}

Result<void> ImageStore::put_remote(const RemoteInfo& remote) {
  return m_index->put_remote(remote);
}

Result<StoreTempFile> ImageStore::create_temp_file(std::string_view prefix) {
  return StoreTempFile::create(m_paths.tmp, prefix);
}

Result<void> ImageStore::recover() {
  RKT_TRY(remove_stale_temp_files(m_paths.tmp));
  // Rows before blobs: an import renames its blob before committing its row, so a row read
  // here always has its blob by the time the directory is scanned (unless being removed).
  RKT_TRY_ASSIGN(auto row_list, m_index->all_keys());
  const std::set<std::string> rows(row_list.begin(), row_list.end());
  const std::set<std::string> blobs = blob_keys(m_paths);
  for (const auto& key : blobs) {
    if (!rows.contains(key)) log::warn_and_drop(remove_orphan_blob(key));
  }
  for (const auto& key : rows) {
    if (!blobs.contains(key)) log::warn_and_drop(remove_orphan_row(key));
  }
  return {};
}

Result<void> ImageStore::remove_orphan_blob(const std::string& key) {
  // A blob without a row is normal for an import between its rename and its commit: that
  // importer holds the lock, so skip it; otherwise re-check under the lock.
  auto lock = util::LockFile::acquire(m_paths.image_lock(key), util::LockMode::exclusive,
                                      util::LockWait::no_block);
  if (!lock) return lock.error().kind == ErrorKind::conflict ? Result<void>() : lock.error();
  RKT_TRY_ASSIGN(auto row, m_index->get_image(key));
  if (row) return {};
  const fs::path blob = blob_path(key);
  if (::unlink(blob.c_str()) != 0 && errno != ENOENT) {
    return Error::from_errno(errno, "removing orphan blob `{}`", blob.string());
  }
  log::debug("removed blob {} which had no index row", key);
  return {};
}

Result<void> ImageStore::remove_orphan_row(const std::string& key) {
  // Only outside damage makes a row without a blob; drop the row so the image can be fetched again.
  auto lock = util::LockFile::acquire(m_paths.image_lock(key), util::LockMode::exclusive,
                                      util::LockWait::no_block);
  if (!lock) return lock.error().kind == ErrorKind::conflict ? Result<void>() : lock.error();
  if (util::path_exists(blob_path(key))) return {};
  RKT_TRY(m_index->delete_image(key));
  log::warn("image {} had lost its blob; removed it from the index", key);
  return {};
}

}  // namespace rkt::store
