//! @file
//! `nn::Conv1d` and `nn::Conv2d`: learned convolutions over 1 or 2 spatial dimensions
//! (PyTorch's `nn.Conv1d`, `nn.Conv2d`).
#pragma once

#include <xport/api/conv.hpp>
#include <xport/core/dtype.hpp>
#include <xport/core/error.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/core/tensor.hpp>
#include <xport/nn/detail/layer_args.hpp>
#include <xport/nn/init.hpp>
#include <xport/nn/module.hpp>
#include <xport/nn/ntuple.hpp>

#include <array>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xport::nn {

//! @brief A convolution's padding: explicit sizes per spatial dimension, or PyTorch's
//! `"same"` (output as large as the input; stride 1 only) or `"valid"` (no padding).
//! @code
//! xport::nn::conv_padding<2> a = 1;        // (1, 1)
//! xport::nn::conv_padding<2> b = {1, 2};   // (1, 2)
//! xport::nn::conv_padding<2> c = "same";
//! @endcode
//! @tparam N the number of spatial dimensions
template <std::size_t N>
struct conv_padding {
  //! @brief How the padding is given.
  enum class mode : std::uint8_t {
    explicit_sizes, //!< `sizes`
    same,           //!< PyTorch's `padding="same"`
    valid,          //!< PyTorch's `padding="valid"` (zero padding)
  };

  mode kind = mode::explicit_sizes; //!< how the padding is given
  ntuple<N> sizes;                  //!< zeros-padding per side of each dimension (explicit only)

  //! @brief No padding.
  conv_padding() = default;
  //! @brief `value` on both sides of every dimension.
  conv_padding(std::int64_t value) : sizes(value) {} // NOLINT: implicit, like PyTorch's int
  //! @brief One value per dimension.
  conv_padding(std::array<std::int64_t, N> each) : sizes(each) {} // NOLINT
  //! @brief One value per dimension, in braces: `{1, 2}`.
  template <std::integral... I>
  requires(N > 1 && sizeof...(I) == N) conv_padding(I... each) : sizes(each...) {} // NOLINT
  //! @brief `"same"` or `"valid"`.
  //! @throws value_error for any other string, with PyTorch's message.
  template <std::size_t K>
  conv_padding(char const (&text)[K]) : conv_padding(std::string_view(text)) {} // NOLINT
  //! @brief `"same"` or `"valid"`.
  //! @throws value_error for any other string, with PyTorch's message.
  explicit conv_padding(std::string_view text) {
    if (text == "same") {
      kind = mode::same;
    } else if (text == "valid") {
      kind = mode::valid;
    } else {
      throw value_error("Invalid padding string '" + std::string(text)
                        + "', should be one of {'valid', 'same'}");
    }
  }

  //! @brief `"same"`, `"valid"`, or the sizes as PyTorch prints them.
  std::string str() const {
    if (kind == mode::same) return "same";
    if (kind == mode::valid) return "valid";
    return sizes.str();
  }
};

//! @brief The keyword arguments of `Conv1d` / `Conv2d` (PyTorch's `stride=1, padding=0,
//! dilation=1, groups=1, bias=True, dtype=None`; zeros padding).
//! @tparam N the number of spatial dimensions
template <std::size_t N>
struct conv_options {
  ntuple<N> stride = 1;                //!< step of the kernel per dimension
  conv_padding<N> padding = 0;         //!< zeros added on both sides, `"same"` or `"valid"`
  ntuple<N> dilation = 1;              //!< spacing of the kernel's taps
  std::int64_t groups = 1;             //!< blocked connections from input to output channels
  bool bias = true;                    //!< learn an additive bias per output channel
  xport::dtype dtype = dtype::float32; //!< element type of the weights
};

} // namespace xport::nn

namespace xport::detail {

// What Conv1d and Conv2d share: argument checks and PyTorch's initialisation.
template <std::size_t N>
struct conv_layer {
  static constexpr char const* module_name = N == 1 ? "Conv1d" : "Conv2d";

