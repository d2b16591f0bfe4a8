//! @file
//! Normalization op node types: batch norm (training, eval, and without running
//! statistics, in the functional form torch.export records), layer norm and group norm.
#pragma once

#include <xport/core/dtype.hpp>
#include <xport/ops/op.hpp>
#include <xport/ops/op_set.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xport::ops {

namespace detail {

// The dtype statistics are computed and saved in: float32 for the half types, the
// input's dtype otherwise (PyTorch's opmath type).
inline dtype norm_stat_dtype(dtype input) {
  return input == dtype::float16 || input == dtype::bfloat16 ? dtype::float32 : input;
}

inline void check_norm_input(tensor_meta const& input, std::string_view op) {
  if (!is_floating_point(input.dtype)) {
    throw dtype_error("\"" + std::string(op) + "\" not implemented for '"
                      + std::string(name(input.dtype))
                      + "'; normalization needs a floating-point input, convert it with .to()");
  }
}

// Weights, biases and running statistics share the input's dtype, or are float32 for a
// half-precision input (PyTorch's mixed-dtype CPU path).
inline void check_norm_parameter(tensor_meta const& param, tensor_meta const& input,
                                 std::string_view op, std::string_view what) {
  if (!param.defined) return;
  bool const mixed_ok =
      norm_stat_dtype(input.dtype) != input.dtype && param.dtype == dtype::float32;
  if (param.dtype != input.dtype && !mixed_ok) {
    throw dtype_error(std::string(op) + ": expected " + std::string(what) + " to have dtype "
                      + torch_name(input.dtype) + " (the input's)"
                      + (norm_stat_dtype(input.dtype) != input.dtype ? " or torch.float32" : "")
                      + ", but got " + torch_name(param.dtype));
  }
  if (param.device != input.device) {
    throw device_error(std::string(op)
                       + ": Expected all tensors to be on the same device, but found at least "
                         "two devices, "
                       + input.device.str() + " and " + param.device.str() + " (for "
                       + std::string(what) + "); move them with .to(device)");
  }
}

// A per-channel tensor of batch norm must hold C elements: "weight should contain 3
// elements not 4", as PyTorch words it.
inline void check_channel_vector(tensor_meta const& param, SymInt const& channels,
                                 std::string_view what) {
  if (!param.defined) return;
  if (!static_cast<bool>(channels == param.numel())) {
    throw shape_error(std::string(what) + " should contain " + channels.str() + " elements not "
                      + param.numel().str() + " (input channels, size(1), is " + channels.str()
                      + ")");
  }
}

// Checks the inputs [input, weight, bias, (running_mean, running_var)] of a batch norm op
// and returns the metas of (out, save_mean, save_rstd).
inline meta_list batch_norm_meta(std::span<tensor_meta const> in, bool training,
                                 std::string_view op) {
  tensor_meta const& input = in[0];
  if (input.dim() < 2) {
    throw shape_error(std::string(op)
                      + ": expected an input of shape (N, C, *) with at least 2 dimensions, but "
                        "got a tensor of size "
                      + format_sym_sizes(input.sizes));
  }
  check_norm_input(input, op);
  SymInt const channels = input.sizes[1];
  static constexpr std::string_view names[] = {"weight", "bias", "running_mean", "running_var"};
  for (std::size_t i = 1; i < in.size(); ++i) {
    check_norm_parameter(in[i], input, op, names[i - 1]);
    check_channel_vector(in[i], channels, names[i - 1]);
  }
  if (training) {
    SymInt values_per_channel = input.sizes[0];
    for (std::size_t d = 2; d < input.sizes.size(); ++d)
      values_per_channel = values_per_channel * input.sizes[d];
    if (static_cast<bool>(values_per_channel == 1)) {
      throw value_error("Expected more than 1 value per channel when training, got input size "
                        + format_sym_sizes(input.sizes));
    }
  }
  // PyTorch's CPU kernels save the statistics in the input's dtype, CUDA's in the opmath
  // dtype (float32 for the half types); and CPU saves none in eval mode (empty tensors),
  // where CUDA saves the running statistics.
  dtype const stat = input.device.is_cpu() ? input.dtype : norm_stat_dtype(input.dtype);
  SymInt const saved = training || !input.device.is_cpu() ? channels : SymInt(0);
  tensor_meta const save{stat, input.device, {saved}};
  return {tensor_meta{input.dtype, input.device, input.sizes}, save, save};
}

} // namespace detail

