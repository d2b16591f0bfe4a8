//! @file
//! Convolution op node types: `aten::convolution` (the core op, with its full attribute
//! set) and the composites `aten::conv1d`, `aten::conv2d` and their string-padding
//! overloads (`padding="same"` / `"valid"`), with meta rules over symbolic sizes.
//!
//! The output size of each spatial dimension is PyTorch's
//! `(in + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1`, kept symbolic:
//! an input of length `s0` through a kernel of 3 with stride 2 gives `(s0 - 3)//2 + 1`,
//! which sym/ simplifies to `(s0 - 1)//2`.
#pragma once

#include <xport/ops/linalg_common.hpp>
#include <xport/ops/op.hpp>
#include <xport/ops/op_set.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xport::ops {

//! @brief The geometry of one convolution with every list expanded to one entry per
//! spatial dimension; padding may differ before and after (`padding="same"` with an even
//! dilated kernel pads one more at the end, as PyTorch does).
struct conv_geometry {
  dim_vector stride;         //!< step of the window per dimension
  dim_vector padding_before; //!< zeros added at the start of each dimension
  dim_vector padding_after;  //!< zeros added at the end of each dimension
  dim_vector dilation;       //!< spacing of the kernel taps
  std::int64_t groups = 1;   //!< channel groups
};

namespace detail {

inline std::string conv_tensor_type(dtype type) {
  return "torch." + std::string(xport::scalar_type_name(type)) + "Tensor";
}

inline std::string join_sizes(sym_list sizes, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (i) out += separator;
    out += sizes[i].str();
  }
  return out;
}

// PyTorch's check_shape_forward and the output size, for a batched input
// [N, C, spatial...] and weight [OC, C / groups, kernel...].
inline tensor_meta conv_meta(tensor_meta const& input, tensor_meta const& weight,
                             tensor_meta const* bias, conv_geometry const& g, std::string_view op) {
  std::int64_t const rank = weight.dim();
  if (rank < 3) {
    throw shape_error(std::string(op)
                      + ": weight should have at least three dimensions, but "
                        "got a tensor of size "
                      + format_sym_sizes(weight.sizes));
  }
  if (input.dim() != rank) {
    throw shape_error(std::string(op) + ": Expected " + std::to_string(rank)
                      + "-dimensional input for " + std::to_string(rank) + "-dimensional weight "
                      + format_sym_sizes(weight.sizes) + ", but got " + std::to_string(input.dim())
                      + "-dimensional input of size " + format_sym_sizes(input.sizes) + " instead");
  }
  auto const spatial = static_cast<std::size_t>(rank - 2);
  if (spatial > 2) {
    throw unsupported_error(std::string(op)
                            + ": xport implements 1-D and 2-D convolutions, but "
                              "the weight "
                            + format_sym_sizes(weight.sizes) + " asks for a "
                            + std::to_string(spatial) + "-D one");
  }
  tensor_meta const operands[2] = {input, weight};
  expect_same_device(operands, op);
  if (input.dtype != weight.dtype) {
    throw dtype_error(std::string(op) + ": Input type (" + conv_tensor_type(input.dtype)
                      + ") and weight type (" + conv_tensor_type(weight.dtype)
                      + ") should be the same");
  }
  expect_floating_input(input,
                        spatial == 1 || spatial == 2 ? "slow_conv2d_cpu" : "slow_conv3d_cpu");
  for (std::size_t i = 0; i < spatial; ++i) {
    if (g.stride[i] <= 0)
      throw value_error(std::string(op) + ": non-positive stride is not supported");
    if (g.padding_before[i] < 0 || g.padding_after[i] < 0)
      throw value_error(std::string(op) + ": negative padding is not supported");
    if (g.dilation[i] <= 0)
      throw value_error(std::string(op) + ": dilation should be greater than zero");
  }
  if (g.groups <= 0) throw value_error(std::string(op) + ": non-positive groups is not supported");
  SymInt const& out_channels = weight.sizes[0];
  std::string const groups = std::to_string(g.groups);
  if (static_cast<bool>(out_channels < g.groups)) {
    throw shape_error(std::string(op) + ": Given groups=" + groups
                      + ", expected weight to be at "
                        "least "
                      + groups + " at dimension 0, but got weight of size "
                      + format_sym_sizes(weight.sizes) + " instead");
  }
  if (!static_cast<bool>(mod(out_channels, g.groups) == 0)) {
    throw shape_error(std::string(op) + ": Given groups=" + groups
                      + ", expected weight to be "
                        "divisible by "
                      + groups + " at dimension 0, but got weight of size "
                      + format_sym_sizes(weight.sizes) + " instead");
  }
  SymInt const channels = weight.sizes[1] * g.groups;
  if (!static_cast<bool>(input.sizes[1] == channels)) {
    throw shape_error(std::string(op) + ": Given groups=" + groups + ", weight of size "
                      + format_sym_sizes(weight.sizes) + ", expected input"
                      + format_sym_sizes(input.sizes) + " to have " + channels.str()
                      + " channels, but got " + input.sizes[1].str() + " channels instead");
  }
  if (bias != nullptr && bias->defined) {
    if (bias->dim() != 1 || !static_cast<bool>(bias->sizes[0] == out_channels)) {
      throw shape_error(std::string(op) + ": Given weight of size " + format_sym_sizes(weight.sizes)
                        + ", expected bias to be 1-dimensional "
                          "with "
                        + out_channels.str() + " elements, but got bias of size "
                        + format_sym_sizes(bias->sizes) + " instead");
    }
    tensor_meta const with_bias[2] = {input, *bias};
    expect_same_device(with_bias, op);
    if (bias->dtype != input.dtype) {
      throw dtype_error(std::string(op) + ": Input type (" + conv_tensor_type(input.dtype)
                        + ") and bias type (" + conv_tensor_type(bias->dtype)
                        + ") should be the same");
    }
  }
  sym_sizes padded, kernel;
  bool too_small = false;
  for (std::size_t i = 0; i < spatial; ++i) {
    padded.push_back(input.sizes[2 + i]
                     + xport::shape::add(g.padding_before[i], g.padding_after[i]));
    kernel.push_back(g.dilation[i] * (weight.sizes[2 + i] - 1) + 1);
    if (static_cast<bool>(padded.back() < kernel.back())) too_small = true;
  }
  if (too_small) {
    throw shape_error(std::string(op) + ": Calculated padded input size per channel: ("
                      + join_sizes(padded, " x ") + "). Kernel size: (" + join_sizes(kernel, " x ")
                      + "). Kernel size can't be greater than actual input size (input "
                      + format_sym_sizes(input.sizes) + ", weight " + format_sym_sizes(weight.sizes)
                      + ")");
  }
  tensor_meta out{input.dtype, input.device, {input.sizes[0], out_channels}};
  for (std::size_t i = 0; i < spatial; ++i) {
    out.sizes.push_back(xport::shape::window_output_size<SymInt>(
        input.sizes[2 + i], weight.sizes[2 + i], g.stride[i], g.padding_before[i],
        g.padding_after[i], g.dilation[i], false));
  }
  return out;
}

