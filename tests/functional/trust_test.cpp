// rkt trust: where keys go, what is refused, and the sample image's trust + fetch walk-through.

#include <fstream>

#include "rkt_ctx.hpp"

namespace rkt::functional {
namespace {

class TrustTest : public RktTest {
 protected:
  fs::path prefix_dir(std::string_view prefix) const {
    return ctx.local_config() / "trustedkeys" / "prefix.d" / prefix;
  }
  fs::path root_dir() const { return ctx.local_config() / "trustedkeys" / "root.d"; }

  /// No key file anywhere under <local-config>/trustedkeys.
  void expect_no_keys() const {
    fs::path keys = ctx.local_config() / "trustedkeys";
    if (!fs::exists(keys)) return;
    for (const auto& entry : fs::recursive_directory_iterator(keys)) {
      EXPECT_FALSE(entry.is_regular_file()) << "unexpected key file " << entry.path();
    }
  }
};

TEST_F(TrustTest, PrefixKeyIsStoredUnderItsFingerprint) {
  GpgKey key;
  ProcResult r = ctx.run({"trust", "--prefix=example.com/app", "--skip-fingerprint-review",
                          key.public_key().string()});
  ASSERT_TRUE(Succeeded(r));

  fs::path stored = prefix_dir("example.com/app") / key.fingerprint();
  ASSERT_TRUE(fs::is_regular_file(stored)) << dump(r);
  std::ifstream in(stored);
  std::string first;
  std::getline(in, first);
  EXPECT_EQ(first, "-----BEGIN PGP PUBLIC KEY BLOCK-----");
  EXPECT_TRUE(contains(r.all(), "Added key for prefix \"example.com/app\" at \"" + stored.string()))
      << dump(r);
  // Worded as the seed (003) shows rkt printing it during a fetch.
  EXPECT_TRUE(contains(r.all(), "gpg key fingerprint is:")) << dump(r);
  EXPECT_TRUE(contains(r.all(), key.user_id())) << dump(r);
}

TEST_F(TrustTest, RootKeyGoesToRootD) {
  GpgKey key;
  ProcResult r =
      ctx.run({"trust", "--root", "--skip-fingerprint-review", key.public_key().string()});
  ASSERT_TRUE(Succeeded(r));
  fs::path stored = root_dir() / key.fingerprint();
  EXPECT_TRUE(fs::is_regular_file(stored)) << dump(r);
  EXPECT_TRUE(contains(r.all(), "Added root key at \"" + stored.string())) << dump(r);
}

TEST_F(TrustTest, TrustingTwiceIsHarmless) {
  GpgKey key;
  ctx.trust_prefix("example.com/again", key);
  ctx.trust_prefix("example.com/again", key);
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(prefix_dir("example.com/again"))) {
    files += entry.is_regular_file();
  }
  EXPECT_EQ(files, 1u);
}

TEST_F(TrustTest, NoPrefixAndNoRootIsRefused) {
  GpgKey key;
  ProcResult r = ctx.run({"trust", "--skip-fingerprint-review", key.public_key().string()});
  ASSERT_TRUE(IsRktError(r));
  EXPECT_TRUE(contains(r.err, "--root")) << dump(r);
  expect_no_keys();
}

TEST_F(TrustTest, PrefixAndRootTogetherAreRefused) {
  GpgKey key;
  EXPECT_TRUE(IsRktError(ctx.run({"trust", "--root", "--prefix=example.com",
                                  "--skip-fingerprint-review", key.public_key().string()})));
  expect_no_keys();
}

TEST_F(TrustTest, PrefixWithUrlSchemeIsRefused) {
  GpgKey key;
  EXPECT_TRUE(IsRktError(ctx.run({"trust", "--prefix=https://example.com/app",
                                  "--skip-fingerprint-review", key.public_key().string()})));
  expect_no_keys();
}

TEST_F(TrustTest, FingerprintReviewWithoutTtyFails) {
  GpgKey key;
  // stdin is /dev/null and the child has no controlling terminal: nobody can answer.
  ProcResult r = ctx.run({"trust", "--prefix=example.com/app", key.public_key().string()});
  EXPECT_TRUE(IsRktError(r));
  expect_no_keys();
}

TEST_F(TrustTest, NotAKeyIsRefused) {
  fs::path bogus = ctx.scratch() / "bogus.asc";
  std::ofstream(bogus) << "this is not an OpenPGP key\n";
  EXPECT_TRUE(IsRktError(
      ctx.run({"trust", "--prefix=example.com/app", "--skip-fingerprint-review", bogus.string()})));
  expect_no_keys();
}

TEST_F(TrustTest, MissingKeyFileIsRefused) {
  EXPECT_TRUE(IsRktError(ctx.run({"trust", "--prefix=example.com/app", "--skip-fingerprint-review",
                                  (ctx.scratch() / "absent.asc").string()})));
  expect_no_keys();
}

TEST_F(TrustTest, KeysUnderSystemConfigAreTrustedToo) {
  GpgKey key;
  AciBuilder builder(ctx.scratch_path("stage"));
  builder.manifest(image_manifest("example.com/system")).file("hello", "hi\n");
  BuiltAci image = builder.build(ctx.scratch_path("image.aci"));
  key.sign(image.path);
  // Pre-populated on disk, the way distributions ship keys.
  fs::path dir = ctx.system_config() / "trustedkeys" / "prefix.d" / "example.com" / "system";
  fs::create_directories(dir);
  fs::copy_file(key.public_key(), dir / key.fingerprint());

  ProcResult r = ctx.run({"fetch", image.path.string()});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(last_line(r.out), image.fetch_id());
}

// The README's walk-through, with the image scripts/make-sample-image.sh builds.
TEST_F(TrustTest, SampleImageTrustFetchList) {
  fs::path sample = ctx.scratch() / "sample";
  run_checked({(source_dir() / "scripts" / "make-sample-image.sh").string(), sample.string()});

  ASSERT_TRUE(
      Succeeded(ctx.run({"trust", "--prefix=example.com/busybox", "--skip-fingerprint-review",
                         (sample / "sample-key.asc").string()})));
  ProcResult fetch = ctx.run({"fetch", (sample / "busybox.aci").string()});
  ASSERT_TRUE(Succeeded(fetch));
  EXPECT_TRUE(contains(fetch.all(), "signature verified:")) << dump(fetch);
  EXPECT_TRUE(contains(fetch.all(), "rkt sample <sample@example.com>")) << dump(fetch);
  std::string id = last_line(fetch.out);
  EXPECT_EQ(id.size(), 7u + 32u) << dump(fetch);

  ProcResult list = ctx.run({"image", "list"});
  ASSERT_TRUE(Succeeded(list));
  EXPECT_TRUE(contains(list.out, "example.com/busybox:")) << dump(list);
  EXPECT_TRUE(contains(list.out, id.substr(0, 7 + 12))) << dump(list);
}

}  // namespace
}  // namespace rkt::functional
