#include <algorithm>
#include <iostream>
#include <map>

#include "appc/manifest.hpp"
#include "cli/cmd_image.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace rkt::cli {

namespace {

const std::map<std::string, std::string> k_field_headers = {
    {"id", "ID"},          {"name", "NAME"},           {"size", "SIZE"},
    {"importtime", "IMPORT TIME"}, {"lastused", "LAST USED"}, {"latest", "LATEST"}};
const std::vector<std::string> k_sort_fields = {"name", "importtime", "lastused", "size"};

struct ImageListOptions {
  std::string fields = "id,name,size,importtime,lastused";
  std::string sort = "importtime";
  std::string order = "asc";
  bool full = false;
  bool no_legend = false;
  std::string format;
};

std::string display_name(const store::ImageInfo& image) {
  const appc::Label* version = appc::find_label(image.manifest.labels, "version");
  return version ? image.name + ":" + version->value : image.name;
}

long long nanos(util::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

Result<std::vector<std::string>> parse_list(const std::string& text,
                                            const std::vector<std::string>& allowed) {
  std::vector<std::string> out;
  for (const std::string& raw : util::split(text, ',')) {
    std::string field = util::to_lower(util::trim(raw));
    field.erase(std::remove(field.begin(), field.end(), ' '), field.end());
    if (std::find(allowed.begin(), allowed.end(), field) == allowed.end()) {
      return Error::make(ErrorKind::invalid_argument, "unknown field \"{}\" (accepted: {})", raw,
                         util::join(allowed, ", "));
    }
    out.push_back(field);
  }
  return out;
}

void sort_images(std::vector<store::ImageInfo>& images, const std::vector<std::string>& keys,
                 bool ascending) {
  auto less = [&](const store::ImageInfo& a, const store::ImageInfo& b) {
    for (const std::string& key : keys) {
      if (key == "name" && a.name != b.name) return a.name < b.name;
      if (key == "importtime" && a.import_time != b.import_time) {
        return a.import_time < b.import_time;
      }
      if (key == "lastused" && a.last_used != b.last_used) return a.last_used < b.last_used;
      if (key == "size" && a.size + a.tree_size != b.size + b.tree_size) {
        return a.size + a.tree_size < b.size + b.tree_size;
      }
    }
    return false;
  };
  std::stable_sort(images.begin(), images.end(), [&](const auto& a, const auto& b) {
    return ascending ? less(a, b) : less(b, a);
  });
}

std::string cell(const store::ImageInfo& image, const std::string& field, bool full) {
  if (field == "id") return full ? image.key : image.key.substr(0, 7 + 12);
  if (field == "name") return display_name(image);
  if (field == "size") {
    uint64_t total = image.size + image.tree_size;
    return full ? std::to_string(total) : util::human_size_iec(total);
  }
  if (field == "latest") return image.latest ? "true" : "false";
  auto time = field == "importtime" ? image.import_time : image.last_used;
  return full ? util::format_time_full(time) : util::format_relative(time);
}

nlohmann::json json_entry(const store::ImageInfo& image) {
  return {{"id", image.key},
          {"name", display_name(image)},
          {"import_time", nanos(image.import_time)},
          {"last_used_time", nanos(image.last_used)},
          {"size", image.size + image.tree_size}};
}

Result<int> run_image_list(Context& context, const ImageListOptions& options) {
  std::vector<std::string> all_fields;
  for (const auto& [field, header] : k_field_headers) all_fields.push_back(field);
  RKT_TRY_ASSIGN(auto fields, parse_list(options.fields, all_fields));
  RKT_TRY_ASSIGN(auto sort_keys, parse_list(options.sort, k_sort_fields));
  if (options.order != "asc" && options.order != "desc") {
    return Error::make(ErrorKind::invalid_argument, "wrong sort order \"{}\" (asc or desc)",
                       options.order);
  }
  RKT_TRY_ASSIGN(OutputFormat format, parse_output_format(options.format));
  RKT_TRY_ASSIGN(store::ImageStore * store, context.store());
  RKT_TRY_ASSIGN(auto images, store->list());
  sort_images(images, sort_keys, options.order == "asc");
  if (format != OutputFormat::table) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& image : images) out.push_back(json_entry(image));
    print_json(std::cout, out, format);
    return k_exit_success;
  }
  std::vector<std::string> headers;
  for (const auto& field : fields) headers.push_back(k_field_headers.at(field));
  Table table(headers);
  for (const auto& image : images) {
    std::vector<std::string> row;
    for (const auto& field : fields) row.push_back(cell(image, field, options.full));
    table.add_row(std::move(row));
  }
  table.print(std::cout, !options.no_legend);
  return k_exit_success;
}

}  // namespace

void add_image_list_command(CommandTable& table, CLI::App* group, Context& context) {
  auto options = std::make_shared<ImageListOptions>();
  CLI::App* cmd = table.add(group, "list", "List images in the local store",
                            [&context, options] { return run_image_list(context, *options); });
  cmd->add_option("--fields", options->fields,
                  "comma-separated list of fields to display: id, name, size, importtime, "
                  "lastused, latest")
      ->capture_default_str();
  cmd->add_option("--sort", options->sort,
                  "sort the output by these comma-separated fields: name, importtime, lastused, "
                  "size")
      ->capture_default_str();
  cmd->add_option("--order", options->order, "sorting order: asc or desc")->capture_default_str();
  cmd->add_flag("--full", options->full, "use long output format");
  cmd->add_flag("--no-legend", options->no_legend, "suppress a legend with the list");
  cmd->add_option("--format", options->format, "output format: json or json-pretty");
}

}  // namespace rkt::cli
