//! @file
//! Front ends of the binary elementwise ops: arithmetic, comparisons, logical and
//! bitwise ops, each on two tensors or a tensor and a scalar. All broadcast and promote
//! like PyTorch, and each ends in `ops::call`, so it runs eagerly or is recorded.
#pragma once

#include <xport/api/call.hpp>
#include <xport/core/source_location.hpp>
#include <xport/ops/elementwise_binary.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace xport {

//! @brief `self + alpha * other`, broadcasting, with PyTorch's type promotion.
//! @throws shape_error naming both shapes when they do not broadcast.
inline Tensor add(Tensor const& self, Tensor const& other, Scalar alpha = 1,
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::add>({std::nullopt, alpha}, {self, other}, where);
}
//! @brief `self + alpha * other` for a scalar `other` (a wrapped number for promotion).
inline Tensor add(Tensor const& self, Scalar other, Scalar alpha = 1,
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::add>({other, alpha}, {self}, where);
}

//! @brief `self - alpha * other` (`aten::sub.Tensor`); bool operands are refused.
//! @throws shape_error when the shapes do not broadcast; dtype_error for bool.
inline Tensor sub(Tensor const& self, Tensor const& other, Scalar alpha = 1,
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::sub>({std::nullopt, alpha}, {self, other}, where);
}
//! @brief `self - alpha * other` for a scalar `other`.
inline Tensor sub(Tensor const& self, Scalar other, Scalar alpha = 1,
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::sub>({other, alpha}, {self}, where);
}
//! @brief `other - alpha * self` for a scalar `other` (`aten::rsub.Scalar`, what
//! `2 - x` records).
inline Tensor rsub(Tensor const& self, Scalar other, Scalar alpha = 1,
                   source_location const& where = source_location::current()) {
  return ops::call1<ops::rsub>({other, alpha}, {self}, where);
}

//! @brief `self * other`; integers wrap on overflow as in PyTorch.
inline Tensor mul(Tensor const& self, Tensor const& other,
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::mul>({std::nullopt}, {self, other}, where);
}
//! @brief `self * other` for a scalar `other`.
inline Tensor mul(Tensor const& self, Scalar other,
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::mul>({other}, {self}, where);
}

namespace detail {
// div.Tensor without a rounding mode, div.Tensor_mode with one; `scalar` replaces
// the second tensor when given.
inline Tensor divide(std::initializer_list<Tensor> inputs, std::optional<Scalar> scalar,
                     std::optional<std::string_view> rounding_mode, source_location const& where) {
  if (!rounding_mode) return ops::call1<ops::div>({scalar}, inputs, where);
  return ops::call1<ops::div_mode>({scalar, std::string(*rounding_mode)}, inputs, where);
}
} // namespace detail

//! @brief `self / other`: true division without `rounding_mode` (`aten::div.Tensor`;
//! integers give float32), or rounded with `"trunc"` or `"floor"` (`aten::div.Tensor_mode`;
//! the promoted dtype is kept, and integer division by zero is an error).
//! @code
//! xport::div(xport::from<std::int64_t>({7, -7}), xport::from<std::int64_t>({2, 2}), "floor")  //
//! [3, -4]
//! @endcode
//! @throws value_error for an unknown mode or an integer division by zero.
inline Tensor div(Tensor const& self, Tensor const& other,
                  std::optional<std::string_view> rounding_mode = std::nullopt,
                  source_location const& where = source_location::current()) {
  return detail::divide({self, other}, std::nullopt, rounding_mode, where);
}
//! @brief `self / other` for a scalar divisor (see the tensor overload).
inline Tensor div(Tensor const& self, Scalar other,
                  std::optional<std::string_view> rounding_mode = std::nullopt,
                  source_location const& where = source_location::current()) {
  return detail::divide({self}, other, rounding_mode, where);
}

//! @brief `self ** exponent` (`aten::pow.Tensor_Tensor`).
inline Tensor pow(Tensor const& self, Tensor const& exponent,
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::pow_tensor>({}, {self, exponent}, where);
}
//! @brief `self ** exponent` for a scalar exponent (`aten::pow.Tensor_Scalar`).
//! @throws value_error for an integer tensor to a negative integer power.
inline Tensor pow(Tensor const& self, Scalar exponent,
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::pow_tensor_scalar>({exponent}, {self}, where);
}
//! @brief `self ** exponent` for a scalar base (`aten::pow.Scalar`).
inline Tensor pow(Scalar self, Tensor const& exponent,
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::pow_scalar>({self}, {exponent}, where);
}

//! @brief Python's `self % other`: the result has the divisor's sign.
//! @throws value_error for an integer remainder by zero.
inline Tensor remainder(Tensor const& self, Tensor const& other,
                        source_location const& where = source_location::current()) {
  return ops::call1<ops::remainder>({}, {self, other}, where);
}
//! @brief `self % other` for a scalar divisor (`aten::remainder.Scalar`).
inline Tensor remainder(Tensor const& self, Scalar other,
                        source_location const& where = source_location::current()) {
  return ops::call1<ops::remainder_scalar>({other}, {self}, where);
}
//! @brief `self % other` for a scalar dividend (`aten::remainder.Scalar_Tensor`).
inline Tensor remainder(Scalar self, Tensor const& other,
                        source_location const& where = source_location::current()) {
  return ops::call1<ops::remainder_scalar_tensor>({self}, {other}, where);
}

