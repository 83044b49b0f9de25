#include "api/image_message.hpp"

#include <algorithm>

#include "api/key_values.hpp"
#include "appc/manifest.hpp"

namespace rkt::api {

namespace {

template <typename Values, typename Pred>
bool any_or_empty(const Values& values, Pred pred) {
  return values.empty() || std::any_of(values.begin(), values.end(), pred);
}

bool contains_pair(const google::protobuf::RepeatedPtrField<v1alpha::KeyValue>& have,
                   const v1alpha::KeyValue& wanted) {
  return std::any_of(have.begin(), have.end(), [&](const auto& kv) {
    return kv.key() == wanted.key() && kv.value() == wanted.value();
  });
}

std::string base_name(const std::string& name) {
  auto slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

}  // namespace

v1alpha::Image image_message(const store::ImageInfo& info, bool with_manifest) {
  v1alpha::Image out;
  out.mutable_base_format()->set_type(v1alpha::IMAGE_TYPE_APPC);
  out.mutable_base_format()->set_version(info.manifest.ac_version);
  out.set_id(info.key);
  out.set_name(info.name);
  if (const appc::Label* version = appc::find_label(info.manifest.labels, "version")) {
    out.set_version(version->value);
  }
  out.set_import_timestamp(
      std::chrono::duration_cast<std::chrono::seconds>(info.import_time.time_since_epoch())
          .count());
  out.set_size(static_cast<int64_t>(info.size + info.tree_size));
  add_key_values(out.mutable_labels(), info.manifest.labels);
  add_key_values(out.mutable_annotations(), info.manifest.annotations);
  if (with_manifest) out.set_manifest(info.manifest_json);
  return out;
}

bool matches(const v1alpha::Image& image, const v1alpha::ImageFilter& filter) {
  const std::string& name = image.name();
  return any_or_empty(filter.ids(),
                      [&](const std::string& id) {
                        return !id.empty() && (id == image.id() || id.starts_with(image.id()));
                      }) &&
         any_or_empty(filter.prefixes(),
                      [&](const std::string& p) { return name.starts_with(p); }) &&
         any_or_empty(filter.base_names(),
                      [&](const std::string& b) { return base_name(name) == b; }) &&
         any_or_empty(filter.keywords(),
                      [&](const std::string& k) { return name.find(k) != std::string::npos; }) &&
         std::all_of(filter.labels().begin(), filter.labels().end(),
                     [&](const auto& kv) { return contains_pair(image.labels(), kv); }) &&
         std::all_of(filter.annotations().begin(), filter.annotations().end(),
                     [&](const auto& kv) { return contains_pair(image.annotations(), kv); }) &&
         (filter.imported_after() == 0 || image.import_timestamp() > filter.imported_after()) &&
         (filter.imported_before() == 0 || image.import_timestamp() < filter.imported_before()) &&
         any_or_empty(filter.full_names(), [&](const std::string& n) { return name == n; });
}

bool matches_any(const v1alpha::Image& image,
                 const google::protobuf::RepeatedPtrField<v1alpha::ImageFilter>& filters) {
  return filters.empty() || std::any_of(filters.begin(), filters.end(),
                                        [&](const auto& f) { return matches(image, f); });
}

}  // namespace rkt::api
