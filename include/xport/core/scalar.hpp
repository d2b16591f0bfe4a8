//! @file
//! `Scalar`: a C++ number passed to an op (PyTorch's "wrapped number").
#pragma once

#include <xport/core/dtype.hpp>
#include <xport/core/sym_int.hpp>

#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>

namespace xport {

namespace detail {
constexpr double largest_finite(dtype type) {
  switch (type) {
  case dtype::float16:
    return 65504.0;
  case dtype::bfloat16:
    return 3.3895313892515355e38;
  case dtype::float32:
    return static_cast<double>(std::numeric_limits<float>::max());
  default:
    return std::numeric_limits<double>::max();
  }
}
} // namespace detail

//! @brief A bool, integer or floating-point number passed where a tensor could be.
//!
//! It keeps its category, which type promotion needs: integers are held as `int64`,
//! floating-point numbers as `double`. In `result_type` a Scalar ranks below every
//! tensor (see `operand_kind::wrapped_number`).
//!
//! While tracing, an integer Scalar may be symbolic: `x + x.sym_size(0)` or `x * n.item()`
//! records the size or data-dependent value itself, as PyTorch records a `SymInt`
//! operand, and each call of the program evaluates it. Ops see such a value only in
//! meta rules (its category is int64); kernels always receive concrete ones.
class Scalar {
public:
  //! @brief The integer 0.
  constexpr Scalar() = default;
  //! @brief An integer that may be symbolic (see the class comment); a concrete SymInt
  //! is an ordinary int64 scalar.
  Scalar(SymInt const& value) // NOLINT: implicit, as an integer converts
      : integer_(value.maybe_int().value_or(0)), node_(value.node()) {}
  //! @brief A boolean scalar (dtype bool).
  constexpr Scalar(bool value) : type_(dtype::bool_), integer_(value ? 1 : 0) {}
  //! @brief An integer scalar (dtype int64).
  template <std::integral I>
  requires(!std::same_as<I, bool>) constexpr Scalar(I value)
      : integer_(static_cast<std::int64_t>(value)) {}
  //! @brief A floating-point scalar (dtype float64 as a wrapped number).
  template <std::floating_point F>
  constexpr Scalar(F value) : type_(dtype::float64), floating_(static_cast<double>(value)) {}

  //! @brief bool, int64 or float64: the category this scalar promotes as.
  constexpr dtype type() const noexcept { return type_; }
  //! @brief True when the scalar holds a floating-point value.
  constexpr bool is_floating_point() const noexcept { return type_ == dtype::float64; }
  //! @brief True when the scalar holds a bool.
  constexpr bool is_bool() const noexcept { return type_ == dtype::bool_; }
  //! @brief True when the scalar stands for a symbolic integer (only while tracing, or in
  //! a program's attributes before a call evaluates them).
  bool is_symbolic() const noexcept { return node_ != nullptr; }
  //! @brief The integer (a bool as 0 or 1) as a `SymInt`: symbolic when the scalar is.
  //! @throws value_error for a floating-point scalar.
  SymInt sym_int() const {
    if (is_floating_point()) throw value_error("expected an integer scalar, but got " + str());
    return node_ ? SymInt(node_) : SymInt(integer_);
  }
  //! @brief The value as PyTorch prints it (`2`, `2.5`, `True`, `s0 + 1`).
  std::string str() const {
    std::ostringstream text;
    text << *this;
    return text.str();
  }

  //! @brief The value converted to `T`, checked: a value that `T` cannot hold (300 as
  //! uint8, 1e300 as float32, NaN as an integer) is refused rather than wrapped, like
  //! PyTorch's "value cannot be converted to type ... without overflow". Any value
  //! converts to bool (nonzero is true).
  //! @throws value_error naming the value and the target dtype, or for a symbolic scalar
  //! (its value is known only when a program runs).
  template <element_type T>
  T to() const {
    if (node_) {
      throw value_error("the symbolic scalar " + node_->str()
                        + " has no value until the program runs");
    }
    if constexpr (std::same_as<T, bool>) {
      return is_floating_point() ? floating_ != 0.0 : integer_ != 0;
    } else if constexpr (std::integral<T>) {
      if (is_floating_point()) {
        // The range test in double is exact at both ends: the bounds are powers of two
        // (or one below, and then rounding up keeps "<" correct).
        if (!(floating_ >= static_cast<double>(std::numeric_limits<T>::min())
              && floating_ < static_cast<double>(std::numeric_limits<T>::max()) + 1.0)) {
          throw overflow(dtype_of<T>);
        }
        return static_cast<T>(floating_);
      }
      if (!std::in_range<T>(integer_)) throw overflow(dtype_of<T>);
      return static_cast<T>(integer_);
    } else {
      double const value = is_floating_point() ? floating_ : static_cast<double>(integer_);
      // Infinities and NaN convert as themselves; finite values must fit.
      if (std::abs(value) > detail::largest_finite(dtype_of<T>) && std::isfinite(value)) {
        throw overflow(dtype_of<T>);
      }
      if constexpr (std::same_as<T, double>) {
        return value;
      } else {
        return T(static_cast<float>(value));
      }
    }
  }

  //! @brief Same category and same value (NaN is unequal to itself, as in C++); symbolic
  //! scalars are equal when they print the same expression.
  friend bool operator==(Scalar const& a, Scalar const& b) {
    if (a.node_ || b.node_) return a.node_ && b.node_ && a.node_->str() == b.node_->str();
    return a.type_ == b.type_ && a.integer_ == b.integer_ && a.floating_ == b.floating_;
  }

  //! @brief Prints the value as PyTorch would (`2`, `2.5`, `True`, `s0 + 1`).
  friend std::ostream& operator<<(std::ostream& out, Scalar const& scalar) {
    if (scalar.node_) return out << scalar.node_->str();
    if (scalar.is_bool()) return out << (scalar.integer_ != 0 ? "True" : "False");
    if (scalar.is_floating_point()) return out << scalar.floating_;
    return out << scalar.integer_;
  }

private:
  value_error overflow(dtype target) const {
    std::ostringstream text;
    text << "value " << *this << " cannot be converted to type " << name(target)
         << " without overflow";
    return value_error(text.str());
  }

  dtype type_ = dtype::int64;
  std::int64_t integer_ = 0;
  double floating_ = 0.0;
  std::shared_ptr<sym_int_node const> node_; // a symbolic integer, else null
};

} // namespace xport
