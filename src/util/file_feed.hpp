#pragma once

// A file that one thread is still writing (a download) while another reads it, so that the
// reader need not wait for the whole file: it waits only for the bytes it asks for.

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "util/result.hpp"
#include "util/unique_fd.hpp"

namespace rkt::util {

/// The writer announces the bytes it wrote (`start`, `grew`) and how the file ended (`complete`
/// or `fail`, once); readers read by offset and wait for bytes not there yet. The end of the file
/// is seen only once the writer called `complete`: a reader that reached it knows the file is
/// whole (for a download: checked against its digest).
class FileFeed {
 public:
  /// `name` names the file in errors.
  explicit FileFeed(std::string name) : m_name(std::move(name)) {}
  FileFeed(const FileFeed&) = delete;
  FileFeed& operator=(const FileFeed&) = delete;

  /// A feed of the complete file at `path`.
  static Result<std::shared_ptr<FileFeed>> of_file(const std::filesystem::path& path,
                                                   std::string name);

  const std::string& name() const { return m_name; }

  /// Writer: `fd` (duplicated the first time; the writer keeps writing the same file) holds the
  /// file's first `size` bytes. A reader that already read past them (the writer started over)
  /// fails.
  void start(int fd, uint64_t size);
  /// Writer: the file now has `size` bytes.
  void grew(uint64_t size);
  /// Writer: the file is whole. `path` is where it is now, opened if `start` never came (it was
  /// there already).
  void complete(const std::filesystem::path& path);
  /// Writer: the file will not be whole; readers get `error`.
  void fail(Error error);
  /// Whether `complete` or `fail` came.
  bool settled() const;

  /// Reader: `buffer.size()` bytes at `offset` (fewer only at the end), waiting for them; 0 at
  /// the end of a whole file.
  Result<size_t> read_at(uint64_t offset, std::span<char> buffer);
  /// Reader: waits until the file is whole, or for its failure.
  Result<void> wait();

 private:
  std::string m_name;
  mutable std::mutex m_mutex;
  std::condition_variable m_changed;
  UniqueFd m_fd;
  uint64_t m_size = 0;             // bytes the writer announced
  uint64_t m_read = 0;             // the furthest any reader read (or is reading)
  uint64_t m_wanted = UINT64_MAX;  // the size a waiting reader waits for
  bool m_complete = false;
  std::optional<Error> m_error;
};

}  // namespace rkt::util
