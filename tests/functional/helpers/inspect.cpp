// inspect: a small static program that test images run as their app, after rkt's tests/inspect.
// Each flag is one probe or action, carried out in the order given; every report is a line
// "KEY=VALUE" on stdout so that tests can grep for it. The exit code is --exit-code's (default 0),
// or 1 when an action failed (the failure is reported as KEY_ERROR=reason).
//
//   --print-env=NAME       NAME=value, or "NAME is unset"
//   --print-all-env        every NAME=value of the environment
//   --print-user           UID=, GID=, EUID=, EGID=, GROUPS=g1,g2 (supplementary, sorted)
//   --print-cwd            CWD=
//   --print-hostname       HOSTNAME=
//   --print-pid            PID=, PPID=
//   --print-args           ARGC=, ARGV<i>= for each argument
//   --print-mounts         MOUNT=<line> for each line of /proc/self/mountinfo
//   --print-caps           CAP_INH=, CAP_PRM=, CAP_EFF=, CAP_BND=, CAP_AMB=, NO_NEW_PRIVS=,
//   SECCOMP=
//   --read-file=PATH       READ_FILE=<content, newlines as \n>
//   --write-file=PATH      writes --content (default "inspect") to PATH; WRITE_FILE=PATH
//   --content=TEXT         the content for --write-file
//   --stat=PATH            STAT=PATH mode=0644 uid=0 gid=0 type=file|dir|link|other
//   --list-dir=PATH        LIST_DIR=e1,e2,... (sorted, without . and ..)
//   --check-tty            STDIN_TTY=true|false, STDOUT_TTY=true|false
//   --print-cgroups        CGROUP=<line> for each line of /proc/self/cgroup
//   --alloc-mib=N          allocates N MiB and touches every page; ALLOC_MIB=N once done
//   --syscall=NAME         makes one raw system call (mkdir of /tmp/inspect-syscall, uname,
//                          getpid) and reports SYSCALL=NAME:ok or SYSCALL=NAME:<errno name>
//   --mount-tmpfs=PATH     mount(2) of a tmpfs on PATH (made if missing): MOUNT=ok|<errno name>
//   --mknod=PATH:MAJ:MIN   mknod of a char device, then open(2) of it for reading and writing:
//                          MKNOD=PATH:ok|<errno name>, OPEN=PATH:ok|<errno name>
//   --sleep=SECONDS        sleeps (fractions allowed); output before it is already flushed
//   --exit-code=N          exits with N once all actions are done
//
// Deliberately plain: no rkt libraries, no C++ streams, so the static binary stays small.

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

extern char** environ;

namespace {

bool g_failed = false;

void report(std::string_view key, std::string_view value) {
  std::printf("%.*s=%.*s\n", static_cast<int>(key.size()), key.data(),
              static_cast<int>(value.size()), value.data());
}

void report_error(std::string_view key, std::string_view what) {
  std::string error_key = std::string(key) + "_ERROR";
  std::string message = std::string(what) + ": " + std::strerror(errno);
  report(error_key, message);
  g_failed = true;
}

bool read_text(const char* path, std::string& out) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  return n == 0;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

void print_env(std::string_view name) {
  std::string key(name);
  if (const char* value = std::getenv(key.c_str())) {
    report(key, value);
  } else {
    std::printf("%s is unset\n", key.c_str());
  }
}

void print_all_env() {
  for (char** entry = environ; entry && *entry; ++entry) std::printf("%s\n", *entry);
}

void print_user() {
  report("UID", std::to_string(::getuid()));
  report("GID", std::to_string(::getgid()));
  report("EUID", std::to_string(::geteuid()));
  report("EGID", std::to_string(::getegid()));
  int count = ::getgroups(0, nullptr);
  std::vector<gid_t> groups(static_cast<size_t>(std::max(count, 0)));
  if (count > 0) count = ::getgroups(count, groups.data());
  groups.resize(static_cast<size_t>(std::max(count, 0)));
  std::sort(groups.begin(), groups.end());
  std::string list;
  for (gid_t gid : groups) list += (list.empty() ? "" : ",") + std::to_string(gid);
  report("GROUPS", list);
}

void print_cwd() {
  char buffer[4096];
  if (::getcwd(buffer, sizeof buffer)) {
    report("CWD", buffer);
  } else {
    report_error("CWD", "getcwd");
  }
}

void print_hostname() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof buffer - 1) == 0) {
    report("HOSTNAME", buffer);
  } else {
    report_error("HOSTNAME", "gethostname");
  }
}

