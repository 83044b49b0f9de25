#pragma once

// A temporary data dir with an image store holding test app images and a fake stage1 whose
// entrypoints are shell scripts, for the prepare/run/enter tests.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pod/pod_paths.hpp"
#include "pod/pod_request.hpp"
#include "store/image_store.hpp"
#include "support/aci_builder.hpp"
#include "support/temp_dir.hpp"

namespace rkt::pod::test {

namespace fs = std::filesystem;
using rkt::test::AciBuilder;

inline const std::vector<std::pair<std::string, std::string>> k_labels = {
    {"version", "1.0"}, {"os", "linux"}, {"arch", "amd64"}};

/// An app image: exec /bin/app, env IMG=1, mountPoint "data" at /data, a few kinds of files.
inline AciBuilder app_aci(const std::string& name, const std::string& app_fields = {}) {
  std::string app = app_fields.empty() ? R"("app":{"exec":["/bin/app"],"user":"0","group":"0",)"
                                         R"("environment":[{"name":"IMG","value":"1"}],)"
                                         R"("mountPoints":[{"name":"data","path":"/data"}]})"
                                       : app_fields;
  AciBuilder b;
  b.manifest(rkt::test::image_manifest_json(name, k_labels, app));
  b.dir("rootfs");
  b.dir("rootfs/etc");
  b.file("rootfs/etc/hello", "hello " + name + "\n");
  b.dir("rootfs/bin");
  b.file("rootfs/bin/app", "#!/bin/sh\nexit 0\n", 0755);
  b.file("rootfs/bin/suid", "x", 04755);
  b.hardlink("rootfs/bin/suid-link", "rootfs/bin/suid");
  b.symlink("rootfs/bin/link", "app");
  return b;
}

/// A stage1 image whose /init and /enter are the given shell scripts.
inline AciBuilder stage1_aci(const std::string& init_script, const std::string& enter_script = "",
                             const std::string& version = "1.30.0") {
  std::string annotations =
      R"("annotations":[{"name":"coreos.com/rkt/stage1/run","value":"/init"},)"
      R"({"name":"coreos.com/rkt/stage1/enter","value":"/enter"},)"
      R"({"name":"coreos.com/rkt/stage1/interface-version","value":"5"}])";
  AciBuilder b;
  b.manifest(rkt::test::image_manifest_json(
      "coreos.com/rkt/stage1-native", {{"version", version}, {"os", "linux"}, {"arch", "amd64"}},
      annotations));
  b.dir("rootfs");
  b.file("rootfs/init", "#!/bin/sh\n" + init_script, 0755);
  b.file("rootfs/enter", "#!/bin/sh\n" + enter_script, 0755);
  return b;
}

class PrepareFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::ImageStore::open(data_dir());
    ASSERT_TRUE(store) << store.error().message;
    m_store.emplace(std::move(*store));
  }

  fs::path data_dir() const { return m_dir.path() / "data"; }
  PodsDir pods() const { return PodsDir(data_dir()); }
  store::ImageStore& store() { return *m_store; }

  fs::path write_aci(const AciBuilder& builder, const std::string& file) {
    fs::path path = m_dir.path() / file;
    builder.write(path);
    return path;
  }

  store::ImageInfo import(const AciBuilder& builder, const std::string& file) {
    auto info = store().import_aci(write_aci(builder, file));
    EXPECT_TRUE(info) << info.error().message;
    return std::move(info).value();
  }

  /// A request for the given app images, run by a stage1 whose /init runs `init_script`.
  PodRequest request_for(const std::vector<store::ImageInfo>& images,
                         const std::string& init_script = "exit 0\n",
                         const std::string& enter_script = "exit 0\n") {
    PodRequest request;
    for (const auto& image : images) {
      AppRequest app;
      app.image = image;
      request.apps.push_back(std::move(app));
    }
    request.stage1.image = import(stage1_aci(init_script, enter_script), "stage1.aci");
    return request;
  }

  /// UUIDs of the pods in a state directory.
  std::vector<std::string> pods_in(StateDir dir) const {
    std::vector<std::string> uuids;
    std::error_code ec;
    for (fs::directory_iterator it(pods().state_dir(dir), ec), end; !ec && it != end;
         it.increment(ec)) {
      uuids.push_back(it->path().filename().string());
    }
    return uuids;
  }

  size_t pod_count() const {
    size_t count = 0;
    for (StateDir dir : k_state_dirs) count += pods_in(dir).size();
    return count;
  }

  static std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  static struct stat stat_of(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st;
  }

  rkt::util::TempDir m_dir = rkt::test::make_temp_dir();
  std::optional<store::ImageStore> m_store;
};

#define RKT_SKIP_UNLESS_ROOT()                                                         \
  do {                                                                                 \
    if (::geteuid() != 0) GTEST_SKIP() << "rendering images keeps owners: needs root"; \
  } while (false)

}  // namespace rkt::pod::test
