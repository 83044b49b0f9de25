#include "aci_builder.hpp"

#include <sys/stat.h>
#include <sys/utsname.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>

#include "process.hpp"
#include "util/digest.hpp"

namespace rkt::functional {

namespace {

/// All files in test images get one fixed mtime, so equal content gives equal image IDs.
constexpr const char* k_mtime = "@1500000000";

void write_text(const fs::path& path, std::string_view content, mode_t mode) {
  fs::create_directories(path.parent_path());
  std::ofstream stream(path, std::ios::binary | std::ios::trunc);
  stream.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!stream) throw std::runtime_error("cannot write " + path.string());
  stream.close();
  fs::permissions(path, static_cast<fs::perms>(mode));
}

/// Escapes `text` for a POSIX basic regular expression inside a tar --transform with `|`.
std::string regex_escape(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    if (std::string_view(".[]*^$\\|").find(c) != std::string_view::npos) escaped += '\\';
    escaped += c;
  }
  return escaped;
}

std::string replacement_escape(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    if (c == '\\' || c == '&' || c == '|') escaped += '\\';
    escaped += c;
  }
  return escaped;
}

/// Compresses `tar` in place with the system tool; returns the compressed file's path.
fs::path compress(const fs::path& tar, Compression compression) {
  std::string file = tar.string();
  switch (compression) {
    case Compression::none:
      return tar;
    case Compression::gzip:
      run_checked({"gzip", "-n", "-f", file});
      return file + ".gz";
    case Compression::bzip2:
      run_checked({"bzip2", "-f", file});
      return file + ".bz2";
    case Compression::xz:
      run_checked({"xz", "-f", "-T1", file});
      return file + ".xz";
    case Compression::zstd:
      run_checked({"zstd", "-q", "-f", "--rm", file});
      return file + ".zst";
  }
  throw std::runtime_error("unknown compression");
}

}  // namespace

std::string_view compression_name(Compression compression) {
  switch (compression) {
    case Compression::none:
      return "plain";
    case Compression::gzip:
      return "gzip";
    case Compression::bzip2:
      return "bzip2";
    case Compression::xz:
      return "xz";
    case Compression::zstd:
      return "zstd";
  }
  return "unknown";
}

std::string host_appc_arch() {
  utsname u{};
  ::uname(&u);
  std::string machine = u.machine;
  if (machine == "x86_64") return "amd64";
  if (machine == "i686" || machine == "i586" || machine == "i386") return "i386";
  if (machine.rfind("armv7", 0) == 0) return "armv7l";
  if (machine.rfind("armv6", 0) == 0) return "armv6l";
  return machine;  // aarch64, ppc64le, s390x are spelled the same way in appc
}

std::string image_manifest(std::string_view name, const Labels& labels) {
  nlohmann::json label_list = nlohmann::json::array();
  bool has_os = false;
  bool has_arch = false;
  for (const auto& [label, value] : labels) {
    label_list.push_back({{"name", label}, {"value", value}});
    has_os |= label == "os";
    has_arch |= label == "arch";
  }
  if (!has_os) label_list.push_back({{"name", "os"}, {"value", "linux"}});
  if (!has_arch) label_list.push_back({{"name", "arch"}, {"value", host_appc_arch()}});
  nlohmann::json manifest = {
      {"acKind", "ImageManifest"},
      {"acVersion", "0.8.11"},
      {"name", std::string(name)},
      {"labels", label_list},
      {"app", {{"exec", {"/bin/sh"}}, {"user", "0"}, {"group", "0"}}},
  };
  return manifest.dump(2);
}

fs::path inspect_binary() {
  if (const char* override_path = std::getenv("RKT_TEST_INSPECT");
      override_path && *override_path) {
    return override_path;
  }
  return RKT_INSPECT_BINARY;
}