void print_args(int argc, char** argv) {
  report("ARGC", std::to_string(argc));
  for (int i = 0; i < argc; ++i) report("ARGV" + std::to_string(i), argv[i]);
}

void print_mounts() {
  std::string text;
  if (!read_text("/proc/self/mountinfo", text))
    return report_error("MOUNT", "/proc/self/mountinfo");
  for (const std::string& line : split_lines(text)) report("MOUNT", line);
}

void print_caps() {
  std::string text;
  if (!read_text("/proc/self/status", text)) return report_error("CAP", "/proc/self/status");
  static constexpr std::pair<std::string_view, std::string_view> k_fields[] = {
      {"CapInh:", "CAP_INH"},  {"CapPrm:", "CAP_PRM"}, {"CapEff:", "CAP_EFF"},
      {"CapBnd:", "CAP_BND"},  {"CapAmb:", "CAP_AMB"}, {"NoNewPrivs:", "NO_NEW_PRIVS"},
      {"Seccomp:", "SECCOMP"},
  };
  for (const std::string& line : split_lines(text)) {
    for (const auto& [field, key] : k_fields) {
      if (line.compare(0, field.size(), field) != 0) continue;
      std::string_view value = std::string_view(line).substr(field.size());
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
      }
      report(key, value);
    }
  }
}

void read_file(const char* path) {
  std::string text;
  if (!read_text(path, text)) return report_error("READ_FILE", path);
  std::string escaped;
  for (char c : text) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  report("READ_FILE", escaped);
}

void write_file(const char* path, const std::string& content) {
  int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return report_error("WRITE_FILE", path);
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  if (!ok) report_error("WRITE_FILE", path);
  ::close(fd);
  if (ok) report("WRITE_FILE", path);
}

void stat_path(const char* path) {
  struct stat st {};
  if (::lstat(path, &st) != 0) return report_error("STAT", path);
  const char* type = S_ISREG(st.st_mode)   ? "file"
                     : S_ISDIR(st.st_mode) ? "dir"
                     : S_ISLNK(st.st_mode) ? "link"
                                           : "other";
  char line[512];
  std::snprintf(line, sizeof line, "%s mode=%04o uid=%u gid=%u type=%s", path,
                static_cast<unsigned>(st.st_mode & 07777), static_cast<unsigned>(st.st_uid),
                static_cast<unsigned>(st.st_gid), type);
  report("STAT", line);
}

void list_dir(const char* path) {
  DIR* dir = ::opendir(path);
  if (!dir) return report_error("LIST_DIR", path);
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir)) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  std::string list;
  for (const std::string& name : names) list += (list.empty() ? "" : ",") + name;
  report("LIST_DIR", list);
}

void check_tty() {
  report("STDIN_TTY", ::isatty(STDIN_FILENO) ? "true" : "false");
  report("STDOUT_TTY", ::isatty(STDOUT_FILENO) ? "true" : "false");
}

/// "ok" when `result` is 0 or more, else the name of errno ("EPERM").
std::string outcome(long result) {
  if (result >= 0) return "ok";
  const char* name = ::strerrorname_np(errno);
  return name ? name : std::to_string(errno);
}

void print_cgroups() {
  std::string text;
  if (!read_text("/proc/self/cgroup", text)) return report_error("CGROUP", "/proc/self/cgroup");
  for (const std::string& line : split_lines(text)) report("CGROUP", line);
}

void alloc_mib(const char* count) {
  long mib = std::atol(count);
  std::vector<char*> blocks;
  for (long i = 0; i < mib; ++i) {
    char* block = static_cast<char*>(std::malloc(1 << 20));
    if (!block) return report_error("ALLOC_MIB", "malloc");
    std::memset(block, 1, 1 << 20);  // touch every page: only then is the memory charged
    blocks.push_back(block);
  }
  report("ALLOC_MIB", count);
  for (char* block : blocks) std::free(block);
}

