// A two-layer perceptron from nn::Linear, run eagerly on a batch.
#include <xport/api/reduction.hpp>
#include <xport/core/print.hpp>
#include <xport/nn/layers.hpp>

#include <iostream>

//! [mlp]
struct MLP : xport::Module<MLP> {
  xport::nn::Linear fc1, fc2;

  // One generator draws every initial weight: the seed fixes the model.
  explicit MLP(xport::Generator& gen) : fc1(16, 32, gen), fc2(32, 4, gen) {}

  xport::Tensor forward(xport::Tensor const& x) const { return fc2(xport::relu(fc1(x))); }
};
BOOST_HANA_ADAPT_STRUCT(MLP, fc1, fc2);
//! [mlp]

int main() {
  xport::Generator gen{0};
  MLP model{gen};
  for (auto const& [name, tensor] : model.state_dict())
    std::cout << name << " " << xport::format_sizes(tensor.sizes()) << "\n";

  xport::Tensor const x = xport::randn({3, 16}, gen);
  xport::Tensor const logits = model(x);
  std::cout << "logits = " << logits << "\n";
  std::cout << "probabilities = " << xport::softmax(logits, 1) << "\n";
}
