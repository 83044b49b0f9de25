// Global options and the small commands: errors, --help, version, config, profiles, completion.

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "rkt_ctx.hpp"

namespace rkt::functional {
namespace {

class CliTest : public RktTest {};

TEST_F(CliTest, BogusInsecureOptionIsOneLineError) {
  ProcResult r = ctx.run({"--insecure-options=bogus", "image", "list"});
  ASSERT_TRUE(IsRktError(r));
  EXPECT_EQ(lines(r.err).size(), 1u) << dump(r);
  EXPECT_TRUE(contains(r.err, "bogus")) << dump(r);
}

TEST_F(CliTest, KnownInsecureOptionsAreAccepted) {
  for (const char* value : {"none", "image", "tls", "http", "pubkey", "ondisk", "capabilities",
                            "paths", "seccomp", "all-fetch", "all-run", "all", "image,tls"}) {
    EXPECT_TRUE(Succeeded(ctx.run({std::string("--insecure-options=") + value, "image", "list"})))
        << value;
  }
}

TEST_F(CliTest, DebugFlagIsAccepted) {
  EXPECT_TRUE(Succeeded(ctx.run({"--debug", "image", "list"})));
}

TEST_F(CliTest, UnknownCommandFails) {
  ProcResult r = ctx.run({"no-such-command"});
  EXPECT_NE(r.exit_code, 0) << dump(r);
}

TEST_F(CliTest, HelpForEveryCommand) {
  const std::vector<std::vector<std::string>> commands = {
      {},
      {"fetch"},
      {"trust"},
      {"image"},
      {"image", "list"},
      {"image", "cat-manifest"},
      {"image", "export"},
      {"image", "extract"},
      {"image", "render"},
      {"image", "rm"},
      {"image", "gc"},
      {"image", "verify"},
      {"version"},
      {"config"},
      {"completion"},
  };
  for (auto args : commands) {
    std::string name = args.empty() ? "rkt" : args.back();
    args.push_back("--help");
    ProcResult r = ctx.run(args);
    EXPECT_EQ(r.exit_code, 0) << describe(args) << "\n" << dump(r);
    EXPECT_TRUE(contains(r.out, name)) << describe(args) << "\n" << dump(r);
  }
}

TEST_F(CliTest, TopLevelHelpListsCommands) {
  ProcResult r = ctx.run({"--help"});
  ASSERT_TRUE(Succeeded(r));
  for (const char* command : {"fetch", "trust", "image", "version", "config"}) {
    EXPECT_TRUE(contains(r.out, command)) << command << "\n" << dump(r);
  }
}

TEST_F(CliTest, Version) {
  ProcResult r = ctx.run({"version"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_TRUE(std::regex_search(r.out, std::regex("(^|\n)rkt Version: \\S+"))) << dump(r);
  EXPECT_TRUE(std::regex_search(r.out, std::regex("(^|\n)appc Version: \\S+"))) << dump(r);
}

TEST_F(CliTest, ConfigPrintsJsonWithStage0) {
  ProcResult r = ctx.run({"config"});
  ASSERT_TRUE(Succeeded(r));
  nlohmann::json config = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(config.is_object()) << dump(r);
  EXPECT_TRUE(config.contains("stage0")) << dump(r);
}

TEST_F(CliTest, CpuProfileIsReadableByPprof) {
  // Some real work so the profiler takes samples: fetch a few megabytes.
  AciBuilder builder(ctx.scratch_path("stage"));
  builder.manifest(image_manifest("example.com/profiled")).random_file("data", 24 << 20, 11);
  BuiltAci image = builder.build(ctx.scratch_path("profiled.aci"));
  fs::path profile = ctx.scratch() / "cpu.prof";

  ASSERT_TRUE(Succeeded(ctx.run({"--cpuprofile=" + profile.string(), "--insecure-options=image",
                                 "fetch", image.path.string()})));
  ASSERT_TRUE(fs::exists(profile));
  EXPECT_GT(fs::file_size(profile), 0u);
  ProcResult pprof =
      run_process({"google-pprof", "--text", rkt_binary().string(), profile.string()});
  EXPECT_TRUE(Succeeded(pprof));
}

TEST_F(CliTest, MemProfileIsWritten) {
  fs::path profile = ctx.scratch() / "mem.prof";
  ASSERT_TRUE(Succeeded(ctx.run({"--memprofile=" + profile.string(), "image", "list"})));
  ASSERT_TRUE(fs::exists(profile));
  EXPECT_GT(fs::file_size(profile), 0u);
}

TEST_F(CliTest, BashCompletion) {
  ProcResult r = ctx.run({"completion", "bash"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_TRUE(contains(r.out, "complete")) << dump(r);
  EXPECT_TRUE(contains(r.out, "rkt")) << dump(r);
  // It must be valid bash.
  fs::path script = ctx.scratch() / "rkt-completion.bash";
  std::ofstream(script) << r.out;
  EXPECT_TRUE(Succeeded(run_process({"bash", "-n", script.string()})));
}

TEST_F(CliTest, EmptyStoreListsNothing) {
  ProcResult r = ctx.run({"image", "list", "--no-legend"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_TRUE(lines(r.out).empty()) << dump(r);
}

TEST_F(CliTest, DirFlagSelectsTheStore) {
  AciBuilder builder(ctx.scratch_path("stage"));
  builder.manifest(image_manifest("example.com/where")).file("hello", "hi\n");
  BuiltAci image = builder.build(ctx.scratch_path("where.aci"));
  ctx.fetch_insecure(image.path);
  EXPECT_TRUE(fs::is_directory(ctx.data_dir() / "cas" / "blob"));
  EXPECT_TRUE(fs::is_regular_file(ctx.blob_path(image)));
}

}  // namespace
}  // namespace rkt::functional
