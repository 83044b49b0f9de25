#include "gpg_key.hpp"

#include <stdlib.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "process.hpp"

namespace rkt::functional {

GpgKey::GpgKey(std::string user_id, KeyAlgorithm algorithm) : m_user_id(std::move(user_id)) {
  // A short path: gpg-agent's socket lives in the home and sun_path is 108 bytes.
  std::string tmpl = std::string(k_gpg_home_prefix) + "XXXXXX";
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp for GNUPGHOME failed");
  m_home = tmpl;
  const char* algo = algorithm == KeyAlgorithm::ed25519 ? "ed25519" : "rsa2048";
  run_gpg({"--passphrase", "", "--quick-gen-key", m_user_id, algo, "sign", "never"});

  std::istringstream colons(run_gpg({"--with-colons", "--list-keys", m_user_id}));
  for (std::string line; std::getline(colons, line);) {
    if (line.rfind("fpr:", 0) != 0) continue;
    // fpr:::::::::<FINGERPRINT>:
    std::string field = line.substr(0, line.size() - 1);
    m_fingerprint = field.substr(field.rfind(':') + 1);
    break;
  }
  if (m_fingerprint.size() != 40) throw std::runtime_error("no fingerprint for " + m_user_id);
  for (auto& c : m_fingerprint) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));

  m_public_key = m_home / "public-key.asc";
  std::ofstream(m_public_key) << run_gpg({"--armor", "--export", m_fingerprint});
  // The home is 0700; the key must be readable by the unprivileged test user too.
  fs::permissions(m_home, static_cast<fs::perms>(0755));
  fs::permissions(m_public_key, static_cast<fs::perms>(0644));
}

GpgKey::~GpgKey() {
  run_process({"gpgconf", "--homedir", m_home.string(), "--kill", "all"});
  // The agent removes its sockets as it exits: wait for it, reap it, then remove the home
  // (retrying, as a socket may vanish under remove_all's feet).
  auto agent_alive = [this] {
    for (const auto& cmdline : live_children("gpg-agent")) {
      if (cmdline.find(m_home.string()) != std::string::npos) return true;
    }
    return false;
  };
  for (int i = 0; i < 300 && agent_alive(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  reap_orphans();
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::error_code ec;
    fs::remove_all(m_home, ec);
    if (!ec && !fs::exists(m_home)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string GpgKey::run_gpg(std::initializer_list<std::string> args) const {
  std::vector<std::string> argv = {"gpg", "--batch", "--quiet", "--homedir", m_home.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_checked(argv);
}

fs::path GpgKey::sign(const fs::path& file, fs::path signature) const {
  if (signature.empty()) signature = file.string() + ".asc";
  run_gpg({"--yes", "--armor", "--local-user", m_fingerprint, "--output", signature.string(),
           "--detach-sign", file.string()});
  fs::permissions(signature, static_cast<fs::perms>(0644));
  return signature;
}

}  // namespace rkt::functional
