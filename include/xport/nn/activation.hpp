//! @file
//! Activation modules: `nn::ReLU`, `nn::GELU`, `nn::SiLU`, `nn::Tanh`, `nn::Sigmoid`
//! (PyTorch's, without state).
#pragma once

#include <xport/api/elementwise_unary.hpp>
#include <xport/core/error.hpp>
#include <xport/core/tensor.hpp>
#include <xport/nn/module.hpp>

#include <string>
#include <string_view>

namespace xport::nn {

//! @brief `max(x, 0)` elementwise (PyTorch's `nn.ReLU`).
class ReLU : public Module<ReLU> {
public:
  //! @brief `relu(input)`.
  Tensor forward(Tensor const& input) const { return relu(input); }
};

//! @brief The Gaussian error linear unit `x * Phi(x)`, exact or by PyTorch's tanh
//! approximation (PyTorch's `nn.GELU`).
//! @code
//! xport::nn::GELU exact;
//! xport::nn::GELU fast{"tanh"};
//! @endcode
class GELU : public Module<GELU> {
public:
  std::string approximate = "none"; //!< `"none"` (exact, with erf) or `"tanh"`

  //! @brief A GELU computed exactly (`"none"`) or by the tanh approximation (`"tanh"`).
  //! @throws value_error for any other `approximate_`.
  explicit GELU(std::string_view approximate_ = "none") : approximate(approximate_) {
    if (approximate != "none" && approximate != "tanh")
      throw value_error("approximate argument must be either none or tanh (got '" + approximate
                        + "')");
  }

  //! @brief `gelu(input, approximate)`.
  Tensor forward(Tensor const& input) const { return gelu(input, approximate); }
};

//! @brief `x * sigmoid(x)` elementwise (PyTorch's `nn.SiLU`).
class SiLU : public Module<SiLU> {
public:
  //! @brief `silu(input)`.
  Tensor forward(Tensor const& input) const { return silu(input); }
};

//! @brief `tanh(x)` elementwise (PyTorch's `nn.Tanh`).
class Tanh : public Module<Tanh> {
public:
  //! @brief `tanh(input)`.
  Tensor forward(Tensor const& input) const { return tanh(input); }
};

//! @brief `1 / (1 + exp(-x))` elementwise (PyTorch's `nn.Sigmoid`).
class Sigmoid : public Module<Sigmoid> {
public:
  //! @brief `sigmoid(input)`.
  Tensor forward(Tensor const& input) const { return sigmoid(input); }
};

} // namespace xport::nn
