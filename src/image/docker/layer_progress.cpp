#include "image/docker/layer_progress.hpp"

#include <unistd.h>

#include <iostream>

#include "image/progress_bar.hpp"

namespace rkt::image::docker {

namespace {

constexpr size_t k_bar_width = 30;
constexpr auto k_interval = std::chrono::milliseconds(100);

}  // namespace

LayerProgress::LayerProgress(const std::vector<std::pair<std::string, uint64_t>>& blobs)
    : m_terminal(::isatty(STDERR_FILENO) == 1) {
  for (const auto& [digest, size] : blobs) {
    m_rows.push_back(Row{"Downloading " + digest.substr(0, 7 + 11), 0, size});
  }
  if (m_terminal && !m_rows.empty()) redraw(false);
}

void LayerProgress::update(size_t row, uint64_t done, uint64_t total) {
  if (!m_terminal) return;
  std::lock_guard lock(m_mutex);
  m_rows[row].done = done;
  if (total > 0) m_rows[row].total = total;
  auto now = std::chrono::steady_clock::now();
  if (now - m_last_draw < k_interval) return;
  m_last_draw = now;
  redraw(true);
}

void LayerProgress::finish(size_t row, uint64_t size) {
  std::lock_guard lock(m_mutex);
  m_rows[row].done = m_rows[row].total = size;
  if (m_terminal) {
    redraw(true);
    return;
  }
  std::cerr << m_rows[row].label << ": " << format_progress_bar(size, size, k_bar_width) << "\n";
}

void LayerProgress::redraw(bool move_up) {
  std::string out;
  if (move_up) out += "\x1b[" + std::to_string(m_rows.size()) + "A";
  for (const Row& row : m_rows) {
    out += "\r\x1b[K" + row.label + ": " + format_progress_bar(row.done, row.total, k_bar_width) +
           "\n";
  }
  std::cerr << out << std::flush;
}

}  // namespace rkt::image::docker