  static void check(std::int64_t in_channels, std::int64_t out_channels,
                    nn::ntuple<N> const& kernel_size, nn::conv_options<N> const& options) {
    expect_positive(module_name, "in_channels", in_channels);
    expect_positive(module_name, "out_channels", out_channels);
    expect_positive(module_name, "kernel_size", kernel_size.values);
    expect_positive(module_name, "stride", options.stride.values);
    expect_positive(module_name, "dilation", options.dilation.values);
    for (std::int64_t const p : options.padding.sizes.values)
      expect_non_negative(module_name, "padding", p);
    if (options.groups <= 0) throw value_error("groups must be a positive integer");
    if (in_channels % options.groups != 0)
      throw value_error("in_channels must be divisible by groups (in_channels="
                        + std::to_string(in_channels) + ", groups=" + std::to_string(options.groups)
                        + ")");
    if (out_channels % options.groups != 0)
      throw value_error("out_channels must be divisible by groups (out_channels="
                        + std::to_string(out_channels)
                        + ", groups=" + std::to_string(options.groups) + ")");
    if (options.padding.kind == nn::conv_padding<N>::mode::same)
      for (std::int64_t const s : options.stride.values)
        if (s != 1) throw value_error("padding='same' is not supported for strided convolutions");
  }

  // weight [out, in / groups, k...] by kaiming_uniform_(a = sqrt(5)); bias U(-1/sqrt(fan_in),
  // 1/sqrt(fan_in)).
  static void init(Tensor& weight, Tensor& bias, std::int64_t in_channels,
                   std::int64_t out_channels, nn::ntuple<N> const& kernel_size,
                   nn::conv_options<N> const& options, Generator& gen) {
    std::vector<std::int64_t> sizes{out_channels, in_channels / options.groups};
    sizes.insert(sizes.end(), kernel_size.values.begin(), kernel_size.values.end());
    weight = empty(sizes, {options.dtype});
    nn::init::kaiming_uniform_(weight, gen, std::sqrt(5.0));
    if (options.bias) {
      bias = empty({out_channels}, {options.dtype});
      double const bound =
          1.0
          / std::sqrt(static_cast<double>(nn::init::calculate_fan_in_and_fan_out(weight).fan_in));
      nn::init::uniform_(bias, gen, -bound, bound);
    }
  }

  // conv1d / conv2d with the module's options, choosing the overload for string padding.
  template <class Conv>
  static Tensor forward(Conv conv, Tensor const& input, Tensor const& weight, Tensor const& bias,
                        nn::conv_options<N> const& options) {
    using padding_mode = typename nn::conv_padding<N>::mode;
    if (options.padding.kind == padding_mode::explicit_sizes) {
      return conv(input, weight, bias,
                  xport::conv_options{options.stride.list(), options.padding.sizes.list(),
                                      options.dilation.list(), options.groups});
    }
    return conv(input, weight, bias, options.padding.str(),
                xport::conv_padding_options{options.stride.list(), options.dilation.list(),
                                            options.groups});
  }
};

} // namespace xport::detail

namespace xport::nn {

//! @brief A 1-D convolution over `[N, C_in, L]` (or unbatched `[C_in, L]`) inputs
//! (PyTorch's `nn.Conv1d`).
//!
//! State: `weight` `[out_channels, in_channels / groups, kernel_size]`, `bias`
//! `[out_channels]`. Initialisation is PyTorch's (`kaiming_uniform_(a = sqrt(5))`, bias
//! U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with `fan_in = in_channels / groups * kernel_size`),
//! drawn from `gen`.
//! @code
//! xport::nn::Conv1d conv{4, 8, 3, gen, {.padding = "same"}};
//! @endcode
class Conv1d : public Module<Conv1d> {
public:
  Parameter weight;              //!< `[out_channels, in_channels / groups, kernel_size]`
  Parameter bias;                //!< `[out_channels]`, or undefined without bias
  std::int64_t in_channels = 0;  //!< channels of the input
  std::int64_t out_channels = 0; //!< channels of the output
  ntuple<1> kernel_size;         //!< taps of the kernel
  conv_options<1> options;       //!< stride, padding, dilation, groups as constructed