//! @brief `aten::_native_batch_norm_legit_functional`: batch norm that returns the
//! updated running statistics instead of writing them (what torch.export records for
//! `F.batch_norm` in training).
//!
//! Inputs `(input (N, C, *), weight?, bias?, running_mean (C), running_var (C))`; outputs
//! `(out, save_mean, save_rstd, new_running_mean, new_running_var)`. In training, the
//! batch mean and biased variance over every dimension but 1 normalize
//! (`save_rstd = 1 / sqrt(var + eps)`), and `new_running = (1 - momentum) * running +
//! momentum * batch` with the unbiased variance. Out of training it normalizes with the
//! running statistics and returns them unchanged.
struct batch_norm_functional {
  static constexpr std::string_view name = "aten::_native_batch_norm_legit_functional"; //!< ATen
  static constexpr op_kind kind = op_kind::core;            //!< in the core set
  static constexpr op_tag tags = op_tag::none;              //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::floating; //!< supported dtypes
  static constexpr bool optional_inputs = true; //!< weight, bias and running stats may be absent
  //! @brief Batch or running statistics, the running average's weight, the epsilon
  //! added to the variance.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (bool, training), (double, momentum), (double, eps));
  };
  //! @brief Out like the input; saved statistics (C) in float32 for half inputs (0
  //! elements on CPU out of training); running statistics like the given ones.
  //! @throws shape_error for rank < 2 or per-channel tensors without C elements,
  //! value_error for one value per channel in training, dtype_error for non-float input.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    expect_inputs(in, 5, name);
    if (!in[3].defined || !in[4].defined) {
      throw value_error(std::string(name)
                        + ": running_mean and running_var are required; use "
                          "_native_batch_norm_legit.no_stats without running statistics");
    }
    meta_list out = detail::batch_norm_meta(in, a.training, "batch_norm");
    out.push_back(in[3]);
    out.push_back(in[4]);
    return out;
  }
};

//! @brief `aten::_native_batch_norm_legit_no_training`: eval-mode batch norm,
//! `(x - running_mean) / sqrt(running_var + eps) * weight + bias` per channel.
//!
//! Inputs `(input (N, C, *), weight?, bias?, running_mean (C), running_var (C))`; outputs
//! `(out, save_mean, save_rstd)` (the saved statistics are empty on CPU, as in PyTorch).
struct batch_norm_no_training {
  static constexpr std::string_view name = "aten::_native_batch_norm_legit_no_training"; //!< ATen
  static constexpr op_kind kind = op_kind::core;            //!< in the core set
  static constexpr op_tag tags = op_tag::none;              //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::floating; //!< supported dtypes
  static constexpr bool optional_inputs = true; //!< weight, bias and running stats may be absent
  //! @brief `momentum` is unused (kept for the schema); `eps` is added to the variance.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (double, momentum), (double, eps));
  };
  //! @brief As `batch_norm_functional` out of training, without the running outputs.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    expect_inputs(in, 5, name);
    if (!in[3].defined || !in[4].defined) {
      throw value_error("batch_norm: running_mean and running_var must be defined in "
                        "evaluation mode (or pass training=true to use batch statistics)");
    }
    return detail::batch_norm_meta(in, false, "batch_norm");
  }
};

//! @brief `aten::_native_batch_norm_legit.no_stats`: batch norm without running
//! statistics (`track_running_stats=False`): always normalizes with batch statistics.
//!
//! Inputs `(input (N, C, *), weight?, bias?)`; outputs `(out, save_mean, save_rstd)`.
struct batch_norm_no_stats {
  static constexpr std::string_view name = "aten::_native_batch_norm_legit.no_stats"; //!< ATen
  static constexpr op_kind kind = op_kind::core;            //!< in the core set
  static constexpr op_tag tags = op_tag::none;              //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::floating; //!< supported dtypes
  static constexpr bool optional_inputs = true;             //!< weight and bias may be absent
  //! @brief `training` is kept for the schema (batch statistics are used either way).
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (bool, training), (double, momentum), (double, eps));
  };
  //! @brief As `batch_norm_functional` in training, without the running outputs.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    expect_inputs(in, 3, name);
    return detail::batch_norm_meta(in, true, "batch_norm");
  }
};

