//! @file
//! The front end of the data-dependent ops: `xport::nonzero`, `item`, `masked_select` and
//! `bincount`. Each ends in `ops::call`; when traced, their sizes become unbacked symbols.
#pragma once

#include <xport/api/call.hpp>
#include <xport/core/scalar.hpp>
#include <xport/core/source_location.hpp>
#include <xport/ops/data_dependent.hpp>

#include <cstdint>

namespace xport {

//! @brief The int64 coordinates of the nonzero elements of `x`, one row each in row-major
//! order: `nonzero(from({0, 3, 0, 5}))` is `[[1], [3]]` (size `[2, 1]`).
inline Tensor nonzero(Tensor const& x, source_location const& where = source_location::current()) {
  return ops::call1<ops::nonzero>({}, {x}, where);
}

//! @brief The value of the one-element tensor `x` as a Scalar of its category (bool,
//! integer or floating point): PyTorch's `x.item()`, recorded as
//! `aten::_local_scalar_dense`.
//! @throws shape_error "a Tensor with N elements cannot be converted to Scalar".
inline Scalar item(Tensor const& x, source_location const& where = source_location::current()) {
  return ops::call1<ops::local_scalar_dense>({}, {x}, where).item();
}

//! @brief The elements of `x` where the bool `mask` is true (`x` and `mask` broadcast
//! together), as a 1-D tensor in row-major order.
//! @throws dtype_error for a non-bool mask; shape_error when the shapes do not broadcast.
inline Tensor masked_select(Tensor const& x, Tensor const& mask,
                            source_location const& where = source_location::current()) {
  return ops::call1<ops::masked_select>({}, {x, mask}, where);
}

//! @brief The number of occurrences of each value `0..max(x)` in the 1-D non-negative
//! integer tensor `x`, or the sum of `weights` (same length as `x`) at them, with at least
//! `minlength` bins: `bincount(from({1, 1, 3}))` is `[0, 2, 0, 1]`. Counts are int64;
//! weighted sums are float32 for float32 weights, float64 otherwise.
//! @throws value_error for a negative value, a negative `minlength` or an input that is
//! not 1-D; dtype_error for a non-integer input; shape_error for weights of another length.
inline Tensor bincount(Tensor const& x, Tensor const& weights = {}, std::int64_t minlength = 0,
                       source_location const& where = source_location::current()) {
  return ops::call1<ops::bincount>({minlength}, {x, weights}, where);
}

} // namespace xport
