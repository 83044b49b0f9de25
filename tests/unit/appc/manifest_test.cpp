#include "appc/manifest.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>

#include "support/temp_dir.hpp"
#include "util/file.hpp"

namespace rkt::appc {
namespace {

using nlohmann::json;

constexpr const char* k_image_id =
    "sha512-8d3fffddf79e9a232ffd19f9ccaa4d6b37a6a243dbe0f23137b108a043d9da13121a9b505c804956b22e9"
    "3c7f93969f4a7ba8ddea45bf4aab0bebc8f814e0990";

// The appc 0.8.11 example image manifest, slightly extended.
const char* const k_image_manifest = R"({
  "acKind": "ImageManifest",
  "acVersion": "0.8.11",
  "name": "example.com/reduce-worker",
  "labels": [{"name": "version", "value": "1.0.0"}, {"name": "arch", "value": "amd64"},
             {"name": "os", "value": "linux"}],
  "app": {
    "exec": ["/usr/bin/reduce-worker", "--quiet"],
    "user": "100", "group": "300",
    "supplementaryGIDs": [400, 500],
    "eventHandlers": [{"exec": ["/usr/bin/data-downloader"], "name": "pre-start"},
                      {"exec": ["/usr/bin/deregister-worker", "--verbose"], "name": "post-stop"}],
    "workingDirectory": "/opt/work",
    "environment": [{"name": "REDUCE_WORKER_DEBUG", "value": "true"}],
    "isolators": [
      {"name": "resource/cpu", "value": {"request": "250m", "limit": "500m"}},
      {"name": "resource/memory", "value": {"request": "1G", "limit": "2G"}},
      {"name": "os/linux/capabilities-retain-set", "value": {"set": ["CAP_NET_BIND_SERVICE"]}},
      {"name": "os/linux/seccomp-remove-set",
       "value": {"errno": "ENOTSUP", "set": ["clock_adjtime", "reboot"]}},
      {"name": "example.com/custom", "value": {"anything": [1, 2]}}
    ],
    "mountPoints": [{"name": "work", "path": "/var/lib/work", "readOnly": true}],
    "ports": [{"name": "health", "port": 4000, "protocol": "tcp", "socketActivated": true},
              {"name": "ftp-data", "port": 20000, "count": 1000, "protocol": "tcp"}],
    "userAnnotations": {"Free Form": "yes"},
    "userLabels": {"tier": "backend"}
  },
  "dependencies": [{"imageName": "example.com/reduce-worker-base",
                    "imageID": "sha512-abc123",
                    "labels": [{"name": "os", "value": "linux"}, {"name": "env", "value": "canary"}],
                    "size": 22017258}],
  "pathWhitelist": ["/etc/ca/example.com/crt", "/usr/bin/map-reduce-worker"],
  "annotations": [{"name": "authors", "value": "Carly Container <carly@example.com>"},
                  {"name": "created", "value": "2014-10-27T19:32:27.67021798Z"},
                  {"name": "homepage", "value": "https://example.com"}],
  "unknownField": "ignored"
})";

std::string pod_manifest_text() {
  json pod = {{"acVersion", "0.8.11"},
              {"acKind", "PodManifest"},
              {"apps",
               {{{"name", "reduce-worker"},
                 {"image",
                  {{"name", "example.com/reduce-worker"},
                   {"id", k_image_id},
                   {"labels", {{{"name", "version"}, {"value", "1.0.0"}}}}}},
                 {"app",
                  {{"exec", {"/bin/reduce-worker", "--debug=true"}},
                   {"user", "0"},
                   {"group", "0"},
                   {"mountPoints", {{{"name", "work"}, {"path", "/var/lib/work"}}}}}},
                 {"readOnlyRootFS", true},
                 {"mounts",
                  {{{"volume", "worklib"}, {"path", "/var/lib/work"}},
                   {{"volume", "scratch"},
                    {"path", "/tmp/x"},
                    {"appVolume", {{"name", "scratch"}, {"kind", "empty"}, {"mode", "0700"}}}}}},
                 {"annotations", {{{"name", "foo"}, {"value", "baz"}}}}},
                {{"name", "register"}, {"image", {{"id", k_image_id}}}}}},
              {"volumes",
               {{{"name", "worklib"},
                 {"kind", "host"},
                 {"source", "/opt/tenant1/work"},
                 {"readOnly", true},
                 {"recursive", false}},
                {{"name", "out"}, {"kind", "empty"}, {"mode", "0777"}, {"uid", 1000}, {"gid", 0}}}},
              {"isolators", {{{"name", "resource/memory"}, {"value", {{"limit", "4G"}}}}}},
              {"annotations", {{{"name", "coreos.com/rkt/stage1/mutable"}, {"value", "false"}}}},
              {"ports",
               {{{"name", "ftp"}, {"hostPort", 2121}},
                {{"name", "http"},
                 {"hostPort", 8080},
                 {"hostIP", "127.0.0.1"},
                 {"podPort", {{"name", "http"}, {"port", 80}, {"protocol", "tcp"}}}}}},
              {"userAnnotations", {{"a", "b"}}},
              {"userLabels", {{"c", "d"}}}};
  return pod.dump();
}

