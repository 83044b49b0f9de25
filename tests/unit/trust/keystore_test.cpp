#include "trust/keystore.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "support/temp_dir.hpp"
#include "trust/gpg_test_keys.hpp"
#include "util/file.hpp"

namespace rkt::trust {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using ::testing::UnorderedElementsAre;

mode_t mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class KeystoreTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_alice = test::TestSigner::create("Alice <alice@example.com>").release();
    s_bob = test::TestSigner::create("Bob <bob@example.com>").release();
  }
  static void TearDownTestSuite() {
    delete s_alice;
    delete s_bob;
  }

  KeystoreTest()
      : m_dir(test::make_temp_dir()),
        m_store(KeystoreConfig{m_dir.path() / "usr/lib/rkt/trustedkeys",
                               m_dir.path() / "etc/rkt/trustedkeys"}) {}

  const fs::path& system_dir() const { return m_store.config().system_dir; }
  const fs::path& local_dir() const { return m_store.config().local_dir; }

  /// Writes `content` at base/relative/name, making directories.
  static fs::path put(const fs::path& base, const std::string& relative, const std::string& name,
                      const std::string& content) {
    fs::path dir = base / relative;
    EXPECT_TRUE(util::make_dirs(dir).has_value());
    EXPECT_TRUE(util::write_file_atomic(dir / name, content).has_value());
    return dir / name;
  }
  static fs::path put_key(const fs::path& base, const std::string& relative,
                          const test::TestSigner& signer) {
    return put(base, relative, signer.fingerprint(), signer.public_key_armored());
  }

  std::vector<std::string> fingerprints_for(const std::string& name) {
    auto keys = m_store.keys_for_name(name);
    EXPECT_TRUE(keys.has_value()) << keys.error().message;
    std::vector<std::string> out;
    if (keys) {
      for (const TrustedKey& key : *keys) out.push_back(key.fingerprint);
    }
    return out;
  }

  static test::TestSigner* s_alice;
  static test::TestSigner* s_bob;
  util::TempDir m_dir;
  Keystore m_store;
};
test::TestSigner* KeystoreTest::s_alice = nullptr;
test::TestSigner* KeystoreTest::s_bob = nullptr;

TEST_F(KeystoreTest, EmptyKeystoreTrustsNothing) {
  EXPECT_TRUE(fingerprints_for("example.com/app").empty());
  auto has = m_store.has_keys_for("example.com/app");
  ASSERT_TRUE(has.has_value());
  EXPECT_FALSE(*has);
}

TEST_F(KeystoreTest, RootKeysApplyToEveryName) {
  put_key(system_dir(), "root.d", *s_alice);
  put_key(local_dir(), "root.d", *s_bob);
  EXPECT_THAT(fingerprints_for("example.com/app"),
              UnorderedElementsAre(s_alice->fingerprint(), s_bob->fingerprint()));
  EXPECT_THAT(fingerprints_for("other.org"),
              UnorderedElementsAre(s_alice->fingerprint(), s_bob->fingerprint()));
}

TEST_F(KeystoreTest, ReturnsPathFingerprintAndContents) {
  fs::path path = put_key(local_dir(), "prefix.d/example.com", *s_alice);
  auto keys = m_store.keys_for_name("example.com/app");
  ASSERT_TRUE(keys.has_value()) << keys.error().message;
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->front().path, path);
  EXPECT_EQ(keys->front().fingerprint, s_alice->fingerprint());
  EXPECT_EQ(keys->front().armored, s_alice->public_key_armored());
}

TEST_F(KeystoreTest, PrefixKeysApplyToTheirPrefixAndBelowByPathComponent) {
  put_key(local_dir(), "prefix.d/example.com", *s_alice);
  put_key(system_dir(), "prefix.d/example.com/app", *s_bob);
  EXPECT_THAT(fingerprints_for("example.com"), UnorderedElementsAre(s_alice->fingerprint()));
  EXPECT_THAT(fingerprints_for("example.com/app"),
              UnorderedElementsAre(s_alice->fingerprint(), s_bob->fingerprint()));
  EXPECT_THAT(fingerprints_for("example.com/app/worker"),
              UnorderedElementsAre(s_alice->fingerprint(), s_bob->fingerprint()));
  // "example.com/app" is not a path prefix of "example.com/application".
  EXPECT_THAT(fingerprints_for("example.com/application"),
              UnorderedElementsAre(s_alice->fingerprint()));
  EXPECT_TRUE(fingerprints_for("other.org/app").empty());
  EXPECT_TRUE(fingerprints_for("example.co").empty());
}

