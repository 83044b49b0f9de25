#include "cli/output.hpp"

#include <algorithm>

namespace rkt::cli {

Result<OutputFormat> parse_output_format(const std::string& text) {
  if (text.empty() || text == "tabbed") return OutputFormat::table;
  if (text == "json") return OutputFormat::json;
  if (text == "json-pretty") return OutputFormat::json_pretty;
  return Error::make(ErrorKind::invalid_argument,
                     "invalid format \"{}\" (expected json or json-pretty)", text);
}

void print_json(std::ostream& out, const nlohmann::json& value, OutputFormat format) {
  out << (format == OutputFormat::json_pretty ? value.dump(1, '\t') : value.dump()) << "\n";
}

void Table::print(std::ostream& out, bool legend) const {
  std::vector<size_t> widths(m_headers.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  };
  if (legend) measure(m_headers);
  for (const auto& row : m_rows) measure(row);
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  };
  if (legend) emit(m_headers);
  for (const auto& row : m_rows) emit(row);
}

}  // namespace rkt::cli
