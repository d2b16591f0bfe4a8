//! @file
//! `relation`: a comparison between two symbolic expressions (`Eq(s0, 4)`, `s0 >= 2`,
//! `Eq(Mod(s0, 2), 0)`), with negation, a canonical form and evaluation.
#pragma once

#include <xport/sym/expr.hpp>

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace xport::sym {

//! @brief The comparison of a `relation`.
enum class rel_op : std::uint8_t {
  eq, //!< `Eq(lhs, rhs)`
  ne, //!< `Ne(lhs, rhs)`
  lt, //!< `lhs < rhs`
  le, //!< `lhs <= rhs`
  gt, //!< `lhs > rhs`
  ge  //!< `lhs >= rhs`
};

//! @brief A comparison `lhs op rhs` of two expressions, kept as written for messages.
//!
//! `canonical()` gives the form the algebra reasons about: `e >= 0`, `Eq(e, 0)` or
//! `Ne(e, 0)` with `e` reduced by the content of its non-constant part.
struct relation {
  rel_op op = rel_op::eq; //!< The comparison.
  expr lhs;               //!< Left-hand side.
  expr rhs;               //!< Right-hand side.

  //! @brief `lhs - rhs`: for `s0 >= 2` it is `s0 - 2`.
  constexpr expr difference() const { return lhs - rhs; }

  //! @brief The same relation as `e >= 0`, `Eq(e, 0)` or `Ne(e, 0)`, with integer
  //! tightening: `2*s0 > 3` becomes `s0 - 2 >= 0`; `Eq(2*s0, 3)` becomes `Eq(1, 0)` (false).
  constexpr relation canonical() const;

  //! @brief Structural equality of operator and both sides.
  friend constexpr bool operator==(const relation& a, const relation& b) {
    return a.op == b.op && a.lhs == b.lhs && a.rhs == b.rhs;
  }
};

//! @brief `Eq(a, b)`.
constexpr relation eq(const expr& a, const expr& b) {
  return {rel_op::eq, a, b};
}
//! @brief `Ne(a, b)`.
constexpr relation ne(const expr& a, const expr& b) {
  return {rel_op::ne, a, b};
}
//! @brief `a < b`.
constexpr relation lt(const expr& a, const expr& b) {
  return {rel_op::lt, a, b};
}
//! @brief `a <= b`.
constexpr relation le(const expr& a, const expr& b) {
  return {rel_op::le, a, b};
}
//! @brief `a > b`.
constexpr relation gt(const expr& a, const expr& b) {
  return {rel_op::gt, a, b};
}
//! @brief `a >= b`.
constexpr relation ge(const expr& a, const expr& b) {
  return {rel_op::ge, a, b};
}
//! @brief The divisibility fact `e % k == 0`, as PyTorch writes it: `divisible(s0, 4)` is
//! `Eq(Mod(s0, 4), 0)`.
//! @throws value_error if `k` is 0.
constexpr relation divisible(const expr& e, std::int64_t k) {
  return eq(mod(e, k), 0);
}

//! @brief The logical negation: `negate(s0 >= 4)` is `s0 < 4`; `negate(Eq(a, b))` is
//! `Ne(a, b)`.
constexpr relation negate(const relation& r) {
  switch (r.op) {
  case rel_op::eq:
    return {rel_op::ne, r.lhs, r.rhs};
  case rel_op::ne:
    return {rel_op::eq, r.lhs, r.rhs};
  case rel_op::lt:
    return {rel_op::ge, r.lhs, r.rhs};
  case rel_op::le:
    return {rel_op::gt, r.lhs, r.rhs};
  case rel_op::gt:
    return {rel_op::le, r.lhs, r.rhs};
  case rel_op::ge:
    return {rel_op::lt, r.lhs, r.rhs};
  }
  return r;
}

namespace detail {

// Splits e into (non-constant part, constant).
constexpr std::pair<expr, std::int64_t> split_constant(const expr& e) {
  const std::int64_t c = e.constant_term();
  return {e - c, c};
}

} // namespace detail

constexpr relation relation::canonical() const {
  expr d;
  rel_op o = op;
  switch (op) {
  case rel_op::eq:
  case rel_op::ne:
  case rel_op::ge:
    d = lhs - rhs;
    break;
  case rel_op::le:
    d = rhs - lhs;
    o = rel_op::ge;
    break;
  case rel_op::gt:
    d = lhs - rhs - 1;
    o = rel_op::ge;
    break;
  case rel_op::lt:
    d = rhs - lhs - 1;
    o = rel_op::ge;
    break;
  }
  auto [var, c] = detail::split_constant(d);
  const std::int64_t g = detail::content(var);
  if (g > 1) {
    var = detail::scale_down(var, g);
    if (o == rel_op::ge) {
      // g*x + c >= 0  <=>  x >= ceil(-c/g)  <=>  x + floor(c/g) >= 0
      c = detail::py_floordiv(c, g);
    } else if (c % g != 0) {
      // g*x + c == 0 has no integer solution: Eq(1, 0) is false, Ne(1, 0) true.
      return {o, expr(1), expr(0)};
    } else {
      c /= g;
    }
  }
  // Eq/Ne are symmetric in sign: prefer a positive leading coefficient.
  if (o != rel_op::ge && !var.terms().empty() && var.terms().front().coeff < 0) {
    var = -var;
    c = detail::checked_neg(c);
  }
  return {o, var + c, expr(0)};
}

//! @brief Evaluates the relation with `value(symbol) -> std::int64_t` (see `evaluate`):
//! `evaluate(ge(s0, 4), bindings{{{s0, 5}}})` is true.
//! @throws value_error as `evaluate(expr, value)` does.
template <class F>
constexpr bool evaluate(const relation& r, F&& value) {
  const std::int64_t a = evaluate(r.lhs, value), b = evaluate(r.rhs, value);
  switch (r.op) {
  case rel_op::eq:
    return a == b;
  case rel_op::ne:
    return a != b;
  case rel_op::lt:
    return a < b;
  case rel_op::le:
    return a <= b;
  case rel_op::gt:
    return a > b;
  case rel_op::ge:
    return a >= b;
  }
  return false;
}

//! @brief The C++ operator of a comparison: `operator_spelling(rel_op::ge)` is `">="`.
constexpr std::string_view operator_spelling(rel_op op) noexcept {
  switch (op) {
  case rel_op::eq:
    return "==";
  case rel_op::ne:
    return "!=";
  case rel_op::lt:
    return "<";
  case rel_op::le:
    return "<=";
  case rel_op::gt:
    return ">";
  case rel_op::ge:
    return ">=";
  }
  return "?";
}

//! @brief Prints in PyTorch's style with symbol names from `name`: `Eq(s0, 4)`,
//! `Ne(s0, 4)`, `s0 >= 2`, `Eq(Mod(s0, 2), 0)`.
template <class Namer>
std::string to_string(const relation& r, Namer&& name) {
  const std::string a = to_string(r.lhs, name), b = to_string(r.rhs, name);
  if (r.op == rel_op::eq || r.op == rel_op::ne)
    return (r.op == rel_op::eq ? "Eq(" : "Ne(") + a + ", " + b + ")";
  return a + " " + std::string(operator_spelling(r.op)) + " " + b;
}

//! @brief Prints with default symbol names: `s0 >= 2`.
inline std::string to_string(const relation& r) {
  return to_string(r, [](symbol s) { return to_string(s); });
}

//! @brief Streams `to_string(r)`.
inline std::ostream& operator<<(std::ostream& os, const relation& r) {
  return os << to_string(r);
}

} // namespace xport::sym
