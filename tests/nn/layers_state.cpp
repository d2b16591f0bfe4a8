// The standard layers' state: PyTorch's state-dict names and shapes, default
// initialisation (bounds, statistics, determinism from the seed) and constructor checks.
#include <xport/nn/activation.hpp>
#include <xport/nn/attention.hpp>
#include <xport/nn/conv.hpp>
#include <xport/nn/dropout.hpp>
#include <xport/nn/embedding.hpp>
#include <xport/nn/linear.hpp>
#include <xport/nn/norm.hpp>
#include <xport/nn/sequential.hpp>
#include <xport/nn/transformer.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace {

using xport::Generator;
using xport::Tensor;
namespace nn_layers_state = xport::nn;

using shapes = std::vector<std::pair<std::string, std::vector<std::int64_t>>>;

template <class M>
shapes state_shapes(M const& module) {
  shapes out;
  for (auto const& [name, tensor] : module.state_dict())
    out.emplace_back(name, std::vector<std::int64_t>(tensor.sizes().begin(), tensor.sizes().end()));
  return out;
}

std::vector<double> values_layers_state(Tensor const& t) {
  Tensor const d = t.to(xport::dtype::float64).contiguous();
  return {d.data_ptr<double>(), d.data_ptr<double>() + d.numel()};
}

double max_abs(Tensor const& t) {
  double m = 0;
  for (double v : values_layers_state(t))
    m = std::max(m, std::abs(v));
  return m;
}

double average(Tensor const& t) {
  double s = 0;
  auto const v = values_layers_state(t);
  for (double x : v)
    s += x;
  return s / static_cast<double>(v.size());
}

double variance(Tensor const& t) {
  double const m = average(t);
  double s = 0;
  auto const v = values_layers_state(t);
  for (double x : v)
    s += (x - m) * (x - m);
  return s / static_cast<double>(v.size());
}

bool all_equal(Tensor const& t, double value) {
  for (double v : values_layers_state(t))
    if (v != value) return false;
  return true;
}

} // namespace

TEST_CASE("Linear: state dict, PyTorch's init bounds, determinism from the seed") {
  Generator gen{1};
  nn_layers_state::Linear fc{784, 128, gen};
  CHECK(state_shapes(fc) == shapes{{"weight", {128, 784}}, {"bias", {128}}});
  CHECK(fc.in_features == 784);
  CHECK(fc.out_features == 128);
  double const bound = 1.0 / 28.0;
  CHECK(max_abs(fc.weight) <= bound);
  CHECK(max_abs(fc.weight) > 0.98 * bound); // the whole range is used
  CHECK(max_abs(fc.bias) <= bound);
  // U(-b, b) has variance b^2 / 3
  CHECK(variance(fc.weight) == doctest::Approx(bound * bound / 3).epsilon(0.03));
  CHECK(std::abs(average(fc.weight)) < 0.01 * bound);

  Generator same{1};
  nn_layers_state::Linear again{784, 128, same};
  CHECK(values_layers_state(again.weight) == values_layers_state(fc.weight));
  CHECK(values_layers_state(again.bias) == values_layers_state(fc.bias));
  nn_layers_state::Linear next{784, 128, same};
  CHECK(values_layers_state(next.weight)
        != values_layers_state(fc.weight)); // the generator moved on

  nn_layers_state::Linear no_bias{4, 3, gen, {.bias = false}};
  CHECK(state_shapes(no_bias) == shapes{{"weight", {3, 4}}});
  CHECK(!no_bias.bias.defined());
  nn_layers_state::Linear doubles{4, 3, gen, {.dtype = xport::dtype::float64}};
  CHECK(doubles.weight.dtype() == xport::dtype::float64);
  CHECK(doubles.bias.dtype() == xport::dtype::float64);
}

TEST_CASE("Linear refuses non-positive sizes") {
  Generator gen;
  CHECK_THROWS_WITH_AS(nn_layers_state::Linear(0, 3, gen),
                       doctest::Contains("Linear: in_features must be positive, but got 0"),
                       xport::value_error);
  CHECK_THROWS_WITH_AS(nn_layers_state::Linear(3, -2, gen),
                       doctest::Contains("out_features must be positive, but got -2"),
                       xport::value_error);
}

