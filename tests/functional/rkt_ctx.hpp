#pragma once

// The functional-test fixture, after rkt's RktRunCtx: a private data dir and config dirs per test,
// and a runner for the real rkt binary with the global flags pointing at them.

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aci_builder.hpp"
#include "gpg_key.hpp"
#include "process.hpp"

namespace rkt::functional {

namespace fs = std::filesystem;

/// rkt's exit code for its own errors.
inline constexpr int k_rkt_error = 254;

/// The rkt under test: $RKT_TEST_BINARY if set, else the one CMake built.
fs::path rkt_binary();
fs::path source_dir();

/// A stage1 image the build put beside rkt: stage1_image("native") is <dir of
/// rkt>/stage1-native.aci.
fs::path stage1_image(std::string_view flavor);

/// Name of the unprivileged test user, a member of group `rkt`.
inline constexpr const char* k_test_user = "rkt-test-user";
/// Creates group `rkt` and the test user if missing (needs root) and returns its credentials.
Credentials rkt_group_user();

class RktCtx {
 public:
  /// Makes a fresh temporary root (0755, so the test user can reach it) with empty config dirs;
  /// the data dir itself is left for rkt to create.
  RktCtx();
  RktCtx(const RktCtx&) = delete;
  RktCtx& operator=(const RktCtx&) = delete;
  /// Removes everything (kept when $RKT_TEST_KEEP is set, for debugging).
  ~RktCtx();

  const fs::path& root() const { return m_root; }
  fs::path data_dir() const { return m_root / "data"; }
  fs::path local_config() const { return m_root / "local-config"; }
  fs::path system_config() const { return m_root / "system-config"; }
  fs::path user_config() const { return m_root / "user-config"; }
  /// A directory for the test's own files (images, signatures, outputs), world-readable.
  fs::path scratch() const { return m_root / "scratch"; }
  /// A new, not yet existing path under scratch(), unique in this context.
  fs::path scratch_path(std::string_view stem);

  std::vector<std::string> global_flags() const;
  /// rkt + global flags + args.
  std::vector<std::string> command(const std::vector<std::string>& args) const;
  ProcResult run(const std::vector<std::string>& args, ProcOptions options = {}) const;
  /// Runs as the unprivileged member of group rkt.
  ProcResult run_as_rkt_user(const std::vector<std::string>& args, ProcOptions options = {}) const;
  Child spawn(const std::vector<std::string>& args, ProcOptions options = {}) const;

  /// `rkt trust --prefix=P --skip-fingerprint-review KEY`, expected to succeed.
  void trust_prefix(std::string_view prefix, const GpgKey& key) const;
  /// `rkt --insecure-options=image fetch FILE`, expected to succeed; returns stdout's last line.
  std::string fetch_insecure(const fs::path& aci) const;

  /// Regular files under cas/blob (the stored ACIs).
  std::vector<fs::path> blob_files() const;
  /// Entries directly under cas/tree (rendered images).
  std::vector<fs::path> tree_dirs() const;
  /// Where the store keeps the blob of an image (D/cas/blob/sha512/<2hex>/sha512-<64hex>).
  fs::path blob_path(const BuiltAci& image) const;
  /// Full IDs the store lists (`image list --no-legend --full --fields=id`); expects success.
  std::vector<std::string> listed_ids() const;

  /// Builds an image around the inspect program (AciBuilder::inspect(), inspect_manifest()) in
  /// scratch(), uncompressed; not fetched.
  BuiltAci inspect_image(std::string_view name = "example.com/inspect",
                         std::string_view app_patch = "{}");
  /// The UUIDs of all pods, in whatever state directory under pods/.
  std::vector<std::string> pod_uuids() const;
  /// The state directory (run, exited-garbage, prepared ...) holding pod `uuid`, or "".
  std::string pod_state_dir(std::string_view uuid) const;
  /// The pod's directory under its current state directory (empty path if there is none).
  fs::path pod_dir(std::string_view uuid) const;

 private:
  fs::path m_root;
  int m_counter = 0;
};

/// Base fixture: one RktCtx per test.
class RktTest : public ::testing::Test {
 protected:
  RktCtx ctx;
};

/// Base fixture of the pod tests: one RktCtx per test; TearDown stops what still runs, collects
/// every pod (`gc --grace-period=0s`) and checks that none and no mount below the context is left.
class PodTest : public RktTest {
 protected:
  void TearDown() override;
  /// This test's inspect image (ctx.inspect_image() with the defaults, built on first use).
  const BuiltAci& inspect_aci();
  /// `rkt --insecure-options=image run ARGS`.
  ProcResult run_pod(const std::vector<std::string>& args, ProcOptions options = {});

  /// A pod started in the background by start_pod().
  struct RunningPod {
    Child rkt;
    std::string uuid;
  };
  /// Starts `rkt --insecure-options=image run --uuid-file-save=F ARGS` and returns once the pod
  /// is ready (`status --wait-ready`); throws if it does not get there within 20 s.
  RunningPod start_pod(const std::vector<std::string>& args);

 private:
  std::optional<BuiltAci> m_inspect_aci;
};

/// Base fixture of the service tests (metadata-service, api-service): a PodTest plus the service
/// the test starts; TearDown collects the pods (with the service still up), then stops the
/// service with SIGTERM, which must end it with status 0.
class ServiceTest : public PodTest {
 protected:
  void TearDown() override;
  /// Starts `rkt ARGS` in the background as the service.
  void spawn_service(const std::vector<std::string>& args, ProcOptions options = {});
  /// Checks of the stopped service (its files gone ...), for TearDown.
  virtual void after_stop() {}

  std::optional<Child> service;
};

/// A TCP port on 127.0.0.1 nobody listens on right now (for a service to listen on).
int free_tcp_port();

/// The value of the first "KEY=value" line of `output` (inspect's reports), or nullopt.
std::optional<std::string> value_of(std::string_view output, std::string_view key);
/// The values of all "KEY=value" lines of `output`, in order.
std::vector<std::string> values_of(std::string_view output, std::string_view key);
/// Mount points (from /proc/self/mountinfo) at or below `dir`.
std::vector<std::string> mounts_below(const fs::path& dir);
/// Whether `text` is a lowercase RFC 4122 UUID (8-4-4-4-12 hex).
bool is_uuid(std::string_view text);

/// The whole content of a file (empty if it cannot be read).
std::string read_text(const fs::path& path);
/// Writes `content` to `path`, making its parent dirs; throws if it cannot.
void write_text(const fs::path& path, std::string_view content);
/// The size of the largest partial download in `downloads` (cas/downloads; 0 if none).
uintmax_t largest_partial(const fs::path& downloads);
/// Non-empty lines of `text`.
std::vector<std::string> lines(std::string_view text);
/// Last non-empty line ("" if none).
std::string last_line(std::string_view text);
bool is_lower_hex(std::string_view text);
bool contains(std::string_view haystack, std::string_view needle);

/// A gtest assertion message with the command's whole output, for failure diagnostics.
std::string dump(const ProcResult& result);

/// rkt's error convention: exit 254 and the error as a line starting "rkt: " on stderr.
::testing::AssertionResult IsRktError(const ProcResult& result);
::testing::AssertionResult Succeeded(const ProcResult& result);

}  // namespace rkt::functional
