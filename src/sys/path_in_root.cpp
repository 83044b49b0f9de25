#include "sys/path_in_root.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <deque>
#include <string>

#include "util/strings.hpp"

namespace rkt::sys {

namespace {

constexpr int k_max_symlinks = 40;  // as the kernel's MAXSYMLINKS

void push_front_components(std::deque<std::string>& queue, std::string_view path) {
  auto parts = util::split(path, '/');
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (!it->empty() && *it != ".") queue.push_front(*it);
  }
}

Result<std::string> read_link(const fs::path& path) {
  std::string target(256, '\0');
  while (true) {
    ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
    if (n < 0) return Error::from_errno(errno, "readlink `{}`", path.string());
    if (static_cast<size_t>(n) < target.size()) {
      target.resize(static_cast<size_t>(n));
      return target;
    }
    target.resize(target.size() * 2);
  }
}

}  // namespace

Result<fs::path> resolve_in_root(const fs::path& root, std::string_view path) {
  std::deque<std::string> pending;
  push_front_components(pending, path);
  std::vector<std::string> resolved;  // components below root, all existing non-symlinks
  int links = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.front());
    pending.pop_front();
    if (part == "..") {
      if (!resolved.empty()) resolved.pop_back();
      continue;
    }
    fs::path candidate = root;
    for (const auto& c : resolved) candidate /= c;
    candidate /= part;
    struct stat st {};
    if (::lstat(candidate.c_str(), &st) != 0) {
      if (errno != ENOENT && errno != ENOTDIR) {
        return Error::from_errno(errno, "stat `{}`", candidate.string());
      }
      resolved.push_back(std::move(part));  // missing: keep the rest literally
      for (auto& rest : pending) {
        if (rest != "..")
          resolved.push_back(std::move(rest));
        else if (!resolved.empty())
          resolved.pop_back();
      }
      break;
    }
    if (!S_ISLNK(st.st_mode)) {
      resolved.push_back(std::move(part));
      continue;
    }
    if (++links > k_max_symlinks) {
      return Error::from_errno(ELOOP, "resolve `{}` inside `{}`", std::string(path), root.string());
    }
    RKT_TRY_ASSIGN(auto target, read_link(candidate));
    if (!target.empty() && target[0] == '/') resolved.clear();
    push_front_components(pending, target);
  }
  fs::path result = root;
  for (const auto& c : resolved) result /= c;
  return result;
}

}  // namespace rkt::sys
