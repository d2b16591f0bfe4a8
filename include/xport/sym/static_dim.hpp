//! @file
//! The compile-time tier of dims: static sizes (`fixed<784>`), named dims with a range
//! (`dim<"batch", 1, 1024>`) and increasing affine dims derived from them (`2*batch + 1`)
//! as types, with CuTe's arithmetic rule and three-valued static checks.
//!
//! An *extent* is one of
//! - `fixed<N>`: a size known at compile time; an empty type;
//! - `dim<Name, Min, Max>`: a named dynamic size whose value is known only at run time
//!   but whose name and range are in the type (PyTorch's `Dim(name, min=, max=)`);
//! - `affine<Root, A, B>`: the derived dim `A*Root + B` (`A >= 1`), always re-rooted on a
//!   plain `dim` and written in one canonical form, so equal forms are the same type;
//! - a plain integer: a runtime size with nothing known about it.
//!
//! Arithmetic follows CuTe: static op static stays static (it folds into the type),
//! anything the types cannot represent decays to a runtime `std::int64_t`. Checks
//! (`expect_equal`, `slice`, `exact_div`, and the shape operations of
//! `static_shape.hpp`) first decide their condition from the types alone, with the same
//! constexpr `value_range` arithmetic the runtime uses: a condition that can never hold is
//! a `static_assert` failure with a readable message; one that always holds costs nothing;
//! one the types cannot decide is checked on the values at run time and throws an
//! `xport::error` naming them. Inconclusive is never a compile error.
//!
//! @code
//! using namespace xport::literals;
//! using batch = xport::dim<"batch", 1, 1024>;
//! batch b{8};
//! auto n = 2_c * b + 1_c;        // xport::derived<batch, 2, 1>; n.value() == 17
//! auto m = b + b + 1_c;          // the same type as n: canonical forms
//! auto k = 784_c / 4_c;          // xport::fixed<196>
//! auto r = b * std::int64_t{3};  // std::int64_t{24}: mixed decays to runtime
//! @endcode
#pragma once

#include <xport/core/error.hpp>
#include <xport/sym/static_arith.hpp>
#include <xport/sym/static_extent.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace xport::sym {

// ---------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------

namespace detail::extents {

// The static_asserts shared by every check that two extents are equal. Kept in one place
// so each message exists once; an operation adds its own message for the constant case.
template <class X, class Y>
constexpr void static_check_equal() noexcept {
  check_names<X, Y>();
  constexpr unequal why = never_equal_because<X, Y>();
  static_assert(why != unequal::forms_differ,
                "xport: two derived dims of the same root with different forms can never be "
                "equal (a*d + b == c*d + e has no solution in d's range)");
  static_assert(why != unequal::outside_range,
                "xport: a static size lies outside the declared range of the dim it must "
                "equal");
  static_assert(why != unequal::not_of_form,
                "xport: a static size is not of the form a*d + b of the derived dim it must "
                "equal");
  static_assert(why != unequal::disjoint,
                "xport: two dims that must be equal have disjoint declared ranges");
}

// Of two extents known to be equal, the one that says more: fixed, then typed, then int.
template <class X, class Y>
constexpr auto more_static(const X& x, const Y& y) noexcept {
  if constexpr (static_size<X>)
    return x;
  else if constexpr (static_size<Y>)
    return y;
  else if constexpr (typed_extent<X>)
    return x;
  else if constexpr (typed_extent<Y>)
    return to_extent(y);
  else
    return to_extent(x);
}

[[noreturn]] inline void throw_unequal(const std::string& x, const std::string& y) {
  throw shape_error("Expected " + x + " to be equal to " + y);
}

} // namespace detail::extents

//! @brief Asserts `x == y` and returns the more static of the two (a `fixed` over a dim,
//! a dim over a runtime integer), so later operations keep what the types know.
//!
//! Decided statically where the types allow (see `static_equal`): `never` is a compile
//! error naming the reason; `always` costs nothing; `unknown` compares the values.
//! `expect_equal(b, 8_c)` returns `fixed<8>{}` if `b.value() == 8`.
//! @throws shape_error "Expected batch = 7 to be equal to 8".
template <extent X, extent Y>
constexpr auto expect_equal(const X& x, const Y& y) {
  detail::extents::agree(x, y);
  detail::extents::static_check_equal<X, Y>();
  static_assert(detail::extents::never_equal_because<X, Y>()
                    != detail::extents::unequal::constants_differ,
                "xport: two static sizes that must be equal differ");
  if constexpr (static_equal<X, Y>() != verdict::always)
    if (value_of(x) != value_of(y)) detail::extents::throw_unequal(describe(x), describe(y));
  return detail::extents::more_static(x, y);
}

