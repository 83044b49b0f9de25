// systemd-machined registration, against the real machined: the fixture starts a D-Bus daemon of
// its own (its socket in the test's scratch dir, machined's own bus policy) and Debian's
// systemd-machined, activated by that bus in a private mount namespace with its own /run/systemd,
// and points rkt at the bus with DBUS_SYSTEM_BUS_ADDRESS. No systemd as PID 1 is needed:
// RegisterMachine takes the unit from the leader's cgroup (the pod's machine-rkt\x2d<uuid>.scope).
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>

#include <fstream>

#include "rkt_ctx.hpp"

namespace rkt::functional {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* k_machined = "/lib/systemd/systemd-machined";
constexpr const char* k_machine1 = "org.freedesktop.machine1";

/// Waits for a process that is not our child (yet) to end: pidfd readability is its exit.
void wait_gone(pid_t pid) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return;  // already gone
  pollfd p{fd, POLLIN, 0};
  ::poll(&p, 1, 30000);
  ::close(fd);
}

class Machined : public PodTest {
 protected:
  void SetUp() override {
    fs::create_directories(ctx.scratch() / "services");
    m_address = "unix:path=" + (ctx.scratch() / "system_bus_socket").string();
    write_text(ctx.scratch() / "bus.conf", R"(<!DOCTYPE busconfig PUBLIC
 "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>)" + m_address + R"(</listen>
  <auth>EXTERNAL</auth>
  <servicedir>)" + (ctx.scratch() / "services").string() +
                                               R"(</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
  <include>/usr/share/dbus-1/system.d/org.freedesktop.machine1.conf</include>
</busconfig>
)");
    // Activated on the first call; its /run/systemd (machines' state) is private to it.
    write_text(ctx.scratch() / "services" / "org.freedesktop.machine1.service",
               std::string("[D-BUS Service]\nName=") + k_machine1 +
                   "\nExec=/usr/bin/unshare --mount --propagation private /bin/sh -c \"mount -t "
                   "tmpfs tmpfs /run/systemd && exec " +
                   k_machined + "\"\n");
    ProcOptions env{.extra_env = {"DBUS_SYSTEM_BUS_ADDRESS=" + m_address}};
    // --fork: the daemon's parent exits once it listens, printing its pid.
    std::string pid =
        run_checked({"dbus-daemon", "--config-file=" + (ctx.scratch() / "bus.conf").string(),
                     "--fork", "--print-pid"},
                    env);
    m_dbus_pid = std::stoi(pid);
    ::setenv("DBUS_SYSTEM_BUS_ADDRESS", m_address.c_str(), 1);
    ProcResult listed = list_machines();  // starts machined; answers once it runs
    ASSERT_EQ(listed.exit_code, 0) << dump(listed);
    ASSERT_THAT(listed.out, HasSubstr("\".host\"")) << dump(listed);
    ProcResult owner =
        busctl({"call", "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                "GetConnectionUnixProcessID", "s", k_machine1});
    ASSERT_EQ(owner.exit_code, 0) << dump(owner);
    m_machined_pid = std::stoi(owner.out.substr(2));  // "u 1234"
  }

  void TearDown() override {
    PodTest::TearDown();  // gc, with the bus still there
    ::unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
    if (m_machined_pid > 0) {
      ::kill(m_machined_pid, SIGTERM);
      wait_gone(m_machined_pid);
    }
    if (m_dbus_pid > 0) {
      ::kill(m_dbus_pid, SIGTERM);
      wait_gone(m_dbus_pid);
    }
    reap_orphans();
  }

  ProcResult busctl(std::vector<std::string> args) const {
    args.insert(args.begin(), {"busctl", "--address=" + m_address});
    return run_process(args);
  }
  ProcResult list_machines() const {
    return busctl({"call", k_machine1, "/org/freedesktop/machine1",
                   "org.freedesktop.machine1.Manager", "ListMachines"});
  }
  /// A property of machine `name` as busctl prints it ("s \"container\"", "u 42"); "" if unknown.
  std::string machine_property(const std::string& name, const std::string& property) const {
    ProcResult path = busctl({"call", k_machine1, "/org/freedesktop/machine1",
                              "org.freedesktop.machine1.Manager", "GetMachine", "s", name});
    if (path.exit_code != 0) return "";
    std::string object = path.out.substr(3, path.out.find('"', 3) - 3);  // o "/org/..."
    ProcResult value =
        busctl({"get-property", k_machine1, object, "org.freedesktop.machine1.Machine", property});
    return value.exit_code == 0 ? last_line(value.out) : "";
  }

  /// A pod whose app runs until `gate`/open exists.
  RunningPod start_gated_pod(const fs::path& gate) {
    fs::create_directories(gate);
    return start_pod({"--volume=gate,kind=host,source=" + gate.string(),
                      inspect_aci().path.string(), "--mount=volume=gate,target=/gate",
                      "--exec=/bin/sh", "--", "-c",
                      "while [ ! -e /gate/open ]; do sleep 0.1; done"});
  }

  std::string m_address;
  pid_t m_dbus_pid = -1;
  pid_t m_machined_pid = -1;
};

TEST_F(Machined, RunningPodIsMachineRktUuidUntilItExits) {
  const fs::path gate = ctx.scratch() / "gate";
  RunningPod pod = start_gated_pod(gate);
  const std::string name = "rkt-" + pod.uuid;

  ProcResult listed = list_machines();
  EXPECT_THAT(listed.out, HasSubstr("\"" + name + "\" \"container\" \"rkt\"")) << dump(listed);
  std::string leader = read_text(ctx.pod_dir(pod.uuid) / "pid");
  EXPECT_EQ(machine_property(name, "Leader"), "u " + leader);
  EXPECT_EQ(machine_property(name, "Class"), "s \"container\"");
  EXPECT_EQ(machine_property(name, "Service"), "s \"rkt\"");
  EXPECT_EQ(machine_property(name, "RootDirectory"),
            "s \"" + (ctx.pod_dir(pod.uuid) / "stage1/rootfs").string() + "\"");
  std::string escaped_uuid;
  for (char c : pod.uuid) escaped_uuid += c == '-' ? std::string("\\\\x2d") : std::string(1, c);
  EXPECT_EQ(machine_property(name, "Unit"), "s \"machine-rkt\\\\x2d" + escaped_uuid + ".scope\"");
  std::string hex;
  for (char c : pod.uuid) {
    if (c != '-') hex += c;
  }
  std::string id = "ay 16";
  for (size_t i = 0; i < 32; i += 2)
    id += " " + std::to_string(std::stoi(hex.substr(i, 2), nullptr, 16));
  EXPECT_EQ(machine_property(name, "Id"), id);

  std::ofstream(gate / "open").put('\n');
  ProcResult done = pod.rkt.wait();
  ASSERT_EQ(done.exit_code, 0) << dump(done);
  EXPECT_THAT(done.err, Not(HasSubstr("machined"))) << dump(done);
  listed = list_machines();
  EXPECT_EQ(listed.exit_code, 0) << dump(listed);
  EXPECT_THAT(listed.out, Not(HasSubstr(name))) << "still registered after the pod exited";
  EXPECT_FALSE(fs::exists(ctx.pod_dir(pod.uuid) / "machine-registered"));
}

TEST_F(Machined, GcUnregistersThePodOfAKilledStage1) {
  RunningPod pod = start_gated_pod(ctx.scratch() / "gate");
  const std::string name = "rkt-" + pod.uuid;
  ASSERT_THAT(list_machines().out, HasSubstr(name));

  // SIGKILL: the stage1 cannot unregister; machined keeps a machine whose leader died.
  pod.rkt.kill(SIGKILL);
  pod.rkt.wait();
  ProcResult exited = ctx.run({"status", "--wait=20s", pod.uuid});
  ASSERT_THAT(exited.out, HasSubstr("state=exited")) << dump(exited);
  EXPECT_THAT(list_machines().out, HasSubstr(name));

  ProcResult gc = ctx.run({"gc", "--grace-period=0s"});
  EXPECT_TRUE(Succeeded(gc)) << dump(gc);
  EXPECT_THAT(list_machines().out, Not(HasSubstr(name))) << dump(gc);
}

TEST_F(Machined, WithoutMachinedOnTheBusPodsRunWithoutAWord) {
  ::kill(m_machined_pid, SIGTERM);
  wait_gone(m_machined_pid);
  m_machined_pid = -1;
  ProcResult r = run_pod({inspect_aci().path.string(), "--exec=/bin/true"});
  ASSERT_EQ(r.exit_code, 0) << dump(r);
  EXPECT_THAT(r.err, Not(HasSubstr("machined"))) << dump(r);
}

}  // namespace
}  // namespace rkt::functional
