#pragma once

// Debian's docker-registry on a loopback port with a temporary storage directory, fed with skopeo
// from OCI layouts the tests write by hand (layers are tar.gz made with GNU tar).

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "process.hpp"
#include "web_server.hpp"

namespace rkt::functional {

namespace fs = std::filesystem;

/// One layer: files (path → content), whiteouts (".wh." files) and opaque directories.
struct OciLayer {
  std::map<std::string, std::string> files;
  std::vector<std::string> removed;  // paths deleted from the layers below
  std::vector<std::string> opaque;   // directories emptied of the layers below
  bool busybox = false;              // /bin/busybox from busybox-static, with sh/echo/cat/ls links
  std::map<std::string, std::string> hardlinks;  // path -> a file of `files` it is a link to
  size_t cut_at = 0;  // >0: the compressed layer ends here (its digest checks out, it is broken)
};

/// An image for one platform: layers bottom first and the config's "config" object.
struct OciImage {
  std::vector<OciLayer> layers;
  nlohmann::json config = nlohmann::json::object();
  std::string architecture = "amd64";
};

/// Writes an OCI image layout at `dir` with tag `tag`: one image, or (several platforms) an
/// index. Returns `dir`.
fs::path write_oci_layout(const fs::path& dir, const std::string& tag,
                          const std::vector<OciImage>& platforms);

enum class PushFormat { oci, docker_v2s2 };

/// An auth-enabled registry: HTTPS with a certificate from `ca` (the auth schemes want TLS) and
/// either htpasswd (Basic) or Docker's token auth (Bearer tokens from `token_realm`, which must
/// hand out DockerRegistry::token(), e.g. a WebServer file behind basic_auth).
struct RegistryAuth {
  enum class Kind { basic, token };
  Kind kind = Kind::basic;
  const TestCa* ca = nullptr;
  std::string user;
  std::string password;
  std::string token_realm;
};

class DockerRegistry {
 public:
  explicit DockerRegistry(const fs::path& dir, std::optional<RegistryAuth> auth = std::nullopt);
  DockerRegistry(const DockerRegistry&) = delete;
  DockerRegistry& operator=(const DockerRegistry&) = delete;
  ~DockerRegistry();

  /// "127.0.0.1:PORT".
  const std::string& address() const { return m_address; }
  /// skopeo copy of an OCI layout's tag "t" to NAME:TAG here (--all for indexes).
  void push(const fs::path& layout, const std::string& name_tag,
            PushFormat format = PushFormat::docker_v2s2) const;
  /// The registry's own file for blob `digest` ("sha256:..."), to corrupt on purpose.
  fs::path blob_data(const std::string& digest) const;
  /// Digest of the manifest tag NAME:TAG points to, as stored.
  std::string manifest_digest(const std::string& name, const std::string& tag) const;
  /// Digest of layer `index` (bottom first) of the image manifest NAME:TAG points to.
  std::string layer_digest(const std::string& name, const std::string& tag, size_t index) const;
  /// Token auth: the token endpoint's JSON answer, a JWT granting pull and push on
  /// `repositories`, signed by a key the registry trusts.
  std::string token_answer(const std::vector<std::string>& repositories) const;

 private:
  std::string config_yaml() const;

  fs::path m_dir;
  std::optional<RegistryAuth> m_auth;
  std::string m_address;
  std::optional<Child> m_child;
};

}  // namespace rkt::functional
