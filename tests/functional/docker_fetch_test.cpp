// rkt fetch/run of docker:// images from Debian's docker-registry on loopback (fed by skopeo):
// Docker v2 schema 2 and OCI manifests, multi-platform indexes, layers with whiteouts, the
// docker2aci manifest, the layer cache, and faults that must store nothing.

#include <gmock/gmock.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <thread>

#include "docker_registry.hpp"
#include "rkt_ctx.hpp"
#include "util/digest.hpp"

namespace rkt::functional {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

/// An flock'ed file, as ResumableDownload holds one.
class HeldLock {
 public:
  explicit HeldLock(const fs::path& path) : m_fd(::open(path.c_str(), O_RDWR | O_CLOEXEC)) {
    if (m_fd < 0 || ::flock(m_fd, LOCK_EX) != 0) throw std::runtime_error("lock " + path.string());
  }
  ~HeldLock() { ::close(m_fd); }
  HeldLock(const HeldLock&) = delete;
  HeldLock& operator=(const HeldLock&) = delete;

 private:
  int m_fd;
};

size_t count_lines_with(std::string_view text, std::string_view needle) {
  size_t n = 0;
  for (const std::string& line : lines(text)) n += contains(line, needle) ? 1 : 0;
  return n;
}

class DockerFetchTest : public RktTest {
 protected:
  DockerFetchTest() : registry(ctx.scratch_path("registry")) {}

  std::string url(const std::string& name_tag) const {
    return "docker://" + registry.address() + "/" + name_tag;
  }
  /// The appc name docker2aci gives NAME from this registry (':' is not allowed in AC names).
  std::string appc_name(const std::string& name) const {
    std::string host = registry.address();
    host[host.find(':')] = '-';
    return host + "/" + name;
  }
  ProcResult fetch(const std::string& name_tag) const {
    return ctx.run({"--insecure-options=image,http", "fetch", url(name_tag)});
  }
  /// A busybox image with an app config, pushed as NAME:TAG.
  void push_busybox(const std::string& name_tag, PushFormat format = PushFormat::docker_v2s2) {
    OciImage image;
    image.layers.push_back(OciLayer{{{"etc/motd", "hello from docker\n"}}, {}, {}, true});
    image.config = {{"Cmd", {"/bin/sh"}},
                    {"Env", {"PATH=/bin", "GREETING=hi"}},
                    {"WorkingDir", "/etc"},
                    {"User", "0:0"},
                    {"Volumes", {{"/data", json::object()}}},
                    {"ExposedPorts", {{"80/tcp", json::object()}}}};
    registry.push(write_oci_layout(ctx.scratch_path("layout"), "t", {image}), name_tag, format);
  }
  json manifest_of(const std::string& name) const {
    ProcResult r = ctx.run({"image", "cat-manifest", name});
    EXPECT_TRUE(Succeeded(r));
    return json::parse(r.out, nullptr, false);
  }
  fs::path extract(const std::string& name) {
    fs::path out = ctx.scratch_path("extract");
    EXPECT_TRUE(Succeeded(ctx.run({"image", "render", "--rootfs-only", name, out.string()})));
    return out;
  }
  /// Pushes `image` (running /bin/true) as NAME:1 in OCI form, fetches it, and renders its rootfs.
  fs::path fetch_and_extract(OciImage image, const std::string& name) {
    image.config = {{"Cmd", {"/bin/true"}}};
    registry.push(write_oci_layout(ctx.scratch_path("layout"), "t", {image}), name + ":1",
                  PushFormat::oci);
    EXPECT_TRUE(Succeeded(fetch(name + ":1")));
    return extract(appc_name(name) + ":1");
  }

