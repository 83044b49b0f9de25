#include "appc/isolator.hpp"

namespace rkt::appc {
namespace {

Result<Isolator> resource_isolator(std::string_view name, std::string_view request,
                                   std::string_view limit) {
  if (request.empty() && limit.empty()) {
    return Error::make(ErrorKind::invalid_argument, "{}: needs a request or a limit", name);
  }
  Isolator isolator{std::string(name), nlohmann::json::object()};
  if (!request.empty()) isolator.value["request"] = std::string(request);
  if (!limit.empty()) isolator.value["limit"] = std::string(limit);
  return isolator;
}

std::string_view set_name(SetMode mode, std::string_view retain, std::string_view remove) {
  return mode == SetMode::retain ? retain : remove;
}

}  // namespace

Result<Isolator> make_cpu_isolator(std::string_view request, std::string_view limit) {
  RKT_TRY_ASSIGN(Isolator isolator, resource_isolator(k_isolator_cpu, request, limit));
  RKT_TRY(cpu_resource(isolator));
  return isolator;
}

Result<Isolator> make_memory_isolator(std::string_view request, std::string_view limit) {
  RKT_TRY_ASSIGN(Isolator isolator, resource_isolator(k_isolator_memory, request, limit));
  RKT_TRY(memory_resource(isolator));
  return isolator;
}

Result<Isolator> make_capability_isolator(SetMode mode, const std::vector<std::string>& set) {
  Isolator isolator{std::string(set_name(mode, k_isolator_caps_retain, k_isolator_caps_remove)),
                    nlohmann::json{{"set", set}}};
  RKT_TRY(capability_set(isolator));
  return isolator;
}

Result<Isolator> make_seccomp_isolator(SetMode mode, const std::vector<std::string>& set,
                                       std::string_view errno_name) {
  Isolator isolator{
      std::string(set_name(mode, k_isolator_seccomp_retain, k_isolator_seccomp_remove)),
      nlohmann::json{{"set", set}}};
  if (!errno_name.empty()) isolator.value["errno"] = std::string(errno_name);
  RKT_TRY(seccomp_set(isolator));
  return isolator;
}

Isolator make_no_new_privileges_isolator(bool enabled) {
  return Isolator{std::string(k_isolator_no_new_privileges), nlohmann::json(enabled)};
}

Result<Isolator> make_oom_score_adj_isolator(int64_t value) {
  Isolator isolator{std::string(k_isolator_oom_score_adj), nlohmann::json(value)};
  RKT_TRY(oom_score_adj(isolator));
  return isolator;
}

Result<Isolator> make_cpu_shares_isolator(int64_t value) {
  Isolator isolator{std::string(k_isolator_cpu_shares), nlohmann::json(value)};
  RKT_TRY(cpu_shares(isolator));
  return isolator;
}

}  // namespace rkt::appc
