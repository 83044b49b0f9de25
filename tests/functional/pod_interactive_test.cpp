// `rkt run --interactive` on a real terminal: the test plays a user typing into a pseudo-terminal.

#include <gmock/gmock.h>

#include "rkt_ctx.hpp"

namespace rkt::functional {
namespace {

using ::testing::HasSubstr;

class PodInteractive : public PodTest {};

TEST_F(PodInteractive, ShellOnARealTerminal) {
  std::vector<std::string> argv = ctx.command({"--insecure-options=image", "run", "--interactive",
                                               inspect_aci().path.string(), "--exec=/bin/sh"});
  // busybox sh prompts "# " as root once it sees a terminal; then the user types.
  ProcResult r = run_in_pty(argv, {{"# ", "echo hi; exit 7\n"}}, std::chrono::seconds(30));
  EXPECT_FALSE(r.timed_out) << "no prompt came:\n" << r.out;
  EXPECT_EQ(r.exit_code, 7) << r.out;
  EXPECT_THAT(r.out, HasSubstr("\r\nhi\r\n")) << "the command's output on the terminal";
}

TEST_F(PodInteractive, TheAppHasTheTerminal) {
  std::vector<std::string> argv =
      ctx.command({"--insecure-options=image", "run", "--interactive", inspect_aci().path.string(),
                   "--", "--check-tty", "--exit-code=3"});
  ProcResult r = run_in_pty(argv, {}, std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_EQ(value_of(r.out, "STDIN_TTY"), "true") << r.out;
  EXPECT_EQ(value_of(r.out, "STDOUT_TTY"), "true") << r.out;
}

TEST_F(PodInteractive, WithoutInteractiveStdinIsNotATerminal) {
  std::vector<std::string> argv = ctx.command(
      {"--insecure-options=image", "run", inspect_aci().path.string(), "--", "--check-tty"});
  ProcResult r = run_in_pty(argv, {}, std::chrono::seconds(30));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(value_of(r.out, "STDIN_TTY"), "false") << r.out;
}

}  // namespace
}  // namespace rkt::functional
