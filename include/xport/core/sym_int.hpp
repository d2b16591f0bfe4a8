//! @file
//! `SymInt` and `SymBool`: an int64 (or bool) that may instead stand for a symbolic
//! expression, so one piece of shape logic serves eager tensors and traced ones.
#pragma once

#include <xport/core/error.hpp>
#include <xport/core/source_location.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace xport {

class SymInt;
class SymBool;

//! @brief The arithmetic a `SymInt` supports, as its symbolic implementation sees it.
enum class sym_arith : std::uint8_t {
  add,      //!< `a + b`
  sub,      //!< `a - b`
  mul,      //!< `a * b`
  floordiv, //!< Python's `a // b` (rounds toward negative infinity)
  mod,      //!< Python's `a % b` (the result has the sign of `b`)
  min,      //!< `min(a, b)`
  max       //!< `max(a, b)`
};

//! @brief The comparisons of two `SymInt`s.
enum class sym_compare : std::uint8_t {
  eq, //!< `a == b`
  ne, //!< `a != b`
  lt, //!< `a < b`
  le, //!< `a <= b`
  gt, //!< `a > b`
  ge  //!< `a >= b`
};

//! @brief The interface behind a symbolic `SymInt`.
//!
//! The core only holds nodes; `sym/` implements them (an expression in a shape
//! environment), the way `c10::SymNodeImpl` separates PyTorch's core from its symbolic
//! shapes. Every operation returns a new value; nodes are immutable.
class sym_int_node {
public:
  virtual ~sym_int_node() = default;
  //! @brief `self op other` (or `other op self` when `self_is_left` is false).
  virtual SymInt arith(sym_arith op, SymInt const& other, bool self_is_left) const = 0;
  //! @brief `self op other` (or `other op self` when `self_is_left` is false).
  virtual SymBool compare(sym_compare op, SymInt const& other, bool self_is_left) const = 0;
  //! @brief The concrete value, specializing the expression to its example value (a
  //! guard recorded at `where`).
  virtual std::int64_t guard_int(source_location const& where) const = 0;
  //! @brief The example value, without recording anything; empty for data-dependent
  //! values.
  virtual std::optional<std::int64_t> hint() const = 0;
  //! @brief The expression as PyTorch prints it (`2*s0 + 1`).
  virtual std::string str() const = 0;
};

//! @brief The interface behind a symbolic `SymBool` (a relation between expressions).
class sym_bool_node {
public:
  virtual ~sym_bool_node() = default;
  //! @brief The truth value, deciding it from ranges or, failing that, from example
  //! values (a guard recorded at `where`).
  //! @throws data_dependent_error when no example value exists.
  virtual bool guard_bool(source_location const& where) const = 0;
  //! @brief Asserts the relation for every run of the program (`xport::check`).
  //! @throws constraint_violation when it can never hold.
  virtual void assert_true(std::string_view message, source_location const& where) const = 0;
  //! @brief The negated relation.
  virtual SymBool negate() const = 0;
  //! @brief The relation as PyTorch prints it (`s0 <= 16`, `Eq(s0, 4)`).
  virtual std::string str() const = 0;
};

//! @brief A bool that may stand for a symbolic relation (`s0 <= 16`).
//!
//! Converting a symbolic SymBool to `bool` decides it, as PyTorch does when Python code
//! branches on a size: if ranges decide it nothing is recorded, otherwise the example
//! values decide and a guard is recorded (so the exported program is valid only where the
//! same branch is taken), charged to the line that wrote the comparison
//! (`if (x.sym_size(0) <= 16)`), unless an op that compares sizes is running (then to
//! the op's call site). Use `xport::check` to assert instead of branching.
class SymBool {
public:
  //! @brief A concrete bool.
  constexpr SymBool(bool value = false) noexcept : value_(value) {} // NOLINT: implicit
  //! @brief A symbolic relation, written at `where` (where a branch on it is charged).
  explicit SymBool(std::shared_ptr<sym_bool_node const> node, source_location const& where = {})
      : node_(std::move(node)), where_(where) {}

