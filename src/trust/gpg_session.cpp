#include "trust/gpg_session.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <initializer_list>
#include <memory>
#include <system_error>
#include <utility>

#include "util/log.hpp"
#include "util/strings.hpp"

extern char** environ;

namespace rkt::trust {

namespace {

// Written into every throw-away GNUPGHOME. no-autostart is the important line: public-key import
// and verify work without gpg-agent, and without this gpg would still spawn one (import probes the
// agent for secret keys) and leave it running after the home is gone. trust-model always: the
// keystore decides which keys are trusted, gpg's web of trust has no say.
constexpr std::string_view k_gpg_conf =
    "no-autostart\n"
    "no-auto-key-retrieve\n"
    "trust-model always\n"
    "no-greeting\n"
    "quiet\n"
    "batch\n"
    "no-tty\n"
    "no-permission-warning\n";

struct DataDeleter {
  void operator()(gpgme_data_t data) const { gpgme_data_release(data); }
};
using DataPtr = std::unique_ptr<gpgme_data, DataDeleter>;

struct KeyDeleter {
  void operator()(gpgme_key_t key) const { gpgme_key_unref(key); }
};
using KeyPtr = std::unique_ptr<_gpgme_key, KeyDeleter>;

/// gpgme_check_version must run once before anything else; a function-local static makes that
/// thread-safe. Returns an empty string on success, else why gpg can't be used.
const std::string& gpgme_init_failure() {
  static const std::string failure = []() -> std::string {
    if (!gpgme_check_version(nullptr)) return "gpgme_check_version failed";
    gpgme_error_t err = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP);
    if (err) return gpgme_failure(ErrorKind::not_found, err, "gpg (OpenPGP engine)").message;
    return {};
  }();
  return failure;
}

Result<DataPtr> data_from_memory(std::string_view bytes, std::string_view what) {
  gpgme_data_t data = nullptr;
  // copy=0: gpgme reads straight from our buffer, which outlives the data object.
  gpgme_error_t err = gpgme_data_new_from_mem(&data, bytes.data(), bytes.size(), 0);
  if (err) return gpgme_failure(ErrorKind::io, err, what);
  return DataPtr(data);
}

Result<DataPtr> empty_data() {
  gpgme_data_t data = nullptr;
  if (gpgme_error_t err = gpgme_data_new(&data)) return gpgme_failure(ErrorKind::io, err, "gpgme");
  return DataPtr(data);
}

Result<gpgme_ctx_t> new_context(const util::fs::path& home) {
  gpgme_ctx_t ctx = nullptr;
  if (gpgme_error_t err = gpgme_new(&ctx)) return gpgme_failure(ErrorKind::io, err, "gpgme_new");
  auto fail = [&](gpgme_error_t err, std::string_view what) {
    gpgme_release(ctx);
    return gpgme_failure(ErrorKind::io, err, what);
  };
  if (gpgme_error_t err = gpgme_set_protocol(ctx, GPGME_PROTOCOL_OpenPGP)) {
    return fail(err, "gpgme_set_protocol");
  }
  if (gpgme_error_t err =
          gpgme_ctx_set_engine_info(ctx, GPGME_PROTOCOL_OpenPGP, nullptr, home.c_str())) {
    return fail(err, "gpgme_ctx_set_engine_info");
  }
  gpgme_set_offline(ctx, 1);  // --disable-dirmngr: never touch the network
  gpgme_set_armor(ctx, 1);
  if (gpgme_error_t err = gpgme_set_pinentry_mode(ctx, GPGME_PINENTRY_MODE_CANCEL)) {
    return fail(err, "gpgme_set_pinentry_mode");
  }
  if (gpgme_error_t err = gpgme_set_keylist_mode(ctx, GPGME_KEYLIST_MODE_LOCAL)) {
    return fail(err, "gpgme_set_keylist_mode");
  }
  return ctx;
}

std::vector<std::string> import_fingerprints(gpgme_import_result_t result) {
  std::vector<std::string> fingerprints;
  for (gpgme_import_status_t status = result->imports; status; status = status->next) {
    if (!status->fpr || status->result != 0) continue;
    std::string fpr = util::to_lower(status->fpr);
    if (std::find(fingerprints.begin(), fingerprints.end(), fpr) == fingerprints.end()) {
      fingerprints.push_back(std::move(fpr));
    }
  }
  return fingerprints;
}

/// The first per-key import failure, if gpg refused a key (no user ID, bad self-signature ...).
gpgme_error_t first_import_failure(gpgme_import_result_t result) {
  for (gpgme_import_status_t status = result->imports; status; status = status->next) {
    if (status->result != 0) return status->result;
  }
  return 0;
}

/// Whether a gpg process still holds a lock in `home`: dotlock's ".#lk*" files and "*.lock" links.
bool has_gpg_lock_files(const util::fs::path& home) {
  std::error_code ec;
  for (const auto& entry : util::fs::directory_iterator(home, ec)) {
    std::string name = entry.path().filename().string();
    if (util::starts_with(name, ".#lk") || util::ends_with(name, ".lock")) return true;
  }
  return false;
}

/// Runs `gpgconf --homedir <home> <args...>` and waits for it; failures are only logged.
void run_gpgconf(const std::string& home, std::initializer_list<const char*> args) {
  std::vector<const char*> argv = {"gpgconf", "--homedir", home.c_str()};
  argv.insert(argv.end(), args);
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, "gpgconf", nullptr, nullptr, const_cast<char* const*>(argv.data()),
                   environ) != 0) {
    log::warn("could not run gpgconf to clean up the gpg home {}", home);
    return;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

/// gpg keeps the sockets of a non-default home in /run/user/<uid>/gnupg/d.<hash> when that
/// directory exists (systemd machines), and creates the d.<hash> directory on first contact.
bool has_runtime_socket_dir() {
  std::string uid = std::to_string(::getuid());
  return util::is_dir("/run/user/" + uid + "/gnupg") ||
         util::is_dir("/var/run/user/" + uid + "/gnupg");
}

}  // namespace