// Parses `text` after `edit` has changed its JSON; returns the error message or "(ok)".
std::string image_error(const std::function<void(json&)>& edit) {
  json document = json::parse(k_image_manifest);
  edit(document);
  auto parsed = parse_image_manifest(document.dump());
  return parsed.has_value() ? "(ok)" : parsed.error().message;
}

std::string pod_error(const std::function<void(json&)>& edit) {
  json document = json::parse(pod_manifest_text());
  edit(document);
  auto parsed = parse_pod_manifest(document.dump());
  return parsed.has_value() ? "(ok)" : parsed.error().message;
}

TEST(ImageManifest, ParsesSpecExample) {
  auto parsed = parse_image_manifest(k_image_manifest);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  const ImageManifest& m = *parsed;
  EXPECT_EQ(m.name, "example.com/reduce-worker");
  EXPECT_EQ(find_label(m.labels, "os")->value, "linux");
  ASSERT_TRUE(m.app.has_value());
  EXPECT_EQ(m.app->exec, (std::vector<std::string>{"/usr/bin/reduce-worker", "--quiet"}));
  EXPECT_EQ(m.app->supplementary_gids, (std::vector<int64_t>{400, 500}));
  EXPECT_EQ(m.app->ports[0].count, 1u);
  EXPECT_TRUE(m.app->ports[0].socket_activated);
  EXPECT_EQ(m.app->ports[1].count, 1000u);
  EXPECT_TRUE(m.app->mount_points[0].read_only);
  EXPECT_EQ(m.app->isolators.size(), 5u);
  EXPECT_EQ(m.app->user_annotations.at("Free Form"), "yes");
  EXPECT_EQ(m.dependencies[0].size, 22017258u);
  EXPECT_EQ(m.dependencies[0].image_id, "sha512-abc123");
  EXPECT_EQ(m.path_whitelist.size(), 2u);
  EXPECT_EQ(m.annotations[1].name, "created");
}

TEST(ImageManifest, RoundTrip) {
  auto parsed = parse_image_manifest(k_image_manifest);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  json written = to_json(*parsed);
  EXPECT_EQ(written["app"]["supplementaryGIDs"], json({400, 500}));
  EXPECT_FALSE(written.contains("unknownField"));
  auto again = parse_image_manifest(written.dump());
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(*again, *parsed);
}

TEST(ImageManifest, MinimalOmitsEmptyFields) {
  ImageManifest m;
  m.name = "example.com/min";
  json written = to_json(m);
  EXPECT_EQ(
      written,
      json({{"acKind", "ImageManifest"}, {"acVersion", "0.8.11"}, {"name", "example.com/min"}}));
  EXPECT_TRUE(validate(m).has_value());
  auto again = parse_image_manifest(written.dump());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, m);
}

TEST(ImageManifest, AcceptsSupplementaryGidsSpelling) {
  auto parsed = parse_image_manifest(R"({"acKind":"ImageManifest","acVersion":"0.8.11","name":"a",
      "app":{"user":"0","group":"0","supplementaryGids":[7]}})");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_EQ(parsed->app->supplementary_gids, std::vector<int64_t>{7});
  EXPECT_TRUE(parsed->app->exec.empty());  // exec is optional in appc 0.8.11
}

TEST(ImageManifest, InvalidJson) {
  auto parsed = parse_image_manifest("{\"acKind\": ");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().message.rfind("invalid JSON: ", 0), 0u) << parsed.error().message;
  EXPECT_EQ(parse_image_manifest("[1]").error().message,
            "manifest: expected an object, got a list");
}

