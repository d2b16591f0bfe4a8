// nn_layers_transformer::TransformerEncoderLayer forward against its blocks composed by hand.
#include <xport/api/elementwise.hpp>
#include <xport/api/shape.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/nn/transformer.hpp>

#include <doctest/doctest.h>

namespace {
namespace nn_layers_transformer = xport::nn;
using xport::Tensor;
constexpr xport::tolerance tight_layers_transformer{.rtol = 1e-4, .atol = 1e-5};

// The layer's definition, written out from its (separately tested) parts, in eval mode.
Tensor by_hand(nn_layers_transformer::TransformerEncoderLayer const& layer, Tensor const& x,
               Tensor const& mask = {}, Tensor const& padding = {}) {
  auto const attention = [&](Tensor const& h) {
    return layer.self_attn(h, h, h, padding, true, mask).output;
  };
  auto const feed_forward = [&](Tensor const& h) {
    Tensor const hidden = layer.linear1(h);
    return layer.linear2(layer.activation == nn_layers_transformer::transformer_activation::relu
                             ? xport::relu(hidden)
                             : xport::gelu(hidden));
  };
  if (layer.norm_first) {
    Tensor const h = x + attention(layer.norm1(x));
    return h + feed_forward(layer.norm2(h));
  }
  Tensor const h = layer.norm1(x + attention(x));
  return layer.norm2(h + feed_forward(h));
}

// LayerNorm parameters other than ones and zeros, so that they matter.
void perturb_norms(nn_layers_transformer::TransformerEncoderLayer& layer, xport::Generator& gen) {
  for (nn_layers_transformer::LayerNorm* norm : {&layer.norm1, &layer.norm2}) {
    norm->weight.copy_(xport::randn({norm->weight.size(0)}, gen) * 0.1 + 1.0);
    norm->bias.copy_(xport::randn({norm->bias.size(0)}, gen) * 0.1);
  }
}

} // namespace

TEST_CASE("TransformerEncoderLayer (post-norm, relu) equals its blocks composed") {
  xport::Generator gen{60};
  nn_layers_transformer::TransformerEncoderLayer layer{8, 2, gen, {.dim_feedforward = 16}};
  perturb_norms(layer, gen);
  layer.eval();
  Tensor const x = xport::randn({2, 5, 8}, gen);
  Tensor const y = layer(x);
  CHECK(y.size(0) == 2);
  CHECK(y.size(1) == 5);
  CHECK(y.size(2) == 8);
  CHECK(xport::allclose(y, by_hand(layer, x), tight_layers_transformer));

  Tensor const causal = xport::triu(xport::ones({5, 5}), 1).to(xport::dtype::bool_);
  Tensor const padding =
      xport::from({{false, false, false, false, false}, {false, false, false, true, true}});
  CHECK(xport::allclose(layer(x, causal, padding, true), by_hand(layer, x, causal, padding),
                        tight_layers_transformer));
}

TEST_CASE("TransformerEncoderLayer (pre-norm, gelu) equals its blocks composed") {
  xport::Generator gen{61};
  nn_layers_transformer::TransformerEncoderLayer layer{
      8, 4, gen, {.dim_feedforward = 12, .activation = "gelu", .norm_first = true}};
  perturb_norms(layer, gen);
  layer.eval();
  Tensor const x = xport::randn({3, 4, 8}, gen);
  CHECK(xport::allclose(layer(x), by_hand(layer, x), tight_layers_transformer));
}

TEST_CASE("TransformerEncoderLayer: dropout in training only; sequence-first inputs") {
  xport::Generator gen{62};
  nn_layers_transformer::TransformerEncoderLayer layer{
      8, 2, gen, {.dim_feedforward = 16, .dropout = 0.5}};
  Tensor const x = xport::randn({2, 5, 8}, gen);
  CHECK(layer.is_training());
  Tensor const trained = layer(x);
  layer.eval();
  CHECK(!layer.dropout1.is_training());
  Tensor const evaluated = layer(x);
  CHECK(!xport::allclose(trained, evaluated, tight_layers_transformer));
  CHECK(xport::allclose(evaluated, by_hand(layer, x), tight_layers_transformer));

  xport::Generator same{62};
  nn_layers_transformer::TransformerEncoderLayer seq_first{
      8, 2, same, {.dim_feedforward = 16, .dropout = 0.5, .batch_first = false}};
  seq_first.eval();
  Tensor const y = seq_first(xport::transpose(x, 0, 1)); // [5, 2, 8]
  CHECK(xport::allclose(xport::transpose(y, 0, 1), evaluated, tight_layers_transformer));
}
