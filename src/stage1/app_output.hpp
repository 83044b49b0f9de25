#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "stage1/journal.hpp"
#include "stage1/log_sink.hpp"
#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace rkt::stage1 {

namespace fs = std::filesystem;

/// An app's stdout and stderr as pipes read by the supervisor: each line goes to the
/// supervisor's own stdout or stderr, to the app's log file and, where the host runs journald, to
/// the journal.
class AppOutput {
 public:
  /// Makes the two pipes; the log file is <log_dir>/<app> (rotated at k_log_limit_bytes).
  static Result<AppOutput> create(const fs::path& log_dir, const std::string& app,
                                  std::shared_ptr<const Journal> journal);

  /// The write ends, for the app's fds 1 and 2 (close them here once the app has started).
  int stdout_writer() const { return m_writers[0].get(); }
  int stderr_writer() const { return m_writers[1].get(); }
  void close_writers();

  /// The read end of stream 0 (stdout) or 1 (stderr); -1 once it reached EOF.
  int reader(size_t stream) const { return m_streams[stream].fd.get(); }
  /// Reads what is available on a stream and passes complete lines on; closes it at EOF.
  void pump(size_t stream);
  /// Writes a line of the supervisor's own to stderr and the log (e.g. a failed exec).
  void note(std::string_view line);
  bool closed() const { return !m_streams[0].fd && !m_streams[1].fd; }

 private:
  struct Stream {
    UniqueFd fd;
    int echo_fd = -1;
    LineSplitter lines;
  };
  AppOutput() = default;
  void emit(const Stream& stream, std::string_view line);

  std::array<Stream, 2> m_streams;
  std::array<UniqueFd, 2> m_writers;
  std::optional<LogFile> m_log;
  std::shared_ptr<const Journal> m_journal;
  std::string m_app;
  bool m_log_error_reported = false;
};

}  // namespace rkt::stage1