TEST(ImageManifest, TypeErrors) {
  EXPECT_EQ(image_error([](json& m) { m["name"] = 5; }), "name: expected a string, got 5");
  EXPECT_EQ(image_error([](json& m) { m["app"]["exec"] = "/bin/sh"; }),
            "app.exec: expected a list, got \"/bin/sh\"");
  EXPECT_EQ(image_error([](json& m) { m["app"]["ports"][0]["port"] = "80"; }),
            "app.ports[0].port: expected an integer, got \"80\"");
  EXPECT_EQ(image_error([](json& m) { m["app"]["mountPoints"][0]["readOnly"] = "yes"; }),
            "app.mountPoints[0].readOnly: expected true or false, got \"yes\"");
  EXPECT_EQ(image_error([](json& m) { m["labels"][1] = "arch"; }),
            "labels[1]: expected an object, got \"arch\"");
  EXPECT_EQ(image_error([](json& m) { m["app"]["supplementaryGIDs"][1] = -5; }),
            "app.supplementaryGIDs[1]: expected a group ID (0 or more), got -5");
  EXPECT_EQ(image_error([](json& m) { m["app"]["userLabels"]["tier"] = 1; }),
            "app.userLabels.tier: expected a string, got 1");
}

TEST(ImageManifest, RequiredFields) {
  EXPECT_EQ(image_error([](json& m) { m.erase("acKind"); }), "acKind is required");
  EXPECT_EQ(image_error([](json& m) { m.erase("acVersion"); }), "acVersion is required");
  EXPECT_EQ(image_error([](json& m) { m.erase("name"); }), "name is required");
  EXPECT_EQ(image_error([](json& m) { m["app"].erase("user"); }), "app.user is required");
  EXPECT_EQ(image_error([](json& m) { m["app"]["group"] = ""; }), "app.group is required");
  EXPECT_EQ(image_error([](json& m) { m["app"]["ports"][0].erase("port"); }),
            "app.ports[0].port is required");
  EXPECT_EQ(image_error([](json& m) { m["dependencies"][0].erase("imageName"); }),
            "dependencies[0].imageName is required");
  EXPECT_EQ(image_error([](json& m) { m["app"]["isolators"][0].erase("value"); }),
            "app.isolators[0].value is required");
}

TEST(ImageManifest, KindAndVersion) {
  EXPECT_EQ(image_error([](json& m) { m["acKind"] = "PodManifest"; }),
            "acKind: \"PodManifest\" must be \"ImageManifest\"");
  EXPECT_EQ(image_error([](json& m) { m["acVersion"] = "0.8"; }),
            "acVersion: \"0.8\" is not a SemVer version");
  EXPECT_EQ(image_error([](json& m) { m["acVersion"] = "1.0.0-rc.1+build.5"; }), "(ok)");
}

TEST(ImageManifest, NameRule) {
  EXPECT_EQ(image_error([](json& m) { m["name"] = "Foo Bar"; }),
            "name: \"Foo Bar\" is not a valid AC identifier");
}

TEST(ImageManifest, LabelRules) {
  EXPECT_EQ(image_error([](json& m) { m["labels"][0]["name"] = "Version"; }),
            "labels[0].name: \"Version\" is not a valid AC identifier");
  EXPECT_EQ(image_error([](json& m) { m["labels"][1]["name"] = "version"; }),
            "labels[1].name: \"version\" is given more than once");
  EXPECT_EQ(image_error([](json& m) { m["labels"][0]["name"] = "name"; }),
            "labels[0].name: \"name\" cannot be a label name (it is the image's name)");
  EXPECT_EQ(image_error([](json& m) { m["labels"][1]["value"] = "sparc"; }),
            "labels: bad arch \"sparc\" for os \"linux\" (must be one of: amd64, i386, aarch64, "
            "aarch64_be, armv6l, armv7l, armv7b, ppc64, ppc64le, s390x)");
  EXPECT_EQ(image_error([](json& m) { m["dependencies"][0]["labels"][0]["value"] = "beos"; }),
            "dependencies[0].labels: bad os \"beos\" (must be one of: darwin, freebsd, linux)");
}

TEST(ImageManifest, AppExecRule) {
  EXPECT_EQ(image_error([](json& m) { m["app"]["exec"] = {""}; }),
            "app.exec[0]: must not be empty");
  EXPECT_EQ(image_error([](json& m) { m["app"]["exec"] = {"reduce-worker"}; }), "(ok)");
}

TEST(ImageManifest, WorkingDirectoryRule) {
  EXPECT_EQ(image_error([](json& m) { m["app"]["workingDirectory"] = "opt/work"; }),
            "app.workingDirectory: \"opt/work\" is not an absolute path");
}

