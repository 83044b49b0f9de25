#include "image/progress_bar.hpp"

#include <unistd.h>

#include <iostream>

#include "util/strings.hpp"

namespace rkt::image {

namespace {

constexpr size_t k_bar_width = 40;
constexpr auto k_terminal_interval = std::chrono::milliseconds(100);
constexpr auto k_line_interval = std::chrono::seconds(1);

std::string sizes(uint64_t done, uint64_t total) {
  return util::human_size(done) + "/" + (total > 0 ? util::human_size(total) : "?");
}

}  // namespace

std::string format_progress_bar(uint64_t done, uint64_t total, size_t width) {
  size_t filled = total > 0 ? static_cast<size_t>(std::min<uint64_t>(done, total) * width / total)
                            : 0;
  return "[" + std::string(filled, '=') + std::string(width - filled, ' ') + "] " +
         sizes(done, total);
}

ProgressBar::ProgressBar(std::string label)
    : m_label(std::move(label)), m_terminal(::isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() {
  if (m_open && m_terminal && !m_finished) std::cerr << "\n" << std::flush;
}

void ProgressBar::update(uint64_t done, uint64_t total) {
  m_done = done;
  m_total = total;
  auto now = std::chrono::steady_clock::now();
  auto interval = m_terminal ? std::chrono::duration_cast<std::chrono::milliseconds>(
                                   k_terminal_interval)
                             : std::chrono::duration_cast<std::chrono::milliseconds>(
                                   k_line_interval);
  if (m_open && now - m_last_draw < interval) return;
  m_last_draw = now;
  draw(false);
}

void ProgressBar::finish(uint64_t done) {
  if (m_finished) return;
  m_done = done;
  if (m_total < done) m_total = done;
  draw(true);
  m_finished = true;
}

void ProgressBar::draw(bool final) {
  // A plain line already showing the final state is not printed twice.
  if (final && !m_terminal && m_open && m_drawn == m_done) return;
  m_open = true;
  m_drawn = m_done;
  if (m_terminal) {
    std::cerr << "\r" << m_label << ": " << format_progress_bar(m_done, m_total, k_bar_width)
              << (final ? "\n" : "") << std::flush;
  } else {
    std::cerr << m_label << ": " << sizes(m_done, m_total) << "\n" << std::flush;
  }
}

}  // namespace rkt::image
