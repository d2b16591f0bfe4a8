//! @file
//! The convolution front end: `xport::conv1d`, `xport::conv2d` (integer or
//! `"same"`/`"valid"` padding) and `xport::convolution`. Every function ends in
//! `ops::call`, so it runs eagerly on real tensors and is recorded when traced.
#pragma once

#include <xport/api/call.hpp>
#include <xport/core/source_location.hpp>
#include <xport/ops/conv.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xport {

//! @brief The options of `conv1d`/`conv2d` with integer padding, PyTorch's defaults: each
//! list holds one value for every spatial dimension or one value per dimension.
struct conv_options {
  std::vector<std::int64_t> stride = {1};   //!< window step
  std::vector<std::int64_t> padding = {0};  //!< zeros on both sides of each dimension
  std::vector<std::int64_t> dilation = {1}; //!< spacing of kernel taps
  std::int64_t groups = 1;                  //!< channel groups
};

//! @brief The options of `conv1d`/`conv2d` besides a string padding (which is its own
//! argument, so that braces never pick the wrong overload).
struct conv_padding_options {
  std::vector<std::int64_t> stride = {1};   //!< window step (must be 1 for "same")
  std::vector<std::int64_t> dilation = {1}; //!< spacing of kernel taps
  std::int64_t groups = 1;                  //!< channel groups
};

//! @brief `torch.nn.functional.conv2d`: input `[N, C, H, W]` (or unbatched `[C, H, W]`),
//! weight `[OC, C/groups, KH, KW]`, optional bias `[OC]`; float dtypes.
//! Output `[N, OC, (H + 2p - d(KH-1) - 1)//s + 1, (W + 2p - d(KW-1) - 1)//s + 1]`.
//! @code
//! conv2d(x, w, b, {.stride = {2}, .padding = {1}}); // x [1, 3, 8, 8], w [4, 3, 3, 3] -> [1, 4, 4,
//! 4]
//! @endcode
//! @throws shape_error in PyTorch's words for a bad rank, channel count ("Given groups=1,
//! weight of size [8, 3, 3, 3], expected input[1, 4, 5, 5] to have 3 channels, but got 4
//! channels instead"), bias, or an input smaller than the kernel; value_error for bad
//! stride/padding/dilation/groups; dtype_error for integer or mixed dtypes.
inline Tensor conv2d(Tensor const& input, Tensor const& weight, Tensor const& bias = {},
                     conv_options const& options = {},
                     source_location const& where = source_location::current()) {
  return ops::call1<ops::conv2d>(
      {options.stride, options.padding, options.dilation, options.groups}, {input, weight, bias},
      where);
}

//! @brief `torch.nn.functional.conv2d` with `padding="same"` (output size = input size,
//! stride 1 only; an odd total padding puts the extra zero at the end, right/bottom) or
//! `"valid"` (no padding): `conv2d(x, w, b, "same", {.dilation = {2}})`.
//! @throws value_error for another string or "same" with a stride other than 1; otherwise
//! as `conv2d`.
inline Tensor conv2d(Tensor const& input, Tensor const& weight, Tensor const& bias,
                     std::string_view padding, conv_padding_options const& options = {},
                     source_location const& where = source_location::current()) {
  return ops::call1<ops::conv2d_padding>(
      {options.stride, std::string(padding), options.dilation, options.groups},
      {input, weight, bias}, where);
}

//! @brief `torch.nn.functional.conv1d`: input `[N, C, L]` (or unbatched `[C, L]`), weight
//! `[OC, C/groups, K]`, optional bias `[OC]`; output length `(L + 2p - d(K-1) - 1)//s + 1`.
//! @throws as `conv2d`.
inline Tensor conv1d(Tensor const& input, Tensor const& weight, Tensor const& bias = {},
                     conv_options const& options = {},
                     source_location const& where = source_location::current()) {
  return ops::call1<ops::conv1d>(
      {options.stride, options.padding, options.dilation, options.groups}, {input, weight, bias},
      where);
}

//! @brief `torch.nn.functional.conv1d` with `padding="same"` or `"valid"`.
//! @throws as the `conv2d` overload with string padding.
inline Tensor conv1d(Tensor const& input, Tensor const& weight, Tensor const& bias,
                     std::string_view padding, conv_padding_options const& options = {},
                     source_location const& where = source_location::current()) {
  return ops::call1<ops::conv1d_padding>(
      {options.stride, std::string(padding), options.dilation, options.groups},
      {input, weight, bias}, where);
}

//! @brief `torch.convolution` (`aten::convolution`, the core op): a batched 1-D or 2-D
//! convolution with explicit lists; `transposed` must be false.
//! @throws as `conv2d`; unsupported_error for `transposed = true`.
inline Tensor convolution(Tensor const& input, Tensor const& weight, Tensor const& bias,
                          std::vector<std::int64_t> stride, std::vector<std::int64_t> padding,
                          std::vector<std::int64_t> dilation, bool transposed,
                          std::vector<std::int64_t> output_padding, std::int64_t groups,
                          source_location const& where = source_location::current()) {
  return ops::call1<ops::convolution>({std::move(stride), std::move(padding), std::move(dilation),
                                       transposed, std::move(output_padding), groups},
                                      {input, weight, bias}, where);
}

} // namespace xport
