#include "stage1/app_output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "stage1/paths.hpp"
#include "stage1/report.hpp"

namespace rkt::stage1 {

namespace {

void write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // our stdout went away (EPIPE): the log still gets the line
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

Result<AppOutput> AppOutput::create(const fs::path& log_dir, const std::string& app,
                                    std::shared_ptr<const Journal> journal) {
  AppOutput output;
  output.m_app = app;
  output.m_journal = std::move(journal);
  for (size_t i = 0; i < 2; ++i) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return Error::from_errno(errno, "pipe for app \"{}\"", app);
    output.m_streams[i].fd.reset(fds[0]);
    output.m_writers[i].reset(fds[1]);
    output.m_streams[i].echo_fd = i == 0 ? STDOUT_FILENO : STDERR_FILENO;
    if (::fcntl(fds[0], F_SETFL, O_NONBLOCK) != 0) {
      return Error::from_errno(errno, "set the output pipe of app \"{}\" non-blocking", app);
    }
  }
  auto log = LogFile::open(log_dir / app, k_log_limit_bytes);
  if (!log) {
    report("app \"{}\": not logging to a file: {}", app, log.error().message);
  } else {
    output.m_log.emplace(std::move(*log));
  }
  return output;
}

void AppOutput::close_writers() {
  for (auto& writer : m_writers) writer.reset();
}

void AppOutput::emit(const Stream& stream, std::string_view line) {
  write_all(stream.echo_fd, line);
  if (m_journal) m_journal->send_line(m_app, line, stream.echo_fd == STDERR_FILENO);
  if (!m_log) return;
  auto written = m_log->write(line);
  if (!written && !m_log_error_reported) {
    m_log_error_reported = true;
    report("app \"{}\": {}", m_app, written.error().message);
  }
}

void AppOutput::pump(size_t index) {
  Stream& stream = m_streams[index];
  auto emit_line = [&](std::string_view line) { emit(stream, line); };
  char buffer[4096];
  while (stream.fd) {
    ssize_t n = ::read(stream.fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {  // EOF (or an error, which we treat alike)
      stream.lines.flush(emit_line);
      stream.fd.reset();
      return;
    }
    stream.lines.feed(std::string_view(buffer, static_cast<size_t>(n)), emit_line);
  }
}

void AppOutput::note(std::string_view line) {
  std::string text = "stage1: " + std::string(line) + "\n";
  Stream stderr_stream;
  stderr_stream.echo_fd = STDERR_FILENO;
  emit(stderr_stream, text);
}

}  // namespace rkt::stage1
