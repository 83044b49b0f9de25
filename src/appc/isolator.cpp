#include "appc/isolator.hpp"

#include <algorithm>
#include <map>

#include "appc/capabilities.hpp"
#include "appc/names.hpp"

namespace rkt::appc {
namespace {

using nlohmann::json;

template <typename... Args>
Error invalid(fmt::format_string<Args...> format, Args&&... args) {
  return Error::make(ErrorKind::invalid_argument, format, std::forward<Args>(args)...);
}

// Where the value sits, for messages: "app.isolators[2].value", or the isolator's name.
std::string value_path(const Isolator& isolator, std::string_view path) {
  return path.empty() ? isolator.name : fmt::format("{}.value", path);
}

Result<void> expect_name(const Isolator& isolator, std::string_view name) {
  if (isolator.name == name) return {};
  return invalid("{} is not a {} isolator", quote(isolator.name), name);
}

Result<void> expect_object(const json& value, const std::string& where) {
  if (value.is_object()) return {};
  return invalid("{}: expected an object, got {}", where, value.dump());
}

struct ResourceQuantities {
  std::optional<Quantity> request;
  std::optional<Quantity> limit;
};

Result<std::optional<Quantity>> quantity_field(const json& value, const char* key,
                                               const std::string& where) {
  auto it = value.find(key);
  if (it == value.end() || it->is_null()) return std::optional<Quantity>{};
  std::string field = fmt::format("{}.{}", where, key);
  // Kubernetes accepts bare JSON numbers as quantities too.
  if (!it->is_string() && !it->is_number()) {
    return invalid("{}: expected a quantity string, got {}", field, it->dump());
  }
  auto quantity = Quantity::parse(it->is_string() ? it->get<std::string>() : it->dump());
  if (!quantity) return std::move(quantity).error().wrap("{}", field);
  if (quantity->is_negative()) return invalid("{}: {} must not be negative", field, it->dump());
  return std::optional<Quantity>(std::move(*quantity));
}

Result<ResourceQuantities> resource_quantities(const Isolator& isolator, std::string_view name,
                                               std::string_view path) {
  RKT_TRY(expect_name(isolator, name));
  std::string where = value_path(isolator, path);
  RKT_TRY(expect_object(isolator.value, where));
  auto def = isolator.value.find("default");
  if (def != isolator.value.end() && !(def->is_boolean() && !def->get<bool>())) {
    return invalid("{}.default: must be false for {}, got {}", where, name, def->dump());
  }
  ResourceQuantities out;
  RKT_TRY_ASSIGN(out.request, quantity_field(isolator.value, "request", where));
  RKT_TRY_ASSIGN(out.limit, quantity_field(isolator.value, "limit", where));
  return out;
}

// Converts with `convert` (value or milli_value), naming the field if it overflows.
template <typename Convert>
Result<std::optional<int64_t>> convert_quantity(const std::optional<Quantity>& quantity,
                                                const std::string& field, Convert convert) {
  if (!quantity) return std::optional<int64_t>{};
  auto converted = convert(*quantity);
  if (!converted) return std::move(converted).error().wrap("{}", field);
  return std::optional<int64_t>(*converted);
}

Result<std::vector<std::string>> string_set(const json& value, const std::string& where) {
  RKT_TRY(expect_object(value, where));
  auto it = value.find("set");
  if (it == value.end() || !it->is_array()) {
    return invalid("{}.set: expected a list of strings", where);
  }
  if (it->empty()) return invalid("{}.set: must not be empty", where);
  std::vector<std::string> set;
  for (size_t i = 0; i < it->size(); ++i) {
    const json& item = (*it)[i];
    if (!item.is_string())
      return invalid("{}.set[{}]: expected a string, got {}", where, i, item.dump());
    set.push_back(item.get<std::string>());
  }
  return set;
}

bool is_syscall_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool is_seccomp_wildcard(std::string_view name) {
  size_t slash = name.find('/');
  return name.size() > 1 && name[0] == '@' && slash != std::string_view::npos && slash > 1 &&
         slash + 1 < name.size();
}

bool is_errno_name(std::string_view name) {
  return name.size() > 1 && name[0] == 'E' && std::all_of(name.begin() + 1, name.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
         });
}

Result<int64_t> integer_value(const Isolator& isolator, std::string_view path, int64_t low,
                              int64_t high) {
  std::string where = value_path(isolator, path);
  if (!isolator.value.is_number_integer()) {
    return invalid("{}: expected an integer, got {}", where, isolator.value.dump());
  }
  if (isolator.value.is_number_unsigned() && isolator.value.get<uint64_t>() > uint64_t(high)) {
    return invalid("{}: {} is not in {}..{}", where, isolator.value.dump(), low, high);
  }
  auto number = isolator.value.get<int64_t>();
  if (number < low || number > high) {
    return invalid("{}: {} is not in {}..{}", where, number, low, high);
  }
  return number;
}

bool is_retain_name(std::string_view name) {
  return name == k_isolator_caps_retain || name == k_isolator_seccomp_retain;
}

}  // namespace