  //! @brief True when this stands for a relation rather than a known bool.
  bool is_symbolic() const noexcept { return node_ != nullptr; }
  //! @brief The value if known without deciding anything.
  std::optional<bool> maybe_bool() const noexcept {
    return node_ ? std::nullopt : std::optional<bool>(value_);
  }
  //! @brief Decides the value, recording a guard at `where` if needed.
  bool guard(source_location const& where = source_location::current()) const {
    return node_ ? node_->guard_bool(where) : value_;
  }
  //! @brief `guard()` at the place the relation was written (`where()`), when known:
  //! branching on a symbolic relation specializes the program.
  explicit operator bool() const {
    return where_.line() != 0 ? guard(where_) : guard(source_location::current());
  }
  //! @brief The negation (symbolic when this is), written where this was.
  SymBool operator!() const { return node_ ? node_->negate().at(where_) : SymBool(!value_); }
  //! @brief Where the relation was written (line 0 when unknown): for a comparison of
  //! SymInts, the caller's line.
  source_location const& where() const noexcept { return where_; }
  //! @brief This relation, as if written at `where`.
  SymBool at(source_location const& where) const {
    SymBool located = *this;
    located.where_ = where;
    return located;
  }
  //! @brief The node (null when concrete).
  std::shared_ptr<sym_bool_node const> const& node() const noexcept { return node_; }
  //! @brief `True`/`False`, or the relation.
  std::string str() const { return node_ ? node_->str() : (value_ ? "True" : "False"); }

private:
  bool value_ = false;
  std::shared_ptr<sym_bool_node const> node_;
  source_location where_;
};

class SymInt;

namespace detail {

// An operand of a comparison of SymInts, with the place the comparison is written.
// The default argument of the converting constructors is evaluated where the operand is
// converted, that is in the caller's expression, so `if (x.sym_size(0) <= 16)` charges
// its guard to the caller's line rather than to this header. (Operators take no default
// arguments of their own.) It refers to the operand, which lives until the comparison
// is done.
class compared {
public:
  compared(SymInt const& value, // NOLINT: implicit, as the operand it stands for
           source_location const& where = source_location::current()) noexcept
      : symbolic_(&value), where_(where) {}
  compared(std::int64_t value, // NOLINT: implicit
           source_location const& where = source_location::current()) noexcept
      : value_(value), where_(where) {}

  SymInt const* symbolic() const noexcept { return symbolic_; }
  std::int64_t value() const noexcept { return value_; }
  source_location const& where() const noexcept { return where_; }

private:
  SymInt const* symbolic_ = nullptr;
  std::int64_t value_ = 0;
  source_location where_;
};

[[noreturn]] inline void throw_int_overflow(char const* op, std::int64_t a, std::int64_t b) {
  throw value_error("integer overflow in " + std::to_string(a) + " " + op + " "
                    + std::to_string(b));
}

inline std::int64_t concrete_arith(sym_arith op, std::int64_t a, std::int64_t b) {
  std::int64_t result = 0;
  switch (op) {
  case sym_arith::add:
    if (__builtin_add_overflow(a, b, &result)) throw_int_overflow("+", a, b);
    return result;
  case sym_arith::sub:
    if (__builtin_sub_overflow(a, b, &result)) throw_int_overflow("-", a, b);
    return result;
  case sym_arith::mul:
    if (__builtin_mul_overflow(a, b, &result)) throw_int_overflow("*", a, b);
    return result;
  case sym_arith::floordiv:
  case sym_arith::mod: {
    if (b == 0)
      throw value_error("integer division or modulo by zero (" + std::to_string(a) + ", 0)");
    if (a == INT64_MIN && b == -1) throw_int_overflow("//", a, b);
    std::int64_t quotient = a / b;
    std::int64_t remainder = a % b;
    if (remainder != 0 && ((remainder < 0) != (b < 0))) { // round toward -infinity
      --quotient;
      remainder += b;
    }
    return op == sym_arith::floordiv ? quotient : remainder;
  }
  case sym_arith::min:
    return a < b ? a : b;
  case sym_arith::max:
    break;
  }
  return a > b ? a : b;
}

inline bool concrete_compare(sym_compare op, std::int64_t a, std::int64_t b) {
  switch (op) {
  case sym_compare::eq:
    return a == b;
  case sym_compare::ne:
    return a != b;
  case sym_compare::lt:
    return a < b;
  case sym_compare::le:
    return a <= b;
  case sym_compare::gt:
    return a > b;
  case sym_compare::ge:
    break;
  }
  return a >= b;
}

} // namespace detail

