//! @file
//! The reduction front end: `xport::sum`, `mean`, `prod`, `amax`, `amin`, `max`, `min`,
//! `argmax`, `argmin`, `var`, `std`, `var_mean`, `any`, `all`, `cumsum`, `logsumexp`,
//! `softmax`, `log_softmax`. Every function ends in `ops::call`, so it runs eagerly on
//! real tensors and is recorded when traced.
//!
//! Dim lists: negative dims count from the end; an empty list reduces every dim (like
//! PyTorch's `dim=None`); a repeated dim is refused. `keepdim` keeps reduced dims as 1.
#pragma once

#include <xport/api/call.hpp>
#include <xport/core/source_location.hpp>
#include <xport/ops/reduction.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace xport {

//! @brief The two results of `max(x, dim)` and `min(x, dim)`, usable with structured
//! bindings: `auto [values, indices] = xport::max(x, 1);`.
struct values_indices {
  Tensor values;  //!< the extreme values
  Tensor indices; //!< their positions along the reduced dim (int64)
};

//! @brief The two results of `var_mean`: `auto [var, mean] = xport::var_mean(x);`.
struct var_and_mean {
  Tensor var;  //!< the variance
  Tensor mean; //!< the mean
};

namespace detail {
// An attribute dim list: None for an empty list (PyTorch's dim=None, every dim).
inline std::optional<std::vector<std::int64_t>> reduction_dim_list(int_list dims) {
  if (dims.empty()) return std::nullopt;
  return std::vector<std::int64_t>(dims.begin(), dims.end());
}
} // namespace detail

//! @brief The sum of every element, as a 0-dim tensor; integers and bool sum to int64
//! unless `dtype` is given (the input is converted to it first). Empty input: 0.
inline Tensor sum(Tensor const& x, std::optional<dtype> dtype = std::nullopt,
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::sum>({std::nullopt, false, dtype}, {x}, where);
}
//! @brief The sum over `dim` (empty: every dim): `sum(x[2, 3], {1}) -> [2]`.
//! @throws index_error for a dim out of range, value_error for a repeated dim.
inline Tensor sum(Tensor const& x, int_list dim, bool keepdim = false,
                  std::optional<dtype> dtype = std::nullopt,
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::sum>({detail::reduction_dim_list(dim), keepdim, dtype}, {x}, where);
}

//! @brief The mean of every element (NaN for an empty input), as a 0-dim tensor.
//! @throws dtype_error for an integer or bool input without a floating `dtype`.
inline Tensor mean(Tensor const& x, std::optional<dtype> dtype = std::nullopt,
                   source_location const& where = source_location::current()) {
  return ops::call1<ops::mean>({std::nullopt, false, dtype}, {x}, where);
}
//! @brief The mean over `dim` (empty: every dim): `mean(x[2, 3], {0}) -> [3]`.
//! @throws dtype_error for an integer or bool input without a floating `dtype`.
inline Tensor mean(Tensor const& x, int_list dim, bool keepdim = false,
                   std::optional<dtype> dtype = std::nullopt,
                   source_location const& where = source_location::current()) {
  return ops::call1<ops::mean>({detail::reduction_dim_list(dim), keepdim, dtype}, {x}, where);
}

//! @brief The product of every element (1 for an empty input), as a 0-dim tensor;
//! integers and bool give int64 unless `dtype` is given.
inline Tensor prod(Tensor const& x, std::optional<dtype> dtype = std::nullopt,
                   source_location const& where = source_location::current()) {
  return ops::call1<ops::prod>({dtype}, {x}, where);
}
//! @brief The product over one dim: `prod(x[2, 3], 1) -> [2]`.
inline Tensor prod(Tensor const& x, std::int64_t dim, bool keepdim = false,
                   std::optional<dtype> dtype = std::nullopt,
                   source_location const& where = source_location::current()) {
  return ops::call1<ops::prod_dim>({dim, keepdim, dtype}, {x}, where);
}