//! @brief Elementwise maximum; NaN in either operand gives NaN.
inline Tensor maximum(Tensor const& self, Tensor const& other,
                      source_location const& where = source_location::current()) {
  return ops::call1<ops::maximum>({}, {self, other}, where);
}
//! @brief Elementwise minimum; NaN in either operand gives NaN.
inline Tensor minimum(Tensor const& self, Tensor const& other,
                      source_location const& where = source_location::current()) {
  return ops::call1<ops::minimum>({}, {self, other}, where);
}

// clang-format off
//! @brief `self == other` as a bool tensor (compared in the promoted dtype).
inline Tensor eq(Tensor const& self, Tensor const& other, source_location const& where = source_location::current()) { return ops::call1<ops::eq>({}, {self, other}, where); }
//! @brief `self != other` as a bool tensor.
inline Tensor ne(Tensor const& self, Tensor const& other, source_location const& where = source_location::current()) { return ops::call1<ops::ne>({}, {self, other}, where); }
//! @brief `self < other` as a bool tensor.
inline Tensor lt(Tensor const& self, Tensor const& other, source_location const& where = source_location::current()) { return ops::call1<ops::lt>({}, {self, other}, where); }
//! @brief `self <= other` as a bool tensor.
inline Tensor le(Tensor const& self, Tensor const& other, source_location const& where = source_location::current()) { return ops::call1<ops::le>({}, {self, other}, where); }
//! @brief `self > other` as a bool tensor.
inline Tensor gt(Tensor const& self, Tensor const& other, source_location const& where = source_location::current()) { return ops::call1<ops::gt>({}, {self, other}, where); }
//! @brief `self >= other` as a bool tensor.
inline Tensor ge(Tensor const& self, Tensor const& other, source_location const& where = source_location::current()) { return ops::call1<ops::ge>({}, {self, other}, where); }
//! @brief `self == other` for a scalar `other` (`aten::eq.Scalar`).
inline Tensor eq(Tensor const& self, Scalar other, source_location const& where = source_location::current()) { return ops::call1<ops::eq_scalar>({other}, {self}, where); }
//! @brief `self != other` for a scalar `other` (`aten::ne.Scalar`).
inline Tensor ne(Tensor const& self, Scalar other, source_location const& where = source_location::current()) { return ops::call1<ops::ne_scalar>({other}, {self}, where); }
//! @brief `self < other` for a scalar `other` (`aten::lt.Scalar`).
inline Tensor lt(Tensor const& self, Scalar other, source_location const& where = source_location::current()) { return ops::call1<ops::lt_scalar>({other}, {self}, where); }
//! @brief `self <= other` for a scalar `other` (`aten::le.Scalar`).
inline Tensor le(Tensor const& self, Scalar other, source_location const& where = source_location::current()) { return ops::call1<ops::le_scalar>({other}, {self}, where); }
//! @brief `self > other` for a scalar `other` (`aten::gt.Scalar`).
inline Tensor gt(Tensor const& self, Scalar other, source_location const& where = source_location::current()) { return ops::call1<ops::gt_scalar>({other}, {self}, where); }
//! @brief `self >= other` for a scalar `other` (`aten::ge.Scalar`).
inline Tensor ge(Tensor const& self, Scalar other, source_location const& where = source_location::current()) { return ops::call1<ops::ge_scalar>({other}, {self}, where); }
//! @brief True where both are nonzero (any dtypes; bool result).
inline Tensor logical_and(Tensor const& self, Tensor const& other, source_location const& where = source_location::current()) { return ops::call1<ops::logical_and>({}, {self, other}, where); }
//! @brief True where either is nonzero (any dtypes; bool result).
inline Tensor logical_or(Tensor const& self, Tensor const& other, source_location const& where = source_location::current()) { return ops::call1<ops::logical_or>({}, {self, other}, where); }
//! @brief True where exactly one is nonzero (any dtypes; bool result).
inline Tensor logical_xor(Tensor const& self, Tensor const& other, source_location const& where = source_location::current()) { return ops::call1<ops::logical_xor>({}, {self, other}, where); }
//! @brief `self & other` for integer or bool tensors.
//! @throws dtype_error for floating operands.
inline Tensor bitwise_and(Tensor const& self, Tensor const& other, source_location const& where = source_location::current()) { return ops::call1<ops::bitwise_and>({}, {self, other}, where); }
//! @brief `self | other` for integer or bool tensors.
//! @throws dtype_error for floating operands.
inline Tensor bitwise_or(Tensor const& self, Tensor const& other, source_location const& where = source_location::current()) { return ops::call1<ops::bitwise_or>({}, {self, other}, where); }
//! @brief `self ^ other` for integer or bool tensors.
//! @throws dtype_error for floating operands.
inline Tensor bitwise_xor(Tensor const& self, Tensor const& other, source_location const& where = source_location::current()) { return ops::call1<ops::bitwise_xor>({}, {self, other}, where); }
// clang-format on

} // namespace xport
