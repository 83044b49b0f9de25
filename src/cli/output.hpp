#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace rkt::cli {

/// Output formats of list-like commands (--format).
enum class OutputFormat { table, json, json_pretty };

Result<OutputFormat> parse_output_format(const std::string& text);
void print_json(std::ostream& out, const nlohmann::json& value, OutputFormat format);

/// Columns padded with spaces (two between columns), as rkt's tables print.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : m_headers(std::move(headers)) {}
  void add_row(std::vector<std::string> row) { m_rows.push_back(std::move(row)); }
  /// Prints the header line unless `legend` is false, then the rows.
  void print(std::ostream& out, bool legend = true) const;

 private:
  std::vector<std::string> m_headers;
  std::vector<std::vector<std::string>> m_rows;
};

}  // namespace rkt::cli
