#include "image/remote_aci.hpp"

#include <chrono>
#include <thread>

#include "image/aci_file.hpp"
#include "image/progress_bar.hpp"
#include "image/resumable_download.hpp"
#include "image/signature_check.hpp"
#include "util/log.hpp"

namespace rkt::image {

namespace {

constexpr int k_signature_attempts = 10;
constexpr int64_t k_max_retry_after_seconds = 10;
constexpr size_t k_max_signature_size = 1 << 20;

/// A signature download: the text, or "deferred" (202) with the delay the server asked for.
struct SignatureAnswer {
  bool deferred = false;
  int64_t retry_after = 1;
  std::string text;
};

Result<SignatureAnswer> download_signature(const HttpClient& client, const std::string& url) {
  SignatureAnswer answer;
  ProgressBar bar("Downloading signature");
  BodySink sink = [&](std::string_view chunk) -> Result<void> {
    if (answer.text.size() + chunk.size() > k_max_signature_size) {
      return Error::make(ErrorKind::invalid_argument, "signature larger than {} bytes",
                         k_max_signature_size);
    }
    answer.text.append(chunk);
    return {};
  };
  ProgressCallback progress = [&bar](uint64_t done, uint64_t total) { bar.update(done, total); };
  RKT_TRY_ASSIGN(HttpResponse response, client.get(HttpRequest{url}, sink, progress));
  if (response.status == 202) {
    answer.deferred = true;
    answer.text.clear();
    int64_t after = std::atoll(response.header("retry-after").c_str());
    answer.retry_after = std::clamp<int64_t>(after, 1, k_max_retry_after_seconds);
    return answer;
  }
  if (response.status < 200 || response.status >= 300) {
    return Error::make(response.status == 404 ? ErrorKind::not_found : ErrorKind::network,
                       "{}: {}", url, status_text(response.status));
  }
  bar.finish(answer.text.size());
  return answer;
}

/// After a 202, asks again until the server has the signature ready.
Result<std::string> retry_signature(const HttpClient& client, const std::string& url,
                                    SignatureAnswer answer) {
  for (int attempt = 0; attempt < k_signature_attempts && answer.deferred; ++attempt) {
    std::this_thread::sleep_for(std::chrono::seconds(answer.retry_after));
    log::info("downloading signature from {}", url);
    RKT_TRY_ASSIGN(answer, download_signature(client, url));
  }
  if (answer.deferred) {
    return Error::make(ErrorKind::network, "{}: the signature was still not ready after {} tries",
                       url, k_signature_attempts);
  }
  return std::move(answer.text);
}

Result<void> check_expected(const appc::ImageManifest& manifest, const RemoteAci& remote) {
  if (remote.expected_name.empty()) return {};
  if (manifest.name != remote.expected_name) {
    return Error::make(ErrorKind::verification_failed,
                       "{}: the image is named \"{}\", not \"{}\"", remote.aci_url, manifest.name,
                       remote.expected_name);
  }
  for (const appc::Label& wanted : remote.expected_labels) {
    bool found = std::any_of(manifest.labels.begin(), manifest.labels.end(),
                             [&](const appc::Label& label) { return label == wanted; });
    if (!found) {
      return Error::make(ErrorKind::verification_failed,
                         "{}: the image does not have label {}={}", remote.aci_url, wanted.name,
                         wanted.value);
    }
  }
  return {};
}

bool still_fresh(const store::RemoteInfo& cached) {
  if (cached.cache_max_age <= 0) return false;
  return std::chrono::system_clock::now() <
         cached.download_time + std::chrono::seconds(cached.cache_max_age);
}

/// Checks and imports a complete download; it is discarded whatever the outcome.
Result<store::ImageInfo> import_download(const FetchContext& context, const RemoteAci& remote,
                                         ResumableDownload& download,
                                         const std::string& signature) {
  auto manifest = read_aci_manifest(download.path());
  if (!manifest) {
    download.discard();
    return std::move(manifest).error().wrap("{}", remote.aci_url);
  }
  auto checked = check_expected(*manifest, remote);
  if (checked && !context.insecure.image) {
    RKT_TRY_ASSIGN(int fd, download.rewound_fd());
    checked = verify_image_signature(context.keystore, manifest->name, fd, signature,
                                     remote.aci_url);
  }
  if (!checked) {
    download.discard();
    return std::move(checked).error();
  }
  RKT_TRY_ASSIGN(int fd, download.rewound_fd());
  auto info = context.store.import_aci_fd(fd, store::ImportOptions{remote.latest, remote.aci_url});
  download.discard();
  return info;
}

}  // namespace

Result<std::optional<store::ImageInfo>> stored_remote_image(store::ImageStore& store,
                                                             const std::string& aci_url) {
  RKT_TRY_ASSIGN(auto cached, store.get_remote(aci_url));
  if (!cached) return std::optional<store::ImageInfo>();
  auto info = store.get_by_key(cached->blob_key);
  if (!info) {
    if (info.error().kind == ErrorKind::not_found) return std::optional<store::ImageInfo>();
    return std::move(info).error();
  }
  return std::optional<store::ImageInfo>(std::move(*info));
}

Result<store::ImageInfo> fetch_remote_aci(const FetchContext& context, const RemoteAci& remote) {
  RKT_TRY_ASSIGN(auto cached_remote, context.store.get_remote(remote.aci_url));
  RKT_TRY_ASSIGN(auto cached, stored_remote_image(context.store, remote.aci_url));
  if (cached && (context.policy == PullPolicy::new_ || still_fresh(*cached_remote))) {
    log::info("using image from local store for URL {}", remote.aci_url);
    return std::move(*cached);
  }
  log::info("remote fetching from URL \"{}\"", remote.aci_url);
  SignatureAnswer signature;
  if (!context.insecure.image) {
    log::info("downloading signature from {}", remote.asc_url);
    RKT_TRY_ASSIGN(signature, download_signature(context.client, remote.asc_url));
    if (signature.deferred) log::info("server requested deferring the signature download");
  }
  RKT_TRY_ASSIGN(auto dir, downloads_dir(context.store));
  RKT_TRY_ASSIGN(ResumableDownload download, ResumableDownload::open(dir, remote.aci_url));
  std::string etag = cached ? cached_remote->etag : std::string();
  RKT_TRY_ASSIGN(DownloadOutcome outcome,
                 download.run(context.client, "Downloading ACI", etag));
  store::RemoteInfo row{remote.aci_url, remote.asc_url, outcome.etag, "", outcome.max_age,
                        std::chrono::system_clock::now()};
  if (outcome.not_modified) {
    log::info("image at {} not modified, using the stored copy", remote.aci_url);
    row.blob_key = cached->key;
    RKT_TRY(context.store.put_remote(row));
    return std::move(*cached);
  }
  if (signature.deferred) {
    RKT_TRY_ASSIGN(signature.text, retry_signature(context.client, remote.asc_url, signature));
  }
  RKT_TRY_ASSIGN(store::ImageInfo info, import_download(context, remote, download, signature.text));
  row.blob_key = info.key;
  RKT_TRY(context.store.put_remote(row));
  return info;
}

}  // namespace rkt::image
