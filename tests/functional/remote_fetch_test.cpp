// rkt fetch and rkt trust over the network, against real HTTPS servers on loopback (a test CA made
// with openssl, tests/functional/helpers/https_server.py): appc discovery, signatures, keys, pull
// policies, the HTTP cache, resumable downloads, auth.d, and each fault giving one clear error
// with nothing stored.

#include <signal.h>

#include <fstream>
#include <thread>

#include "rkt_ctx.hpp"
#include "web_server.hpp"

namespace rkt::functional {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

void expect_store_empty(const RktCtx& ctx) {
  EXPECT_TRUE(ctx.listed_ids().empty());
  EXPECT_TRUE(ctx.blob_files().empty()) << "a blob was left in cas/blob";
}

size_t count_requests(const WebServer& server, std::string_view path_prefix) {
  size_t n = 0;
  for (const json& request : server.requests()) {
    if (request["path"].get<std::string>().rfind(path_prefix, 0) == 0) ++n;
  }
  return n;
}

class RemoteFetchTest : public RktTest {
 protected:
  RemoteFetchTest() : server(ctx.scratch_path("web")) {}

  /// HOST/app: the image name served by discovery.
  std::string app_name() const { return server.host() + "/app"; }
  /// Where publish() puts name:version for this host's os/arch.
  std::string aci_path(const std::string& name, const std::string& version) const {
    return "/images/" + name + "-" + version + "-linux-" + host_appc_arch() + ".aci";
  }
  /// Builds, signs (with `signer`, default `key`) and serves image `name` version `version`.
  BuiltAci publish(const std::string& name, const std::string& version,
                   const GpgKey* signer = nullptr, std::string_view extra_manifest = {}) {
    return publish_at(aci_path(name, version), name, {{"version", version}}, signer,
                      extra_manifest);
  }
  /// Builds, signs and serves an image at `path` (+ ".asc").
  BuiltAci publish_at(const std::string& path, const std::string& name, const Labels& labels,
                      const GpgKey* signer = nullptr, std::string_view extra_manifest = {}) {
    std::string manifest = image_manifest(name, labels);
    if (!extra_manifest.empty()) {
      json patched = json::parse(manifest);
      patched.merge_patch(json::parse(extra_manifest));
      manifest = patched.dump();
    }
    AciBuilder builder(ctx.scratch_path("stage"));
    builder.manifest(manifest).file("etc/hello", "hello from " + path + "\n");
    BuiltAci image = builder.build(ctx.scratch_path("image.aci"));
    fs::path asc = (signer ? signer : &key)->sign(image.path);
    server.put_file(path, image.path);
    server.put_file(path + ".asc", asc);
    return image;
  }
  /// A discovery page at /app for prefix HOST/app, with the key at /keys/app.asc.
  void serve_discovery(const std::string& page = "/app", const std::string& prefix = "") {
    std::string p = prefix.empty() ? app_name() : prefix;
    server.put_discovery(page, {{"ac-discovery", p + " https://" + server.host() +
                                                     "/images/{name}-{version}-{os}-{arch}.{ext}"},
                                {"ac-discovery-pubkeys", p + " " + server.url("/keys/app.asc")}});
    server.put_file("/keys/app.asc", key.public_key());
  }
  std::string trust_key() {
    ctx.trust_prefix(app_name(), key);
    return app_name();
  }

