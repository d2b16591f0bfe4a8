// One transformer encoder layer on [batch, seq, d_model], with a causal mask and key
// padding, run eagerly in evaluation mode.
#include <xport/api/shape.hpp>
#include <xport/core/print.hpp>
#include <xport/nn/layers.hpp>

#include <iostream>

int main() {
  xport::Generator gen{0};

  //! [transformer]
  xport::nn::TransformerEncoderLayer layer{32, 4, gen, {.dim_feedforward = 64}};
  layer.eval(); // dropout off

  xport::Tensor const x = xport::randn({2, 6, 32}, gen); // [batch, seq, d_model]
  // true = may not attend: each position sees itself and the positions before it
  xport::Tensor const causal = xport::triu(xport::ones({6, 6}), 1).to(xport::dtype::bool_);
  // the second sequence is 4 tokens long: its last 2 are padding
  xport::Tensor const padding = xport::from(
      {{false, false, false, false, false, false}, {false, false, false, false, true, true}});
  xport::Tensor const y = layer(x, causal, padding, /*is_causal=*/true);
  //! [transformer]

  for (auto const& [name, tensor] : layer.state_dict())
    std::cout << name << " " << xport::format_sizes(tensor.sizes()) << "\n";
  std::cout << "y " << xport::format_sizes(y.sizes()) << "\n";
  std::cout << "y[0, 0, :8] = " << y.select(0, 0).select(0, 0).slice(0, 0, 8) << "\n";
  std::cout << "y[1, 3, :8] = " << y.select(0, 1).select(0, 3).slice(0, 0, 8) << "\n";
}
