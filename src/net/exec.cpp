#include "net/exec.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "sys/process.hpp"
#include "util/unique_fd.hpp"

extern char** environ;

namespace rkt::net {

namespace {

Result<UniqueFd> memory_file(const char* name, std::string_view content) {
  UniqueFd fd(::memfd_create(name, MFD_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "memfd_create");
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(errno, "write to memfd");
    done += static_cast<size_t>(n);
  }
  if (::lseek(fd.get(), 0, SEEK_SET) < 0) return Error::from_errno(errno, "lseek memfd");
  return fd;
}

Result<std::string> read_all(const UniqueFd& fd) {
  if (::lseek(fd.get(), 0, SEEK_SET) < 0) return Error::from_errno(errno, "lseek memfd");
  std::string text;
  char buffer[4096];
  while (true) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(errno, "read memfd");
    if (n == 0) return text;
    text.append(buffer, static_cast<size_t>(n));
  }
}

/// environ with `env`'s variables added, replacing those of the same name.
std::vector<std::string> merged_environment(const std::vector<std::string>& env) {
  std::vector<std::string> merged = env;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    std::string_view name = text.substr(0, text.find('='));
    bool replaced = false;
    for (const auto& own : env) {
      if (own.size() > name.size() && own.compare(0, name.size(), name) == 0 &&
          own[name.size()] == '=') {
        replaced = true;
      }
    }
    if (!replaced) merged.emplace_back(text);
  }
  return merged;
}

}  // namespace

Result<ExecOutput> exec_captured(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& env, std::string_view input) {
  RKT_TRY_ASSIGN(auto in, memory_file("stdin", input));
  RKT_TRY_ASSIGN(auto out, memory_file("stdout", ""));
  RKT_TRY_ASSIGN(auto err, memory_file("stderr", ""));
  sys::SpawnOptions options;
  options.argv = argv;
  options.env = merged_environment(env);
  options.stdio = {in.get(), out.get(), err.get()};
  options.inherit_fds = sys::InheritFds::stdio_only;
  RKT_TRY_ASSIGN(pid_t pid, sys::spawn(options));
  ExecOutput result;
  RKT_TRY_ASSIGN(result.status, sys::wait_for_exit(pid));
  RKT_TRY_ASSIGN(result.out, read_all(out));
  RKT_TRY_ASSIGN(result.err, read_all(err));
  return result;
}

std::string find_executable(std::string_view name, const std::vector<std::string>& dirs) {
  if (name.empty() || name.find('/') != std::string_view::npos) return "";
  for (const auto& dir : dirs) {
    std::string path = dir + "/" + std::string(name);
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

}  // namespace rkt::net
