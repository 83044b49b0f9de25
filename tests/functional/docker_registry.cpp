#include "docker_registry.hpp"

#include "rkt_ctx.hpp"

#include <signal.h>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace rkt::functional {

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::string sha256_of(const fs::path& path) {
  std::string out = run_checked({"sha256sum", path.string()});
  return out.substr(0, 64);
}

/// Moves `file` into the layout's blobs under its digest; returns its descriptor.
json add_blob(const fs::path& layout, const fs::path& file, const std::string& media_type) {
  std::string hex = sha256_of(file);
  fs::path target = layout / "blobs/sha256" / hex;
  fs::create_directories(target.parent_path());
  auto size = fs::file_size(file);
  fs::rename(file, target);
  return {{"mediaType", media_type}, {"digest", "sha256:" + hex}, {"size", size}};
}

json add_json_blob(const fs::path& layout, const json& value, const std::string& media_type) {
  fs::path tmp = layout / "tmp.json";
  write_text(tmp, value.dump());
  return add_blob(layout, tmp, media_type);
}

fs::path write_layer(const fs::path& layout, const OciLayer& layer, size_t index) {
  fs::path stage = layout / ("stage-" + std::to_string(index));
  fs::create_directories(stage);
  if (layer.busybox) {
    fs::create_directories(stage / "bin");
    fs::copy_file("/bin/busybox", stage / "bin/busybox");
    for (const char* applet : {"sh", "echo", "cat", "ls", "true"}) {
      fs::create_symlink("busybox", stage / "bin" / applet);
    }
  }
  for (const auto& [path, content] : layer.files) write_text(stage / path, content);
  for (const auto& [path, target] : layer.hardlinks) {
    fs::create_hard_link(stage / target, stage / path);
  }
  for (const std::string& path : layer.removed) {
    fs::path p(path);
    write_text(stage / p.parent_path() / (".wh." + p.filename().string()), "");
  }
  for (const std::string& dir : layer.opaque) write_text(stage / dir / ".wh..wh..opq", "");
  fs::path tarball = layout / ("layer-" + std::to_string(index) + ".tar.gz");
  run_checked({"tar", "-C", stage.string(), "--owner=0", "--group=0", "--numeric-owner",
               "--sort=name", "--mtime=@0", "-czf", tarball.string(), "."});
  fs::remove_all(stage);
  if (layer.cut_at > 0) fs::resize_file(tarball, layer.cut_at);
  return tarball;
}

json write_image(const fs::path& layout, const OciImage& image, size_t& layer_counter) {
  json layers = json::array();
  json diff_ids = json::array();
  for (const OciLayer& layer : image.layers) {
    fs::path tarball = write_layer(layout, layer, layer_counter++);
    std::string diff = run_checked({"sh", "-c", "gzip -dc '" + tarball.string() + "' | sha256sum"});
    diff_ids.push_back("sha256:" + diff.substr(0, 64));
    layers.push_back(add_blob(layout, tarball, "application/vnd.oci.image.layer.v1.tar+gzip"));
  }
  json config = {{"architecture", image.architecture},
                 {"os", "linux"},
                 {"created", "2024-01-02T03:04:05Z"},
                 {"author", "rkt tests"},
                 {"config", image.config},
                 {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
  json manifest = {
      {"schemaVersion", 2},
      {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
      {"config", add_json_blob(layout, config, "application/vnd.oci.image.config.v1+json")},
      {"layers", layers}};
  json descriptor = add_json_blob(layout, manifest, "application/vnd.oci.image.manifest.v1+json");
  descriptor["platform"] = {{"os", "linux"}, {"architecture", image.architecture}};
  return descriptor;
}

constexpr const char* k_token_service = "rkt-test-registry";
constexpr const char* k_token_issuer = "rkt-test-issuer";

std::string base64url(std::string_view data) {
  static constexpr char k_alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : data) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(k_alphabet[(bits >> count) & 63]);
    }
  }
  if (count > 0) out.push_back(k_alphabet[(bits << (6 - count)) & 63]);
  return out;
}