TEST(ImageManifest, EnvironmentRules) {
  EXPECT_EQ(image_error([](json& m) { m["app"]["environment"][0]["name"] = "BAD NAME"; }),
            "app.environment[0].name: \"BAD NAME\" is not a valid environment variable name");
  EXPECT_EQ(image_error([](json& m) {
              m["app"]["environment"].push_back({{"name", "REDUCE_WORKER_DEBUG"}, {"value", "x"}});
            }),
            "app.environment[1].name: \"REDUCE_WORKER_DEBUG\" is given more than once");
  EXPECT_EQ(image_error([](json& m) { m["app"]["environment"][0]["name"] = "my.var-1"; }), "(ok)");
}

TEST(ImageManifest, EventHandlerRules) {
  EXPECT_EQ(image_error([](json& m) { m["app"]["eventHandlers"][1]["name"] = "pre-start"; }),
            "app.eventHandlers[1].name: \"pre-start\" is given more than once");
  EXPECT_EQ(image_error([](json& m) { m["app"]["eventHandlers"][0]["name"] = "on-start"; }),
            "app.eventHandlers[0].name: \"on-start\" is not \"pre-start\" or \"post-stop\"");
}

TEST(ImageManifest, MountPointRules) {
  EXPECT_EQ(image_error([](json& m) { m["app"]["mountPoints"][0]["name"] = "Work"; }),
            "app.mountPoints[0].name: \"Work\" is not a valid AC name");
  EXPECT_EQ(image_error([](json& m) { m["app"]["mountPoints"][0]["path"] = "var"; }),
            "app.mountPoints[0].path: \"var\" is not an absolute path");
  EXPECT_EQ(image_error([](json& m) {
              m["app"]["mountPoints"].push_back({{"name", "work"}, {"path", "/x"}});
            }),
            "app.mountPoints[1].name: \"work\" is given more than once");
}

TEST(ImageManifest, PortRules) {
  EXPECT_EQ(image_error([](json& m) { m["app"]["ports"][0]["port"] = 70000; }),
            "app.ports[0].port: 70000 is not in 1..65535");
  EXPECT_EQ(image_error([](json& m) { m["app"]["ports"][0]["port"] = 0; }),
            "app.ports[0].port: 0 is not in 1..65535");
  EXPECT_EQ(image_error([](json& m) { m["app"]["ports"][1]["count"] = 0; }),
            "app.ports[1].count: 0 is not in 1..65535");
  EXPECT_EQ(image_error([](json& m) { m["app"]["ports"][1]["count"] = 60000; }),
            "app.ports[1].count: range 20000..79999 goes past 65535");
  EXPECT_EQ(image_error([](json& m) { m["app"]["ports"][1]["name"] = "health"; }),
            "app.ports[1].name: \"health\" is given more than once");
  EXPECT_EQ(image_error([](json& m) { m["app"]["ports"][1]["name"] = "ftp_data"; }),
            "app.ports[1].name: \"ftp_data\" is not a valid AC name");
}

TEST(ImageManifest, IsolatorRules) {
  EXPECT_EQ(image_error([](json& m) { m["app"]["isolators"][1]["value"]["limit"] = "2Q"; }),
            "app.isolators[1].value.limit: \"2Q\" is not a valid quantity: unknown suffix \"Q\"");
  EXPECT_EQ(image_error([](json& m) {
              m["app"]["isolators"].push_back({{"name", "os/linux/capabilities-remove-set"},
                                               {"value", {{"set", {"CAP_KILL"}}}}});
            }),
            "app.isolators[5]: \"os/linux/capabilities-remove-set\" cannot be used together with "
            "\"os/linux/capabilities-retain-set\"");
}

TEST(ImageManifest, DependencyRules) {
  EXPECT_EQ(image_error([](json& m) { m["dependencies"][0]["imageName"] = "Base"; }),
            "dependencies[0].imageName: \"Base\" is not a valid AC identifier");
  EXPECT_EQ(image_error([](json& m) { m["dependencies"][0]["imageID"] = "sha256-abc"; }),
            "dependencies[0].imageID: \"sha256-abc\" is not an image ID (sha512-<digest>)");
  EXPECT_EQ(image_error([](json& m) { m["dependencies"][0]["size"] = -1; }),
            "dependencies[0].size: -1 is not in 0..9223372036854775807");
}

