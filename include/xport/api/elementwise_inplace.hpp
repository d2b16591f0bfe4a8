//! @file
//! Front ends of the in-place elementwise ops: `add_`, `mul_`, `fill_`, `zero_`,
//! `copy_`. Each writes into `self` and returns it (a handle to the same tensor).
#pragma once

#include <xport/api/call.hpp>
#include <xport/core/source_location.hpp>
#include <xport/ops/elementwise_inplace.hpp>

#include <optional>

namespace xport {

//! @brief `self += alpha * other` (`aten::add_.Tensor`).
//! @throws dtype_error when the promoted result cannot be cast to `self`'s dtype (e.g.
//! float into int64); shape_error when the broadcast shape is not `self`'s.
inline Tensor add_(Tensor const& self, Tensor const& other, Scalar alpha = 1,
                   source_location const& where = source_location::current()) {
  return ops::call1<ops::add_>({std::nullopt, alpha}, {self, other}, where);
}
//! @brief `self += alpha * other` for a scalar `other`.
inline Tensor add_(Tensor const& self, Scalar other, Scalar alpha = 1,
                   source_location const& where = source_location::current()) {
  return ops::call1<ops::add_>({other, alpha}, {self}, where);
}
//! @brief `self *= other` (`aten::mul_.Tensor`), with `add_`'s checks.
inline Tensor mul_(Tensor const& self, Tensor const& other,
                   source_location const& where = source_location::current()) {
  return ops::call1<ops::mul_>({std::nullopt}, {self, other}, where);
}
//! @brief `self *= other` for a scalar `other`.
inline Tensor mul_(Tensor const& self, Scalar other,
                   source_location const& where = source_location::current()) {
  return ops::call1<ops::mul_>({other}, {self}, where);
}
//! @brief Sets every element of `self` to `value` (`aten::fill_.Scalar`).
//! @throws value_error when `value` does not fit `self`'s dtype.
inline Tensor fill_(Tensor const& self, Scalar value,
                    source_location const& where = source_location::current()) {
  return ops::call1<ops::fill_>({value}, {self}, where);
}
//! @brief Sets every element of `self` to the 0-dim `value` (`aten::fill_.Tensor`).
//! @throws shape_error when `value` has dimensions.
inline Tensor fill_(Tensor const& self, Tensor const& value,
                    source_location const& where = source_location::current()) {
  return ops::call1<ops::fill_tensor_>({}, {self, value}, where);
}
//! @brief Sets every element of `self` to zero (`aten::zero_`).
inline Tensor zero_(Tensor const& self, source_location const& where = source_location::current()) {
  return ops::call1<ops::zero_>({}, {self}, where);
}
//! @brief Copies `src` (broadcast, converted) into `self` (`aten::copy_`).
//! @throws shape_error when `src` does not broadcast to `self`'s shape.
inline Tensor copy_(Tensor const& self, Tensor const& src, bool non_blocking = false,
                    source_location const& where = source_location::current()) {
  return ops::call1<ops::copy_>({non_blocking}, {self, src}, where);
}

} // namespace xport
