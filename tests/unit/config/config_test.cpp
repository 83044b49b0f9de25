#include "config/config.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"
#include "util/file.hpp"

namespace rkt::config {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, std::string_view content) {
  ASSERT_TRUE(util::make_dirs(path.parent_path()).has_value());
  ASSERT_TRUE(util::write_file_atomic(path, content, 0600, util::Durability::no_fsync).has_value());
}

std::string basic_auth(std::string_view domains, std::string_view user, std::string_view password) {
  return fmt::format(R"({{"rktKind": "auth", "rktVersion": "v1", "domains": [{}], "type": "basic",
      "credentials": {{"user": "{}", "password": "{}"}}}})",
                     domains, user, password);
}

std::string oauth(std::string_view domains, std::string_view token) {
  return fmt::format(R"({{"rktKind": "auth", "rktVersion": "v1", "domains": [{}], "type": "oauth",
      "credentials": {{"token": "{}"}}}})",
                     domains, token);
}

std::string docker_auth(std::string_view registries, std::string_view user) {
  return fmt::format(R"({{"rktKind": "dockerAuth", "rktVersion": "v1", "registries": [{}],
      "credentials": {{"user": "{}", "password": "pw"}}}})",
                     registries, user);
}

class ConfigTest : public ::testing::Test {
 protected:
  util::TempDir m_root = test::make_temp_dir();
  fs::path system() const { return m_root.path() / "system"; }
  fs::path local() const { return m_root.path() / "local"; }
  fs::path user() const { return m_root.path() / "user"; }

  std::string load_error() {
    auto config = load_config(system(), local(), user());
    return config.has_value() ? "(ok)" : config.error().message;
  }
};

TEST_F(ConfigTest, MissingDirectoriesGiveDefaults) {
  auto config = load_config(system(), local(), {});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(*config, Config{});
}

TEST_F(ConfigTest, DocumentedAuthOverride) {
  // Documentation/configuration.md: per-domain override of system settings by local ones.
  write(system() / "auth.d/coreos.json",
        oauth(R"("coreos.com", "tectonic.com", "kubernetes.io")", "common-token"));
  write(local() / "auth.d/specific-coreos.json", basic_auth(R"("coreos.com")", "foo", "bar"));
  write(local() / "auth.d/specific-tectonic.json", oauth(R"("tectonic.com")", "tectonic-token"));
  auto config = load_config(system(), local(), {});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(auth_headers_for(*config, "kubernetes.io"),
            std::vector<std::string>{"Authorization: Bearer common-token"});
  EXPECT_EQ(auth_headers_for(*config, "coreos.com"),
            std::vector<std::string>{"Authorization: Basic Zm9vOmJhcg=="});
  EXPECT_EQ(auth_headers_for(*config, "tectonic.com"),
            std::vector<std::string>{"Authorization: Bearer tectonic-token"});
  EXPECT_TRUE(auth_headers_for(*config, "example.com").empty());
  EXPECT_TRUE(auth_headers_for(*config, "coreos.com:8080").empty());
}

TEST_F(ConfigTest, UserOverridesLocalOverridesSystem) {
  write(system() / "auth.d/a.json", basic_auth(R"("foo.com", "bar.com")", "sys", "s"));
  write(local() / "auth.d/a.json", basic_auth(R"("foo.com")", "local", "l"));
  write(user() / "auth.d/z.json", basic_auth(R"("foo.com")", "user", "u"));
  write(system() / "paths.d/p.json", R"({"rktKind":"paths","rktVersion":"v1","data":"/sys/data",
      "stage1-images":"/sys/stage1"})");
  write(local() / "paths.d/p.json",
        R"({"rktKind":"paths","rktVersion":"v1","data":"/local/data"})");
  auto config = load_config(system(), local(), user());
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(std::get<BasicCredentials>(config->auth_per_host.at("foo.com")).user, "user");
  EXPECT_EQ(std::get<BasicCredentials>(config->auth_per_host.at("bar.com")).user, "sys");
  EXPECT_EQ(config->paths.data, "/local/data");
  EXPECT_EQ(config->paths.stage1_images, "/sys/stage1");
}

