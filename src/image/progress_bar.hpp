#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace rkt::image {

/// rkt's download progress on stderr: "Downloading ACI: [=====     ] 1.2 MB/2.65 MB" redrawn in
/// place on a terminal, and plain lines ("Downloading ACI: 1.2 MB/2.65 MB", at most one a second,
/// always the last) otherwise, as rkt's output looked in a journal.
class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  /// Ends the line if the transfer stopped half-way.
  ~ProgressBar();

  void update(uint64_t done, uint64_t total);
  /// Draws the final state (done = total) and ends the line.
  void finish(uint64_t done);

 private:
  void draw(bool final);

  std::string m_label;
  bool m_terminal;
  bool m_open = false;
  bool m_finished = false;
  uint64_t m_done = 0;
  uint64_t m_total = 0;
  uint64_t m_drawn = 0;  // m_done when last drawn
  std::chrono::steady_clock::time_point m_last_draw{};
};

/// "[=====     ] 1.2 MB/2.65 MB" without the label: the bar itself, `width` cells wide.
std::string format_progress_bar(uint64_t done, uint64_t total, size_t width);

}  // namespace rkt::image
