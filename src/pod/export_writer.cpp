#include "pod/export_writer.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "util/strings.hpp"
#include "util/unique_fd.hpp"

namespace rkt::pod {

namespace {

using EntryPtr = std::unique_ptr<archive_entry, void (*)(archive_entry*)>;

std::string tar_path(const std::string& rel) {
  return rel.empty() ? "rootfs" : "rootfs/" + rel;
}

/// xattrs worth carrying into an image: file capabilities and user data; not overlayfs's own,
/// nor host security labels.
bool keep_xattr(std::string_view name) {
  return name == "security.capability" ||
         (util::starts_with(name, "user.") && !util::starts_with(name, "user.overlay."));
}

void add_xattrs(archive_entry* entry, const std::filesystem::path& path) {
  std::vector<char> names(65536);
  ssize_t size = ::llistxattr(path.c_str(), names.data(), names.size());
  for (ssize_t pos = 0; size > 0 && pos < size;) {
    std::string name(names.data() + pos);
    pos += static_cast<ssize_t>(name.size()) + 1;
    if (!keep_xattr(name)) continue;
    std::vector<char> value(65536);
    ssize_t n = ::lgetxattr(path.c_str(), name.c_str(), value.data(), value.size());
    if (n >= 0)
      archive_entry_xattr_add_entry(entry, name.c_str(), value.data(), static_cast<size_t>(n));
  }
}

/// The header of an entry from its lstat; the caller adds type-specific parts.
EntryPtr make_entry(const TreeEntry& source) {
  EntryPtr entry(archive_entry_new(), &archive_entry_free);
  archive_entry_set_pathname(entry.get(), tar_path(source.path).c_str());
  archive_entry_copy_stat(entry.get(), &source.st);
  archive_entry_set_nlink(entry.get(), 1);
  archive_entry_set_size(entry.get(), S_ISREG(source.st.st_mode) ? source.st.st_size : 0);
  return entry;
}

}  // namespace

void AciWriter::ArchiveDeleter::operator()(archive* a) const {
  archive_write_free(a);
}

AciWriter::~AciWriter() = default;

Error AciWriter::archive_error(std::string_view what, std::string_view path) const {
  const char* message = archive_error_string(m_archive.get());
  return Error::make(ErrorKind::io, "{} `{}`: {}", what, path, message ? message : "unknown error");
}

Result<AciWriter> AciWriter::open(int fd) {
  std::unique_ptr<archive, ArchiveDeleter> a(archive_write_new());
  if (!a) return Error::make(ErrorKind::io, "archive_write_new failed");
  archive_write_set_format_pax_restricted(a.get());
  archive_write_set_bytes_in_last_block(a.get(), 1);  // no padding to a 10 KiB record
  if (archive_write_open_fd(a.get(), fd) != ARCHIVE_OK) {
    return Error::make(ErrorKind::io, "starting the ACI: {}", archive_error_string(a.get()));
  }
  return AciWriter(std::move(a));
}

Result<void> AciWriter::add_manifest(std::string_view json) {
  EntryPtr entry(archive_entry_new(), &archive_entry_free);
  archive_entry_set_pathname(entry.get(), "manifest");
  archive_entry_set_filetype(entry.get(), AE_IFREG);
  archive_entry_set_perm(entry.get(), 0644);
  archive_entry_set_size(entry.get(), static_cast<la_int64_t>(json.size()));
  archive_entry_set_mtime(entry.get(), ::time(nullptr), 0);
  if (archive_write_header(m_archive.get(), entry.get()) != ARCHIVE_OK ||
      archive_write_data(m_archive.get(), json.data(), json.size()) < 0) {
    return archive_error("writing", "manifest");
  }
  return {};
}

Result<void> AciWriter::add(const TreeEntry& source) {
  if (S_ISSOCK(source.st.st_mode)) return {};
  EntryPtr entry = make_entry(source);
  if (!S_ISDIR(source.st.st_mode) && source.st.st_nlink > 1) {
    auto key = std::make_pair(source.st.st_dev, source.st.st_ino);
    if (auto first = m_links.find(key); first != m_links.end()) {
      archive_entry_set_hardlink(entry.get(), first->second.c_str());
      archive_entry_set_size(entry.get(), 0);
      if (archive_write_header(m_archive.get(), entry.get()) != ARCHIVE_OK) {
        return archive_error("writing", tar_path(source.path));
      }
      return {};
    }
    m_links.emplace(key, tar_path(source.path));
  }
  if (S_ISLNK(source.st.st_mode)) {
    std::vector<char> target(static_cast<size_t>(source.st.st_size) + 1);
    ssize_t n = ::readlink(source.source.c_str(), target.data(), target.size());
    if (n < 0) return Error::from_errno(errno, "readlink `{}`", source.source.string());
    archive_entry_set_symlink(entry.get(),
                              std::string(target.data(), static_cast<size_t>(n)).c_str());
  }
  add_xattrs(entry.get(), source.source);
  if (archive_write_header(m_archive.get(), entry.get()) != ARCHIVE_OK) {
    return archive_error("writing", tar_path(source.path));
  }
  return S_ISREG(source.st.st_mode) ? write_data(source) : Result<void>();
}

Result<void> AciWriter::write_data(const TreeEntry& source) {
  UniqueFd fd(::open(source.source.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "open `{}`", source.source.string());
  std::vector<char> buffer(1 << 16);
  off_t left = source.st.st_size;
  while (left > 0) {
    ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(errno, "read `{}`", source.source.string());
    if (n == 0) {
      return Error::make(ErrorKind::io, "`{}` shrank while being exported", source.source.string());
    }
    n = std::min<ssize_t>(n, left);
    if (archive_write_data(m_archive.get(), buffer.data(), static_cast<size_t>(n)) < 0) {
      return archive_error("writing", tar_path(source.path));
    }
    left -= n;
  }
  return {};
}

Result<void> AciWriter::close() {
  if (archive_write_close(m_archive.get()) != ARCHIVE_OK) return archive_error("finishing", "ACI");
  return {};
}

}  // namespace rkt::pod