std::string inspect_manifest(std::string_view name, std::string_view app_patch,
                             const Labels& labels) {
  nlohmann::json manifest = nlohmann::json::parse(image_manifest(name, labels));
  manifest["app"] = {{"exec", {"/inspect"}},
                     {"user", "0"},
                     {"group", "0"},
                     {"workingDirectory", "/"},
                     {"environment", {{{"name", "PATH"}, {"value", "/bin:/"}}}}};
  manifest["app"].merge_patch(nlohmann::json::parse(app_patch));
  return manifest.dump(2);
}

AciBuilder::AciBuilder(fs::path work_dir) : m_stage(std::move(work_dir)) {
  if (fs::exists(m_stage)) throw std::runtime_error(m_stage.string() + " already exists");
  fs::create_directories(m_stage / "rootfs");
  fs::permissions(m_stage / "rootfs", static_cast<fs::perms>(0755));
}

fs::path AciBuilder::rootfs_path(std::string_view path) const {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return m_stage / "rootfs" / path;
}

AciBuilder& AciBuilder::manifest(std::string json) {
  write_text(m_stage / "manifest", json, 0644);
  m_with_manifest = true;
  return *this;
}

AciBuilder& AciBuilder::no_manifest() {
  m_with_manifest = false;
  return *this;
}

AciBuilder& AciBuilder::file(std::string_view path, std::string_view content, mode_t mode) {
  write_text(rootfs_path(path), content, mode);
  return *this;
}

AciBuilder& AciBuilder::random_file(std::string_view path, std::uint64_t size, std::uint64_t seed) {
  fs::path target = rootfs_path(path);
  fs::create_directories(target.parent_path());
  std::ofstream stream(target, std::ios::binary | std::ios::trunc);
  std::mt19937_64 generator(seed);
  std::vector<std::uint64_t> chunk(1 << 17);  // 1 MiB
  while (size > 0) {
    for (auto& word : chunk) word = generator();
    std::uint64_t n = std::min<std::uint64_t>(size, chunk.size() * sizeof(std::uint64_t));
    stream.write(reinterpret_cast<const char*>(chunk.data()), static_cast<std::streamsize>(n));
    size -= n;
  }
  if (!stream) throw std::runtime_error("cannot write " + target.string());
  return *this;
}

AciBuilder& AciBuilder::dir(std::string_view path, mode_t mode) {
  fs::create_directories(rootfs_path(path));
  fs::permissions(rootfs_path(path), static_cast<fs::perms>(mode));
  return *this;
}

AciBuilder& AciBuilder::symlink(std::string_view path, std::string_view target) {
  fs::create_directories(rootfs_path(path).parent_path());
  fs::create_symlink(std::string(target), rootfs_path(path));
  return *this;
}

AciBuilder& AciBuilder::hardlink(std::string_view path, std::string_view existing) {
  fs::create_directories(rootfs_path(path).parent_path());
  fs::create_hard_link(rootfs_path(existing), rootfs_path(path));
  return *this;
}

AciBuilder& AciBuilder::busybox() {
  fs::create_directories(rootfs_path("bin"));
  fs::copy_file("/bin/busybox", rootfs_path("bin/busybox"), fs::copy_options::overwrite_existing);
  fs::permissions(rootfs_path("bin/busybox"), static_cast<fs::perms>(0755));
  for (const char* applet : {"sh", "echo", "cat", "true", "false", "ls"}) {
    symlink(std::string("bin/") + applet, "busybox");
  }
  return *this;
}

AciBuilder& AciBuilder::owned_file(std::string_view path, std::string_view content, uid_t uid,
                                   gid_t gid, mode_t mode) {
  file(path, content, mode);
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  m_owned.push_back(Owned{"rootfs/" + std::string(path), uid, gid});
  return *this;
}

