// CNI networking as a user sees it, with real traffic: pods serving HTTP (busybox httpd) reached
// from the host by their IP and through forwarded ports (also on 127.0.0.1), from another host (a
// network namespace the test makes) and from another pod; --net=none, default-restricted, user
// networks, CNI_ARGS, DNS and hosts files; bad input; and nothing left behind after gc (no veth,
// iptables rule, netns or IPAM lease).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gmock/gmock.h>

#include <fstream>
#include <set>
#include <thread>

#include "rkt_ctx.hpp"

namespace rkt::functional {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* k_page = "hello from the pod\n";
constexpr const char* k_lease_dir = "/var/lib/cni/networks";

/// The body of `GET /` from ip:port ("" when nothing answers within 5 s).
std::string http_get(const std::string& ip, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string request = "GET / HTTP/1.0\r\nHost: " + ip + "\r\n\r\n";
    if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      ssize_t n = 0;
      while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
        response.append(buffer, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  size_t body = response.find("\r\n\r\n");
  return body == std::string::npos ? "" : response.substr(body + 4);
}

std::set<std::string> host_interfaces() {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator("/sys/class/net")) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

std::string iptables_nat_rules() {
  return run_checked({"iptables", "-w", "-t", "nat", "-S"});
}

/// The IPs host-local has leased on network `name` (its lease files).
std::set<std::string> leases(const std::string& name) {
  std::set<std::string> ips;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(k_lease_dir) / name, ec)) {
    std::string file = entry.path().filename().string();
    if (file.find('.') != std::string::npos && file.find("last_reserved") == std::string::npos &&
        file != "lock") {
      ips.insert(file);
    }
  }
  return ips;
}

/// Another host for the tests: a network namespace joined to ours by a veth pair; the host's end
/// is 10.213.<n>.1/30 and the peer's 10.213.<n>.2/30 (default route back to us). Removed at the
/// end.
class PeerHost {
 public:
  explicit PeerHost(int n)
      : m_name("rkt-test-peer-" + std::to_string(::getpid())),
        m_host_if("rkttp" + std::to_string(::getpid() % 100000)),
        m_host_ip("10.213." + std::to_string(n) + ".1") {
    std::string peer_ip = "10.213." + std::to_string(n) + ".2";
    run_checked({"ip", "netns", "add", m_name});
    run_checked(
        {"ip", "link", "add", m_host_if, "type", "veth", "peer", "name", "eth0", "netns", m_name});
    run_checked({"ip", "addr", "add", m_host_ip + "/30", "dev", m_host_if});
    run_checked({"ip", "link", "set", m_host_if, "up"});
    in_peer({"ip", "addr", "add", peer_ip + "/30", "dev", "eth0"});
    in_peer({"ip", "link", "set", "eth0", "up"});
    in_peer({"ip", "link", "set", "lo", "up"});
    in_peer({"ip", "route", "add", "default", "via", m_host_ip});
  }
  ~PeerHost() {
    run_process({"ip", "link", "del", m_host_if});
    run_process({"ip", "netns", "del", m_name});
  }
  PeerHost(const PeerHost&) = delete;
  PeerHost& operator=(const PeerHost&) = delete;

  const std::string& host_ip() const { return m_host_ip; }
  std::string in_peer(const std::vector<std::string>& argv) const {
    std::vector<std::string> full = {"ip", "netns", "exec", m_name};
    full.insert(full.end(), argv.begin(), argv.end());
    return run_checked(full);
  }
  /// http_get from the peer: a thread that joins the peer's network namespace (setns affects
  /// only the calling thread) makes the connection.
  std::string http_get_from_peer(const std::string& ip, int port) const {
    std::string body;
    std::thread client([&] {
      int fd = ::open(("/run/netns/" + m_name).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) return;
      ::close(fd);
      body = http_get(ip, port);
    });
    client.join();
    return body;
  }

 private:
  std::string m_name;
  std::string m_host_if;
  std::string m_host_ip;
};

class Net : public PodTest {
 protected:
  void SetUp() override { m_interfaces_before = host_interfaces(); }

  void TearDown() override {
    PodTest::TearDown();
    // After gc: no veth, chain, namespace or lease of any pod of this test.
    EXPECT_EQ(host_interfaces(), m_interfaces_before);
    std::string rules = iptables_nat_rules();
    for (const auto& uuid : m_uuids) {
      EXPECT_THAT(rules, Not(HasSubstr(uuid.substr(0, 8)))) << rules;
      EXPECT_FALSE(fs::exists("/run/netns/rkt-" + uuid)) << uuid;
    }
    for (const auto& [net, ip] : m_leased) {
      EXPECT_EQ(leases(net).count(ip), 0u) << "lease of " << ip << " on " << net << " left";
    }
  }

