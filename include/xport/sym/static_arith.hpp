//! @file
//! Arithmetic on compile-time extents, by CuTe's rule (static op static stays static,
//! mixed decays to a runtime value), and the `_c` literal for static sizes.
#pragma once

#include <xport/sym/static_extent.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace xport::sym {

namespace detail::extents {

// Builds the canonical result a*R + b from the operands' root value.
template <class R, std::int64_t A, std::int64_t B, class X, class Y>
constexpr auto build(const X& x, const Y& y) {
  using T = typename make_form<R, A, B>::type;
  if constexpr (static_size<T>) {
    return T{};
  } else {
    const R root = [&] {
      if constexpr (std::is_same_v<typename form<X>::root, R>)
        return root_of(x);
      else
        return root_of(y);
    }();
    if constexpr (plain_dim<T>)
      return root;
    else
      return T{root};
  }
}

// True iff X has a typed form whose root coefficient K divides: the quotient by K (and the
// residue modulo K) is then exact in the root.
template <class X, std::int64_t K>
constexpr bool coefficient_divisible() noexcept {
  if constexpr (typed_extent<X>)
    return form<X>::a % K == 0;
  else
    return false;
}

template <class X, class Y>
concept mixed_operands = extent<X> && extent<Y> &&(typed_extent<X> || typed_extent<Y>);

[[noreturn]] inline void throw_division_by_zero(const char* op, std::int64_t x) {
  throw value_error("division by zero: " + std::to_string(x) + " " + op + " 0");
}

} // namespace detail::extents

//! @brief Sum. Typed extents over one root (or constants) stay typed:
//! `batch + 3_c` is `derived<batch, 1, 3>`, `b + b` is `derived<batch, 2>`,
//! `3_c + 4_c` is `fixed<7>`; anything else is a runtime `std::int64_t`.
template <extent X, extent Y>
requires detail::extents::mixed_operands<X, Y>
constexpr auto operator+(const X& x, const Y& y) {
  detail::extents::agree(x, y);
  if constexpr (detail::extents::compatible_roots<X, Y>) {
    using fx = detail::extents::form<X>;
    using fy = detail::extents::form<Y>;
    return detail::extents::build<typename detail::extents::root_pair<X, Y>::type, fx::a + fy::a,
                                  fx::b + fy::b>(x, y);
  } else {
    return value_of(x) + value_of(y);
  }
}

//! @brief Difference. Stays typed when the result is a constant or an increasing form of
//! one root: `b - 1_c` is `derived<batch, 1, -1>` (an error if `batch` may be 0:
//! a derived dim's minimum must be `>= 0`), `(b + 3_c) - b` is `fixed<3>`; a decreasing
//! form (`8_c - b`) or a mix with runtime values is a runtime `std::int64_t`.
template <extent X, extent Y>
requires detail::extents::mixed_operands<X, Y>
constexpr auto operator-(const X& x, const Y& y) {
  detail::extents::agree(x, y);
  if constexpr (detail::extents::compatible_roots<X, Y>) {
    using fx = detail::extents::form<X>;
    using fy = detail::extents::form<Y>;
    if constexpr (fx::a - fy::a >= 0)
      return detail::extents::build<typename detail::extents::root_pair<X, Y>::type, fx::a - fy::a,
                                    fx::b - fy::b>(x, y);
    else
      return value_of(x) - value_of(y);
  } else {
    return value_of(x) - value_of(y);
  }
}

//! @brief Product. A typed extent times a positive constant stays typed
//! (`2_c * b` is `derived<batch, 2>`); times `fixed<0>` it is `fixed<0>` (absorbing, as
//! CuTe, also for runtime operands); two constants fold. Everything else is a runtime
//! `std::int64_t` (symbolic times symbolic, negative factors of a dim).
template <extent X, extent Y>
requires detail::extents::mixed_operands<X, Y>
constexpr auto operator*(const X& x, const Y& y) {
  detail::extents::agree(x, y);
  if constexpr (std::is_same_v<X, fixed<0>> || std::is_same_v<Y, fixed<0>>) {
    return fixed<0>{};
  } else if constexpr (static_size<X> && static_size<Y>) {
    return fixed<X::value * Y::value>{};
  } else if constexpr (static_size<X> && symbolic_size<Y>) {
    return y * x;
  } else if constexpr (symbolic_size<X> && static_size<Y>) {
    if constexpr (Y::value > 0)
      return detail::extents::build<typename detail::extents::form<X>::root,
                                    detail::extents::form<X>::a * Y::value,
                                    detail::extents::form<X>::b * Y::value>(x, y);
    else
      return value_of(x) * Y::value;
  } else {
    return value_of(x) * value_of(y);
  }
}

