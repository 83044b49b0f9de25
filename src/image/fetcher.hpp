#pragma once

#include <string>

#include "config/insecure_options.hpp"
#include "image/image_ref.hpp"
#include "image/pull_policy.hpp"
#include "store/image_store.hpp"
#include "trust/keystore.hpp"

namespace rkt::image {

struct FetchRequest {
  ImageRef ref;
  std::string signature_path;  // --signature; empty: beside the image
};

/// Gets images into the store: from the store itself, from files, (later) from the network;
/// verifies signatures unless told not to, and renders the image's tree.
class Fetcher {
 public:
  Fetcher(store::ImageStore& store, trust::Keystore keystore, config::InsecureOptions insecure,
          PullPolicy policy)
      : m_store(store), m_keystore(std::move(keystore)), m_insecure(insecure), m_policy(policy) {}

  Result<store::ImageInfo> fetch(const FetchRequest& request);

 private:
  Result<store::ImageInfo> fetch_file(const FetchRequest& request);
  Result<void> verify_signature(const std::string& image_name, const std::string& aci_path,
                                const std::string& signature_path);

  store::ImageStore& m_store;
  trust::Keystore m_keystore;
  config::InsecureOptions m_insecure;
  PullPolicy m_policy;
};

/// The signature file rkt expects beside an image: strip ".aci", append ".aci.asc".
std::string default_signature_path(const std::string& aci_path);

}  // namespace rkt::image