TEST_F(ConfigTest, SameDomainTwiceInOneDirectory) {
  write(local() / "auth.d/a.json", basic_auth(R"("foo.com")", "a", "a"));
  write(local() / "auth.d/b.json", oauth(R"("bar.com", "foo.com")", "t"));
  EXPECT_EQ(load_error(), fmt::format("auth for domain \"foo.com\" is specified in both {} and {}",
                                      (local() / "auth.d/a.json").string(),
                                      (local() / "auth.d/b.json").string()));
}

TEST_F(ConfigTest, SameRegistryTwiceInOneDirectory) {
  write(user() / "auth.d/a.json", docker_auth(R"("quay.io")", "a"));
  write(user() / "auth.d/b.json", docker_auth(R"("quay.io")", "b"));
  EXPECT_EQ(
      load_error(),
      fmt::format("credentials for docker registry \"quay.io\" are specified in both {} and {}",
                  (user() / "auth.d/a.json").string(), (user() / "auth.d/b.json").string()));
}

TEST_F(ConfigTest, SamePathTwiceInOneDirectory) {
  write(system() / "paths.d/a.json", R"({"rktKind":"paths","rktVersion":"v1","data":"/a"})");
  write(system() / "paths.d/b.json", R"({"rktKind":"paths","rktVersion":"v1","data":"/b"})");
  EXPECT_EQ(load_error(), fmt::format("the data directory is specified in both {} and {}",
                                      (system() / "paths.d/a.json").string(),
                                      (system() / "paths.d/b.json").string()));
}

TEST_F(ConfigTest, DockerCredentials) {
  write(system() / "auth.d/docker.json", docker_auth(R"("index.docker.io", "quay.io")", "sys"));
  write(local() / "auth.d/quay.json", docker_auth(R"("quay.io")", "local"));
  auto config = load_config(system(), local(), {});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(docker_credentials_for(*config, "quay.io")->user, "local");
  EXPECT_EQ(docker_credentials_for(*config, "index.docker.io")->user, "sys");
  EXPECT_EQ(docker_credentials_for(*config, "registry-1.docker.io")->user, "sys");
  EXPECT_EQ(docker_credentials_for(*config, "gcr.io"), nullptr);
  EXPECT_EQ(docker_credentials_for(*config, "quay.io")->password, "pw");
}

TEST_F(ConfigTest, AwsAuth) {
  write(local() / "auth.d/aws.json", R"({"rktKind":"auth","rktVersion":"v1","domains":["s3.aws"],
      "type":"aws","credentials":{"accessKeyID":"AK","secretAccessKey":"SK","awsRegion":"eu"}})");
  auto config = load_config(system(), local(), {});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_TRUE(auth_headers_for(*config, "s3.aws").empty());
  const auto* aws = std::get_if<AwsCredentials>(auth_for(*config, "s3.aws"));
  ASSERT_NE(aws, nullptr);
  EXPECT_EQ(*aws, (AwsCredentials{"AK", "SK", "eu"}));
}

TEST_F(ConfigTest, Stage1) {
  write(system() / "stage1.d/s.json", R"({"rktKind":"stage1","rktVersion":"v1",
      "name":"coreos.com/rkt/stage1-native","version":"1.30.0","location":"/usr/lib/rkt/s1.aci"})");
  write(local() / "stage1.d/s.json", R"({"rktKind":"stage1","rktVersion":"v1",
      "location":"https://example.com/s1.aci"})");
  auto config = load_config(system(), local(), {});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->stage1, (Stage1Defaults{"coreos.com/rkt/stage1-native", "1.30.0",
                                            "https://example.com/s1.aci"}));
}

