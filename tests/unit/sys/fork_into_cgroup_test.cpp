// fork_into_cgroup and CgroupEntry on this machine's hierarchies (run as root, as ctest is).

#include "sys/fork_into_cgroup.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "sys/cgroups.hpp"

namespace rkt::sys {
namespace {

std::string own_cgroups() {
  std::ifstream in("/proc/self/cgroup");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// A fresh cgroup `name` in the first hierarchy of `version`, removed afterwards.
class TestCgroup {
 public:
  TestCgroup(CgroupVersion version, const std::string& name) {
    auto layout = detect_cgroups();
    if (!layout) return;
    for (const auto& h : layout->hierarchies) {
      if (h.version != version || h.has("cpuset")) continue;
      m_path = (h.own_path == "/" ? "" : h.own_path) + "/" + name;
      m_dir = h.dir(m_path);
      if (!make_cgroup(m_dir)) m_dir.clear();
      return;
    }
  }
  ~TestCgroup() {
    if (!m_dir.empty()) (void)remove_cgroup_tree(m_dir);
  }
  const fs::path& dir() const { return m_dir; }
  const std::string& path() const { return m_path; }

 private:
  fs::path m_dir;
  std::string m_path;
};

/// Runs `child` in a child of fork_into_cgroup(dir_fd); its exit status (0: all went well).
template <typename Child>
int in_child(int dir_fd, Child child) {
  pid_t pid = fork_into_cgroup(dir_fd);
  if (pid == 0) ::_exit(child() ? 0 : 1);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

TEST(ForkIntoCgroup, TheChildIsBornInTheV2CgroupAndNeedNotJoinIt) {
  TestCgroup cgroup(CgroupVersion::v2, "rkt-unit-fork-into");
  ASSERT_FALSE(cgroup.dir().empty()) << "this machine has a writable cgroup v2 hierarchy";
  auto entry = open_cgroup_entry(cgroup.dir(), CgroupVersion::v2);
  ASSERT_TRUE(entry) << entry.error().message;
  std::string expected = "0::" + cgroup.path() + "\n";
  EXPECT_EQ(in_child(entry->dir.get(),
                     [&] {
                       return born_in_cgroup() && join_cgroup(*entry) &&
                              own_cgroups().find(expected) != std::string::npos;
                     }),
            0);
  // A plain fork: the child starts where its parent is and joins through cgroup.procs.
  EXPECT_EQ(in_child(-1,
                     [&] {
                       return !born_in_cgroup() &&
                              own_cgroups().find(expected) == std::string::npos &&
                              join_cgroup(*entry) &&
                              own_cgroups().find(expected) != std::string::npos;
                     }),
            0);
}

TEST(ForkIntoCgroup, AV1CgroupIsJoinedThroughTasks) {
  TestCgroup cgroup(CgroupVersion::v1, "rkt-unit-join-tasks");
  ASSERT_FALSE(cgroup.dir().empty()) << "this machine has a writable cgroup v1 hierarchy";
  auto entry = open_cgroup_entry(cgroup.dir(), CgroupVersion::v1);
  ASSERT_TRUE(entry) << entry.error().message;
  EXPECT_FALSE(entry->dir);
  std::string expected = ":" + cgroup.path() + "\n";
  EXPECT_EQ(
      in_child(
          -1,
          [&] { return join_cgroup(*entry) && own_cgroups().find(expected) != std::string::npos; }),
      0);
}

}  // namespace
}  // namespace rkt::sys
