//! @file
//! `Scalar`: a C++ number passed to an op (PyTorch's "wrapped number").
#pragma once

#include <xport/core/dtype.hpp>

#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <ostream>
#include <sstream>
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
class Scalar {
public:
  //! @brief The integer 0.
  constexpr Scalar() = default;
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

  //! @brief The value converted to `T`, checked: a value that `T` cannot hold (300 as
  //! uint8, 1e300 as float32, NaN as an integer) is refused rather than wrapped, like
  //! PyTorch's "value cannot be converted to type ... without overflow". Any value
  //! converts to bool (nonzero is true).
  //! @throws value_error naming the value and the target dtype.
  template <element_type T>
  constexpr T to() const {
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

  //! @brief Same category and same value (NaN is unequal to itself, as in C++).
  friend constexpr bool operator==(Scalar const&, Scalar const&) = default;

  //! @brief Prints the value as PyTorch would (`2`, `2.5`, `True`).
  friend std::ostream& operator<<(std::ostream& out, Scalar const& scalar) {
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
};

} // namespace xport