Result<CpuResource> cpu_resource(const Isolator& isolator, std::string_view path) {
  RKT_TRY_ASSIGN(auto quantities, resource_quantities(isolator, k_isolator_cpu, path));
  std::string where = value_path(isolator, path);
  auto milli = [](const Quantity& q) { return q.milli_value(); };
  CpuResource out;
  RKT_TRY_ASSIGN(out.request_milli,
                 convert_quantity(quantities.request, where + ".request", milli));
  RKT_TRY_ASSIGN(out.limit_milli, convert_quantity(quantities.limit, where + ".limit", milli));
  return out;
}

Result<MemoryResource> memory_resource(const Isolator& isolator, std::string_view path) {
  RKT_TRY_ASSIGN(auto quantities, resource_quantities(isolator, k_isolator_memory, path));
  std::string where = value_path(isolator, path);
  auto bytes = [](const Quantity& q) { return q.value(); };
  MemoryResource out;
  RKT_TRY_ASSIGN(out.request_bytes,
                 convert_quantity(quantities.request, where + ".request", bytes));
  RKT_TRY_ASSIGN(out.limit_bytes, convert_quantity(quantities.limit, where + ".limit", bytes));
  return out;
}

Result<CapabilitySet> capability_set(const Isolator& isolator, std::string_view path) {
  bool retain = isolator.name == k_isolator_caps_retain;
  if (!retain) RKT_TRY(expect_name(isolator, k_isolator_caps_remove));
  std::string where = value_path(isolator, path);
  RKT_TRY_ASSIGN(auto set, string_set(isolator.value, where));
  for (size_t i = 0; i < set.size(); ++i) {
    if (!capability_number(set[i])) {
      return invalid("{}.set[{}]: {} is not a Linux capability", where, i, quote(set[i]));
    }
  }
  return CapabilitySet{retain ? SetMode::retain : SetMode::remove, std::move(set)};
}

Result<SeccompSet> seccomp_set(const Isolator& isolator, std::string_view path) {
  bool retain = isolator.name == k_isolator_seccomp_retain;
  if (!retain) RKT_TRY(expect_name(isolator, k_isolator_seccomp_remove));
  std::string where = value_path(isolator, path);
  RKT_TRY_ASSIGN(auto set, string_set(isolator.value, where));
  for (size_t i = 0; i < set.size(); ++i) {
    if (!is_syscall_name(set[i]) && !is_seccomp_wildcard(set[i])) {
      return invalid("{}.set[{}]: {} is neither a syscall name nor a @scope/name wildcard", where,
                     i, quote(set[i]));
    }
  }
  SeccompSet out{retain ? SetMode::retain : SetMode::remove, std::move(set), {}};
  auto errno_it = isolator.value.find("errno");
  if (errno_it != isolator.value.end() && !errno_it->is_null()) {
    if (!errno_it->is_string()) {
      return invalid("{}.errno: expected a string, got {}", where, errno_it->dump());
    }
    out.errno_name = errno_it->get<std::string>();
    if (!out.errno_name.empty() && !is_errno_name(out.errno_name)) {
      return invalid("{}.errno: {} is not an upper-case errno name such as \"EPERM\"", where,
                     quote(out.errno_name));
    }
  }
  return out;
}

Result<bool> no_new_privileges(const Isolator& isolator, std::string_view path) {
  RKT_TRY(expect_name(isolator, k_isolator_no_new_privileges));
  if (!isolator.value.is_boolean()) {
    return invalid("{}: expected true or false, got {}", value_path(isolator, path),
                   isolator.value.dump());
  }
  return isolator.value.get<bool>();
}

