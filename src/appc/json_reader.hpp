#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/result.hpp"

namespace rkt::appc {

/// "5", "\"x\"", "a list", "an object": how a wrong JSON value is shown in errors.
std::string describe_json(const nlohmann::json& value);

/// Typed, path-aware access to the fields of one JSON object, so that every parse error names the
/// field ("app.ports[0].port: expected an integer, got \"80\""). Absent and null fields are alike.
class JsonObject {
 public:
  /// Fails unless `value` is an object; `path` names it in errors ("" for the document root).
  static Result<JsonObject> open(const nlohmann::json& value, std::string path);

  const std::string& path() const { return m_path; }
  /// "app.user" for key "user" of object "app".
  std::string field_path(std::string_view key) const;
  /// The field, or null when absent or JSON null.
  const nlohmann::json* find(std::string_view key) const;

  Result<std::string> required_string(std::string_view key) const;
  /// "" when absent.
  Result<std::string> string(std::string_view key) const;
  Result<std::optional<bool>> optional_bool(std::string_view key) const;
  Result<bool> boolean(std::string_view key, bool fallback) const;
  /// An integer in low..high (error text "N is not in low..high"), or nullopt when absent.
  Result<std::optional<int64_t>> optional_integer(std::string_view key, int64_t low,
                                                  int64_t high) const;
  /// [] when absent.
  Result<std::vector<std::string>> string_list(std::string_view key) const;
  /// {} when absent; every value must be a string.
  Result<std::map<std::string, std::string>> string_map(std::string_view key) const;

  /// Parses each element of the list `key` with `parse(element, "key[i]")`; [] when absent.
  template <typename T, typename Parse>
  Result<std::vector<T>> list(std::string_view key, Parse parse) const {
    std::vector<T> out;
    const nlohmann::json* items = find(key);
    if (items == nullptr) return out;
    RKT_TRY(expect_array(*items, key));
    for (size_t i = 0; i < items->size(); ++i) {
      RKT_TRY_ASSIGN(T item, parse((*items)[i], fmt::format("{}[{}]", field_path(key), i)));
      out.push_back(std::move(item));
    }
    return out;
  }

 private:
  JsonObject(const nlohmann::json& object, std::string path)
      : m_object(&object), m_path(std::move(path)) {}
  Result<void> expect_array(const nlohmann::json& value, std::string_view key) const;

  const nlohmann::json* m_object;
  std::string m_path;
};

/// Parses JSON text, turning syntax errors into an Error ("invalid JSON: ...").
Result<nlohmann::json> parse_json_text(std::string_view text);

}  // namespace rkt::appc
