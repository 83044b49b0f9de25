#include "image/docker/docker_ref.hpp"

#include "util/strings.hpp"

namespace rkt::image::docker {

namespace {

constexpr const char* k_docker_hub = "registry-1.docker.io";

/// Docker's rule: the first component names a registry when it has a dot or a port, or is
/// "localhost".
bool is_registry(std::string_view component) {
  return component.find('.') != std::string_view::npos ||
         component.find(':') != std::string_view::npos || component == "localhost";
}

}  // namespace

std::string DockerRef::canonical() const {
  return "docker://" + registry + "/" + repository + (digest.empty() ? ":" + tag : "@" + digest);
}

Result<DockerRef> parse_docker_ref(std::string_view text) {
  std::string_view rest = text;
  if (util::starts_with(rest, "docker://")) {
    rest.remove_prefix(9);
  } else if (util::starts_with(rest, "docker:")) {
    rest.remove_prefix(7);
  }
  if (rest.empty()) return Error::make(ErrorKind::invalid_argument, "empty docker image name");
  DockerRef ref;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    ref.digest = std::string(rest.substr(at + 1));
    rest = rest.substr(0, at);
    if (!util::starts_with(ref.digest, "sha256:") || ref.digest.size() != 7 + 64) {
      return Error::make(ErrorKind::invalid_argument, "{}: invalid digest \"{}\"", text,
                         ref.digest);
    }
  }
  size_t slash = rest.find('/');
  if (slash != std::string_view::npos && is_registry(rest.substr(0, slash))) {
    ref.registry = std::string(rest.substr(0, slash));
    rest.remove_prefix(slash + 1);
  } else {
    ref.registry = k_docker_hub;
  }
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && rest.find('/', colon) == std::string_view::npos) {
    ref.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
  }
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  ref.repository = util::to_lower(rest);
  if (ref.repository.empty() || std::string(rest) != ref.repository) {
    return Error::make(ErrorKind::invalid_argument,
                       "{}: invalid repository name (lower case letters, digits, . _ - /)", text);
  }
  if (ref.registry == k_docker_hub && ref.repository.find('/') == std::string::npos) {
    ref.repository = "library/" + ref.repository;
  }
  return ref;
}

}  // namespace rkt::image::docker
