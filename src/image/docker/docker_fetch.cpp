#include "image/docker/docker_fetch.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "appc/manifest.hpp"
#include "image/docker/appc_mapping.hpp"
#include "image/docker/image_manifest_v2.hpp"
#include "image/docker/layer_cache.hpp"
#include "image/docker/layer_squash.hpp"
#include "image/docker/registry_client.hpp"
#include "image/render.hpp"
#include "util/block_broadcast.hpp"
#include "util/file.hpp"
#include "util/log.hpp"

namespace rkt::image::docker {

namespace {

using nlohmann::json;

/// What the registry's manifests resolve to: layers (bottom first) and the image config.
struct ResolvedImage {
  std::vector<Descriptor> layers;
  std::optional<Descriptor> config_blob;  // none for schema 1
  json config;                            // schema 1: parsed from the manifest itself
  std::string manifest_digest;
};

Result<ResolvedImage> resolve(RegistryClient& registry, const DockerRef& ref) {
  RKT_TRY_ASSIGN(FetchedManifest fetched,
                 registry.manifest(ref.reference(), accepted_manifest_types()));
  std::string where = registry.base_url() + "/manifests/" + ref.reference();
  auto kind = classify_manifest(fetched.media_type, fetched.body);
  if (!kind) return std::move(kind).error().wrap("{}", where);
  if (*kind == ManifestKind::index) {
    auto digest = select_platform(fetched.body, "linux", host_oci_arch());
    if (!digest) return std::move(digest).error().wrap("{}", where);
    where = registry.base_url() + "/manifests/" + *digest;
    RKT_TRY_ASSIGN(fetched, registry.manifest(*digest, accepted_manifest_types()));
    kind = classify_manifest(fetched.media_type, fetched.body);
    if (!kind) return std::move(kind).error().wrap("{}", where);
    if (*kind == ManifestKind::index) {
      return Error::make(ErrorKind::invalid_argument, "{}: an index inside an index", where);
    }
  }
  ResolvedImage resolved;
  resolved.manifest_digest = fetched.digest;
  if (*kind == ManifestKind::schema1) {
    auto manifest = parse_schema1_manifest(fetched.body);
    if (!manifest) return std::move(manifest).error().wrap("{}", where);
    resolved.layers = std::move(manifest->layers);
    resolved.config = json::parse(manifest->v1_config, nullptr, false);
    if (resolved.config.is_discarded()) resolved.config = json::object();
    if (resolved.config.contains("container_config") && !resolved.config.contains("config")) {
      resolved.config["config"] = resolved.config["container_config"];
    }
    return resolved;
  }
  auto manifest = parse_image_manifest_v2(fetched.body);
  if (!manifest) return std::move(manifest).error().wrap("{}", where);
  resolved.layers = std::move(manifest->layers);
  resolved.config_blob = manifest->config;
  return resolved;
}

/// Downloads at a time, as Docker and containerd default to. The layers download top first, as the
/// squash reads them: fewer at a time give the top layer a larger share of the bandwidth, more
/// hide the latency of many small layers.
constexpr size_t k_parallel_downloads = 3;

/// The image's blobs, downloading on a thread of their own while the fetch goes on: the squash
/// reads the top layer as it arrives while the lower ones still download. Joined on destruction.
class BackgroundDownloads {
 public:
  BackgroundDownloads(RegistryClient& registry, LayerCache& cache, const ResolvedImage& image)
      : m_cache(cache) {
    std::vector<Descriptor> blobs;  // the config, then the layers in the order the squash reads
    if (image.config_blob) blobs.push_back(*image.config_blob);
    blobs.insert(blobs.end(), image.layers.rbegin(), image.layers.rend());
    for (const Descriptor& blob : blobs) {
      m_feeds.emplace(blob.digest, std::make_shared<util::FileFeed>(blob.digest));
    }
    for (const Descriptor& layer : image.layers) m_layers.push_back(m_feeds.at(layer.digest));
    m_thread = std::thread([this, &registry, blobs = std::move(blobs)] {
      m_outcome = m_cache.ensure(registry, blobs, k_parallel_downloads, m_feeds);
    });
  }
  BackgroundDownloads(const BackgroundDownloads&) = delete;
  BackgroundDownloads& operator=(const BackgroundDownloads&) = delete;
  ~BackgroundDownloads() {
    if (m_thread.joinable()) m_thread.join();
  }