// The geometry of symmetric integer padding.
inline conv_geometry symmetric_geometry(std::vector<std::int64_t> const& stride,
                                        std::vector<std::int64_t> const& padding,
                                        std::vector<std::int64_t> const& dilation,
                                        std::int64_t groups, std::size_t spatial,
                                        std::string_view op) {
  dim_vector const pad = expand_param(padding, spatial, op, "padding");
  return {expand_param(stride, spatial, op, "stride"), pad, pad,
          expand_param(dilation, spatial, op, "dilation"), groups};
}

// The geometry of `padding="valid"` (none) or `"same"` (output size = input size; an odd
// total pads one more at the end, as PyTorch's _convolution_mode does).
inline conv_geometry string_geometry(tensor_meta const& weight,
                                     std::vector<std::int64_t> const& stride,
                                     std::string const& padding,
                                     std::vector<std::int64_t> const& dilation, std::int64_t groups,
                                     std::size_t spatial, std::string_view op) {
  conv_geometry g{expand_param(stride, spatial, op, "stride"), dim_vector(spatial, 0),
                  dim_vector(spatial, 0), expand_param(dilation, spatial, op, "dilation"), groups};
  if (padding == "valid") return g;
  if (padding != "same") {
    throw value_error(std::string(op) + ": Invalid padding string: '" + padding
                      + "'; expected 'same' or 'valid'");
  }
  for (std::size_t i = 0; i < spatial; ++i) {
    if (g.stride[i] != 1)
      throw value_error(std::string(op)
                        + ": padding='same' is not supported for strided "
                          "convolutions");
  }
  if (weight.dim() != static_cast<std::int64_t>(spatial) + 2) return g; // conv_meta reports it
  for (std::size_t i = 0; i < spatial; ++i) {
    // The padding is an attribute of the lowered call, so a symbolic kernel size is fixed
    // here (a guard); kernels are parameters and static in practice.
    std::int64_t const total = g.dilation[i] * (weight.sizes[2 + i].guard_int() - 1);
    g.padding_before[i] = total / 2;
    g.padding_after[i] = total - total / 2;
  }
  return g;
}