  DockerRegistry registry;
};

TEST_F(DockerFetchTest, NeedsTheImageInsecureOption) {
  push_busybox("busybox:latest");
  ProcResult r = ctx.run({"--insecure-options=http", "fetch", url("busybox")});
  EXPECT_TRUE(IsRktError(r));
  EXPECT_THAT(r.err, HasSubstr("signature verification for docker images is not supported"));
  EXPECT_TRUE(ctx.listed_ids().empty());
}

class DockerFormatTest : public DockerFetchTest,
                         public ::testing::WithParamInterface<PushFormat> {};

TEST_P(DockerFormatTest, ManifestMapsTheConfigAsDocker2aciDid) {
  push_busybox("tools/busybox:1.35", GetParam());
  ProcResult r = fetch("tools/busybox:1.35");
  ASSERT_TRUE(Succeeded(r));
  EXPECT_THAT(r.err, HasSubstr("remote fetching from URL \"" + url("tools/busybox:1.35") + "\""));
  EXPECT_THAT(r.err, HasSubstr("Downloading sha256:"));
  json m = manifest_of(appc_name("tools/busybox") + ":1.35");
  ASSERT_TRUE(m.is_object());
  EXPECT_EQ(m["name"], appc_name("tools/busybox"));
  json labels = json::object();
  for (const json& label : m["labels"]) labels[label["name"].get<std::string>()] = label["value"];
  EXPECT_EQ(labels["version"], "1.35");
  EXPECT_EQ(labels["os"], "linux");
  EXPECT_EQ(labels["arch"], "amd64");
  const json& app = m["app"];
  EXPECT_EQ(app["exec"], json({"/bin/sh"}));
  EXPECT_EQ(app["user"], "0");
  EXPECT_EQ(app["group"], "0");
  EXPECT_EQ(app["workingDirectory"], "/etc");
  EXPECT_THAT(app["environment"].dump(), HasSubstr(R"({"name":"GREETING","value":"hi"})"));
  EXPECT_EQ(app["mountPoints"][0]["name"], "volume-data");
  EXPECT_EQ(app["mountPoints"][0]["path"], "/data");
  EXPECT_EQ(app["ports"][0]["name"], "80-tcp");
  EXPECT_EQ(app["ports"][0]["port"], 80);
  std::string annotations = m["annotations"].dump();
  EXPECT_THAT(annotations, HasSubstr("appc.io/docker/registryurl"));
  EXPECT_THAT(annotations, HasSubstr("appc.io/docker/repository"));
  EXPECT_THAT(annotations, HasSubstr("appc.io/docker/imageid"));
  EXPECT_THAT(annotations, HasSubstr(R"("value":"1.35")"));
  fs::path rootfs = extract(appc_name("tools/busybox") + ":1.35");
  EXPECT_TRUE(fs::exists(rootfs / "bin/busybox"));
  std::ifstream motd(rootfs / "etc/motd");
  std::string line;
  std::getline(motd, line);
  EXPECT_EQ(line, "hello from docker");
}

INSTANTIATE_TEST_SUITE_P(Formats, DockerFormatTest,
                         ::testing::Values(PushFormat::docker_v2s2, PushFormat::oci),
                         [](const auto& info) {
                           return info.param == PushFormat::oci ? "Oci" : "DockerV2Schema2";
                         });

TEST_F(DockerFetchTest, LayersStackWithWhiteoutsAndOpaqueDirectories) {
  OciImage image;
  image.layers.push_back(OciLayer{{{"a/keep", "1"},
                                   {"a/gone", "1"},
                                   {"dir/old", "1"},
                                   {"dir/sub/deep", "1"},
                                   {"over", "lower"}}});
  image.layers.push_back(OciLayer{{{"dir/new", "2"}, {"over", "upper"}}, {"a/gone"}, {"dir"}});
  image.layers.push_back(OciLayer{{{"a/late", "3"}}});
  fs::path rootfs = fetch_and_extract(image, "layered");
  EXPECT_TRUE(fs::exists(rootfs / "a/keep"));
  EXPECT_TRUE(fs::exists(rootfs / "a/late"));
  EXPECT_FALSE(fs::exists(rootfs / "a/gone"));
  EXPECT_FALSE(fs::exists(rootfs / "a/.wh.gone"));
  EXPECT_TRUE(fs::exists(rootfs / "dir/new"));
  EXPECT_FALSE(fs::exists(rootfs / "dir/old"));
  EXPECT_FALSE(fs::exists(rootfs / "dir/sub"));
  EXPECT_FALSE(fs::exists(rootfs / "dir/.wh..wh..opq"));
  std::ifstream over(rootfs / "over");
  std::string content;
  std::getline(over, content);
  EXPECT_EQ(content, "upper");
}

// A `rkt` group member fetches without root; the tree is left to the first pod.
TEST_F(DockerFetchTest, ARktGroupUserFetchesWithoutRenderingTheTree) {
  ASSERT_TRUE(Succeeded(ctx.run({"image", "list"})));  // the store, made by root
  push_busybox("busybox:user");
  ProcResult r =
      ctx.run_as_rkt_user({"--insecure-options=image,http", "fetch", url("busybox:user")});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(ctx.listed_ids().size(), 1u);
  size_t trees = 0;
  for (const auto& entry : fs::directory_iterator(ctx.data_dir() / "cas/tree")) {
    trees += entry.path().filename().string().starts_with("deps-") ? 1 : 0;
  }
  EXPECT_EQ(trees, 0u);
  fs::path rootfs = extract(appc_name("busybox") + ":user");
  EXPECT_EQ(read_text(rootfs / "etc/motd"), "hello from docker\n");
}

TEST_F(DockerFetchTest, ALinkWhoseOtherNameAnUpperLayerDeletedKeepsItsContent) {
  OciImage image;
  OciLayer lower{{{"usr/bin/perl", "perl 5\n"}}};
  lower.hardlinks = {{"usr/bin/perl5", "usr/bin/perl"}};
  image.layers.push_back(lower);
  image.layers.push_back(OciLayer{{{"usr/bin/other", "o\n"}}, {"usr/bin/perl"}});
  fs::path rootfs = fetch_and_extract(image, "links");
  EXPECT_FALSE(fs::exists(rootfs / "usr/bin/perl"));
  EXPECT_EQ(read_text(rootfs / "usr/bin/perl5"), "perl 5\n");
}

TEST_F(DockerFetchTest, IndexPicksThisHostsPlatform) {
  OciImage amd64;
  amd64.layers.push_back(OciLayer{{{"platform", "amd64"}}});
  OciImage arm64;
  arm64.architecture = "arm64";
  arm64.layers.push_back(OciLayer{{{"platform", "arm64"}}});
  registry.push(write_oci_layout(ctx.scratch_path("layout"), "t", {arm64, amd64}), "multi:1",
                PushFormat::oci);
  ASSERT_TRUE(Succeeded(fetch("multi:1")));
  fs::path rootfs = extract(appc_name("multi") + ":1");
  std::ifstream platform(rootfs / "platform");
  std::string content;
  std::getline(platform, content);
  EXPECT_EQ(content, host_appc_arch() == "amd64" ? "amd64" : "arm64");
}

TEST_F(DockerFetchTest, ANewTagDownloadsOnlyTheLayersItDoesNotShare) {
  OciLayer base{{{"base", std::string(100000, 'b')}}};
  OciLayer middle{{{"middle", "m"}}};
  OciImage v1;
  v1.layers = {base, middle};
  OciImage v2;
  v2.layers = {base, middle, OciLayer{{{"top", "t"}}}};
  registry.push(write_oci_layout(ctx.scratch_path("layout"), "t", {v1}), "shared:1");
  registry.push(write_oci_layout(ctx.scratch_path("layout"), "t", {v2}), "shared:2");
  ProcResult first = fetch("shared:1");
  ASSERT_TRUE(Succeeded(first));
  EXPECT_EQ(count_lines_with(first.err, "Downloading sha256:"), 3u) << dump(first);  // + config
  ProcResult second = fetch("shared:2");
  ASSERT_TRUE(Succeeded(second));
  EXPECT_EQ(count_lines_with(second.err, "Downloading sha256:"), 2u)
      << dump(second);  // top + config
  EXPECT_EQ(ctx.listed_ids().size(), 2u);
}

TEST_F(DockerFetchTest, PullPolicyNewUsesTheStoredImage) {
  push_busybox("busybox:latest");
  ProcResult first = fetch("busybox");
  ASSERT_TRUE(Succeeded(first));
  ProcResult again =
      ctx.run({"--insecure-options=image,http", "fetch", "--pull-policy=new", url("busybox")});
  ASSERT_TRUE(Succeeded(again));
  EXPECT_EQ(last_line(again.out), last_line(first.out));
  EXPECT_THAT(again.err, HasSubstr("using image from local store"));
}

// --- faults: one error naming the URL, nothing stored -----------------------------------------

/// The lock files of trees rendered while importing (locks/tree-pending-*), which a fetch removes.
std::vector<std::string> pending_tree_locks(const RktCtx& ctx) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(ctx.data_dir() / "locks", ec)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with("tree-pending-")) names.push_back(name);
  }
  return names;
}

