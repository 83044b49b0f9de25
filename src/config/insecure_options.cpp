#include "config/insecure_options.hpp"

#include <array>
#include <vector>

#include "util/strings.hpp"

namespace rkt::config {
namespace {

using Member = bool InsecureOptions::*;

struct Value {
  std::string_view name;
  std::vector<Member> members;
};

// The seed's table: all-fetch is image, tls and http (rkt's code also added pubkey there; the
// documented meaning wins, so pubkey stays a separate, explicit choice).
const std::array<Value, 12>& values() {
  static const std::array<Value, 12> table = {{
      {"none", {}},
      {"image", {&InsecureOptions::image}},
      {"tls", {&InsecureOptions::tls}},
      {"ondisk", {&InsecureOptions::ondisk}},
      {"http", {&InsecureOptions::http}},
      {"pubkey", {&InsecureOptions::pubkey}},
      {"capabilities", {&InsecureOptions::capabilities}},
      {"paths", {&InsecureOptions::paths}},
      {"seccomp", {&InsecureOptions::seccomp}},
      {"all-fetch",
       {&InsecureOptions::image, &InsecureOptions::tls, &InsecureOptions::http}},
      {"all-run",
       {&InsecureOptions::ondisk, &InsecureOptions::capabilities, &InsecureOptions::paths,
        &InsecureOptions::seccomp}},
      {"all",
       {&InsecureOptions::image, &InsecureOptions::tls, &InsecureOptions::ondisk,
        &InsecureOptions::http, &InsecureOptions::pubkey, &InsecureOptions::capabilities,
        &InsecureOptions::paths, &InsecureOptions::seccomp}},
  }};
  return table;
}

std::string valid_names() {
  std::vector<std::string> names;
  for (const Value& value : values()) names.emplace_back(value.name);
  return util::join(names, ", ");
}

}  // namespace

bool InsecureOptions::any() const {
  return *this != InsecureOptions{};
}

Result<InsecureOptions> parse_insecure_options(std::string_view text) {
  InsecureOptions options;
  for (const std::string& item : util::split(text, ',')) {
    const Value* found = nullptr;
    for (const Value& value : values()) {
      if (value.name == item) found = &value;
    }
    if (found == nullptr) {
      return Error::make(ErrorKind::invalid_argument, "unknown insecure option \"{}\" (valid: {})",
                         item, valid_names());
    }
    for (Member member : found->members) options.*member = true;
  }
  return options;
}

std::string format_insecure_options(const InsecureOptions& options) {
  std::vector<std::string> names;
  // Single values only (indices 1..8), in rkt's order.
  for (size_t i = 1; i <= 8; ++i) {
    if (options.*(values()[i].members.front())) names.emplace_back(values()[i].name);
  }
  return names.empty() ? std::string("none") : util::join(names, ",");
}

}  // namespace rkt::config
