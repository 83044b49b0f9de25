#include "trust/signature_verifier.hpp"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <iostream>

#include "support/temp_dir.hpp"
#include "trust/gpg_test_keys.hpp"
#include "trust/openpgp_key.hpp"
#include "util/file.hpp"
#include "util/unique_fd.hpp"

namespace rkt::trust {
namespace {

namespace fs = std::filesystem;
using test::SignatureFormat;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TrustedKey trusted(const test::TestSigner& signer) {
  return TrustedKey{"/nonexistent/" + signer.fingerprint(), signer.fingerprint(),
                    signer.public_key_armored()};
}

class SignatureVerifier : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_alice = test::TestSigner::create("Alice <alice@example.com>").release();
    s_bob = test::TestSigner::create("Bob <bob@example.com>").release();
  }
  static void TearDownTestSuite() {
    delete s_alice;
    delete s_bob;
  }

  SignatureVerifier() : m_dir(test::make_temp_dir()), m_file(m_dir.path() / "image.aci") {
    EXPECT_TRUE(util::write_file_atomic(m_file, "pretend this is an image\n").has_value());
  }

  static test::TestSigner* s_alice;
  static test::TestSigner* s_bob;
  util::TempDir m_dir;
  fs::path m_file;
};
test::TestSigner* SignatureVerifier::s_alice = nullptr;
test::TestSigner* SignatureVerifier::s_bob = nullptr;

TEST_F(SignatureVerifier, AcceptsGoodArmoredSignature) {
  std::string sig = s_alice->sign(m_file, SignatureFormat::armored);
  ASSERT_THAT(sig, HasSubstr("BEGIN PGP SIGNATURE"));
  auto verified = verify_detached({trusted(*s_bob), trusted(*s_alice)}, m_file, sig);
  ASSERT_TRUE(verified.has_value()) << verified.error().message;
  EXPECT_EQ(verified->fingerprint, s_alice->fingerprint());
  EXPECT_THAT(verified->identities, ElementsAre("Alice <alice@example.com>"));
}

TEST_F(SignatureVerifier, AcceptsGoodBinarySignature) {
  std::string sig = s_alice->sign(m_file, SignatureFormat::binary);
  ASSERT_EQ(sig.find("BEGIN PGP"), std::string::npos);
  auto verified = verify_detached({trusted(*s_alice)}, m_file, sig);
  ASSERT_TRUE(verified.has_value()) << verified.error().message;
  EXPECT_EQ(verified->fingerprint, s_alice->fingerprint());
}

TEST_F(SignatureVerifier, AcceptsBinaryTrustedKey) {
  std::string sig = s_alice->sign(m_file, SignatureFormat::armored);
  TrustedKey key = trusted(*s_alice);
  key.armored = s_alice->public_key_binary();
  auto verified = verify_detached({trusted(*s_bob), key}, m_file, sig);
  ASSERT_TRUE(verified.has_value()) << verified.error().message;
  EXPECT_EQ(verified->fingerprint, s_alice->fingerprint());
}

