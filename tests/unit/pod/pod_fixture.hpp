#pragma once

// Pod directories made by hand in a temporary data dir, and child processes that hold a pod's
// lock the way a running stage1 does (killing them simulates the pod's death).

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "pod/pod_paths.hpp"
#include "pod/pod_state.hpp"
#include "support/temp_dir.hpp"

namespace rkt::test {

namespace fs = std::filesystem;

inline const std::string k_image_id = "sha512-" + std::string(128, 'a');

/// A valid pod manifest with apps `names` (images example.com/<name>).
inline std::string pod_manifest_json(const std::vector<std::string>& names) {
  std::string apps;
  for (const auto& name : names) {
    if (!apps.empty()) apps += ',';
    apps += R"({"name":")" + name + R"(","image":{"name":"example.com/)" + name + R"(","id":")" +
            k_image_id + R"("}})";
  }
  return R"({"acKind":"PodManifest","acVersion":"0.8.11","apps":[)" + apps + "]}";
}

inline void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

inline std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// Holds an exclusive flock on a directory from a forked child until killed (or dropped).
class LockHolder {
 public:
  explicit LockHolder(const fs::path& dir) {
    int ready[2];
    if (::pipe(ready) != 0) return;
    m_pid = ::fork();
    if (m_pid == 0) {
      ::close(ready[0]);
      int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
      char ok = (fd >= 0 && ::flock(fd, LOCK_EX) == 0) ? '1' : '0';
      (void)!::write(ready[1], &ok, 1);
      ::close(ready[1]);
      while (true) ::pause();
    }
    ::close(ready[1]);
    char ok = '0';
    (void)!::read(ready[0], &ok, 1);
    ::close(ready[0]);
    EXPECT_EQ(ok, '1') << "child could not lock " << dir;
  }
  LockHolder(const LockHolder&) = delete;
  LockHolder& operator=(const LockHolder&) = delete;
  ~LockHolder() { kill(); }

  pid_t pid() const { return m_pid; }
  /// SIGKILLs the holder and reaps it: the kernel releases the lock.
  void kill() {
    if (m_pid <= 0) return;
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
    m_pid = -1;
  }

 private:
  pid_t m_pid = -1;
};

/// A temporary data dir with pods/ made by hand.
class PodsFixture : public ::testing::Test {
 protected:
  PodsFixture() : m_tmp(make_temp_dir()), m_pods(m_tmp.path() / "data") {}

  const pod::PodsDir& pods() const { return m_pods; }
  const fs::path& tmp() const { return m_tmp.path(); }

  /// Creates pod `uuid` in state directory `dir`, with a manifest of `apps` unless empty.
  fs::path make_pod(pod::StateDir dir, const std::string& uuid,
                    const std::vector<std::string>& apps = {"app"}) {
    auto path = m_pods.pod_dir(dir, uuid);
    fs::create_directories(path);
    if (!apps.empty()) write_text(pod::PodPaths(path).manifest(), pod_manifest_json(apps));
    return path;
  }

 private:
  util::TempDir m_tmp;
  pod::PodsDir m_pods;
};

inline const std::string k_uuid_a = "11111111-1111-4111-8111-111111111111";
inline const std::string k_uuid_b = "22222222-2222-4222-8222-222222222222";
inline const std::string k_uuid_c = "2222aaaa-2222-4222-8222-222222222222";

inline bool running_as_root() {
  return ::geteuid() == 0;
}

}  // namespace rkt::test
