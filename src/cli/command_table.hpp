#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace rkt::cli {

/// A command's body: returns the process exit code, or an Error that dispatch reports.
using Handler = std::function<Result<int>()>;

/// The table of rkt's commands: each entry is a CLI11 subcommand plus its handler.
class CommandTable {
 public:
  explicit CommandTable(CLI::App& root) : m_root(root) {}

  /// Declares `name` under `parent` (the root when null); flags are added to the returned app.
  CLI::App* add(CLI::App* parent, const std::string& name, const std::string& summary,
                Handler handler);
  /// Declares a group of subcommands without a handler of its own (e.g. `image`).
  CLI::App* add_group(const std::string& name, const std::string& summary);

  /// Runs the selected command's handler; an Error becomes "rkt: <command>: <message>" and 254.
  int dispatch() const;
  CLI::App& root() const { return m_root; }

 private:
  struct Entry {
    CLI::App* app;
    std::string full_name;  // "image list"
    Handler handler;
  };
  CLI::App& m_root;
  std::vector<Entry> m_entries;
};

}  // namespace rkt::cli
