// The rendered-tree check as a user sees it: a file changed in cas/tree is found when a pod is
// prepared; rkt warns "tree cache is in a bad state ... Rebuilding..." and renders the tree
// again (rkt's behaviour), so the pod runs the image, not the change. With
// --insecure-options=ondisk the tree is trusted as it is.

#include <gmock/gmock.h>

#include <fstream>

#include "rkt_ctx.hpp"

namespace rkt::functional {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class PodOndisk : public PodTest {
 protected:
  /// Prepares a pod of the inspect image (rendering its tree) and adds a file to the rendered
  /// rootfs.
  void render_and_tamper() {
    ProcResult prepared =
        ctx.run({"--insecure-options=image", "prepare", inspect_aci().path.string()});
    ASSERT_TRUE(Succeeded(prepared)) << dump(prepared);
    bool tampered = false;
    for (const fs::path& tree : ctx.tree_dirs()) {
      if (!fs::exists(tree / "rootfs" / "inspect")) continue;  // the stage1's tree
      std::ofstream(tree / "rootfs" / "tampered") << "changed behind rkt's back";
      tampered = true;
    }
    ASSERT_TRUE(tampered) << "prepare rendered the image's tree";
  }
  ProcResult run_with(const std::string& insecure, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"--insecure-options=" + insecure, "run"};
    argv.insert(argv.end(), args.begin(), args.end());
    return ctx.run(argv);
  }
};

TEST_F(PodOndisk, AChangedTreeIsFoundAndRenderedAgain) {
  render_and_tamper();
  ProcResult r = run_with("image", {inspect_aci().path.string(), "--", "--list-dir=/"});
  ASSERT_TRUE(Succeeded(r)) << dump(r);
  EXPECT_THAT(r.err, HasSubstr("tree cache is in a bad state"));
  EXPECT_THAT(r.err, HasSubstr("does not match its recorded hash"));
  EXPECT_THAT(r.err, HasSubstr("`tampered`")) << "the message names the changed path";
  EXPECT_THAT(r.err, HasSubstr("Rebuilding"));
  EXPECT_THAT(value_of(r.out, "LIST_DIR").value_or(""), Not(HasSubstr("tampered")))
      << "the pod runs the image as rendered again";
  ProcResult again = run_with("image", {inspect_aci().path.string(), "--", "--list-dir=/"});
  ASSERT_TRUE(Succeeded(again)) << dump(again);
  EXPECT_THAT(again.err, Not(HasSubstr("bad state"))) << "the rebuilt tree passes the check";
}

TEST_F(PodOndisk, PrepareChecksTooAndOndiskSkipsTheCheck) {
  render_and_tamper();
  ProcResult trusted =
      run_with("image,ondisk", {inspect_aci().path.string(), "--", "--read-file=/tampered"});
  ASSERT_TRUE(Succeeded(trusted)) << dump(trusted);
  EXPECT_THAT(trusted.err, Not(HasSubstr("bad state")));
  EXPECT_EQ(value_of(trusted.out, "READ_FILE"), "changed behind rkt's back")
      << "--insecure-options=ondisk: the tree is used as it is on disk";

  ProcResult prepared =
      ctx.run({"--insecure-options=image", "prepare", inspect_aci().path.string()});
  ASSERT_TRUE(Succeeded(prepared)) << dump(prepared);
  EXPECT_THAT(prepared.err, HasSubstr("tree cache is in a bad state"));
}

}  // namespace
}  // namespace rkt::functional
