#pragma once

#include <utility>

namespace rkt {

/// Runs a callable when the scope ends, unless dismissed.
template <typename F>
class ScopeExit {
 public:
  explicit ScopeExit(F f) : m_f(std::move(f)) {}
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;
  ~ScopeExit() {
    if (m_active) m_f();
  }
  void dismiss() { m_active = false; }

 private:
  F m_f;
  bool m_active = true;
};

}  // namespace rkt
