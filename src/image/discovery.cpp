#include "image/discovery.hpp"

#include "util/strings.hpp"

namespace rkt::image {

namespace {

constexpr size_t k_max_discovery_page = 1 << 20;

std::map<std::string, std::string> template_vars(std::string_view name, const appc::Labels& labels) {
  std::map<std::string, std::string> vars;
  for (const appc::Label& label : labels) vars[label.name] = label.value;
  if (vars.find("version") == vars.end()) vars["version"] = "latest";
  vars["name"] = std::string(name);
  return vars;
}

bool has_wanted(const DiscoveryResult& result, DiscoveryWant want) {
  return want == DiscoveryWant::images ? !result.acis.empty() : !result.keys.empty();
}

/// "PREFIX VALUE" of a tag's content, if PREFIX is a prefix of `name`.
std::optional<std::string> matching_value(std::string_view content, std::string_view name) {
  std::vector<std::string> fields;
  for (const std::string& field : util::split(util::trim(content), ' ')) {
    if (!field.empty()) fields.push_back(field);
  }
  if (fields.size() != 2 || !util::starts_with(name, fields[0])) return std::nullopt;
  return fields[1];
}

}  // namespace

std::optional<std::string> render_template(std::string_view url_template,
                                           const std::map<std::string, std::string>& vars) {
  std::string out;
  size_t pos = 0;
  while (pos < url_template.size()) {
    size_t open = url_template.find('{', pos);
    if (open == std::string_view::npos) {
      out.append(url_template.substr(pos));
      break;
    }
    size_t close = url_template.find('}', open);
    if (close == std::string_view::npos) return std::nullopt;
    out.append(url_template.substr(pos, open - pos));
    auto it = vars.find(std::string(url_template.substr(open + 1, close - open - 1)));
    if (it == vars.end()) return std::nullopt;
    out.append(it->second);
    pos = close + 1;
  }
  return out;
}

DiscoveryResult endpoints_from_tags(const std::vector<MetaTag>& tags, std::string_view name,
                                    const appc::Labels& labels) {
  DiscoveryResult result;
  auto vars = template_vars(name, labels);
  for (const MetaTag& tag : tags) {
    if (tag.name == "ac-discovery-pubkeys") {
      if (auto key = matching_value(tag.content, name)) result.keys.push_back(*key);
      continue;
    }
    if (tag.name != "ac-discovery") continue;
    auto url_template = matching_value(tag.content, name);
    if (!url_template) continue;
    vars["ext"] = "aci";
    auto aci = render_template(*url_template, vars);
    vars["ext"] = "aci.asc";
    auto asc = render_template(*url_template, vars);
    if (aci && asc) result.acis.push_back(AciEndpoint{*aci, *asc});
  }
  return result;
}

std::vector<std::string> discovery_urls(std::string_view name, bool allow_http) {
  std::vector<std::string> urls;
  std::string path(name);
  while (!path.empty()) {
    urls.push_back("https://" + path + "?ac-discovery=1");
    if (allow_http) urls.push_back("http://" + path + "?ac-discovery=1");
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) break;
    path.resize(slash);
  }
  return urls;
}

Result<DiscoveryResult> discover(const HttpClient& client, std::string_view name,
                                 const appc::Labels& labels, DiscoveryWant want) {
  std::vector<std::string> failures;
  for (const std::string& url : discovery_urls(name, client.security().allow_http)) {
    auto page = client.get_text(url, {}, k_max_discovery_page);
    if (!page) {
      failures.push_back(page.error().message);
      continue;
    }
    DiscoveryResult result = endpoints_from_tags(parse_meta_tags(*page), name, labels);
    if (has_wanted(result, want)) return result;
    failures.push_back(url + ": no " +
                       (want == DiscoveryWant::images ? "ac-discovery" : "ac-discovery-pubkeys") +
                       " meta tags for " + std::string(name));
  }
  return Error::make(ErrorKind::not_found, "discovery failed for {}: {}", name,
                     util::join(failures, "; "));
}

}  // namespace rkt::image
