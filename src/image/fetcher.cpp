#include "image/fetcher.hpp"

#include <unistd.h>

#include <iostream>

#include "image/aci_file.hpp"
#include "image/find_image.hpp"
#include "image/render.hpp"
#include "trust/signature_verifier.hpp"
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
    case RefKind::hash:
    case RefKind::name: {
      auto found = find_stored_image(m_store, request.ref);
      if (found) {
        log::info("using image from local store for image {} {}",
                  request.ref.kind == RefKind::hash ? "hash" : "name", request.ref.text);
      }
      if (found || m_policy == PullPolicy::never || request.ref.kind == RefKind::hash) return found;
      return Error::make(ErrorKind::not_found,
                         "image \"{}\" is not in the store and remote discovery is not "
                         "available yet",
                         request.ref.text);
    }
    case RefKind::url:
    case RefKind::docker:
      break;
  }
  return Error::make(ErrorKind::invalid_argument, "fetching {} is not supported yet",
                     request.ref.text);
}

Result<store::ImageInfo> Fetcher::fetch_file(const FetchRequest& request) {
  const std::string& path = request.ref.path;
  if (!util::is_regular(path)) {
    return Error::from_errno(ENOENT, "{}", path);
  }
  log::info("using image from file {}", path);
  if (!m_insecure.image) {
    RKT_TRY_ASSIGN(appc::ImageManifest manifest, read_aci_manifest(path));
    std::string signature = request.signature_path.empty() ? default_signature_path(path)
                                                           : request.signature_path;
    RKT_TRY(verify_signature(manifest.name, path, signature));
  }
  RKT_TRY_ASSIGN(store::ImageInfo info, m_store.import_aci(path, store::ImportOptions{}));
  // Rendered trees keep file owners, which needs root; a `rkt` group member's fetch leaves the
  // rendering to the first pod that uses the image, as rkt did.
  if (::geteuid() == 0) RKT_TRY(render_image(m_store, info));
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
  RKT_TRY_ASSIGN(auto keys, m_keystore.keys_for_name(image_name));
  if (keys.empty()) {
    return Error::make(ErrorKind::verification_failed,
                       "no keys trusted for prefix \"{0}\": trust the image's signing key with "
                       "`rkt trust --prefix={0} KEYFILE`",
                       image_name);
  }
  RKT_TRY_ASSIGN(auto verified, trust::verify_detached(keys, aci_path, *signature));
  log::info("signature verified:");
  for (const std::string& identity : verified.identities) std::cerr << "  " << identity << "\n";
  return {};
}

}  // namespace rkt::image