AciBuilder& AciBuilder::inspect() {
  busybox();
  for (const char* applet : {"sleep", "id", "hostname", "env", "touch", "mkdir"}) {
    symlink(std::string("bin/") + applet, "busybox");
  }
  fs::copy_file(inspect_binary(), rootfs_path("inspect"), fs::copy_options::overwrite_existing);
  fs::permissions(rootfs_path("inspect"), static_cast<fs::perms>(0755));
  file("etc/passwd",
       "root:x:0:0:root:/root:/bin/sh\n"
       "user1:x:1000:1000:user one:/home/user1:/bin/sh\n");
  file("etc/group", "root:x:0:\ngroup1:x:1000:\n");
  dir("tmp", 01777);
  dir("home/user1");
  owned_file(k_owned_file, "owned\n", k_owned_file_uid, k_owned_file_gid);
  return *this;
}

AciBuilder& AciBuilder::top_level_file(std::string_view name, std::string_view content) {
  write_text(m_stage / name, content, 0644);
  m_top_level.emplace_back(name);
  return *this;
}

AciBuilder& AciBuilder::rename_member(std::string_view archive_path, std::string_view stored) {
  // Flags "rSH": member names only, not symlink or hard link targets.
  m_transforms.push_back("s|^" + regex_escape(archive_path) + "$|" + replacement_escape(stored) +
                         "|rSH");
  return *this;
}

AciBuilder& AciBuilder::rename_link_target(std::string_view archive_path, std::string_view stored) {
  // Flags "RSh": hard link targets only; the member itself keeps its name.
  m_transforms.push_back("s|^" + regex_escape(archive_path) + "$|" + replacement_escape(stored) +
                         "|RSh");
  return *this;
}

AciBuilder& AciBuilder::duplicate(std::string_view archive_path) {
  m_duplicates.emplace_back(archive_path);
  return *this;
}

BuiltAci AciBuilder::build(const fs::path& out, Compression compression) const {
  if (m_with_manifest && !fs::exists(m_stage / "manifest")) {
    throw std::runtime_error("AciBuilder: no manifest given (call manifest() or no_manifest())");
  }
  fs::path tar = out.string() + ".tar";
  fs::remove(tar);
  // -P keeps names exactly as stored (no stripping of `/` or `..`): hostile tests need that.
  std::vector<std::string> common = {
      "tar",       "-C",        m_stage.string(),  "-P",
      "--owner=0", "--group=0", "--numeric-owner", std::string("--mtime=") + k_mtime};
  for (const auto& t : m_transforms) common.push_back("--transform=" + t);

  std::vector<std::string> create = common;
  // Files with their own owner are left out here and appended below with that owner.
  if (!m_owned.empty()) create.push_back("--anchored");
  for (const auto& owned : m_owned) create.push_back("--exclude=" + owned.archive_path);
  create.insert(create.end(), {"--sort=name", "-cf", tar.string()});
  if (m_with_manifest) create.push_back("manifest");
  create.push_back("rootfs");
  create.insert(create.end(), m_top_level.begin(), m_top_level.end());
  run_checked(create);
  for (const auto& member : m_duplicates) {
    std::vector<std::string> append = common;
    append.insert(append.end(), {"--no-recursion", "-rf", tar.string(), member});
    run_checked(append);
  }

  for (const auto& owned : m_owned) {
    std::vector<std::string> append = {"tar",
                                       "-C",
                                       m_stage.string(),
                                       "-P",
                                       "--owner=" + std::to_string(owned.uid),
                                       "--group=" + std::to_string(owned.gid),
                                       "--numeric-owner",
                                       std::string("--mtime=") + k_mtime,
                                       "--no-recursion",
                                       "-rf",
                                       tar.string(),
                                       owned.archive_path};
    run_checked(append);
  }

  BuiltAci built{out, sha512_id_of_file(tar)};
  fs::path packed = compress(tar, compression);
  fs::rename(packed, out);
  fs::permissions(out, static_cast<fs::perms>(0644));
  return built;
}

std::string sha512_id_of_file(const fs::path& path) {
  auto hex = util::file_digest_hex(path.string(), util::DigestAlgorithm::sha512);
  if (!hex) throw std::runtime_error("hashing " + path.string() + ": " + hex.error().message);
  return "sha512-" + hex.value();
}

}  // namespace rkt::functional
