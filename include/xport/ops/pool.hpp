//! @file
//! Pooling op node types: `aten::max_pool2d`, `aten::max_pool2d_with_indices`,
//! `aten::avg_pool2d` and `aten::adaptive_avg_pool2d`, with meta rules over symbolic sizes.
//!
//! The output size is PyTorch's `(in + 2p - d(k-1) - 1 [+ s - 1 with ceil_mode]) // s + 1`,
//! where with `ceil_mode` a last window that would start inside the right padding is
//! dropped; on a symbolic input that decision is a guard.
#pragma once

#include <xport/ops/linalg_common.hpp>
#include <xport/ops/op.hpp>
#include <xport/ops/op_set.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xport::ops {

//! @brief The window of a 2-D pooling with every list expanded to (height, width).
struct pool_window {
  std::int64_t kernel[2];   //!< window size
  std::int64_t stride[2];   //!< window step
  std::int64_t padding[2];  //!< implicit padding on both sides
  std::int64_t dilation[2]; //!< spacing of window taps
};

//! @brief The output length of a pooling window sliding over `size` (PyTorch's
//! `pooling_output_shape`; `shape::window_output_size`).
//!
//! `pool_output_size(s0, 3, 2, 0, 1, false)` is `(s0 - 1)//2` (sym/ folds the `+ 1`).
inline SymInt pool_output_size(SymInt const& size, std::int64_t kernel, std::int64_t stride,
                               std::int64_t padding, std::int64_t dilation, bool ceil_mode) {
  return xport::shape::window_output_size<SymInt>(size, kernel, stride, padding, dilation,
                                                  ceil_mode);
}

namespace detail {

// kernel_size / stride / padding / dilation as PyTorch's pooling front ends accept them:
// one int or two; an empty stride means the kernel size.
inline void pool_pair(std::vector<std::int64_t> const& values, std::int64_t (&out)[2],
                      std::string_view op, std::string_view what, bool may_be_omitted) {
  if (values.size() == 1 || values.size() == 2) {
    out[0] = values[0];
    out[1] = values.back();
    return;
  }
  throw value_error(std::string(op) + ": " + std::string(what) + " must either be "
                    + (may_be_omitted ? "omitted, " : "") + "a single int, or a tuple of two ints");
}

inline pool_window pool_window_of(std::vector<std::int64_t> const& kernel,
                                  std::vector<std::int64_t> const& stride,
                                  std::vector<std::int64_t> const& padding,
                                  std::vector<std::int64_t> const& dilation, std::string_view op) {
  pool_window w{};
  pool_pair(kernel, w.kernel, op, "kernel_size", false);
  if (stride.empty()) {
    w.stride[0] = w.kernel[0];
    w.stride[1] = w.kernel[1];
  } else {
    pool_pair(stride, w.stride, op, "stride", true);
  }
  pool_pair(padding, w.padding, op, "padding", false);
  pool_pair(dilation, w.dilation, op, "dilation", false);
  return w;
}

// [N, C, H, W] or unbatched [C, H, W]; C, H, W non-zero (N may be 0).
inline void expect_pool_input(tensor_meta const& in, std::string_view op) {
  bool ok = in.dim() == 3 || in.dim() == 4;
  for (std::int64_t d = in.dim() == 4 ? 1 : 0; ok && d < in.dim(); ++d)
    ok = !static_cast<bool>(in.sizes[static_cast<std::size_t>(d)] == 0);
  if (!ok) {
    throw shape_error(std::string(op)
                      + ": Expected 3D or 4D (batch mode) tensor with optional 0 "
                        "dim batch size for input, but got:"
                      + format_sym_sizes(in.sizes));
  }
}

// PyTorch's pooling_output_shape_pad_lr and pool2d_shape_check, then the output sizes.
inline tensor_meta pool_meta(tensor_meta const& in, pool_window const& w, bool ceil_mode,
                             std::string_view op) {
  expect_pool_input(in, op);
  if (w.kernel[0] <= 0 || w.kernel[1] <= 0) {
    throw value_error(std::string(op) + ": kernel size should be greater than zero, but got kH: "
                      + std::to_string(w.kernel[0]) + " kW: " + std::to_string(w.kernel[1]));
  }
  if (w.stride[0] <= 0 || w.stride[1] <= 0) {
    throw value_error(std::string(op) + ": stride should be greater than zero, but got dH: "
                      + std::to_string(w.stride[0]) + " dW: " + std::to_string(w.stride[1]));
  }
  if (w.dilation[0] <= 0 || w.dilation[1] <= 0) {
    throw value_error(std::string(op)
                      + ": dilation should be greater than zero, but got "
                        "dilationH: "
                      + std::to_string(w.dilation[0])
                      + " dilationW: " + std::to_string(w.dilation[1]));
  }
  for (int i = 0; i < 2; ++i) {
    if (w.padding[i] < 0) throw value_error(std::string(op) + ": pad must be non-negative");
    if (w.padding[i] > ((w.kernel[i] - 1) * w.dilation[i] + 1) / 2) {
      throw value_error(std::string(op)
                        + ": pad should be at most half of effective kernel size, "
                          "but got pad="
                        + std::to_string(w.padding[i])
                        + ", kernel_size=" + std::to_string(w.kernel[i])
                        + " and dilation=" + std::to_string(w.dilation[i]));
    }
  }
  if (w.kernel[0] / 2 < w.padding[0] || w.kernel[1] / 2 < w.padding[1]) {
    throw value_error(std::string(op)
                      + ": pad should be smaller than or equal to half of kernel "
                        "size, but got padW = "
                      + std::to_string(w.padding[1]) + ", padH = " + std::to_string(w.padding[0])
                      + ", kW = " + std::to_string(w.kernel[1])
                      + ", kH = " + std::to_string(w.kernel[0]));
  }
  tensor_meta out = in;
  std::size_t const h = in.sizes.size() - 2;
  for (std::size_t i = 0; i < 2; ++i) {
    out.sizes[h + i] = pool_output_size(in.sizes[h + i], w.kernel[i], w.stride[i], w.padding[i],
                                        w.dilation[i], ceil_mode);
  }
  if (static_cast<bool>(out.sizes[h] < 1) || static_cast<bool>(out.sizes[h + 1] < 1)) {
    SymInt const& channels = in.sizes[h - 1];
    throw shape_error(std::string(op) + ": Given input size: (" + channels.str() + "x"
                      + in.sizes[h].str() + "x" + in.sizes[h + 1].str()
                      + "). Calculated output size: (" + channels.str() + "x" + out.sizes[h].str()
                      + "x" + out.sizes[h + 1].str() + "). Output size is too small");
  }
  return out;
}

} // namespace detail