//! @brief An int64 that may stand for a symbolic expression over dynamic sizes.
//!
//! Concrete SymInts behave exactly like `int64_t` with Python's floor division and
//! modulo, and refuse overflow (value_error). A symbolic SymInt holds a node from a shape
//! environment; arithmetic builds new expressions (`2*s0 + 1`), comparisons give
//! `SymBool`s, and `guard_int()` specializes to the example value. Tensor sizes are
//! SymInts during tracing, so shape logic is written once.
//! @code
//! xport::SymInt n = 7;
//! (n * 2 + 1).expect_int() == 15;  xport::floordiv(-7, 2).expect_int() == -4;
//! @endcode
class SymInt {
public:
  //! @brief A concrete value.
  constexpr SymInt(std::int64_t value = 0) noexcept : value_(value) {} // NOLINT: implicit
  //! @brief A symbolic value.
  explicit SymInt(std::shared_ptr<sym_int_node const> node) : node_(std::move(node)) {}

  //! @brief True when this stands for an expression rather than a known integer.
  bool is_symbolic() const noexcept { return node_ != nullptr; }
  //! @brief The value if known without deciding anything.
  std::optional<std::int64_t> maybe_int() const noexcept {
    return node_ ? std::nullopt : std::optional<std::int64_t>(value_);
  }
  //! @brief The value of a concrete SymInt.
  //! @throws value_error for a symbolic one (use `guard_int` to specialize on purpose).
  std::int64_t expect_int() const {
    if (node_)
      throw value_error("expected a concrete integer, but got the symbolic size " + node_->str());
    return value_;
  }
  //! @brief The value, specializing a symbolic SymInt to its example value (recording a
  //! guard at `where`).
  std::int64_t guard_int(source_location const& where = source_location::current()) const {
    return node_ ? node_->guard_int(where) : value_;
  }
  //! @brief The example value of a symbolic SymInt (its value if concrete); empty for a
  //! data-dependent one.
  std::optional<std::int64_t> hint() const {
    return node_ ? node_->hint() : std::optional<std::int64_t>(value_);
  }
  //! @brief The node (null when concrete).
  std::shared_ptr<sym_int_node const> const& node() const noexcept { return node_; }
  //! @brief The integer, or the expression as PyTorch prints it.
  std::string str() const { return node_ ? node_->str() : std::to_string(value_); }

  //! @brief `a op b` for any SymInts: integers when both are concrete, otherwise an
  //! expression from the symbolic side's environment.
  friend SymInt apply(sym_arith op, SymInt const& a, SymInt const& b) {
    if (a.node_) return a.node_->arith(op, b, true);
    if (b.node_) return b.node_->arith(op, a, false);
    return detail::concrete_arith(op, a.value_, b.value_);
  }
  //! @brief `a op b` as a SymBool.
  friend SymBool compare(sym_compare op, SymInt const& a, SymInt const& b) {
    if (a.node_) return a.node_->compare(op, b, true);
    if (b.node_) return b.node_->compare(op, a, false);
    return detail::concrete_compare(op, a.value_, b.value_);
  }

  //! @brief Sum.
  friend SymInt operator+(SymInt const& a, SymInt const& b) { return apply(sym_arith::add, a, b); }
  //! @brief Difference.
  friend SymInt operator-(SymInt const& a, SymInt const& b) { return apply(sym_arith::sub, a, b); }
  //! @brief Product.
  friend SymInt operator*(SymInt const& a, SymInt const& b) { return apply(sym_arith::mul, a, b); }
  //! @brief Python's floor division `a // b`, as `floordiv` (for sizes, which are never
  //! negative, the same as C++'s `/`): `x.sym_size(0) / 2`.
  //! @throws value_error for division by a concrete zero.
  friend SymInt operator/(SymInt const& a, SymInt const& b) {
    return apply(sym_arith::floordiv, a, b);
  }
  //! @brief Python's `a % b`, as `mod` (the result has the sign of `b`; for sizes, the same
  //! as C++'s `%`).
  //! @throws value_error for modulo by a concrete zero.
  friend SymInt operator%(SymInt const& a, SymInt const& b) { return apply(sym_arith::mod, a, b); }
  //! @brief Equality (a SymBool: branching on it may record a guard, charged to the
  //! caller's line).
  friend SymBool operator==(detail::compared const& a, detail::compared const& b) {
    return compare_at(sym_compare::eq, a, b);
  }
  //! @brief Inequality.
  friend SymBool operator!=(detail::compared const& a, detail::compared const& b) {
    return compare_at(sym_compare::ne, a, b);
  }
  //! @brief Less than.
  friend SymBool operator<(detail::compared const& a, detail::compared const& b) {
    return compare_at(sym_compare::lt, a, b);
  }
  //! @brief Less than or equal.
  friend SymBool operator<=(detail::compared const& a, detail::compared const& b) {
    return compare_at(sym_compare::le, a, b);
  }
  //! @brief Greater than.
  friend SymBool operator>(detail::compared const& a, detail::compared const& b) {
    return compare_at(sym_compare::gt, a, b);
  }
  //! @brief Greater than or equal.
  friend SymBool operator>=(detail::compared const& a, detail::compared const& b) {
    return compare_at(sym_compare::ge, a, b);
  }

