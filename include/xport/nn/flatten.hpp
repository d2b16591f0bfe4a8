//! @file
//! `nn::Flatten`: merges a range of dimensions into one (PyTorch's `nn.Flatten`).
#pragma once

#include <xport/api/shape.hpp>
#include <xport/core/tensor.hpp>
#include <xport/nn/module.hpp>

#include <cstdint>

namespace xport::nn {

//! @brief Merges dimensions `start_dim` to `end_dim` into one (PyTorch's `nn.Flatten`,
//! which keeps the batch dimension by default): `[N, C, H, W] -> [N, C * H * W]`.
//! @code
//! xport::nn::Flatten flatten;            // dims 1..-1
//! xport::nn::Flatten all{0};             // dims 0..-1
//! @endcode
class Flatten : public Module<Flatten> {
public:
  std::int64_t start_dim = 1; //!< first dimension merged
  std::int64_t end_dim = -1;  //!< last dimension merged (negative counts from the end)

  //! @brief Merges dimensions `start_dim_` to `end_dim_`.
  explicit Flatten(std::int64_t start_dim_ = 1, std::int64_t end_dim_ = -1)
      : start_dim(start_dim_), end_dim(end_dim_) {}

  //! @brief `flatten(input, start_dim, end_dim)`.
  //! @throws index_error when a dimension is out of range for `input`.
  Tensor forward(Tensor const& input) const { return flatten(input, start_dim, end_dim); }
};

} // namespace xport::nn
