// `rkt metadata-service` and `rkt run --mds-register` as a user sees them: an app reads the
// service the way an appc ACE app does (busybox wget in the pod), gc unregisters the pod, and a
// missing service is a clear error.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gmock/gmock.h>

#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>

#include "rkt_ctx.hpp"

namespace rkt::functional {
namespace {

using ::testing::HasSubstr;

bool accepts(const fs::path& socket) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket.c_str(), sizeof address.sun_path - 1);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

/// GET http://127.0.0.1:<port><path>; returns the status code (0 if unreachable).
int http_status(int port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return 0;
  }
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  (void)!::write(fd, request.data(), request.size());
  char buffer[64] = {};
  ssize_t n = ::read(fd, buffer, sizeof buffer - 1);
  ::close(fd);
  return n > 12 ? std::atoi(buffer + 9) : 0;
}

/// The text between "BEGIN <name>" and "END <name>" lines of `output`.
std::string section(const std::string& output, const std::string& name) {
  auto begin = output.find("BEGIN " + name + "\n");
  auto end = output.find("END " + name + "\n");
  if (begin == std::string::npos || end == std::string::npos) return "";
  begin += name.size() + 7;
  return output.substr(begin, end - begin);
}

// The app: what an ACE app does with AC_METADATA_URL (busybox wget, form posts URL-encoded).
constexpr const char* k_app_script = R"SH(
W="/bin/busybox wget -q -O -"
U="$AC_METADATA_URL/acMetadata/v1"
echo "URL=$AC_METADATA_URL"
echo "UUID=$($W $U/pod/uuid)"
echo "IMAGE_ID=$($W $U/apps/$AC_APP_NAME/image/id)"
echo "APP_NOTE=$($W $U/apps/$AC_APP_NAME/annotations/note)"
echo "BEGIN POD"; $W $U/pod/manifest; echo; echo "END POD"
echo "BEGIN IMAGE"; $W $U/apps/$AC_APP_NAME/image/manifest; echo; echo "END IMAGE"
echo "BEGIN APP_ANNOTATIONS"; $W $U/apps/$AC_APP_NAME/annotations; echo; echo "END APP_ANNOTATIONS"
SIG=$($W --post-data "content=hello" $U/pod/hmac/sign)
echo "SIG=$SIG"
ENC=$(echo -n "$SIG" | /bin/busybox sed -e 's/+/%2B/g' -e 's|/|%2F|g' -e 's/=/%3D/g')
UUID=$($W $U/pod/uuid)
$W --post-data "content=hello&uuid=$UUID&signature=$ENC" $U/pod/hmac/verify >/dev/null
echo "VERIFY=$?"
$W --post-data "content=hellO&uuid=$UUID&signature=$ENC" $U/pod/hmac/verify >/dev/null 2>&1
echo "VERIFY_OTHER_CONTENT=$?"
BAD=$(echo -n "$ENC" | /bin/busybox sed -e 's/^./A/;t' -e 's/^A/B/')
[ "$BAD" = "$ENC" ] && BAD=$(echo -n "$ENC" | /bin/busybox sed -e 's/^./B/')
$W --post-data "content=hello&uuid=$UUID&signature=$BAD" $U/pod/hmac/verify >/dev/null 2>&1
echo "VERIFY_TAMPERED=$?"
$W $U/apps/nosuchapp/image/id >/dev/null 2>&1
echo "UNKNOWN_APP=$?"
)SH";