//! @brief The largest values over `dim` (empty: every dim); NaN wins.
//! @throws index_error when a reduced dim has size 0.
inline Tensor amax(Tensor const& x, int_list dim = {}, bool keepdim = false,
                   source_location const& where = source_location::current()) {
  return ops::call1<ops::amax>({{dim.begin(), dim.end()}, keepdim}, {x}, where);
}
//! @brief The smallest values over `dim` (empty: every dim); NaN wins.
//! @throws index_error when a reduced dim has size 0.
inline Tensor amin(Tensor const& x, int_list dim = {}, bool keepdim = false,
                   source_location const& where = source_location::current()) {
  return ops::call1<ops::amin>({{dim.begin(), dim.end()}, keepdim}, {x}, where);
}

//! @brief The largest element, as a 0-dim tensor; NaN wins.
//! @throws shape_error for an empty input (give a dim).
inline Tensor max(Tensor const& x, source_location const& where = source_location::current()) {
  return ops::call1<ops::max>({}, {x}, where);
}
//! @brief The largest values over `dim` and their indices (the first among ties, the
//! first NaN if any): `auto [v, i] = max(x[2, 3], 1)` gives `[2]` and `[2]`.
//! @throws index_error when the dim has size 0.
inline values_indices max(Tensor const& x, std::int64_t dim, bool keepdim = false,
                          source_location const& where = source_location::current()) {
  Tensor const inputs[] = {x};
  ops::tensor_list out = ops::call<ops::max_dim>({dim, keepdim}, inputs, where);
  return {std::move(out[0]), std::move(out[1])};
}
//! @brief The smallest element, as a 0-dim tensor; NaN wins.
//! @throws shape_error for an empty input (give a dim).
inline Tensor min(Tensor const& x, source_location const& where = source_location::current()) {
  return ops::call1<ops::min>({}, {x}, where);
}
//! @brief The smallest values over `dim` and their indices (the first among ties, the
//! first NaN if any).
//! @throws index_error when the dim has size 0.
inline values_indices min(Tensor const& x, std::int64_t dim, bool keepdim = false,
                          source_location const& where = source_location::current()) {
  Tensor const inputs[] = {x};
  ops::tensor_list out = ops::call<ops::min_dim>({dim, keepdim}, inputs, where);
  return {std::move(out[0]), std::move(out[1])};
}

//! @brief The (int64) index of the largest value over `dim`, or into the flattened input
//! when `dim` is empty; the first among ties, the first NaN if any.
//! @throws index_error / shape_error for an empty reduction, dtype_error for bool.
inline Tensor argmax(Tensor const& x, std::optional<std::int64_t> dim = std::nullopt,
                     bool keepdim = false,
                     source_location const& where = source_location::current()) {
  return ops::call1<ops::argmax>({dim, keepdim}, {x}, where);
}
//! @brief The (int64) index of the smallest value over `dim`, or into the flattened
//! input when `dim` is empty; the first among ties, the first NaN if any.
//! @throws index_error / shape_error for an empty reduction, dtype_error for bool.
inline Tensor argmin(Tensor const& x, std::optional<std::int64_t> dim = std::nullopt,
                     bool keepdim = false,
                     source_location const& where = source_location::current()) {
  return ops::call1<ops::argmin>({dim, keepdim}, {x}, where);
}