  /// The layers, bottom first, readable as they arrive.
  const LayerFeeds& layers() const { return m_layers; }

  /// The config blob's text, once it is downloaded and checked.
  Result<std::string> text_of(const Descriptor& blob) {
    RKT_TRY(m_feeds.at(blob.digest)->wait());
    return util::read_file(m_cache.path_of(blob.digest));
  }

  /// Waits for every download: how they went.
  Result<void> finish() {
    if (m_thread.joinable()) m_thread.join();
    return m_outcome;
  }

 private:
  LayerCache& m_cache;
  LayerCache::Feeds m_feeds;
  LayerFeeds m_layers;
  Result<void> m_outcome{};
  std::thread m_thread;
};

/// The image config, from its blob (schema 2) or the manifest (schema 1).
Result<void> read_config(const RegistryClient& registry, BackgroundDownloads& downloads,
                         ResolvedImage& image) {
  if (!image.config_blob) return {};
  RKT_TRY_ASSIGN(std::string text, downloads.text_of(*image.config_blob));
  image.config = json::parse(text, nullptr, false);
  if (image.config.is_discarded()) {
    return Error::make(ErrorKind::invalid_argument, "{}/blobs/{}: the image config is not JSON",
                       registry.base_url(), image.config_blob->digest);
  }
  return {};
}

/// The first of several failures of threads joined by a stream: when one stops, the others fail
/// for want of input or readers, which says nothing of the cause.
class FirstError {
 public:
  void note(const Error& error) {
    std::lock_guard lock(m_mutex);
    if (!m_error) m_error = error;
  }
  Error get(Error fallback) {
    std::lock_guard lock(m_mutex);
    return m_error ? *m_error : std::move(fallback);
  }

 private:
  std::mutex m_mutex;
  std::optional<Error> m_error;
};

/// Readers of the squashed tar.
constexpr size_t k_import_reader = 0;
constexpr size_t k_render_reader = 1;

/// Reads `blocks` to the end (what the tar reader left: padding).
void drain(const util::BlockReader& blocks) {
  while (true) {
    auto block = blocks();
    if (!block || block->empty()) return;
  }
}

/// The image's tree, extracted from the squashed tar while the store imports it (instead of
/// re-reading the stored blob afterwards). Only for a pod's own fetch.
struct StreamedRender {
  store::TreeStore trees;
  std::optional<store::PendingTree> tree;
  Result<void> extracted{};
  std::thread thread;