TEST_F(ConfigTest, Stage1Errors) {
  fs::path file = local() / "stage1.d/s.json";
  write(file, R"({"rktKind":"stage1","rktVersion":"v1","name":"x"})");
  EXPECT_EQ(load_error(),
            file.string() + ": default stage1 image name specified, but version is missing");
  write(file, R"({"rktKind":"stage1","rktVersion":"v1","version":"1"})");
  EXPECT_EQ(load_error(),
            file.string() + ": default stage1 image version specified, but name is missing");
  write(file, R"({"rktKind":"stage1","rktVersion":"v1","location":"ftp://x/s1.aci"})");
  EXPECT_EQ(load_error(), file.string() +
                              ": stage1 location URL has invalid scheme \"ftp\" (allowed: docker, "
                              "file, http, https)");
  write(file, R"({"rktKind":"stage1","rktVersion":"v1","location":"s1.aci"})");
  EXPECT_EQ(load_error(),
            file.string() + ": stage1 location \"s1.aci\" is neither an absolute path nor a URL");
}

TEST_F(ConfigTest, KindAndVersionErrors) {
  fs::path file = local() / "auth.d/x.json";
  write(file, R"({"rktKind":"bogus","rktVersion":"v1"})");
  EXPECT_EQ(
      load_error(),
      file.string() + ": unknown rktKind \"bogus\" in auth.d (expected \"auth\", \"dockerAuth\")");
  write(file, R"({"rktKind":"paths","rktVersion":"v1","data":"/x"})");
  EXPECT_EQ(
      load_error(),
      file.string() + ": unknown rktKind \"paths\" in auth.d (expected \"auth\", \"dockerAuth\")");
  write(file, R"({"rktKind":"auth","rktVersion":"v2"})");
  EXPECT_EQ(
      load_error(),
      file.string() + ": unsupported rktVersion \"v2\" for rktKind \"auth\" (expected \"v1\")");
  write(file, R"({"rktVersion":"v1"})");
  EXPECT_EQ(load_error(), file.string() + ": no rktKind specified");
  write(file, R"({"rktKind":"auth"})");
  EXPECT_EQ(load_error(), file.string() + ": no rktVersion specified");
  write(file, R"({"rktKind":"auth",)");
  EXPECT_EQ(load_error().rfind(file.string() + ": invalid JSON: ", 0), 0u);
}

TEST_F(ConfigTest, AuthValueErrors) {
  fs::path file = system() / "auth.d/x.json";
  write(file, R"({"rktKind":"auth","rktVersion":"v1","domains":[],"type":"basic"})");
  EXPECT_EQ(load_error(), file.string() + ": no domains specified");
  write(file, R"({"rktKind":"auth","rktVersion":"v1","domains":["a"]})");
  EXPECT_EQ(load_error(), file.string() + ": no auth type specified");
  write(file, R"({"rktKind":"auth","rktVersion":"v1","domains":["a"],"type":"kerberos",
      "credentials":{}})");
  EXPECT_EQ(load_error(),
            file.string() + ": unknown auth type \"kerberos\" (valid: basic, oauth, aws)");
  write(file, basic_auth(R"("a")", "u", ""));
  EXPECT_EQ(load_error(), file.string() + ": credentials.password not specified");
  write(file, R"({"rktKind":"auth","rktVersion":"v1","domains":["a"],"type":"oauth"})");
  EXPECT_EQ(load_error(), file.string() + ": no credentials specified");
  write(file, R"({"rktKind":"dockerAuth","rktVersion":"v1","domains":["gcr.io"],
      "credentials":{"user":"u","password":"p"}})");
  EXPECT_EQ(load_error(), file.string() + ": no registries specified");
}

TEST_F(ConfigTest, PathsMustBeAbsolute) {
  fs::path file = user() / "paths.d/p.json";
  write(file, R"({"rktKind":"paths","rktVersion":"v1","data":"var/lib/rkt"})");
  EXPECT_EQ(load_error(), file.string() + ": data must be an absolute path, got \"var/lib/rkt\"");
}

TEST_F(ConfigTest, IgnoresNonJsonFilesAndSubdirectories) {
  write(local() / "auth.d/README", "not json at all");
  write(local() / "auth.d/notes.json.bak", "{");
  write(local() / "auth.d/nested/deep.json", R"({"rktKind":"bogus"})");
  write(local() / "net.d/10-bridge.conf", "{}");
  write(local() / "auth.d/ok.json", oauth(R"("a.com")", "t"));
  auto config = load_config(system(), local(), {});
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->auth_per_host.size(), 1u);
}

TEST_F(ConfigTest, ConfigDirMustBeADirectory) {
  write(system(), "a file");
  EXPECT_EQ(load_error(), fmt::format("expected `{}` to be a directory", system().string()));
}

TEST(Base64, Encode) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo:bar"), "Zm9vOmJhcg==");
}

}  // namespace
}  // namespace rkt::config