  GpgKey key;
  WebServer server;
};

// --- appc discovery ---------------------------------------------------------------------------

TEST_F(RemoteFetchTest, DiscoveryFetchesVerifiesAndStoresWithRktsOutput) {
  serve_discovery();
  BuiltAci image = publish(app_name(), "1.0");
  trust_key();
  ProcResult r = ctx.run({"fetch", app_name() + ":1.0"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(last_line(r.out), image.fetch_id());
  std::string aci_url = server.url(aci_path(app_name(), "1.0"));
  EXPECT_TRUE(contains(r.err, "rkt: searching for app image " + app_name())) << dump(r);
  EXPECT_TRUE(contains(r.err, "rkt: remote fetching from URL \"" + aci_url + "\"")) << dump(r);
  EXPECT_TRUE(contains(r.err, "rkt: downloading signature from " + aci_url + ".asc")) << dump(r);
  EXPECT_TRUE(contains(r.err, "Downloading signature: ")) << dump(r);
  EXPECT_TRUE(contains(r.err, "Downloading ACI: ")) << dump(r);
  EXPECT_TRUE(contains(r.err, "rkt: signature verified:")) << dump(r);
  EXPECT_TRUE(contains(r.err, key.user_id())) << dump(r);
  EXPECT_EQ(ctx.listed_ids(), std::vector<std::string>{image.key()});
}

TEST_F(RemoteFetchTest, WithoutAVersionDiscoveryAsksForLatest) {
  serve_discovery();
  BuiltAci image = publish(app_name(), "latest");
  trust_key();
  ProcResult r = ctx.run({"fetch", app_name()});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(last_line(r.out), image.fetch_id());
}

TEST_F(RemoteFetchTest, ParentPathIsTriedWhenTheNameHasNoPage) {
  std::string group = server.host() + "/group";
  std::string name = group + "/app";
  // Only /group has a page; its template uses a label of its own ({channel}).
  server.put_discovery(
      "/group", {{"ac-discovery", group + " https://" + server.host() +
                                      "/images/{name}-{version}-{os}-{arch}-{channel}.{ext}"}});
  std::string path = "/images/" + name + "-2.0-linux-" + host_appc_arch() + "-stable.aci";
  BuiltAci image = publish_at(path, name, {{"version", "2.0"}, {"channel", "stable"}});
  ctx.trust_prefix(group, key);
  ProcResult r = ctx.run({"fetch", name + ":2.0,channel=stable"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(last_line(r.out), image.fetch_id());
  EXPECT_GE(count_requests(server, "/group/app?ac-discovery=1"), 1u);
}

TEST_F(RemoteFetchTest, DependenciesAreFetchedToo) {
  serve_discovery("/", server.host());
  BuiltAci base = publish(server.host() + "/base", "1.0");
  std::string deps = R"({"dependencies": [{"imageName": ")" + server.host() +
                     R"(/base", "labels": [{"name": "version", "value": "1.0"}]}]})";
  BuiltAci app = publish(app_name(), "1.0", nullptr, deps);
  ctx.trust_prefix(server.host(), key);
  ProcResult r = ctx.run({"fetch", app_name() + ":1.0"});
  ASSERT_TRUE(Succeeded(r));
  auto ids = ctx.listed_ids();
  EXPECT_NE(std::find(ids.begin(), ids.end(), base.key()), ids.end()) << dump(r);
  EXPECT_NE(std::find(ids.begin(), ids.end(), app.key()), ids.end()) << dump(r);
}

TEST_F(RemoteFetchTest, PageWithoutDiscoveryTagsIsAnErrorNamingTheUrls) {
  server.put("/app/index.html", "<html><head><title>nothing here</title></head></html>");
  ProcResult r = ctx.run({"fetch", app_name() + ":1.0"});
  EXPECT_TRUE(IsRktError(r));
  EXPECT_TRUE(contains(r.err, server.url("/app?ac-discovery=1"))) << dump(r);
  expect_store_empty(ctx);
}

// --- URLs and transport security --------------------------------------------------------------

TEST_F(RemoteFetchTest, HttpsUrlWithSignatureBeside) {
  BuiltAci image = publish(app_name(), "1.0");
  trust_key();
  ProcResult r = ctx.run({"fetch", server.url(aci_path(app_name(), "1.0"))});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(last_line(r.out), image.fetch_id());
}

