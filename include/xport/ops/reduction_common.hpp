//! @file
//! The meta logic reductions share: resolving a dim list (negative dims, duplicates,
//! "empty means all"), the output sizes with or without `keepdim`, PyTorch's checks for
//! reducing a zero-size dim, and PyTorch's dtype names for messages.
#pragma once

#include <xport/core/dtype.hpp>
#include <xport/ops/meta.hpp>

#include <boost/container/small_vector.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xport::ops {

//! @brief Which dimensions of an input a reduction folds: `mask[d]` is true for a
//! reduced dim. A 0-dim input has an empty mask (its one element is the reduction).
using dim_mask = boost::container::small_vector<bool, 6>;

//! @brief The reduced dims of `in` for the dim list `dims`, as PyTorch's
//! `make_dim_mask`: an empty list reduces every dim; negative dims count from the end.
//!
//! `reduction_mask(f32[s0, 4, 5], {-1, 0}) == {true, false, true}`.
//! @throws index_error for a dim out of range; value_error "dim 0 appears multiple times
//! in the list of dims" for a repeated dim.
inline dim_mask reduction_mask(tensor_meta const& in, std::span<std::int64_t const> dims) {
  auto const rank = static_cast<std::size_t>(in.dim());
  dim_mask mask(rank, dims.empty());
  for (std::int64_t d : dims) {
    auto const wrapped = static_cast<std::size_t>(wrap_dim(d, in.dim()));
    if (rank == 0) continue; // dim 0 or -1 of a scalar names its one element
    if (mask[wrapped]) {
      throw value_error("dim " + std::to_string(wrapped)
                        + " appears multiple times in the list of dims");
    }
    mask[wrapped] = true;
  }
  return mask;
}

//! @brief The mask of an optional dim list: `None` reduces every dim.
inline dim_mask reduction_mask(tensor_meta const& in,
                               std::optional<std::vector<std::int64_t>> const& dims) {
  if (!dims) return dim_mask(static_cast<std::size_t>(in.dim()), true);
  return reduction_mask(in, std::span<std::int64_t const>(*dims));
}

//! @brief The mask of a single dim.
//! @throws index_error for a dim out of range.
inline dim_mask reduction_mask(tensor_meta const& in, std::int64_t dim) {
  std::int64_t const dims[] = {dim};
  return reduction_mask(in, std::span<std::int64_t const>(dims));
}

//! @brief The sizes after reducing the dims in `mask`: dropped, or 1 with `keepdim`.
//!
//! `reduced_sizes([s0, 4], {true, false}, false) == [4]`; with `keepdim`, `[1, 4]`.
inline sym_sizes reduced_sizes(sym_list sizes, dim_mask const& mask, bool keepdim) {
  sym_sizes out;
  for (std::size_t d = 0; d < sizes.size(); ++d) {
    if (!mask[d])
      out.push_back(sizes[d]);
    else if (keepdim)
      out.push_back(1);
  }
  return out;
}

//! @brief The number of elements each output of the reduction folds (a product of
//! SymInts: `s0*s1` when both reduced dims are symbolic).
inline SymInt reduced_numel(sym_list sizes, dim_mask const& mask) {
  SymInt n = 1;
  for (std::size_t d = 0; d < sizes.size(); ++d) {
    if (mask[d]) n = n * sizes[d];
  }
  return n;
}

//! @brief Refuses to reduce a zero-size dim for reductions without an identity (amax,
//! max, argmax, ...), as PyTorch's `zero_numel_check_dims`.
//!
//! Whether a symbolic size is 0 is decided through its shape environment (a dynamic
//! size is at least 2 there, so no guard is needed).
//! @throws index_error "`op`(): Expected reduction dim D to have non-zero size."
inline void expect_nonzero_reduction(tensor_meta const& in, dim_mask const& mask,
                                     std::string_view op) {
  for (std::size_t d = 0; d < mask.size(); ++d) {
    if (mask[d] && static_cast<bool>(in.sizes[d] == 0)) {
      throw index_error(std::string(op) + "(): Expected reduction dim " + std::to_string(d)
                        + " to have non-zero size. (input of size " + format_sym_sizes(in.sizes)
                        + "; reduce over a non-empty dim)");
    }
  }
}

//! @brief Refuses a full reduction (no `dim`) of an empty input for reductions without
//! an identity, as PyTorch does for `max()`, `min()`, `argmax()`, `argmin()`.
//! @throws shape_error "`op`(): Expected reduction dim to be specified for input.numel()
//! == 0. Specify the reduction dim with the 'dim' argument."
inline void expect_nonempty_full_reduction(tensor_meta const& in, std::string_view op) {
  if (static_cast<bool>(in.numel() == 0)) {
    throw shape_error(std::string(op)
                      + "(): Expected reduction dim to be specified for input.numel() == 0. "
                        "Specify the reduction dim with the 'dim' argument. (input of size "
                      + format_sym_sizes(in.sizes) + ")");
  }
}

//! @brief The dtype `sum`, `prod` and `cumsum` produce: `dtype` if given, otherwise the
//! input's, with integers and bool widened to int64 (as PyTorch).
constexpr dtype integer_widened(dtype input, std::optional<dtype> requested) noexcept {
  if (requested) return *requested;
  return is_integral(input, true) ? dtype::int64 : input;
}

//! @brief The meta of a one-output reduction: sizes after `mask`, the given dtype.
inline tensor_meta reduction_meta(tensor_meta const& in, dim_mask const& mask, bool keepdim,
                                  dtype out) {
  return {out, in.device, reduced_sizes(in.sizes, mask, keepdim)};
}

//! @brief Refuses inputs that are not floating point for the statistics ops (var, std).
//! @throws dtype_error "std and var only support floating point and complex dtypes".
inline void expect_floating_statistics(tensor_meta const& in, std::string_view op) {
  if (!is_floating_point(in.dtype)) {
    throw dtype_error(std::string(op)
                      + ": std and var only support floating point and complex dtypes, but got "
                      + std::string(scalar_type_name(in.dtype)) + "; convert the input with .to()");
  }
}

} // namespace xport::ops
