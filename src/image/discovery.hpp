#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "appc/types.hpp"
#include "image/discovery_meta.hpp"
#include "image/http_client.hpp"
#include "util/result.hpp"

namespace rkt::image {

/// Where an image and its signature can be downloaded from.
struct AciEndpoint {
  std::string aci;
  std::string asc;
};

/// What appc meta discovery found for a name.
struct DiscoveryResult {
  std::vector<AciEndpoint> acis;
  std::vector<std::string> keys;  // ac-discovery-pubkeys URLs
};

/// Fills a discovery template: {name}, {ext} and any label ({version}, {os}, {arch}, ...).
/// nullopt if a {variable} is left that nothing fills (appc: the template is then skipped).
std::optional<std::string> render_template(std::string_view url_template,
                                           const std::map<std::string, std::string>& vars);

/// The endpoints and keys of one page's meta tags that apply to `name` (tag prefix is a prefix
/// of the name), in page order. `labels` must already hold version (default "latest"), os, arch.
DiscoveryResult endpoints_from_tags(const std::vector<MetaTag>& tags, std::string_view name,
                                    const appc::Labels& labels);

/// The discovery URLs rkt tries for `name`: https://NAME?ac-discovery=1, then each parent path
/// (a.com/p/s, a.com/p, a.com); with plain HTTP allowed, each also over http://.
std::vector<std::string> discovery_urls(std::string_view name, bool allow_http);

enum class DiscoveryWant { images, keys };

/// appc meta discovery: fetches the discovery pages from the most specific name up and returns
/// the first page's findings that have what is wanted. Fails naming every URL tried.
Result<DiscoveryResult> discover(const HttpClient& client, std::string_view name,
                                 const appc::Labels& labels, DiscoveryWant want);

}  // namespace rkt::image
