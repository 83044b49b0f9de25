#include "pod/env.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rkt::pod {
namespace {

using Env = std::vector<appc::EnvironmentVariable>;

std::string value_of(const Env& env, std::string_view name) {
  for (const auto& var : env) {
    if (var.name == name) return var.value;
  }
  return "<unset>";
}

TEST(EnvFile, SkipsBlankLinesAndComments) {
  auto vars = parse_env_file("# comment\n\n; also a comment\nA=1\r\n  B=two words\nC=\nD=x=y\n");
  ASSERT_TRUE(vars) << vars.error().message;
  EnvPairs expected{{"A", "1"}, {"B", "two words"}, {"C", ""}, {"D", "x=y"}};
  EXPECT_EQ(*vars, expected);
}

TEST(EnvFile, BadLineIsAnErrorNamingIt) {
  auto vars = parse_env_file("A=1\nnot an assignment\n");
  ASSERT_FALSE(vars);
  EXPECT_THAT(vars.error().message, testing::HasSubstr("line 2"));
  EXPECT_FALSE(parse_env_file("=value\n"));
  EXPECT_FALSE(parse_env_file("BAD NAME=1\n"));
}

TEST(EnvAssignment, ParsesNameAndValue) {
  auto pair = parse_env_assignment("FOO=bar=baz");
  ASSERT_TRUE(pair);
  EXPECT_EQ(pair->first, "FOO");
  EXPECT_EQ(pair->second, "bar=baz");
  EXPECT_FALSE(parse_env_assignment("FOO"));
}

TEST(EnvMerge, OverrideDecidesWhetherExistingVariablesChange) {
  Env env{{"A", "image"}};
  merge_env(env, {{"A", "new"}, {"B", "b"}}, EnvOverride::no);
  EXPECT_EQ(value_of(env, "A"), "image");
  EXPECT_EQ(value_of(env, "B"), "b");
  merge_env(env, {{"A", "new"}}, EnvOverride::yes);
  EXPECT_EQ(value_of(env, "A"), "new");
  EXPECT_EQ(env.front().name, "A");  // replaced in place
}

TEST(AppEnvironment, PrecedenceFromParentToEnvironmentFlag) {
  Env image{{"IMG", "image"}, {"ALL", "image"}, {"FILE", "image"}};
  PodRequest pod;
  pod.inherit_env = true;
  pod.set_env_file = {{"FILE", "file"}, {"SET", "file"}, {"ALL", "file"}};
  pod.set_env = {{"SET", "set"}, {"ALL", "set"}};
  AppRequest app;
  app.environment = {{"ALL", "environment"}};
  EnvPairs parent{{"IMG", "parent"},
                  {"PARENT", "parent"},
                  {"SET", "parent"},
                  {"BASH_FUNC_f%%", "() { :; }"},
                  {"MULTI", "a\nb"}};
  Env env = app_environment(image, app, pod, parent);
  EXPECT_EQ(value_of(env, "IMG"), "image");  // the parent never overrides the image
  EXPECT_EQ(value_of(env, "PARENT"), "parent");
  EXPECT_EQ(value_of(env, "FILE"), "file");
  EXPECT_EQ(value_of(env, "SET"), "set");
  EXPECT_EQ(value_of(env, "ALL"), "environment");
  EXPECT_EQ(value_of(env, "BASH_FUNC_f%%"), "<unset>");
  EXPECT_EQ(value_of(env, "MULTI"), "<unset>");
}

TEST(AppEnvironment, ParentOnlyWithInheritEnv) {
  PodRequest pod;
  Env env = app_environment({}, AppRequest{}, pod, {{"PARENT", "x"}});
  EXPECT_TRUE(env.empty());
}

TEST(FinalEnvironment, AddsAppcVariablesAndRktDefaults) {
  Env env = final_environment({{"HOME", "/home/app"}, {"AC_APP_NAME", "spoofed"}}, "web");
  EXPECT_EQ(value_of(env, "AC_APP_NAME"), "web");
  EXPECT_EQ(value_of(env, "AC_METADATA_URL"), "");
  EXPECT_EQ(value_of(env, "container"), "rkt");
  EXPECT_EQ(value_of(env, "PATH"), k_default_path);
  EXPECT_EQ(value_of(env, "SHELL"), "/bin/sh");
  EXPECT_EQ(value_of(env, "USER"), "root");
  EXPECT_EQ(value_of(env, "LOGNAME"), "root");
  EXPECT_EQ(value_of(env, "HOME"), "/home/app");
}

TEST(FinalEnvironment, KeepsTheAppsPath) {
  Env env = final_environment({{"PATH", "/opt/bin"}}, "a", "http://mds/x");
  EXPECT_EQ(value_of(env, "PATH"), "/opt/bin");
  EXPECT_EQ(value_of(env, "AC_METADATA_URL"), "http://mds/x");
}

TEST(EnvFileFormat, OneAssignmentPerLine) {
  auto text = format_env_file({{"A", "1"}, {"B", ""}});
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "A=1\nB=\n");
  EXPECT_FALSE(format_env_file({{"A", "two\nlines"}}));
}

}  // namespace
}  // namespace rkt::pod