//! @brief `aten::max_pool2d`: the maximum over each window (NaN wins, as in PyTorch), on
//! `[N, C, H, W]` or unbatched `[C, H, W]`.
struct max_pool2d {
  static constexpr std::string_view name = "aten::max_pool2d"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;       //!< lowered to max_pool2d_with_indices
  static constexpr op_tag tags = op_tag::none;              //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::floating; //!< supported dtypes
  //! @brief PyTorch's arguments; an empty `stride` means `kernel_size`.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::vector<std::int64_t>, kernel_size),
                             (std::vector<std::int64_t>, stride),
                             (std::vector<std::int64_t>, padding),
                             (std::vector<std::int64_t>, dilation), (bool, ceil_mode));
  };
  //! @brief The window these attributes describe.
  //! @throws value_error for a list that is not one or two ints.
  static pool_window window(attributes const& a) {
    return detail::pool_window_of(a.kernel_size, a.stride, a.padding, a.dilation, "max_pool2d");
  }
  //! @brief `[N, C, H, W] -> [N, C, pool_output_size(H, ...), pool_output_size(W, ...)]`.
  //! @throws value_error "pad should be at most half of effective kernel size, but got
  //! pad=2, kernel_size=3 and dilation=1" and for non-positive kernel, stride or dilation;
  //! shape_error for a bad rank or an empty output; dtype_error for integer inputs.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    expect_floating_input(in[0], "max_pool2d");
    return {detail::pool_meta(in[0], window(a), a.ceil_mode, "max_pool2d")};
  }
};

