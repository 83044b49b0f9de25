#include "web_server.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "rkt_ctx.hpp"

namespace rkt::functional {

namespace {

using namespace std::chrono_literals;

constexpr const char* k_python = "/usr/bin/python3";

std::vector<std::string> new_key(const fs::path& key) {
  return {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
          key.string()};
}

std::string random_loopback_ip() {
  std::random_device device;
  std::uniform_int_distribution<int> octet(2, 250);
  return "127." + std::to_string(octet(device)) + "." + std::to_string(octet(device)) + "." +
         std::to_string(octet(device));
}

}  // namespace

TestCa::TestCa(fs::path dir) : m_dir(std::move(dir)) {
  fs::create_directories(m_dir);
  m_key = m_dir / "ca.key";
  m_cert = m_dir / "ca.crt";
  std::vector<std::string> argv = {"openssl", "req", "-x509"};
  for (auto& arg : new_key(m_key)) argv.push_back(arg);
  argv.push_back("-out");
  for (std::string arg : {m_cert.string(), std::string("-days"), std::string("2"),
                          std::string("-subj"), std::string("/CN=rkt test CA")}) {
    argv.push_back(arg);
  }
  run_checked(argv);
  fs::permissions(m_cert, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
}

std::pair<fs::path, fs::path> TestCa::issue(const std::string& ip, bool expired) const {
  std::string stem = ip + (expired ? "-expired" : "");
  fs::path key = m_dir / (stem + ".key");
  fs::path csr = m_dir / (stem + ".csr");
  fs::path cert = m_dir / (stem + ".crt");
  fs::path ext = m_dir / (stem + ".ext");
  write_text(ext, "subjectAltName=IP:" + ip + "\n");
  std::vector<std::string> req = {"openssl", "req", "-new"};
  for (auto& arg : new_key(key)) req.push_back(arg);
  req.insert(req.end(), {"-out", csr.string(), "-subj", "/CN=" + ip});
  run_checked(req);
  if (!expired) {
    run_checked({"openssl", "x509", "-req", "-in", csr.string(), "-CA", m_cert.string(), "-CAkey",
                 m_key.string(), "-CAcreateserial", "-out", cert.string(), "-days", "1",
                 "-extfile", ext.string()});
    return {key, cert};
  }
  // `openssl ca` is the tool that takes explicit validity dates.
  fs::path db = m_dir / "ca-db";
  fs::create_directories(db);
  write_text(db / "index.txt", "");
  write_text(db / "serial", "1000\n");
  write_text(db / "ca.cnf", "[ca]\ndefault_ca=d\n[d]\ndatabase=" + (db / "index.txt").string() +
                                "\nnew_certs_dir=" + db.string() + "\nserial=" +
                                (db / "serial").string() +
                                "\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n");
  run_checked({"openssl", "ca", "-batch", "-notext", "-config", (db / "ca.cnf").string(), "-cert",
               m_cert.string(), "-keyfile", m_key.string(), "-in", csr.string(), "-out",
               cert.string(), "-startdate", "20200101000000Z", "-enddate", "20200102000000Z",
               "-extfile", ext.string()});
  return {key, cert};
}

std::pair<fs::path, fs::path> TestCa::self_signed(const std::string& ip) const {
  fs::path key = m_dir / (ip + "-self.key");
  fs::path cert = m_dir / (ip + "-self.crt");
  std::vector<std::string> argv = {"openssl", "req", "-x509"};
  for (auto& arg : new_key(key)) argv.push_back(arg);
  argv.insert(argv.end(), {"-out", cert.string(), "-days", "1", "-subj", "/CN=" + ip, "-addext",
                           "subjectAltName=IP:" + ip});
  run_checked(argv);
  return {key, cert};
}

std::pair<fs::path, fs::path> TestCa::issue_rsa_signer(const std::string& name) const {
  fs::path key = m_dir / (name + ".key");
  fs::path csr = m_dir / (name + ".csr");
  fs::path cert = m_dir / (name + ".crt");
  run_checked({"openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key.string(),
               "-out", csr.string(), "-subj", "/CN=" + name});
  run_checked({"openssl", "x509", "-req", "-in", csr.string(), "-CA", m_cert.string(), "-CAkey",
               m_key.string(), "-CAcreateserial", "-out", cert.string(), "-days", "1"});
  return {key, cert};
}

WebServer::WebServer(const fs::path& dir, ServerCert cert)
    : m_dir(dir), m_ca(dir / "ca"), m_ip(random_loopback_ip()),
      m_scheme(cert == ServerCert::none ? "http" : "https") {
  fs::create_directories(root());
  fs::permissions(m_dir, fs::perms::all, fs::perm_options::add);
  write_text(m_dir / "rules.json", "{}");
  std::vector<std::string> argv = {k_python,
                                   (source_dir() / "tests/functional/helpers/https_server.py").string(),
                                   "--bind", m_ip, "--port", cert == ServerCert::none ? "80" : "443",
                                   "--root", root().string(), "--rules",
                                   (m_dir / "rules.json").string(), "--log",
                                   (m_dir / "requests.log").string(), "--ready",
                                   (m_dir / "ready").string()};
  if (cert != ServerCert::none) {
    auto [key, crt] = cert == ServerCert::self_signed ? m_ca.self_signed(m_ip)
                                                      : m_ca.issue(m_ip, cert == ServerCert::expired);
    for (const std::string& arg : {std::string("--cert"), crt.string(), std::string("--key"),
                                   key.string()}) {
      argv.push_back(arg);
    }
  }
  ProcOptions options;
  options.timeout = std::chrono::hours(2);
  m_child.emplace(Child::spawn(argv, options));
  for (int i = 0; i < 500 && !fs::exists(m_dir / "ready"); ++i) std::this_thread::sleep_for(20ms);
  if (!fs::exists(m_dir / "ready")) {
    ProcResult r = m_child->wait();
    throw std::runtime_error("the test web server did not start: " + r.err);
  }
  if (const char* saved = ::getenv("SSL_CERT_FILE")) m_saved_cert_env = saved;
  ::setenv("SSL_CERT_FILE", m_ca.cert().c_str(), 1);
}

WebServer::~WebServer() {
  if (m_saved_cert_env) {
    ::setenv("SSL_CERT_FILE", m_saved_cert_env->c_str(), 1);
  } else {
    ::unsetenv("SSL_CERT_FILE");
  }
  if (m_child) {
    m_child->kill(SIGKILL);
    m_child->wait();
  }
}

std::string WebServer::url(std::string_view path) const {
  return m_scheme + "://" + m_ip + std::string(path);
}

void WebServer::put(std::string_view path, std::string_view content) const {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  write_text(root() / std::string(path), content);
}

void WebServer::put_file(std::string_view path, const fs::path& source) const {
  put(path, read_text(source));
}

void WebServer::put_discovery(std::string_view path,
                              const std::vector<std::pair<std::string, std::string>>& meta) const {
  std::string html = "<!DOCTYPE html>\n<html>\n<head>\n";
  for (const auto& [name, content] : meta) {
    html += "  <meta name=\"" + name + "\" content=\"" + content + "\">\n";
  }
  html += "</head>\n<body>discovery</body>\n</html>\n";
  put(std::string(path) + "/index.html", html);
}

void WebServer::rule(std::string_view path, nlohmann::json rule) {
  m_rules[std::string(path)] = std::move(rule);
  fs::path tmp = m_dir / "rules.json.tmp";
  write_text(tmp, m_rules.dump());
  fs::rename(tmp, m_dir / "rules.json");
}

std::vector<nlohmann::json> WebServer::requests() const {
  std::vector<nlohmann::json> out;
  std::istringstream in(read_text(m_dir / "requests.log"));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

}  // namespace rkt::functional
