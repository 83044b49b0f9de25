#include <iostream>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "image/fetcher.hpp"

namespace rkt::cli {

namespace {

struct FetchOptions {
  std::vector<std::string> images;
  std::vector<std::string> signatures;
  bool full = false;
  std::string pull_policy = "update";
};

/// rkt prints "sha512-" and 32 hex digits, or the whole store key with --full.
std::string display_id(const std::string& key, bool full) {
  return full ? key : key.substr(0, 7 + 32);
}

Result<int> run_fetch(Context& context, const FetchOptions& options) {
  RKT_TRY_ASSIGN(image::PullPolicy policy, image::parse_pull_policy(options.pull_policy));
  RKT_TRY_ASSIGN(image::Fetcher fetcher, context.fetcher(policy));
  for (size_t i = 0; i < options.images.size(); ++i) {
    RKT_TRY_ASSIGN(image::ImageRef ref, image::parse_image_ref(options.images[i]));
    image::FetchRequest request{std::move(ref),
                                i < options.signatures.size() ? options.signatures[i] : ""};
    auto info = fetcher.fetch(request);
    if (!info) {
      // Remote errors already name their URL; don't say it twice.
      if (info.error().message.find(options.images[i]) != std::string::npos) return info.error();
      return std::move(info).error().wrap("{}", options.images[i]);
    }
    std::cout << display_id(info->key, options.full) << std::endl;
  }
  return k_exit_success;
}

}  // namespace

void add_fetch_command(CommandTable& table, Context& context) {
  auto options = std::make_shared<FetchOptions>();
  CLI::App* cmd = table.add(nullptr, "fetch", "Fetch image(s) and store them in the local store",
                            [&context, options] { return run_fetch(context, *options); });
  cmd->add_option("IMAGE", options->images, "image file, name, URL or hash")->required();
  cmd->add_option("--signature", options->signatures,
                  "local signature file to use in validating the preceding image");
  cmd->add_flag("--full", options->full, "print the full image hash after fetching");
  cmd->add_option("--pull-policy", options->pull_policy,
                  "when to pull an image: never, new or update")
      ->capture_default_str();
}

}  // namespace rkt::cli
