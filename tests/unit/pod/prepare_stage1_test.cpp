#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/time.h>

#include "pod/stage1_image.hpp"
#include "prepare_fixture.hpp"

namespace rkt::pod::test {
namespace {

using testing::HasSubstr;

class Stage1Selection : public PrepareFixture {
 protected:
  void SetUp() override {
    PrepareFixture::SetUp();
    fs::create_directories(bin_dir());
    fs::create_directories(images_dir());
    m_defaults.build_version = "1.30.0";
    m_defaults.binary_dir = bin_dir();
    m_defaults.images_dir = images_dir();
  }

  fs::path bin_dir() const { return m_dir.path() / "bin"; }
  fs::path images_dir() const { return m_dir.path() / "stage1-images"; }

  image::Fetcher fetcher(bool insecure_image) {
    trust::KeystoreConfig keys{m_dir.path() / "system-keys", m_dir.path() / "local-keys"};
    config::InsecureOptions insecure;
    insecure.image = insecure_image;
    return image::Fetcher(store(), trust::Keystore(keys), insecure, image::PullPolicy::new_);
  }

  Result<store::ImageInfo> select(const Stage1Flags& flags, bool insecure_image = false) {
    auto f = fetcher(insecure_image);
    return select_stage1(store(), f, flags, m_defaults);
  }

  /// Selects and returns what was printed too.
  std::pair<Result<store::ImageInfo>, std::string> select_printing(const Stage1Flags& flags) {
    testing::internal::CaptureStderr();
    auto info = select(flags);
    return {std::move(info), testing::internal::GetCapturedStderr()};
  }

  static void set_mtime(const fs::path& path, time_t when) {
    const struct timeval times[2] = {{when, 0}, {when, 0}};
    ASSERT_EQ(::utimes(path.c_str(), times), 0);
  }

  Stage1Defaults m_defaults;
};

TEST_F(Stage1Selection, FlagsAreMutuallyExclusive) {
  EXPECT_TRUE(validate_stage1_flags({}));
  EXPECT_TRUE(validate_stage1_flags(Stage1Flags{.path = "/a"}));
  auto both = validate_stage1_flags(Stage1Flags{.path = "/a", .hash = "sha512-aa"});
  ASSERT_FALSE(both);
  EXPECT_THAT(both.error().message, HasSubstr("mutually exclusive"));
  EXPECT_FALSE(select(Stage1Flags{.name = "x", .from_dir = "y"}));
}

TEST_F(Stage1Selection, DefaultFileBesideRktFirst) {
  stage1_aci("exit 0\n").write(bin_dir() / "stage1-native.aci");
  stage1_aci("exit 1\n").write(images_dir() / "stage1-native.aci");
  auto [info, printed] = select_printing({});
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_THAT(printed, HasSubstr("rkt: using image from file " +
                                 (bin_dir() / "stage1-native.aci").string()));
  EXPECT_EQ(info->manifest.name, "coreos.com/rkt/stage1-native");
}

TEST_F(Stage1Selection, DefaultFileInImagesDirNext) {
  stage1_aci("exit 1\n").write(images_dir() / "stage1-native.aci");
  auto [info, printed] = select_printing({});
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_THAT(printed, HasSubstr((images_dir() / "stage1-native.aci").string()));
}

TEST_F(Stage1Selection, StoredDefaultNameWinsOverAnOlderFile) {
  fs::path file = bin_dir() / "stage1-native.aci";
  stage1_aci("exit 0\n").write(file);
  set_mtime(file, 1'000'000'000);
  auto first = select({});
  ASSERT_TRUE(first) << first.error().message;
  auto [again, printed] = select_printing({});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->key, first->key);
  EXPECT_THAT(printed, HasSubstr("rkt: using image from local store for image name "
                                 "coreos.com/rkt/stage1-native:1.30.0"));
}

TEST_F(Stage1Selection, RebuiltFileWinsOverTheStoreCopy) {
  auto old = import(stage1_aci("exit 0\n"), "old.aci");
  fs::path file = bin_dir() / "stage1-native.aci";
  stage1_aci("echo rebuilt\n").write(file);
  set_mtime(file, ::time(nullptr) + 10);  // built after the import
  auto info = select({});
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_NE(info->key, old.key);
  auto next = select({});  // the rebuilt one is in the store now, and newest
  ASSERT_TRUE(next);
  EXPECT_EQ(next->key, info->key);
}

TEST_F(Stage1Selection, TrustedFileIsImportedOnce) {
  fs::path file = write_aci(stage1_aci("exit 0\n"), "s1.aci");
  auto first = import_trusted_file(store(), file);
  auto second = import_trusted_file(store(), file);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->key, second->key);
  EXPECT_EQ(store().list()->size(), 1u);
}

TEST_F(Stage1Selection, ConfiguredNameAndLocation) {
  auto stored = import(stage1_aci("exit 0\n", "", "9.9"), "custom.aci");
  m_defaults.configured.name = "coreos.com/rkt/stage1-native";
  m_defaults.configured.version = "9.9";
  auto info = select({});
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->key, stored.key);

