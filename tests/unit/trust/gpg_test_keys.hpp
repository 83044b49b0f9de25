#pragma once

// Makes real OpenPGP keys and signatures at test time with the gpg command, each key in its own
// GNUPGHOME under a temp dir, so the tests never depend on checked-in key material or on the
// user's keyring.

#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "util/file.hpp"
#include "util/strings.hpp"

namespace rkt::test {

/// Runs a shell command and returns its stdout. A failure is a test failure unless the caller
/// passes `ok` to learn about it instead.
inline std::string run_command(const std::string& command, bool* ok = nullptr) {
  std::string output;
  bool success = false;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
    success = ::pclose(pipe) == 0;
  }
  if (ok) {
    *ok = success;
  } else {
    EXPECT_TRUE(success) << "command failed: " << command;
  }
  return output;
}

/// The pids of gpg-agent processes whose command line contains `needle` (e.g. a home path).
inline std::vector<pid_t> gpg_agent_pids(const std::string& needle) {
  std::vector<pid_t> pids;
  DIR* proc = ::opendir("/proc");
  if (!proc) return pids;
  while (dirent* entry = ::readdir(proc)) {
    std::string pid = entry->d_name;
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    auto cmdline = util::read_file("/proc/" + pid + "/cmdline");
    if (!cmdline) continue;
    std::replace(cmdline->begin(), cmdline->end(), '\0', ' ');  // arguments are NUL-separated
    if (cmdline->find("gpg-agent") != std::string::npos &&
        cmdline->find(needle) != std::string::npos) {
      pids.push_back(static_cast<pid_t>(std::stol(pid)));
    }
  }
  ::closedir(proc);
  return pids;
}

inline int count_gpg_agents(const std::string& needle) {
  return static_cast<int>(gpg_agent_pids(needle).size());
}

enum class SignatureFormat { armored, binary };

/// A signing key in a private GNUPGHOME; stops that home's gpg-agent when dropped.
class TestSigner {
 public:
  /// `user_id` like "Test <t@example.com>"; `key_args` as for gpg --quick-gen-key after the uid.
  /// `faked_time` (gpg --faked-system-time syntax, e.g. "20200101T000000!") makes an old key.
  static std::unique_ptr<TestSigner> create(const std::string& user_id,
                                            const std::string& key_args = "ed25519 sign never",
                                            const std::string& faked_time = "") {
    auto home = util::TempDir::create({}, "rkt-test-gpg-");
    EXPECT_TRUE(home.has_value());
    std::unique_ptr<TestSigner> signer(new TestSigner(std::move(home).value(), faked_time));
    signer->gpg(signer->time_flag() + "--quick-gen-key '" + user_id + "' " + key_args);
    signer->m_fingerprint = signer->primary_fingerprint();
    return signer;
  }

  /// Stops the gpg-agent that key generation and signing started for this home, and waits for it
  /// to exit so it does not race with the removal of the home.
  ~TestSigner() {
    std::string home = m_home.path().string();
    bool ok = false;
    run_command("gpgconf --homedir " + home + " --kill all 2>/dev/null", &ok);
    run_command("gpgconf --homedir " + home + " --remove-socketdir 2>/dev/null", &ok);
    std::string needle = "--homedir " + home + " ";
    for (int i = 0; i < 300 && count_gpg_agents(needle) > 0; ++i) {
      // If gpgconf could not reach it, stop the agent of this very home by pid.
      if (i == 200) {
        for (pid_t pid : gpg_agent_pids(needle)) ::kill(pid, SIGTERM);
      }
      ::usleep(10000);
    }
  }

  /// The primary key's fingerprint, 40 lowercase hex.
  const std::string& fingerprint() const { return m_fingerprint; }
  const std::filesystem::path& home() const { return m_home.path(); }

  std::string public_key_armored() const {
    return nonempty(gpg("--armor --export " + m_fingerprint));
  }
  std::string public_key_binary() const { return nonempty(gpg("--export " + m_fingerprint)); }
  std::string secret_key_armored() const {
    return nonempty(gpg("--armor --export-secret-keys " + m_fingerprint));
  }

  /// Adds a signing subkey (signatures are then made by it, not by the primary key).
  void add_signing_subkey() const {
    gpg("--quick-add-key " + m_fingerprint + " ed25519 sign never");
  }

  /// A detached signature of `file` in the given format.
  std::string sign(const std::filesystem::path& file, SignatureFormat format) const {
    std::string armor = format == SignatureFormat::armored ? "--armor " : "";
    return nonempty(gpg(time_flag() + armor + "--detach-sign --output - " + file.string()));
  }

  /// Revokes the key with the certificate gpg made at generation time.
  void revoke() const {
    std::string upper = m_fingerprint;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto cert = util::read_file(m_home.path() / "openpgp-revocs.d" / (upper + ".rev"));
    ASSERT_TRUE(cert.has_value());
    std::string text = *cert;
    // gpg prefixes the armor line with ':' so the certificate is not imported by accident.
    size_t at = text.find(":-----BEGIN");
    ASSERT_NE(at, std::string::npos);
    text.erase(at, 1);
    std::filesystem::path path = m_home.path() / "revoke.asc";
    ASSERT_TRUE(util::write_file_atomic(path, text).has_value());
    gpg("--import " + path.string());
  }

  /// Runs gpg on this signer's home; returns stdout.
  std::string gpg(const std::string& args) const {
    return run_command("gpg --homedir " + m_home.path().string() +
                       " --batch --quiet --no-tty --passphrase '' --pinentry-mode loopback " +
                       args + " 2>/dev/null");
  }

 private:
  TestSigner(util::TempDir home, std::string faked_time)
      : m_home(std::move(home)), m_faked_time(std::move(faked_time)) {}

  static std::string nonempty(std::string output) {
    EXPECT_FALSE(output.empty()) << "gpg printed nothing";
    return output;
  }

  std::string time_flag() const {
    return m_faked_time.empty() ? "" : "--faked-system-time " + m_faked_time + " ";
  }

  std::string primary_fingerprint() const {
    std::string listing = gpg("--with-colons --list-keys");
    for (const std::string& line : util::split(listing, '\n')) {
      if (util::starts_with(line, "fpr:")) {
        auto fields = util::split(line, ':');
        if (fields.size() > 9) return util::to_lower(fields[9]);
      }
    }
    ADD_FAILURE() << "no fingerprint in gpg listing:\n" << listing;
    return {};
  }

  util::TempDir m_home;
  std::string m_faked_time;
  std::string m_fingerprint;
};

}  // namespace rkt::test