TEST_CASE("Conv1d / Conv2d: state dict, init from fan_in, argument checks") {
  Generator gen{2};
  nn_layers_state::Conv2d conv{3, 16, 5, gen};
  CHECK(state_shapes(conv) == shapes{{"weight", {16, 3, 5, 5}}, {"bias", {16}}});
  double const bound = 1.0 / std::sqrt(75.0);
  CHECK(max_abs(conv.weight) <= bound);
  CHECK(max_abs(conv.weight) > 0.95 * bound);
  CHECK(max_abs(conv.bias) <= bound);

  nn_layers_state::Conv2d grouped{
      8, 4, {3, 1}, gen, {.stride = {2, 1}, .padding = "valid", .groups = 2, .bias = false}};
  CHECK(state_shapes(grouped) == shapes{{"weight", {4, 4, 3, 1}}});
  CHECK(max_abs(grouped.weight) <= 1.0 / std::sqrt(12.0));
  CHECK(grouped.options.stride == nn_layers_state::ntuple<2>(2, 1));
  CHECK(grouped.options.padding.str() == "valid");

  nn_layers_state::Conv1d conv1{4, 6, 3, gen, {.padding = "same", .dilation = 2}};
  CHECK(state_shapes(conv1) == shapes{{"weight", {6, 4, 3}}, {"bias", {6}}});
  CHECK(max_abs(conv1.weight) <= 1.0 / std::sqrt(12.0));
  CHECK(conv1.options.padding.str() == "same");

  CHECK_THROWS_WITH_AS(nn_layers_state::Conv2d(6, 4, 3, gen, {.groups = 4}),
                       doctest::Contains("in_channels must be divisible by groups"),
                       xport::value_error);
  CHECK_THROWS_WITH_AS(nn_layers_state::Conv2d(4, 6, 3, gen, {.groups = 4}),
                       doctest::Contains("out_channels must be divisible by groups"),
                       xport::value_error);
  CHECK_THROWS_WITH_AS(nn_layers_state::Conv2d(4, 4, 3, gen, {.groups = 0}),
                       doctest::Contains("groups must be a positive integer"), xport::value_error);
  CHECK_THROWS_WITH_AS(
      nn_layers_state::Conv2d(4, 4, 3, gen, {.stride = 2, .padding = "same"}),
      doctest::Contains("padding='same' is not supported for strided convolutions"),
      xport::value_error);
  CHECK_THROWS_WITH_AS(nn_layers_state::Conv2d(4, 4, 3, gen, {.padding = "full"}),
                       doctest::Contains("Invalid padding string 'full'"), xport::value_error);
  CHECK_THROWS_WITH_AS(nn_layers_state::Conv2d(4, 4, {3, 0}, gen),
                       doctest::Contains("Conv2d: kernel_size must be positive, but got (3, 0)"),
                       xport::value_error);
  CHECK_THROWS_WITH_AS(nn_layers_state::Conv1d(4, 4, 3, gen, {.padding = -1}),
                       doctest::Contains("padding must be non-negative"), xport::value_error);
  CHECK_THROWS_AS(nn_layers_state::Conv1d(0, 4, 3, gen), xport::value_error);
}

TEST_CASE("BatchNorm: parameters, buffers and their defaults") {
  nn_layers_state::BatchNorm2d bn{8};
  CHECK(state_shapes(bn)
        == shapes{{"weight", {8}},
                  {"bias", {8}},
                  {"running_mean", {8}},
                  {"running_var", {8}},
                  {"num_batches_tracked", {}}});
  CHECK(all_equal(bn.weight, 1));
  CHECK(all_equal(bn.bias, 0));
  CHECK(all_equal(bn.running_mean, 0));
  CHECK(all_equal(bn.running_var, 1));
  CHECK(bn.num_batches_tracked.dtype() == xport::dtype::int64);
  CHECK(bn.num_batches_tracked.item<std::int64_t>() == 0);
  CHECK(bn.named_parameters().size() == 2);
  CHECK(bn.named_buffers().size() == 3);

  nn_layers_state::BatchNorm1d plain{4, {.affine = false, .track_running_stats = false}};
  CHECK(state_shapes(plain).empty());
  nn_layers_state::BatchNorm1d stats_only{4, {.affine = false}};
  CHECK(state_shapes(stats_only)
        == shapes{{"running_mean", {4}}, {"running_var", {4}}, {"num_batches_tracked", {}}});
  CHECK_THROWS_WITH_AS(nn_layers_state::BatchNorm1d(0),
                       doctest::Contains("num_features must be positive"), xport::value_error);
}