class MetadataService : public ServiceTest {
 protected:
  void SetUp() override {
    socket = ctx.scratch() / "mds.sock";
    port = free_tcp_port();
    env = {"RKT_METADATA_SOCKET=" + socket.string()};
    spawn_service({"metadata-service", "--listen-port=" + std::to_string(port)},
                  ProcOptions{.extra_env = env});
    for (int i = 0; i < 2000 && !accepts(socket); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(accepts(socket)) << "the metadata service never listened";
  }
  void after_stop() override {
    EXPECT_FALSE(fs::exists(socket)) << "the service left its socket behind";
  }

  fs::path socket;
  int port = 0;
  std::vector<std::string> env;
};

TEST_F(MetadataService, AppReadsItsPodAndImageAsAnAceApp) {
  ProcResult run = run_pod({"--mds-register", "--net=host", inspect_aci().path.string(),
                            "--annotation=note=from-pod", "--exec=/bin/sh", "--", "-c",
                            k_app_script},
                           ProcOptions{.extra_env = env});
  ASSERT_EQ(run.exit_code, 0) << dump(run);
  auto uuid = value_of(run.out, "UUID");
  ASSERT_TRUE(uuid && is_uuid(*uuid)) << dump(run);
  EXPECT_THAT(*value_of(run.out, "URL"),
              ::testing::MatchesRegex("http://127\\.0\\.0\\.1:" + std::to_string(port) +
                                      "/[0-9a-f]{32}"));

  // The manifests match the pod's.
  ProcResult pod_manifest = ctx.run({"cat-manifest", *uuid});
  ASSERT_EQ(pod_manifest.exit_code, 0) << dump(pod_manifest);
  auto served_pod = nlohmann::json::parse(section(run.out, "POD"));
  EXPECT_EQ(served_pod, nlohmann::json::parse(pod_manifest.out));
  const auto& app = served_pod["apps"][0];
  EXPECT_EQ(value_of(run.out, "IMAGE_ID"), app["image"]["id"].get<std::string>());
  ProcResult image_manifest = ctx.run({"image", "cat-manifest", inspect_aci().key()});
  ASSERT_EQ(image_manifest.exit_code, 0) << dump(image_manifest);
  EXPECT_EQ(nlohmann::json::parse(section(run.out, "IMAGE")),
            nlohmann::json::parse(image_manifest.out));
  EXPECT_EQ(value_of(run.out, "APP_NOTE"), "from-pod");
  EXPECT_THAT(section(run.out, "APP_ANNOTATIONS"), HasSubstr(R"("name":"note")"));

  // Sign then verify succeeds; other content or a tampered signature fails.
  EXPECT_FALSE(value_of(run.out, "SIG").value_or("").empty()) << dump(run);
  EXPECT_EQ(value_of(run.out, "VERIFY"), "0") << dump(run);
  EXPECT_NE(value_of(run.out, "VERIFY_OTHER_CONTENT"), "0") << dump(run);
  EXPECT_NE(value_of(run.out, "VERIFY_TAMPERED"), "0") << dump(run);
  EXPECT_NE(value_of(run.out, "UNKNOWN_APP"), "0") << dump(run);

  // Registered until gc; then the token is unknown.
  std::string token = value_of(run.out, "URL")->substr(value_of(run.out, "URL")->rfind('/'));
  EXPECT_EQ(http_status(port, token + "/acMetadata/v1/pod/uuid"), 200);
  ProcResult gc = ctx.run({"gc", "--grace-period=0s"});
  ASSERT_EQ(gc.exit_code, 0) << dump(gc);
  EXPECT_EQ(http_status(port, token + "/acMetadata/v1/pod/uuid"), 401);
}

TEST_F(MetadataService, PodsWithoutMdsRegisterHaveNoMetadataUrl) {
  ProcResult run = run_pod({"--net=host", inspect_aci().path.string(), "--exec=/bin/sh", "--",
                            "-c", "echo URL=${AC_METADATA_URL:-none}"},
                           ProcOptions{.extra_env = env});
  ASSERT_EQ(run.exit_code, 0) << dump(run);
  EXPECT_EQ(value_of(run.out, "URL"), "none");
}

TEST_F(MetadataService, ASecondServiceOnTheSameSocketIsRefused) {
  ProcResult second = ctx.run({"metadata-service", "--listen-port=" + std::to_string(free_tcp_port())},
                              ProcOptions{.extra_env = env});
  EXPECT_TRUE(IsRktError(second));
  EXPECT_THAT(second.err, HasSubstr("already running"));
}

class NoMetadataService : public PodTest {};

TEST_F(NoMetadataService, MdsRegisterFailsWithAHint) {
  std::vector<std::string> env = {"RKT_METADATA_SOCKET=" + (ctx.scratch() / "none.sock").string()};
  ProcResult run = run_pod({"--mds-register", "--net=host", inspect_aci().path.string()},
                           ProcOptions{.extra_env = env});
  EXPECT_TRUE(IsRktError(run)) << dump(run);
  EXPECT_THAT(run.err, HasSubstr("metadata service"));
  EXPECT_THAT(run.err, HasSubstr("rkt metadata-service"));
}

TEST_F(NoMetadataService, MdsRegisterNeedsAReachableNetwork) {
  ProcResult run = run_pod({"--mds-register", "--net=none", inspect_aci().path.string()});
  EXPECT_TRUE(IsRktError(run)) << dump(run);
  EXPECT_THAT(run.err, HasSubstr("--mds-register"));
}

}  // namespace
}  // namespace rkt::functional