void expect_failed_cleanly(const RktCtx& ctx, const ProcResult& r, const std::string& needle) {
  EXPECT_TRUE(IsRktError(r));
  EXPECT_THAT(r.err, HasSubstr(needle)) << dump(r);
  EXPECT_TRUE(ctx.listed_ids().empty());
  EXPECT_TRUE(ctx.blob_files().empty());
  EXPECT_TRUE(ctx.tree_dirs().empty()) << "no tree, complete or temporary";
  EXPECT_TRUE(pending_tree_locks(ctx).empty());
}

TEST_F(DockerFetchTest, UnknownTagIsNotFound) {
  push_busybox("busybox:latest");
  ProcResult r = fetch("busybox:nope");
  expect_failed_cleanly(ctx, r, "/v2/busybox/manifests/nope");
}

TEST_F(DockerFetchTest, CorruptLayerFailsItsDigestCheck) {
  OciImage image;
  image.layers.push_back(OciLayer{{{"x", std::string(5000, 'x')}}});
  fs::path layout = write_oci_layout(ctx.scratch_path("layout"), "t", {image});
  registry.push(layout, "corrupt:1", PushFormat::oci);
  std::string layer = registry.layer_digest("corrupt", "1", 0);
  fs::path data = registry.blob_data(layer);
  fs::permissions(data, fs::perms::owner_write, fs::perm_options::add);
  std::string bytes;
  {
    std::ifstream in(data, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  bytes[bytes.size() / 2] ^= 0x55;
  std::ofstream(data, std::ios::binary | std::ios::trunc) << bytes;
  ProcResult r = fetch("corrupt:1");
  expect_failed_cleanly(ctx, r, "/blobs/" + layer);
}

TEST_F(DockerFetchTest, TruncatedLayerIsRefused) {
  OciImage image;
  image.layers.push_back(OciLayer{{{"x", std::string(5000, 'x')}}});
  registry.push(write_oci_layout(ctx.scratch_path("layout"), "t", {image}), "short:1",
                PushFormat::oci);
  std::string layer = registry.layer_digest("short", "1", 0);
  fs::resize_file(registry.blob_data(layer), 10);
  ProcResult r = fetch("short:1");
  expect_failed_cleanly(ctx, r, "/blobs/" + layer);
}

TEST_F(DockerFetchTest, AnImageThatFailsWhileStackingStoresNeitherBlobNorTree) {
  // The bottom layer's blob matches its digest but stops half-way: the stacked tar, imported and
  // rendered at once, breaks when that layer is read, after the upper one was written.
  OciImage image;
  std::string noise(1 << 20, '\0');
  uint64_t x = 88172645463325252ull;  // xorshift: gzip cannot shrink it
  for (char& c : noise) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = static_cast<char>(x);
  }
  OciLayer broken{{{"lower", noise}}};
  broken.cut_at = 100000;  // in the middle of `lower`'s data
  image.layers.push_back(broken);
  image.layers.push_back(OciLayer{{{"big", std::string(3 << 20, 'b')}}});
  registry.push(write_oci_layout(ctx.scratch_path("layout"), "t", {image}), "broken:1",
                PushFormat::oci);
  ProcResult r = fetch("broken:1");
  expect_failed_cleanly(ctx, r, "layer ");
}

TEST_F(DockerFetchTest, ManifestThatIsNotJsonIsRefused) {
  push_busybox("broken:1", PushFormat::oci);
  fs::path data = registry.blob_data(registry.manifest_digest("broken", "1"));
  std::ofstream(data, std::ios::trunc) << "this is not json";
  ProcResult r = fetch("broken:1");
  expect_failed_cleanly(ctx, r, "/v2/broken/manifests/1");
}

// --- registry auth (dockerAuth credentials from auth.d) ----------------------------------------

class RegistryAuthTest : public RktTest, public ::testing::WithParamInterface<RegistryAuth::Kind> {
 protected:
  RegistryAuthTest()
      : server(ctx.scratch_path("web")),
        registry(ctx.scratch_path("registry"),
                 RegistryAuth{GetParam(), &server.ca(), "alice", "s3cret", server.url("/token")}) {
    if (GetParam() == RegistryAuth::Kind::token) {
      // The token endpoint hands out a token only to alice (Basic), as Docker's auth servers do.
      server.put("/token", registry.token_answer({"private/busybox"}));
      server.rule("/token", {{"basic_auth", "alice:s3cret"}});
    }
    OciImage image;
    image.layers.push_back(
        OciLayer{{{"etc/motd", "hello from a private registry\n"}}, {}, {}, true});
    registry.push(write_oci_layout(ctx.scratch_path("layout"), "t", {image}), "private/busybox:1");
  }
  void write_docker_auth(const std::string& user, const std::string& password) const {
    fs::create_directories(ctx.local_config() / "auth.d");
    std::ofstream(ctx.local_config() / "auth.d/docker.json") << json{
        {"rktKind", "dockerAuth"},
        {"rktVersion", "v1"},
        {"registries", {registry.address()}},
        {"credentials", {{"user", user}, {"password", password}}}}.dump();
  }
  // TLS checks stay on: the registry's certificate comes from the CA in SSL_CERT_FILE.
  ProcResult fetch() const {
    return ctx.run({"--insecure-options=image", "fetch",
                    "docker://" + registry.address() + "/private/busybox:1"});
  }
  void expect_refused(const ProcResult& r) const {
    EXPECT_TRUE(IsRktError(r));
    EXPECT_THAT(last_line(r.err), HasSubstr(registry.address())) << dump(r);
    EXPECT_TRUE(ctx.listed_ids().empty());
    EXPECT_TRUE(ctx.blob_files().empty());
    fs::path layers = ctx.data_dir() / "cas/docker/sha256";
    EXPECT_TRUE(!fs::exists(layers) || fs::is_empty(layers)) << "a layer was kept";
  }

  WebServer server;
  DockerRegistry registry;
};

TEST_P(RegistryAuthTest, WithoutCredentialsTheFetchFailsAndStoresNothing) {
  ProcResult r = fetch();
  expect_refused(r);
  EXPECT_THAT(r.err, HasSubstr("dockerAuth")) << dump(r);
}

TEST_P(RegistryAuthTest, WrongCredentialsFailAndStoreNothing) {
  write_docker_auth("alice", "wrong");
  expect_refused(fetch());
}

TEST_P(RegistryAuthTest, DockerAuthCredentialsLetThePullThrough) {
  write_docker_auth("alice", "s3cret");
  ProcResult r = fetch();
  ASSERT_TRUE(Succeeded(r));
  std::string host = registry.address();
  host[host.find(':')] = '-';
  fs::path out = ctx.scratch_path("extract");
  ASSERT_TRUE(Succeeded(
      ctx.run({"image", "render", "--rootfs-only", host + "/private/busybox:1", out.string()})));
  EXPECT_EQ(read_text(out / "etc/motd"), "hello from a private registry\n");
}

INSTANTIATE_TEST_SUITE_P(Schemes, RegistryAuthTest,
                         ::testing::Values(RegistryAuth::Kind::basic, RegistryAuth::Kind::token),
                         [](const auto& info) {
                           return info.param == RegistryAuth::Kind::basic ? "Basic" : "Bearer";
                         });

// --- interruptions and gc -----------------------------------------------------------------------

size_t cached_layers(const RktCtx& ctx) {
  std::error_code ec;
  size_t n = 0;
  for (auto it = fs::directory_iterator(ctx.data_dir() / "cas/docker/sha256", ec);
       !ec && it != fs::directory_iterator(); ++it) {
    ++n;
  }
  return n;
}

std::string random_bytes(size_t size, uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(generator());
  return out;
}

/// The registry behind the test web server (a relay that can stall a blob half-way).
class DockerRelayTest : public RktTest {
 protected:
  DockerRelayTest() : server(ctx.scratch_path("web")), registry(ctx.scratch_path("registry")) {}
  WebServer server;
  DockerRegistry registry;
};

class DockerInterruptTest : public DockerRelayTest, public ::testing::WithParamInterface<int> {};

TEST_P(DockerInterruptTest, KilledLayerDownloadLeavesTheStoreConsistentAndResumes) {
  OciImage image;
  image.layers.push_back(OciLayer{{{"etc/small", "small\n"}}});
  image.layers.push_back(OciLayer{{{"big", random_bytes(4 << 20, 11)}}});
  registry.push(write_oci_layout(ctx.scratch_path("layout"), "t", {image}), "big:1",
                PushFormat::oci);
  std::string big_layer = registry.layer_digest("big", "1", 1);
  std::string blob_path = "/v2/big/blobs/" + big_layer;
  json relay = {{"proxy", "http://" + registry.address()}};
  server.rule("/v2/*", relay);
  server.rule(blob_path, {{"proxy", "http://" + registry.address()}, {"stall_after", 1 << 20}});
  std::vector<std::string> fetch_args = {"--insecure-options=image", "fetch",
                                         "docker://" + server.host() + "/big:1"};
  Child fetch = ctx.spawn(fetch_args);
  fs::path downloads = ctx.data_dir() / "cas/downloads";
  for (int i = 0; i < 1000 && largest_partial(downloads) < (1u << 20); ++i) {
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(largest_partial(downloads), 1u << 20) << "the download did not get going";
  // While the fetch runs, gc leaves the layer cache alone.
  ProcResult gc = ctx.run({"image", "gc"});
  ASSERT_TRUE(Succeeded(gc));
  EXPECT_THAT(gc.err, HasSubstr("in use by a fetch")) << dump(gc);
  fetch.kill(GetParam());
  fetch.wait();
  EXPECT_TRUE(ctx.listed_ids().empty());
  EXPECT_TRUE(ctx.blob_files().empty());
  ASSERT_TRUE(Succeeded(ctx.run({"image", "gc"})));
  EXPECT_TRUE(ctx.listed_ids().empty());
  EXPECT_EQ(cached_layers(ctx), 0u) << "gc keeps only layers of stored images";
  EXPECT_EQ(largest_partial(downloads), 1u << 20) << "gc dropped a fresh partial download";

  server.rule(blob_path, relay);
  ProcResult r = ctx.run(fetch_args);
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(ctx.listed_ids().size(), 1u);
  std::string last_range;
  for (const json& request : server.requests()) {
    if (request["path"] == blob_path && request["headers"].contains("range")) {
      last_range = request["headers"]["range"];
    }
  }
  EXPECT_EQ(last_range, "bytes=1048576-");
  EXPECT_EQ(largest_partial(downloads), 0u);
  std::string host = server.host();
  fs::path out = ctx.scratch_path("extract");
  ASSERT_TRUE(
      Succeeded(ctx.run({"image", "render", "--rootfs-only", host + "/big:1", out.string()})));
  EXPECT_EQ(read_text(out / "big"), random_bytes(4 << 20, 11));
}

/// A killed fetch's whole-sized partial download of the layer of "kept:1", then the next fetch.
class DockerKeptBlobTest : public DockerRelayTest {
 protected:
  /// A partial download of the layer of "kept:1" as a killed fetch leaves it: all its bytes, with
  /// the first one changed when `corrupt`. Returns the layer's blob path on the registry.
  std::string leave_whole_download(bool corrupt) {
    OciImage image;
    image.layers.push_back(OciLayer{{{"etc/kept", "kept\n"}}});
    registry.push(write_oci_layout(ctx.scratch_path("layout"), "t", {image}), "kept:1",
                  PushFormat::oci);
    std::string layer = registry.layer_digest("kept", "1", 0);
    std::string blob_path = "/v2/kept/blobs/" + layer;
    server.rule("/v2/*", {{"proxy", "http://" + registry.address()}});
    fs::path downloads = ctx.data_dir() / "cas/downloads";
    fs::create_directories(downloads);
    std::string partial =
        (downloads / util::sha256_hex("https://" + server.host() + blob_path)).string();
    std::string bytes = read_text(registry.blob_data(layer));
    if (corrupt) bytes[0] = static_cast<char>(bytes[0] ^ 1);
    write_text(partial, bytes);
    write_text(partial + ".etag", "\"" + layer + "\"");
    return blob_path;
  }

  /// Fetches "kept:1" through the relay and checks the rootfs; the requests for `blob_path`.
  std::vector<json> fetch_kept(const std::string& blob_path) {
    ProcResult r =
        ctx.run({"--insecure-options=image", "fetch", "docker://" + server.host() + "/kept:1"});
    EXPECT_TRUE(Succeeded(r));
    EXPECT_EQ(largest_partial(ctx.data_dir() / "cas/downloads"), 0u);
    fs::path out = ctx.scratch_path("extract");
    EXPECT_TRUE(Succeeded(
        ctx.run({"image", "render", "--rootfs-only", server.host() + "/kept:1", out.string()})));
    EXPECT_EQ(read_text(out / "etc/kept"), "kept\n");
    std::vector<json> requests;
    for (const json& request : server.requests()) {
      if (request["path"] == blob_path) requests.push_back(request);
    }
    return requests;
  }
};

// A fetch killed after a blob's last byte but before it entered the cache: the next fetch checks
// the kept file and keeps it, without a request (docker-registry answers a range that starts at
// the end with a 416 whose body is cut short).
TEST_F(DockerKeptBlobTest, AWholeBlobLeftByAKilledFetchIsKeptWithoutAskingAgain) {
  std::string blob_path = leave_whole_download(false);
  EXPECT_TRUE(fetch_kept(blob_path).empty());
}

// Kept bytes of the right size that are not the blob are downloaded again, from the start.
TEST_F(DockerKeptBlobTest, AWholeSizedDownloadThatIsNotTheBlobIsDownloadedAgain) {
  std::string blob_path = leave_whole_download(true);
  std::vector<json> requests = fetch_kept(blob_path);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_FALSE(requests[0]["headers"].contains("range")) << requests[0].dump();
}

INSTANTIATE_TEST_SUITE_P(Signals, DockerInterruptTest, ::testing::Values(SIGINT, SIGKILL),
                         [](const auto& info) {
                           return std::string(info.param == SIGINT ? "CtrlC" : "Sigkill");
                         });

TEST_F(DockerFetchTest, GcDropsOnlyTheLayersNoStoredImageWasMadeOf) {
  push_busybox("busybox:latest");
  ASSERT_TRUE(Succeeded(fetch("busybox")));
  size_t layers = cached_layers(ctx);
  EXPECT_EQ(layers, 2u) << "one layer and the config";
  ASSERT_TRUE(Succeeded(ctx.run({"image", "gc"})));
  EXPECT_EQ(cached_layers(ctx), layers) << "the image is still stored";
  ASSERT_TRUE(Succeeded(ctx.run({"image", "rm", appc_name("busybox")})));
  ProcResult gc = ctx.run({"image", "gc"});
  ASSERT_TRUE(Succeeded(gc));
  EXPECT_THAT(gc.err, HasSubstr("removed 2 unused docker layer(s)"));
  EXPECT_EQ(cached_layers(ctx), 0u);
  ProcResult again = fetch("busybox");
  ASSERT_TRUE(Succeeded(again));
  EXPECT_EQ(count_lines_with(again.err, "Downloading sha256:"), 2u) << dump(again);
}

TEST_F(DockerFetchTest, GcDropsStalePartialDownloadsNoFetchHolds) {
  fs::path downloads = ctx.data_dir() / "cas/downloads";
  fs::create_directories(downloads);
  auto old = fs::file_time_type::clock::now() - std::chrono::hours(48);
  for (const char* name : {"stale", "stale-but-held", "fresh"}) {
    write_text(downloads / name, "partial");
    write_text(downloads / (std::string(name) + ".etag"), "\"x\"");
    if (std::string(name) != "fresh") fs::last_write_time(downloads / name, old);
  }
  HeldLock held(downloads / "stale-but-held");  // as a running fetch holds it
  ASSERT_TRUE(Succeeded(ctx.run({"image", "gc"})));
  EXPECT_FALSE(fs::exists(downloads / "stale"));
  EXPECT_FALSE(fs::exists(downloads / "stale.etag"));
  EXPECT_TRUE(fs::exists(downloads / "stale-but-held"));
  EXPECT_TRUE(fs::exists(downloads / "fresh"));
  EXPECT_TRUE(fs::exists(downloads / "fresh.etag"));
}

TEST_F(DockerFetchTest, LayerProgressIsLiveOnATerminal) {
  OciImage image;
  image.layers.push_back(OciLayer{{{"a", random_bytes(3 << 20, 1)}}});
  image.layers.push_back(OciLayer{{{"b", random_bytes(3 << 20, 2)}}});
  registry.push(write_oci_layout(ctx.scratch_path("layout"), "t", {image}), "two:1",
                PushFormat::oci);
  ProcResult r = run_in_pty(ctx.command({"--insecure-options=image,http", "fetch", url("two:1")}),
                            {}, std::chrono::seconds(60));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  // Three rows (two layers and the config), redrawn in place: cursor up three lines.
  EXPECT_THAT(r.out, HasSubstr("\x1b[3A")) << r.out;
  EXPECT_EQ(count_lines_with(r.out, "Downloading sha256:"),
            3u * (1 + count_lines_with(r.out, "\x1b[3A")))
      << r.out;
  EXPECT_THAT(r.out, HasSubstr("[==============================] 3.15 MB/3.15 MB"));
}

// --- end to end -------------------------------------------------------------------------------

class DockerRunTest : public PodTest {
 protected:
  DockerRunTest() : registry(ctx.scratch_path("registry")) {}
  DockerRegistry registry;
};

// `rkt fetch` stores the image only, as rkt did: the first pod renders its tree.
TEST_F(DockerRunTest, FetchStoresTheImageAndThePodRendersItsTree) {
  OciImage image;
  image.layers.push_back(OciLayer{{{"etc/motd", "hello from docker\n"}}, {}, {}, true});
  image.config = {{"Cmd", {"/bin/true"}}};
  registry.push(write_oci_layout(ctx.scratch_path("layout"), "t", {image}), "busybox:1");
  ProcResult fetched = ctx.run(
      {"--insecure-options=image,http", "fetch", "docker://" + registry.address() + "/busybox:1"});
  ASSERT_TRUE(Succeeded(fetched)) << dump(fetched);
  EXPECT_TRUE(ctx.tree_dirs().empty()) << "no tree until a pod uses the image";
  ProcResult ran = run_pod({"--net=none", last_line(fetched.out)});
  ASSERT_TRUE(Succeeded(ran)) << dump(ran);
  EXPECT_EQ(ctx.tree_dirs().size(), 2u) << "the image's tree beside the stage1's";
}

// A pod's own fetch extracts the tree from the stream the import reads, and the pod then uses
// that tree as it is.
TEST_F(DockerRunTest, APodsFetchRendersTheTreeWhileImportingAndThePodUsesIt) {
  OciImage image;
  image.layers.push_back(OciLayer{{{"etc/motd", "hello from docker\n"}}, {}, {}, true});
  image.layers.push_back(OciLayer{{{"etc/upper", std::string(2 << 20, 'u')}}});
  image.config = {{"Cmd", {"/bin/true"}}};
  registry.push(write_oci_layout(ctx.scratch_path("layout"), "t", {image}), "busybox:1");
  ProcResult prepared = ctx.run({"--insecure-options=image,http", "prepare",
                                 "docker://" + registry.address() + "/busybox:1"});
  ASSERT_TRUE(Succeeded(prepared)) << dump(prepared);
  EXPECT_THAT(prepared.err, Not(HasSubstr("rendering while importing"))) << "the tree was placed";
  ASSERT_EQ(ctx.listed_ids().size(), 2u) << "the image and the stage1";
  std::vector<fs::path> trees = ctx.tree_dirs();
  ASSERT_EQ(trees.size(), 2u) << "one tree per image, no temporary or second one";
  auto found = std::find_if(trees.begin(), trees.end(), [](const fs::path& tree) {
    return fs::exists(tree / "rootfs/etc/motd");
  });
  ASSERT_NE(found, trees.end()) << "the docker image's tree";
  fs::path tree = *found;
  EXPECT_THAT(tree.filename().string(), ::testing::StartsWith("deps-sha512-"));
  EXPECT_TRUE(fs::exists(tree / "rendered"));
  EXPECT_THAT(read_text(tree / "hash"), ::testing::StartsWith("sha256-"));
  EXPECT_EQ(read_text(tree / "rootfs/etc/motd"), "hello from docker\n");
  EXPECT_TRUE(pending_tree_locks(ctx).empty());
  struct stat before {};
  ASSERT_EQ(::stat((tree / "rootfs").c_str(), &before), 0);

  ProcResult ran = ctx.run({"run-prepared", "--net=none", last_line(prepared.out)});
  ASSERT_TRUE(Succeeded(ran)) << dump(ran);
  EXPECT_THAT(ran.err, Not(HasSubstr("bad state")));
  struct stat after {};
  ASSERT_EQ(::stat((tree / "rootfs").c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino) << "the tree was not rendered again";
  EXPECT_EQ(ctx.tree_dirs(), trees);
}

TEST_F(DockerRunTest, InteractiveShellInADockerImage) {
  OciImage image;
  image.layers.push_back(OciLayer{{{"etc/motd", "hello from docker\n"}}, {}, {}, true});
  image.config = {{"Env", {"PATH=/bin"}}};  // no Cmd: `-- /bin/sh` is the command
  registry.push(write_oci_layout(ctx.scratch_path("layout"), "t", {image}), "busybox:latest");
  std::vector<std::string> argv =
      ctx.command({"--insecure-options=image,http", "run", "--interactive",
                   "docker://" + registry.address() + "/busybox", "--", "/bin/sh"});
  ProcResult r = run_in_pty(argv, {{"# ", "cat /etc/motd; exit 5\n"}}, std::chrono::seconds(60));
  EXPECT_FALSE(r.timed_out) << r.out;
  EXPECT_EQ(r.exit_code, 5) << r.out;
  EXPECT_THAT(r.out, HasSubstr("hello from docker"));
  EXPECT_THAT(r.out, HasSubstr("remote fetching from URL"));
}

}  // namespace
}  // namespace rkt::functional
