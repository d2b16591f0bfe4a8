//! @file
//! `value_range`: a constexpr interval of int64 values with ±infinity, and sound interval
//! arithmetic over it (PyTorch's `ValueRanges`, TVM's `ConstIntBound`).
#pragma once

#include <cstdint>
#include <limits>
#include <ostream>
#include <string>

namespace xport::sym {

//! @brief The +infinity sentinel of `value_range` bounds (PyTorch's `int_oo`).
//!
//! `int_oo` is `INT64_MAX` and `-int_oo` is `INT64_MIN + 1`; `neg_int_oo` names the latter.
//! Finite bounds therefore lie strictly between the two, and negating any bound is exact.
inline constexpr std::int64_t int_oo = std::numeric_limits<std::int64_t>::max();

//! @brief The -infinity sentinel of `value_range` bounds; equal to `-int_oo`.
inline constexpr std::int64_t neg_int_oo = -int_oo;

//! @brief True iff `v` is neither `int_oo` nor `-int_oo` (nor below it).
constexpr bool is_finite(std::int64_t v) noexcept {
  return v > neg_int_oo && v < int_oo;
}

//! @brief A closed interval `[lo, hi]` of integers, where `lo` may be `-int_oo` and `hi`
//! may be `int_oo`.
//!
//! A `value_range` over-approximates the set of values an integer expression can take:
//! every operation below is *sound* (the true result of the operation on any members of
//! the operands is a member of the result), though not always tight. An interval with
//! `lo > hi` is empty (no value is possible); operations on an empty interval give an
//! empty interval. It is a plain aggregate and a structural type, so it can be a template
//! argument and is usable in constant evaluation.
//!
//! Example: `value_range{2, int_oo} * value_range{3, 3}` is `VR[6, int_oo]`.
struct value_range {
  std::int64_t lo = neg_int_oo; //!< Least member, or `-int_oo` when unbounded below.
  std::int64_t hi = int_oo;     //!< Greatest member, or `int_oo` when unbounded above.

  //! @brief Every integer: `VR[-int_oo, int_oo]`.
  static constexpr value_range unbounded() noexcept { return {neg_int_oo, int_oo}; }
  //! @brief The single value `v`: `point(4)` is `VR[4, 4]`.
  static constexpr value_range point(std::int64_t v) noexcept { return {v, v}; }
  //! @brief `VR[lo, int_oo]`.
  static constexpr value_range at_least(std::int64_t v) noexcept { return {v, int_oo}; }
  //! @brief `VR[-int_oo, hi]`.
  static constexpr value_range at_most(std::int64_t v) noexcept { return {neg_int_oo, v}; }
  //! @brief The canonical empty interval `VR[1, 0]` (any `lo > hi` is empty).
  static constexpr value_range empty() noexcept { return {1, 0}; }

  //! @brief True iff no integer lies in the interval (`lo > hi`).
  constexpr bool is_empty() const noexcept { return lo > hi; }
  //! @brief True iff the interval holds exactly one finite value.
  constexpr bool is_singleton() const noexcept { return lo == hi && is_finite(lo); }
  //! @brief True iff `lo` is finite.
  constexpr bool bounded_below() const noexcept { return is_finite(lo); }
  //! @brief True iff `hi` is finite.
  constexpr bool bounded_above() const noexcept { return is_finite(hi); }
  //! @brief True iff `v` lies in `[lo, hi]`: `VR[2, int_oo].contains(2)` is true.
  constexpr bool contains(std::int64_t v) const noexcept { return lo <= v && v <= hi; }
  //! @brief True iff every member of `*this` is a member of `other`; the empty interval is
  //! a subset of everything. `VR[3, 5].is_subset_of(VR[2, int_oo])` is true.
  constexpr bool is_subset_of(const value_range& other) const noexcept {
    return is_empty() || (other.lo <= lo && hi <= other.hi);
  }

  //! @brief Equal bounds; all empty intervals compare equal to each other.
  friend constexpr bool operator==(const value_range& a, const value_range& b) noexcept {
    if (a.is_empty() || b.is_empty()) return a.is_empty() && b.is_empty();
    return a.lo == b.lo && a.hi == b.hi;
  }
};

namespace detail {

// Saturating arithmetic on extended integers: an infinite operand or an overflow gives the
// infinity of the result's sign. Bounds are the only clients, so rounding overflow to
// infinity only ever widens an interval (sound).
constexpr std::int64_t ext_neg(std::int64_t a) noexcept {
  return a <= neg_int_oo ? int_oo : -a;
}

constexpr std::int64_t ext_add(std::int64_t a, std::int64_t b) noexcept {
  // +inf + -inf has no value; callers add two lower or two upper bounds, which never mix
  // infinities on a non-empty interval, so either answer is sound. Lower bounds win.
  if (a <= neg_int_oo || b <= neg_int_oo) return neg_int_oo;
  if (a == int_oo || b == int_oo) return int_oo;
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return a > 0 ? int_oo : neg_int_oo;
  if (r >= int_oo) return int_oo;
  if (r <= neg_int_oo) return neg_int_oo;
  return r;
}

constexpr std::int64_t ext_mul(std::int64_t a, std::int64_t b) noexcept {
  if (a == 0 || b == 0) return 0; // 0 * inf = 0, as PyTorch's safe_mul
  const bool negative = (a < 0) != (b < 0);
  if (!is_finite(a) || !is_finite(b)) return negative ? neg_int_oo : int_oo;
  std::int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r) || !is_finite(r)) return negative ? neg_int_oo : int_oo;
  return r;
}

