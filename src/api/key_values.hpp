#pragma once

// appc's name/value pairs (labels, annotations) as v1alpha KeyValue lists, for pod and image
// messages alike.

namespace rkt::api {

/// Appends each {name, value} of `pairs` to the repeated KeyValue field `out`.
template <typename Field, typename Range>
void add_key_values(Field* out, const Range& pairs) {
  for (const auto& pair : pairs) {
    auto* kv = out->Add();
    kv->set_key(pair.name);
    kv->set_value(pair.value);
  }
}

}  // namespace rkt::api
