#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "appc/isolator.hpp"
#include "appc/labels.hpp"
#include "pod/pod_manifest_builder.hpp"
#include "support/temp_dir.hpp"

namespace rkt::pod {
namespace {

using testing::HasSubstr;

appc::App simple_app(std::vector<std::string> exec) {
  appc::App app;
  app.exec = std::move(exec);
  app.user = "0";
  app.group = "0";
  return app;
}

store::ImageInfo image(const std::string& name, std::optional<appc::App> app, char digit = 'a') {
  store::ImageInfo info;
  info.name = name;
  info.id = "sha512-" + std::string(128, digit);
  info.key = info.id.substr(0, store::k_key_length);
  info.manifest.name = name;
  info.manifest.labels = {{"version", "1.0"}, {"os", "linux"}, {"arch", "amd64"}};
  info.manifest.app = std::move(app);
  return info;
}

AppRequest app_request(store::ImageInfo info) {
  AppRequest app;
  app.image = std::move(info);
  return app;
}

Result<appc::PodManifest> build(const PodRequest& request) {
  return build_pod_manifest(request, {});
}

TEST(AppName, DerivedFromTheImageNameUnlessGiven) {
  AppRequest app = app_request(image("example.com/My_App", simple_app({"/x"})));
  auto name = app_name_of(app);
  ASSERT_TRUE(name) << name.error().message;
  EXPECT_EQ(*name, "my-app");
  app.name = "custom";
  EXPECT_EQ(app_name_of(app).value(), "custom");
  app.name = "Not_Valid";
  EXPECT_FALSE(app_name_of(app));
}

TEST(PodManifestBuilder, AppsByImageIdWithNameLabelsAndAppSection) {
  PodRequest request;
  request.apps.push_back(app_request(image("coreos.com/etcd", simple_app({"/etcd", "-v"}))));
  auto manifest = build(request);
  ASSERT_TRUE(manifest) << manifest.error().message;
  ASSERT_EQ(manifest->apps.size(), 1u);
  const auto& app = manifest->apps[0];
  EXPECT_EQ(app.name, "etcd");
  EXPECT_EQ(app.image.id, "sha512-" + std::string(128, 'a'));
  EXPECT_EQ(app.image.name, "coreos.com/etcd");
  EXPECT_EQ(app.image.labels.size(), 3u);
  ASSERT_TRUE(app.app);
  EXPECT_EQ(app.app->exec, (std::vector<std::string>{"/etcd", "-v"}));
  const auto* mutable_annotation =
      appc::find_annotation(manifest->annotations, k_annotation_mutable);
  ASSERT_NE(mutable_annotation, nullptr);
  EXPECT_EQ(mutable_annotation->value, "false");
}

TEST(PodManifestBuilder, DuplicateAppNamesNeedName) {
  PodRequest request;
  request.apps.push_back(app_request(image("a.com/web", simple_app({"/x"}), 'a')));
  request.apps.push_back(app_request(image("b.com/web", simple_app({"/x"}), 'b')));
  auto manifest = build(request);
  ASSERT_FALSE(manifest);
  EXPECT_THAT(manifest.error().message, HasSubstr("--name"));
  request.apps[1].name = "web2";
  EXPECT_TRUE(build(request));
}

TEST(PodManifestBuilder, ExecReplacesTheCommandAndArgsAreAppended) {
  AppRequest app = app_request(image("x.com/app", simple_app({"/bin/app", "--default"})));
  app.args = {"--extra"};
  app.args_given = true;
  auto built = effective_app(app, {});
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->exec, (std::vector<std::string>{"/bin/app", "--default", "--extra"}));
  app.exec = "/bin/sh";
  app.args = {"-c", "true"};
  built = effective_app(app, {});
  ASSERT_TRUE(built);
  EXPECT_EQ(built->exec, (std::vector<std::string>{"/bin/sh", "-c", "true"}));
}

TEST(PodManifestBuilder, ImageWithoutAppNeedsExec) {
  AppRequest app = app_request(image("x.com/data", std::nullopt));
  auto built = effective_app(app, {});
  ASSERT_FALSE(built);
  EXPECT_THAT(built.error().message, HasSubstr("--exec"));
  app.exec = "/bin/true";
  built = effective_app(app, {});
  ASSERT_TRUE(built) << built.error().message;
  EXPECT_EQ(built->exec, std::vector<std::string>{"/bin/true"});
  EXPECT_EQ(built->user, std::to_string(::getuid()));
  EXPECT_EQ(built->group, std::to_string(::getgid()));
}

TEST(PodManifestBuilder, OverridesReplaceImageSettings) {
  appc::App base = simple_app({"/x"});
  base.working_directory = "/srv";
  base.supplementary_gids = {5};
  base.isolators.push_back(appc::make_memory_isolator("", "100M").value());
  base.isolators.push_back(
      appc::make_capability_isolator(appc::SetMode::remove, {"CAP_NET_RAW"}).value());
  AppRequest app = app_request(image("x.com/app", base));
  app.user = "1000";
  app.group = "100";
  app.supplementary_gids = std::vector<int64_t>{7, 8};
  app.working_dir = "/tmp";
  app.readonly_rootfs = true;
  app.isolators.push_back(appc::make_memory_isolator("", "200M").value());
  app.isolators.push_back(
      appc::make_capability_isolator(appc::SetMode::retain, {"CAP_CHOWN"}).value());
  app.annotations = {{"note", "x"}};
  PodRequest request;
  request.apps.push_back(app);
  auto manifest = build(request);
  ASSERT_TRUE(manifest) << manifest.error().message;
  const auto& runtime = manifest->apps[0];
  EXPECT_TRUE(runtime.read_only_root_fs);
  EXPECT_EQ(runtime.annotations, (appc::Annotations{{"note", "x"}}));
  const appc::App& result = *runtime.app;
  EXPECT_EQ(result.user, "1000");
  EXPECT_EQ(result.group, "100");
  EXPECT_EQ(result.supplementary_gids, (std::vector<int64_t>{7, 8}));
  EXPECT_EQ(result.working_directory, "/tmp");
  ASSERT_EQ(result.isolators.size(), 2u);
  auto memory = appc::memory_resource(*appc::find_isolator(result.isolators, "resource/memory"));
  ASSERT_TRUE(memory);
  EXPECT_EQ(memory->limit_bytes, 200'000'000);
  EXPECT_NE(appc::find_isolator(result.isolators, appc::k_isolator_caps_retain), nullptr);
  EXPECT_EQ(appc::find_isolator(result.isolators, appc::k_isolator_caps_remove), nullptr);
}

TEST(PodManifestBuilder, EnvironmentGoesIntoTheAppSection) {
  appc::App base = simple_app({"/x"});
  base.environment = {{"FROM", "image"}};
  AppRequest app = app_request(image("x.com/app", base));
  app.environment = {{"FROM", "flag"}};
  PodRequest request;
  request.set_env = {{"POD", "1"}};
  request.apps.push_back(app);
  auto manifest = build(request);
  ASSERT_TRUE(manifest) << manifest.error().message;
  EXPECT_EQ(manifest->apps[0].app->environment,
            (std::vector<appc::EnvironmentVariable>{{"FROM", "flag"}, {"POD", "1"}}));
}

TEST(PodManifestBuilder, MountsVolumesAndImplicitEmptyVolumes) {
  appc::App base = simple_app({"/x"});
  base.mount_points = {
      {"data", "/data", false}, {"cache", "/cache", false}, {"logs", "/var/log", false}};
  AppRequest app = app_request(image("x.com/app", base));
  app.mounts = {{"host-logs", "/var/log", std::nullopt}, {"host-logs", "/var/log", std::nullopt}};
  PodRequest request;
  auto dir = rkt::test::make_temp_dir();
  request.volumes.push_back({"host-logs", "host", dir.path().string(), {}, {}, "", {}, {}});
  request.volumes.push_back({"data", "empty", "", {}, {}, "0700", 1000, 1000});
  request.apps.push_back(app);
  auto manifest = build(request);
  ASSERT_TRUE(manifest) << manifest.error().message;
  EXPECT_EQ(manifest->apps[0].mounts.size(), 1u);  // same target twice: the first wins
  std::vector<std::string> names;
  for (const auto& volume : manifest->volumes) names.push_back(volume.name);
  // "data" has a volume, "logs" is mounted by path: only "cache" is implicit.
  EXPECT_EQ(names, (std::vector<std::string>{"host-logs", "data", "cache"}));
  EXPECT_EQ(manifest->volumes[2].kind, "empty");
  EXPECT_EQ(manifest->volumes[2].mode, "0755");
}

TEST(PodManifestBuilder, MountOfUnknownVolumeIsAnError) {
  AppRequest app = app_request(image("x.com/app", simple_app({"/x"})));
  app.mounts = {{"nope", "/data", std::nullopt}};
  PodRequest request;
  request.apps.push_back(app);
  auto manifest = build(request);
  ASSERT_FALSE(manifest);
  EXPECT_THAT(manifest.error().message, HasSubstr("\"nope\""));
}

TEST(PodManifestBuilder, MissingHostVolumeSourceIsAnError) {
  PodRequest request;
  request.apps.push_back(app_request(image("x.com/app", simple_app({"/x"}))));
  request.volumes.push_back({"v", "host", "/does/not/exist", {}, {}, "", {}, {}});
  auto valid = validate_pod_request(request);
  ASSERT_FALSE(valid);
  EXPECT_EQ(valid.error().kind, ErrorKind::not_found);
  EXPECT_THAT(valid.error().message, HasSubstr("/does/not/exist"));
}

TEST(PodManifestBuilder, PortsMustBeDefinedByAnApp) {
  appc::App base = simple_app({"/x"});
  base.ports = {{"http", "tcp", 80, 1, false}};
  PodRequest request;
  request.apps.push_back(app_request(image("x.com/app", base)));
  request.ports.push_back({"http", 8080, "", std::nullopt});
  EXPECT_TRUE(build(request));
  request.ports.push_back({"ftp", 2121, "", std::nullopt});
  auto manifest = build(request);
  ASSERT_FALSE(manifest);
  EXPECT_THAT(manifest.error().message, HasSubstr("\"ftp\""));
}

TEST(PodManifestBuilder, PodManifestConflictsWithImageFlags) {
  PodRequest request;
  request.pod_manifest = appc::PodManifest{};
  EXPECT_TRUE(validate_pod_request(request));
  request.set_env = {{"A", "1"}};
  auto valid = validate_pod_request(request);
  ASSERT_FALSE(valid);
  EXPECT_THAT(valid.error().message, HasSubstr("conflicting flags"));
}

TEST(PodManifestBuilder, UserAnnotationsAndLabels) {
  AppRequest app = app_request(image("x.com/app", simple_app({"/x"})));
  app.user_annotations = {{"owner", "me"}};
  app.user_labels = {{"tier", "web"}};
  PodRequest request;
  request.apps.push_back(app);
  request.user_labels = {{"env", "test"}};
  request.annotations = {{"coreos.com/rkt/stage1/mutable", "true"}, {"extra", "1"}};
  auto manifest = build(request);
  ASSERT_TRUE(manifest) << manifest.error().message;
  EXPECT_EQ(manifest->apps[0].app->user_annotations.at("owner"), "me");
  EXPECT_EQ(manifest->apps[0].app->user_labels.at("tier"), "web");
  EXPECT_EQ(manifest->user_labels.at("env"), "test");
  EXPECT_EQ(appc::find_annotation(manifest->annotations, k_annotation_mutable)->value, "false");
  EXPECT_NE(appc::find_annotation(manifest->annotations, "extra"), nullptr);
}

}  // namespace
}  // namespace rkt::pod