  /// An image whose app serves k_page with busybox httpd on port 80 (port name "http"); with
  /// busybox wget and ip for the client side.
  const BuiltAci& httpd_aci() {
    if (!m_httpd) {
      m_httpd =
          AciBuilder(ctx.scratch_path("httpd-image"))
              .inspect()
              .symlink("bin/httpd", "busybox")
              .symlink("bin/wget", "busybox")
              .symlink("bin/ip", "busybox")
              .file("www/index.html", k_page)
              .manifest(inspect_manifest("example.com/httpd",
                                         R"({"exec": ["/bin/httpd", "-f", "-p", "80", "-h", "/www"],
                            "ports": [{"name": "http", "protocol": "tcp", "port": 80}]})"))
              .build(ctx.scratch_path("httpd.aci"), Compression::none);
    }
    return *m_httpd;
  }

  RunningPod start(const std::vector<std::string>& args) {
    RunningPod pod = start_pod(args);
    m_uuids.push_back(pod.uuid);
    return pod;
  }

  /// The pod's address on network `net`, from `rkt status` (networks=net:ip4=A.B.C.D,...); the
  /// lease is remembered for TearDown's check.
  std::string pod_ip(const std::string& uuid, const std::string& net = "default") {
    ProcResult status = ctx.run({"status", uuid});
    EXPECT_TRUE(Succeeded(status));
    std::string networks = value_of(status.out, "networks").value_or("");
    std::string key = net + ":ip4=";
    size_t at = networks.find(key);
    if (at == std::string::npos) {
      ADD_FAILURE() << "no " << net << " network in status:\n" << status.out;
      return "";
    }
    std::string ip = networks.substr(at + key.size());
    ip = ip.substr(0, ip.find(','));
    m_leased.push_back({net, ip});
    return ip;
  }

  void stop(RunningPod& pod) {
    EXPECT_TRUE(Succeeded(ctx.run({"stop", pod.uuid})));
    pod.rkt.wait();
  }

  void write_net_conf(const std::string& file, const std::string& json) {
    fs::create_directories(ctx.local_config() / "net.d");
    std::ofstream(ctx.local_config() / "net.d" / file) << json;
  }

  void write_plugin(const std::string& name, const std::string& script) {
    fs::create_directories(ctx.local_config() / "net.d");
    fs::path path = ctx.local_config() / "net.d" / name;
    std::ofstream(path) << "#!/bin/sh\n" << script;
    fs::permissions(path, static_cast<fs::perms>(0755));
  }

  /// A failed run: rkt's error, and nothing of the pod's network left.
  void expect_network_failure(const ProcResult& r, const std::string& reason) {
    EXPECT_EQ(r.exit_code, k_rkt_error) << dump(r);
    EXPECT_THAT(r.err, HasSubstr("stage1: failed to setup network")) << dump(r);
    EXPECT_THAT(r.err, HasSubstr(reason)) << dump(r);
    EXPECT_EQ(host_interfaces(), m_interfaces_before);
    for (const auto& uuid : ctx.pod_uuids()) {
      m_uuids.push_back(uuid);
      EXPECT_FALSE(fs::exists("/run/netns/rkt-" + uuid));
      EXPECT_THAT(iptables_nat_rules(), Not(HasSubstr(uuid.substr(0, 8))));
    }
  }

  std::vector<std::string> m_uuids;
  std::vector<std::pair<std::string, std::string>> m_leased;

 private:
  std::set<std::string> m_interfaces_before;
  std::optional<BuiltAci> m_httpd;
};

TEST_F(Net, DefaultNetworkServesTheHostByIpAndForwardedPortOnLocalhost) {
  RunningPod pod = start({"--port=http:18080", httpd_aci().path.string()});
  std::string ip = pod_ip(pod.uuid);
  EXPECT_TRUE(ip.rfind("172.16.28.", 0) == 0) << ip;
  EXPECT_EQ(leases("default").count(ip), 1u) << "host-local keeps the lease";

  ProcResult list = ctx.run({"list", "--no-legend"});
  EXPECT_THAT(list.out, HasSubstr("default:ip4=" + ip)) << list.out;
  ProcResult json = ctx.run({"status", "--format=json", pod.uuid});
  EXPECT_THAT(json.out, HasSubstr("\"netName\":\"default\"")) << json.out;
  EXPECT_THAT(json.out, HasSubstr("\"ifName\":\"eth0\"")) << json.out;
  fs::path dir = ctx.pod_dir(pod.uuid);
  EXPECT_EQ(read_text(dir / "netns"), "/run/netns/rkt-" + pod.uuid);
  EXPECT_TRUE(fs::exists(dir / "net" / "eth0.result.json"));
  EXPECT_TRUE(fs::exists("/run/netns/rkt-" + pod.uuid));

  EXPECT_EQ(http_get(ip, 80), k_page) << "the pod by its IP";
  EXPECT_EQ(http_get("127.0.0.1", 18080), k_page) << "the forwarded port on localhost";
  EXPECT_THAT(iptables_nat_rules(), HasSubstr("RKT-PFWD-DNAT-" + pod.uuid.substr(0, 8)));
  stop(pod);
}

