#pragma once

// Real web servers on loopback for the remote-fetch tests: a test CA made with openssl at test
// time, and tests/functional/helpers/https_server.py (Debian's python3) serving files with ETags,
// ranges and scripted faults. rkt trusts the test CA through SSL_CERT_FILE, which the server
// sets in this process's environment (children inherit it) for its lifetime: TLS checks stay on.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "process.hpp"

namespace rkt::functional {

namespace fs = std::filesystem;

/// A certificate authority made for one test.
class TestCa {
 public:
  explicit TestCa(fs::path dir);
  const fs::path& cert() const { return m_cert; }
  /// A key and certificate for IP address `ip` signed by this CA ({key, cert}); `expired` makes
  /// one that was valid in 2020 only.
  std::pair<fs::path, fs::path> issue(const std::string& ip, bool expired = false) const;
  /// A self-signed key and certificate for `ip` that no CA vouches for.
  std::pair<fs::path, fs::path> self_signed(const std::string& ip) const;
  /// An RSA key and a certificate for `name` signed by this CA, to sign tokens with ({key, cert}).
  std::pair<fs::path, fs::path> issue_rsa_signer(const std::string& name) const;

 private:
  fs::path m_dir;
  fs::path m_key;
  fs::path m_cert;
};

enum class ServerCert { trusted, self_signed, expired, none /* plain http on port 80 */ };

class WebServer {
 public:
  /// Serves `dir`/root on a random 127.x.y.z, port 443 (80 for ServerCert::none).
  WebServer(const fs::path& dir, ServerCert cert = ServerCert::trusted);
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;
  ~WebServer();

  /// "127.x.y.z": the host part of image names served here (a valid AC name component).
  const std::string& host() const { return m_ip; }
  /// "https://127.x.y.z" + path.
  std::string url(std::string_view path) const;
  /// Where served files go: url("/a/b") serves root()/a/b.
  fs::path root() const { return m_dir / "root"; }
  /// Writes a file to serve (creating directories).
  void put(std::string_view path, std::string_view content) const;
  void put_file(std::string_view path, const fs::path& source) const;
  /// An HTML discovery page at `path` (served as path/index.html) with the given meta tags.
  void put_discovery(std::string_view path, const std::vector<std::pair<std::string, std::string>>& meta) const;
  /// Sets the rules of one path (see https_server.py).
  void rule(std::string_view path, nlohmann::json rule);
  /// The requests seen so far, oldest first ({method, path, headers}).
  std::vector<nlohmann::json> requests() const;
  /// The CA that signed the server's certificate (the one put in SSL_CERT_FILE).
  const TestCa& ca() const { return m_ca; }

 private:
  fs::path m_dir;
  TestCa m_ca;
  std::string m_ip;
  std::string m_scheme;
  nlohmann::json m_rules = nlohmann::json::object();
  std::optional<Child> m_child;
  std::optional<std::string> m_saved_cert_env;
};

}  // namespace rkt::functional
