//! @file
//! Pooling modules: `nn::MaxPool2d`, `nn::AvgPool2d`, `nn::AdaptiveAvgPool2d` (PyTorch's,
//! without state).
#pragma once

#include <xport/api/pool.hpp>
#include <xport/core/tensor.hpp>
#include <xport/nn/detail/layer_args.hpp>
#include <xport/nn/module.hpp>
#include <xport/nn/ntuple.hpp>

#include <cstdint>
#include <optional>
#include <vector>

namespace xport::nn {

//! @brief The keyword arguments of `MaxPool2d` (PyTorch's `stride=None, padding=0,
//! dilation=1, ceil_mode=False`).
struct max_pool2d_options {
  std::optional<ntuple<2>> stride = {}; //!< window step; empty means the kernel size
  ntuple<2> padding = 0;                //!< implicit -inf padding on both sides
  ntuple<2> dilation = 1;               //!< spacing of the window's taps
  bool ceil_mode = false;               //!< round the output size up instead of down
};

//! @brief The maximum over each window of `[N, C, H, W]` (or `[C, H, W]`) inputs
//! (PyTorch's `nn.MaxPool2d`).
//! @code
//! xport::nn::MaxPool2d pool{2};                        // 2x2 windows, stride 2
//! xport::nn::MaxPool2d overlap{3, {.stride = 2, .padding = 1}};
//! @endcode
class MaxPool2d : public Module<MaxPool2d> {
public:
  ntuple<2> kernel_size;      //!< window size
  max_pool2d_options options; //!< stride, padding, dilation, ceil_mode

  //! @brief Windows of `kernel_size_`.
  //! @throws value_error for a non-positive kernel size, stride or dilation, or a negative
  //! padding.
  explicit MaxPool2d(ntuple<2> kernel_size_, max_pool2d_options options_ = {})
      : kernel_size(kernel_size_), options(options_) {
    detail::expect_positive("MaxPool2d", "kernel_size", kernel_size.values);
    if (options.stride) detail::expect_positive("MaxPool2d", "stride", options.stride->values);
    detail::expect_positive("MaxPool2d", "dilation", options.dilation.values);
    for (std::int64_t const p : options.padding.values)
      detail::expect_non_negative("MaxPool2d", "padding", p);
  }

  //! @brief `max_pool2d(input, kernel_size, ...)`.
  //! @throws value_error when the padding exceeds half the kernel; shape_error for a wrong
  //! rank or an input smaller than the window.
  Tensor forward(Tensor const& input) const {
    return max_pool2d(
        input, kernel_size.list(),
        max_pool_options{options.stride ? options.stride->list() : std::vector<std::int64_t>{},
                         options.padding.list(), options.dilation.list(), options.ceil_mode});
  }
};

//! @brief The keyword arguments of `AvgPool2d` (PyTorch's `stride=None, padding=0,
//! ceil_mode=False, count_include_pad=True, divisor_override=None`).
struct avg_pool2d_options {
  std::optional<ntuple<2>> stride = {};              //!< window step; empty means the kernel size
  ntuple<2> padding = 0;                             //!< implicit zero padding on both sides
  bool ceil_mode = false;                            //!< round the output size up
  bool count_include_pad = true;                     //!< count padding in the divisor
  std::optional<std::int64_t> divisor_override = {}; //!< divide by this instead
};

//! @brief The mean over each window of `[N, C, H, W]` (or `[C, H, W]`) inputs (PyTorch's
//! `nn.AvgPool2d`).
class AvgPool2d : public Module<AvgPool2d> {
public:
  ntuple<2> kernel_size;      //!< window size
  avg_pool2d_options options; //!< stride, padding, ceil_mode, count_include_pad, divisor

  //! @brief Windows of `kernel_size_`.
  //! @throws value_error for a non-positive kernel size, stride or divisor, or a negative
  //! padding.
  explicit AvgPool2d(ntuple<2> kernel_size_, avg_pool2d_options options_ = {})
      : kernel_size(kernel_size_), options(options_) {
    detail::expect_positive("AvgPool2d", "kernel_size", kernel_size.values);
    if (options.stride) detail::expect_positive("AvgPool2d", "stride", options.stride->values);
    for (std::int64_t const p : options.padding.values)
      detail::expect_non_negative("AvgPool2d", "padding", p);
    if (options.divisor_override)
      detail::expect_positive("AvgPool2d", "divisor_override", *options.divisor_override);
  }

  //! @brief `avg_pool2d(input, kernel_size, ...)`.
  //! @throws as `MaxPool2d::forward`.
  Tensor forward(Tensor const& input) const {
    return avg_pool2d(
        input, kernel_size.list(),
        avg_pool_options{options.stride ? options.stride->list() : std::vector<std::int64_t>{},
                         options.padding.list(), options.ceil_mode, options.count_include_pad,
                         options.divisor_override});
  }
};

//! @brief Averages `[N, C, H, W]` (or `[C, H, W]`) inputs down to a fixed output size,
//! whatever the input size (PyTorch's `nn.AdaptiveAvgPool2d`).
//! @code
//! xport::nn::AdaptiveAvgPool2d gap{1};   // global average pooling: [N, C, H, W] -> [N, C, 1, 1]
//! @endcode
class AdaptiveAvgPool2d : public Module<AdaptiveAvgPool2d> {
public:
  ntuple<2> output_size; //!< `(oh, ow)`

  //! @brief Pools to `output_size_`.
  //! @throws value_error for a negative output size.
  explicit AdaptiveAvgPool2d(ntuple<2> output_size_) : output_size(output_size_) {
    for (std::int64_t const s : output_size.values)
      detail::expect_non_negative("AdaptiveAvgPool2d", "output_size", s);
  }

  //! @brief `adaptive_avg_pool2d(input, output_size)`.
  //! @throws shape_error for a wrong rank or an empty non-batch dimension.
  Tensor forward(Tensor const& input) const {
    std::vector<SymInt> const size{output_size[0], output_size[1]};
    return adaptive_avg_pool2d(input, size);
  }
};

} // namespace xport::nn