TEST_F(KeystoreTest, LocalKeyReplacesSystemKeyOfSameFingerprint) {
  put_key(system_dir(), "root.d", *s_alice);
  fs::path local = put_key(local_dir(), "prefix.d/example.com", *s_alice);
  auto keys = m_store.keys_for_name("example.com/app");
  ASSERT_TRUE(keys.has_value()) << keys.error().message;
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->front().path, local);
}

TEST_F(KeystoreTest, EmptyLocalFileMasksKeyEverywhere) {
  put_key(system_dir(), "root.d", *s_alice);
  put_key(system_dir(), "prefix.d/example.com/app", *s_alice);
  put_key(system_dir(), "root.d", *s_bob);
  put(local_dir(), "prefix.d/example.com", s_alice->fingerprint(), "");
  EXPECT_THAT(fingerprints_for("example.com/app"), UnorderedElementsAre(s_bob->fingerprint()));
  // The mask sits in prefix.d/example.com: other names still trust the root key.
  EXPECT_THAT(fingerprints_for("other.org"),
              UnorderedElementsAre(s_alice->fingerprint(), s_bob->fingerprint()));
  put(local_dir(), "root.d", s_bob->fingerprint(), "");
  EXPECT_THAT(fingerprints_for("other.org"), UnorderedElementsAre(s_alice->fingerprint()));
  auto has = m_store.has_keys_for("example.com/app");
  ASSERT_TRUE(has.has_value());
  EXPECT_FALSE(*has);
}

TEST_F(KeystoreTest, EmptySystemFileMasksNothing) {
  put(system_dir(), "root.d", s_alice->fingerprint(), "");
  put_key(local_dir(), "root.d", *s_alice);
  EXPECT_THAT(fingerprints_for("example.com"), UnorderedElementsAre(s_alice->fingerprint()));
}

TEST_F(KeystoreTest, FileNamedAfterAnotherFingerprintIsAnError) {
  fs::path path =
      put(local_dir(), "prefix.d/example.com", s_bob->fingerprint(), s_alice->public_key_armored());
  auto keys = m_store.keys_for_name("example.com/app");
  ASSERT_FALSE(keys.has_value());
  EXPECT_THAT(keys.error().message, HasSubstr(path.string()));
  EXPECT_THAT(keys.error().message, HasSubstr("fingerprint mismatch"));
  EXPECT_THAT(keys.error().message, HasSubstr(s_alice->fingerprint()));
}

TEST_F(KeystoreTest, GarbageKeyFileIsAnError) {
  fs::path path = put(system_dir(), "root.d", s_alice->fingerprint(), "garbage\n");
  auto keys = m_store.keys_for_name("example.com");
  ASSERT_FALSE(keys.has_value());
  EXPECT_THAT(keys.error().message, HasSubstr(path.string()));
}

TEST_F(KeystoreTest, FileWithTwoKeysIsAnError) {
  put(local_dir(), "root.d", s_alice->fingerprint(),
      s_alice->public_key_armored() + s_bob->public_key_armored());
  auto keys = m_store.keys_for_name("example.com");
  ASSERT_FALSE(keys.has_value());
  EXPECT_THAT(keys.error().message, HasSubstr("holds 2 public keys"));
}

TEST_F(KeystoreTest, IgnoresSubdirectoriesAndAtomicWriteLeftovers) {
  put_key(local_dir(), "root.d", *s_alice);
  put(local_dir(), "root.d", s_bob->fingerprint() + ".tmp-AbCdEf", "partial");
  ASSERT_TRUE(util::make_dirs(local_dir() / "root.d" / "subdir").has_value());
  EXPECT_THAT(fingerprints_for("example.com"), UnorderedElementsAre(s_alice->fingerprint()));
}

TEST_F(KeystoreTest, RejectsInvalidImageName) {
  for (const char* name : {"", "Example.com", "../etc", "example.com//app", "/example.com"}) {
    auto keys = m_store.keys_for_name(name);
    ASSERT_FALSE(keys.has_value()) << name;
    EXPECT_EQ(keys.error().kind, ErrorKind::invalid_argument);
  }
}

