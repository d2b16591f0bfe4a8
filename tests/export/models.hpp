// The example models (an MLP, a small CNN, a transformer encoder layer), shared by the
// export tests (and later decomposition and serialization tests).
#pragma once

#include <xport/api/elementwise.hpp>
#include <xport/nn/layers.hpp>

namespace models {

struct MLP : xport::Module<MLP> {
  BOOST_HANA_DEFINE_STRUCT(MLP, (xport::nn::Linear, fc1), (xport::nn::Linear, fc2),
                           (xport::nn::Linear, fc3));
  explicit MLP(xport::Generator& gen) : fc1(16, 32, gen), fc2(32, 32, gen), fc3(32, 4, gen) {}
  xport::Tensor forward(xport::Tensor const& x) const {
    return fc3(xport::relu(fc2(xport::gelu(fc1(x)))));
  }
};

inline auto make_cnn(xport::Generator& gen) {
  namespace nn = xport::nn;
  return nn::Sequential{nn::Conv2d(1, 4, 3, gen, {.padding = 1}),
                        nn::BatchNorm2d(4),
                        nn::ReLU{},
                        nn::MaxPool2d(2),
                        nn::Conv2d(4, 8, 3, gen, {.padding = 1}),
                        nn::BatchNorm2d(8),
                        nn::ReLU{},
                        nn::AdaptiveAvgPool2d(1),
                        nn::Flatten{},
                        nn::Linear(8, 10, gen)};
}

inline xport::nn::TransformerEncoderLayer make_transformer(xport::Generator& gen) {
  return xport::nn::TransformerEncoderLayer(16, 4, gen, {.dim_feedforward = 32});
}

} // namespace models