std::string gpgme_message(gpgme_error_t err) {
  char buffer[256] = {};
  gpgme_strerror_r(err, buffer, sizeof buffer);
  return buffer;
}

Error gpgme_failure(ErrorKind kind, gpgme_error_t err, std::string_view what) {
  return Error::make(kind, "{}: {}", what, gpgme_message(err));
}

Result<GpgSession> GpgSession::create() {
  if (const std::string& failure = gpgme_init_failure(); !failure.empty()) {
    return Error::make(ErrorKind::not_found, "cannot use gpg: {}", failure);
  }
  // A short $TMPDIR-based path: gpg puts its sockets into the home, and socket paths are limited
  // to 108 bytes.
  RKT_TRY_ASSIGN(util::TempDir home, util::TempDir::create({}, "rkt-gpghome-"));
  RKT_TRY(util::write_file_atomic(home.path() / "gpg.conf", k_gpg_conf, 0600,
                                  util::Durability::no_fsync));
  RKT_TRY_ASSIGN(gpgme_ctx_t ctx, new_context(home.path()));
  return GpgSession(std::move(home), ctx);
}

GpgSession::GpgSession(GpgSession&& other) noexcept
    : m_home(std::move(other.m_home)), m_ctx(std::exchange(other.m_ctx, nullptr)) {}

GpgSession::~GpgSession() {
  if (m_ctx) gpgme_release(m_ctx);
  if (m_home.path().empty()) return;
  wait_for_gpg_exit();
  clean_up_gpg_runtime();
  // m_home's destructor then removes the directory.
}

void GpgSession::wait_for_gpg_exit() const {
  // gpgme launches gpg detached and finishes an operation when gpg closes its status pipe, but gpg
  // releases its keyring lock only after that. A gpg started too early then fails to lock the
  // keyring ("no public key"), and removing the home too early races with the unlink. The lock
  // files are gpg's last traces, so wait for them to go (5 s at most).
  for (int i = 0; i < 5000 && has_gpg_lock_files(m_home.path()); ++i) ::usleep(1000);
}

void GpgSession::clean_up_gpg_runtime() const {
  std::string home = m_home.path().string();
  if (has_runtime_socket_dir()) {
    // Import probes gpg-agent (no-autostart keeps it from starting), which makes gpg create the
    // per-home socket directory there; remove it, or every verification would leave one behind.
    run_gpgconf(home, {"--kill", "all"});
    run_gpgconf(home, {"--remove-socketdir"});
  } else if (util::path_exists(m_home.path() / "S.gpg-agent")) {
    // A safety net: gpg.conf says no-autostart, but if an agent runs anyway it must be stopped
    // before its home disappears, or it would linger until reboot.
    run_gpgconf(home, {"--kill", "all"});
  }
}

Result<GpgImport> GpgSession::import_keys(std::string_view key_data) {
  RKT_TRY_ASSIGN(DataPtr data, data_from_memory(key_data, "reading key data"));
  gpgme_error_t err = gpgme_op_import(m_ctx, data.get());
  wait_for_gpg_exit();
  if (err && gpgme_err_code(err) != GPG_ERR_NO_DATA) {
    return gpgme_failure(ErrorKind::invalid_argument, err, "importing key");
  }
  gpgme_import_result_t result = gpgme_op_import_result(m_ctx);
  GpgImport import;
  if (!result) return import;
  import.fingerprints = import_fingerprints(result);
  import.secret_keys = result->secret_read;
  if (import.fingerprints.empty()) {
    if (gpgme_error_t refused = first_import_failure(result)) {
      return gpgme_failure(ErrorKind::invalid_argument, refused, "gpg refused the key");
    }
  }
  return import;
}

