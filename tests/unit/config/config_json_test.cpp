#include <gtest/gtest.h>

#include "config/config.hpp"

namespace rkt::config {
namespace {

TEST(ConfigJson, EmptyConfigPrintsPathsAndStage1) {
  // Like rkt, unset values are printed as empty strings.
  EXPECT_EQ(config_to_json(Config{}).dump(),
            R"({"stage0":[{"rktVersion":"v1","rktKind":"paths","data":"","stage1-images":""},)"
            R"({"rktVersion":"v1","rktKind":"stage1","name":"","version":"","location":""}]})");
}

TEST(ConfigJson, OneEntryPerDomainSortedInRktOrder) {
  // Documentation/subcommands/config.md: bar.com, baz.com from the system, foo.com from the user.
  Config config;
  config.auth_per_host["foo.com"] = BasicCredentials{"user", "password"};
  config.auth_per_host["baz.com"] = BasicCredentials{"sysUser", "sysPassword"};
  config.auth_per_host["bar.com"] = OAuthCredentials{"someToken"};
  config.auth_per_host["s3.example.com"] = AwsCredentials{"AK", "SK", ""};
  config.docker_credentials_per_registry["quay.io"] = BasicCredentials{"q", "p"};
  config.paths = Paths{"/var/lib/rkt", "/usr/lib/rkt"};
  config.stage1 = Stage1Defaults{"coreos.com/rkt/stage1-coreos", "0.15.0+git",
                                 "/usr/libexec/rkt/stage1-coreos.aci"};
  EXPECT_EQ(config_to_json(config).dump(1, '\t'), R"({
	"stage0": [
		{
			"rktVersion": "v1",
			"rktKind": "auth",
			"domains": [
				"bar.com"
			],
			"type": "oauth",
			"credentials": {
				"token": "someToken"
			}
		},
		{
			"rktVersion": "v1",
			"rktKind": "auth",
			"domains": [
				"baz.com"
			],
			"type": "basic",
			"credentials": {
				"user": "sysUser",
				"password": "sysPassword"
			}
		},
		{
			"rktVersion": "v1",
			"rktKind": "auth",
			"domains": [
				"foo.com"
			],
			"type": "basic",
			"credentials": {
				"user": "user",
				"password": "password"
			}
		},
		{
			"rktVersion": "v1",
			"rktKind": "auth",
			"domains": [
				"s3.example.com"
			],
			"type": "aws",
			"credentials": {
				"accessKeyID": "AK",
				"secretAccessKey": "SK"
			}
		},
		{
			"rktVersion": "v1",
			"rktKind": "dockerAuth",
			"registries": [
				"quay.io"
			],
			"credentials": {
				"user": "q",
				"password": "p"
			}
		},
		{
			"rktVersion": "v1",
			"rktKind": "paths",
			"data": "/var/lib/rkt",
			"stage1-images": "/usr/lib/rkt"
		},
		{
			"rktVersion": "v1",
			"rktKind": "stage1",
			"name": "coreos.com/rkt/stage1-coreos",
			"version": "0.15.0+git",
			"location": "/usr/libexec/rkt/stage1-coreos.aci"
		}
	]
})");
}

}  // namespace
}  // namespace rkt::config
