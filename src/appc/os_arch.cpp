#include "appc/os_arch.hpp"

#include <sys/utsname.h>

#include <algorithm>
#include <map>

#include "appc/manifest.hpp"
#include "appc/names.hpp"
#include "util/strings.hpp"

namespace rkt::appc {
namespace {

const std::map<std::string_view, std::vector<std::string_view>>& os_arch_table() {
  static const std::map<std::string_view, std::vector<std::string_view>> table = {
      {"linux",
       {"amd64", "i386", "aarch64", "aarch64_be", "armv6l", "armv7l", "armv7b", "ppc64", "ppc64le",
        "s390x"}},
      {"freebsd", {"amd64", "i386", "arm"}},
      {"darwin", {"x86_64", "i386"}},
  };
  return table;
}

std::string join_views(const std::vector<std::string_view>& items) {
  std::vector<std::string> parts(items.begin(), items.end());
  return util::join(parts, ", ");
}

}  // namespace

const std::vector<std::string_view>& valid_archs(std::string_view os) {
  static const std::vector<std::string_view> none;
  auto it = os_arch_table().find(os);
  return it == os_arch_table().end() ? none : it->second;
}

std::vector<std::string_view> valid_oses() {
  std::vector<std::string_view> oses;
  for (const auto& [os, archs] : os_arch_table()) oses.push_back(os);
  return oses;
}

bool is_valid_os_arch(std::string_view os, std::string_view arch) {
  const auto& archs = valid_archs(os);
  return std::find(archs.begin(), archs.end(), arch) != archs.end();
}

std::string appc_arch_from_machine(std::string_view machine) {
  if (machine == "x86_64") return "amd64";
  if (machine.size() == 4 && machine[0] == 'i' && machine.substr(2) == "86") return "i386";
  if (machine == "arm64") return "aarch64";
  if (machine == "armv8l") return "armv7l";  // 32-bit userland on a 64-bit ARM kernel
  return std::string(machine);
}

Result<std::string> appc_arch_from_go(std::string_view go_arch, std::string_view variant) {
  if (go_arch == "amd64" || go_arch == "ppc64" || go_arch == "ppc64le" || go_arch == "s390x") {
    return std::string(go_arch);
  }
  if (go_arch == "386") return std::string("i386");
  if (go_arch == "arm64") return std::string("aarch64");
  if (go_arch == "arm") {
    if (variant == "v6") return std::string("armv6l");
    if (variant.empty() || variant == "v7") return std::string("armv7l");
  }
  return Error::make(ErrorKind::invalid_argument, "unsupported architecture {}{}{}", quote(go_arch),
                     variant.empty() ? "" : " variant ", variant);
}

OsArch host_os_arch() {
  struct utsname names {};
  if (::uname(&names) != 0) return OsArch{"linux", "amd64"};
  return OsArch{util::to_lower(names.sysname), appc_arch_from_machine(names.machine)};
}

Result<void> validate_os_arch_labels(const Labels& labels, std::string_view field) {
  const Label* os = find_label(labels, "os");
  if (os == nullptr) return {};
  const auto& archs = valid_archs(os->value);
  if (archs.empty()) {
    return Error::make(ErrorKind::invalid_argument, "{}: bad os {} (must be one of: {})", field,
                       quote(os->value), join_views(valid_oses()));
  }
  const Label* arch = find_label(labels, "arch");
  if (arch != nullptr && !is_valid_os_arch(os->value, arch->value)) {
    return Error::make(ErrorKind::invalid_argument,
                       "{}: bad arch {} for os {} (must be one of: {})", field, quote(arch->value),
                       quote(os->value), join_views(archs));
  }
  return {};
}

}  // namespace rkt::appc