//! @brief Floor division (Python's `//`, which equals C++'s `/` on sizes).
//!
//! `fixed / fixed` folds (`784_c / 4_c` is `fixed<196>`); a typed form divided by a
//! constant that divides its coefficient stays typed, since the quotient is exact up to the
//! offset: `(4_c * b + 6_c) / 2_c` is `derived<batch, 2, 3>`, `(2_c*b + 1_c) / 2_c` is
//! `b`. Otherwise a runtime `std::int64_t`. A static zero divisor is a compile error.
//! @throws value_error for a runtime zero divisor.
template <extent X, extent Y>
requires detail::extents::mixed_operands<X, Y>
constexpr auto operator/(const X& x, const Y& y) {
  detail::extents::agree(x, y);
  if constexpr (static_size<Y>) {
    static_assert(Y::value != 0, "xport: division of a size by the static value 0");
    if constexpr (Y::value > 0 && detail::extents::coefficient_divisible<X, Y::value>())
      return detail::extents::build<
          typename detail::extents::form<X>::root, detail::extents::form<X>::a / Y::value,
          detail::extents::floor_div(detail::extents::form<X>::b, Y::value)>(x, y);
    else if constexpr (static_size<X>)
      return fixed<detail::extents::floor_div(X::value, Y::value)>{};
    else
      return detail::extents::floor_div(value_of(x), Y::value);
  } else {
    const std::int64_t d = value_of(y);
    if (d == 0) detail::extents::throw_division_by_zero("//", value_of(x));
    return detail::extents::floor_div(value_of(x), d);
  }
}

//! @brief Modulo (Python's `%`: the result has the sign of the divisor).
//!
//! A typed form modulo a constant that divides its coefficient is that constant's residue
//! of the offset, a `fixed`: `(3_c * b) % 3_c` is `fixed<0>`, `(2_c * b + 1_c) % 2_c` is
//! `fixed<1>`, and anything `% 1_c` is `fixed<0>`. Otherwise a runtime `std::int64_t`.
//! A static zero divisor is a compile error.
//! @throws value_error for a runtime zero divisor.
template <extent X, extent Y>
requires detail::extents::mixed_operands<X, Y>
constexpr auto operator%(const X& x, const Y& y) {
  detail::extents::agree(x, y);
  if constexpr (static_size<Y>) {
    static_assert(Y::value != 0, "xport: division of a size by the static value 0");
    if constexpr (Y::value == 1 || Y::value == -1)
      return fixed<0>{};
    else if constexpr (detail::extents::coefficient_divisible<X, Y::value>())
      return fixed<detail::extents::floor_mod(detail::extents::form<X>::b, Y::value)>{};
    else
      return detail::extents::floor_mod(value_of(x), Y::value);
  } else {
    const std::int64_t d = value_of(y);
    if (d == 0) detail::extents::throw_division_by_zero("%", value_of(x));
    return detail::extents::floor_mod(value_of(x), d);
  }
}

//! @brief Literals for static sizes: `784_c` is `fixed<784>{}`.
namespace literals {

//! @brief `784_c` is `xport::fixed<784>{}`; digits only (decimal).
template <char... Digits>
constexpr auto operator""_c() noexcept {
  static_assert(((Digits >= '0' && Digits <= '9') && ...),
                "xport: the _c literal takes decimal digits only");
  constexpr std::int64_t n = [] {
    std::int64_t v = 0;
    for (char c : {Digits...})
      v = v * 10 + (c - '0');
    return v;
  }();
  return fixed<n>{};
}

} // namespace literals

} // namespace xport::sym
