#include "cli/app_args.hpp"

#include <gtest/gtest.h>

using rkt::cli::AppFlag;
using rkt::cli::split_app_arguments;

namespace {

struct Fixture {
  CLI::App root{"rkt"};
  std::string dir;
  std::vector<std::string> volumes;
  std::string net;
  bool interactive = false;
  Fixture() {
    root.add_option("--dir", dir);
    CLI::App* run = root.add_subcommand("run");
    run->add_option("--volume", volumes);
    run->add_option("--net", net)->expected(0, 1);
    run->add_flag("--interactive", interactive);
    root.add_subcommand("list");
  }
  rkt::Result<rkt::cli::SplitArguments> split(std::vector<std::string> args) {
    args.insert(args.begin(), "rkt");
    return split_app_arguments(root, args, {"run", "prepare"});
  }
};

}  // namespace

TEST(AppArgs, AttachesFlagsAndArgsToThePrecedingImage) {
  Fixture f;
  auto split = f.split({"--dir", "/d", "run", "--interactive", "img1", "--exec", "/bin/sh",
                        "--name=a", "--", "-c", "echo hi", "---", "img2", "--volume", "v,kind=empty",
                        "--readonly-rootfs", "--user", "0"});
  ASSERT_TRUE(split) << split.error().message;
  EXPECT_EQ(split->cli_args, (std::vector<std::string>{"rkt", "--dir", "/d", "run", "--interactive",
                                                       "--volume", "v,kind=empty"}));
  ASSERT_EQ(split->apps.size(), 2u);
  EXPECT_EQ(split->apps[0].image, "img1");
  EXPECT_EQ(split->apps[0].flags, (std::vector<AppFlag>{{"exec", "/bin/sh"}, {"name", "a"}}));
  EXPECT_TRUE(split->apps[0].args_given);
  EXPECT_EQ(split->apps[0].args, (std::vector<std::string>{"-c", "echo hi"}));
  EXPECT_EQ(split->apps[1].image, "img2");
  EXPECT_EQ(split->apps[1].flags,
            (std::vector<AppFlag>{{"readonly-rootfs", "true"}, {"user", "0"}}));
  EXPECT_FALSE(split->apps[1].args_given);
}

TEST(AppArgs, OptionalValueOptionsDoNotEatTheImage) {
  Fixture f;
  auto split = f.split({"run", "--net", "img"});
  ASSERT_TRUE(split);
  ASSERT_EQ(split->apps.size(), 1u);
  EXPECT_EQ(split->apps[0].image, "img");
}

TEST(AppArgs, AppFlagBeforeAnyImageIsAnError) {
  Fixture f;
  auto split = f.split({"run", "--exec=/bin/true", "img"});
  ASSERT_FALSE(split);
  EXPECT_EQ(split.error().message, "--exec must follow an image");
}

TEST(AppArgs, MountBeforeImagesAppliesToAll) {
  Fixture f;
  auto split = f.split({"run", "--mount", "volume=v,target=/v", "img"});
  ASSERT_TRUE(split);
  EXPECT_EQ(split->before_images, (std::vector<AppFlag>{{"mount", "volume=v,target=/v"}}));
}

TEST(AppArgs, OtherVerbsPassThrough) {
  Fixture f;
  auto split = f.split({"list", "--exec", "x"});
  ASSERT_TRUE(split);
  EXPECT_FALSE(split->has_apps);
  EXPECT_EQ(split->cli_args, (std::vector<std::string>{"rkt", "list", "--exec", "x"}));
}

TEST(AppArgs, ArgsWithoutImageAreAnError) {
  Fixture f;
  EXPECT_FALSE(f.split({"run", "--", "x"}));
}
