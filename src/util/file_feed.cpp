#include "util/file_feed.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace rkt::util {

Result<std::shared_ptr<FileFeed>> FileFeed::of_file(const std::filesystem::path& path,
                                                    std::string name) {
  auto feed = std::make_shared<FileFeed>(std::move(name));
  feed->complete(path);
  if (std::lock_guard lock(feed->m_mutex); feed->m_error) return *feed->m_error;
  return feed;
}

void FileFeed::start(int fd, uint64_t size) {
  std::lock_guard lock(m_mutex);
  if (m_complete || m_error) return;
  if (m_read > size) {
    m_error = Error::make(ErrorKind::conflict, "{}: started over under its reader", m_name);
  } else {
    if (!m_fd) m_fd.reset(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
    m_size = size;
    if (!m_fd) m_error = Error::from_errno(errno, "{}: duplicating its descriptor", m_name);
  }
  m_changed.notify_all();
}

void FileFeed::grew(uint64_t size) {
  std::lock_guard lock(m_mutex);
  m_size = size;
  if (m_size >= m_wanted) {
    m_wanted = UINT64_MAX;
    m_changed.notify_all();
  }
}

void FileFeed::complete(const std::filesystem::path& path) {
  std::lock_guard lock(m_mutex);
  if (m_complete || m_error) return;
  if (!m_fd) m_fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (!m_fd || ::fstat(m_fd.get(), &st) != 0) {
    m_error = Error::from_errno(errno, "{}: opening `{}`", m_name, path.string());
  } else {
    m_size = static_cast<uint64_t>(st.st_size);
    m_complete = true;
  }
  m_changed.notify_all();
}

void FileFeed::fail(Error error) {
  std::lock_guard lock(m_mutex);
  if (m_complete || m_error) return;
  m_error = std::move(error);
  m_changed.notify_all();
}

bool FileFeed::settled() const {
  std::lock_guard lock(m_mutex);
  return m_complete || m_error;
}

Result<size_t> FileFeed::read_at(uint64_t offset, std::span<char> buffer) {
  std::unique_lock lock(m_mutex);
  // Woken once the whole buffer can be filled (or at the end), not for every piece the writer
  // adds: fewer switches between the threads.
  const uint64_t enough = offset + std::max<size_t>(buffer.size(), 1);
  while (!m_error && !m_complete && m_size < enough) {
    m_wanted = std::min(m_wanted, enough);
    m_changed.wait(lock);
  }
  if (m_error) return *m_error;
  if (offset >= m_size) return size_t{0};  // complete
  size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), m_size - offset));
  m_read = std::max(m_read, offset + want);
  int fd = m_fd.get();  // set once, closed only with this object
  lock.unlock();        // the writer goes on while we read
  while (true) {
    ssize_t n = ::pread(fd, buffer.data(), want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error::from_errno(n < 0 ? errno : EIO, "reading {}", m_name);
    return static_cast<size_t>(n);
  }
}

Result<void> FileFeed::wait() {
  std::unique_lock lock(m_mutex);
  m_changed.wait(lock, [&] { return m_error || m_complete; });
  if (m_error) return *m_error;
  return {};
}

}  // namespace rkt::util
