#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace rkt::stage1 {

namespace fs = std::filesystem;

/// Cuts a byte stream into lines; a line longer than the buffer is passed on in pieces, and a
/// trailing partial line on flush. Keeps at most `capacity` bytes.
class LineSplitter {
 public:
  explicit LineSplitter(size_t capacity = 4096) : m_capacity(capacity) {}
  /// Feeds bytes; `emit` gets each complete line with its '\n'.
  void feed(std::string_view data, const std::function<void(std::string_view)>& emit);
  /// Emits what is left (a last line without '\n' gets one).
  void flush(const std::function<void(std::string_view)>& emit);

 private:
  size_t m_capacity;
  std::string m_pending;
};

/// An app's log file that stays under a size limit: when a write would pass it, the file is
/// renamed to <path>.1 (replacing an older one) and a new file started.
class LogFile {
 public:
  static Result<LogFile> open(fs::path path, size_t limit);
  LogFile(LogFile&&) noexcept = default;
  LogFile& operator=(LogFile&&) noexcept = default;
  /// Appends; rotation failures are reported once and logging goes on in the current file.
  Result<void> write(std::string_view data);
  size_t size() const { return m_size; }

 private:
  LogFile(fs::path path, size_t limit, UniqueFd fd, size_t size)
      : m_path(std::move(path)), m_limit(limit), m_fd(std::move(fd)), m_size(size) {}
  Result<void> rotate();
  fs::path m_path;
  size_t m_limit;
  UniqueFd m_fd;
  size_t m_size;
};

}  // namespace rkt::stage1
