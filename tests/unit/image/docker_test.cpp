#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "image/docker/appc_mapping.hpp"
#include "image/docker/docker_ref.hpp"
#include "image/docker/image_manifest_v2.hpp"
#include "image/docker/layer_squash.hpp"
#include "image/docker/registry_client.hpp"

using namespace rkt::image::docker;
using nlohmann::json;

TEST(DockerRef, NormalizesAsDockerDoes) {
  auto hub = parse_docker_ref("docker://busybox");
  ASSERT_TRUE(hub);
  EXPECT_EQ(hub->registry, "registry-1.docker.io");
  EXPECT_EQ(hub->repository, "library/busybox");
  EXPECT_EQ(hub->tag, "latest");
  EXPECT_EQ(hub->canonical(), "docker://registry-1.docker.io/library/busybox:latest");
  auto local = parse_docker_ref("docker://127.0.0.1:5000/tools/sh:1.2");
  ASSERT_TRUE(local);
  EXPECT_EQ(local->registry, "127.0.0.1:5000");
  EXPECT_EQ(local->repository, "tools/sh");
  EXPECT_EQ(local->tag, "1.2");
  std::string digest = "sha256:" + std::string(64, 'a');
  auto pinned = parse_docker_ref("docker:quay.io/coreos/etcd@" + digest);
  ASSERT_TRUE(pinned);
  EXPECT_EQ(pinned->reference(), digest);
  EXPECT_EQ(parse_docker_ref("docker://localhost/x")->registry, "localhost");
  EXPECT_FALSE(parse_docker_ref("docker://Busybox"));
  EXPECT_FALSE(parse_docker_ref("docker://busybox@sha256:short"));
}

TEST(DockerRegistry, ParsesBearerChallenges) {
  auto challenge = parse_bearer_challenge(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull")");
  ASSERT_TRUE(challenge);
  EXPECT_EQ(challenge->realm, "https://auth.docker.io/token");
  EXPECT_EQ(challenge->service, "registry.docker.io");
  EXPECT_EQ(challenge->scope, "repository:library/busybox:pull");
  EXPECT_FALSE(parse_bearer_challenge(R"(Basic realm="x")"));
}

TEST(DockerManifest, ClassifiesAndPicksThePlatform) {
  std::string index = R"({"schemaVersion": 2, "manifests": [
      {"digest": "sha256:1", "platform": {"os": "linux", "architecture": "arm64"}},
      {"digest": "sha256:2", "platform": {"os": "linux", "architecture": "amd64"}}]})";
  EXPECT_EQ(*classify_manifest("", index), ManifestKind::index);
  EXPECT_EQ(*select_platform(index, "linux", "amd64"), "sha256:2");
  auto missing = select_platform(index, "linux", "s390x");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("linux/arm64, linux/amd64"), std::string::npos);
  EXPECT_FALSE(classify_manifest(k_docker_manifest_v2, "not json"));
  EXPECT_EQ(*classify_manifest("", R"({"schemaVersion": 1, "fsLayers": []})"),
            ManifestKind::schema1);
}

TEST(DockerManifest, SchemaOneLayersAreReversed) {
  std::string a = "sha256:" + std::string(64, 'a');
  std::string b = "sha256:" + std::string(64, 'b');
  auto manifest = parse_schema1_manifest(
      R"({"schemaVersion": 1, "fsLayers": [{"blobSum": ")" + a + R"("}, {"blobSum": ")" + b +
      R"("}], "history": [{"v1Compatibility": "{\"config\": {\"Cmd\": [\"sh\"]}}"}]})");
  ASSERT_TRUE(manifest);
  ASSERT_EQ(manifest->layers.size(), 2u);
  EXPECT_EQ(manifest->layers[0].digest, b);
  EXPECT_EQ(json::parse(manifest->v1_config)["config"]["Cmd"][0], "sh");
}

TEST(DockerToAppc, MapsTheConfigAsDocker2aci) {
  DockerOrigin origin{*parse_docker_ref("docker://busybox:1.36"), "sha256:m", "sha256:c"};
  json config = {{"architecture", "arm64"},
                 {"os", "linux"},
                 {"config",
                  {{"Entrypoint", {"/bin/tini"}},
                   {"Cmd", {"sh", "-c", "x"}},
                   {"User", "daemon"},
                   {"Env", {"A=1", "B=x=y"}},
                   {"Volumes", {{"/var/lib/data", json::object()}, {"/var/lib/data/", json::object()}}},
                   {"ExposedPorts", {{"53/udp", json::object()}, {"80", json::object()}}}}}};
  auto manifest = appc_manifest_for(config, origin);
  ASSERT_TRUE(manifest) << manifest.error().message;
  EXPECT_EQ(manifest->name, "registry-1.docker.io/library/busybox");
  ASSERT_TRUE(manifest->app);
  const auto& app = *manifest->app;
  EXPECT_EQ(app.exec, (std::vector<std::string>{"/bin/tini", "sh", "-c", "x"}));
  EXPECT_EQ(app.user, "daemon");
  EXPECT_EQ(app.group, "0");
  ASSERT_EQ(app.environment.size(), 2u);
  EXPECT_EQ(app.environment[1].value, "x=y");
  ASSERT_EQ(app.mount_points.size(), 2u);
  EXPECT_EQ(app.mount_points[0].name, "volume-var-lib-data");
  EXPECT_EQ(app.mount_points[1].name, "volume-var-lib-data-1");
  ASSERT_EQ(app.ports.size(), 2u);
  EXPECT_EQ(app.ports[0].name, "53-udp");
  EXPECT_EQ(app.ports[1].name, "80-tcp");
  bool arch = false;
  for (const auto& label : manifest->labels) arch |= label.name == "arch" && label.value == "aarch64";
  EXPECT_TRUE(arch);
}

TEST(DockerLayers, NormalizesPaths) {
  EXPECT_EQ(normalize_layer_path("./a/b/"), "a/b");
  EXPECT_EQ(normalize_layer_path("/a"), "a");
  EXPECT_EQ(normalize_layer_path("./"), "");
}
