// rkt image list / cat-manifest / export / extract / render / rm / gc / verify.

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "rkt_ctx.hpp"

namespace rkt::functional {
namespace {

/// Splits a table row on runs of two or more spaces or tabs (single spaces occur inside
/// cells such as "IMPORT TIME" or "2 minutes ago").
std::vector<std::string> cells(const std::string& row) {
  static const std::regex separator("\\s{2,}|\\t+");
  std::vector<std::string> result;
  for (std::sregex_token_iterator it(row.begin(), row.end(), separator, -1), end; it != end; ++it) {
    if (!it->str().empty()) result.push_back(it->str());
  }
  return result;
}

/// Two images in the store: alpha (version 1.0, with a symlink and an executable) and beta.
class ImageTest : public RktTest {
 protected:
  void SetUp() override {
    AciBuilder a(ctx.scratch_path("alpha"));
    a.manifest(image_manifest("example.com/alpha", {{"version", "1.0"}}))
        .file("etc/hello", "hello alpha\n")
        .file("bin/tool", "#!/bin/sh\necho tool\n", 0755)
        .symlink("etc/hello-link", "hello");
    alpha = a.build(ctx.scratch_path("alpha.aci"));
    AciBuilder b(ctx.scratch_path("beta"));
    b.manifest(image_manifest("example.com/beta")).file("etc/hello", "hello beta\n");
    beta = b.build(ctx.scratch_path("beta.aci"), Compression::none);
    ASSERT_EQ(ctx.fetch_insecure(alpha.path), alpha.fetch_id());
    ASSERT_EQ(ctx.fetch_insecure(beta.path), beta.fetch_id());
  }

  /// The rootfs file of `image` somewhere under cas/tree (after a render).
  fs::path tree_file(const std::string& relative) const {
    for (const auto& tree : ctx.tree_dirs()) {
      fs::path candidate = tree / "rootfs" / relative;
      if (fs::is_regular_file(candidate)) return candidate;
    }
    return {};
  }

  BuiltAci alpha;
  BuiltAci beta;
};

// `rkt fetch` stores images; their trees are rendered by the first pod (or `image render`), as
// in rkt.
TEST_F(ImageTest, FetchRendersNoTree) {
  EXPECT_TRUE(ctx.tree_dirs().empty());
}

// --- list
// -----------------------------------------------------------------------------------------

TEST_F(ImageTest, ListPrintsHeaderAndShortIds) {
  ProcResult r = ctx.run({"image", "list"});
  ASSERT_TRUE(Succeeded(r));
  auto rows = lines(r.out);
  ASSERT_EQ(rows.size(), 3u) << dump(r);
  // rkt's default --fields is id,name,size,importtime,lastused (rkt/image_list.go).
  EXPECT_EQ(cells(rows[0]),
            (std::vector<std::string>{"ID", "NAME", "SIZE", "IMPORT TIME", "LAST USED"}))
      << dump(r);
  EXPECT_TRUE(contains(r.out, alpha.list_id() + " ")) << dump(r);
  EXPECT_FALSE(contains(r.out, alpha.fetch_id())) << "short IDs have 12 hex digits\n" << dump(r);
  EXPECT_TRUE(contains(r.out, "example.com/alpha:1.0")) << dump(r);
  EXPECT_TRUE(contains(r.out, "example.com/beta")) << dump(r);
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_EQ(cells(rows[i]).size(), 5u) << rows[i];
  }
}

TEST_F(ImageTest, ListNoLegend) {
  ProcResult r = ctx.run({"image", "list", "--no-legend"});
  ASSERT_TRUE(Succeeded(r));
  auto rows = lines(r.out);
  ASSERT_EQ(rows.size(), 2u) << dump(r);
  EXPECT_FALSE(contains(r.out, "NAME")) << dump(r);
  EXPECT_EQ(rows[0].rfind("sha512-", 0), 0u) << dump(r);
}

TEST_F(ImageTest, ListFullPrintsWholeKeyBytesAndDates) {
  ProcResult r = ctx.run({"image", "list", "--full", "--no-legend"});
  ASSERT_TRUE(Succeeded(r));
  bool seen = false;
  for (const auto& row : lines(r.out)) {
    auto c = cells(row);
    ASSERT_EQ(c.size(), 5u) << row;
    if (c[0] != alpha.key()) continue;
    seen = true;
    EXPECT_EQ(c[1], "example.com/alpha:1.0");
    EXPECT_TRUE(std::regex_match(c[2], std::regex("[0-9]+"))) << "size in bytes: " << c[2];
    EXPECT_GE(std::stoull(c[2]), fs::file_size(ctx.blob_path(alpha)));
    const std::regex date("[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}.*");
    EXPECT_TRUE(std::regex_match(c[3], date)) << c[3];
    EXPECT_TRUE(std::regex_match(c[4], date)) << c[4];
  }
  EXPECT_TRUE(seen) << dump(r);
}

TEST_F(ImageTest, ListFields) {
  ProcResult ids = ctx.run({"image", "list", "--fields=id", "--no-legend"});
  ASSERT_TRUE(Succeeded(ids));
  auto rows = lines(ids.out);
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    EXPECT_TRUE(std::regex_match(row, std::regex("sha512-[0-9a-f]{12}\\s*"))) << row;
  }