TEST_F(KeystoreTest, StorePrefixWritesNormalizedKeyWithModes) {
  mode_t old_umask = ::umask(077);  // the modes must not depend on the caller's umask
  auto path = m_store.store_trusted_key_prefix("example.com/app", s_alice->public_key_binary());
  ::umask(old_umask);
  ASSERT_TRUE(path.has_value()) << path.error().message;
  EXPECT_EQ(*path, local_dir() / "prefix.d/example.com/app" / s_alice->fingerprint());
  EXPECT_EQ(mode_of(*path), 0644u);
  EXPECT_EQ(mode_of(local_dir() / "prefix.d"), 0755u);
  EXPECT_EQ(mode_of(local_dir() / "prefix.d/example.com"), 0755u);
  EXPECT_EQ(mode_of(local_dir() / "prefix.d/example.com/app"), 0755u);
  auto content = util::read_file(*path);
  ASSERT_TRUE(content.has_value());
  EXPECT_THAT(*content, StartsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
  EXPECT_THAT(fingerprints_for("example.com/app"), UnorderedElementsAre(s_alice->fingerprint()));
  EXPECT_TRUE(fingerprints_for("example.com").empty());
  EXPECT_FALSE(util::path_exists(system_dir()));
}

TEST_F(KeystoreTest, StoreRootWritesToLocalRootDir) {
  auto path = m_store.store_trusted_key_root(s_bob->public_key_armored());
  ASSERT_TRUE(path.has_value()) << path.error().message;
  EXPECT_EQ(*path, local_dir() / "root.d" / s_bob->fingerprint());
  EXPECT_EQ(mode_of(*path), 0644u);
  EXPECT_THAT(fingerprints_for("anything.example/at/all"),
              UnorderedElementsAre(s_bob->fingerprint()));
  auto has = m_store.has_keys_for("anything.example");
  ASSERT_TRUE(has.has_value());
  EXPECT_TRUE(*has);
}

TEST_F(KeystoreTest, StoreReplacesMaskAtSamePath) {
  put(local_dir(), "prefix.d/example.com", s_alice->fingerprint(), "");
  EXPECT_TRUE(m_store.store_trusted_key_prefix("example.com", s_alice->public_key_armored()));
  EXPECT_THAT(fingerprints_for("example.com"), UnorderedElementsAre(s_alice->fingerprint()));
}

TEST_F(KeystoreTest, StorePrefixRejectsUrlScheme) {
  auto path =
      m_store.store_trusted_key_prefix("https://example.com/app", s_alice->public_key_armored());
  ASSERT_FALSE(path.has_value());
  EXPECT_EQ(path.error().kind, ErrorKind::invalid_argument);
  EXPECT_EQ(path.error().message, "--prefix must not contain a URL scheme, omit https://");
  EXPECT_FALSE(util::path_exists(local_dir()));
}

TEST_F(KeystoreTest, StorePrefixRejectsNonIdentifiers) {
  for (const char* prefix : {"", "../etc", "example.com/../../x", "Example.com", "a//b", "a/"}) {
    auto path = m_store.store_trusted_key_prefix(prefix, s_alice->public_key_armored());
    ASSERT_FALSE(path.has_value()) << prefix;
    EXPECT_EQ(path.error().kind, ErrorKind::invalid_argument) << prefix;
  }
  EXPECT_FALSE(util::path_exists(local_dir()));
}

TEST_F(KeystoreTest, StoreRejectsBadKeyAndWritesNothing) {
  auto path = m_store.store_trusted_key_prefix("example.com", "not a key");
  ASSERT_FALSE(path.has_value());
  EXPECT_THAT(path.error().message, HasSubstr("no OpenPGP public key"));
  EXPECT_FALSE(util::path_exists(local_dir()));
}

TEST(ValidatePrefix, AcceptsAcIdentifiers) {
  for (const char* prefix : {"example.com", "example.com/app", "coreos.com/etcd", "a-b_c~d/e.f"}) {
    EXPECT_TRUE(validate_prefix(prefix).has_value()) << prefix;
  }
  EXPECT_EQ(validate_prefix("http://x").error().message,
            "--prefix must not contain a URL scheme, omit http://");
}

}  // namespace
}  // namespace rkt::trust
