#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

#include "cli/app_args.hpp"
#include "cli/global_options.hpp"
#include "config/config.hpp"
#include "image/fetcher.hpp"
#include "pod/pod_paths.hpp"
#include "store/image_store.hpp"
#include "trust/keystore.hpp"
#include "util/result.hpp"

namespace rkt::cli {

/// What commands share: the global options and, opened on first use, config, store and keystore.
class Context {
 public:
  explicit Context(GlobalOptions& globals) : m_globals(globals) {}

  const GlobalOptions& globals() const { return m_globals; }
  const config::InsecureOptions& insecure() const { return m_globals.insecure; }
  Result<const config::Config*> config();
  /// --dir, else paths.d `data`, else /var/lib/rkt.
  Result<std::filesystem::path> data_dir();
  Result<store::ImageStore*> store();
  trust::Keystore keystore() const;
  /// The pods directory of the data dir.
  Result<pod::PodsDir> pods_dir();
  /// A fetcher over the store with the global insecure options.
  Result<image::Fetcher> fetcher(image::PullPolicy policy,
                                 image::FetchPurpose purpose = image::FetchPurpose::store);

  /// The images and per-app flags of `run`/`prepare`, split off argv before CLI11 parsed it.
  const SplitArguments& app_arguments() const { return m_app_arguments; }
  void set_app_arguments(SplitArguments split) { m_app_arguments = std::move(split); }

 private:
  GlobalOptions& m_globals;
  std::optional<config::Config> m_config;
  std::unique_ptr<store::ImageStore> m_store;
  SplitArguments m_app_arguments;
};

/// Fails with a one-line error unless running as root, for commands that need it.
Result<void> require_root(std::string_view command);

}  // namespace rkt::cli