  ProcResult names = ctx.run({"image", "list", "--fields=name,size"});
  ASSERT_TRUE(Succeeded(names));
  EXPECT_EQ(cells(lines(names.out).at(0)), (std::vector<std::string>{"NAME", "SIZE"}));
  EXPECT_FALSE(contains(names.out, "sha512-")) << dump(names);
}

TEST_F(ImageTest, ListUnknownFieldIsAnError) {
  EXPECT_TRUE(IsRktError(ctx.run({"image", "list", "--fields=id,colour"})));
}

TEST_F(ImageTest, ListJson) {
  ProcResult r = ctx.run({"image", "list", "--format=json"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_FALSE(contains(r.out, "IMPORT TIME"));
  nlohmann::json list = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(list.is_array()) << dump(r);
  ASSERT_EQ(list.size(), 2u);
  std::vector<std::string> ids;
  for (const auto& image : list) {
    ASSERT_TRUE(image.contains("id") && image.contains("name")) << image.dump();
    ids.push_back(image["id"].get<std::string>());
  }
  // JSON carries full keys, not the 12-digit table form.
  EXPECT_NE(std::find(ids.begin(), ids.end(), alpha.key()), ids.end()) << dump(r);

  ProcResult pretty = ctx.run({"image", "list", "--format=json-pretty"});
  ASSERT_TRUE(Succeeded(pretty));
  EXPECT_TRUE(contains(pretty.out, "\n")) << dump(pretty);
  EXPECT_EQ(nlohmann::json::parse(pretty.out, nullptr, false), list);
}

// --- cat-manifest
// ---------------------------------------------------------------------------------

TEST_F(ImageTest, CatManifestByName) {
  ProcResult r = ctx.run({"image", "cat-manifest", "example.com/alpha"});
  ASSERT_TRUE(Succeeded(r));
  nlohmann::json manifest = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(manifest.is_object()) << dump(r);
  EXPECT_EQ(manifest["name"], "example.com/alpha");
  EXPECT_EQ(manifest["acKind"], "ImageManifest");
  EXPECT_GT(lines(r.out).size(), 1u) << "pretty-printed by default";
}

TEST_F(ImageTest, CatManifestByNameAndVersion) {
  ProcResult r = ctx.run({"image", "cat-manifest", "example.com/alpha:1.0"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(nlohmann::json::parse(r.out, nullptr, false)["name"], "example.com/alpha");
}

TEST_F(ImageTest, CatManifestByIdPrefix) {
  for (const std::string& id : {alpha.list_id(), alpha.fetch_id(), alpha.key(), alpha.id}) {
    ProcResult r = ctx.run({"image", "cat-manifest", id});
    ASSERT_TRUE(Succeeded(r)) << id;
    EXPECT_EQ(nlohmann::json::parse(r.out, nullptr, false)["name"], "example.com/alpha") << id;
  }
}

TEST_F(ImageTest, CatManifestWithoutPrettyPrint) {
  ProcResult r = ctx.run({"image", "cat-manifest", "--pretty-print=false", "example.com/beta"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_EQ(lines(r.out).size(), 1u) << dump(r);
  EXPECT_EQ(nlohmann::json::parse(r.out, nullptr, false)["name"], "example.com/beta");
}

TEST_F(ImageTest, CatManifestUnknownImage) {
  EXPECT_TRUE(IsRktError(ctx.run({"image", "cat-manifest", "example.com/nothere"})));
  EXPECT_TRUE(IsRktError(ctx.run({"image", "cat-manifest", "sha512-000000000000"})));
}

TEST_F(ImageTest, AmbiguousIdPrefix) {
  // Make images until two IDs share their first two hex digits (the birthday bound keeps this
  // short); store both and use that two-digit prefix.
  auto two_hex = [](const BuiltAci& image) { return image.id.substr(7, 2); };
  std::map<std::string, BuiltAci> seen = {{two_hex(alpha), alpha}};
  std::string prefix = two_hex(alpha) == two_hex(beta) ? two_hex(alpha) : "";
  seen.emplace(two_hex(beta), beta);
  for (int i = 0; i < 300 && prefix.empty(); ++i) {
    AciBuilder b(ctx.scratch_path("collide"));
    b.manifest(image_manifest("example.com/collide-" + std::to_string(i)));
    BuiltAci image = b.build(ctx.scratch_path("collide.aci"), Compression::none);
    auto it = seen.find(two_hex(image));
    if (it == seen.end()) {
      seen.emplace(two_hex(image), image);
      continue;
    }
    prefix = two_hex(image);
    ASSERT_EQ(ctx.fetch_insecure(image.path), image.fetch_id());
    if (it->second.id != alpha.id && it->second.id != beta.id) {
      ASSERT_EQ(ctx.fetch_insecure(it->second.path), it->second.fetch_id());
    }
  }
  ASSERT_FALSE(prefix.empty());

  ProcResult r = ctx.run({"image", "cat-manifest", "sha512-" + prefix});
  ASSERT_TRUE(IsRktError(r));
  EXPECT_TRUE(contains(r.err, "ambiguous")) << dump(r);

  ProcResult too_short = ctx.run({"image", "cat-manifest", "sha512-" + prefix.substr(0, 1)});
  EXPECT_TRUE(IsRktError(too_short));
}

// --- export / extract / render
// --------------------------------------------------------------------

TEST_F(ImageTest, ExportWritesAValidUncompressedAci) {
  fs::path out = ctx.scratch() / "exported.aci";
  ASSERT_TRUE(Succeeded(ctx.run({"image", "export", "example.com/alpha", out.string()})));
  EXPECT_TRUE(Succeeded(run_process({"actool", "validate", out.string()})));
  // Exports are the stored, uncompressed tar: same bytes as the image ID says.
  EXPECT_EQ(sha512_id_of_file(out), alpha.id);

  EXPECT_TRUE(IsRktError(ctx.run({"image", "export", "example.com/alpha", out.string()})))
      << "refuses to overwrite without --overwrite";
  EXPECT_TRUE(
      Succeeded(ctx.run({"image", "export", "--overwrite", alpha.list_id(), out.string()})));
}

TEST_F(ImageTest, ExtractWholeImage) {
  fs::path out = ctx.scratch() / "extracted";
  ASSERT_TRUE(Succeeded(ctx.run({"image", "extract", "example.com/alpha", out.string()})));
  EXPECT_TRUE(fs::is_regular_file(out / "manifest"));
  EXPECT_EQ(read_text(out / "rootfs" / "etc" / "hello"), "hello alpha\n");
  EXPECT_TRUE(fs::is_symlink(out / "rootfs" / "etc" / "hello-link"));
  EXPECT_EQ(fs::read_symlink(out / "rootfs" / "etc" / "hello-link"), "hello");
  auto perms = fs::status(out / "rootfs" / "bin" / "tool").permissions();
  EXPECT_NE(perms & fs::perms::owner_exec, fs::perms::none);

  EXPECT_TRUE(IsRktError(ctx.run({"image", "extract", "example.com/alpha", out.string()})))
      << "refuses an existing directory without --overwrite";
  EXPECT_TRUE(
      Succeeded(ctx.run({"image", "extract", "--overwrite", "example.com/alpha", out.string()})));
}

TEST_F(ImageTest, ExtractRootfsOnly) {
  fs::path out = ctx.scratch() / "rootfs-only";
  ASSERT_TRUE(
      Succeeded(ctx.run({"image", "extract", "--rootfs-only", alpha.list_id(), out.string()})));
  EXPECT_EQ(read_text(out / "etc" / "hello"), "hello alpha\n");
  EXPECT_FALSE(fs::exists(out / "manifest"));
  EXPECT_FALSE(fs::exists(out / "rootfs"));
}

TEST_F(ImageTest, RenderWholeImageAndRootfsOnly) {
  fs::path out = ctx.scratch() / "rendered";
  ASSERT_TRUE(Succeeded(ctx.run({"image", "render", "example.com/beta", out.string()})));
  EXPECT_TRUE(fs::is_regular_file(out / "manifest"));
  EXPECT_EQ(read_text(out / "rootfs" / "etc" / "hello"), "hello beta\n");

  fs::path rootfs_only = ctx.scratch() / "rendered-rootfs";
  ASSERT_TRUE(Succeeded(
      ctx.run({"image", "render", "--rootfs-only", "example.com/alpha", rootfs_only.string()})));
  EXPECT_EQ(read_text(rootfs_only / "etc" / "hello"), "hello alpha\n");
  EXPECT_FALSE(fs::exists(rootfs_only / "manifest"));
}

// --- rm / gc
// --------------------------------------------------------------------------------------

TEST_F(ImageTest, RmByName) {
  ProcResult r = ctx.run({"image", "rm", "example.com/alpha"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_TRUE(contains(r.all(), "successfully removed aci for image: \"" + alpha.key() + "\""))
      << dump(r);
  EXPECT_TRUE(contains(r.all(), "1 image(s) successfully removed")) << dump(r);
  EXPECT_EQ(ctx.listed_ids(), std::vector<std::string>{beta.key()});
  EXPECT_FALSE(fs::exists(ctx.blob_path(alpha)));
  EXPECT_TRUE(fs::exists(ctx.blob_path(beta)));
}

TEST_F(ImageTest, RmSeveralByIdPrefix) {
  ProcResult r = ctx.run({"image", "rm", alpha.list_id(), beta.fetch_id()});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_TRUE(contains(r.all(), "2 image(s) successfully removed")) << dump(r);
  EXPECT_TRUE(ctx.listed_ids().empty());
  EXPECT_TRUE(ctx.blob_files().empty());
}

TEST_F(ImageTest, RmUnknownImageFails) {
  EXPECT_TRUE(IsRktError(ctx.run({"image", "rm", "example.com/nothere"})));
  EXPECT_EQ(ctx.listed_ids().size(), 2u);
}

TEST_F(ImageTest, GcKeepsRecentImagesByDefault) {
  ASSERT_TRUE(Succeeded(ctx.run({"image", "gc"})));
  EXPECT_EQ(ctx.listed_ids().size(), 2u);
}

TEST_F(ImageTest, GcWithZeroGracePeriodRemovesUnusedImages) {
  ProcResult r = ctx.run({"image", "gc", "--grace-period=0s"});
  ASSERT_TRUE(Succeeded(r));
  EXPECT_TRUE(contains(r.all(), "successfully removed aci for image")) << dump(r);
  EXPECT_TRUE(ctx.listed_ids().empty());
  EXPECT_TRUE(ctx.blob_files().empty());
}

// --- verify
// ---------------------------------------------------------------------------------------

TEST_F(ImageTest, VerifyDetectsCorruptedTree) {
  // Rendering fills the tree store; verify re-hashes it.
  ASSERT_TRUE(Succeeded(
      ctx.run({"image", "render", "example.com/alpha", (ctx.scratch() / "render").string()})));
  ASSERT_TRUE(Succeeded(ctx.run({"image", "verify", "example.com/alpha"})));

  fs::path victim = tree_file("etc/hello");
  ASSERT_FALSE(victim.empty()) << "no rendered tree of alpha under cas/tree";
  std::ofstream(victim, std::ios::app) << "tampered\n";
  ProcResult r = ctx.run({"image", "verify", "example.com/alpha"});
  EXPECT_TRUE(IsRktError(r));
}

}  // namespace
}  // namespace rkt::functional
