//! @file
//! Front ends of `where`, `masked_fill` and `clamp`.
#pragma once

#include <xport/api/call.hpp>
#include <xport/core/source_location.hpp>
#include <xport/ops/elementwise_select.hpp>

#include <optional>

namespace xport {

//! @brief `condition ? self : other`, elementwise, with all three shapes broadcast and
//! `self`, `other` promoted.
//! @throws dtype_error when `condition` is not bool; shape_error naming the shapes.
inline Tensor where(Tensor const& condition, Tensor const& self, Tensor const& other,
                    source_location const& where = source_location::current()) {
  return ops::call1<ops::where>({}, {condition, self, other}, where);
}

//! @brief `self` with `value` where `mask` is true (`self`'s dtype; shape broadcast with
//! the mask's).
//! @throws dtype_error when `mask` is not bool; value_error when `value` does not fit.
inline Tensor masked_fill(Tensor const& self, Tensor const& mask, Scalar value,
                          source_location const& where = source_location::current()) {
  return ops::call1<ops::masked_fill>({value}, {self, mask}, where);
}
//! @brief `masked_fill` with a zero-dimensional value tensor (`aten::masked_fill.Tensor`).
//! @throws shape_error when `value` has dimensions.
inline Tensor masked_fill(Tensor const& self, Tensor const& mask, Tensor const& value,
                          source_location const& where = source_location::current()) {
  return ops::call1<ops::masked_fill_tensor>({}, {self, mask, value}, where);
}

//! @brief `min(max(self, min), max)` with optional scalar bounds; the dtype promotes with
//! the bounds (`clamp(int tensor, 0.5)` is float32).
//! @throws value_error when both bounds are absent.
inline Tensor clamp(Tensor const& self, std::optional<Scalar> min, std::optional<Scalar> max = {},
                    source_location const& where = source_location::current()) {
  return ops::call1<ops::clamp>({min, max}, {self}, where);
}
//! @brief `clamp` with tensor bounds, broadcast with `self`; pass an undefined `Tensor{}`
//! for an absent bound (`aten::clamp.Tensor`).
//! @throws value_error when both bounds are undefined.
inline Tensor clamp(Tensor const& self, Tensor const& min, Tensor const& max,
                    source_location const& where = source_location::current()) {
  return ops::call1<ops::clamp_tensor>({}, {self, min, max}, where);
}

} // namespace xport
