//! @file
//! Whole-tensor comparisons: `equal` and `allclose`.
#pragma once

#include <xport/core/tensor.hpp>

#include <cmath>

namespace xport {

namespace detail {

// Calls pred(a_i, b_i) on every pair of elements after broadcasting, with both values
// converted to the promoted dtype; true when every call is.
template <class Pred>
bool all_pairs(Tensor const& a, Tensor const& b, Pred&& pred) {
  dim_vector const shape = broadcast_shapes(a.sizes(), b.sizes());
  xport::dtype const common = promote_types(a.dtype(), b.dtype());
  Tensor const lhs = a.cpu().to(common).expand(shape);
  Tensor const rhs = b.cpu().to(common).expand(shape);
  bool result = true;
  visit_dtype(common, [&]<class T>() {
    auto const* x = static_cast<T const*>(lhs.storage().data());
    auto const* y = static_cast<T const*>(rhs.storage().data());
    std::array<std::span<std::int64_t const>, 2> const strides = {lhs.strides(), rhs.strides()};
    for_each_offset<2>(shape, strides, {lhs.storage_offset(), rhs.storage_offset()},
                       [&](std::array<std::int64_t, 2> const& at) {
                         if (result && !pred(x[at[0]], y[at[1]])) result = false;
                       });
  });
  return result;
}

} // namespace detail

//! @brief True when `a` and `b` have the same sizes and equal elements (compared in
//! their promoted dtype; NaN is never equal), like `torch.equal`.
inline bool equal(Tensor const& a, Tensor const& b) {
  if (!std::ranges::equal(a.sizes(), b.sizes())) return false;
  return detail::all_pairs(a, b, [](auto x, auto y) { return x == y; });
}

//! @brief Tolerances for `allclose`, with PyTorch's defaults.
struct tolerance {
  double rtol = 1e-5;     //!< relative tolerance, scaled by |b|
  double atol = 1e-8;     //!< absolute tolerance
  bool equal_nan = false; //!< whether NaN equals NaN
};

//! @brief `torch.allclose`: after broadcasting, every `|a - b| <= atol + rtol * |b|`;
//! infinities must match exactly; NaN matches only with `equal_nan`.
//! @throws shape_error when the shapes do not broadcast.
inline bool allclose(Tensor const& a, Tensor const& b, tolerance tol = {}) {
  return detail::all_pairs(a, b, [&](auto x_value, auto y_value) {
    auto const x = convert<double>(x_value);
    auto const y = convert<double>(y_value);
    if (std::isnan(x) || std::isnan(y)) return tol.equal_nan && std::isnan(x) && std::isnan(y);
    if (x == y) return true; // covers equal infinities
    if (std::isinf(x) || std::isinf(y)) return false;
    return std::abs(x - y) <= tol.atol + tol.rtol * std::abs(y);
  });
}

} // namespace xport