TEST_F(Net, ForwardedPortIsReachedFromAnotherHost) {
  PeerHost peer(1);
  RunningPod pod = start({"--port=http:18081", httpd_aci().path.string()});
  pod_ip(pod.uuid);
  EXPECT_EQ(peer.http_get_from_peer(peer.host_ip(), 18081), k_page);
  stop(pod);
}

TEST_F(Net, TwoPodsOnOneNetworkReachEachOther) {
  RunningPod server = start({httpd_aci().path.string()});
  std::string ip = pod_ip(server.uuid);
  ProcResult client = run_pod(
      {httpd_aci().path.string(), "--exec=/bin/wget", "--", "-O", "-", "http://" + ip + "/"});
  EXPECT_EQ(client.exit_code, 0) << dump(client);
  EXPECT_THAT(client.out, HasSubstr(k_page));
  for (const auto& uuid : ctx.pod_uuids()) m_uuids.push_back(uuid);
  stop(server);
}

TEST_F(Net, DefaultHasARouteOutAndDefaultRestrictedHasNone) {
  auto routes = [&](const std::string& net) {
    ProcResult r = run_pod({"--net=" + net, inspect_aci().path.string(), "--",
                            "--read-file=/proc/net/route", "--list-dir=/sys/class/net"});
    EXPECT_TRUE(Succeeded(r));
    EXPECT_EQ(value_of(r.out, "LIST_DIR"), "eth0,lo") << r.out;
    return value_of(r.out, "READ_FILE").value_or("");
  };
  // /proc/net/route: Iface, Destination, Gateway, ...; the default route has destination 00000000.
  EXPECT_THAT(routes("default"), HasSubstr("eth0\t00000000\t"));
  std::string restricted = routes("default-restricted");
  EXPECT_THAT(restricted, Not(HasSubstr("eth0\t00000000\t"))) << restricted;
  EXPECT_THAT(restricted, HasSubstr("eth0")) << "the pod still has its interface";
  for (const auto& uuid : ctx.pod_uuids()) m_uuids.push_back(uuid);
}

TEST_F(Net, UserNetworksCniArgsAndSeveralInterfaces) {
  write_net_conf("10-net1.conf", R"({"name": "net1", "type": "ptp", "ipMasq": false,
      "ipam": {"type": "host-local", "subnet": "172.30.77.0/24"}})");
  RunningPod pod = start({"--net=net1:IP=172.30.77.77,default", inspect_aci().path.string(),
                          "--exec=/bin/sleep", "--", "600"});
  EXPECT_EQ(pod_ip(pod.uuid, "net1"), "172.30.77.77") << "CNI_ARGS reach host-local";
  pod_ip(pod.uuid, "default");
  ProcResult status = ctx.run({"status", pod.uuid});
  EXPECT_THAT(status.out, HasSubstr("networks=net1:ip4=172.30.77.77,default:ip4=172.16.28."));
  ProcResult enter = ctx.run({"enter", pod.uuid, "/bin/ls", "/sys/class/net"});
  EXPECT_TRUE(Succeeded(enter));
  EXPECT_THAT(enter.out, HasSubstr("eth0")) << enter.out;
  EXPECT_THAT(enter.out, HasSubstr("eth1")) << enter.out;
  stop(pod);
}