Result<GpgKeyDetails> GpgSession::key_details(std::string_view fingerprint) {
  std::string pattern(fingerprint);
  // A key listing on our own context: gpgme_get_key would make a new context, and each new
  // context costs an extra `gpg --version` run.
  gpgme_key_t raw_key = nullptr;
  gpgme_error_t err = gpgme_op_keylist_start(m_ctx, pattern.c_str(), 0);
  if (!err) err = gpgme_op_keylist_next(m_ctx, &raw_key);
  KeyPtr key(raw_key);
  // Drain the listing so gpg runs to its end (a fingerprint matches one key at most).
  for (gpgme_key_t extra = nullptr; !err && !gpgme_op_keylist_next(m_ctx, &extra);) {
    gpgme_key_unref(extra);
  }
  gpgme_op_keylist_end(m_ctx);
  wait_for_gpg_exit();
  if (gpgme_err_code(err) == GPG_ERR_EOF) {
    return Error::make(ErrorKind::not_found, "key {}: not in the keyring", fingerprint);
  }
  if (err) return gpgme_failure(ErrorKind::not_found, err, fmt::format("key {}", fingerprint));
  GpgKeyDetails details;
  if (!key->subkeys || !key->subkeys->fpr) {
    return Error::make(ErrorKind::invalid_argument, "key {} has no fingerprint", fingerprint);
  }
  details.fingerprint = util::to_lower(key->subkeys->fpr);
  for (gpgme_subkey_t sub = key->subkeys->next; sub; sub = sub->next) {
    if (sub->fpr) details.subkey_fingerprints.push_back(util::to_lower(sub->fpr));
  }
  for (gpgme_user_id_t uid = key->uids; uid; uid = uid->next) {
    if (uid->uid) details.identities.emplace_back(uid->uid);
  }
  details.revoked = key->revoked;
  details.expired = key->expired;
  return details;
}

Result<std::string> GpgSession::export_armored(std::string_view fingerprint) {
  RKT_TRY_ASSIGN(DataPtr out, empty_data());
  std::string pattern(fingerprint);
  gpgme_error_t err = gpgme_op_export(m_ctx, pattern.c_str(), 0, out.get());
  wait_for_gpg_exit();
  if (err) {
    return gpgme_failure(ErrorKind::io, err, fmt::format("exporting key {}", fingerprint));
  }
  size_t size = 0;
  char* bytes = gpgme_data_release_and_get_mem(out.release(), &size);
  std::string armored(bytes ? bytes : "", bytes ? size : 0);
  gpgme_free(bytes);
  if (armored.empty()) {
    return Error::make(ErrorKind::not_found, "exporting key {}: nothing exported", fingerprint);
  }
  return armored;
}

Result<std::vector<GpgSignatureCheck>> GpgSession::verify_detached(int data_fd,
                                                                   std::string_view signature) {
  RKT_TRY_ASSIGN(DataPtr sig, data_from_memory(signature, "reading signature"));
  gpgme_data_t raw_signed = nullptr;
  // gpgme pumps the file through a pipe in chunks: images of hundreds of MB never sit in memory.
  if (gpgme_error_t err = gpgme_data_new_from_fd(&raw_signed, data_fd)) {
    return gpgme_failure(ErrorKind::io, err, "reading signed file");
  }
  DataPtr signed_data(raw_signed);
  gpgme_error_t err = gpgme_op_verify(m_ctx, sig.get(), signed_data.get(), nullptr);
  wait_for_gpg_exit();
  std::vector<GpgSignatureCheck> checks;
  if (gpgme_err_code(err) == GPG_ERR_NO_DATA) return checks;  // not an OpenPGP signature at all
  if (gpgme_err_code_to_errno(gpgme_err_code(err)) != 0) {
    return gpgme_failure(ErrorKind::io, err, "reading signed data");
  }
  if (err) {
    // gpg gives a bare "General error" for input that is OpenPGP but holds no signature.
    return Error::make(ErrorKind::verification_failed,
                       "no valid signatures found in signature file (gpg: {})", gpgme_message(err));
  }
  gpgme_verify_result_t result = gpgme_op_verify_result(m_ctx);
  // Copy out: the result belongs to the context and dies with its next operation.
  for (gpgme_signature_t s = result ? result->signatures : nullptr; s; s = s->next) {
    checks.push_back(GpgSignatureCheck{util::to_lower(s->fpr ? s->fpr : ""),
                                       gpgme_err_code(s->status),
                                       static_cast<unsigned>(s->summary)});
  }
  return checks;
}

}  // namespace rkt::trust