TEST_CASE("LayerNorm and GroupNorm: ones and zeros, argument checks") {
  nn_layers_state::LayerNorm ln{{4, 6}};
  CHECK(state_shapes(ln) == shapes{{"weight", {4, 6}}, {"bias", {4, 6}}});
  CHECK(all_equal(ln.weight, 1));
  CHECK(all_equal(ln.bias, 0));
  nn_layers_state::LayerNorm no_bias{8, {.bias = false}};
  CHECK(state_shapes(no_bias) == shapes{{"weight", {8}}});
  nn_layers_state::LayerNorm bare{8, {.elementwise_affine = false}};
  CHECK(state_shapes(bare).empty());
  CHECK_THROWS_AS(nn_layers_state::LayerNorm(std::vector<std::int64_t>{}), xport::value_error);
  CHECK_THROWS_AS(nn_layers_state::LayerNorm(0), xport::value_error);

  nn_layers_state::GroupNorm gn{2, 6};
  CHECK(state_shapes(gn) == shapes{{"weight", {6}}, {"bias", {6}}});
  CHECK_THROWS_WITH_AS(nn_layers_state::GroupNorm(4, 6),
                       doctest::Contains("num_channels must be divisible by num_groups"),
                       xport::value_error);
}

TEST_CASE("Embedding: N(0, 1) with the padding row zeroed") {
  Generator gen{3};
  nn_layers_state::Embedding emb{100, 64, gen, {.padding_idx = -1}};
  CHECK(state_shapes(emb) == shapes{{"weight", {100, 64}}});
  CHECK(emb.padding_idx == 99);
  CHECK(all_equal(emb.weight.select(0, 99), 0));
  Tensor const others = emb.weight.slice(0, 0, 99);
  CHECK(average(others) == doctest::Approx(0).epsilon(0.05).scale(1));
  CHECK(variance(others) == doctest::Approx(1).epsilon(0.05));
  CHECK_THROWS_WITH_AS(nn_layers_state::Embedding(10, 4, gen, {.padding_idx = 10}),
                       doctest::Contains("Padding_idx must be within num_embeddings"),
                       xport::value_error);
  CHECK_THROWS_AS(nn_layers_state::Embedding(10, 4, gen, {.padding_idx = -11}), xport::value_error);
}

TEST_CASE("Dropout: probability checked; no state") {
  nn_layers_state::Dropout drop{0.25};
  CHECK(drop.p == 0.25);
  CHECK(drop.state_dict().size() == 0);
  CHECK_THROWS_WITH_AS(nn_layers_state::Dropout(1.5),
                       doctest::Contains("dropout probability has to be between 0 and 1"),
                       xport::value_error);
  CHECK_THROWS_AS(nn_layers_state::Dropout(-0.1), xport::value_error);
}