namespace detail::extents {

// True iff y - x has a typed, increasing form whose range has no negative value.
template <class Y, class X>
constexpr bool nonnegative_difference() noexcept {
  if constexpr (compatible_roots<X, Y>) {
    constexpr std::int64_t a = form<Y>::a - form<X>::a, b = form<Y>::b - form<X>::b;
    using R = typename root_pair<X, Y>::type;
    return a >= 0 && (value_range::point(a) * root_range<R> + value_range::point(b)).lo >= 0;
  } else {
    return false;
  }
}

[[noreturn]] inline void throw_slice(const std::string& start, const std::string& end,
                                     const std::string& size) {
  throw index_error("slice [" + start + ":" + end + "] does not fit in a size of " + size
                    + "; expected 0 <= start <= end <= size");
}

} // namespace detail::extents

//! @brief The length of the slice `[start:end]` of a size `x`: `end - start`, after
//! checking `0 <= start <= end <= x` (strict, like `narrow`: no clamping).
//!
//! Each bound is decided from the types first: `slice(dim<"n", 1, 8>{n}, 0_c, 16_c)` is a
//! compile error (the end is past the dim's maximum, provably); `slice(b, 1_c, b)` is
//! `derived<batch, 1, -1>` when `batch >= 1`, checked for nothing at run time. When a
//! bound is inconclusive the values are checked, and a result whose typed form could be
//! negative decays to `std::int64_t` instead of being a compile error.
//! @throws index_error "slice [0:16] does not fit in a size of n = 8; ...".
template <extent X, extent S, extent E>
constexpr auto slice(const X& x, const S& start, const E& end) {
  detail::extents::agree(x, start);
  detail::extents::agree(x, end);
  detail::extents::agree(start, end);
  constexpr verdict start_ok = static_less_equal<fixed<0>, extent_t<S>>();
  constexpr verdict order_ok = static_less_equal<extent_t<S>, extent_t<E>>();
  constexpr verdict end_ok = static_less_equal<extent_t<E>, extent_t<X>>();
  static_assert(start_ok != verdict::never, "xport::slice: the slice start is negative");
  static_assert(order_ok != verdict::never, "xport::slice: the slice start is after its end");
  static_assert(end_ok != verdict::never,
                "xport::slice: the slice end is past the maximum of the sliced size");
  if constexpr (start_ok != verdict::always || order_ok != verdict::always
                || end_ok != verdict::always) {
    const std::int64_t s = value_of(start), e = value_of(end), n = value_of(x);
    if (s < 0 || e < s || n < e)
      detail::extents::throw_slice(describe(start), describe(end), describe(x));
  }
  // The typed difference is only formed when it cannot be negative (forming a derived dim
  // with a negative minimum is a compile error); otherwise the values, just checked, carry
  // it.
  if constexpr (detail::extents::nonnegative_difference<extent_t<E>, extent_t<S>>())
    return to_extent(end) - to_extent(start);
  else
    return value_of(end) - value_of(start);
}

namespace detail::extents {

[[noreturn]] inline void throw_not_divisible(const std::string& x, std::int64_t d) {
  throw shape_error("Expected " + x + " to be divisible by " + std::to_string(d));
}

} // namespace detail::extents

//! @brief `x / d` when `d` divides `x` exactly (CuTe's `safe_div`), checked.
//!
//! Static where the types tell: `exact_div(12_c, 4_c)` is `fixed<3>`,
//! `exact_div(4_c * b + 6_c, 2_c)` is `derived<batch, 2, 3>`; `exact_div(12_c, 5_c)` and
//! `exact_div(2_c * b + 1_c, 2_c)` (never divisible) are compile errors; otherwise the
//! value is checked and the quotient is a runtime `std::int64_t`.
//! @throws shape_error "Expected 3*batch = 9 to be divisible by 2".
//! @throws value_error for a runtime zero divisor.
template <extent X, extent D>
constexpr auto exact_div(const X& x, const D& d) {
  detail::extents::agree(x, d);
  if constexpr (static_size<D>) {
    static_assert(D::value != 0, "xport: division of a size by the static value 0");
    if constexpr (typed_extent<X>) {
      using f = detail::extents::form<X>;
      static_assert(f::a % D::value != 0 || f::b % D::value == 0,
                    "xport::exact_div: the size is never divisible by the static divisor");
      if constexpr (f::a % D::value == 0)
        return x / d;
      else {
        if (value_of(x) % D::value != 0)
          detail::extents::throw_not_divisible(describe(x), D::value);
        return value_of(x) / D::value;
      }
    } else {
      if (value_of(x) % D::value != 0) detail::extents::throw_not_divisible(describe(x), D::value);
      return value_of(x) / D::value;
    }
  } else {
    const std::int64_t dv = value_of(d);
    if (dv == 0) detail::extents::throw_division_by_zero("//", value_of(x));
    if (value_of(x) % dv != 0) detail::extents::throw_not_divisible(describe(x), dv);
    return value_of(x) / dv;
  }
}

} // namespace xport::sym

namespace xport {
using sym::derived;
using sym::dim;
using sym::fixed;
namespace literals {
using sym::literals::operator""_c;
} // namespace literals
} // namespace xport
