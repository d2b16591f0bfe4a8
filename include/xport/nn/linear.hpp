//! @file
//! `nn::Linear`: the affine layer `y = x W^T + b` (PyTorch's `nn.Linear`).
#pragma once

#include <xport/api/linalg.hpp>
#include <xport/core/dtype.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/core/tensor.hpp>
#include <xport/nn/detail/layer_args.hpp>
#include <xport/nn/init.hpp>
#include <xport/nn/module.hpp>

#include <cmath>
#include <cstdint>

namespace xport::nn {

//! @brief The keyword arguments of `Linear` (PyTorch's `bias=True, dtype=None`).
struct linear_options {
  bool bias = true;                    //!< learn an additive bias
  xport::dtype dtype = dtype::float32; //!< element type of the weights
};

//! @brief `y = x W^T + b` over the last dimension (PyTorch's `nn.Linear`).
//!
//! Shapes: input `[*, in_features]` -> output `[*, out_features]`. State: `weight`
//! `[out_features, in_features]` and, unless `bias = false`, `bias` `[out_features]`.
//!
//! Initialisation is PyTorch's: `weight` by `kaiming_uniform_(a = sqrt(5))`, which is
//! U(-1/sqrt(in_features), 1/sqrt(in_features)), and `bias` from the same range, drawn from
//! `gen` (weight first).
//! @code
//! xport::Generator gen{0};
//! xport::nn::Linear fc{784, 128, gen};                 // weight [128, 784], bias [128]
//! xport::nn::Linear head{128, 10, gen, {.bias = false}};
//! @endcode
class Linear : public Module<Linear> {
public:
  Parameter weight;              //!< `[out_features, in_features]`
  Parameter bias;                //!< `[out_features]`, or undefined without bias
  std::int64_t in_features = 0;  //!< size of each input sample
  std::int64_t out_features = 0; //!< size of each output sample

  //! @brief A layer mapping `in_features` to `out_features`, initialised from `gen`.
  //! @throws value_error when `in_features` or `out_features` is not positive.
  Linear(std::int64_t in_features_, std::int64_t out_features_, Generator& gen,
         linear_options options = {})
      : in_features(in_features_), out_features(out_features_) {
    detail::expect_positive("Linear", "in_features", in_features);
    detail::expect_positive("Linear", "out_features", out_features);
    weight = empty({out_features, in_features}, {options.dtype});
    init::kaiming_uniform_(weight, gen, std::sqrt(5.0));
    if (options.bias) {
      bias = empty({out_features}, {options.dtype});
      double const bound = 1.0 / std::sqrt(static_cast<double>(in_features));
      init::uniform_(bias, gen, -bound, bound);
    }
  }

  //! @brief `linear(input, weight, bias)`: `[*, in_features] -> [*, out_features]`.
  //! @throws shape_error when the last dimension of `input` is not `in_features`.
  Tensor forward(Tensor const& input) const { return linear(input, weight, bias); }
};

} // namespace xport::nn

//! @cond INTERNAL
// Reflection: the tensors and sub-modules, in PyTorch's state-dict order.
BOOST_HANA_ADAPT_STRUCT(xport::nn::Linear, weight, bias);
//! @endcond