// floor(a / d) for d > 0 (d may be +inf, a may be infinite).
constexpr std::int64_t ext_floordiv_pos(std::int64_t a, std::int64_t d) noexcept {
  if (!is_finite(a)) return a; // ±inf / positive keeps its sign
  if (d == int_oo) return a >= 0 ? 0 : -1;
  std::int64_t q = a / d;
  if (a % d != 0 && a < 0) --q;
  return q;
}

constexpr std::int64_t ext_min(std::int64_t a, std::int64_t b) noexcept {
  return a < b ? a : b;
}
constexpr std::int64_t ext_max(std::int64_t a, std::int64_t b) noexcept {
  return a < b ? b : a;
}

// floor division of intervals whose divisor holds only positive values.
constexpr value_range floordiv_pos(const value_range& a, const value_range& b) noexcept {
  // floor(x/y) grows with x; in y it shrinks for x >= 0 and grows for x < 0, so the
  // extremes sit at the corners.
  return {ext_min(ext_floordiv_pos(a.lo, b.lo), ext_floordiv_pos(a.lo, b.hi)),
          ext_max(ext_floordiv_pos(a.hi, b.lo), ext_floordiv_pos(a.hi, b.hi))};
}

constexpr value_range mod_pos(const value_range& a, const value_range& b) noexcept {
  if (a.lo >= 0 && a.hi < b.lo) return a;
  if (b.is_singleton() && is_finite(a.lo) && is_finite(a.hi)) {
    const std::int64_t m = b.lo;
    if (ext_floordiv_pos(a.lo, m) == ext_floordiv_pos(a.hi, m)) {
      const std::int64_t r = a.lo - ext_floordiv_pos(a.lo, m) * m;
      return {r, r + (a.hi - a.lo)};
    }
  }
  const std::int64_t top = b.hi == int_oo ? int_oo : b.hi - 1;
  return {0, a.lo >= 0 ? ext_min(top, a.hi) : top};
}

constexpr value_range hull(const value_range& a, const value_range& b) noexcept {
  if (a.is_empty()) return b;
  if (b.is_empty()) return a;
  return {ext_min(a.lo, b.lo), ext_max(a.hi, b.hi)};
}

} // namespace detail

//! @brief Negation: `-VR[2, int_oo]` is `VR[-int_oo, -2]`.
constexpr value_range operator-(const value_range& a) noexcept {
  if (a.is_empty()) return value_range::empty();
  return {detail::ext_neg(a.hi), detail::ext_neg(a.lo)};
}

//! @brief Sum, saturating at ±int_oo: `VR[1, 3] + VR[10, int_oo]` is `VR[11, int_oo]`.
constexpr value_range operator+(const value_range& a, const value_range& b) noexcept {
  if (a.is_empty() || b.is_empty()) return value_range::empty();
  return {detail::ext_add(a.lo, b.lo), detail::ext_add(a.hi, b.hi)};
}

//! @brief Difference: `VR[1, 3] - VR[1, 2]` is `VR[-1, 2]`.
constexpr value_range operator-(const value_range& a, const value_range& b) noexcept {
  return a + (-b);
}

//! @brief Product by the four-corner rule with `0 * inf = 0`:
//! `VR[-2, 3] * VR[4, 5]` is `VR[-10, 15]`.
constexpr value_range operator*(const value_range& a, const value_range& b) noexcept {
  if (a.is_empty() || b.is_empty()) return value_range::empty();
  using detail::ext_max, detail::ext_min, detail::ext_mul;
  const std::int64_t c1 = ext_mul(a.lo, b.lo), c2 = ext_mul(a.lo, b.hi);
  const std::int64_t c3 = ext_mul(a.hi, b.lo), c4 = ext_mul(a.hi, b.hi);
  return {ext_min(ext_min(c1, c2), ext_min(c3, c4)), ext_max(ext_max(c1, c2), ext_max(c3, c4))};
}

//! @brief Intersection (refinement); empty when the intervals are disjoint:
//! `intersect(VR[2, 10], VR[5, int_oo])` is `VR[5, 10]`.
constexpr value_range intersect(const value_range& a, const value_range& b) noexcept {
  const value_range r{detail::ext_max(a.lo, b.lo), detail::ext_min(a.hi, b.hi)};
  return r.is_empty() ? value_range::empty() : r;
}

