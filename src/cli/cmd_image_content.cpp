#include <iostream>

#include "cli/cmd_image.hpp"
#include "cli/exit_codes.hpp"
#include "image/find_image.hpp"
#include "image/render.hpp"
#include "util/file.hpp"

namespace rkt::cli {

namespace {

struct ImageTarget {
  std::string image;
  std::string target;
  bool overwrite = false;
  bool rootfs_only = false;
  bool pretty_print = true;
};

/// Refuses to replace an existing output unless --overwrite; with it, clears the way.
Result<void> prepare_output(const std::string& path, bool overwrite) {
  if (!util::path_exists(path)) return {};
  if (!overwrite) {
    return Error::make(ErrorKind::already_exists, "{} already exists (use --overwrite)", path);
  }
  return util::remove_all(path);
}

Result<int> run_cat_manifest(Context& context, const ImageTarget& options) {
  RKT_TRY_ASSIGN(store::ImageStore * store, context.store());
  RKT_TRY_ASSIGN(store::ImageInfo image, image::find_stored_image(*store, options.image));
  auto manifest = nlohmann::ordered_json::parse(image.manifest_json, nullptr, false);
  std::cout << (options.pretty_print ? manifest.dump(1, '\t') : manifest.dump()) << "\n";
  return k_exit_success;
}

Result<int> run_export(Context& context, const ImageTarget& options) {
  RKT_TRY_ASSIGN(store::ImageStore * store, context.store());
  RKT_TRY_ASSIGN(store::ImageInfo image, image::find_stored_image(*store, options.image));
  RKT_TRY(prepare_output(options.target, options.overwrite));
  // The blob is the image's uncompressed tar, exactly what its ID is the digest of.
  std::error_code ec;
  std::string tmp = options.target + ".tmp";
  std::filesystem::copy_file(store->blob_path(image.key), tmp,
                             std::filesystem::copy_options::overwrite_existing, ec);
  if (ec || std::rename(tmp.c_str(), options.target.c_str()) != 0) {
    int err = ec ? ec.value() : errno;
    std::filesystem::remove(tmp, ec);
    return Error::from_errno(err, "writing {}", options.target);
  }
  return k_exit_success;
}

Result<int> run_extract(Context& context, const ImageTarget& options) {
  RKT_TRY_ASSIGN(store::ImageStore * store, context.store());
  RKT_TRY_ASSIGN(store::ImageInfo image, image::find_stored_image(*store, options.image));
  RKT_TRY(prepare_output(options.target, options.overwrite));
  RKT_TRY(store::extract_to_dir(store->blob_path(image.key), options.target,
                                options.rootfs_only ? store::RootfsOnly::yes : store::RootfsOnly::no));
  return k_exit_success;
}

Result<int> run_render(Context& context, const ImageTarget& options) {
  RKT_TRY_ASSIGN(store::ImageStore * store, context.store());
  RKT_TRY_ASSIGN(store::ImageInfo image, image::find_stored_image(*store, options.image));
  RKT_TRY_ASSIGN(auto flattened, image::flatten_image(*store, image));
  RKT_TRY(prepare_output(options.target, options.overwrite));
  RKT_TRY(store::render_to_dir(flattened, options.target,
                               options.rootfs_only ? store::RootfsOnly::yes : store::RootfsOnly::no));
  return k_exit_success;
}

CLI::App* add_target_command(CommandTable& table, CLI::App* group, Context& context,
                             const std::string& name, const std::string& summary,
                             Result<int> (*body)(Context&, const ImageTarget&)) {
  auto options = std::make_shared<ImageTarget>();
  CLI::App* cmd = table.add(group, name, summary,
                            [&context, options, body] { return body(context, *options); });
  cmd->add_option("IMAGE", options->image, "image name, ID or file")->required();
  cmd->add_option("OUTPUT", options->target, "where to write")->required();
  cmd->add_flag("--overwrite", options->overwrite, "overwrite the output if it exists");
  if (name != "export") {
    cmd->add_flag("--rootfs-only", options->rootfs_only, "write only the root filesystem");
  }
  return cmd;
}

}  // namespace

void add_image_content_commands(CommandTable& table, CLI::App* group, Context& context) {
  auto options = std::make_shared<ImageTarget>();
  CLI::App* cat = table.add(group, "cat-manifest", "Inspect and print the image manifest",
                            [&context, options] { return run_cat_manifest(context, *options); });
  cat->add_option("IMAGE", options->image, "image name, ID or file")->required();
  cat->add_flag("--pretty-print", options->pretty_print, "apply indent to format the output")
      ->default_str("true");
  add_target_command(table, group, context, "export", "Export a stored image to an ACI file",
                     run_export);
  add_target_command(table, group, context, "extract",
                     "Extract a stored image to a directory (without dependencies)", run_extract);
  add_target_command(table, group, context, "render",
                     "Render a stored image with its dependencies to a directory", run_render);
}

}  // namespace rkt::cli