// conv1d/conv2d accept an unbatched input (no N): it is run as a batch of one and the
// batch dimension removed from the result.
inline meta_list conv_nd_meta(std::span<tensor_meta const> in, std::size_t spatial,
                              conv_geometry const& g, std::string_view op) {
  tensor_meta input = in[0];
  auto const batched = static_cast<std::int64_t>(spatial) + 2;
  bool const unbatched = input.dim() == batched - 1;
  if (!unbatched && input.dim() != batched) {
    throw shape_error(std::string(op) + ": Expected " + std::to_string(batched - 1)
                      + "D (unbatched) or " + std::to_string(batched) + "D (batched) input to "
                      + std::string(op)
                      + ", but got input of size: " + format_sym_sizes(input.sizes));
  }
  if (unbatched) input.sizes.insert(input.sizes.begin(), SymInt(1));
  if (in[1].dim() != batched) {
    throw shape_error(std::string(op) + ": expected weight to be " + std::to_string(batched)
                      + "-D [out_channels, in_channels / groups, kernel...], but got a tensor of "
                        "size "
                      + format_sym_sizes(in[1].sizes));
  }
  tensor_meta out = conv_meta(input, in[1], in.size() > 2 ? &in[2] : nullptr, g, op);
  if (unbatched) out.sizes.erase(out.sizes.begin());
  return {out};
}

} // namespace detail

//! @brief `aten::convolution`: the core convolution, batched input `[N, C, spatial...]`,
//! weight `[OC, C / groups, kernel...]`, optional bias `[OC]`.
struct convolution {
  static constexpr std::string_view name = "aten::convolution"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                //!< in the core set
  static constexpr op_tag tags = op_tag::none;                  //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::floating;     //!< supported dtypes
  static constexpr bool optional_inputs = true;                 //!< bias may be absent
  //! @brief PyTorch's full argument set; each list has one entry or one per spatial dim.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::vector<std::int64_t>, stride),
                             (std::vector<std::int64_t>, padding),
                             (std::vector<std::int64_t>, dilation), (bool, transposed),
                             (std::vector<std::int64_t>, output_padding), (std::int64_t, groups));
  };
  //! @brief The geometry these attributes describe (symmetric padding).
  //! @throws value_error for a list of the wrong length.
  static conv_geometry geometry(attributes const& a, std::size_t spatial) {
    return detail::symmetric_geometry(a.stride, a.padding, a.dilation, a.groups, spatial,
                                      "convolution");
  }
  //! @brief Inputs `input, weight, bias` (bias undefined when absent):
  //! `[N, C, H, W] x [OC, C/g, KH, KW] -> [N, OC, (H + 2p - d(KH-1) - 1)//s + 1, ...]`.
  //! @throws shape_error, value_error and dtype_error in PyTorch's words (see `conv2d`);
  //! unsupported_error for `transposed` (xport has no transposed convolution yet) and
  //! for 3-D convolutions.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    if (a.transposed) {
      throw unsupported_error("convolution: transposed convolutions (conv_transpose) are not "
                              "implemented in xport yet; only transposed=False is supported");
    }
    auto const spatial = static_cast<std::size_t>(std::max<std::int64_t>(in[1].dim() - 2, 1));
    (void)detail::expand_param(a.output_padding, spatial, "convolution", "output_padding");
    return {detail::conv_meta(in[0], in[1], in.size() > 2 ? &in[2] : nullptr, geometry(a, spatial),
                              "convolution")};
  }
};

//! @brief The attributes of `conv1d` and `conv2d` with integer padding.
struct conv_attributes {
  BOOST_HANA_DEFINE_STRUCT(conv_attributes, (std::vector<std::int64_t>, stride),
                           (std::vector<std::int64_t>, padding),
                           (std::vector<std::int64_t>, dilation), (std::int64_t, groups));
};

//! @brief The attributes of `conv1d.padding` and `conv2d.padding`: padding is `"same"`
//! or `"valid"`.
struct conv_padding_attributes {
  BOOST_HANA_DEFINE_STRUCT(conv_padding_attributes, (std::vector<std::int64_t>, stride),
                           (std::string, padding), (std::vector<std::int64_t>, dilation),
                           (std::int64_t, groups));
};