//! @brief `aten::layer_norm`: normalizes over the trailing `normalized_shape`
//! dimensions (biased variance), then applies the elementwise affine `weight`, `bias`.
//!
//! Inputs `(input (*, normalized_shape), weight? (normalized_shape), bias?
//! (normalized_shape))`; output like the input.
struct layer_norm {
  static constexpr std::string_view name = "aten::layer_norm"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;          //!< decomposed later
  static constexpr op_tag tags = op_tag::none;                 //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::floating;    //!< supported dtypes
  static constexpr bool optional_inputs = true;                //!< weight and bias may be absent
  //! @brief The normalized trailing sizes, the epsilon, and PyTorch's (unused) cuDNN flag.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::vector<SymInt>, normalized_shape), (double, eps),
                             (bool, cudnn_enable));
  };
  //! @brief The trailing input sizes must equal `normalized_shape` (deciding a symbolic
  //! size guards `Eq(s0, 4)`): `x: f32[s0, s1, 4]`, `normalized_shape=[4]` ->
  //! `f32[s0, s1, 4]`.
  //! @throws shape_error "Given normalized_shape=[4], expected input with shape [*, 4], but
  //! got input of size[2, 3]", or for weight/bias of another shape.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    expect_inputs(in, 3, name);
    tensor_meta const& input = in[0];
    std::vector<SymInt> const& shape = a.normalized_shape;
    if (shape.empty()) {
      throw shape_error("Expected normalized_shape to be at least 1-dimensional, i.e., "
                        "containing at least one element, but got normalized_shape = []");
    }
    detail::check_norm_input(input, "layer_norm");
    std::size_t const k = shape.size();
    bool matches = input.sizes.size() >= k;
    for (std::size_t i = 0; matches && i < k; ++i)
      matches = static_cast<bool>(input.sizes[input.sizes.size() - k + i] == shape[i]);
    if (!matches) {
      std::string expected = "[*";
      for (SymInt const& s : shape)
        expected += ", " + s.str();
      throw shape_error("Given normalized_shape=" + format_sym_sizes(shape)
                        + ", expected input with shape " + expected + "], but got input of size"
                        + format_sym_sizes(input.sizes));
    }
    static constexpr std::string_view names[] = {"weight", "bias"};
    for (std::size_t i = 1; i < 3; ++i) {
      tensor_meta const& param = in[i];
      detail::check_norm_parameter(param, input, "layer_norm", names[i - 1]);
      if (!param.defined) continue;
      bool same = param.sizes.size() == k;
      for (std::size_t d = 0; same && d < k; ++d)
        same = static_cast<bool>(param.sizes[d] == shape[d]);
      if (!same) {
        throw shape_error("Expected " + std::string(names[i - 1])
                          + " to be of same shape as normalized_shape, but got "
                          + std::string(names[i - 1]) + " of shape " + format_sym_sizes(param.sizes)
                          + " and normalized_shape = " + format_sym_sizes(shape));
      }
    }
    return {tensor_meta{input.dtype, input.device, input.sizes}};
  }
};

//! @brief `aten::group_norm`: splits the C channels into `num_groups` groups and
//! normalizes each (sample, group) over its channels and spatial positions (biased
//! variance), then applies the per-channel affine `weight`, `bias`.
//!
//! Inputs `(input (N, C, *), weight? (C), bias? (C))`; output like the input.
struct group_norm {
  static constexpr std::string_view name = "aten::group_norm"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;          //!< decomposed later
  static constexpr op_tag tags = op_tag::none;                 //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::floating;    //!< supported dtypes
  static constexpr bool optional_inputs = true;                //!< weight and bias may be absent
  //! @brief The number of groups, the epsilon, and PyTorch's (unused) cuDNN flag.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, num_groups), (double, eps),
                             (bool, cudnn_enabled));
  };
  //! @brief C must be divisible by `num_groups` (a symbolic C guards
  //! `Eq(Mod(s0, 2), 0)`): `x: f32[s0, 6, s1]`, `num_groups=3` -> `f32[s0, 6, s1]`.
  //! @throws shape_error "Expected number of channels in input to be divisible by
  //! num_groups, but got input of shape [2, 6] and num_groups=4", or for weight/bias
  //! without C elements; value_error for num_groups <= 0.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    expect_inputs(in, 3, name);
    tensor_meta const& input = in[0];
    if (input.dim() < 2) {
      throw shape_error("group_norm: expected an input of shape (N, C, *) with at least 2 "
                        "dimensions, but got a tensor of size "
                        + format_sym_sizes(input.sizes));
    }
    detail::check_norm_input(input, "group_norm");
    if (a.num_groups <= 0) {
      throw value_error("group_norm: num_groups must be positive, but got num_groups="
                        + std::to_string(a.num_groups));
    }
    SymInt const channels = input.sizes[1];
    if (!static_cast<bool>(mod(channels, a.num_groups) == 0)) {
      throw shape_error("Expected number of channels in input to be divisible by num_groups, "
                        "but got input of shape "
                        + format_sym_sizes(input.sizes)
                        + " and num_groups=" + std::to_string(a.num_groups));
    }
    static constexpr std::string_view names[] = {"weight", "bias"};
    for (std::size_t i = 1; i < 3; ++i) {
      tensor_meta const& param = in[i];
      detail::check_norm_parameter(param, input, "group_norm", names[i - 1]);
      if (!param.defined) continue;
      if (param.dim() != 1 || !static_cast<bool>(param.sizes[0] == channels)) {
        throw shape_error("Expected " + std::string(names[i - 1])
                          + " to be a vector of size equal to the number of channels in input, "
                            "but got "
                          + std::string(names[i - 1]) + " of shape " + format_sym_sizes(param.sizes)
                          + " and input of shape " + format_sym_sizes(input.sizes));
      }
    }
    return {tensor_meta{input.dtype, input.device, input.sizes}};
  }
};

//! @brief Every normalization op.
using norm_ops = op_set<batch_norm_functional, batch_norm_no_training, batch_norm_no_stats,
                        layer_norm, group_norm>;

} // namespace xport::ops
