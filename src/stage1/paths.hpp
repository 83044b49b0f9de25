#pragma once

#include <string>
#include <string_view>

namespace rkt::stage1 {

/// Exit status of a stage1 entrypoint that failed itself (rkt's 254).
inline constexpr int k_exit_failure = 254;
/// Status recorded for an app that could not be started (exec or set-up failure).
inline constexpr int k_app_start_failure = 254;
/// How long apps get between SIGTERM and SIGKILL once the pod is stopping.
inline constexpr int k_stop_timeout_seconds = 10;
/// Apps' log files are rotated to <app>.1 when they would grow past this.
inline constexpr size_t k_log_limit_bytes = 4 * 1024 * 1024;

// Paths relative to the pod directory (the cwd of every entrypoint).
inline constexpr const char* k_pod_manifest_file = "pod";
inline constexpr const char* k_pid_file = "pid";
/// What stage0 writes for --dns-conf-mode resolv=stage0 / hosts=stage0 (in the stage1 rootfs).
inline constexpr const char* k_stage0_resolv_conf = "etc/rkt-resolv.conf";
inline constexpr const char* k_stage0_hosts = "etc/rkt-hosts";
inline constexpr const char* k_stage1_rootfs = "stage1/rootfs";
inline constexpr const char* k_shared_volumes_dir = "sharedVolumes";
/// The pod's cgroup directories, one per line (for gc when the pod could not remove them).
inline constexpr const char* k_cgroups_file = "cgroups";
/// Present while the pod is registered with systemd-machined (gc unregisters a pod that has it).
inline constexpr const char* k_machine_registered_file = "machine-registered";

// Paths relative to the stage1 rootfs ("/" of the pod after pivot_root).
inline constexpr const char* k_stage2_dir = "opt/stage2";
inline constexpr const char* k_status_dir = "rkt/status";
/// rkt/oom-killed/<app> exists when the OOM killer killed the app (its status is then 137).
inline constexpr const char* k_oom_killed_dir = "rkt/oom-killed";
inline constexpr const char* k_env_dir = "rkt/env";
inline constexpr const char* k_logs_dir = "rkt/logs";
inline constexpr const char* k_supervisor_status = "rkt/supervisor-status";

/// "opt/stage2/<app>/rootfs", relative to the stage1 rootfs.
inline std::string app_rootfs_in_stage1(std::string_view app) {
  return std::string(k_stage2_dir) + "/" + std::string(app) + "/rootfs";
}

}  // namespace rkt::stage1
