#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "image/http_client.hpp"
#include "util/lock_file.hpp"
#include "util/result.hpp"

namespace rkt::image {

/// How a download ended.
struct DownloadOutcome {
  bool not_modified = false;  // 304: the caller's cached copy is current; nothing was written
  std::string etag;
  int64_t max_age = 0;  // Cache-Control max-age, seconds
  uint64_t size = 0;
};

/// Optional hooks into a download.
struct DownloadHooks {
  /// Sends the request instead of HttpClient::get (e.g. through a registry's auth).
  std::function<Result<HttpResponse>(const HttpRequest&, const BodySink&, const ProgressCallback&)>
      send;
  /// Before the first body byte: `kept` bytes of an earlier attempt stay (0: starting over);
  /// `fd` is the file, e.g. to digest the kept part.
  std::function<Result<void>(int fd, uint64_t kept)> on_start;
  /// Every body byte, once written.
  std::function<void(std::string_view chunk)> on_chunk;
  /// Progress (bytes of the whole file so far, its size or 0), e.g. for the caller's own bars.
  ProgressCallback on_progress;
  bool progress_bar = true;  // the label's own bar
};

/// A download into `<dir>/<sha256 of the URL>`, flock'ed while in use. What an interrupted
/// process (Ctrl-C, SIGKILL, a network failure) leaves there is resumed by the next download of
/// the same URL with "Range" + "If-Range: <ETag>"; a server that answers 200 instead restarts it.
/// These files live outside cas/tmp so store recovery does not delete them, and outside cas/blob
/// so the store never sees them: the store stays consistent whatever happens here.
class ResumableDownload {
 public:
  static Result<ResumableDownload> open(const std::filesystem::path& dir, std::string_view url);

  /// Downloads the URL (or its missing tail) with a progress bar labelled `label`.
  /// `if_none_match`: an ETag whose 304 answer makes this a no-op.
  Result<DownloadOutcome> run(const HttpClient& client, std::string_view label,
                              const std::string& if_none_match = {},
                              const DownloadHooks& hooks = {});
  /// The (complete, after run) file, opened read-write and rewound.
  Result<int> rewound_fd() const;
  const std::filesystem::path& path() const { return m_path; }
  /// Moves the complete, checked file to `target` (same file system), synced first.
  Result<void> commit_to(const std::filesystem::path& target);
  /// Deletes the file and its ETag: after it was imported, or when it proved bad.
  void discard();

 private:
  ResumableDownload(std::filesystem::path path, std::string url, util::LockFile lock)
      : m_path(std::move(path)), m_url(std::move(url)), m_lock(std::move(lock)) {}
  Result<DownloadOutcome> attempt(const HttpClient& client, std::string_view label,
                                  const std::string& if_none_match, bool allow_resume,
                                  const DownloadHooks& hooks);
  std::filesystem::path etag_path() const;

  std::filesystem::path m_path;
  std::string m_url;
  util::LockFile m_lock;  // its fd is the data file, opened O_RDWR
};

}  // namespace rkt::image