  //! @brief Prints `str()`.
  friend std::ostream& operator<<(std::ostream& out, SymInt const& value) {
    return out << value.str();
  }

private:
  // `a op b` as a SymBool written where the comparison is (the caller's line).
  static SymBool compare_at(sym_compare op, detail::compared const& a, detail::compared const& b) {
    auto const value = [](detail::compared const& x) {
      return x.symbolic() != nullptr ? *x.symbolic() : SymInt(x.value());
    };
    SymBool const result = compare(op, value(a), value(b));
    return result.is_symbolic() ? result.at(a.where()) : result;
  }

  std::int64_t value_ = 0;
  std::shared_ptr<sym_int_node const> node_;
};

//! @brief Python's `a // b`: `floordiv(-7, 2) == -4`.
//! @throws value_error for division by a concrete zero.
inline SymInt floordiv(SymInt const& a, SymInt const& b) {
  return apply(sym_arith::floordiv, a, b);
}
//! @brief Python's `a % b`: `mod(-7, 2) == 1`.
inline SymInt mod(SymInt const& a, SymInt const& b) {
  return apply(sym_arith::mod, a, b);
}
//! @brief The smaller of `a` and `b` (an expression `Min(a, b)` when undecided).
inline SymInt min(SymInt const& a, SymInt const& b) {
  return apply(sym_arith::min, a, b);
}
//! @brief The larger of `a` and `b` (an expression `Max(a, b)` when undecided).
inline SymInt max(SymInt const& a, SymInt const& b) {
  return apply(sym_arith::max, a, b);
}

//! @brief Asserts `condition` for every run of the program: `xport::check(n >= 4)`.
//!
//! On a concrete bool it checks now. On a symbolic relation (during export) it becomes a
//! runtime assert of the program and refines what tracing knows: after
//! `check(u0 >= 4)`, `u0 >= 2` is decided without a guard. This is how data-dependent
//! sizes get bounds (PyTorch's `torch._check`).
//! @throws constraint_violation when the condition is false, or can never hold.
inline void check(SymBool const& condition, std::string_view message = {},
                  source_location const& where = source_location::current()) {
  if (condition.is_symbolic()) {
    condition.node()->assert_true(message, where);
  } else if (!*condition.maybe_bool()) {
    throw constraint_violation("xport::check failed at " + std::string(where.file_name()) + ":"
                               + std::to_string(where.line())
                               + (message.empty() ? "" : ": " + std::string(message)));
  }
}

//! @brief Whether `condition` holds, for shape logic that needs it to (PyTorch's
//! `expect_true`, behind `TORCH_SYM_CHECK` in meta rules): decided as a branch on it is
//! (from ranges, else from example values, with a guard), except that a condition on
//! data-dependent values that nothing decides is asserted for every run of the program
//! instead (as `xport::check`) and counts as holding. `narrow(x, 1, 0, item)` thus
//! exports with `u0 >= 0` and `u0 <= x.size(1)` as runtime asserts.
//! @throws constraint_violation when the asserted condition can never hold.
inline bool expect_true(SymBool const& condition, std::string_view message = {},
                        source_location const& where = source_location::current()) {
  try {
    return static_cast<bool>(condition);
  } catch (data_dependent_error const&) {
    check(condition, message, where);
    return true;
  }
}

} // namespace xport
