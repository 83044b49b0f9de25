#include "util/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <system_error>

#include "util/unique_fd.hpp"

namespace rkt::util {

Result<std::string> read_file(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "open `{}`", path.string());
  std::string content;
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(errno, "read `{}`", path.string());
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
  }
  return content;
}

static Result<void> write_all(int fd, std::string_view content, const fs::path& path) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(errno, "write `{}`", path.string());
    content.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Result<void> write_file_atomic(const fs::path& path, std::string_view content, mode_t mode,
                               Durability durability) {
  std::string tmp = path.string() + ".tmp-XXXXXX";
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "create `{}`", tmp);
  auto fail = [&](Error e) {
    ::unlink(tmp.c_str());
    return e;
  };
  if (::fchmod(fd.get(), mode) != 0) return fail(Error::from_errno(errno, "chmod `{}`", tmp));
  if (auto r = write_all(fd.get(), content, tmp); !r) return fail(std::move(r).error());
  if (durability == Durability::fsync && ::fsync(fd.get()) != 0) {
    return fail(Error::from_errno(errno, "fsync `{}`", tmp));
  }
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return fail(Error::from_errno(errno, "rename `{}` to `{}`", tmp, path.string()));
  }
  return {};
}

Result<void> make_dirs(const fs::path& path, mode_t mode) {
  if (path.empty() || is_dir(path)) return {};
  if (path.has_parent_path() && path.parent_path() != path) {
    RKT_TRY(make_dirs(path.parent_path(), mode));
  }
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
    return Error::from_errno(errno, "mkdir `{}`", path.string());
  }
  // mkdir applies the umask; the caller asked for exactly `mode` (setgid and group bits matter).
  if (::chmod(path.c_str(), mode) != 0 && errno != EPERM) {
    return Error::from_errno(errno, "chmod `{}`", path.string());
  }
  return {};
}

Result<void> remove_all(const fs::path& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) return Error::from_errno(ec.value(), "remove `{}`", path.string());
  return {};
}

bool path_exists(const fs::path& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool is_dir(const fs::path& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_regular(const fs::path& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<TempDir> TempDir::create(const fs::path& parent, std::string_view prefix) {
  fs::path base = parent;
  if (base.empty()) {
    const char* tmpdir = std::getenv("TMPDIR");
    base = tmpdir && *tmpdir ? tmpdir : "/tmp";
  }
  std::string templ = (base / (std::string(prefix) + "XXXXXX")).string();
  if (!::mkdtemp(templ.data())) return Error::from_errno(errno, "mkdtemp `{}`", templ);
  return TempDir(fs::path(templ));
}

TempDir::~TempDir() {
  if (!m_path.empty()) {
    std::error_code ec;
    fs::remove_all(m_path, ec);
  }
}

}  // namespace rkt::util
