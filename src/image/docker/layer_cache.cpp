#include "image/docker/layer_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>

#include "image/progress_bar.hpp"
#include "store/store_paths.hpp"
#include "util/digest.hpp"
#include "util/scope_exit.hpp"
#include "util/unique_fd.hpp"

namespace rkt::image::docker {

namespace {

std::mutex g_output_mutex;

Result<void> write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(errno, "writing blob");
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

}  // namespace

Result<LayerCache> LayerCache::open(const std::filesystem::path& cas_dir) {
  std::filesystem::path dir = cas_dir / "docker";
  RKT_TRY(store::make_store_dir(dir, store::k_cas_dir_mode, store::store_group()));
  RKT_TRY(store::make_store_dir(dir / "sha256", store::k_cas_dir_mode, store::store_group()));
  return LayerCache(dir);
}

std::filesystem::path LayerCache::path_of(const std::string& digest) const {
  return m_dir / "sha256" / digest.substr(7);
}

bool LayerCache::has(const std::string& digest) const {
  return ::access(path_of(digest).c_str(), R_OK) == 0;
}

Result<void> LayerCache::download(RegistryClient& registry, const Descriptor& blob) {
  std::filesystem::path target = path_of(blob.digest);
  std::string temp = target.string() + ".part-XXXXXX";
  UniqueFd fd(::mkostemp(temp.data(), O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "create `{}`", temp);
  ::fchmod(fd.get(), 0660);
  auto cleanup = ScopeExit([&] { ::unlink(temp.c_str()); });
  util::Digest digest(util::DigestAlgorithm::sha256);
  BodySink sink = [&](std::string_view chunk) -> Result<void> {
    digest.update(chunk.data(), chunk.size());
    return write_all(fd.get(), chunk);
  };
  RKT_TRY(registry.blob(blob.digest, sink));
  std::string actual = "sha256:" + digest.hex();
  std::string url = registry.base_url() + "/blobs/" + blob.digest;
  if (actual != blob.digest) {
    return Error::make(ErrorKind::verification_failed, "{}: content has digest {}, not {}", url,
                       actual, blob.digest);
  }
  struct stat st {};
  ::fstat(fd.get(), &st);
  if (blob.size != 0 && static_cast<uint64_t>(st.st_size) != blob.size) {
    return Error::make(ErrorKind::verification_failed, "{}: {} bytes, the manifest says {}", url,
                       st.st_size, blob.size);
  }
  if (::fsync(fd.get()) != 0 || ::rename(temp.c_str(), target.c_str()) != 0) {
    return Error::from_errno(errno, "storing `{}`", target.string());
  }
  std::lock_guard lock(g_output_mutex);
  std::cerr << "Downloading " << blob.digest.substr(0, 7 + 11) << ": "
            << format_progress_bar(static_cast<uint64_t>(st.st_size),
                                   static_cast<uint64_t>(st.st_size), 30)
            << "\n";
  return {};
}

Result<void> LayerCache::ensure(RegistryClient& registry, const std::vector<Descriptor>& blobs,
                                size_t parallel) {
  std::vector<const Descriptor*> missing;
  for (const Descriptor& blob : blobs) {
    bool queued = std::any_of(missing.begin(), missing.end(),
                              [&](const Descriptor* d) { return d->digest == blob.digest; });
    if (!queued && !has(blob.digest)) missing.push_back(&blob);
  }
  std::atomic<size_t> next{0};
  std::mutex error_mutex;
  std::optional<Error> first_error;
  auto worker = [&] {
    for (size_t i = next++; i < missing.size(); i = next++) {
      auto done = download(registry, *missing[i]);
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
  if (first_error) return std::move(*first_error);
  return {};
}

}  // namespace rkt::image::docker
