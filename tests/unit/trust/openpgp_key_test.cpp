#include "trust/openpgp_key.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "support/temp_dir.hpp"
#include "trust/gpg_test_keys.hpp"

namespace rkt::trust {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class OpenPgpKey : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_signer = test::TestSigner::create("Test Signer (unit tests) <signer@example.com>").release();
    s_other = test::TestSigner::create("Other <other@example.com>").release();
  }
  static void TearDownTestSuite() {
    delete s_signer;
    delete s_other;
  }
  static test::TestSigner* s_signer;
  static test::TestSigner* s_other;
};
test::TestSigner* OpenPgpKey::s_signer = nullptr;
test::TestSigner* OpenPgpKey::s_other = nullptr;

TEST_F(OpenPgpKey, InspectsArmoredKey) {
  auto info = inspect_public_key(s_signer->public_key_armored());
  ASSERT_TRUE(info.has_value()) << info.error().message;
  EXPECT_EQ(info->fingerprint, s_signer->fingerprint());
  EXPECT_TRUE(is_fingerprint(info->fingerprint));
  EXPECT_THAT(info->identities, ElementsAre("Test Signer (unit tests) <signer@example.com>"));
  EXPECT_THAT(info->armored, StartsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
}

TEST_F(OpenPgpKey, InspectsBinaryKeyAndArmorsIt) {
  auto info = inspect_public_key(s_signer->public_key_binary());
  ASSERT_TRUE(info.has_value()) << info.error().message;
  EXPECT_EQ(info->fingerprint, s_signer->fingerprint());
  EXPECT_THAT(info->armored, StartsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
  // The normalized text is itself a valid key with the same fingerprint.
  auto again = inspect_public_key(info->armored);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->fingerprint, s_signer->fingerprint());
}

TEST_F(OpenPgpKey, ListsEveryIdentity) {
  auto signer = test::TestSigner::create("First <first@example.com>");
  signer->gpg("--quick-add-uid " + signer->fingerprint() + " 'Second (work) <second@example.com>'");
  auto info = inspect_public_key(signer->public_key_armored());
  ASSERT_TRUE(info.has_value()) << info.error().message;
  EXPECT_THAT(info->identities,
              ::testing::UnorderedElementsAre("First <first@example.com>",
                                              "Second (work) <second@example.com>"));
}

TEST_F(OpenPgpKey, RejectsGarbage) {
  auto info = inspect_public_key("this is not a key\n");
  ASSERT_FALSE(info.has_value());
  EXPECT_EQ(info.error().kind, ErrorKind::invalid_argument);
  EXPECT_THAT(info.error().message, HasSubstr("no OpenPGP public key found"));
}

TEST_F(OpenPgpKey, RejectsEmptyInput) {
  auto info = inspect_public_key("  \n");
  ASSERT_FALSE(info.has_value());
  EXPECT_THAT(info.error().message, HasSubstr("empty"));
}

TEST_F(OpenPgpKey, RejectsTwoKeys) {
  auto info = inspect_public_key(s_signer->public_key_armored() + s_other->public_key_armored());
  ASSERT_FALSE(info.has_value());
  EXPECT_THAT(info.error().message, HasSubstr("holds 2 public keys"));
  EXPECT_THAT(info.error().message, HasSubstr(s_other->fingerprint()));
}

TEST_F(OpenPgpKey, RefusesSecretKey) {
  auto info = inspect_public_key(s_signer->secret_key_armored());
  ASSERT_FALSE(info.has_value());
  EXPECT_THAT(info.error().message, HasSubstr("secret key"));
}

TEST_F(OpenPgpKey, CleansUpItsGpgHome) {
  auto tmp = test::make_temp_dir();
  const char* old = std::getenv("TMPDIR");
  std::string saved = old ? old : "";
  ::setenv("TMPDIR", tmp.path().c_str(), 1);
  auto info = inspect_public_key(s_signer->public_key_armored());
  auto garbage = inspect_public_key("garbage");
  if (old) {
    ::setenv("TMPDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
  ASSERT_TRUE(info.has_value()) << info.error().message;
  ASSERT_FALSE(garbage.has_value());
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path())) << "a GNUPGHOME was left behind";
  EXPECT_EQ(test::count_gpg_agents(tmp.path().string()), 0);
}

TEST(FormatFingerprint, PrintsTenGroupsWithAGapInTheMiddle) {
  EXPECT_EQ(format_fingerprint("bff313cdaa560b16a8987b8f72abf5f6799d33bc"),
            "BFF3 13CD AA56 0B16 A898  7B8F 72AB F5F6 799D 33BC");
  EXPECT_EQ(format_fingerprint("2247C19243CFC83F"), "2247 C192 43CF C83F");
  EXPECT_EQ(format_fingerprint(""), "");
}

TEST(IsFingerprint, AcceptsOnly40LowercaseHexDigits) {
  EXPECT_TRUE(is_fingerprint("bff313cdaa560b16a8987b8f72abf5f6799d33bc"));
  EXPECT_FALSE(is_fingerprint("BFF313CDAA560B16A8987B8F72ABF5F6799D33BC"));
  EXPECT_FALSE(is_fingerprint("bff313cdaa560b16a8987b8f72abf5f6799d33b"));
  EXPECT_FALSE(is_fingerprint("bff313cdaa560b16a8987b8f72abf5f6799d33bg"));
  EXPECT_FALSE(is_fingerprint(""));
}

}  // namespace
}  // namespace rkt::trust
