#include "stage1/app_security.hpp"

#include <sys/prctl.h>

#include "appc/isolator.hpp"
#include "stage1/report.hpp"
#include "util/strings.hpp"

namespace rkt::stage1 {

namespace {

const std::vector<appc::Isolator>& isolators_of(const appc::RuntimeApp& app) {
  static const std::vector<appc::Isolator> none;
  return app.app ? app.app->isolators : none;
}

Result<bool> wants_no_new_privileges(const std::vector<appc::Isolator>& isolators) {
  const auto* isolator = appc::find_isolator(isolators, appc::k_isolator_no_new_privileges);
  if (!isolator) return false;
  return appc::no_new_privileges(*isolator);
}

}  // namespace

Result<std::shared_ptr<const AppSecurity>> prepare_app_security(const appc::RuntimeApp& app,
                                                                uid_t uid,
                                                                const SecurityOptions& options) {
  const auto& isolators = isolators_of(app);
  auto security = std::make_shared<AppSecurity>();
  auto wrap = [&](Error e) { return std::move(e).wrap("app \"{}\"", app.name); };
  auto caps = plan_capabilities(isolators, options.capabilities);
  if (!caps) return wrap(std::move(caps).error());
  auto prepared = PreparedCapabilities::prepare(*caps);
  if (!prepared) return wrap(std::move(prepared).error());
  security->capabilities = std::move(*prepared);
  auto seccomp = plan_seccomp(isolators, options.seccomp);
  if (!seccomp) return wrap(std::move(seccomp).error());
  security->seccomp_plan = std::move(*seccomp);
  auto program = compile_seccomp(security->seccomp_plan);
  if (!program) return wrap(std::move(program).error());
  security->seccomp_program = std::move(*program);
  auto nnp = wants_no_new_privileges(isolators);
  if (!nnp) return wrap(std::move(nnp).error());
  security->no_new_privileges = *nnp || (uid != 0 && !security->seccomp_program.empty());
  debug("app {}: capabilities [{}], seccomp {} syscalls ({}), no_new_privs {}", app.name,
        util::join(capability_names(security->capabilities.plan().retained), " "),
        security->seccomp_plan.syscalls.size(),
        security->seccomp_plan.mode == SeccompMode::none         ? "no filter"
        : security->seccomp_plan.mode == SeccompMode::allow_list ? "allowed"
                                                                 : "denied",
        security->no_new_privileges);
  return std::shared_ptr<const AppSecurity>(std::move(security));
}

bool apply_security_before_credentials(const AppSecurity& security, sys::ChildFailure& failure) {
  return security.capabilities.apply(failure);
}

bool apply_security_before_exec(const AppSecurity& security, sys::ChildFailure& failure) {
  if (security.no_new_privileges && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    failure.sys_errno = errno;
    failure.append("setting no_new_privs");
    return false;
  }
  return load_seccomp(security.seccomp_program, failure);
}

void warn_unsupported_isolators(const appc::RuntimeApp& app) {
  auto ignored = appc::unsupported_isolators(isolators_of(app));
  if (ignored.empty()) return;
  report("app \"{}\": ignoring isolators not supported: {}", app.name, util::join(ignored, ", "));
}

}  // namespace rkt::stage1
