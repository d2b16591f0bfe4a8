//! @file
//! Normalisation layers: `nn::BatchNorm1d`, `nn::BatchNorm2d`, `nn::LayerNorm`,
//! `nn::GroupNorm` (PyTorch's).
#pragma once

#include <xport/api/elementwise_inplace.hpp>
#include <xport/api/norm.hpp>
#include <xport/core/dtype.hpp>
#include <xport/core/error.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/tensor.hpp>
#include <xport/nn/detail/layer_args.hpp>
#include <xport/nn/module.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xport::nn {

//! @brief The keyword arguments of `BatchNorm1d` / `BatchNorm2d` (PyTorch's `eps=1e-5,
//! momentum=0.1, affine=True, track_running_stats=True, dtype=None`).
struct batch_norm_options {
  double eps = 1e-5; //!< added to the variance for numerical stability
  //! factor of the running-statistics update; empty means a cumulative average
  //! (PyTorch's `momentum=None`)
  std::optional<double> momentum = 0.1;
  bool affine = true;                  //!< learn `weight` and `bias`
  bool track_running_stats = true;     //!< keep `running_mean`, `running_var`
  xport::dtype dtype = dtype::float32; //!< element type of the parameters and statistics
};

} // namespace xport::nn

namespace xport::detail {

// The state of BatchNorm1d/2d, which differ only in the input ranks they accept.
template <class Derived>
class batch_norm_base : public Module<Derived> {
public:
  Parameter weight;               //!< `[num_features]`, ones (undefined unless `affine`)
  Parameter bias;                 //!< `[num_features]`, zeros (undefined unless `affine`)
  Buffer running_mean;            //!< `[num_features]`, zeros (with `track_running_stats`)
  Buffer running_var;             //!< `[num_features]`, ones (with `track_running_stats`)
  Buffer num_batches_tracked;     //!< int64 scalar, 0 (with `track_running_stats`)
  std::int64_t num_features = 0;  //!< channels `C` of the input
  nn::batch_norm_options options; //!< eps, momentum, affine, track_running_stats

  //! @brief Normalises each channel (dimension 1) of `input`.
  //!
  //! In training mode, by the batch's mean and biased variance; the running statistics
  //! (if tracked) move towards the batch's (unbiased variance) by `momentum`, or by
  //! `1 / num_batches_tracked` when `momentum` is empty, and `num_batches_tracked` counts
  //! the call. In evaluation mode, by the running statistics; without them, by the batch's.
  //! @throws shape_error for an input of a rank the layer does not take or without
  //! `num_features` channels; value_error for a single value per channel in training.
  Tensor forward(Tensor const& input) const {
    Derived::check_input_dim(input);
    bool const training = this->is_training();
    double factor = options.momentum.value_or(0.0);
    if (training && options.track_running_stats) {
      add_(num_batches_tracked, 1);
      // momentum=None: a cumulative average, the counter read back as PyTorch does
      if (!options.momentum)
        factor = 1.0 / static_cast<double>(num_batches_tracked.template item<std::int64_t>());
    }
    // without running statistics, even evaluation normalises by the batch's
    bool const batch_statistics = training || !running_mean.defined();
    return batch_norm(input, running_mean, running_var, weight, bias, batch_statistics, factor,
                      options.eps);
  }

protected:
  batch_norm_base(char const* name, std::int64_t num_features_, nn::batch_norm_options options_)
      : num_features(num_features_), options(options_) {
    expect_positive(name, "num_features", num_features);
    if (!(options.eps >= 0.0))
      throw value_error(std::string(name) + ": eps must be non-negative, but got "
                        + std::to_string(options.eps));
    if (options.affine) {
      weight = ones({num_features}, {options.dtype});
      bias = zeros({num_features}, {options.dtype});
    }
    if (options.track_running_stats) {
      running_mean = zeros({num_features}, {options.dtype});
      running_var = ones({num_features}, {options.dtype});
      num_batches_tracked = zeros({}, {dtype::int64});
    }
  }
};

} // namespace xport::detail