TEST_F(Net, DnsFlagsHostsEntriesAndCniDns) {
  ProcResult flags = run_pod({"--dns=8.8.8.8", "--dns=8.8.4.4", "--dns-search=example.com",
                              "--dns-opt=ndots:3", "--dns-domain=example.com",
                              "--hosts-entry=10.1.2.3=db", "--hosts-entry=10.1.2.3=cache",
                              inspect_aci().path.string(), "--", "--read-file=/etc/resolv.conf"});
  ASSERT_TRUE(Succeeded(flags));
  EXPECT_EQ(value_of(flags.out, "READ_FILE"),
            "# Generated by rkt run\\nsearch example.com\\nnameserver 8.8.8.8\\n"
            "nameserver 8.8.4.4\\noptions ndots:3\\ndomain example.com\\n");
  ProcResult hosts = run_pod({"--hosts-entry=10.1.2.3=db", "--hosts-entry=10.1.2.3=cache",
                              inspect_aci().path.string(), "--", "--read-file=/etc/hosts"});
  EXPECT_THAT(value_of(hosts.out, "READ_FILE").value_or(""), HasSubstr("10.1.2.3 db cache\\n"));

  ProcResult host = run_pod({"--dns=host", "--net=host", inspect_aci().path.string(), "--",
                             "--read-file=/etc/resolv.conf"});
  ASSERT_TRUE(Succeeded(host));
  std::string host_resolv = read_text("/etc/resolv.conf");
  std::string escaped;
  for (char c : host_resolv) escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
  EXPECT_EQ(value_of(host.out, "READ_FILE"), escaped);

  write_net_conf("10-dnsnet.conf", R"({"name": "dnsnet", "type": "ptp",
      "ipam": {"type": "host-local", "subnet": "172.30.78.0/24"},
      "dns": {"nameservers": ["172.30.78.53"], "search": ["svc.example"]}})");
  ProcResult cni =
      run_pod({"--net=dnsnet", inspect_aci().path.string(), "--", "--read-file=/etc/resolv.conf"});
  ASSERT_TRUE(Succeeded(cni));
  EXPECT_THAT(value_of(cni.out, "READ_FILE").value_or(""),
              HasSubstr("search svc.example\\nnameserver 172.30.78.53\\n"));
  ProcResult none = run_pod({"--net=dnsnet", "--dns=none", inspect_aci().path.string(), "--",
                             "--read-file=/etc/resolv.conf"});
  EXPECT_THAT(none.all(), Not(HasSubstr("172.30.78.53"))) << "--dns=none ignores the CNI DNS";
  for (const auto& uuid : ctx.pod_uuids()) m_uuids.push_back(uuid);
}

TEST_F(Net, UnknownNetworkIsAnErrorAndLeavesNothing) {
  ProcResult r = run_pod({"--net=default,nope", inspect_aci().path.string()});
  expect_network_failure(r, "networks not found: nope");
}

TEST_F(Net, BrokenConfigIsAnErrorAndLeavesNothing) {
  write_net_conf("10-broken.conf", R"({"name": "broken", "type": )");
  ProcResult r = run_pod({"--net=default", inspect_aci().path.string()});
  expect_network_failure(r, "10-broken.conf");
}

TEST_F(Net, MissingPluginIsAnErrorAndLeavesNothing) {
  write_net_conf("10-ghost.conf", R"({"name": "ghost", "type": "no-such-plugin",
      "ipam": {"type": "host-local", "subnet": "172.30.79.0/24"}})");
  ProcResult r = run_pod({"--net=ghost", inspect_aci().path.string()});
  expect_network_failure(r, "plugin \"no-such-plugin\" not found");
}

TEST_F(Net, FailingPluginUndoesTheNetworksBeforeIt) {
  write_net_conf("10-good.conf", R"({"name": "good", "type": "ptp",
      "ipam": {"type": "host-local", "subnet": "172.30.80.0/24"}})");
  write_net_conf("20-bad.conf", R"({"name": "bad", "type": "refuse"})");
  write_plugin(
      "refuse",
      "cat >/dev/null\n"
      "[ \"$CNI_COMMAND\" = DEL ] && exit 0\n"
      "echo '{\"cniVersion\": \"0.3.1\", \"code\": 100, \"msg\": \"refusing to attach\"}'\n"
      "exit 1\n");
  ProcResult r = run_pod({"--net=good,bad", inspect_aci().path.string()});
  expect_network_failure(r, "refusing to attach");
  EXPECT_TRUE(leases("good").empty()) << "the good network's lease was released";
}

TEST_F(Net, KilledRktIsCleanedUpByGc) {
  RunningPod pod = start({"--port=http:18082", httpd_aci().path.string()});
  std::string ip = pod_ip(pod.uuid);
  pod.rkt.kill(SIGKILL);
  pod.rkt.wait();
  EXPECT_EQ(ctx.run({"status", "--wait=10s", pod.uuid}).exit_code, 0);
  EXPECT_EQ(leases("default").count(ip), 1u) << "the lease lives until gc";
  // TearDown's gc releases everything: no veth, chain, netns or lease.
}

}  // namespace
}  // namespace rkt::functional
