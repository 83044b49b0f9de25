#include "image/fetcher.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "image/aci_file.hpp"
#include "image/docker/docker_fetch.hpp"
#include "image/fetch_context.hpp"
#include "image/find_image.hpp"
#include "image/name_fetch.hpp"
#include "image/remote_aci.hpp"
#include "image/signature_check.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace rkt::image {

std::string default_signature_path(const std::string& aci_path) {
  std::string base = aci_path;
  if (util::ends_with(base, ".aci")) base.resize(base.size() - 4);
  return base + ".aci.asc";
}

Result<store::ImageInfo> Fetcher::fetch(const FetchRequest& request) {
  switch (request.ref.kind) {
    case RefKind::path:
      return fetch_file(request);
    case RefKind::hash: {
      auto found = find_stored_image(m_store, request.ref);
      if (found) log::info("using image from local store for image hash {}", request.ref.text);
      return found;
    }
    case RefKind::name:
      return fetch_name(request);
    case RefKind::url:
      return fetch_url(request);
    case RefKind::docker:
      return fetch_docker(request);
  }
  return Error::make(ErrorKind::invalid_argument, "fetching {} is not supported", request.ref.text);
}

Result<store::ImageInfo> Fetcher::fetch_docker(const FetchRequest& request) {
  RKT_TRY_ASSIGN(docker::DockerRef ref, docker::parse_docker_ref(request.ref.text));
  FetchContext context = fetch_context();
  const config::BasicCredentials* credentials =
      m_network.docker_credentials ? m_network.docker_credentials(ref.registry) : nullptr;
  RKT_TRY_ASSIGN(store::ImageInfo info, docker::fetch_docker_image(context, ref, credentials));
  return info;
}

Result<store::ImageInfo> Fetcher::fetch_name(const FetchRequest& request) {
  if (m_policy != PullPolicy::update) {
    auto found = find_stored_image(m_store, request.ref);
    if (found) {
      log::info("using image from local store for image name {}", request.ref.text);
      return found;
    }
    if (m_policy == PullPolicy::never) {
      return std::move(found).error().wrap("pull policy is never");
    }
  }
  FetchContext context = fetch_context();
  RKT_TRY_ASSIGN(store::ImageInfo info,
                 fetch_by_discovery(context, request.ref.name, request.ref.labels));
  return info;
}

Result<store::ImageInfo> Fetcher::fetch_url(const FetchRequest& request) {
  const std::string& url = request.ref.text;
  if (m_policy == PullPolicy::never) {
    RKT_TRY_ASSIGN(auto stored, stored_remote_image(m_store, url));
    if (!stored) {
      return Error::make(ErrorKind::not_found,
                         "{} is not in the store and the pull policy is never", url);
    }
    log::info("using image from local store for URL {}", url);
    return std::move(*stored);
  }
  FetchContext context = fetch_context();
  RemoteAci remote{
      url, request.signature_path.empty() ? default_signature_path(url) : request.signature_path};
  RKT_TRY_ASSIGN(store::ImageInfo info, fetch_remote_aci(context, remote));
  RKT_TRY(fetch_dependencies(context, info));
  return info;
}

FetchContext Fetcher::fetch_context() const {
  return FetchContext{m_store,    m_keystore, m_client,
                      m_insecure, m_policy,   m_network.trust_keys_from_https,
                      m_purpose};
}

Result<store::ImageInfo> Fetcher::fetch_file(const FetchRequest& request) {
  const std::string& path = request.ref.path;
  if (!util::is_regular(path)) {
    return Error::from_errno(ENOENT, "{}", path);
  }
  log::info("using image from file {}", path);
  if (!m_insecure.image) {
    RKT_TRY_ASSIGN(appc::ImageManifest manifest, read_aci_manifest(path));
    std::string signature =
        request.signature_path.empty() ? default_signature_path(path) : request.signature_path;
    RKT_TRY(verify_signature(manifest.name, path, signature));
  }
  RKT_TRY_ASSIGN(store::ImageInfo info, m_store.import_aci(path, store::ImportOptions{}));
  return info;
}

Result<void> Fetcher::verify_signature(const std::string& image_name, const std::string& aci_path,
                                       const std::string& signature_path) {
  auto signature = util::read_file(signature_path);
  if (!signature) {
    return std::move(signature).error().wrap(
        "no signature for {} (use --signature=FILE, or --insecure-options=image to skip the check)",
        aci_path);
  }
  UniqueFd fd(::open(aci_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return Error::from_errno(errno, "open `{}`", aci_path);
  return verify_image_signature(m_keystore, image_name, fd.get(), *signature, aci_path);
}

}  // namespace rkt::image
