#include "stage1/log_sink.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace rkt::stage1 {

void LineSplitter::feed(std::string_view data, const std::function<void(std::string_view)>& emit) {
  while (!data.empty()) {
    size_t room = m_capacity - m_pending.size();
    size_t newline = data.find('\n');
    if (newline != std::string_view::npos && newline <= room) {  // the line fits: out it goes
      if (m_pending.empty()) {
        emit(data.substr(0, newline + 1));
      } else {
        m_pending.append(data.substr(0, newline + 1));
        emit(m_pending);
        m_pending.clear();
      }
      data.remove_prefix(newline + 1);
      continue;
    }
    size_t take = std::min(room, data.size());
    m_pending.append(data.substr(0, take));
    data.remove_prefix(take);
    if (m_pending.size() == m_capacity) flush(emit);  // an overlong line goes out in pieces
  }
}

void LineSplitter::flush(const std::function<void(std::string_view)>& emit) {
  if (m_pending.empty()) return;
  m_pending += '\n';
  emit(m_pending);
  m_pending.clear();
}

namespace {

Result<UniqueFd> open_append(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640));
  if (!fd) return Error::from_errno(errno, "open log file `{}`", path.string());
  return fd;
}

}  // namespace

Result<LogFile> LogFile::open(fs::path path, size_t limit) {
  RKT_TRY_ASSIGN(auto fd, open_append(path));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Error::from_errno(errno, "stat `{}`", path.string());
  return LogFile(std::move(path), limit, std::move(fd), static_cast<size_t>(st.st_size));
}

Result<void> LogFile::rotate() {
  fs::path old = m_path;
  old += ".1";
  if (::rename(m_path.c_str(), old.c_str()) != 0) {
    return Error::from_errno(errno, "rotate log file `{}`", m_path.string());
  }
  RKT_TRY_ASSIGN(m_fd, open_append(m_path));
  m_size = 0;
  return {};
}

Result<void> LogFile::write(std::string_view data) {
  if (m_size > 0 && m_size + data.size() > m_limit) {
    auto rotated = rotate();
    if (!rotated) {
      m_size = 0;  // report once per limit's worth, keep logging in the old file
      return rotated;
    }
  }
  while (!data.empty()) {
    ssize_t n = ::write(m_fd.get(), data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(errno, "write log file `{}`", m_path.string());
    data.remove_prefix(static_cast<size_t>(n));
    m_size += static_cast<size_t>(n);
  }
  return {};
}

}  // namespace rkt::stage1
