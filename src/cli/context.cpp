#include "cli/context.hpp"

#include <unistd.h>

namespace rkt::cli {

Result<const config::Config*> Context::config() {
  if (!m_config) {
    RKT_TRY_ASSIGN(auto loaded, config::load_config(m_globals.system_config, m_globals.local_config,
                                                    m_globals.user_config));
    m_config = std::move(loaded);
  }
  return &*m_config;
}

Result<std::filesystem::path> Context::data_dir() {
  if (!m_globals.dir.empty()) return std::filesystem::path(m_globals.dir);
  RKT_TRY_ASSIGN(const config::Config* cfg, config());
  if (!cfg->paths.data.empty()) return std::filesystem::path(cfg->paths.data);
  return std::filesystem::path("/var/lib/rkt");
}

Result<store::ImageStore*> Context::store() {
  if (!m_store) {
    RKT_TRY_ASSIGN(auto dir, data_dir());
    RKT_TRY_ASSIGN(auto opened, store::ImageStore::open(dir));
    m_store = std::make_unique<store::ImageStore>(std::move(opened));
  }
  return m_store.get();
}

trust::Keystore Context::keystore() const {
  return trust::Keystore(
      trust::KeystoreConfig{std::filesystem::path(m_globals.system_config) / "trustedkeys",
                            std::filesystem::path(m_globals.local_config) / "trustedkeys"});
}

Result<pod::PodsDir> Context::pods_dir() {
  RKT_TRY_ASSIGN(auto dir, data_dir());
  return pod::PodsDir(dir);
}

Result<image::Fetcher> Context::fetcher(image::PullPolicy policy, image::FetchPurpose purpose) {
  RKT_TRY_ASSIGN(store::ImageStore * opened, store());
  RKT_TRY_ASSIGN(const config::Config* cfg, config());
  image::NetworkSettings network{
      [cfg](std::string_view host) { return config::auth_headers_for(*cfg, host); },
      m_globals.trust_keys_from_https,
      [cfg](std::string_view registry) { return config::docker_credentials_for(*cfg, registry); }};
  return image::Fetcher(*opened, keystore(), insecure(), policy, std::move(network), purpose);
}

Result<void> require_root(std::string_view command) {
  if (::geteuid() != 0) {
    return Error::make(ErrorKind::permission, "{} must be run as root", command);
  }
  return {};
}

}  // namespace rkt::cli