TEST(ImageManifest, PathWhitelistRule) {
  EXPECT_EQ(image_error([](json& m) { m["pathWhitelist"][1] = "usr/bin"; }),
            "pathWhitelist[1]: \"usr/bin\" is not an absolute path");
}

TEST(ImageManifest, AnnotationRules) {
  EXPECT_EQ(image_error([](json& m) { m["annotations"][0]["name"] = "Authors"; }),
            "annotations[0].name: \"Authors\" is not a valid AC identifier");
  EXPECT_EQ(image_error([](json& m) { m["annotations"][1]["name"] = "authors"; }),
            "annotations[1].name: \"authors\" is given more than once");
  EXPECT_EQ(image_error([](json& m) { m["annotations"][1]["value"] = "2014-10-27 19:32:27"; }),
            "annotations[1].value: \"2014-10-27 19:32:27\" is not an RFC 3339 time (created), "
            "e.g. 2016-05-18T13:49:28Z");
  EXPECT_EQ(
      image_error([](json& m) { m["annotations"][1]["value"] = "2015-05-18T13:49:28-04:00"; }),
      "(ok)");
  EXPECT_EQ(image_error([](json& m) { m["annotations"][2]["value"] = "ftp://example.com"; }),
            "annotations[2].value: \"ftp://example.com\" is not an http(s) URL (homepage)");
}

TEST(PodManifest, ParseAndRoundTrip) {
  auto parsed = parse_pod_manifest(pod_manifest_text());
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  const PodManifest& m = *parsed;
  ASSERT_EQ(m.apps.size(), 2u);
  EXPECT_TRUE(m.apps[0].read_only_root_fs);
  EXPECT_EQ(m.apps[0].mounts[1].app_volume->at("mode"), "0700");
  EXPECT_FALSE(m.apps[1].app.has_value());
  EXPECT_EQ(m.volumes[0].recursive, false);
  EXPECT_EQ(m.volumes[1].uid, 1000);
  EXPECT_EQ(m.ports[1].pod_port->port, 80u);
  EXPECT_EQ(m.user_labels.at("c"), "d");
  auto again = parse_pod_manifest(to_json(m).dump());
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(*again, m);
}

TEST(PodManifest, EmptyPodWritesApps) {
  PodManifest m;
  EXPECT_EQ(to_json(m),
            json({{"acKind", "PodManifest"}, {"acVersion", "0.8.11"}, {"apps", json::array()}}));
  auto again = parse_pod_manifest(to_json(m).dump());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, m);
}

TEST(PodManifest, AppRules) {
  EXPECT_EQ(pod_error([](json& m) { m["apps"][1]["name"] = "reduce-worker"; }),
            "apps[1].name: \"reduce-worker\" is given more than once");
  EXPECT_EQ(pod_error([](json& m) { m["apps"][0]["name"] = "Reduce"; }),
            "apps[0].name: \"Reduce\" is not a valid AC name");
  EXPECT_EQ(pod_error([](json& m) { m["apps"][1]["image"].erase("id"); }),
            "apps[1].image.id is required");
  EXPECT_EQ(pod_error([](json& m) { m["apps"][1]["image"]["id"] = "deadbeef"; }),
            "apps[1].image.id: \"deadbeef\" is not an image ID (sha512-<digest>)");
  EXPECT_EQ(pod_error([](json& m) { m["apps"][0]["app"]["user"] = ""; }),
            "apps[0].app.user is required");
  EXPECT_EQ(pod_error([](json& m) { m["apps"][0]["mounts"][0]["volume"] = "work_lib"; }),
            "apps[0].mounts[0].volume: \"work_lib\" is not a valid AC name");
  EXPECT_EQ(pod_error([](json& m) { m["apps"][0]["mounts"][1]["appVolume"]["kind"] = "tmpfs"; }),
            "apps[0].mounts[1].appVolume.kind: \"tmpfs\" is not \"host\" or \"empty\"");
  EXPECT_EQ(pod_error([](json& m) { m.erase("apps"); }), "(ok)");
}

