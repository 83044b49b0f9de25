#pragma once

#include <string_view>

#include "appc/types.hpp"
#include "util/result.hpp"

namespace rkt::appc {

/// Label names are unique AC identifiers other than "name"; os/arch must be a valid pair.
/// `path` names the list in errors ("labels", "dependencies[0].labels").
Result<void> validate_labels(const Labels& labels, std::string_view path);

/// Annotation names are unique AC identifiers; `created` must be RFC 3339, `homepage` and
/// `documentation` http(s) URLs.
Result<void> validate_annotations(const Annotations& annotations, std::string_view path);

/// The value of an annotation, if present.
const Annotation* find_annotation(const Annotations& annotations, std::string_view name);

}  // namespace rkt::appc