Result<int> oom_score_adj(const Isolator& isolator, std::string_view path) {
  RKT_TRY(expect_name(isolator, k_isolator_oom_score_adj));
  RKT_TRY_ASSIGN(int64_t value, integer_value(isolator, path, -1000, 1000));
  return static_cast<int>(value);
}

Result<int64_t> cpu_shares(const Isolator& isolator, std::string_view path) {
  RKT_TRY(expect_name(isolator, k_isolator_cpu_shares));
  return integer_value(isolator, path, 2, 262144);
}

bool is_supported_isolator(std::string_view name) {
  return name == k_isolator_cpu || name == k_isolator_memory || name == k_isolator_caps_retain ||
         name == k_isolator_caps_remove || name == k_isolator_seccomp_retain ||
         name == k_isolator_seccomp_remove || name == k_isolator_no_new_privileges ||
         name == k_isolator_oom_score_adj || name == k_isolator_cpu_shares;
}

Result<void> validate_isolator(const Isolator& isolator, std::string_view path) {
  RKT_TRY(validate_ac_identifier(fmt::format("{}.name", path), isolator.name));
  const std::string_view name = isolator.name;
  if (name == k_isolator_cpu) RKT_TRY(cpu_resource(isolator, path));
  if (name == k_isolator_memory) RKT_TRY(memory_resource(isolator, path));
  if (name == k_isolator_caps_retain || name == k_isolator_caps_remove) {
    RKT_TRY(capability_set(isolator, path));
  }
  if (name == k_isolator_seccomp_retain || name == k_isolator_seccomp_remove) {
    RKT_TRY(seccomp_set(isolator, path));
  }
  if (name == k_isolator_no_new_privileges) RKT_TRY(no_new_privileges(isolator, path));
  if (name == k_isolator_oom_score_adj) RKT_TRY(oom_score_adj(isolator, path));
  if (name == k_isolator_cpu_shares) RKT_TRY(cpu_shares(isolator, path));
  return {};
}

Result<void> validate_isolators(const std::vector<Isolator>& isolators, std::string_view path) {
  std::map<std::string_view, size_t> seen;  // supported isolator name -> first index
  for (size_t i = 0; i < isolators.size(); ++i) {
    std::string item = fmt::format("{}[{}]", path, i);
    const Isolator& isolator = isolators[i];
    RKT_TRY(validate_isolator(isolator, item));
    if (!is_supported_isolator(isolator.name)) continue;
    if (auto it = seen.find(isolator.name); it != seen.end()) {
      return invalid("{}: {} is already given at {}[{}]; only one is allowed", item,
                     quote(isolator.name), path, it->second);
    }
    seen.emplace(isolator.name, i);
  }
  const std::pair<std::string_view, std::string_view> exclusive[] = {
      {k_isolator_caps_retain, k_isolator_caps_remove},
      {k_isolator_seccomp_retain, k_isolator_seccomp_remove}};
  for (const auto& [retain, remove] : exclusive) {
    auto r = seen.find(retain);
    auto d = seen.find(remove);
    if (r == seen.end() || d == seen.end()) continue;
    size_t later = std::max(r->second, d->second);
    return invalid("{}[{}]: {} cannot be used together with {}", path, later,
                   quote(isolators[later].name),
                   quote(is_retain_name(isolators[later].name) ? remove : retain));
  }
  return {};
}

std::vector<std::string> unsupported_isolators(const std::vector<Isolator>& isolators) {
  std::vector<std::string> names;
  for (const Isolator& isolator : isolators) {
    if (is_supported_isolator(isolator.name)) continue;
    if (std::find(names.begin(), names.end(), isolator.name) == names.end()) {
      names.push_back(isolator.name);
    }
  }
  return names;
}

const Isolator* find_isolator(const std::vector<Isolator>& isolators, std::string_view name) {
  for (auto it = isolators.rbegin(); it != isolators.rend(); ++it) {
    if (it->name == name) return &*it;
  }
  return nullptr;
}

void replace_isolator(std::vector<Isolator>& isolators, Isolator replacement,
                      const std::vector<std::string_view>& conflicting) {
  std::erase_if(isolators, [&](const Isolator& isolator) {
    return isolator.name == replacement.name ||
           std::find(conflicting.begin(), conflicting.end(), isolator.name) != conflicting.end();
  });
  isolators.push_back(std::move(replacement));
}

}  // namespace rkt::appc
