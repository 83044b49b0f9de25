#include "pod/mds_registration.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "mds/registration_client.hpp"
#include "util/file.hpp"
#include "util/log.hpp"
#include "util/unique_fd.hpp"

namespace rkt::pod {

namespace {

constexpr const char* k_registered_file = "mds-registered";

Result<void> append_line(const std::filesystem::path& path, const std::string& line) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) return Error::from_errno(errno, "open `{}`", path.string());
  if (::write(fd.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    return Error::from_errno(errno, "write `{}`", path.string());
  }
  return {};
}

}  // namespace

Result<std::string> register_with_metadata_service(const PodPaths& paths, std::string_view uuid,
                                                   const appc::PodManifest& manifest,
                                                   std::string_view host) {
  auto socket = mds::registration_socket_path();
  RKT_TRY_ASSIGN(std::string pod_json, util::read_file(paths.manifest()));
  std::vector<mds::AppRegistration> apps;
  for (const auto& app : manifest.apps) {
    RKT_TRY_ASSIGN(std::string image_json, util::read_file(paths.app_image_manifest(app.name)));
    apps.push_back({app.name, std::move(image_json)});
  }
  RKT_TRY_ASSIGN(std::string token, mds::make_token());
  // Recorded first: a registration that fails half-way is still undone by gc.
  RKT_TRY(util::write_file_atomic(paths.dir / k_registered_file, socket.string() + "\n"));
  RKT_TRY_ASSIGN(int port, mds::register_pod(socket, uuid, token, pod_json, apps));
  const std::string url = fmt::format("AC_METADATA_URL=http://{}:{}/{}\n", host, port, token);
  for (const auto& app : manifest.apps) RKT_TRY(append_line(paths.app_env(app.name), url));
  return token;
}

void unregister_from_metadata_service(const Pod& pod) {
  auto recorded = util::read_file(pod.paths().dir / k_registered_file);
  if (!recorded) return;
  std::string socket = *recorded;
  while (!socket.empty() && socket.back() == '\n') socket.pop_back();
  if (auto removed = mds::unregister_pod(socket, pod.uuid()); !removed) {
    log::warn("unregistering pod \"{}\" from the metadata service: {}", pod.uuid(),
              removed.error().message);
  }
}

}  // namespace rkt::pod
