#include "image/docker/layer_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "image/resumable_download.hpp"
#include "store/store_paths.hpp"
#include "util/digest.hpp"
#include "util/file.hpp"
#include "util/strings.hpp"

namespace rkt::image::docker {

namespace {

constexpr uint64_t k_writeback_step = 8 << 20;

/// Digests the first `size` bytes of `fd` (the part a resumed download kept).
Result<void> digest_prefix(int fd, uint64_t size, util::Digest& digest) {
  std::string buffer(1 << 17, '\0');
  for (uint64_t offset = 0; offset < size;) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), size - offset));
    ssize_t n = ::pread(fd, buffer.data(), want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error::from_errno(n < 0 ? errno : EIO, "reading a partial download");
    digest.update(buffer.data(), static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  return {};
}

/// Whether a killed fetch left the whole of `blob` in `file`: then it needs no request (a registry
/// answers a range starting at the end with 416, and docker-registry cuts that answer short).
Result<bool> whole_download_kept(ResumableDownload& file, const Descriptor& blob) {
  RKT_TRY_ASSIGN(int fd, file.rewound_fd());
  struct stat st {};
  if (blob.size == 0 || ::fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_size) != blob.size) {
    return false;
  }
  util::Digest digest(util::DigestAlgorithm::sha256);
  RKT_TRY(digest_prefix(fd, blob.size, digest));
  if ("sha256:" + digest.hex() == blob.digest) return true;
  if (::ftruncate(fd, 0) != 0) return Error::from_errno(errno, "truncating a partial download");
  return false;  // not the blob: downloaded again from the start
}

}  // namespace

Result<LayerCache> LayerCache::open(const std::filesystem::path& cas_dir) {
  std::filesystem::path dir = cas_dir / "docker";
  std::filesystem::path downloads = cas_dir / "downloads";
  for (const auto& path : {dir, dir / "sha256", dir / "images", downloads}) {
    RKT_TRY(store::make_store_dir(path, store::k_cas_dir_mode, store::store_group()));
  }
  RKT_TRY_ASSIGN(util::LockFile lock,
                 util::LockFile::acquire(dir / "lock", util::LockMode::shared));
  return LayerCache(dir, downloads, std::move(lock));
}

std::filesystem::path LayerCache::path_of(const std::string& digest) const {
  return m_dir / "sha256" / digest.substr(7);
}

bool LayerCache::has(const std::string& digest) const {
  return ::access(path_of(digest).c_str(), R_OK) == 0;
}

Result<void> LayerCache::download(RegistryClient& registry, const Descriptor& blob,
                                  LayerProgress& progress, size_t row, util::FileFeed* feed) {
  std::string url = registry.blob_url(blob.digest);
  RKT_TRY_ASSIGN(ResumableDownload file, ResumableDownload::open(m_downloads, url));
  if (has(blob.digest)) {  // another fetch finished it while we waited
    file.discard();
    progress.finish(row, blob.size);
    return {};
  }
  RKT_TRY_ASSIGN(bool kept, whole_download_kept(file, blob));
  if (kept) {
    RKT_TRY(file.commit_to(path_of(blob.digest)));
    progress.finish(row, blob.size);
    return {};
  }
  std::optional<util::Digest> digest;
  int file_fd = -1;
  uint64_t written = 0;
  uint64_t flushed = 0;
  DownloadHooks hooks;
  hooks.send = [&registry](const HttpRequest& request, const BodySink& sink,
                           const ProgressCallback& progress) {
    return registry.send(request, sink, progress);
  };
  hooks.on_start = [&](int fd, uint64_t kept) -> Result<void> {
    digest.emplace(util::DigestAlgorithm::sha256);
    file_fd = fd;
    written = flushed = kept;
    if (feed) feed->start(fd, kept);
    return digest_prefix(fd, kept, *digest);
  };
  hooks.on_chunk = [&](std::string_view chunk) {
    digest->update(chunk);
    written += chunk.size();
    if (feed) feed->grew(written);
    // Start writing back as we go, so that the fsync before the blob enters the cache has
    // little left to wait for.
    if (written - flushed >= k_writeback_step) {
      ::sync_file_range(file_fd, static_cast<off_t>(flushed), static_cast<off_t>(written - flushed),
                        SYNC_FILE_RANGE_WRITE);
      flushed = written;
    }
  };
  hooks.progress_bar = false;
  hooks.on_progress = [&progress, row](uint64_t done, uint64_t total) {
    progress.update(row, done, total);
  };
  RKT_TRY_ASSIGN(DownloadOutcome outcome, file.run(registry.client(), blob.digest, {}, hooks));
  if (!digest) digest.emplace(util::DigestAlgorithm::sha256);
  std::string actual = "sha256:" + digest->hex();
  if (actual != blob.digest) {
    file.discard();
    return Error::make(ErrorKind::verification_failed, "{}: content has digest {}, not {}", url,
                       actual, blob.digest);
  }
  if (blob.size != 0 && outcome.size != blob.size) {
    file.discard();
    return Error::make(ErrorKind::verification_failed, "{}: {} bytes, the manifest says {}", url,
                       outcome.size, blob.size);
  }
  RKT_TRY(file.commit_to(path_of(blob.digest)));
  progress.finish(row, outcome.size);
  return {};
}