TEST_F(RemoteFetchTest, NonRootMemberOfGroupRktFetchesOverHttps) {
  serve_discovery();
  BuiltAci image = publish(app_name(), "1.0");
  trust_key();
  ASSERT_TRUE(Succeeded(ctx.run({"image", "list"})));  // creates the store as root
  ProcResult r = ctx.run_as_rkt_user({"fetch", app_name() + ":1.0"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(last_line(r.out), image.fetch_id());
}

class PlainHttpTest : public RktTest {
 protected:
  PlainHttpTest() : server(ctx.scratch_path("web"), ServerCert::none) {}
  WebServer server;
};

TEST_F(PlainHttpTest, HttpNeedsTheHttpInsecureOption) {
  AciBuilder builder(ctx.scratch_path("stage"));
  BuiltAci image = builder.manifest(image_manifest("example.com/plain"))
                       .file("x", "x")
                       .build(ctx.scratch_path("plain.aci"));
  server.put_file("/plain.aci", image.path);
  std::string url = server.url("/plain.aci");
  ProcResult refused = ctx.run({"--insecure-options=image", "fetch", url});
  EXPECT_TRUE(IsRktError(refused));
  EXPECT_TRUE(contains(refused.err, url)) << dump(refused);
  EXPECT_TRUE(contains(refused.err, "--insecure-options=http")) << dump(refused);
  expect_store_empty(ctx);
  ProcResult r = ctx.run({"--insecure-options=image,http", "fetch", url});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(last_line(r.out), image.fetch_id());
}

TEST_F(PlainHttpTest, KeyOverHttpNeedsInsecureAllowHttp) {
  GpgKey key;
  server.put_file("/key.asc", key.public_key());
  std::string url = server.url("/key.asc");
  ProcResult refused =
      ctx.run({"trust", "--prefix=example.com/app", "--skip-fingerprint-review", url});
  EXPECT_TRUE(IsRktError(refused));
  EXPECT_TRUE(contains(refused.err, url)) << dump(refused);
  ProcResult r = ctx.run({"trust", "--prefix=example.com/app", "--skip-fingerprint-review",
                          "--insecure-allow-http", url});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_TRUE(
      fs::exists(ctx.local_config() / "trustedkeys/prefix.d/example.com/app" / key.fingerprint()));
}

class BadCertificateTest : public RktTest, public ::testing::WithParamInterface<ServerCert> {};

TEST_P(BadCertificateTest, IsRefusedUnlessTlsChecksAreOff) {
  WebServer server(ctx.scratch_path("web"), GetParam());
  AciBuilder builder(ctx.scratch_path("stage"));
  BuiltAci image = builder.manifest(image_manifest("example.com/tls"))
                       .file("x", "x")
                       .build(ctx.scratch_path("tls.aci"));
  server.put_file("/tls.aci", image.path);
  std::string url = server.url("/tls.aci");
  ProcResult refused = ctx.run({"--insecure-options=image", "fetch", url});
  EXPECT_TRUE(IsRktError(refused));
  EXPECT_TRUE(contains(refused.err, url)) << dump(refused);
  EXPECT_TRUE(contains(refused.err, "certificate")) << dump(refused);
  expect_store_empty(ctx);
  ProcResult r = ctx.run({"--insecure-options=image,tls", "fetch", url});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(last_line(r.out), image.fetch_id());
}

INSTANTIATE_TEST_SUITE_P(Certificates, BadCertificateTest,
                         ::testing::Values(ServerCert::self_signed, ServerCert::expired),
                         [](const auto& info) {
                           return info.param == ServerCert::expired ? "Expired" : "SelfSigned";
                         });

// --- trust ------------------------------------------------------------------------------------

TEST_F(RemoteFetchTest, TrustWithoutKeysDiscoversThePrefixKeys) {
  serve_discovery();
  ProcResult r = ctx.run({"trust", "--prefix=" + app_name(), "--skip-fingerprint-review"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_TRUE(contains(r.err, "prefix: \"" + app_name() + "\"")) << dump(r);
  EXPECT_TRUE(contains(r.err, "key: \"" + server.url("/keys/app.asc") + "\"")) << dump(r);
  EXPECT_TRUE(contains(r.err, "gpg key fingerprint is: ")) << dump(r);
  EXPECT_TRUE(
      fs::exists(ctx.local_config() / "trustedkeys/prefix.d" / app_name() / key.fingerprint()));
}

TEST_F(RemoteFetchTest, TrustKeyByHttpsUrlAsksForReviewWithoutATerminal) {
  server.put_file("/keys/app.asc", key.public_key());
  ProcResult r = ctx.run({"trust", "--prefix=" + app_name(), server.url("/keys/app.asc")});
  EXPECT_TRUE(IsRktError(r));
  EXPECT_TRUE(contains(r.err, "gpg key fingerprint is: ")) << dump(r);
  ProcResult accepted = ctx.run(
      {"--trust-keys-from-https", "trust", "--prefix=" + app_name(), server.url("/keys/app.asc")});
  ASSERT_TRUE(Succeeded(accepted));
  EXPECT_TRUE(
      fs::exists(ctx.local_config() / "trustedkeys/prefix.d" / app_name() / key.fingerprint()));
}

TEST_F(RemoteFetchTest, FetchWithTrustKeysFromHttpsTrustsTheDiscoveredKey) {
  serve_discovery();
  BuiltAci image = publish(app_name(), "1.0");
  ProcResult r = ctx.run({"--trust-keys-from-https", "fetch", app_name() + ":1.0"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(last_line(r.out), image.fetch_id());
  EXPECT_TRUE(contains(r.err, "key: \"" + server.url("/keys/app.asc") + "\"")) << dump(r);
  EXPECT_TRUE(
      fs::exists(ctx.local_config() / "trustedkeys/prefix.d" / app_name() / key.fingerprint()));
}

TEST_F(RemoteFetchTest, SignatureByAnUntrustedKeyIsRefused) {
  serve_discovery();
  GpgKey stranger("stranger <stranger@example.com>");
  publish(app_name(), "1.0", &stranger);
  trust_key();
  ProcResult r = ctx.run({"fetch", app_name() + ":1.0"});
  EXPECT_TRUE(IsRktError(r));
  EXPECT_TRUE(contains(r.err, server.url(aci_path(app_name(), "1.0")))) << dump(r);
  expect_store_empty(ctx);
}

// --- pull policies and the HTTP cache ---------------------------------------------------------

TEST_F(RemoteFetchTest, PullPolicies) {
  serve_discovery();
  BuiltAci image = publish(app_name(), "1.0");
  trust_key();
  std::string name = app_name() + ":1.0";
  EXPECT_TRUE(IsRktError(ctx.run({"fetch", "--pull-policy=never", name})));
  ASSERT_TRUE(Succeeded(ctx.run({"fetch", "--pull-policy=new", name})));
  size_t seen = server.requests().size();
  ProcResult from_store = ctx.run({"fetch", "--pull-policy=new", name});
  ASSERT_TRUE(Succeeded(from_store));
  EXPECT_EQ(last_line(from_store.out), image.fetch_id());
  EXPECT_EQ(server.requests().size(), seen) << "pull policy new went to the network";
  ProcResult never = ctx.run({"fetch", "--pull-policy=never", name});
  ASSERT_TRUE(Succeeded(never));
  EXPECT_EQ(server.requests().size(), seen);

  // update: revalidates with the ETag; the 304 reuses the stored image.
  ProcResult update = ctx.run({"fetch", "--pull-policy=update", name});
  ASSERT_TRUE(Succeeded(update));
  EXPECT_EQ(last_line(update.out), image.fetch_id());
  EXPECT_TRUE(contains(update.err, "not modified")) << dump(update);
  bool conditional = false;
  for (const json& request : server.requests()) {
    if (request["path"] == aci_path(app_name(), "1.0") &&
        request["headers"].contains("if-none-match")) {
      conditional = true;
    }
  }
  EXPECT_TRUE(conditional);
  EXPECT_EQ(ctx.listed_ids().size(), 1u);
}

TEST_F(RemoteFetchTest, CacheControlMaxAgeSkipsTheNetwork) {
  BuiltAci image = publish(app_name(), "1.0");
  trust_key();
  std::string path = aci_path(app_name(), "1.0");
  server.rule(path, {{"cache_control", "max-age=3600"}});
  ASSERT_TRUE(Succeeded(ctx.run({"fetch", server.url(path)})));
  size_t before = count_requests(server, path);
  ProcResult again = ctx.run({"fetch", server.url(path)});
  ASSERT_TRUE(Succeeded(again));
  EXPECT_EQ(last_line(again.out), image.fetch_id());
  EXPECT_EQ(count_requests(server, path), before) << "the cached image was fresh";
}

TEST_F(RemoteFetchTest, DeferredSignatureIsFetchedAfterTheImage) {
  BuiltAci image = publish(app_name(), "1.0");
  trust_key();
  std::string path = aci_path(app_name(), "1.0");
  server.rule(path + ".asc", {{"accepted_times", 1}});
  ProcResult r = ctx.run({"fetch", server.url(path)});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(last_line(r.out), image.fetch_id());
  EXPECT_EQ(count_requests(server, path + ".asc"), 2u);
}

// --- auth.d -----------------------------------------------------------------------------------

void write_auth(const RktCtx& ctx, const std::string& host, const std::string& body) {
  fs::create_directories(ctx.local_config() / "auth.d");
  std::ofstream(ctx.local_config() / "auth.d/test.json")
      << R"({"rktKind": "auth", "rktVersion": "v1", "domains": [")" << host << R"("], )" << body
      << "}";
}

TEST_F(RemoteFetchTest, BasicAuthFromAuthD) {
  BuiltAci image = publish(app_name(), "1.0");
  trust_key();
  std::string path = aci_path(app_name(), "1.0");
  server.rule(path, {{"basic_auth", "alice:secret"}});
  server.rule(path + ".asc", {{"basic_auth", "alice:secret"}});
  ProcResult denied = ctx.run({"fetch", server.url(path)});
  EXPECT_TRUE(IsRktError(denied));
  EXPECT_TRUE(contains(denied.err, "401")) << dump(denied);
  EXPECT_TRUE(contains(denied.err, server.url(path))) << dump(denied);
  expect_store_empty(ctx);
  write_auth(ctx, server.host(),
             R"("type": "basic", "credentials": {"user": "alice", "password": "secret"})");
  ProcResult r = ctx.run({"fetch", server.url(path)});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(last_line(r.out), image.fetch_id());
}

TEST_F(RemoteFetchTest, OauthTokenFromAuthD) {
  BuiltAci image = publish(app_name(), "1.0");
  trust_key();
  std::string path = aci_path(app_name(), "1.0");
  server.rule(path, {{"bearer", "tok123"}});
  write_auth(ctx, server.host(), R"("type": "oauth", "credentials": {"token": "tok123"})");
  ProcResult r = ctx.run({"fetch", server.url(path)});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(last_line(r.out), image.fetch_id());
}

// --- faults -----------------------------------------------------------------------------------

class RemoteFaultTest : public RemoteFetchTest,
                        public ::testing::WithParamInterface<std::pair<const char*, json>> {};

TEST_P(RemoteFaultTest, IsOneClearErrorNamingTheUrlAndStoresNothing) {
  publish(app_name(), "1.0");
  trust_key();
  std::string path = aci_path(app_name(), "1.0");
  server.rule(path, GetParam().second);
  ProcOptions options;
  options.extra_env.push_back("RKT_HTTP_STALL_TIMEOUT=2");
  ProcResult r = ctx.run({"fetch", server.url(path)}, options);
  EXPECT_TRUE(IsRktError(r));
  EXPECT_TRUE(contains(r.err, server.url(path))) << dump(r);
  expect_store_empty(ctx);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, RemoteFaultTest,
    ::testing::Values(std::pair<const char*, json>{"NotFound", {{"status", 404}}},
                      std::pair<const char*, json>{"ServerError", {{"status", 500}}},
                      std::pair<const char*, json>{"Unauthorized", {{"basic_auth", "a:b"}}},
                      std::pair<const char*, json>{"Truncated", {{"truncate_after", 100}}},
                      std::pair<const char*, json>{"Stalled", {{"stall_after", 100}}}),
    [](const auto& info) { return std::string(info.param.first); });

TEST_F(RemoteFetchTest, ContentThatIsNotAnAciIsRefused) {
  publish(app_name(), "1.0");
  trust_key();
  std::string path = aci_path(app_name(), "1.0");
  server.put(path, "this is not an image\n");
  ProcResult r = ctx.run({"--insecure-options=image", "fetch", server.url(path)});
  EXPECT_TRUE(IsRktError(r));
  EXPECT_TRUE(contains(r.err, server.url(path))) << dump(r);
  expect_store_empty(ctx);
}

class InterruptedFetchTest : public RemoteFetchTest, public ::testing::WithParamInterface<int> {};

TEST_P(InterruptedFetchTest, LeavesTheStoreConsistentAndTheNextFetchResumes) {
  AciBuilder builder(ctx.scratch_path("stage"));
  BuiltAci image = builder.manifest(image_manifest(app_name(), {{"version", "1.0"}}))
                       .random_file("big", 4 << 20, 7)
                       .build(ctx.scratch_path("big.aci"), Compression::none);
  server.put_file("/big.aci", image.path);
  server.rule("/big.aci", {{"stall_after", 1 << 20}});
  Child fetch = ctx.spawn({"--insecure-options=image", "fetch", server.url("/big.aci")});
  fs::path downloads = ctx.data_dir() / "cas/downloads";
  for (int i = 0; i < 1000 && largest_partial(downloads) < (1u << 20); ++i) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(largest_partial(downloads), 1u << 20) << "the download did not get going";
  fetch.kill(GetParam());
  fetch.wait();
  expect_store_empty(ctx);
  // gc keeps a fresh partial download: it is what the next fetch resumes.
  ASSERT_TRUE(Succeeded(ctx.run({"image", "gc"})));
  expect_store_empty(ctx);
  EXPECT_EQ(largest_partial(downloads), 1u << 20);

  server.rule("/big.aci", json::object());
  ProcResult r = ctx.run({"--insecure-options=image", "fetch", server.url("/big.aci")});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(last_line(r.out), image.fetch_id());
  std::string last_range;
  for (const json& request : server.requests()) {
    if (request["path"] == "/big.aci" && request["headers"].contains("range")) {
      last_range = request["headers"]["range"];
    }
  }
  EXPECT_EQ(last_range, "bytes=1048576-");
  EXPECT_EQ(largest_partial(downloads), 0u) << "the finished download was left behind";
}

INSTANTIATE_TEST_SUITE_P(Signals, InterruptedFetchTest, ::testing::Values(SIGINT, SIGKILL),
                         [](const auto& info) {
                           return std::string(info.param == SIGINT ? "CtrlC" : "Sigkill");
                         });

}  // namespace
}  // namespace rkt::functional