//! @brief The variance over `dim` (empty: every dim), `sum((x - mean)^2) / max(0, N -
//! correction)`, correction 1 by default; a zero divisor gives inf or NaN, like PyTorch.
//! @throws dtype_error for a non-floating input.
inline Tensor var(Tensor const& x, int_list dim = {},
                  std::optional<Scalar> correction = std::nullopt, bool keepdim = false,
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::var>({detail::reduction_dim_list(dim), correction, keepdim}, {x}, where);
}
//! @brief The standard deviation, `sqrt(var(x, dim, correction))`. Spelled like `torch.std`;
//! call it qualified, `xport::std(x)` (after `using namespace xport`, a bare `std(x)` is
//! ambiguous with the namespace).
//! @throws dtype_error for a non-floating input.
inline Tensor std(Tensor const& x, int_list dim = {},
                  std::optional<Scalar> correction = std::nullopt, bool keepdim = false,
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::std_dev>({detail::reduction_dim_list(dim), correction, keepdim}, {x},
                                  where);
}
//! @brief The variance and the mean over the same dims, from one pass.
//! @throws dtype_error for a non-floating input.
inline var_and_mean var_mean(Tensor const& x, int_list dim = {},
                             std::optional<Scalar> correction = std::nullopt, bool keepdim = false,
                             source_location const& where = source_location::current()) {
  Tensor const inputs[] = {x};
  ops::tensor_list out = ops::call<ops::var_mean>(
      {detail::reduction_dim_list(dim), correction, keepdim}, inputs, where);
  return {std::move(out[0]), std::move(out[1])};
}

//! @brief Whether any element is nonzero (NaN counts), as a 0-dim bool tensor (uint8
//! for a uint8 input).
inline Tensor any(Tensor const& x, source_location const& where = source_location::current()) {
  return ops::call1<ops::any>({}, {x}, where);
}
//! @brief Whether any element over `dim` (empty: every dim) is nonzero.
inline Tensor any(Tensor const& x, int_list dim, bool keepdim = false,
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::any_dims>({detail::reduction_dim_list(dim), keepdim}, {x}, where);
}
//! @brief Whether every element is nonzero, as a 0-dim bool tensor (uint8 for a uint8
//! input); true for an empty input.
inline Tensor all(Tensor const& x, source_location const& where = source_location::current()) {
  return ops::call1<ops::all>({}, {x}, where);
}
//! @brief Whether every element over `dim` (empty: every dim) is nonzero.
inline Tensor all(Tensor const& x, int_list dim, bool keepdim = false,
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::all_dims>({detail::reduction_dim_list(dim), keepdim}, {x}, where);
}

//! @brief Running sums along `dim`: `cumsum([1, 2, 3], 0) == [1, 3, 6]`; integers and
//! bool give int64 unless `dtype` is given.
//! @throws index_error for a dim out of range.
inline Tensor cumsum(Tensor const& x, std::int64_t dim, std::optional<dtype> dtype = std::nullopt,
                     source_location const& where = source_location::current()) {
  return ops::call1<ops::cumsum>({dim, dtype}, {x}, where);
}

//! @brief `log(sum(exp(x)))` over `dim` (empty: every dim), computed stably; all `-inf`
//! gives `-inf`, any `inf` gives `inf`; integers give float32.
inline Tensor logsumexp(Tensor const& x, int_list dim, bool keepdim = false,
                        source_location const& where = source_location::current()) {
  return ops::call1<ops::logsumexp>({{dim.begin(), dim.end()}, keepdim}, {x}, where);
}

//! @brief `exp(x) / sum(exp(x))` along `dim`, shifted by the maximum for stability; the
//! input is converted to `dtype` first when given.
//! @throws dtype_error for an integer input without a floating `dtype`.
inline Tensor softmax(Tensor const& x, std::int64_t dim, std::optional<dtype> dtype = std::nullopt,
                      source_location const& where = source_location::current()) {
  return ops::call1<ops::softmax>({dim, dtype}, {x}, where);
}
//! @brief `x - logsumexp(x, dim)` along `dim`; the input is converted to `dtype` first
//! when given.
//! @throws dtype_error for an integer input without a floating `dtype`.
inline Tensor log_softmax(Tensor const& x, std::int64_t dim,
                          std::optional<dtype> dtype = std::nullopt,
                          source_location const& where = source_location::current()) {
  return ops::call1<ops::log_softmax>({dim, dtype}, {x}, where);
}

} // namespace xport
