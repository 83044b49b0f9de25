#include "image/resumable_download.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>

#include "image/progress_bar.hpp"
#include "util/digest.hpp"
#include "util/file.hpp"

namespace rkt::image {

namespace {

Result<uint64_t> file_size(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Error::from_errno(errno, "stat download");
  return static_cast<uint64_t>(st.st_size);
}

Result<void> write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(errno, "writing download");
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

}  // namespace

Result<ResumableDownload> ResumableDownload::open(const std::filesystem::path& dir,
                                                  std::string_view url) {
  std::filesystem::path path = dir / util::sha256_hex(url);
  while (true) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0660);
    if (fd < 0) return Error::from_errno(errno, "open `{}`", path.string());
    RKT_TRY_ASSIGN(util::LockFile lock, util::LockFile::acquire_fd(UniqueFd(fd),
                                                                     util::LockMode::exclusive,
                                                                     util::LockWait::block));
    // While we waited, the holder may have moved the file into place or discarded it (and gc
    // may have removed it): only the file still at `path` is ours to continue.
    if (util::still_names(path, lock.fd())) {
      return ResumableDownload(std::move(path), std::string(url), std::move(lock));
    }
  }
}

Result<void> ResumableDownload::commit_to(const std::filesystem::path& target) {
  if (::fsync(m_lock.fd()) != 0 || ::rename(m_path.c_str(), target.c_str()) != 0) {
    return Error::from_errno(errno, "storing `{}`", target.string());
  }
  ::unlink(etag_path().c_str());
  return {};
}

std::filesystem::path ResumableDownload::etag_path() const {
  return std::filesystem::path(m_path.string() + ".etag");
}

Result<DownloadOutcome> ResumableDownload::run(const HttpClient& client, std::string_view label,
                                               const std::string& if_none_match,
                                               const DownloadHooks& hooks) {
  auto outcome = attempt(client, label, if_none_match, true, hooks);
  // 416: what we hold is not a prefix of the current file (it changed, or was complete and the
  // ETag was lost); start again from nothing.
  if (!outcome && outcome.error().kind == ErrorKind::conflict) {
    return attempt(client, label, if_none_match, false, hooks);
  }
  return outcome;
}

Result<DownloadOutcome> ResumableDownload::attempt(const HttpClient& client,
                                                   std::string_view label,
                                                   const std::string& if_none_match,
                                                   bool allow_resume,
                                                   const DownloadHooks& hooks) {
  int fd = m_lock.fd();
  RKT_TRY_ASSIGN(uint64_t have, file_size(fd));
  auto saved_etag = util::read_file(etag_path());
  HttpRequest request{m_url};
  request.if_none_match = if_none_match;
  if (allow_resume && have > 0 && saved_etag && !saved_etag->empty()) {
    request.resume_from = have;
    request.headers.push_back("If-Range: " + *saved_etag);
  }
  request.on_start = [&](const HttpResponse& response) -> Result<void> {
    uint64_t keep = response.status == 206 ? request.resume_from : 0;
    if (::ftruncate(fd, static_cast<off_t>(keep)) != 0 ||
        ::lseek(fd, static_cast<off_t>(keep), SEEK_SET) < 0) {
      return Error::from_errno(errno, "preparing `{}`", m_path.string());
    }
    if (hooks.on_start) RKT_TRY(hooks.on_start(fd, keep));
    // Remember the ETag before the first byte, so that a killed download can resume.
    std::string etag = response.header("etag");
    if (etag.empty()) return util::remove_all(etag_path());
    // A hint for resuming, not state: a lost ETag only means starting over.
    return util::write_file_atomic(etag_path(), etag, 0660, util::Durability::no_fsync);
  };
  std::optional<ProgressBar> bar;
  if (hooks.progress_bar) bar.emplace(std::string(label));
  BodySink sink = [fd, &hooks](std::string_view chunk) -> Result<void> {
    RKT_TRY(write_all(fd, chunk));
    if (hooks.on_chunk) hooks.on_chunk(chunk);
    return {};
  };
  ProgressCallback progress = [&bar, &hooks, &request](uint64_t done, uint64_t total) {
    if (bar) bar->update(done, total);
    // A resumed transfer counts from where it started.
    uint64_t offset = request.resume_from;
    if (hooks.on_progress) hooks.on_progress(offset + done, total > 0 ? offset + total : 0);
  };
  RKT_TRY_ASSIGN(HttpResponse response, hooks.send ? hooks.send(request, sink, progress)
                                                   : client.get(request, sink, progress));
  if (response.status == 304 && !if_none_match.empty()) {
    return DownloadOutcome{true, if_none_match, cache_max_age(response.header("cache-control")), 0};
  }
  if (response.status == 416 && request.resume_from > 0) {
    return Error::make(ErrorKind::conflict, "{}: {}", m_url, status_text(response.status));
  }
  if (response.status < 200 || response.status >= 300) {
    return Error::make(response.status == 404 ? ErrorKind::not_found : ErrorKind::network, "{}: {}",
                       m_url, status_text(response.status));
  }
  RKT_TRY_ASSIGN(uint64_t size, file_size(fd));
  if (bar) bar->finish(size);
  return DownloadOutcome{false, response.header("etag"),
                         cache_max_age(response.header("cache-control")), size};
}

Result<int> ResumableDownload::rewound_fd() const {
  if (::lseek(m_lock.fd(), 0, SEEK_SET) < 0) {
    return Error::from_errno(errno, "rewinding `{}`", m_path.string());
  }
  return m_lock.fd();
}

void ResumableDownload::discard() {
  ::unlink(m_path.c_str());
  ::unlink(etag_path().c_str());
}

}  // namespace rkt::image