namespace xport::nn {

//! @brief Batch normalisation over `[N, C]` or `[N, C, L]` inputs (PyTorch's
//! `nn.BatchNorm1d`).
//!
//! State, in state-dict order: `weight`, `bias` (with `affine`), `running_mean`,
//! `running_var`, `num_batches_tracked` (with `track_running_stats`).
//! @code
//! xport::nn::BatchNorm1d bn{64};
//! xport::nn::BatchNorm1d plain{64, {.affine = false, .track_running_stats = false}};
//! @endcode
class BatchNorm1d : public detail::batch_norm_base<BatchNorm1d> {
public:
  //! @brief Normalises `num_features` channels.
  //! @throws value_error when `num_features` is not positive or `eps` is negative.
  explicit BatchNorm1d(std::int64_t num_features_, batch_norm_options options_ = {})
      : batch_norm_base("BatchNorm1d", num_features_, options_) {}

  //! @brief PyTorch's check: 2D or 3D input.
  //! @throws shape_error for another rank.
  static void check_input_dim(Tensor const& input) {
    if (input.dim() != 2 && input.dim() != 3)
      throw shape_error("BatchNorm1d: expected 2D or 3D input (got " + std::to_string(input.dim())
                        + "D input of size " + format_sizes(input.sizes()) + ")");
  }
};

//! @brief Batch normalisation over `[N, C, H, W]` inputs (PyTorch's `nn.BatchNorm2d`).
//!
//! State as in `BatchNorm1d`.
class BatchNorm2d : public detail::batch_norm_base<BatchNorm2d> {
public:
  //! @brief Normalises `num_features` channels.
  //! @throws value_error when `num_features` is not positive or `eps` is negative.
  explicit BatchNorm2d(std::int64_t num_features_, batch_norm_options options_ = {})
      : batch_norm_base("BatchNorm2d", num_features_, options_) {}

  //! @brief PyTorch's check: 4D input.
  //! @throws shape_error for another rank.
  static void check_input_dim(Tensor const& input) {
    if (input.dim() != 4)
      throw shape_error("BatchNorm2d: expected 4D input (got " + std::to_string(input.dim())
                        + "D input of size " + format_sizes(input.sizes()) + ")");
  }
};

//! @brief The keyword arguments of `LayerNorm` (PyTorch's `eps=1e-5,
//! elementwise_affine=True, bias=True, dtype=None`).
struct layer_norm_options {
  double eps = 1e-5;                   //!< added to the variance for numerical stability
  bool elementwise_affine = true;      //!< learn `weight` (and `bias`)
  bool bias = true;                    //!< learn `bias` (with `elementwise_affine`)
  xport::dtype dtype = dtype::float32; //!< element type of the parameters
};

//! @brief Normalises over the last `normalized_shape.size()` dimensions (PyTorch's
//! `nn.LayerNorm`).
//!
//! State: `weight` (ones) and `bias` (zeros), both of `normalized_shape`.
//! @code
//! xport::nn::LayerNorm norm{512};
//! xport::nn::LayerNorm norm2{{8, 16}, {.eps = 1e-6}};
//! @endcode
class LayerNorm : public Module<LayerNorm> {
public:
  Parameter weight;                           //!< `normalized_shape`, ones
  Parameter bias;                             //!< `normalized_shape`, zeros
  std::vector<std::int64_t> normalized_shape; //!< the trailing sizes normalised over
  layer_norm_options options;                 //!< eps, elementwise_affine, bias

  //! @brief Normalises over the trailing dimensions of sizes `normalized_shape_`.
  //! @throws value_error when `normalized_shape_` is empty or has a non-positive size.
  explicit LayerNorm(std::vector<std::int64_t> normalized_shape_, layer_norm_options options_ = {})
      : normalized_shape(std::move(normalized_shape_)), options(options_) {
    if (normalized_shape.empty())
      throw value_error("LayerNorm: normalized_shape must have at least one dimension");
    for (std::int64_t const size : normalized_shape)
      detail::expect_positive("LayerNorm", "each size of normalized_shape", size);
    if (options.elementwise_affine) {
      weight = ones(normalized_shape, {options.dtype});
      if (options.bias) bias = zeros(normalized_shape, {options.dtype});
    }
  }