//! @brief The smallest interval holding both (union, for select/piecewise):
//! `hull(VR[1, 2], VR[5, 6])` is `VR[1, 6]`.
constexpr value_range hull(const value_range& a, const value_range& b) noexcept {
  return detail::hull(a, b);
}

//! @brief Python floor division `a // b` (rounds toward -inf).
//!
//! Four corners when `0 ∉ b`; otherwise the divisor is split into its negative and positive
//! parts (division by zero is not a value) and the results are joined. A divisor that can
//! only be 0 gives `unbounded()`. `floordiv(VR[7, 20], VR[2, 3])` is `VR[2, 10]`;
//! `floordiv(VR[-7, -7], VR[2, 2])` is `VR[-4, -4]`.
constexpr value_range floordiv(const value_range& a, const value_range& b) noexcept {
  if (a.is_empty() || b.is_empty()) return value_range::empty();
  if (b.lo == 0 && b.hi == 0) return value_range::unbounded();
  value_range r = value_range::empty();
  if (b.hi >= 1) r = detail::hull(r, detail::floordiv_pos(a, {detail::ext_max(b.lo, 1), b.hi}));
  if (b.lo <= -1) // a // b == (-a) // (-b)
    r = detail::hull(r, detail::floordiv_pos(-a, -value_range{b.lo, detail::ext_min(b.hi, -1)}));
  return r;
}

//! @brief Python modulo `a % b` (result has the sign of `b`), loose but sound.
//!
//! For `b > 0` the result is in `[0, b.hi - 1]`, tightened to `a` itself when `a` already
//! lies in `[0, b.lo - 1]`, to `[0, a.hi]` when `a >= 0`, and to the exact residues when `b`
//! is a point and `a` does not cross a multiple of it. Mirrored for `b < 0`; joined when
//! `b` straddles 0. `mod(VR[0, int_oo], VR[4, 4])` is `VR[0, 3]`; `mod(VR[9, 10], VR[4, 4])`
//! is `VR[1, 2]`.
constexpr value_range mod(const value_range& a, const value_range& b) noexcept {
  if (a.is_empty() || b.is_empty()) return value_range::empty();
  if (b.lo == 0 && b.hi == 0) return value_range::unbounded();
  value_range r = value_range::empty();
  if (b.hi >= 1) r = detail::hull(r, detail::mod_pos(a, {detail::ext_max(b.lo, 1), b.hi}));
  if (b.lo <= -1) // a % b == -((-a) % (-b))
    r = detail::hull(r, -detail::mod_pos(-a, -value_range{b.lo, detail::ext_min(b.hi, -1)}));
  return r;
}

//! @brief Coordinatewise minimum: `min(VR[1, 9], VR[3, 4])` is `VR[1, 4]`.
constexpr value_range min(const value_range& a, const value_range& b) noexcept {
  if (a.is_empty() || b.is_empty()) return value_range::empty();
  return {detail::ext_min(a.lo, b.lo), detail::ext_min(a.hi, b.hi)};
}

//! @brief Coordinatewise maximum: `max(VR[1, 9], VR[3, 4])` is `VR[3, 9]`.
constexpr value_range max(const value_range& a, const value_range& b) noexcept {
  if (a.is_empty() || b.is_empty()) return value_range::empty();
  return {detail::ext_max(a.lo, b.lo), detail::ext_max(a.hi, b.hi)};
}

//! @brief `a` raised to the power `k` (`k >= 0`); even powers are non-negative:
//! `pow(VR[-2, 3], 2)` is `VR[0, 9]`.
constexpr value_range pow(const value_range& a, unsigned k) noexcept {
  if (a.is_empty()) return value_range::empty();
  value_range r = value_range::point(1);
  for (unsigned i = 0; i < k; ++i)
    r = r * a;
  if (k % 2 == 0 && a.lo < 0 && a.hi > 0) r.lo = 0;
  return r;
}

//! @brief Writes a bound as PyTorch does: `int_oo`, `-int_oo` or the number.
inline std::string bound_to_string(std::int64_t v) {
  if (v >= int_oo) return "int_oo";
  if (v <= neg_int_oo) return "-int_oo";
  return std::to_string(v);
}

//! @brief PyTorch's spelling: `VR[2, int_oo]`, `VR[-int_oo, 5]`, `VR[3, 3]`; an empty
//! interval prints as `VR[empty]`.
inline std::string to_string(const value_range& r) {
  if (r.is_empty()) return "VR[empty]";
  return "VR[" + bound_to_string(r.lo) + ", " + bound_to_string(r.hi) + "]";
}

//! @brief Streams `to_string(r)`.
inline std::ostream& operator<<(std::ostream& os, const value_range& r) {
  return os << to_string(r);
}

} // namespace xport::sym
