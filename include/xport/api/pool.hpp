//! @file
//! The pooling front end: `xport::max_pool2d`, `max_pool2d_with_indices`, `avg_pool2d`,
//! `adaptive_avg_pool2d`. Every function ends in `ops::call`, so it runs eagerly on real
//! tensors and is recorded when traced.
#pragma once

#include <xport/api/call.hpp>
#include <xport/core/source_location.hpp>
#include <xport/ops/pool.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace xport {

//! @brief The options of `max_pool2d`, PyTorch's defaults (one int or two per list).
struct max_pool_options {
  std::vector<std::int64_t> stride = {};    //!< window step; empty means the kernel size
  std::vector<std::int64_t> padding = {0};  //!< implicit -inf padding, at most half the kernel
  std::vector<std::int64_t> dilation = {1}; //!< spacing of window taps
  bool ceil_mode = false; //!< round the output size up (the last window must start in the
                          //!< input or the left padding)
};

//! @brief The options of `avg_pool2d`, PyTorch's defaults.
struct avg_pool_options {
  std::vector<std::int64_t> stride = {};   //!< window step; empty means the kernel size
  std::vector<std::int64_t> padding = {0}; //!< implicit zero padding, at most half the kernel
  bool ceil_mode = false;                  //!< round the output size up
  bool count_include_pad = true;           //!< divide by the window including padding
  std::optional<std::int64_t> divisor_override = {}; //!< divide by this instead
};

//! @brief `torch.nn.functional.max_pool2d`: the maximum of each window (NaN propagates) of
//! `[N, C, H, W]` or `[C, H, W]`; float dtypes.
//! @code
//! max_pool2d(x, {2});                          // [1, 3, 8, 8] -> [1, 3, 4, 4]
//! max_pool2d(x, {3}, {.stride = {2}, .ceil_mode = true}); // [1, 3, 8, 8] -> [1, 3, 4, 4]
//! @endcode
//! @throws value_error "pad should be at most half of effective kernel size, ..." and for
//! bad lists; shape_error for a bad rank or an empty result; dtype_error for integers.
inline Tensor max_pool2d(Tensor const& input, std::vector<std::int64_t> kernel_size,
                         max_pool_options const& options = {},
                         source_location const& where = source_location::current()) {
  return ops::call1<ops::max_pool2d>({std::move(kernel_size), options.stride, options.padding,
                                      options.dilation, options.ceil_mode},
                                     {input}, where);
}

//! @brief The two results of `max_pool2d_with_indices`: `auto [y, at] = ...`.
struct max_pool_result {
  Tensor values;  //!< the maxima, as `max_pool2d` gives them
  Tensor indices; //!< where each lies in its input plane, `y * W + x` (int64)
};

//! @brief `torch.nn.functional.max_pool2d(..., return_indices=True)`: the maxima and
//! where each lies in its `[H, W]` input plane (`y * W + x`, int64), as
//! `max_unpool2d` reads them. Among equal maxima the first in the window (row-major) is
//! chosen, among NaNs the last.
//! @code
//! auto [y, at] = max_pool2d_with_indices(x, {2}); // [1, 3, 8, 8] -> two [1, 3, 4, 4]
//! @endcode
//! @throws as `max_pool2d`.
inline max_pool_result
max_pool2d_with_indices(Tensor const& input, std::vector<std::int64_t> kernel_size,
                        max_pool_options const& options = {},
                        source_location const& where = source_location::current()) {
  Tensor const inputs[] = {input};
  ops::tensor_list out = ops::call<ops::max_pool2d_with_indices>(
      {std::move(kernel_size), options.stride, options.padding, options.dilation,
       options.ceil_mode},
      inputs, where);
  return {std::move(out[0]), std::move(out[1])};
}

//! @brief `torch.nn.functional.avg_pool2d`: the mean of each window of `[N, C, H, W]` or
//! `[C, H, W]`, divided by the window size clipped to the padded input
//! (`count_include_pad`), to the input, or by `divisor_override`.
//! @throws as `max_pool2d`; value_error for a zero divisor_override.
inline Tensor avg_pool2d(Tensor const& input, std::vector<std::int64_t> kernel_size,
                         avg_pool_options const& options = {},
                         source_location const& where = source_location::current()) {
  return ops::call1<ops::avg_pool2d>({std::move(kernel_size), options.stride, options.padding,
                                      options.ceil_mode, options.count_include_pad,
                                      options.divisor_override},
                                     {input}, where);
}

//! @brief `torch.nn.functional.adaptive_avg_pool2d`: `[N, C, H, W] -> [N, C, oh, ow]`
//! (or without N), output cell `i` averaging input rows `[floor(i*H/oh), ceil((i+1)*H/oh))`
//! and likewise columns.
//! @throws value_error unless `output_size` has 2 entries; shape_error for a bad rank or
//! an empty non-batch dimension; dtype_error for integers.
inline Tensor adaptive_avg_pool2d(Tensor const& input, ops::sym_list output_size,
                                  source_location const& where = source_location::current()) {
  return ops::call1<ops::adaptive_avg_pool2d>(
      {std::vector<SymInt>(output_size.begin(), output_size.end())}, {input}, where);
}

} // namespace xport
