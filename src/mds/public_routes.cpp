// The appc ACE metadata endpoints an app reaches through AC_METADATA_URL.
#include <nlohmann/json.hpp>

#include "appc/names.hpp"
#include "mds/routes.hpp"

namespace rkt::mds {

namespace {

constexpr const char* k_text = "text/plain; charset=us-ascii";
constexpr const char* k_json = "application/json";
constexpr const char* k_prefix = R"(/([^/]+)/acMetadata/v1)";

std::string route(std::string_view rest) { return std::string(k_prefix) + std::string(rest); }

void reply(httplib::Response& res, int status, const std::string& body, const char* type = k_text) {
  res.status = status;
  res.set_content(body, type);
}

std::string dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json annotations_json(const appc::Annotations& annotations) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& a : annotations) out.push_back({{"name", a.name}, {"value", a.value}});
  return out;
}

const appc::RuntimeApp* find_app(const RegisteredPod& pod, std::string_view name) {
  for (const auto& app : pod.manifest.apps) {
    if (app.name == name) return &app;
  }
  return nullptr;
}

/// The image's annotations overridden by the pod manifest's annotations for the app.
appc::Annotations merged_app_annotations(const RegisteredPod& pod, const appc::RuntimeApp& app,
                                         const RegisteredApp& image) {
  appc::Annotations merged = image.manifest.annotations;
  for (const auto& a : app.annotations) {
    auto same = std::find_if(merged.begin(), merged.end(), [&](auto& m) { return m.name == a.name; });
    if (same != merged.end()) {
      same->value = a.value;
    } else {
      merged.push_back(a);
    }
  }
  (void)pod;
  return merged;
}

std::optional<std::string> annotation_value(const appc::Annotations& annotations,
                                            std::string_view name) {
  for (const auto& a : annotations) {
    if (a.name == name) return a.value;
  }
  return std::nullopt;
}

using PodHandler = std::function<void(const RegisteredPod&, const httplib::Request&,
                                      httplib::Response&)>;
using AppHandler = std::function<void(const RegisteredPod&, const appc::RuntimeApp&,
                                      const RegisteredApp&, const httplib::Request&,
                                      httplib::Response&)>;

/// Resolves the token (match 1) to its pod, else 401.
httplib::Server::Handler for_pod(const PodRegistry& registry, PodHandler handler) {
  return [&registry, handler](const httplib::Request& req, httplib::Response& res) {
    auto pod = registry.by_token(req.matches[1].str());
    if (!pod) return reply(res, 401, "pod not found\n");
    handler(*pod, req, res);
  };
}

/// Resolves the token (match 1) and the app (match 2), else 401 / 400 / 404.
httplib::Server::Handler for_app(const PodRegistry& registry, AppHandler handler) {
  return for_pod(registry, [handler](const RegisteredPod& pod, const httplib::Request& req,
                                     httplib::Response& res) {
    std::string name = req.matches[2].str();
    if (!appc::is_ac_name(name)) {
      return reply(res, 400, fmt::format("App name {} is not a valid AC Name\n", appc::quote(name)));
    }
    const appc::RuntimeApp* app = find_app(pod, name);
    auto image = pod.apps.find(name);
    if (!app || image == pod.apps.end()) return reply(res, 404, "app not found\n");
    handler(pod, *app, image->second, req, res);
  });
}

void get_annotation(const appc::Annotations& annotations, const std::string& name,
                    const char* what, httplib::Response& res) {
  if (!appc::is_ac_identifier(name)) {
    return reply(res, 400, fmt::format("{} annotation {} is not a valid AC Identifier\n", what,
                                       appc::quote(name)));
  }
  auto value = annotation_value(annotations, name);
  if (!value) {
    return reply(res, 404, fmt::format("{} annotation {} not found\n", what, appc::quote(name)));
  }
  reply(res, 200, *value);
}

/// A form field from the body (application/x-www-form-urlencoded) or the query string.
std::optional<std::string> form_value(const httplib::Request& req, const char* name) {
  if (req.params.count(name) != 1) return std::nullopt;
  return req.get_param_value(name);
}

void sign_content(const HmacKey& key, const RegisteredPod& pod, const httplib::Request& req,
                  httplib::Response& res) {
  auto content = form_value(req, "content");
  if (!content || content->empty()) return reply(res, 400, "content form value not found\n");
  reply(res, 200, sign(key, pod.uuid_bytes, *content));
}

void verify_content(const HmacKey& key, const httplib::Request& req, httplib::Response& res) {
  auto uuid_text = form_value(req, "uuid");
  auto uuid = uuid_text ? parse_uuid(*uuid_text) : std::nullopt;
  if (!uuid) return reply(res, 400, "uuid field missing or malformed\n");
  auto content = form_value(req, "content");
  if (!content || content->empty()) return reply(res, 400, "content field missing\n");
  auto signature = form_value(req, "signature");
  auto valid = signature ? verify(key, *uuid, *content, *signature) : std::nullopt;
  if (!valid) return reply(res, 400, "signature field missing or corrupt\n");
  reply(res, *valid ? 200 : 403, "");
}

}  // namespace

void add_public_routes(httplib::Server& server, const PodRegistry& registry, const HmacKey& key) {
  server.Get(route("/pod/annotations/?"), for_pod(registry, [](auto& pod, auto&, auto& res) {
               reply(res, 200, dump(annotations_json(pod.manifest.annotations)), k_json);
             }));
  server.Get(route("/pod/annotations/([^/]+)"), for_pod(registry, [](auto& pod, auto& req, auto& res) {
               get_annotation(pod.manifest.annotations, req.matches[2].str(), "Pod", res);
             }));
  server.Get(route("/pod/manifest"), for_pod(registry, [](auto& pod, auto&, auto& res) {
               reply(res, 200, pod.manifest_json, k_json);
             }));
  server.Get(route("/pod/uuid"), for_pod(registry, [](auto& pod, auto&, auto& res) {
               reply(res, 200, pod.uuid);
             }));
  server.Get(route("/apps/([^/]+)/annotations/?"),
             for_app(registry, [](auto& pod, auto& app, auto& image, auto&, auto& res) {
               auto merged = merged_app_annotations(pod, app, image);
               reply(res, 200, dump(annotations_json(merged)), k_json);
             }));
  server.Get(route("/apps/([^/]+)/annotations/([^/]+)"),
             for_app(registry, [](auto& pod, auto& app, auto& image, auto& req, auto& res) {
               get_annotation(merged_app_annotations(pod, app, image), req.matches[3].str(), "App",
                              res);
             }));
  server.Get(route("/apps/([^/]+)/image/manifest"),
             for_app(registry, [](auto&, auto&, auto& image, auto&, auto& res) {
               reply(res, 200, image.manifest_json, k_json);
             }));
  server.Get(route("/apps/([^/]+)/image/id"),
             for_app(registry, [](auto&, auto& app, auto&, auto&, auto& res) {
               reply(res, 200, app.image.id);
             }));
  server.Post(route("/pod/hmac/sign"), for_pod(registry, [&key](auto& pod, auto& req, auto& res) {
                sign_content(key, pod, req, res);
              }));
  server.Post(route("/pod/hmac/verify"), for_pod(registry, [&key](auto&, auto& req, auto& res) {
                verify_content(key, req, res);
              }));
}

}  // namespace rkt::mds