TEST_CASE("MultiheadAttention: PyTorch's names, xavier in_proj, zero biases") {
  Generator gen{4};
  nn_layers_state::MultiheadAttention attn{32, 4, gen};
  CHECK(state_shapes(attn)
        == shapes{{"in_proj_weight", {96, 32}},
                  {"in_proj_bias", {96}},
                  {"out_proj.weight", {32, 32}},
                  {"out_proj.bias", {32}}});
  CHECK(attn.head_dim == 8);
  double const xavier = std::sqrt(6.0 / (32 + 96));
  CHECK(max_abs(attn.in_proj_weight) <= xavier);
  CHECK(max_abs(attn.in_proj_weight) > 0.95 * xavier);
  CHECK(max_abs(attn.out_proj.weight) <= 1.0 / std::sqrt(32.0));
  CHECK(all_equal(attn.in_proj_bias, 0));
  CHECK(all_equal(attn.out_proj.bias, 0));

  nn_layers_state::MultiheadAttention no_bias{8, 2, gen, {.bias = false}};
  CHECK(state_shapes(no_bias) == shapes{{"in_proj_weight", {24, 8}}, {"out_proj.weight", {8, 8}}});

  CHECK_THROWS_WITH_AS(nn_layers_state::MultiheadAttention(30, 4, gen),
                       doctest::Contains("embed_dim must be divisible by num_heads"),
                       xport::value_error);
  CHECK_THROWS_AS(nn_layers_state::MultiheadAttention(32, 0, gen), xport::value_error);
  CHECK_THROWS_AS(nn_layers_state::MultiheadAttention(32, 4, gen, {.dropout = 2.0}),
                  xport::value_error);
}

TEST_CASE("TransformerEncoderLayer: the state dict PyTorch writes") {
  Generator gen{5};
  nn_layers_state::TransformerEncoderLayer layer{16, 4, gen, {.dim_feedforward = 32}};
  CHECK(state_shapes(layer)
        == shapes{{"self_attn.in_proj_weight", {48, 16}},
                  {"self_attn.in_proj_bias", {48}},
                  {"self_attn.out_proj.weight", {16, 16}},
                  {"self_attn.out_proj.bias", {16}},
                  {"linear1.weight", {32, 16}},
                  {"linear1.bias", {32}},
                  {"linear2.weight", {16, 32}},
                  {"linear2.bias", {16}},
                  {"norm1.weight", {16}},
                  {"norm1.bias", {16}},
                  {"norm2.weight", {16}},
                  {"norm2.bias", {16}}});
  std::vector<std::string> modules;
  for (auto const& entry : layer.named_modules())
    modules.push_back(entry.name);
  CHECK(modules
        == std::vector<std::string>{"", "self_attn", "self_attn.out_proj", "linear1", "dropout",
                                    "linear2", "norm1", "norm2", "dropout1", "dropout2"});
  CHECK(layer.dropout.p == 0.1);
  CHECK(max_abs(layer.linear2.weight) <= 1.0 / std::sqrt(32.0));

  // a state dict saved from one layer loads into another built from another seed
  Generator other{6};
  nn_layers_state::TransformerEncoderLayer copy{16, 4, other, {.dim_feedforward = 32}};
  CHECK(values_layers_state(copy.linear1.weight) != values_layers_state(layer.linear1.weight));
  copy.load_state_dict(layer.state_dict());
  CHECK(values_layers_state(copy.linear1.weight) == values_layers_state(layer.linear1.weight));
  CHECK(values_layers_state(copy.self_attn.in_proj_weight)
        == values_layers_state(layer.self_attn.in_proj_weight));

  CHECK_THROWS_WITH_AS(nn_layers_state::TransformerEncoderLayer(30, 4, gen),
                       doctest::Contains("embed_dim must be divisible by num_heads"),
                       xport::value_error);
  CHECK_THROWS_WITH_AS(
      nn_layers_state::TransformerEncoderLayer(16, 4, gen, {.activation = "swish"}),
      doctest::Contains("activation should be relu/gelu, not swish"), xport::value_error);
}

TEST_CASE("Layers in a Sequential are named by position, as in PyTorch") {
  Generator gen{7};
  nn_layers_state::Sequential model{nn_layers_state::Conv2d(1, 4, 3, gen),
                                    nn_layers_state::BatchNorm2d(4), nn_layers_state::ReLU{},
                                    nn_layers_state::Linear(4, 2, gen)};
  CHECK(state_shapes(model)
        == shapes{{"0.weight", {4, 1, 3, 3}},
                  {"0.bias", {4}},
                  {"1.weight", {4}},
                  {"1.bias", {4}},
                  {"1.running_mean", {4}},
                  {"1.running_var", {4}},
                  {"1.num_batches_tracked", {}},
                  {"3.weight", {2, 4}},
                  {"3.bias", {2}}});
  model.eval();
  CHECK(!model.get<1>().is_training());
}
