#include "pod/pod_entrypoint.hpp"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <charconv>

#include "appc/manifest.hpp"
#include "util/file.hpp"

extern char** environ;

namespace rkt::pod {

namespace {

const std::string* find_annotation(const appc::ImageManifest& manifest, std::string_view name) {
  for (const auto& annotation : manifest.annotations) {
    if (annotation.name == name) return &annotation.value;
  }
  return nullptr;
}

int interface_version(const appc::ImageManifest& manifest) {
  const std::string* text = find_annotation(manifest, k_stage1_interface_version_annotation);
  int version = 1;
  if (text) std::from_chars(text->data(), text->data() + text->size(), version);
  return version;
}

/// posix_spawn with a chdir: no allocation or locking between fork and exec to get wrong.
Result<pid_t> spawn_in(const std::filesystem::path& cwd, std::vector<std::string> argv,
                       EntrypointStdout out) {
  std::vector<char*> c_argv;
  for (auto& arg : argv) c_argv.push_back(arg.data());
  c_argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  if (out == EntrypointStdout::to_stderr) posix_spawn_file_actions_adddup2(&actions, 2, 1);
  pid_t pid = -1;
  int err = ::posix_spawn(&pid, c_argv[0], &actions, nullptr, c_argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) return Error::from_errno(err, "exec `{}`", argv[0]);
  return pid;
}

Result<int> wait_exit_status(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Error::from_errno(errno, "waitpid {}", pid);
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

}  // namespace

Result<Stage1Entrypoint> find_stage1_entrypoint(const PodPaths& pod, std::string_view annotation) {
  if (!util::path_exists(pod.stage1_manifest())) {
    return Error::make(ErrorKind::not_found, "pod has no stage1 (`{}` is missing)",
                       pod.stage1_manifest().string());
  }
  RKT_TRY_ASSIGN(auto json, util::read_file(pod.stage1_manifest()));
  auto manifest = appc::parse_image_manifest(json);
  if (!manifest) return std::move(manifest).error().wrap("invalid stage1 manifest");
  const std::string* value = find_annotation(*manifest, annotation);
  if (!value || value->empty()) {
    return Error::make(ErrorKind::not_found, "stage1 has no {} annotation", annotation);
  }
  Stage1Entrypoint entrypoint{pod.stage1_rootfs() / std::filesystem::path(*value).relative_path(),
                              interface_version(*manifest)};
  if (!util::is_regular(entrypoint.path)) {
    return Error::make(ErrorKind::not_found, "stage1 entrypoint `{}` is missing",
                       entrypoint.path.string());
  }
  return entrypoint;
}

Result<int> run_stage1_entrypoint(const PodPaths& pod, const Stage1Entrypoint& entrypoint,
                                  const std::vector<std::string>& args, EntrypointStdout out) {
  std::vector<std::string> argv{entrypoint.path.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  RKT_TRY_ASSIGN(pid_t pid, spawn_in(pod.dir, std::move(argv), out));
  return wait_exit_status(pid);
}

}  // namespace rkt::pod