  //! @brief Normalises over the last dimension, of size `size`.
  explicit LayerNorm(std::int64_t size, layer_norm_options options_ = {})
      : LayerNorm(std::vector<std::int64_t>{size}, options_) {}

  //! @brief `layer_norm(input, normalized_shape, weight, bias, eps)`: `[*, normalized_shape]`
  //! -> same.
  //! @throws shape_error when the trailing sizes of `input` are not `normalized_shape`.
  Tensor forward(Tensor const& input) const {
    std::vector<SymInt> const shape(normalized_shape.begin(), normalized_shape.end());
    return layer_norm(input, shape, weight, bias, options.eps);
  }
};

//! @brief The keyword arguments of `GroupNorm` (PyTorch's `eps=1e-5, affine=True,
//! dtype=None`).
struct group_norm_options {
  double eps = 1e-5;                   //!< added to the variance for numerical stability
  bool affine = true;                  //!< learn per-channel `weight` and `bias`
  xport::dtype dtype = dtype::float32; //!< element type of the parameters
};

//! @brief Normalises `[N, C, *]` inputs over groups of `C / num_groups` channels (PyTorch's
//! `nn.GroupNorm`).
//!
//! State: `weight` (ones) and `bias` (zeros), both `[num_channels]`.
class GroupNorm : public Module<GroupNorm> {
public:
  Parameter weight;              //!< `[num_channels]`, ones (with `affine`)
  Parameter bias;                //!< `[num_channels]`, zeros (with `affine`)
  std::int64_t num_groups = 0;   //!< groups the channels are split into
  std::int64_t num_channels = 0; //!< channels `C` of the input
  group_norm_options options;    //!< eps, affine

  //! @brief Normalises `num_channels` channels in `num_groups` groups.
  //! @throws value_error when a count is not positive or `num_channels` is not divisible by
  //! `num_groups`.
  GroupNorm(std::int64_t num_groups_, std::int64_t num_channels_, group_norm_options options_ = {})
      : num_groups(num_groups_), num_channels(num_channels_), options(options_) {
    detail::expect_positive("GroupNorm", "num_groups", num_groups);
    detail::expect_positive("GroupNorm", "num_channels", num_channels);
    if (num_channels % num_groups != 0)
      throw value_error("num_channels must be divisible by num_groups (num_channels="
                        + std::to_string(num_channels)
                        + ", num_groups=" + std::to_string(num_groups) + ")");
    if (options.affine) {
      weight = ones({num_channels}, {options.dtype});
      bias = zeros({num_channels}, {options.dtype});
    }
  }

  //! @brief `group_norm(input, num_groups, weight, bias, eps)`: `[N, C, *]` -> same.
  //! @throws shape_error when the input's channels are not `num_channels`.
  Tensor forward(Tensor const& input) const {
    if (input.dim() < 2 || input.sym_size(1) != num_channels)
      throw shape_error("GroupNorm: expected input of shape [N, " + std::to_string(num_channels)
                        + ", *], but got input of size " + format_sizes(input.sizes()));
    return group_norm(input, num_groups, weight, bias, options.eps);
  }
};

} // namespace xport::nn

//! @cond INTERNAL
// Reflection: the tensors and sub-modules, in PyTorch's state-dict order.
BOOST_HANA_ADAPT_STRUCT(xport::nn::BatchNorm1d, weight, bias, running_mean, running_var,
                        num_batches_tracked);
BOOST_HANA_ADAPT_STRUCT(xport::nn::BatchNorm2d, weight, bias, running_mean, running_var,
                        num_batches_tracked);
BOOST_HANA_ADAPT_STRUCT(xport::nn::LayerNorm, weight, bias);
BOOST_HANA_ADAPT_STRUCT(xport::nn::GroupNorm, weight, bias);
//! @endcond
