// The metadata service's HTTP behaviour, in process: the registration protocol, every appc
// endpoint with its content type, and the answers to bad input.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "mds/routes.hpp"

namespace rkt::mds {
namespace {

constexpr const char* k_uuid = "6b0d4e62-5e3b-4c2d-9b4e-1f2a3b4c5d6e";
constexpr const char* k_token = "0123456789abcdef0123456789abcdef";
constexpr const char* k_image_id =
    "sha512-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

std::string pod_manifest() {
  nlohmann::json app = {{"name", "web"},
                        {"image", {{"name", "example.com/web"}, {"id", k_image_id}}},
                        {"annotations", {{{"name", "shared"}, {"value", "from-pod"}}}}};
  return nlohmann::json{{"acKind", "PodManifest"},
                        {"acVersion", "0.8.11"},
                        {"apps", {app}},
                        {"annotations", {{{"name", "team"}, {"value", "core"}}}}}
      .dump();
}

std::string image_manifest() {
  return nlohmann::json{{"acKind", "ImageManifest"},
                        {"acVersion", "0.8.11"},
                        {"name", "example.com/web"},
                        {"annotations",
                         {{{"name", "shared"}, {"value", "from-image"}},
                          {{"name", "image-only"}, {"value", "yes"}}}}}
      .dump();
}

/// A server on 127.0.0.1:<ephemeral> running in a thread for the test's lifetime.
class RunningServer {
 public:
  explicit RunningServer(httplib::Server& server) : m_server(server) {
    m_port = m_server.bind_to_any_port("127.0.0.1");
    m_thread = std::thread([this] { m_server.listen_after_bind(); });
    while (!m_server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~RunningServer() {
    m_server.stop();
    m_thread.join();
  }
  int port() const { return m_port; }

 private:
  httplib::Server& m_server;
  int m_port = 0;
  std::thread m_thread;
};

class MetadataRoutes : public ::testing::Test {
 protected:
  MetadataRoutes() {
    key = *make_hmac_key();
    harden(registration, 1 << 20);
    harden(apps, 64 << 10);
    add_registration_routes(registration, registry, 18112);
    add_public_routes(apps, registry, key);
  }

  void register_pod() {
    auto pod = reg_client().Put(std::string("/pods/") + k_uuid + "?token=" + k_token,
                                pod_manifest(), "application/json");
    ASSERT_TRUE(pod);
    ASSERT_EQ(pod->status, 200) << pod->body;
    EXPECT_EQ(nlohmann::json::parse(pod->body)["port"], 18112);
    auto app = reg_client().Put(std::string("/pods/") + k_uuid + "/web", image_manifest(),
                                "application/json");
    ASSERT_TRUE(app);
    ASSERT_EQ(app->status, 200) << app->body;
  }

  httplib::Client reg_client() { return httplib::Client("127.0.0.1", reg_server.port()); }
  httplib::Client app_client() { return httplib::Client("127.0.0.1", app_server.port()); }
  std::string url(std::string_view rest) {
    return std::string("/") + k_token + "/acMetadata/v1" + std::string(rest);
  }

  PodRegistry registry;
  HmacKey key{};
  httplib::Server registration;
  httplib::Server apps;
  RunningServer reg_server{registration};
  RunningServer app_server{apps};
};

TEST_F(MetadataRoutes, ServesEveryEndpointWithItsContentType) {
  register_pod();
  auto client = app_client();
  auto uuid = client.Get(url("/pod/uuid"));
  ASSERT_TRUE(uuid);
  EXPECT_EQ(uuid->status, 200);
  EXPECT_EQ(uuid->body, k_uuid);
  EXPECT_EQ(uuid->get_header_value("Content-Type"), "text/plain; charset=us-ascii");

  auto manifest = client.Get(url("/pod/manifest"));
  EXPECT_EQ(manifest->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(manifest->body), nlohmann::json::parse(pod_manifest()));

  auto annotations = client.Get(url("/pod/annotations"));
  EXPECT_EQ(annotations->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(annotations->body),
            nlohmann::json::parse(R"([{"name":"team","value":"core"}])"));
  auto team = client.Get(url("/pod/annotations/team"));
  EXPECT_EQ(team->status, 200);
  EXPECT_EQ(team->body, "core");
  EXPECT_EQ(team->get_header_value("Content-Type"), "text/plain; charset=us-ascii");

  // The pod's annotations for the app override the image's.
  auto app_annotations = client.Get(url("/apps/web/annotations"));
  EXPECT_EQ(app_annotations->get_header_value("Content-Type"), "application/json");
  auto merged = nlohmann::json::parse(app_annotations->body);
  EXPECT_EQ(merged, nlohmann::json::parse(
                        R"([{"name":"shared","value":"from-pod"},{"name":"image-only","value":"yes"}])"));
  EXPECT_EQ(client.Get(url("/apps/web/annotations/shared"))->body, "from-pod");
  EXPECT_EQ(client.Get(url("/apps/web/annotations/image-only"))->body, "yes");

  auto image = client.Get(url("/apps/web/image/manifest"));
  EXPECT_EQ(image->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(image->body), nlohmann::json::parse(image_manifest()));
  auto id = client.Get(url("/apps/web/image/id"));
  EXPECT_EQ(id->body, k_image_id);
  EXPECT_EQ(id->get_header_value("Content-Type"), "text/plain; charset=us-ascii");
}

TEST_F(MetadataRoutes, SignThenVerifySucceedsAndATamperedSignatureFails) {
  register_pod();
  auto client = app_client();
  auto signed_reply = client.Post(url("/pod/hmac/sign"), httplib::Params{{"content", "hello"}});
  ASSERT_TRUE(signed_reply);
  ASSERT_EQ(signed_reply->status, 200);
  EXPECT_EQ(signed_reply->get_header_value("Content-Type"), "text/plain; charset=us-ascii");
  std::string signature = signed_reply->body;

  auto verified = client.Post(url("/pod/hmac/verify"),
                              httplib::Params{{"content", "hello"}, {"uuid", k_uuid},
                                              {"signature", signature}});
  EXPECT_EQ(verified->status, 200);
  auto other_content = client.Post(url("/pod/hmac/verify"),
                                   httplib::Params{{"content", "hellO"}, {"uuid", k_uuid},
                                                   {"signature", signature}});
  EXPECT_EQ(other_content->status, 403);
  std::string tampered = signature;
  tampered[1] = tampered[1] == 'A' ? 'B' : 'A';
  auto forged = client.Post(url("/pod/hmac/verify"),
                            httplib::Params{{"content", "hello"}, {"uuid", k_uuid},
                                            {"signature", tampered}});
  EXPECT_EQ(forged->status, 403);
  auto corrupt = client.Post(url("/pod/hmac/verify"),
                             httplib::Params{{"content", "hello"}, {"uuid", k_uuid},
                                             {"signature", "***"}});
  EXPECT_EQ(corrupt->status, 400);
  auto no_content = client.Post(url("/pod/hmac/sign"), httplib::Params{});
  EXPECT_EQ(no_content->status, 400);
}

TEST_F(MetadataRoutes, UnknownTokenIs401AndUnknownAppIs404) {
  register_pod();
  auto client = app_client();
  EXPECT_EQ(client.Get("/ffffffffffffffffffffffffffffffff/acMetadata/v1/pod/uuid")->status, 401);
  EXPECT_EQ(client.Get("/ffffffffffffffffffffffffffffffff/acMetadata/v1/apps/web/image/id")->status,
            401);
  EXPECT_EQ(client.Post("/ffffffffffffffffffffffffffffffff/acMetadata/v1/pod/hmac/sign",
                        httplib::Params{{"content", "x"}})->status,
            401);
  EXPECT_EQ(client.Get(url("/apps/nosuchapp/image/id"))->status, 404);
  EXPECT_EQ(client.Get(url("/apps/Not_An_AC_Name/image/id"))->status, 400);
  EXPECT_EQ(client.Get(url("/pod/annotations/missing"))->status, 404);
  EXPECT_EQ(client.Get(url("/nonsense"))->status, 404);
}

TEST_F(MetadataRoutes, UnregisteredPodsAreForgotten) {
  register_pod();
  auto removed = reg_client().Delete(std::string("/pods/") + k_uuid);
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->status, 200);
  EXPECT_EQ(app_client().Get(url("/pod/uuid"))->status, 401);
  EXPECT_EQ(reg_client().Delete(std::string("/pods/") + k_uuid)->status, 404);
  EXPECT_EQ(registry.size(), 0u);
}

TEST_F(MetadataRoutes, RegistrationRejectsBadInput) {
  auto client = reg_client();
  EXPECT_EQ(client.Put(std::string("/pods/not-a-uuid?token=") + k_token, pod_manifest(),
                       "application/json")->status,
            400);
  EXPECT_EQ(client.Put(std::string("/pods/") + k_uuid, pod_manifest(), "application/json")->status,
            400);  // no token
  EXPECT_EQ(client.Put(std::string("/pods/") + k_uuid + "?token=" + k_token, "{not json",
                       "application/json")->status,
            400);
  EXPECT_EQ(client.Put(std::string("/pods/") + k_uuid + "/web", image_manifest(),
                       "application/json")->status,
            404);  // unknown pod
  register_pod();
  EXPECT_EQ(client.Put(std::string("/pods/") + k_uuid + "/other", image_manifest(),
                       "application/json")->status,
            404);  // the pod has no such app
}

TEST_F(MetadataRoutes, OversizedBodiesAreRefused) {
  register_pod();
  std::string big(200 << 10, 'x');
  auto reply = app_client().Post(url("/pod/hmac/sign"), "content=" + big,
                                 "application/x-www-form-urlencoded");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 413);
  EXPECT_EQ(app_client().Get(url("/pod/uuid"))->status, 200);  // still serving
}

/// Sends raw bytes and returns the status line of the reply.
std::string raw_exchange(int port, const std::string& bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return "connect failed";
  }
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  (void)!::write(fd, bytes.data(), bytes.size());
  std::string reply;
  char buffer[1024];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) reply.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  return reply.substr(0, reply.find("\r\n"));
}

