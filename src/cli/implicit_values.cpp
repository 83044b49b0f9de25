#include "cli/implicit_values.hpp"

#include <array>
#include <string_view>
#include <utility>

namespace rkt::cli {

namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 3> k_implicit_values = {{
    {"--net", "default"},
    {"--wait", "true"},
    {"--wait-ready", "true"},
}};

}  // namespace

void bind_implicit_values(std::vector<std::string>& args) {
  for (std::string& arg : args) {
    for (const auto& [name, value] : k_implicit_values) {
      if (arg == name) arg = std::string(name) + "=" + std::string(value);
    }
  }
}

}  // namespace rkt::cli
