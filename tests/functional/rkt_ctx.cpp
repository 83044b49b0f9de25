#include "rkt_ctx.hpp"

#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace rkt::functional {

namespace {

std::optional<gid_t> lookup_group(const char* name) {
  if (const group* g = ::getgrnam(name)) return g->gr_gid;
  return std::nullopt;
}

bool user_in_group(const passwd& user, gid_t group) {
  int count = 64;
  std::vector<gid_t> groups(static_cast<size_t>(count));
  if (::getgrouplist(user.pw_name, user.pw_gid, groups.data(), &count) < 0) return false;
  groups.resize(static_cast<size_t>(count));
  return std::find(groups.begin(), groups.end(), group) != groups.end();
}

/// Runs an account tool; parallel test processes may race us to it, so a failure is only fatal
/// if the account still isn't what we need afterwards (the caller re-checks).
void run_account_tool(const std::vector<std::string>& argv) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (run_process(argv).exit_code == 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

void make_dir(const fs::path& path, fs::perms perms) {
  fs::create_directories(path);
  fs::permissions(path, perms);
}

}  // namespace

fs::path rkt_binary() {
  if (const char* override_path = std::getenv("RKT_TEST_BINARY"); override_path && *override_path) {
    return override_path;
  }
  return RKT_BINARY;
}

fs::path stage1_image(std::string_view flavor) {
  return rkt_binary().parent_path() / ("stage1-" + std::string(flavor) + ".aci");
}

fs::path source_dir() {
  return RKT_SOURCE_DIR;
}

Credentials rkt_group_user() {
  if (::geteuid() != 0) throw std::runtime_error("creating the test user needs root");
  if (!lookup_group("rkt")) run_account_tool({"groupadd", "--system", "rkt"});
  std::optional<gid_t> rkt_gid = lookup_group("rkt");
  if (!rkt_gid) throw std::runtime_error("cannot create group rkt");

  if (!::getpwnam(k_test_user)) {
    run_account_tool({"useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                      "--shell", "/usr/sbin/nologin", "--groups", "rkt", k_test_user});
  }
  const passwd* user = ::getpwnam(k_test_user);
  if (!user) throw std::runtime_error(std::string("cannot create user ") + k_test_user);
  if (!user_in_group(*user, *rkt_gid)) {
    run_account_tool({"usermod", "--append", "--groups", "rkt", k_test_user});
    user = ::getpwnam(k_test_user);
    if (!user || !user_in_group(*user, *rkt_gid)) {
      throw std::runtime_error(std::string("cannot add ") + k_test_user + " to group rkt");
    }
  }
  return Credentials{user->pw_uid, user->pw_gid, {*rkt_gid}, "/"};
}

RktCtx::RktCtx() {
  std::string tmpl = "/tmp/rkt-ft-XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  m_root = tmpl;
  constexpr auto open = static_cast<fs::perms>(0755);
  fs::permissions(m_root, open);
  for (const auto& dir : {local_config(), system_config(), user_config(), scratch()}) {
    make_dir(dir, open);
  }
}

RktCtx::~RktCtx() {
  reap_orphans();
  if (const char* keep = std::getenv("RKT_TEST_KEEP"); keep && *keep) {
    std::fprintf(stderr, "RKT_TEST_KEEP: leaving %s\n", m_root.c_str());
    return;
  }
  std::error_code ignored;
  fs::remove_all(m_root, ignored);
}

fs::path RktCtx::scratch_path(std::string_view stem) {
  return scratch() / (std::to_string(++m_counter) + "-" + std::string(stem));
}

std::vector<std::string> RktCtx::global_flags() const {
  return {"--dir=" + data_dir().string(), "--local-config=" + local_config().string(),
          "--system-config=" + system_config().string(), "--user-config=" + user_config().string()};
}

std::vector<std::string> RktCtx::command(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {rkt_binary().string()};
  auto flags = global_flags();
  argv.insert(argv.end(), flags.begin(), flags.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

ProcResult RktCtx::run(const std::vector<std::string>& args, ProcOptions options) const {
  return run_process(command(args), options);
}

ProcResult RktCtx::run_as_rkt_user(const std::vector<std::string>& args,
                                   ProcOptions options) const {
  options.as_user = rkt_group_user();
  options.extra_env.push_back("HOME=/");
  options.extra_env.push_back(std::string("USER=") + k_test_user);
  return run(args, options);
}

Child RktCtx::spawn(const std::vector<std::string>& args, ProcOptions options) const {
  return Child::spawn(command(args), options);
}

void RktCtx::trust_prefix(std::string_view prefix, const GpgKey& key) const {
  ProcResult r = run({"trust", "--prefix=" + std::string(prefix), "--skip-fingerprint-review",
                      key.public_key().string()});
  if (r.exit_code != 0) throw std::runtime_error("rkt trust failed:\n" + dump(r));
}

std::string RktCtx::fetch_insecure(const fs::path& aci) const {
  ProcResult r = run({"--insecure-options=image", "fetch", aci.string()});
  if (r.exit_code != 0) throw std::runtime_error("rkt fetch failed:\n" + dump(r));
  return last_line(r.out);
}

std::vector<fs::path> RktCtx::blob_files() const {
  std::vector<fs::path> files;
  fs::path blobs = data_dir() / "cas" / "blob";
  std::error_code ec;
  if (!fs::exists(blobs, ec)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(blobs, ec)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<fs::path> RktCtx::tree_dirs() const {
  std::vector<fs::path> dirs;
  fs::path trees = data_dir() / "cas" / "tree";
  std::error_code ec;
  if (!fs::exists(trees, ec)) return dirs;
  for (const auto& entry : fs::directory_iterator(trees, ec)) dirs.push_back(entry.path());
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

fs::path RktCtx::blob_path(const BuiltAci& image) const {
  std::string key = image.key();
  return data_dir() / "cas" / "blob" / "sha512" / key.substr(7, 2) / key;
}

std::vector<std::string> RktCtx::listed_ids() const {
  ProcResult r = run({"image", "list", "--no-legend", "--full", "--fields=id"});
  EXPECT_TRUE(Succeeded(r));
  std::vector<std::string> ids;
  for (auto& line : lines(r.out)) {
    auto end = line.find_last_not_of(" \t");
    ids.push_back(line.substr(0, end + 1));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

BuiltAci RktCtx::inspect_image(std::string_view name, std::string_view app_patch) {
  return AciBuilder(scratch_path("inspect-image"))
      .inspect()
      .manifest(inspect_manifest(name, app_patch))
      .build(scratch_path("inspect.aci"), Compression::none);
}

namespace {

constexpr const char* k_pod_state_dirs[] = {"embryo", "prepare",        "prepared",
                                            "run",    "exited-garbage", "garbage"};

}  // namespace

std::vector<std::string> RktCtx::pod_uuids() const {
  std::vector<std::string> uuids;
  std::error_code ec;
  for (const char* state : k_pod_state_dirs) {
    for (const auto& entry : fs::directory_iterator(data_dir() / "pods" / state, ec)) {
      uuids.push_back(entry.path().filename().string());
    }
  }
  std::sort(uuids.begin(), uuids.end());
  return uuids;
}

std::string RktCtx::pod_state_dir(std::string_view uuid) const {
  std::error_code ec;
  for (const char* state : k_pod_state_dirs) {
    if (fs::exists(data_dir() / "pods" / state / uuid, ec)) return state;
  }
  return "";
}

fs::path RktCtx::pod_dir(std::string_view uuid) const {
  std::string state = pod_state_dir(uuid);
  return state.empty() ? fs::path() : data_dir() / "pods" / state / uuid;
}

void PodTest::TearDown() {
  for (const std::string& uuid : ctx.pod_uuids()) {
    if (ctx.pod_state_dir(uuid) != "run") continue;
    ctx.run({"stop", "--force", uuid});
    ctx.run({"status", "--wait=10s", uuid});
  }
  ProcResult gc = ctx.run({"gc", "--grace-period=0s", "--expire-prepared=0s"});
  EXPECT_TRUE(Succeeded(gc)) << "gc in TearDown";
  EXPECT_TRUE(ctx.pod_uuids().empty()) << "pods left after gc --grace-period=0s:\n" << gc.out;
  EXPECT_TRUE(mounts_below(ctx.root()).empty())
      << "mounts left below " << ctx.root() << ": " << mounts_below(ctx.root()).front();
}

void ServiceTest::TearDown() {
  PodTest::TearDown();
  if (!service) return;
  service->kill(SIGTERM);
  ProcResult stopped = service->wait();
  EXPECT_EQ(stopped.exit_code, 0) << dump(stopped);
  after_stop();
}

void ServiceTest::spawn_service(const std::vector<std::string>& args, ProcOptions options) {
  service.emplace(ctx.spawn(args, std::move(options)));
}

int free_tcp_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

const BuiltAci& PodTest::inspect_aci() {
  if (!m_inspect_aci) m_inspect_aci = ctx.inspect_image();
  return *m_inspect_aci;
}

ProcResult PodTest::run_pod(const std::vector<std::string>& args, ProcOptions options) {
  std::vector<std::string> argv = {"--insecure-options=image", "run"};
  argv.insert(argv.end(), args.begin(), args.end());
  return ctx.run(argv, std::move(options));
}

PodTest::RunningPod PodTest::start_pod(const std::vector<std::string>& args) {
  fs::path uuid_file = ctx.scratch_path("uuid");
  std::vector<std::string> argv = {"--insecure-options=image", "run",
                                   "--uuid-file-save=" + uuid_file.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  RunningPod pod{ctx.spawn(argv), ""};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!is_uuid(pod.uuid)) {
    if (std::chrono::steady_clock::now() > deadline) {
      ProcResult r = pod.rkt.wait();
      throw std::runtime_error("the pod never saved its UUID:\n" + dump(r));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::ifstream in(uuid_file);
    pod.uuid.clear();
    std::getline(in, pod.uuid);
  }
  ProcResult ready = ctx.run({"status", "--wait-ready=20s", pod.uuid});
  if (ready.exit_code != 0) {
    ProcResult r = pod.rkt.wait();
    throw std::runtime_error("the pod never got ready:\n" + dump(ready) + "\nrkt run:\n" + dump(r));
  }
  return pod;
}

std::optional<std::string> value_of(std::string_view output, std::string_view key) {
  auto all = values_of(output, key);
  if (all.empty()) return std::nullopt;
  return all.front();
}

std::vector<std::string> values_of(std::string_view output, std::string_view key) {
  std::vector<std::string> values;
  std::string prefix = std::string(key) + "=";
  for (std::string line : lines(output)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind(prefix, 0) == 0) values.push_back(line.substr(prefix.size()));
  }
  return values;
}

namespace {

/// A mountinfo path with its octal escapes (\040 for a space ...) decoded.
std::string unescape_mountinfo(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size()) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 3)), nullptr, 8));
      i += 3;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> mounts_below(const fs::path& dir) {
  std::vector<std::string> found;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  std::string base = dir.string();
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, root, mount_point;
    fields >> id >> parent >> device >> root >> mount_point;
    std::string path = unescape_mountinfo(mount_point);
    if (path == base || path.rfind(base + "/", 0) == 0) found.push_back(path);
  }
  return found;
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (text[i] == '-')) return false;
    if (!dash && !is_lower_hex(text.substr(i, 1))) return false;
  }
  return true;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

uintmax_t largest_partial(const fs::path& downloads) {
  uintmax_t partial = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(downloads, ec)) {
    if (entry.path().extension() == ".etag") continue;
    // A partial committed meanwhile is gone: file_size then fails (and returns -1).
    uintmax_t size = entry.file_size(ec);
    if (!ec) partial = std::max(partial, size);
  }
  return partial;
}

void write_text(const fs::path& path, std::string_view content) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::vector<std::string> lines(std::string_view text) {
  std::vector<std::string> result;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) result.emplace_back(line);
    start = end + 1;
  }
  return result;
}

std::string last_line(std::string_view text) {
  auto all = lines(text);
  return all.empty() ? std::string() : all.back();
}

bool is_lower_hex(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

std::string dump(const ProcResult& result) {
  return "exit code: " + std::to_string(result.exit_code) +
         (result.timed_out ? " (timed out)" : "") + "\n--- stdout ---\n" + result.out +
         "--- stderr ---\n" + result.err + "---";
}

::testing::AssertionResult IsRktError(const ProcResult& result) {
  if (result.exit_code != k_rkt_error) {
    return ::testing::AssertionFailure() << "expected exit code 254\n" << dump(result);
  }
  if (last_line(result.err).rfind("rkt: ", 0) != 0) {
    return ::testing::AssertionFailure()
           << "expected the error on stderr as a line starting with \"rkt: \"\n"
           << dump(result);
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult Succeeded(const ProcResult& result) {
  if (result.exit_code == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected exit code 0\n" << dump(result);
}

}  // namespace rkt::functional
