// stage0's side of the service: pods register and unregister over the unix socket.
#include <nlohmann/json.hpp>

#include "mds/routes.hpp"
#include "util/log.hpp"

namespace rkt::mds {

namespace {

void reply(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "text/plain; charset=us-ascii");
}

int status_of(const Error& error) {
  return error.kind == ErrorKind::not_found ? 404 : 400;
}

}  // namespace

void add_registration_routes(httplib::Server& server, PodRegistry& registry, int public_port) {
  server.Put(R"(/pods/([^/]+))", [&registry, public_port](const httplib::Request& req,
                                                          httplib::Response& res) {
    std::string token = req.has_param("token") ? req.get_param_value("token") : "";
    auto added = registry.add_pod(req.matches[1].str(), token, req.body);
    if (!added) return reply(res, status_of(added.error()), added.error().message + "\n");
    log::info("registered pod {}", req.matches[1].str());
    res.set_content(nlohmann::json{{"port", public_port}}.dump(), "application/json");
  });
  server.Put(R"(/pods/([^/]+)/([^/]+))", [&registry](const httplib::Request& req,
                                                     httplib::Response& res) {
    auto added = registry.add_app(req.matches[1].str(), req.matches[2].str(), req.body);
    if (!added) return reply(res, status_of(added.error()), added.error().message + "\n");
    reply(res, 200, "");
  });
  server.Delete(R"(/pods/([^/]+))", [&registry](const httplib::Request& req,
                                                httplib::Response& res) {
    auto removed = registry.remove(req.matches[1].str());
    if (!removed) return reply(res, 404, removed.error().message + "\n");
    log::info("unregistered pod {}", req.matches[1].str());
    reply(res, 200, "");
  });
}

void harden(httplib::Server& server, size_t max_body) {
  constexpr size_t k_workers = 32;
  server.new_task_queue = [] { return new httplib::ThreadPool(k_workers); };
  server.set_payload_max_length(max_body);
  server.set_read_timeout(std::chrono::seconds(2));
  server.set_write_timeout(std::chrono::seconds(5));
  server.set_keep_alive_timeout(2);
  server.set_keep_alive_max_count(20);
  server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    // The first path segment of the apps' side is the pod's token: keep it out of the log.
    std::string path = req.path;
    if (path.size() > 1 && !path.starts_with("/pods/")) {
      auto slash = path.find('/', 1);
      path = "/<token>" + (slash == std::string::npos ? "" : path.substr(slash));
    }
    log::debug("{} {} - {}", req.method, path, res.status);
  });
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                  std::exception_ptr) {
    res.status = 500;
    res.set_content("internal error\n", "text/plain; charset=us-ascii");
  });
}

}  // namespace rkt::mds
