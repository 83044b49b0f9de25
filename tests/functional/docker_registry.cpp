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
  for (const std::string& path : layer.removed) {
    fs::path p(path);
    write_text(stage / p.parent_path() / (".wh." + p.filename().string()), "");
  }
  for (const std::string& dir : layer.opaque) write_text(stage / dir / ".wh..wh..opq", "");
  fs::path tarball = layout / ("layer-" + std::to_string(index) + ".tar.gz");
  run_checked({"tar", "-C", stage.string(), "--owner=0", "--group=0", "--numeric-owner",
               "--sort=name", "--mtime=@0", "-czf", tarball.string(), "."});
  fs::remove_all(stage);
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

DockerRegistry::DockerRegistry(const fs::path& dir) : m_dir(dir) {
  fs::create_directories(m_dir / "storage");
  for (int attempt = 0; attempt < 5 && !m_child; ++attempt) {
    m_address = "127.0.0.1:" + std::to_string(random_port());
    write_text(m_dir / "config.yml",
               "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
               "    rootdirectory: " +
                   (m_dir / "storage").string() +
                   "\n  delete:\n    enabled: true\nhttp:\n  addr: " + m_address + "\n");
    ProcOptions options;
    options.timeout = std::chrono::hours(2);
    Child child = Child::spawn(
        {"/usr/bin/docker-registry", "serve", (m_dir / "config.yml").string()}, options);
    for (int i = 0; i < 250; ++i) {
      ProcResult ping =
          run_process({"curl", "-sf", "-o", "/dev/null", "http://" + m_address + "/v2/"});
      if (ping.exit_code == 0) {
        m_child.emplace(std::move(child));
        break;
      }
      std::this_thread::sleep_for(20ms);
    }
  }
  if (!m_child) throw std::runtime_error("docker-registry did not start");
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

}  // namespace rkt::functional