TEST_F(SignatureVerifier, ReadsFromFileDescriptor) {
  std::string sig = s_alice->sign(m_file, SignatureFormat::armored);
  UniqueFd fd(::open(m_file.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(fd.valid());
  auto verified = verify_detached_fd({trusted(*s_alice)}, fd.get(), sig);
  ASSERT_TRUE(verified.has_value()) << verified.error().message;
}

TEST_F(SignatureVerifier, RejectsTamperedFile) {
  std::string sig = s_alice->sign(m_file, SignatureFormat::armored);
  ASSERT_TRUE(util::write_file_atomic(m_file, "pretend this is an image!\n").has_value());
  auto verified = verify_detached({trusted(*s_alice)}, m_file, sig);
  ASSERT_FALSE(verified.has_value());
  EXPECT_EQ(verified.error().kind, ErrorKind::verification_failed);
  EXPECT_THAT(verified.error().message, HasSubstr("does not match"));
}

TEST_F(SignatureVerifier, RejectsUntrustedSigner) {
  std::string sig = s_alice->sign(m_file, SignatureFormat::binary);
  auto verified = verify_detached({trusted(*s_bob)}, m_file, sig);
  ASSERT_FALSE(verified.has_value());
  EXPECT_EQ(verified.error().kind, ErrorKind::verification_failed);
  EXPECT_THAT(verified.error().message, HasSubstr("no valid signatures found"));
  EXPECT_THAT(verified.error().message, HasSubstr("not trusted"));
  // gpg names the signer by its key ID: the last 16 hex digits of the fingerprint.
  std::string key_id = format_fingerprint(s_alice->fingerprint().substr(24));
  EXPECT_THAT(verified.error().message, HasSubstr(key_id.substr(key_id.size() - 9)));
}

TEST_F(SignatureVerifier, RejectsWhenNoKeysAreTrusted) {
  std::string sig = s_alice->sign(m_file, SignatureFormat::armored);
  auto verified = verify_detached({}, m_file, sig);
  ASSERT_FALSE(verified.has_value());
  EXPECT_EQ(verified.error().kind, ErrorKind::verification_failed);
  EXPECT_THAT(verified.error().message, HasSubstr("no trusted keys"));
}

TEST_F(SignatureVerifier, RejectsGarbageSignature) {
  for (std::string sig :
       {std::string("not a signature"), std::string(), s_alice->public_key_armored()}) {
    auto verified = verify_detached({trusted(*s_alice)}, m_file, sig);
    ASSERT_FALSE(verified.has_value());
    EXPECT_EQ(verified.error().kind, ErrorKind::verification_failed);
    EXPECT_THAT(verified.error().message, HasSubstr("no valid signatures found"));
  }
}

TEST_F(SignatureVerifier, ReportsMissingFile) {
  std::string sig = s_alice->sign(m_file, SignatureFormat::armored);
  auto verified = verify_detached({trusted(*s_alice)}, m_dir.path() / "missing", sig);
  ASSERT_FALSE(verified.has_value());
  EXPECT_EQ(verified.error().kind, ErrorKind::not_found);
}

TEST_F(SignatureVerifier, MapsSubkeySignatureToPrimaryKey) {
  auto signer = test::TestSigner::create("Sub <sub@example.com>", "ed25519 cert never");
  signer->add_signing_subkey();
  std::string sig = signer->sign(m_file, SignatureFormat::armored);
  auto verified = verify_detached({trusted(*signer)}, m_file, sig);
  ASSERT_TRUE(verified.has_value()) << verified.error().message;
  EXPECT_EQ(verified->fingerprint, signer->fingerprint());
  EXPECT_THAT(verified->identities, ElementsAre("Sub <sub@example.com>"));
}

TEST_F(SignatureVerifier, RejectsExpiredKey) {
  // A key made in 2020 that expired a day later, with a signature from while it was valid.
  auto signer =
      test::TestSigner::create("Old <old@example.com>", "ed25519 sign 1d", "20200101T000000!");
  std::string sig = signer->sign(m_file, SignatureFormat::armored);
  auto verified = verify_detached({trusted(*signer)}, m_file, sig);
  ASSERT_FALSE(verified.has_value());
  EXPECT_EQ(verified.error().kind, ErrorKind::verification_failed);
  EXPECT_THAT(verified.error().message, HasSubstr("expired"));
}

TEST_F(SignatureVerifier, RejectsRevokedKey) {
  auto signer = test::TestSigner::create("Revoked <revoked@example.com>");
  std::string sig = signer->sign(m_file, SignatureFormat::armored);
  signer->revoke();
  auto verified = verify_detached({trusted(*signer)}, m_file, sig);
  ASSERT_FALSE(verified.has_value());
  EXPECT_EQ(verified.error().kind, ErrorKind::verification_failed);
  EXPECT_THAT(verified.error().message, HasSubstr("revoked"));
}

TEST_F(SignatureVerifier, IgnoresKeysBeyondTheTrustedFingerprint) {
  // A TrustedKey whose text smuggles in a second key must not make that key trusted.
  std::string sig = s_bob->sign(m_file, SignatureFormat::armored);
  TrustedKey key = trusted(*s_alice);
  key.armored += s_bob->public_key_armored();
  auto verified = verify_detached({key}, m_file, sig);
  ASSERT_FALSE(verified.has_value());
  EXPECT_THAT(verified.error().message, HasSubstr("not trusted"));
}

TEST_F(SignatureVerifier, ReportsTrustedKeyThatDoesNotHoldItsKey) {
  std::string sig = s_alice->sign(m_file, SignatureFormat::armored);
  TrustedKey key = trusted(*s_alice);
  key.armored = s_bob->public_key_armored();
  auto verified = verify_detached({key}, m_file, sig);
  ASSERT_FALSE(verified.has_value());
  EXPECT_THAT(verified.error().message, HasSubstr("does not hold key " + s_alice->fingerprint()));
}

TEST_F(SignatureVerifier, VerifiesWithKeysFromTheKeystore) {
  Keystore store(KeystoreConfig{m_dir.path() / "system", m_dir.path() / "local"});
  ASSERT_TRUE(store.store_trusted_key_prefix("example.com/app", s_alice->public_key_armored()));
  ASSERT_TRUE(store.store_trusted_key_root(s_bob->public_key_binary()));
  auto keys = store.keys_for_name("example.com/app");
  ASSERT_TRUE(keys.has_value()) << keys.error().message;
  ASSERT_EQ(keys->size(), 2u);
  std::string sig = s_alice->sign(m_file, SignatureFormat::binary);
  auto verified = verify_detached(*keys, m_file, sig);
  ASSERT_TRUE(verified.has_value()) << verified.error().message;
  EXPECT_EQ(verified->fingerprint, s_alice->fingerprint());
  auto other = store.keys_for_name("example.com/other");
  ASSERT_TRUE(other.has_value());
  EXPECT_FALSE(verify_detached(*other, m_file, sig).has_value());
}

TEST_F(SignatureVerifier, StreamsLargeFiles) {
  fs::path big = m_dir.path() / "big.aci";
  constexpr off_t k_size = 96 << 20;
  {
    UniqueFd fd(::open(big.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    ASSERT_TRUE(fd.valid());
    ASSERT_EQ(::ftruncate(fd.get(), k_size), 0);
    ASSERT_EQ(::pwrite(fd.get(), "tail", 4, k_size - 4), 4);
  }
  std::string sig = s_alice->sign(big, SignatureFormat::binary);
  rusage before{};
  ::getrusage(RUSAGE_SELF, &before);
  auto start = std::chrono::steady_clock::now();
  auto verified = verify_detached({trusted(*s_alice)}, big, sig);
  auto elapsed = std::chrono::steady_clock::now() - start;
  rusage after{};
  ::getrusage(RUSAGE_SELF, &after);
  ASSERT_TRUE(verified.has_value()) << verified.error().message;
  long grown_kib = after.ru_maxrss - before.ru_maxrss;
  std::cout << "[ measure  ] verify of 96 MiB: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
            << " ms, peak RSS grew " << grown_kib << " KiB\n";
  EXPECT_LT(grown_kib, 16 * 1024) << "the signed file seems to be loaded into memory";
}

TEST_F(SignatureVerifier, SmallFileVerifiesQuickly) {
  std::string sig = s_alice->sign(m_file, SignatureFormat::armored);
  std::vector<TrustedKey> keys = {trusted(*s_alice), trusted(*s_bob)};
  ASSERT_TRUE(verify_detached(keys, m_file, sig).has_value());  // warm up gpgme's engine lookup
  constexpr int k_rounds = 5;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < k_rounds; ++i) ASSERT_TRUE(verify_detached(keys, m_file, sig).has_value());
  auto per_call = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - start) /
                  k_rounds;
  std::cout << "[ measure  ] verify of a small file with 2 trusted keys: "
            << per_call.count() / 1000.0 << " ms per call\n";
  EXPECT_LT(per_call, std::chrono::seconds(1));
}

TEST_F(SignatureVerifier, LeavesNoGpgAgentOrHomeBehind) {
  auto tmp = test::make_temp_dir();
  const char* old = std::getenv("TMPDIR");
  std::string saved = old ? old : "";
  std::string sig = s_alice->sign(m_file, SignatureFormat::armored);
  ::setenv("TMPDIR", tmp.path().c_str(), 1);
  auto good = verify_detached({trusted(*s_alice)}, m_file, sig);
  auto bad = verify_detached({trusted(*s_bob)}, m_file, sig);
  if (old) {
    ::setenv("TMPDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
  EXPECT_TRUE(good.has_value());
  EXPECT_FALSE(bad.has_value());
  EXPECT_TRUE(fs::is_empty(tmp.path())) << "a GNUPGHOME was left behind";
  EXPECT_EQ(test::count_gpg_agents(tmp.path().string()), 0);
}

}  // namespace
}  // namespace rkt::trust