Result<void> LayerCache::ensure(RegistryClient& registry, const std::vector<Descriptor>& blobs,
                                size_t parallel, const Feeds& feeds) {
  std::vector<const Descriptor*> missing;
  for (const Descriptor& blob : blobs) {
    bool queued = std::any_of(missing.begin(), missing.end(),
                              [&](const Descriptor* d) { return d->digest == blob.digest; });
    if (!queued && !has(blob.digest)) missing.push_back(&blob);
  }
  std::vector<std::pair<std::string, uint64_t>> rows;
  for (const Descriptor* blob : missing) rows.emplace_back(blob->digest, blob->size);
  LayerProgress progress(rows);
  for (const Descriptor& blob : blobs) {  // those in the cache already are whole
    auto found = feeds.find(blob.digest);
    if (found != feeds.end() && has(blob.digest)) found->second->complete(path_of(blob.digest));
  }
  std::atomic<size_t> next{0};
  std::mutex error_mutex;
  std::optional<Error> first_error;
  auto worker = [&] {
    for (size_t i = next++; i < missing.size(); i = next++) {
      auto found = feeds.find(missing[i]->digest);
      util::FileFeed* feed = found == feeds.end() ? nullptr : found->second.get();
      auto done = download(registry, *missing[i], progress, i, feed);
      if (feed && done) feed->complete(path_of(missing[i]->digest));
      if (feed && !done) feed->fail(done.error());
      if (!done) {
        std::lock_guard lock(error_mutex);
        if (!first_error) first_error = std::move(done).error();
        next = missing.size();  // stop taking work
      }
    }
  };
  std::vector<std::thread> threads;
  for (size_t i = 0; i < std::min(parallel, missing.size()); ++i) threads.emplace_back(worker);
  for (std::thread& thread : threads) thread.join();
  settle(feeds, blobs, first_error);
  if (first_error) return std::move(*first_error);
  return {};
}

void LayerCache::settle(const Feeds& feeds, const std::vector<Descriptor>& blobs,
                        const std::optional<Error>& failure) const {
  for (const Descriptor& blob : blobs) {
    auto found = feeds.find(blob.digest);
    if (found == feeds.end() || found->second->settled()) continue;
    if (has(blob.digest)) {  // another fetch downloaded it
      found->second->complete(path_of(blob.digest));
    } else {
      found->second->fail(
          failure
              ? Error::make(failure->kind, "{} not downloaded: {}", blob.digest, failure->message)
              : Error::make(ErrorKind::not_found, "{} not downloaded", blob.digest));
    }
  }
}

Result<void> LayerCache::record(const std::string& image_key,
                                const std::vector<std::string>& digests) {
  return util::write_file_atomic(m_dir / "images" / image_key, util::join(digests, "\n") + "\n",
                                 0660);
}

}  // namespace rkt::image::docker
