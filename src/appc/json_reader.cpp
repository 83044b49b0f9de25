#include "appc/json_reader.hpp"

namespace rkt::appc {
namespace {

using nlohmann::json;

Error wrong_type(const std::string& field, std::string_view expected, const json& value) {
  return Error::make(ErrorKind::invalid_argument, "{}: expected {}, got {}", field, expected,
                     describe_json(value));
}

}  // namespace

std::string describe_json(const json& value) {
  if (value.is_array()) return "a list";
  if (value.is_object()) return "an object";
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  constexpr size_t k_max = 80;
  if (text.size() > k_max) text = text.substr(0, k_max) + "...";
  return text;
}

Result<JsonObject> JsonObject::open(const json& value, std::string path) {
  if (!value.is_object()) {
    return wrong_type(path.empty() ? std::string("manifest") : path, "an object", value);
  }
  return JsonObject(value, std::move(path));
}

std::string JsonObject::field_path(std::string_view key) const {
  if (m_path.empty()) return std::string(key);
  return fmt::format("{}.{}", m_path, key);
}

const json* JsonObject::find(std::string_view key) const {
  auto it = m_object->find(key);
  if (it == m_object->end() || it->is_null()) return nullptr;
  return &*it;
}

Result<void> JsonObject::expect_array(const json& value, std::string_view key) const {
  if (value.is_array()) return {};
  return wrong_type(field_path(key), "a list", value);
}

Result<std::string> JsonObject::required_string(std::string_view key) const {
  if (find(key) == nullptr) {
    return Error::make(ErrorKind::invalid_argument, "{} is required", field_path(key));
  }
  return string(key);
}

Result<std::string> JsonObject::string(std::string_view key) const {
  const json* value = find(key);
  if (value == nullptr) return std::string();
  if (!value->is_string()) return wrong_type(field_path(key), "a string", *value);
  return value->get<std::string>();
}

Result<std::optional<bool>> JsonObject::optional_bool(std::string_view key) const {
  const json* value = find(key);
  if (value == nullptr) return std::optional<bool>();
  if (!value->is_boolean()) return wrong_type(field_path(key), "true or false", *value);
  return std::optional<bool>(value->get<bool>());
}

Result<bool> JsonObject::boolean(std::string_view key, bool fallback) const {
  RKT_TRY_ASSIGN(auto value, optional_bool(key));
  return value.value_or(fallback);
}

Result<std::optional<int64_t>> JsonObject::optional_integer(std::string_view key, int64_t low,
                                                            int64_t high) const {
  const json* value = find(key);
  if (value == nullptr) return std::optional<int64_t>();
  if (!value->is_number_integer()) return wrong_type(field_path(key), "an integer", *value);
  bool too_big = value->is_number_unsigned() && value->get<uint64_t>() > uint64_t(INT64_MAX);
  int64_t number = too_big ? INT64_MAX : value->get<int64_t>();
  if (too_big || number < low || number > high) {
    return Error::make(ErrorKind::invalid_argument, "{}: {} is not in {}..{}", field_path(key),
                       value->dump(), low, high);
  }
  return std::optional<int64_t>(number);
}

Result<std::vector<std::string>> JsonObject::string_list(std::string_view key) const {
  std::vector<std::string> out;
  const json* items = find(key);
  if (items == nullptr) return out;
  RKT_TRY(expect_array(*items, key));
  for (size_t i = 0; i < items->size(); ++i) {
    const json& item = (*items)[i];
    if (!item.is_string()) {
      return wrong_type(fmt::format("{}[{}]", field_path(key), i), "a string", item);
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::map<std::string, std::string>> JsonObject::string_map(std::string_view key) const {
  std::map<std::string, std::string> out;
  const json* object = find(key);
  if (object == nullptr) return out;
  if (!object->is_object()) return wrong_type(field_path(key), "an object", *object);
  for (const auto& [name, value] : object->items()) {
    if (!value.is_string()) {
      return wrong_type(fmt::format("{}.{}", field_path(key), name), "a string", value);
    }
    out.emplace(name, value.get<std::string>());
  }
  return out;
}

Result<json> parse_json_text(std::string_view text) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& error) {
    return Error::make(ErrorKind::invalid_argument, "invalid JSON: {}", error.what());
  }
}

}  // namespace rkt::appc
