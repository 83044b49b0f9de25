#include "image/name_fetch.hpp"

#include <algorithm>

#include "appc/os_arch.hpp"
#include "image/discovery.hpp"
#include "image/key_fetch.hpp"
#include "image/remote_aci.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace rkt::image {

namespace {

/// appc dependencies form a DAG; a chain this deep is a loop.
constexpr int k_max_dependency_depth = 32;

bool has_label(const appc::Labels& labels, std::string_view name) {
  return std::any_of(labels.begin(), labels.end(),
                     [&](const appc::Label& label) { return label.name == name; });
}

Result<store::ImageInfo> fetch_named(const FetchContext& context, std::string_view name,
                                     const appc::Labels& requested, int depth);

Result<void> fetch_dependencies_at(const FetchContext& context, const store::ImageInfo& image,
                                   int depth) {
  if (depth > k_max_dependency_depth) {
    return Error::make(ErrorKind::invalid_argument,
                       "dependencies of {} nest deeper than {} levels (a loop?)", image.name,
                       k_max_dependency_depth);
  }
  for (const appc::Dependency& dependency : image.manifest.dependencies) {
    if (!dependency.image_id.empty()) {
      if (context.store.get_by_key(dependency.image_id)) continue;
    } else if (context.store.find_by_name(dependency.image_name, dependency.labels)) {
      continue;
    }
    auto fetched = fetch_named(context, dependency.image_name, dependency.labels, depth + 1);
    if (!fetched) {
      return std::move(fetched).error().wrap("dependency {} of {}", dependency.image_name,
                                             image.name);
    }
    if (!dependency.image_id.empty() && !util::starts_with(fetched->id, dependency.image_id)) {
      return Error::make(ErrorKind::verification_failed,
                         "dependency {} of {}: fetched image {} is not the required {}",
                         dependency.image_name, image.name, fetched->id, dependency.image_id);
    }
  }
  return {};
}

Result<store::ImageInfo> fetch_from_endpoints(const FetchContext& context, std::string_view name,
                                              const appc::Labels& requested,
                                              const DiscoveryResult& found) {
  std::vector<std::string> failures;
  for (const AciEndpoint& endpoint : found.acis) {
    // Only what the user asked for must match: os and arch defaults may be absent from images.
    RemoteAci remote{endpoint.aci, endpoint.asc, !has_label(requested, "version"),
                     std::string(name), requested};
    auto info = fetch_remote_aci(context, remote);
    if (info) return info;
    // A bad signature or image is an answer, not a reason to try a mirror.
    if (info.error().kind == ErrorKind::verification_failed) return info;
    failures.push_back(info.error().message);
  }
  return Error::make(ErrorKind::network, "fetching {}: {}", name, util::join(failures, "; "));
}

Result<store::ImageInfo> fetch_named(const FetchContext& context, std::string_view name,
                                     const appc::Labels& requested, int depth) {
  RKT_TRY_ASSIGN(appc::Labels labels, labels_with_host_defaults(requested));
  log::info("searching for app image {}", name);
  RKT_TRY_ASSIGN(DiscoveryResult found,
                 discover(context.client, name, labels, DiscoveryWant::images));
  if (context.trust_keys_from_https && !context.insecure.image) {
    RKT_TRY(trust_discovered_keys(context, name, found.keys));
  }
  RKT_TRY_ASSIGN(store::ImageInfo info,
                 fetch_from_endpoints(context, name, requested, found));
  RKT_TRY(fetch_dependencies_at(context, info, depth));
  return info;
}

}  // namespace

Result<appc::Labels> labels_with_host_defaults(appc::Labels labels) {
  appc::OsArch host = appc::host_os_arch();
  if (!has_label(labels, "os")) labels.push_back(appc::Label{"os", host.os});
  if (!has_label(labels, "arch")) labels.push_back(appc::Label{"arch", host.arch});
  RKT_TRY(appc::validate_os_arch_labels(labels));
  return labels;
}

Result<store::ImageInfo> fetch_by_discovery(const FetchContext& context, std::string_view name,
                                            const appc::Labels& labels) {
  return fetch_named(context, name, labels, 0);
}

Result<void> fetch_dependencies(const FetchContext& context, const store::ImageInfo& image) {
  return fetch_dependencies_at(context, image, 0);
}

}  // namespace rkt::image
