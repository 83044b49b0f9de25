#include "image/docker/cache_gc.hpp"

#include <unistd.h>

#include <set>

#include "util/file.hpp"
#include "util/lock_file.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace rkt::image::docker {

namespace {

namespace fs = std::filesystem;

/// The blobs the stored images were made of; drops the records of images gone from the store.
std::set<std::string> referenced_blobs(const fs::path& images_dir,
                                       const std::function<bool(const std::string&)>& is_stored) {
  std::set<std::string> referenced;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(images_dir, ec)) {
    std::string key = entry.path().filename().string();
    if (!is_stored(key)) {
      fs::remove(entry.path(), ec);
      continue;
    }
    auto text = util::read_file(entry.path());
    if (!text) continue;
    for (const std::string& line : util::split(*text, '\n')) {
      if (util::starts_with(line, "sha256:")) referenced.insert(line.substr(7));
    }
  }
  return referenced;
}

/// Removes partial downloads (and their ETags) no fetch holds, last written before `stale` ago.
size_t gc_downloads(const fs::path& dir, std::chrono::seconds stale) {
  size_t removed = 0;
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const fs::path& path = entry.path();
    if (path.extension() == ".etag" || path.filename().string().find(".tmp") != std::string::npos) {
      continue;
    }
    auto written = fs::last_write_time(path, ec);
    if (ec || now - written < stale) continue;
    auto lock = util::LockFile::acquire(path, util::LockMode::exclusive, util::LockWait::no_block);
    if (!lock) continue;  // a fetch is downloading it
    if (!util::still_names(path, lock->fd())) continue;  // moved into place meanwhile
    ::unlink(path.c_str());
    ::unlink((path.string() + ".etag").c_str());
    ++removed;
  }
  // ETags whose download is gone.
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const fs::path& path = entry.path();
    if (path.extension() == ".etag" && !fs::exists(fs::path(path).replace_extension(""))) {
      fs::remove(path, ec);
    }
  }
  return removed;
}

}  // namespace

Result<DockerGcResult> gc_docker_cache(const fs::path& cas_dir,
                                       const std::function<bool(const std::string&)>& is_stored,
                                       std::chrono::seconds stale) {
  DockerGcResult result;
  if (fs::is_directory(cas_dir / "downloads")) {
    result.downloads = gc_downloads(cas_dir / "downloads", stale);
  }
  fs::path dir = cas_dir / "docker";
  if (!fs::is_directory(dir / "sha256")) return result;
  auto lock = util::LockFile::acquire(dir / "lock", util::LockMode::exclusive,
                                      util::LockWait::no_block);
  if (!lock) {
    if (lock.error().kind != ErrorKind::conflict) return std::move(lock).error();
    result.busy = true;
    return result;
  }
  std::set<std::string> referenced = referenced_blobs(dir / "images", is_stored);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir / "sha256", ec)) {
    if (referenced.contains(entry.path().filename().string())) continue;
    if (fs::remove(entry.path(), ec)) ++result.blobs;
  }
  return result;
}

}  // namespace rkt::image::docker
