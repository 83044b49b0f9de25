#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace rkt::image::docker {

/// Progress of the blobs a docker fetch downloads in parallel, one row each:
/// "Downloading sha256:<11 hex>: [=====     ] 1.2 MB/26.2 MB". On a terminal the rows are live,
/// redrawn in place (at most every 100 ms) as bytes arrive; otherwise each row is printed once,
/// when its blob completes, as rkt printed them. Safe to call from the download threads.
class LayerProgress {
 public:
  /// One row per blob: {digest, size from the manifest (0: unknown)}.
  explicit LayerProgress(const std::vector<std::pair<std::string, uint64_t>>& blobs);
  LayerProgress(const LayerProgress&) = delete;
  LayerProgress& operator=(const LayerProgress&) = delete;

  void update(size_t row, uint64_t done, uint64_t total);
  void finish(size_t row, uint64_t size);

 private:
  struct Row {
    std::string label;
    uint64_t done = 0;
    uint64_t total = 0;
  };
  void redraw(bool move_up);

  std::mutex m_mutex;
  std::vector<Row> m_rows;
  bool m_terminal;
  std::chrono::steady_clock::time_point m_last_draw{};
};

}  // namespace rkt::image::docker
