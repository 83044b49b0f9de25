#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "util/error.hpp"

namespace rkt {

/// A value or an Error, with the parts of std::expected's API that we use, so it can become an
/// alias of std::expected<T, Error> once the compiler has it.
template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(T value) : m_storage(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : m_storage(std::in_place_index<1>, std::move(error)) {}
  template <typename U>
    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, Result> &&
             !std::is_same_v<std::decay_t<U>, Error> && !std::is_same_v<std::decay_t<U>, T>)
  Result(U&& value) : m_storage(std::in_place_index<0>, T(std::forward<U>(value))) {}

  bool has_value() const { return m_storage.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return checked_value(); }
  const T& value() const& { return const_cast<Result*>(this)->checked_value(); }
  T&& value() && { return std::move(checked_value()); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : T(std::forward<U>(fallback));
  }

  Error& error() & { return std::get<1>(m_storage); }
  const Error& error() const& { return std::get<1>(m_storage); }
  Error&& error() && { return std::move(std::get<1>(m_storage)); }

 private:
  T& checked_value() {
    assert(has_value());
    return std::get<0>(m_storage);
  }
  std::variant<T, Error> m_storage;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;

  Result() = default;
  Result(Error error) : m_error(std::move(error)), m_failed(true) {}

  bool has_value() const { return !m_failed; }
  explicit operator bool() const { return has_value(); }
  void value() const { assert(has_value()); }
  Error& error() & { return m_error; }
  const Error& error() const& { return m_error; }
  Error&& error() && { return std::move(m_error); }

 private:
  Error m_error;
  bool m_failed = false;
};

}  // namespace rkt

/// Returns the error of a failed Result from the enclosing function.
#define RKT_TRY(expr)                                   \
  do {                                                  \
    auto rkt_try_result_ = (expr);                      \
    if (!rkt_try_result_) {                             \
      return std::move(rkt_try_result_).error();        \
    }                                                   \
  } while (false)

#define RKT_CONCAT_INNER(a, b) a##b
#define RKT_CONCAT(a, b) RKT_CONCAT_INNER(a, b)

/// `RKT_TRY_ASSIGN(auto x, f());` declares x from f()'s value, or returns f()'s error.
#define RKT_TRY_ASSIGN(decl, expr) RKT_TRY_ASSIGN_IMPL(RKT_CONCAT(rkt_try_tmp_, __LINE__), decl, expr)
#define RKT_TRY_ASSIGN_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                         \
  if (!tmp) {                                \
    return std::move(tmp).error();           \
  }                                          \
  decl = std::move(tmp).value()