  void start(util::BlockBroadcast& tar, const std::string& source, FirstError& failure) {
    thread = std::thread([this, &tar, source, &failure] {
      util::BlockReader blocks = tar.reader(k_render_reader);
      extracted = trees.extract_pending(*tree, blocks, source);
      if (extracted) {
        drain(blocks);
      } else {
        failure.note(extracted.error());
      }
      tar.leave(k_render_reader);  // the squash no longer waits for this reader
    });
  }
  void join() {
    if (thread.joinable()) thread.join();
  }
};

/// Starts rendering the image's tree from the stream. If it cannot start, the pod renders the
/// tree from the stored blob.
void start_render(std::optional<StreamedRender>& render, store::ImageStore& store,
                  util::BlockBroadcast& tar, const std::string& source, FirstError& failure) {
  auto pending = tree_store_of(store).begin_pending();
  if (!pending) {
    log::warn("rendering while importing: {}", pending.error().message);
    return;
  }
  render.emplace(StreamedRender{tree_store_of(store), std::move(*pending), {}, {}});
  render->start(tar, source, failure);
}

/// Puts the tree in place now that its image is stored; one that cannot be placed is rendered
/// again from the blob afterwards.
void place_rendered(StreamedRender& render, store::ImageStore& store,
                    const store::ImageInfo& image) {
  auto flattened = flatten_image(store, image);
  if (!flattened) return;
  if (auto placed = render.trees.commit_pending(std::move(*render.tree), *flattened); !placed) {
    log::warn("rendering while importing: {}", placed.error().message);
  }
}

/// Stacks the layers straight into the store's import through an in-process stream (a thread
/// squashes, this one imports): the ACI is written once, as the store's blob, never as a
/// temporary file first. The import checks and hashes it as any other, and commits only once the
/// squash (and, when `renders`, the tree's extraction from the same stream on a third thread)
/// succeeded; the tree takes its place after.
Result<store::ImageInfo> import_squashed(store::ImageStore& store, const LayerFeeds& layers,
                                         const std::string& manifest_json,
                                         store::ImportOptions options, bool renders) {
  util::BlockBroadcast tar(renders ? 2 : 1);
  FirstError failure;
  std::optional<StreamedRender> render;
  if (renders) start_render(render, store, tar, options.source, failure);
  if (renders && !render) tar.leave(k_render_reader);
  Result<void> squashed{};
  std::thread writer([&] {
    squashed = squash_layers(layers, manifest_json,
                             [&tar](std::span<const char> block) { return tar.write(block); });
    if (!squashed) failure.note(squashed.error());
    tar.finish(squashed ? std::nullopt : std::optional<Error>(squashed.error()));
  });
  auto join = [&] {
    if (writer.joinable()) writer.join();
    if (render) render->join();
  };
  // The import read a valid tar to its end; it is the squash's only if the squash succeeded.
  options.before_commit = [&]() -> Result<void> {
    join();
    if (!squashed) return squashed.error();
    if (render && !render->extracted) return render->extracted.error();
    return {};
  };
  auto imported = store.import_aci_blocks(tar.reader(k_import_reader), options);
  if (!imported) failure.note(imported.error());
  tar.leave(k_import_reader);  // a squash still writing stops
  join();
  if (!squashed) return failure.get(std::move(squashed).error());
  if (!imported) return failure.get(std::move(imported).error());
  if (render) place_rendered(*render, store, *imported);
  return imported;
}

}  // namespace

Result<store::ImageInfo> fetch_docker_image(const FetchContext& context, const DockerRef& ref,
                                            const config::BasicCredentials* credentials) {
  if (!context.insecure.image) {
    return Error::make(ErrorKind::verification_failed,
                       "signature verification for docker images is not supported (try "
                       "--insecure-options=image)");
  }
  std::string canonical = ref.canonical();
  if (context.policy != PullPolicy::update) {
    RKT_TRY_ASSIGN(auto remote, context.store.get_remote(canonical));
    if (remote) {
      if (auto info = context.store.get_by_key(remote->blob_key)) {
        log::info("using image from local store for image name {}", canonical);
        return info;
      }
    }
    if (context.policy == PullPolicy::never) {
      return Error::make(ErrorKind::not_found,
                         "{} is not in the store and the pull policy is never", canonical);
    }
  }
  log::info("remote fetching from URL \"{}\"", canonical);
  RegistryClient registry(context.client, ref, credentials);
  RKT_TRY_ASSIGN(ResolvedImage image, resolve(registry, ref));
  RKT_TRY_ASSIGN(LayerCache cache, LayerCache::open(context.store.paths().cas));
  BackgroundDownloads downloads(registry, cache, image);
  // A failed download is the cause of whatever failed after it.
  auto cause = [&downloads](Error error) {
    auto downloaded = downloads.finish();
    return downloaded ? std::move(error) : std::move(downloaded).error();
  };
  if (auto config = read_config(registry, downloads, image); !config) {
    return cause(std::move(config).error());
  }
  DockerOrigin origin{ref, image.manifest_digest,
                      image.config_blob ? image.config_blob->digest : image.manifest_digest};
  auto manifest = appc_manifest_for(image.config, origin);
  if (!manifest) return cause(std::move(manifest).error().wrap("{}", canonical));
  auto imported =
      import_squashed(context.store, downloads.layers(), appc::to_json(*manifest).dump(),
                      store::ImportOptions{ref.tag == "latest" && ref.digest.empty(), canonical},
                      context.purpose == FetchPurpose::pod);
  if (!imported) return cause(std::move(imported).error());
  RKT_TRY(downloads.finish());
  store::ImageInfo info = std::move(*imported);
  std::vector<std::string> made_of;
  for (const Descriptor& layer : image.layers) made_of.push_back(layer.digest);
  if (image.config_blob) made_of.push_back(image.config_blob->digest);
  RKT_TRY(cache.record(info.key, made_of));
  RKT_TRY(context.store.put_remote(store::RemoteInfo{canonical, "", image.manifest_digest, info.key,
                                                     0, std::chrono::system_clock::now()}));
  return info;
}

}  // namespace rkt::image::docker
