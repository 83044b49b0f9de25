// rkt fetch from local files: formats, signature verification, hostile archives, concurrency and
// crash safety of the store.

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <thread>

#include "rkt_ctx.hpp"

namespace rkt::functional {
namespace {

using namespace std::chrono_literals;

/// A small image named `name` with one text file, compressed as asked.
BuiltAci small_image(RktCtx& ctx, const std::string& name,
                     Compression compression = Compression::gzip) {
  AciBuilder builder(ctx.scratch_path("stage"));
  builder.manifest(image_manifest(name, {{"version", "1.0"}}))
      .file("etc/hello", "hello from " + name + "\n")
      .symlink("etc/hello-link", "hello")
      .dir("var/empty");
  return builder.build(ctx.scratch_path("image.aci"), compression);
}

/// Checks rkt's verified-fetch output: "signature verified:" then the signer's identity on the
/// next line, and the image ID as the last line of stdout.
void expect_verified_fetch(const ProcResult& r, const std::string& expected_id, const GpgKey& key) {
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(last_line(r.out), expected_id) << dump(r);
  bool found = false;
  for (const std::string* stream : {&r.out, &r.err}) {
    auto all = lines(*stream);
    for (size_t i = 0; i + 1 < all.size(); ++i) {
      if (contains(all[i], "signature verified:")) {
        found = true;
        EXPECT_TRUE(contains(all[i + 1], key.user_id())) << dump(r);
      }
    }
  }
  EXPECT_TRUE(found) << "no \"signature verified:\" line followed by the identity\n" << dump(r);
}

/// rkt must not leave an OpenPGP agent running (gpgme may start one in its temporary homes).
/// Agents are re-parented to the test binary (a subreaper) once rkt exits.
void expect_no_stray_gpg_agent() {
  std::vector<std::string> stray;
  for (int i = 0; i < 100; ++i) {
    stray.clear();
    for (const auto& cmdline : live_children("gpg-agent")) {
      if (!contains(cmdline, k_gpg_home_prefix)) stray.push_back(cmdline);
    }
    if (stray.empty()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (const auto& cmdline : stray) ADD_FAILURE() << "gpg-agent left running: " << cmdline;
}

void expect_store_empty(const RktCtx& ctx) {
  EXPECT_TRUE(ctx.listed_ids().empty());
  EXPECT_TRUE(ctx.blob_files().empty()) << "a blob was left in cas/blob";
  for (const auto& tree : ctx.tree_dirs()) ADD_FAILURE() << "tree left behind: " << tree;
}

class FetchTest : public RktTest {};

// --- formats
// --------------------------------------------------------------------------------------

class FetchCompressionTest : public RktTest, public ::testing::WithParamInterface<Compression> {};

TEST_P(FetchCompressionTest, SignedImageIsVerifiedAndStored) {
  GpgKey key;
  BuiltAci image = small_image(ctx, "example.com/compressed", GetParam());
  key.sign(image.path);
  ctx.trust_prefix("example.com/compressed", key);

  ProcResult r = ctx.run({"fetch", image.path.string()});
  expect_verified_fetch(r, image.fetch_id(), key);

  // The blob is the uncompressed tar, stored under its own hash.
  fs::path blob = ctx.blob_path(image);
  ASSERT_TRUE(fs::is_regular_file(blob)) << blob;
  EXPECT_EQ(sha512_id_of_file(blob), image.id);
  EXPECT_EQ(ctx.listed_ids(), std::vector<std::string>{image.key()});
  EXPECT_TRUE(fs::is_regular_file(ctx.data_dir() / "cas" / "db" / "index.sqlite3"));
  expect_no_stray_gpg_agent();
}

INSTANTIATE_TEST_SUITE_P(Formats, FetchCompressionTest,
                         ::testing::Values(Compression::none, Compression::gzip, Compression::bzip2,
                                           Compression::xz, Compression::zstd),
                         [](const auto& info) {
                           return std::string(compression_name(info.param));
                         });

// --- output
// ---------------------------------------------------------------------------------------

TEST_F(FetchTest, FullPrintsTheStoreKey) {
  BuiltAci image = small_image(ctx, "example.com/full");
  ProcResult r = ctx.run({"--insecure-options=image", "fetch", "--full", image.path.string()});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(last_line(r.out), image.key());
}

TEST_F(FetchTest, IdIsSha512PrefixOfUncompressedTar) {
  BuiltAci image = small_image(ctx, "example.com/idform");
  std::string id = ctx.fetch_insecure(image.path);
  ASSERT_EQ(id.size(), 7u + 32u) << id;
  EXPECT_EQ(id.substr(0, 7), "sha512-");
  EXPECT_TRUE(is_lower_hex(id.substr(7)));
  EXPECT_EQ(id, image.fetch_id());
}

TEST_F(FetchTest, FetchingTwiceKeepsOneImage) {
  BuiltAci image = small_image(ctx, "example.com/twice");
  EXPECT_EQ(ctx.fetch_insecure(image.path), image.fetch_id());
  EXPECT_EQ(ctx.fetch_insecure(image.path), image.fetch_id());
  EXPECT_EQ(ctx.listed_ids(), std::vector<std::string>{image.key()});
  EXPECT_EQ(ctx.blob_files().size(), 1u);
}

TEST_F(FetchTest, MissingFileIsAnError) {
  ProcResult r =
      ctx.run({"--insecure-options=image", "fetch", (ctx.scratch() / "nope.aci").string()});
  EXPECT_TRUE(IsRktError(r));
}

// --- signatures
// -----------------------------------------------------------------------------------

TEST_F(FetchTest, SignatureFlagNamesTheSignatureFile) {
  GpgKey key;
  BuiltAci image = small_image(ctx, "example.com/sigflag");
  fs::path signature = key.sign(image.path, ctx.scratch() / "elsewhere.sig");
  ctx.trust_prefix("example.com/sigflag", key);

  ProcResult r = ctx.run({"fetch", "--signature=" + signature.string(), image.path.string()});
  expect_verified_fetch(r, image.fetch_id(), key);
}

TEST_F(FetchTest, KeyForParentPrefixTrustsImage) {
  GpgKey key;
  BuiltAci image = small_image(ctx, "example.com/team/app");
  key.sign(image.path);
  ctx.trust_prefix("example.com", key);
  expect_verified_fetch(ctx.run({"fetch", image.path.string()}), image.fetch_id(), key);
}

TEST_F(FetchTest, RootKeyTrustsEveryImage) {
  GpgKey key;
  BuiltAci image = small_image(ctx, "other.example.org/app");
  key.sign(image.path);
  ASSERT_TRUE(Succeeded(
      ctx.run({"trust", "--root", "--skip-fingerprint-review", key.public_key().string()})));
  expect_verified_fetch(ctx.run({"fetch", image.path.string()}), image.fetch_id(), key);
}

TEST_F(FetchTest, RsaKeyWorks) {
  GpgKey key("rkt rsa test <rsa@example.com>", KeyAlgorithm::rsa2048);
  BuiltAci image = small_image(ctx, "example.com/rsa");
  key.sign(image.path);
  ctx.trust_prefix("example.com/rsa", key);
  expect_verified_fetch(ctx.run({"fetch", image.path.string()}), image.fetch_id(), key);
}

TEST_F(FetchTest, UntrustedKeyIsRefusedWithTrustHint) {
  GpgKey key;
  BuiltAci image = small_image(ctx, "example.com/untrusted");
  key.sign(image.path);

  ProcResult r = ctx.run({"fetch", image.path.string()});
  ASSERT_TRUE(IsRktError(r));
  EXPECT_TRUE(contains(r.err, "example.com/untrusted")) << dump(r);
  EXPECT_TRUE(contains(r.err, "rkt trust --prefix")) << dump(r);
  expect_store_empty(ctx);
}

TEST_F(FetchTest, KeyForAnotherPrefixIsRefused) {
  GpgKey key;
  BuiltAci image = small_image(ctx, "example.com/mine");
  key.sign(image.path);
  ctx.trust_prefix("example.org/theirs", key);
  EXPECT_TRUE(IsRktError(ctx.run({"fetch", image.path.string()})));
  expect_store_empty(ctx);
}

TEST_F(FetchTest, SignatureByAnotherKeyIsRefused) {
  GpgKey trusted;
  GpgKey other("rkt other key <other@example.com>");
  BuiltAci image = small_image(ctx, "example.com/wrongkey");
  other.sign(image.path);
  ctx.trust_prefix("example.com/wrongkey", trusted);
  EXPECT_TRUE(IsRktError(ctx.run({"fetch", image.path.string()})));
  expect_store_empty(ctx);
}

TEST_F(FetchTest, BadSignatureStoresNothing) {
  GpgKey key;
  BuiltAci image = small_image(ctx, "example.com/badsig");
  BuiltAci decoy = small_image(ctx, "example.com/decoy");
  // A valid signature, but of another file.
  key.sign(decoy.path, image.path.string() + ".asc");
  ctx.trust_prefix("example.com/badsig", key);

  ProcResult r = ctx.run({"fetch", image.path.string()});
  EXPECT_TRUE(IsRktError(r));
  EXPECT_FALSE(contains(r.out, image.fetch_id())) << dump(r);
  expect_store_empty(ctx);
}

TEST_F(FetchTest, GarbageSignatureStoresNothing) {
  GpgKey key;
  BuiltAci image = small_image(ctx, "example.com/garbage");
  std::ofstream(image.path.string() + ".asc") << "-----BEGIN PGP SIGNATURE-----\n\nAAAA\n";
  ctx.trust_prefix("example.com/garbage", key);
  EXPECT_TRUE(IsRktError(ctx.run({"fetch", image.path.string()})));
  expect_store_empty(ctx);
}

TEST_F(FetchTest, MissingSignatureIsRefused) {
  GpgKey key;
  BuiltAci image = small_image(ctx, "example.com/nosig");
  ctx.trust_prefix("example.com/nosig", key);
  EXPECT_TRUE(IsRktError(ctx.run({"fetch", image.path.string()})));
  expect_store_empty(ctx);
}

TEST_F(FetchTest, InsecureImageSkipsVerification) {
  BuiltAci image = small_image(ctx, "example.com/unsigned");
  ProcResult r = ctx.run({"--insecure-options=image", "fetch", image.path.string()});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(last_line(r.out), image.fetch_id());
  EXPECT_FALSE(contains(r.all(), "signature verified")) << dump(r);
  EXPECT_EQ(ctx.listed_ids(), std::vector<std::string>{image.key()});
}

TEST_F(FetchTest, InsecureAllFetchSkipsVerification) {
  BuiltAci image = small_image(ctx, "example.com/unsigned-all");
  ProcResult r = ctx.run({"--insecure-options=all-fetch", "fetch", image.path.string()});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(last_line(r.out), image.fetch_id());
}

// --- hostile and broken archives
// ------------------------------------------------------------------

/// `../` repeated enough to climb from any extraction directory to `/`.
std::string climb_to_root() {
  std::string up;
  for (int i = 0; i < 40; ++i) up += "../";
  return up;
}

struct UnsafeCase {
  const char* name;
  /// Builds the image; `outside` is an existing directory outside the store where an escape
  /// would land. Files an escape would create or modify there are checked afterwards.
  std::function<BuiltAci(RktCtx&, const fs::path& outside)> build;
};

BuiltAci hostile(RktCtx& ctx, const std::function<void(AciBuilder&)>& shape,
                 Compression compression = Compression::gzip) {
  AciBuilder builder(ctx.scratch_path("stage"));
  builder.manifest(image_manifest("example.com/hostile")).file("etc/hello", "hello\n");
  shape(builder);
  return builder.build(ctx.scratch_path("hostile.aci"), compression);
}

const UnsafeCase k_unsafe_cases[] = {
    {"DotDotEntry",
     [](RktCtx& ctx, const fs::path& outside) {
       return hostile(ctx, [&](AciBuilder& b) {
         b.file("payload", "escaped\n");
         b.rename_member("rootfs/payload", "rootfs/" + climb_to_root() +
                                               outside.relative_path().string() + "/dotdot");
       });
     }},
    {"AbsolutePathEntry",
     [](RktCtx& ctx, const fs::path& outside) {
       return hostile(ctx, [&](AciBuilder& b) {
         b.file("payload", "escaped\n");
         b.rename_member("rootfs/payload", (outside / "absolute").string());
       });
     }},
    {"SymlinkOutOfRootfs",
     [](RktCtx& ctx, const fs::path& outside) {
       return hostile(ctx, [&](AciBuilder& b) {
         // A symlink leaving the rootfs, then an entry written through it.
         b.symlink("escape", climb_to_root() + outside.relative_path().string());
         b.file("zz-payload", "escaped\n");
         b.rename_member("rootfs/zz-payload", "rootfs/escape/through-symlink");
       });
     }},
    {"HardLinkOutRelative",
     [](RktCtx& ctx, const fs::path& outside) {
       return hostile(ctx, [&](AciBuilder& b) {
         b.file("a-target", "inside\n").hardlink("z-link", "a-target");
         b.rename_link_target("rootfs/a-target",
                              climb_to_root() + outside.relative_path().string() + "/victim");
       });
     }},
    {"HardLinkOutAbsolute",
     [](RktCtx& ctx, const fs::path& outside) {
       return hostile(ctx, [&](AciBuilder& b) {
         b.file("a-target", "inside\n").hardlink("z-link", "a-target");
         b.rename_link_target("rootfs/a-target", (outside / "victim").string());
       });
     }},
    {"ExtraTopLevelFile",
     [](RktCtx& ctx, const fs::path&) {
       return hostile(ctx, [](AciBuilder& b) { b.top_level_file("extra", "not allowed\n"); });
     }},
    {"DuplicateEntry",
     [](RktCtx& ctx, const fs::path&) {
       return hostile(ctx, [](AciBuilder& b) { b.duplicate("rootfs/etc/hello"); });
     }},
    {"MissingManifest",
     [](RktCtx& ctx, const fs::path&) {
       return hostile(ctx, [](AciBuilder& b) { b.no_manifest(); });
     }},
    {"InvalidManifestJson",
     [](RktCtx& ctx, const fs::path&) {
       return hostile(ctx, [](AciBuilder& b) { b.manifest("{\"acKind\": \"ImageManifest\", "); });
     }},
    {"InvalidImageName",
     [](RktCtx& ctx, const fs::path&) {
       return hostile(ctx,
                      [](AciBuilder& b) { b.manifest(image_manifest("Example.com/Bad_Name")); });
     }},
    {"TruncatedGzip",
     [](RktCtx& ctx, const fs::path&) {
       BuiltAci image = hostile(ctx, [](AciBuilder& b) { b.random_file("blob", 512 * 1024, 7); });
       fs::resize_file(image.path, fs::file_size(image.path) / 2);
       return image;
     }},
};

void PrintTo(const UnsafeCase& c, std::ostream* os) {
  *os << c.name;
}

class UnsafeArchiveTest : public RktTest, public ::testing::WithParamInterface<UnsafeCase> {};

TEST_P(UnsafeArchiveTest, RejectedAndNothingStored) {
  fs::path outside = ctx.scratch() / "outside";
  fs::create_directories(outside);
  std::ofstream(outside / "victim") << "host file\n";
  BuiltAci image = GetParam().build(ctx, outside);

  ProcResult r = ctx.run({"--insecure-options=image", "fetch", image.path.string()});
  EXPECT_TRUE(IsRktError(r));
  expect_store_empty(ctx);

  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(outside)) {
    left.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(left, std::vector<std::string>{"victim"}) << "an entry escaped the rootfs";
  EXPECT_EQ(fs::hard_link_count(outside / "victim"), 1u) << "a hard link to a host file was made";
  EXPECT_FALSE(fs::exists("/dotdot") || fs::exists("/absolute"));
}

INSTANTIATE_TEST_SUITE_P(Archives, UnsafeArchiveTest, ::testing::ValuesIn(k_unsafe_cases),
                         [](const auto& info) { return std::string(info.param.name); });

// --- concurrency and crashes
// ----------------------------------------------------------------------

TEST_F(FetchTest, ConcurrentFetchesAllSucceed) {
  auto image_with_data = [&](const std::string& name, std::uint64_t seed) {
    AciBuilder builder(ctx.scratch_path("stage"));
    builder.manifest(image_manifest(name)).random_file("data", 4 << 20, seed);
    for (int i = 0; i < 50; ++i) builder.file("small/f" + std::to_string(i), name);
    return builder.build(ctx.scratch_path("image.aci"));
  };
  BuiltAci a = image_with_data("example.com/concurrent-a", 1);
  BuiltAci b = image_with_data("example.com/concurrent-b", 2);

  std::vector<Child> children;
  std::vector<const BuiltAci*> expected;
  for (int i = 0; i < 4; ++i) {
    for (const BuiltAci* image : {&a, &b}) {
      children.push_back(ctx.spawn({"--insecure-options=image", "fetch", image->path.string()}));
      expected.push_back(image);
    }
  }
  for (size_t i = 0; i < children.size(); ++i) {
    ProcResult r = children[i].wait();
    EXPECT_TRUE(Succeeded(r)) << "fetch #" << i;
    EXPECT_EQ(last_line(r.out), expected[i]->fetch_id()) << dump(r);
  }
  std::vector<std::string> want = {a.key(), b.key()};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(ctx.listed_ids(), want);
  EXPECT_EQ(ctx.blob_files().size(), 2u);
}

/// Every blob has an index row and every row its blob.
void expect_store_consistent(const RktCtx& ctx) {
  ProcResult list = ctx.run({"image", "list"});
  ASSERT_TRUE(Succeeded(list));
  std::vector<std::string> ids = ctx.listed_ids();
  for (const auto& blob : ctx.blob_files()) {
    EXPECT_TRUE(std::binary_search(ids.begin(), ids.end(), blob.filename().string()))
        << "blob without an index row: " << blob;
  }
  for (const auto& id : ids) {
    fs::path blob = ctx.data_dir() / "cas" / "blob" / "sha512" / id.substr(7, 2) / id;
    EXPECT_TRUE(fs::is_regular_file(blob)) << "index row without a blob: " << id;
  }
}

TEST_F(FetchTest, KilledFetchLeavesConsistentStore) {
  AciBuilder builder(ctx.scratch_path("stage"));
  builder.manifest(image_manifest("example.com/big")).random_file("big", 48 << 20, 3);
  for (int i = 0; i < 400; ++i) {
    builder.file("many/d" + std::to_string(i % 20) + "/f" + std::to_string(i), "x");
  }
  BuiltAci image = builder.build(ctx.scratch_path("big.aci"));
  std::vector<std::string> fetch = {"--insecure-options=image", "fetch", image.path.string()};

  // Time an undisturbed fetch in another store, to spread the kills over a whole fetch.
  auto duration = [&] {
    RktCtx timing;
    auto start = std::chrono::steady_clock::now();
    ProcResult r = timing.run(fetch);
    EXPECT_TRUE(Succeeded(r));
    return std::chrono::steady_clock::now() - start;
  }();

  for (int attempt = 0; attempt < 10; ++attempt) {
    auto delay = duration * (attempt + 0.5) / 10;
    Child child = ctx.spawn(fetch);
    std::this_thread::sleep_for(delay);
    child.kill(SIGKILL);
    ProcResult r = child.wait();
    SCOPED_TRACE(
        "kill after " +
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(delay).count()) +
        " ms, exit " + std::to_string(r.exit_code));
    expect_store_consistent(ctx);
    if (HasFailure()) return;
  }
  // The store still works: a full fetch completes and the image is there once.
  EXPECT_EQ(ctx.fetch_insecure(image.path), image.fetch_id());
  EXPECT_EQ(ctx.listed_ids(), std::vector<std::string>{image.key()});
  EXPECT_EQ(ctx.blob_files().size(), 1u);
}

}  // namespace
}  // namespace rkt::functional