int random_port() {
  std::random_device device;
  return std::uniform_int_distribution<int>(20000, 60000)(device);
}

}  // namespace

fs::path write_oci_layout(const fs::path& dir, const std::string& tag,
                          const std::vector<OciImage>& platforms) {
  fs::create_directories(dir / "blobs/sha256");
  write_text(dir / "oci-layout", R"({"imageLayoutVersion": "1.0.0"})");
  size_t counter = 0;
  json manifests = json::array();
  for (const OciImage& image : platforms) manifests.push_back(write_image(dir, image, counter));
  json top;
  if (platforms.size() == 1) {
    top = manifests[0];
    top.erase("platform");
  } else {
    json index = {{"schemaVersion", 2},
                  {"mediaType", "application/vnd.oci.image.index.v1+json"},
                  {"manifests", manifests}};
    top = add_json_blob(dir, index, "application/vnd.oci.image.index.v1+json");
  }
  top["annotations"] = {{"org.opencontainers.image.ref.name", tag}};
  json layout_index = {{"schemaVersion", 2}, {"manifests", json::array({top})}};
  write_text(dir / "index.json", layout_index.dump());
  return dir;
}

std::string DockerRegistry::config_yaml() const {
  std::string yaml =
      "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
      "    rootdirectory: " +
      (m_dir / "storage").string() + "\n  delete:\n    enabled: true\nhttp:\n  addr: " + m_address +
      "\n";
  if (!m_auth) return yaml;
  yaml += "  tls:\n    certificate: " + (m_dir / "tls.crt").string() +
          "\n    key: " + (m_dir / "tls.key").string() + "\nauth:\n";
  if (m_auth->kind == RegistryAuth::Kind::basic) {
    return yaml + "  htpasswd:\n    realm: rkt-test\n    path: " + (m_dir / "htpasswd").string() +
           "\n";
  }
  return yaml + "  token:\n    realm: " + m_auth->token_realm +
         "\n    service: " + k_token_service + "\n    issuer: " + k_token_issuer +
         "\n    rootcertbundle: " + m_auth->ca->cert().string() + "\n";
}

DockerRegistry::DockerRegistry(const fs::path& dir, std::optional<RegistryAuth> auth)
    : m_dir(dir), m_auth(std::move(auth)) {
  fs::create_directories(m_dir / "storage");
  std::string scheme = "http";
  if (m_auth) {
    scheme = "https";
    auto [key, cert] = m_auth->ca->issue("127.0.0.1");
    fs::copy_file(key, m_dir / "tls.key", fs::copy_options::overwrite_existing);
    fs::copy_file(cert, m_dir / "tls.crt", fs::copy_options::overwrite_existing);
    // bcrypt, as the registry's htpasswd wants (cost 4: fast enough for tests).
    write_text(m_dir / "htpasswd",
               m_auth->user + ":" +
                   run_checked({"python3", "-W", "ignore", "-c",
                                "import crypt,sys; print(crypt.crypt(sys.argv[1], "
                                "crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))",
                                m_auth->password}));
    if (m_auth->kind == RegistryAuth::Kind::token) {
      auto [signer_key, signer_cert] = m_auth->ca->issue_rsa_signer("token-signer");
      fs::copy_file(signer_key, m_dir / "signer.key", fs::copy_options::overwrite_existing);
      fs::copy_file(signer_cert, m_dir / "signer.crt", fs::copy_options::overwrite_existing);
    }
  }
  for (int attempt = 0; attempt < 5 && !m_child; ++attempt) {
    m_address = "127.0.0.1:" + std::to_string(random_port());
    write_text(m_dir / "config.yml", config_yaml());
    ProcOptions options;
    options.timeout = std::chrono::hours(2);
    Child child = Child::spawn(
        {"/usr/bin/docker-registry", "serve", (m_dir / "config.yml").string()}, options);
    for (int i = 0; i < 250; ++i) {
      // Any HTTP answer (a 401 too) means it listens.
      ProcResult ping = run_process({"curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}",
                                     scheme + "://" + m_address + "/v2/"});
      if (ping.exit_code == 0 && ping.out != "000") {
        m_child.emplace(std::move(child));
        break;
      }
      std::this_thread::sleep_for(20ms);
    }
  }
  if (!m_child) throw std::runtime_error("docker-registry did not start");
}