  //! @brief A convolution from `in_channels` to `out_channels`, initialised from `gen`.
  //! @throws value_error for non-positive sizes, channels not divisible by `groups`, an
  //! unknown padding string, or `"same"` padding with a stride other than 1.
  Conv1d(std::int64_t in_channels_, std::int64_t out_channels_, ntuple<1> kernel_size_,
         Generator& gen, conv_options<1> options_ = {})
      : in_channels(in_channels_), out_channels(out_channels_), kernel_size(kernel_size_),
        options(options_) {
    detail::conv_layer<1>::check(in_channels, out_channels, kernel_size, options);
    detail::conv_layer<1>::init(weight, bias, in_channels, out_channels, kernel_size, options, gen);
  }

  //! @brief `conv1d(input, weight, bias, ...)` with the module's options: `[N, C_in, L]` -> `[N,
  //! C_out, L_out]` (or unbatched without `N`).
  //! @throws shape_error for a wrong rank, channel count, or an input smaller than the
  //! dilated kernel.
  Tensor forward(Tensor const& input) const {
    return detail::conv_layer<1>::forward(
        [](auto const&... args) { return xport::conv1d(args...); }, input, weight, bias, options);
  }
};

//! @brief A 2-D convolution over `[N, C_in, H, W]` (or unbatched `[C_in, H, W]`) inputs
//! (PyTorch's `nn.Conv2d`).
//!
//! State: `weight` `[out_channels, in_channels / groups, kH, kW]`, `bias`
//! `[out_channels]`. Initialisation is PyTorch's (`kaiming_uniform_(a = sqrt(5))`, bias
//! U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with `fan_in = in_channels / groups * kH * kW`),
//! drawn from `gen`.
//! @code
//! xport::nn::Conv2d conv{3, 16, 3, gen, {.stride = 2, .padding = 1}};
//! xport::nn::Conv2d depthwise{16, 16, {3, 5}, gen, {.padding = "same", .groups = 16}};
//! @endcode
class Conv2d : public Module<Conv2d> {
public:
  Parameter weight;              //!< `[out_channels, in_channels / groups, kH, kW]`
  Parameter bias;                //!< `[out_channels]`, or undefined without bias
  std::int64_t in_channels = 0;  //!< channels of the input
  std::int64_t out_channels = 0; //!< channels of the output
  ntuple<2> kernel_size;         //!< taps of the kernel, (height, width)
  conv_options<2> options;       //!< stride, padding, dilation, groups as constructed

  //! @brief A convolution from `in_channels` to `out_channels`, initialised from `gen`.
  //! @throws value_error for non-positive sizes, channels not divisible by `groups`, an
  //! unknown padding string, or `"same"` padding with a stride other than 1.
  Conv2d(std::int64_t in_channels_, std::int64_t out_channels_, ntuple<2> kernel_size_,
         Generator& gen, conv_options<2> options_ = {})
      : in_channels(in_channels_), out_channels(out_channels_), kernel_size(kernel_size_),
        options(options_) {
    detail::conv_layer<2>::check(in_channels, out_channels, kernel_size, options);
    detail::conv_layer<2>::init(weight, bias, in_channels, out_channels, kernel_size, options, gen);
  }

  //! @brief `conv2d(input, weight, bias, ...)` with the module's options: `[N, C_in, H, W]` -> `[N,
  //! C_out, H_out, W_out]` (or unbatched without `N`).
  //! @throws shape_error for a wrong rank, channel count, or an input smaller than the
  //! dilated kernel.
  Tensor forward(Tensor const& input) const {
    return detail::conv_layer<2>::forward(
        [](auto const&... args) { return xport::conv2d(args...); }, input, weight, bias, options);
  }
};

} // namespace xport::nn

//! @cond INTERNAL
// Reflection: the tensors and sub-modules, in PyTorch's state-dict order.
BOOST_HANA_ADAPT_STRUCT(xport::nn::Conv1d, weight, bias);
BOOST_HANA_ADAPT_STRUCT(xport::nn::Conv2d, weight, bias);
//! @endcond