//! @brief `aten::conv1d`: input `[N, C, L]` or unbatched `[C, L]`, weight `[OC, C/g, K]`.
struct conv1d {
  static constexpr std::string_view name = "aten::conv1d";  //!< ATen name
  static constexpr op_kind kind = op_kind::composite;       //!< lowered to convolution
  static constexpr op_tag tags = op_tag::none;              //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::floating; //!< supported dtypes
  static constexpr bool optional_inputs = true;             //!< bias may be absent
  using attributes = conv_attributes;                       //!< stride, padding, dilation, groups
  //! @brief The geometry of one call.
  static conv_geometry geometry(attributes const& a, std::span<tensor_meta const>) {
    return detail::symmetric_geometry(a.stride, a.padding, a.dilation, a.groups, 1, "conv1d");
  }
  //! @brief `[N, C, L] -> [N, OC, (L + 2p - d(K-1) - 1)//s + 1]`.
  //! @throws as `conv2d`.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return detail::conv_nd_meta(in, 1, geometry(a, in), "conv1d");
  }
};

//! @brief `aten::conv2d`: input `[N, C, H, W]` or unbatched `[C, H, W]`, weight
//! `[OC, C/g, KH, KW]`, optional bias `[OC]`.
struct conv2d {
  static constexpr std::string_view name = "aten::conv2d";  //!< ATen name
  static constexpr op_kind kind = op_kind::composite;       //!< lowered to convolution
  static constexpr op_tag tags = op_tag::none;              //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::floating; //!< supported dtypes
  static constexpr bool optional_inputs = true;             //!< bias may be absent
  using attributes = conv_attributes;                       //!< stride, padding, dilation, groups
  //! @brief The geometry of one call.
  static conv_geometry geometry(attributes const& a, std::span<tensor_meta const>) {
    return detail::symmetric_geometry(a.stride, a.padding, a.dilation, a.groups, 2, "conv2d");
  }
  //! @brief `[N, C, H, W] -> [N, OC, (H + 2p - d(KH-1) - 1)//s + 1, (W + ...)//s + 1]`.
  //! @throws shape_error "Given groups=1, weight of size [8, 3, 3, 3], expected
  //! input[1, 4, 5, 5] to have 3 channels, but got 4 channels instead", "Calculated padded
  //! input size per channel: (2 x 2). Kernel size: (3 x 3). Kernel size can't be greater
  //! than actual input size", or for a bad rank or bias; value_error for non-positive
  //! stride, dilation or groups and negative padding; dtype_error for integer inputs or
  //! mixed dtypes.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return detail::conv_nd_meta(in, 2, geometry(a, in), "conv2d");
  }
};

//! @brief `aten::conv1d.padding`: `conv1d` with `padding="same"` or `"valid"`.
struct conv1d_padding {
  static constexpr std::string_view name = "aten::conv1d.padding"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;              //!< lowered to convolution
  static constexpr op_tag tags = op_tag::none;                     //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::floating;        //!< supported dtypes
  static constexpr bool optional_inputs = true;                    //!< bias may be absent
  using attributes = conv_padding_attributes; //!< stride, padding mode, dilation, groups
  //! @brief The geometry of one call ("same" depends on the weight's kernel size).
  static conv_geometry geometry(attributes const& a, std::span<tensor_meta const> in) {
    return detail::string_geometry(in[1], a.stride, a.padding, a.dilation, a.groups, 1, "conv1d");
  }
  //! @brief `"same"`: the output length is the input's; `"valid"`: no padding.
  //! @throws value_error for another string or "same" with a stride; otherwise as `conv1d`.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return detail::conv_nd_meta(in, 1, geometry(a, in), "conv1d");
  }
};

//! @brief `aten::conv2d.padding`: `conv2d` with `padding="same"` or `"valid"`.
struct conv2d_padding {
  static constexpr std::string_view name = "aten::conv2d.padding"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;              //!< lowered to convolution
  static constexpr op_tag tags = op_tag::none;                     //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::floating;        //!< supported dtypes
  static constexpr bool optional_inputs = true;                    //!< bias may be absent
  using attributes = conv_padding_attributes; //!< stride, padding mode, dilation, groups
  //! @brief The geometry of one call ("same" depends on the weight's kernel size).
  static conv_geometry geometry(attributes const& a, std::span<tensor_meta const> in) {
    return detail::string_geometry(in[1], a.stride, a.padding, a.dilation, a.groups, 2, "conv2d");
  }
  //! @brief `"same"`: the output's spatial sizes are the input's (for an even dilated
  //! kernel the extra zero goes to the right/bottom); `"valid"`: no padding.
  //! @throws value_error for another string or "same" with a stride; otherwise as `conv2d`.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return detail::conv_nd_meta(in, 2, geometry(a, in), "conv2d");
  }
};

//! @brief Every convolution op.
using conv_ops = op_set<convolution, conv1d, conv2d, conv1d_padding, conv2d_padding>;

} // namespace xport::ops
