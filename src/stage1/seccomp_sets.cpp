// The named seccomp sets, as data. rkt took its defaults from Docker's 2016 profile
// (rkt's stage1/init/common/seccomp_wildcards.go); the @systemd/* sets follow systemd's syscall
// groups of the time (rkt passed them on to systemd >= 231).
#include <map>

#include "stage1/seccomp.hpp"

namespace rkt::stage1 {

namespace {

using List = std::vector<std::string_view>;

const List k_docker_default_whitelist = {
    "accept", "accept4", "access", "alarm", "bind", "brk", "capget", "capset", "chdir", "chmod",
    "chown", "chown32", "clock_getres", "clock_gettime", "clock_nanosleep", "close", "connect",
    "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1", "epoll_ctl",
    "epoll_ctl_old", "epoll_pwait", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve",
    "execveat", "exit", "exit_group", "faccessat", "fadvise64", "fadvise64_64", "fallocate",
    "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl",
    "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr",
    "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64",
    "futex", "futimesat", "getcpu", "getcwd", "getdents", "getdents64", "getegid", "getegid32",
    "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getitimer",
    "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom",
    "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list",
    "getrusage", "getsid", "getsockname", "getsockopt", "get_thread_area", "gettid", "gettimeofday",
    "getuid", "getuid32", "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1",
    "inotify_rm_watch", "io_cancel", "ioctl", "io_destroy", "io_getevents", "ioprio_get",
    "ioprio_set", "io_setup", "io_submit", "ipc", "kill", "lchown", "lchown32", "lgetxattr", "link",
    "linkat", "listen", "listxattr", "llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr",
    "lstat", "lstat64", "madvise", "memfd_create", "mincore", "mkdir", "mkdirat", "mknod",
    "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr",
    "mq_notify", "mq_open", "mq_timedreceive", "mq_timedsend", "mq_unlink", "mremap", "msgctl",
    "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap", "nanosleep",
    "newfstatat", "_newselect", "open", "openat", "pause", "personality", "pipe", "pipe2", "poll",
    "ppoll", "prctl", "pread64", "preadv", "prlimit64", "pselect6", "pwrite64", "pwritev", "read",
    "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmsg",
    "remap_file_pages", "removexattr", "rename", "renameat", "renameat2", "restart_syscall",
    "rmdir", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn",
    "rt_sigsuspend", "rt_sigtimedwait", "rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr",
    "sched_getparam", "sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
    "sched_rr_get_interval", "sched_setaffinity", "sched_setattr", "sched_setparam",
    "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget", "semop",
    "semtimedop", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto", "setfsgid",
    "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32",
    "setitimer", "setpgid", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32",
    "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit", "set_robust_list", "setsid",
    "setsockopt", "set_thread_area", "set_tid_address", "setuid", "setuid32", "setxattr", "shmat",
    "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigreturn",
    "socket", "socketcall", "socketpair", "splice", "stat", "stat64", "statfs", "statfs64",
    "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "syslog", "tee",
    "tgkill", "time", "timer_create", "timer_delete", "timerfd_create", "timerfd_gettime",
    "timerfd_settime", "timer_getoverrun", "timer_gettime", "timer_settime", "times", "tkill",
    "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime",
    "utimensat", "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write", "writev",
    "arch_prctl", "modify_ldt", "chroot", "clone",
    // rkt added these on arm (skipped elsewhere: unknown to the architecture).
    "arm_fadvise64_64", "arm_sync_file_range", "breakpoint", "cacheflush", "set_tls",
    "sync_file_range2"};

const List k_docker_default_blacklist = {"acct",
                                         "add_key",
                                         "adjtimex",
                                         "bpf",
                                         "clock_adjtime",
                                         "clock_settime",
                                         "create_module",
                                         "delete_module",
                                         "finit_module",
                                         "get_kernel_syms",
                                         "get_mempolicy",
                                         "init_module",
                                         "ioperm",
                                         "iopl",
                                         "kcmp",
                                         "kexec_file_load",
                                         "kexec_load",
                                         "keyctl",
                                         "lookup_dcookie",
                                         "mbind",
                                         "mount",
                                         "move_pages",
                                         "name_to_handle_at",
                                         "nfsservctl",
                                         "open_by_handle_at",
                                         "perf_event_open",
                                         "pivot_root",
                                         "process_vm_readv",
                                         "process_vm_writev",
                                         "ptrace",
                                         "query_module",
                                         "quotactl",
                                         "reboot",
                                         "request_key",
                                         "set_mempolicy",
                                         "setns",
                                         "settimeofday",
                                         "stime",
                                         "swapon",
                                         "swapoff",
                                         "sysfs",
                                         "_sysctl",
                                         "umount",
                                         "umount2",
                                         "unshare",
                                         "uselib",
                                         "userfaultfd",
                                         "ustat",
                                         "vm86",
                                         "vm86old"};

const List k_systemd_clock = {"adjtimex", "clock_adjtime", "clock_settime", "settimeofday",
                              "stime"};

const List k_systemd_default = {"clock_getres",
                                "clock_gettime",
                                "clock_nanosleep",
                                "execve",
                                "exit",
                                "exit_group",
                                "futex",
                                "get_robust_list",
                                "get_thread_area",
                                "getegid",
                                "getegid32",
                                "geteuid",
                                "geteuid32",
                                "getgid",
                                "getgid32",
                                "getgroups",
                                "getgroups32",
                                "getpgid",
                                "getpgrp",
                                "getpid",
                                "getppid",
                                "getresgid",
                                "getresgid32",
                                "getresuid",
                                "getresuid32",
                                "getrlimit",
                                "getsid",
                                "gettid",
                                "gettimeofday",
                                "getuid",
                                "getuid32",
                                "membarrier",
                                "nanosleep",
                                "pause",
                                "prlimit64",
                                "restart_syscall",
                                "rt_sigreturn",
                                "sched_yield",
                                "set_robust_list",
                                "set_thread_area",
                                "set_tid_address",
                                "set_tls",
                                "sigreturn",
                                "time",
                                "ugetrlimit"};

const List k_systemd_io_event = {"_newselect",    "epoll_create", "epoll_create1", "epoll_ctl",
                                 "epoll_ctl_old", "epoll_pwait",  "epoll_wait",    "epoll_wait_old",
                                 "eventfd",       "eventfd2",     "poll",          "ppoll",
                                 "pselect6",      "select"};

const List k_systemd_mount = {"chroot", "mount", "pivot_root", "umount", "umount2"};

const List k_systemd_network_io = {
    "accept",  "accept4", "bind",       "connect",  "getpeername", "getsockname", "getsockopt",
    "listen",  "recv",    "recvfrom",   "recvmmsg", "recvmsg",     "send",        "sendmmsg",
    "sendmsg", "sendto",  "setsockopt", "shutdown", "socket",      "socketcall",  "socketpair"};

const List k_systemd_obsolete = {"_sysctl",
                                 "afs_syscall",
                                 "bdflush",
                                 "break",
                                 "create_module",
                                 "ftime",
                                 "get_kernel_syms",
                                 "getpmsg",
                                 "gtty",
                                 "lock",
                                 "mpx",
                                 "prof",
                                 "profil",
                                 "putpmsg",
                                 "query_module",
                                 "security",
                                 "sgetmask",
                                 "ssetmask",
                                 "stty",
                                 "sysfs",
                                 "tuxcall",
                                 "ulimit",
                                 "uselib",
                                 "ustat",
                                 "vserver"};

const List k_systemd_raw_io = {"ioperm",
                               "iopl",
                               "pciconfig_iobase",
                               "pciconfig_read",
                               "pciconfig_write",
                               "s390_pci_mmio_read",
                               "s390_pci_mmio_write"};

const List k_systemd_process = {"arch_prctl", "clone",  "execveat", "fork",    "kill", "prctl",
                                "setns",      "tgkill", "tkill",    "unshare", "vfork"};

List systemd_privileged() {
  List list = {"acct",          "bpf",           "capset",          "chown",      "chown32",
               "chroot",        "delete_module", "fchown",          "fchown32",   "fchownat",
               "finit_module",  "init_module",   "kexec_file_load", "kexec_load", "lchown",
               "lchown32",      "nfsservctl",    "pivot_root",      "quotactl",   "reboot",
               "setdomainname", "setfsuid",      "setfsuid32",      "setgroups",  "setgroups32",
               "sethostname",   "setresuid",     "setresuid32",     "setreuid",   "setreuid32",
               "setuid",        "setuid32",      "swapoff",         "swapon",     "_sysctl",
               "vhangup"};
  list.insert(list.end(), k_systemd_clock.begin(), k_systemd_clock.end());
  list.insert(list.end(), k_systemd_raw_io.begin(), k_systemd_raw_io.end());
  return list;
}

const std::map<std::string_view, const List*>& named_sets() {
  static const List privileged = systemd_privileged();
  static const std::map<std::string_view, const List*> sets = {
      {"@docker/default-whitelist", &k_docker_default_whitelist},
      {"@docker/default-blacklist", &k_docker_default_blacklist},
      {"@rkt/default-whitelist", &k_docker_default_whitelist},
      {"@rkt/default-blacklist", &k_docker_default_blacklist},
      {"@systemd/clock", &k_systemd_clock},
      {"@systemd/default-whitelist", &k_systemd_default},
      {"@systemd/io-event", &k_systemd_io_event},
      {"@systemd/mount", &k_systemd_mount},
      {"@systemd/network-io", &k_systemd_network_io},
      {"@systemd/obsolete", &k_systemd_obsolete},
      {"@systemd/privileged", &privileged},
      {"@systemd/process", &k_systemd_process},
      {"@systemd/raw-io", &k_systemd_raw_io},
  };
  return sets;
}

}  // namespace

const std::vector<std::string_view>* seccomp_named_set(std::string_view name) {
  const auto& sets = named_sets();
  auto it = sets.find(name);
  return it == sets.end() ? nullptr : it->second;
}

}  // namespace rkt::stage1
