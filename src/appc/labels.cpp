#include "appc/labels.hpp"

#include <set>

#include "appc/manifest.hpp"
#include "appc/names.hpp"
#include "appc/os_arch.hpp"
#include "appc/value_formats.hpp"

namespace rkt::appc {
namespace {

// Checks names of a {name, value} list: AC identifiers, each once.
template <typename Item>
Result<void> validate_names(const std::vector<Item>& items, std::string_view path) {
  std::set<std::string_view> seen;
  for (size_t i = 0; i < items.size(); ++i) {
    RKT_TRY(validate_ac_identifier(fmt::format("{}[{}].name", path, i), items[i].name));
    if (!seen.insert(items[i].name).second) {
      return Error::make(ErrorKind::invalid_argument, "{}[{}].name: {} is given more than once",
                         path, i, quote(items[i].name));
    }
  }
  return {};
}

Result<void> check_annotation(const Annotations& annotations, std::string_view path, size_t i) {
  const Annotation& annotation = annotations[i];
  std::string field = fmt::format("{}[{}].value", path, i);
  if (annotation.name == "created" && !is_rfc3339(annotation.value)) {
    return Error::make(ErrorKind::invalid_argument,
                       "{}: {} is not an RFC 3339 time (created), e.g. 2016-05-18T13:49:28Z", field,
                       quote(annotation.value));
  }
  if ((annotation.name == "homepage" || annotation.name == "documentation") &&
      !is_http_url(annotation.value)) {
    return Error::make(ErrorKind::invalid_argument, "{}: {} is not an http(s) URL ({})", field,
                       quote(annotation.value), annotation.name);
  }
  return {};
}

}  // namespace

Result<void> validate_labels(const Labels& labels, std::string_view path) {
  RKT_TRY(validate_names(labels, path));
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i].name == "name") {
      return Error::make(ErrorKind::invalid_argument,
                         "{}[{}].name: \"name\" cannot be a label name (it is the image's name)",
                         path, i);
    }
  }
  return validate_os_arch_labels(labels, path);
}

Result<void> validate_annotations(const Annotations& annotations, std::string_view path) {
  RKT_TRY(validate_names(annotations, path));
  for (size_t i = 0; i < annotations.size(); ++i) RKT_TRY(check_annotation(annotations, path, i));
  return {};
}

const Label* find_label(const Labels& labels, std::string_view name) {
  for (const Label& label : labels) {
    if (label.name == name) return &label;
  }
  return nullptr;
}

const Annotation* find_annotation(const Annotations& annotations, std::string_view name) {
  for (const Annotation& annotation : annotations) {
    if (annotation.name == name) return &annotation;
  }
  return nullptr;
}

}  // namespace rkt::appc