std::string DockerRegistry::token_answer(const std::vector<std::string>& repositories) const {
  // RS256 JWT with the signer's certificate in x5c: the registry checks its chain against the
  // rootcertbundle (the test CA).
  std::string pem = read_text(m_dir / "signer.crt");
  std::string der_base64;
  std::istringstream lines(pem);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.find("-----") == std::string::npos) der_base64 += line;
  }
  json access = json::array();
  for (const std::string& repository : repositories) {
    access.push_back({{"type", "repository"}, {"name", repository}, {"actions", {"pull", "push"}}});
  }
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"x5c", {der_base64}}};
  json claims = {{"iss", k_token_issuer},      {"sub", m_auth->user}, {"aud", k_token_service},
                 {"exp", now + 7200},          {"nbf", now - 60},     {"iat", now - 60},
                 {"jti", std::to_string(now)}, {"access", access}};
  std::string signing_input = base64url(header.dump()) + "." + base64url(claims.dump());
  write_text(m_dir / "jwt-input", signing_input);
  run_checked({"openssl", "dgst", "-sha256", "-sign", (m_dir / "signer.key").string(), "-out",
               (m_dir / "jwt-sig").string(), (m_dir / "jwt-input").string()});
  std::string jwt = signing_input + "." + base64url(read_text(m_dir / "jwt-sig"));
  return json{{"token", jwt}, {"access_token", jwt}, {"expires_in", 7200}}.dump();
}

DockerRegistry::~DockerRegistry() {
  if (m_child) {
    m_child->kill(SIGKILL);
    m_child->wait();
  }
}

void DockerRegistry::push(const fs::path& layout, const std::string& name_tag,
                          PushFormat format) const {
  const std::string layout_tag = "t";
  std::vector<std::string> argv = {"skopeo", "copy", "--quiet", "--dest-tls-verify=false",
                                   "--insecure-policy"};
  json index = json::parse(read_text(layout / "index.json"));
  std::string top_type = index["manifests"][0].value("mediaType", "");
  if (top_type.find("index") != std::string::npos) argv.push_back("--all");
  if (format == PushFormat::docker_v2s2) {
    argv.insert(argv.end(), {"--format", "v2s2"});
  } else {
    argv.insert(argv.end(), {"--format", "oci"});
  }
  if (m_auth) argv.push_back("--dest-creds=" + m_auth->user + ":" + m_auth->password);
  argv.push_back("oci:" + layout.string() + ":" + layout_tag);
  argv.push_back("docker://" + m_address + "/" + name_tag);
  run_checked(argv);
}

fs::path DockerRegistry::blob_data(const std::string& digest) const {
  std::string hex = digest.substr(7);
  return m_dir / "storage/docker/registry/v2/blobs/sha256" / hex.substr(0, 2) / hex / "data";
}

std::string DockerRegistry::manifest_digest(const std::string& name, const std::string& tag) const {
  return read_text(m_dir / "storage/docker/registry/v2/repositories" / name / "_manifests/tags" /
                   tag / "current/link");
}

std::string DockerRegistry::layer_digest(const std::string& name, const std::string& tag,
                                         size_t index) const {
  auto manifest = nlohmann::json::parse(read_text(blob_data(manifest_digest(name, tag))));
  return manifest.at("layers").at(index).at("digest");
}

}  // namespace rkt::functional