//! @brief `aten::max_pool2d_with_indices`: `max_pool2d`'s values and, for each, where in
//! its input plane the chosen element lies (int64, `y * W + x`): PyTorch's core op for max
//! pooling, and what the decomposition of `max_pool2d` leaves. Among equal maxima the
//! first in row-major window order is chosen; with NaNs in the window, the last NaN.
struct max_pool2d_with_indices {
  static constexpr std::string_view name = "aten::max_pool2d_with_indices"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                            //!< in the core set
  static constexpr op_tag tags = op_tag::none;                              //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::floating;                 //!< supported dtypes
  using attributes = max_pool2d::attributes;                                //!< as `max_pool2d`'s
  //! @brief The window these attributes describe.
  //! @throws as `max_pool2d::window`.
  static pool_window window(attributes const& a) { return max_pool2d::window(a); }
  //! @brief `max_pool2d`'s output, and the same sizes in int64 for the indices.
  //! @throws as `max_pool2d::meta`.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta const values = max_pool2d::meta(in, a)[0];
    tensor_meta indices = values;
    indices.dtype = dtype::int64;
    return {values, indices};
  }
};

//! @brief `aten::avg_pool2d`: the mean over each window, on `[N, C, H, W]` or `[C, H, W]`.
struct avg_pool2d {
  static constexpr std::string_view name = "aten::avg_pool2d"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;               //!< in the core set
  static constexpr op_tag tags = op_tag::none;                 //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::floating;    //!< supported dtypes
  //! @brief PyTorch's arguments; an empty `stride` means `kernel_size`.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::vector<std::int64_t>, kernel_size),
                             (std::vector<std::int64_t>, stride),
                             (std::vector<std::int64_t>, padding), (bool, ceil_mode),
                             (bool, count_include_pad),
                             (std::optional<std::int64_t>, divisor_override));
  };
  //! @brief The window these attributes describe (dilation 1).
  //! @throws value_error for a list that is not one or two ints.
  static pool_window window(attributes const& a) {
    return detail::pool_window_of(a.kernel_size, a.stride, a.padding, {1}, "avg_pool2d");
  }
  //! @brief Sizes as `max_pool2d` with dilation 1.
  //! @throws as `max_pool2d`; value_error "divisor must be not zero" for a zero
  //! `divisor_override`.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    expect_floating_input(in[0], "avg_pool2d");
    if (a.divisor_override && *a.divisor_override == 0)
      throw value_error("avg_pool2d: divisor must be not zero");
    return {detail::pool_meta(in[0], window(a), a.ceil_mode, "avg_pool2d")};
  }
};

//! @brief `aten::adaptive_avg_pool2d`: averages over windows chosen so the output has
//! `output_size`: window `i` of `out` over `in` covers `[floor(i*in/out),
//! ceil((i+1)*in/out))`.
struct adaptive_avg_pool2d {
  static constexpr std::string_view name = "aten::adaptive_avg_pool2d"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;       //!< lowered to _adaptive_avg_pool2d
  static constexpr op_tag tags = op_tag::none;              //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::floating; //!< supported dtypes
  //! @brief The output's (height, width); may be symbolic.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::vector<SymInt>, output_size));
  };
  //! @brief `[N, C, H, W] -> [N, C, oh, ow]` (or without N).
  //! @throws value_error when `output_size` does not have 2 entries or one is negative;
  //! shape_error for a bad rank or an empty non-batch dimension; dtype_error for integers.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta const& x = in[0];
    if (a.output_size.size() != 2) {
      throw value_error("adaptive_avg_pool2d: output_size must be 2, but got "
                        + std::to_string(a.output_size.size()) + " values");
    }
    if (x.dim() != 3 && x.dim() != 4) {
      throw shape_error("adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                        + format_sym_sizes(x.sizes));
    }
    for (std::int64_t d = x.dim() - 3; d < x.dim(); ++d) {
      if (static_cast<bool>(x.sizes[static_cast<std::size_t>(d)] == 0)) {
        throw shape_error("adaptive_avg_pool2d(): Expected input to have non-zero size for "
                          "non-batch dimensions, but input has sizes "
                          + format_sym_sizes(x.sizes) + " with dimension " + std::to_string(d)
                          + " being empty");
      }
    }
    for (SymInt const& s : a.output_size) {
      if (static_cast<bool>(s < 0)) {
        throw value_error("adaptive_avg_pool2d: elements of output_size must be greater than or "
                          "equal to 0 but received "
                          + s.str());
      }
    }
    expect_floating_input(x, "adaptive_avg_pool2d");
    tensor_meta out = x;
    out.sizes[out.sizes.size() - 2] = a.output_size[0];
    out.sizes[out.sizes.size() - 1] = a.output_size[1];
    return {out};
  }
};

//! @brief Every pooling op.
using pool_ops = op_set<max_pool2d, max_pool2d_with_indices, avg_pool2d, adaptive_avg_pool2d>;

} // namespace xport::ops