TEST_F(MetadataRoutes, MalformedHttpGetsAnErrorAndTheServiceGoesOn) {
  register_pod();
  EXPECT_EQ(raw_exchange(app_server.port(), "GARBAGE\r\n\r\n"), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(raw_exchange(app_server.port(), std::string(20000, 'A') + "\r\n\r\n"),
            "HTTP/1.1 414 URI Too Long");
  std::string truncated = "POST " + url("/pod/hmac/sign") +
                          " HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\ncontent=ab";
  raw_exchange(app_server.port(), truncated);  // the body never completes: no crash, no hang
  EXPECT_EQ(app_client().Get(url("/pod/uuid"))->status, 200);
}

TEST_F(MetadataRoutes, AFloodOfConnectionsDoesNotStopTheService) {
  register_pod();
  std::vector<int> idle;
  for (int i = 0; i < 64; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(app_server.port()));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
      idle.push_back(fd);
    } else {
      ::close(fd);
    }
  }
  auto client = app_client();
  client.set_read_timeout(std::chrono::seconds(60));
  client.set_connection_timeout(std::chrono::seconds(60));
  auto reply = client.Get(url("/pod/uuid"));
  for (int fd : idle) ::close(fd);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, k_uuid);
}

}  // namespace
}  // namespace rkt::mds