  m_defaults.configured = {};
  m_defaults.configured.location =
      "file://" + write_aci(stage1_aci("exit 3\n"), "loc.aci").string();
  info = select({});
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_NE(info->key, stored.key);

  m_defaults.configured = {"example.com/other-stage1", "1", "https://example.com/stage1.aci"};
  info = select({});
  ASSERT_FALSE(info);
  EXPECT_THAT(info.error().message, HasSubstr("not supported yet"));
}

TEST_F(Stage1Selection, NothingFoundNamesThePlacesTried) {
  auto info = select({});
  ASSERT_FALSE(info);
  EXPECT_THAT(info.error().message, HasSubstr((bin_dir() / "stage1-native.aci").string()));
  EXPECT_THAT(info.error().message, HasSubstr((images_dir() / "stage1-native.aci").string()));
}

TEST_F(Stage1Selection, FromDirNeedsNoSignature) {
  stage1_aci("exit 0\n").write(images_dir() / "stage1-fly.aci");
  auto info = select(Stage1Flags{.from_dir = "stage1-fly.aci"});
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_FALSE(select(Stage1Flags{.from_dir = "../stage1-fly.aci"}));
  EXPECT_FALSE(select(Stage1Flags{.from_dir = "missing.aci"}));
}

TEST_F(Stage1Selection, PathAndFileUrlAreVerifiedUnlessInsecure) {
  fs::path file = write_aci(stage1_aci("exit 0\n"), "s1.aci");
  auto unsigned_path = select(Stage1Flags{.path = file.string()});
  ASSERT_FALSE(unsigned_path);
  EXPECT_THAT(unsigned_path.error().message, HasSubstr("signature"));
  auto info = select(Stage1Flags{.path = file.string()}, true);
  ASSERT_TRUE(info) << info.error().message;
  auto by_url = select(Stage1Flags{.url = "file://" + file.string()}, true);
  ASSERT_TRUE(by_url) << by_url.error().message;
  EXPECT_EQ(by_url->key, info->key);
  auto remote = select(Stage1Flags{.url = "https://example.com/s1.aci"}, true);
  ASSERT_FALSE(remote);
  EXPECT_THAT(remote.error().message, HasSubstr("not supported yet"));
}

TEST_F(Stage1Selection, NameAndHashComeFromTheStore) {
  auto stored = import(stage1_aci("exit 0\n", "", "2.0"), "s1.aci");
  auto by_name = select(Stage1Flags{.name = "coreos.com/rkt/stage1-native:2.0"});
  ASSERT_TRUE(by_name) << by_name.error().message;
  EXPECT_EQ(by_name->key, stored.key);
  EXPECT_FALSE(select(Stage1Flags{.name = "coreos.com/rkt/stage1-native:3.0"}));
  auto by_hash = select(Stage1Flags{.hash = stored.id.substr(0, 20)});
  ASSERT_TRUE(by_hash) << by_hash.error().message;
  EXPECT_EQ(by_hash->key, stored.key);
  EXPECT_FALSE(select(Stage1Flags{.hash = "sha512-0000"}));
}

}  // namespace
}  // namespace rkt::pod::test