TEST(PodManifest, VolumeRules) {
  EXPECT_EQ(pod_error([](json& m) { m["volumes"][0]["source"] = "opt/x"; }),
            "volumes[0].source: \"opt/x\" is not an absolute path");
  EXPECT_EQ(pod_error([](json& m) { m["volumes"][0]["mode"] = "0755"; }),
            "volumes[0].mode: only empty volumes have a mode");
  EXPECT_EQ(pod_error([](json& m) { m["volumes"][1]["source"] = "/x"; }),
            "volumes[1].source: empty volumes have no source, got \"/x\"");
  EXPECT_EQ(pod_error([](json& m) { m["volumes"][1]["mode"] = "rwx"; }),
            "volumes[1].mode: \"rwx\" is not an octal mode such as \"0755\"");
  EXPECT_EQ(pod_error([](json& m) { m["volumes"][1]["name"] = "worklib"; }),
            "volumes[1].name: \"worklib\" is given more than once");
  EXPECT_EQ(pod_error([](json& m) { m["volumes"][1].erase("kind"); }),
            "volumes[1].kind is required");
}

TEST(PodManifest, PortRules) {
  EXPECT_EQ(pod_error([](json& m) { m["ports"][0]["hostPort"] = 0; }),
            "ports[0].hostPort: 0 is not in 1..65535");
  EXPECT_EQ(pod_error([](json& m) { m["ports"][1]["hostIP"] = "localhost"; }),
            "ports[1].hostIP: \"localhost\" is not an IPv4 address");
  EXPECT_EQ(pod_error([](json& m) { m["ports"][1]["name"] = "ftp"; }),
            "ports[1].name: \"ftp\" is given more than once");
  EXPECT_EQ(pod_error([](json& m) { m["ports"][1]["podPort"]["port"] = 70000; }),
            "ports[1].podPort.port: 70000 is not in 1..65535");
}

TEST(PodManifest, KindAndIsolators) {
  EXPECT_EQ(pod_error([](json& m) { m["acKind"] = "ImageManifest"; }),
            "acKind: \"ImageManifest\" must be \"PodManifest\"");
  EXPECT_EQ(pod_error([](json& m) { m["isolators"][0]["value"]["limit"] = "x"; }),
            "isolators[0].value.limit: \"x\" is not a valid quantity: expected a number");
  EXPECT_EQ(pod_error([](json& m) { m["annotations"][0]["name"] = "Bad"; }),
            "annotations[0].name: \"Bad\" is not a valid AC identifier");
}

TEST(PodManifest, VolumeDefaults) {
  Volume empty{.name = "v", .kind = "empty"};
  Volume filled = volume_with_defaults(empty);
  EXPECT_EQ(filled.mode, "0755");
  EXPECT_EQ(filled.uid, 0);
  EXPECT_EQ(filled.gid, 0);
  EXPECT_EQ(filled.read_only, false);
  Volume host = volume_with_defaults(Volume{.name = "h", .kind = "host", .source = "/x"});
  EXPECT_EQ(host.recursive, true);
  EXPECT_TRUE(host.mode.empty());
}

TEST(Manifest, ValidateBuiltInCode) {
  ImageManifest m;
  m.name = "example.com/app";
  m.app = App{};
  auto missing_user = validate(m);
  ASSERT_FALSE(missing_user.has_value());
  EXPECT_EQ(missing_user.error().message, "app.user is required");
  m.app->user = "0";
  m.app->group = "0";
  m.app->ports.push_back(Port{.name = "http", .protocol = "tcp", .port = 70000});
  EXPECT_EQ(validate(m).error().message, "app.ports[0].port: 70000 is not in 1..65535");
}

// What we write must satisfy appc's own validator (Debian's actool), when it is installed.
TEST(Manifest, ActoolAcceptsWhatWeWrite) {
  if (!util::path_exists("/usr/bin/actool")) GTEST_SKIP() << "actool is not installed";
  auto dir = test::make_temp_dir();
  auto image = parse_image_manifest(k_image_manifest);
  auto pod = parse_pod_manifest(pod_manifest_text());
  ASSERT_TRUE(image.has_value() && pod.has_value());
  // actool 0.8.11 refuses isolators it does not know, which the spec lets executors ignore.
  std::erase_if(image->app->isolators,
                [](const Isolator& i) { return i.name == "example.com/custom"; });
  for (const auto& [name, document] :
       {std::pair{"image", to_json(*image)}, {"pod", to_json(*pod)}}) {
    auto path = dir.path() / name;
    ASSERT_TRUE(util::write_file_atomic(path, document.dump(), 0644, util::Durability::no_fsync));
    std::string command =
        "/usr/bin/actool validate --type=manifest '" + path.string() + "' >/dev/null 2>&1";
    EXPECT_EQ(std::system(command.c_str()), 0) << name << ": " << document.dump(2);
  }
}

}  // namespace
}  // namespace rkt::appc