void try_syscall(std::string_view name) {
  long result = -1;
  if (name == "mkdir") {
    result = ::syscall(SYS_mkdir, "/tmp/inspect-syscall", 0755);
  } else if (name == "uname") {
    struct utsname buffer {};
    result = ::syscall(SYS_uname, &buffer);
  } else if (name == "getpid") {
    result = ::syscall(SYS_getpid);
  } else {
    errno = EINVAL;
  }
  report("SYSCALL", std::string(name) + ":" + outcome(result));
}

void mount_tmpfs(const char* path) {
  ::mkdir(path, 0755);
  report("MOUNT", outcome(::mount("tmpfs", path, "tmpfs", 0, nullptr)));
}

void make_node(const char* spec) {
  std::string text = spec;
  size_t second = text.rfind(':');
  size_t first = second == std::string::npos ? second : text.rfind(':', second - 1);
  if (first == std::string::npos) {
    errno = EINVAL;
    return report_error("MKNOD", spec);
  }
  std::string path = text.substr(0, first);
  dev_t dev = makedev(std::atoi(text.c_str() + first + 1), std::atoi(text.c_str() + second + 1));
  report("MKNOD", path + ":" + outcome(::mknod(path.c_str(), S_IFCHR | 0666, dev)));
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  report("OPEN", path + ":" + outcome(fd));
  if (fd >= 0) ::close(fd);
}

void sleep_for(const char* seconds) {
  std::fflush(stdout);
  double value = std::strtod(seconds, nullptr);
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(value);
  ts.tv_nsec = static_cast<long>((value - static_cast<double>(ts.tv_sec)) * 1e9);
  while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/// The value of "--name=value" when `arg` is that flag, else nullptr.
const char* flag_value(const char* arg, std::string_view name) {
  std::string_view text = arg;
  if (text.size() <= name.size() + 1 || text.compare(0, name.size(), name) != 0 ||
      text[name.size()] != '=') {
    return nullptr;
  }
  return arg + name.size() + 1;
}

/// Carries out one flag; false when the flag is unknown.
bool run_flag(const char* arg, const std::string& content, int argc, char** argv) {
  std::string_view text = arg;
  const char* v = nullptr;
  if ((v = flag_value(arg, "--print-env"))) {
    print_env(v);
  } else if (text == "--print-all-env") {
    print_all_env();
  } else if (text == "--print-user") {
    print_user();
  } else if (text == "--print-cwd") {
    print_cwd();
  } else if (text == "--print-hostname") {
    print_hostname();
  } else if (text == "--print-pid") {
    report("PID", std::to_string(::getpid()));
    report("PPID", std::to_string(::getppid()));
  } else if (text == "--print-args") {
    print_args(argc, argv);
  } else if (text == "--print-mounts") {
    print_mounts();
  } else if (text == "--print-caps") {
    print_caps();
  } else if ((v = flag_value(arg, "--read-file"))) {
    read_file(v);
  } else if ((v = flag_value(arg, "--write-file"))) {
    write_file(v, content);
  } else if ((v = flag_value(arg, "--stat"))) {
    stat_path(v);
  } else if ((v = flag_value(arg, "--list-dir"))) {
    list_dir(v);
  } else if (text == "--check-tty") {
    check_tty();
  } else if (text == "--print-cgroups") {
    print_cgroups();
  } else if ((v = flag_value(arg, "--alloc-mib"))) {
    alloc_mib(v);
  } else if ((v = flag_value(arg, "--syscall"))) {
    try_syscall(v);
  } else if ((v = flag_value(arg, "--mount-tmpfs"))) {
    mount_tmpfs(v);
  } else if ((v = flag_value(arg, "--mknod"))) {
    make_node(v);
  } else if ((v = flag_value(arg, "--sleep"))) {
    sleep_for(v);
  } else if (!flag_value(arg, "--content") && !flag_value(arg, "--exit-code")) {
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  std::string content = "inspect";
  int exit_code = 0;
  for (int i = 1; i < argc; ++i) {
    if (const char* v = flag_value(argv[i], "--content")) content = v;
    if (const char* v = flag_value(argv[i], "--exit-code")) exit_code = std::atoi(v);
  }
  for (int i = 1; i < argc; ++i) {
    if (!run_flag(argv[i], content, argc, argv)) {
      std::fprintf(stderr, "inspect: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  std::fflush(stdout);
  if (g_failed && exit_code == 0) return 1;
  return exit_code;
}
