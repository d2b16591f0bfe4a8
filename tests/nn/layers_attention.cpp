// nn_layers_attention::MultiheadAttention forward against a per-head loop
// reference_layers_attention in double precision.
#include <xport/api/shape.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/nn/attention.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

namespace {
namespace nn_layers_attention = xport::nn;
using xport::Tensor;
constexpr xport::tolerance tight_layers_attention{.rtol = 1e-4, .atol = 1e-5};
constexpr double inf = std::numeric_limits<double>::infinity();

std::vector<double> values_layers_attention(Tensor const& t) {
  Tensor const d = t.to(xport::dtype::float64).contiguous();
  return {d.data_ptr<double>(), d.data_ptr<double>() + d.numel()};
}

Tensor tensor(std::vector<double> const& v, std::vector<std::int64_t> const& sizes) {
  return xport::from(v, sizes).to(xport::dtype::float32);
}

// mask(b, h, i, j): added to the score of query i and key j (−inf blocks).
using mask_fn = std::function<double(std::int64_t, std::int64_t, std::int64_t, std::int64_t)>;

struct reference_layers_attention {
  Tensor output;  // [B, L, E]
  Tensor weights; // [B, H, L, S]
};

// Batch-first attention, every product spelled out.
reference_layers_attention attend(nn_layers_attention::MultiheadAttention const& m,
                                  Tensor const& query, Tensor const& key, Tensor const& value,
                                  mask_fn const& mask = {}) {
  std::int64_t const B = query.size(0), L = query.size(1), S = key.size(1), E = m.embed_dim,
                     H = m.num_heads, D = m.head_dim;
  auto const w = values_layers_attention(m.in_proj_weight),
             ow = values_layers_attention(m.out_proj.weight);
  auto const b = m.in_proj_bias.defined() ? values_layers_attention(m.in_proj_bias)
                                          : std::vector<double>(static_cast<std::size_t>(3 * E));
  auto const ob = m.out_proj.bias.defined() ? values_layers_attention(m.out_proj.bias)
                                            : std::vector<double>(static_cast<std::size_t>(E));
  auto const project = [&](Tensor const& x, std::int64_t part) {
    auto const xv = values_layers_attention(x);
    std::int64_t const rows = x.numel() / E;
    std::vector<double> out(static_cast<std::size_t>(rows * E));
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t o = 0; o < E; ++o) {
        double s = b[static_cast<std::size_t>(part * E + o)];
        for (std::int64_t i = 0; i < E; ++i)
          s += xv[static_cast<std::size_t>(r * E + i)]
               * w[static_cast<std::size_t>((part * E + o) * E + i)];
        out[static_cast<std::size_t>(r * E + o)] = s;
      }
    return out;
  };
  auto const q = project(query, 0), k = project(key, 1), v = project(value, 2);
  auto at = [](std::vector<double> const& t, std::int64_t row, std::int64_t col,
               std::int64_t width) { return t[static_cast<std::size_t>(row * width + col)]; };
  std::vector<double> weights(static_cast<std::size_t>(B * H * L * S)),
      heads(static_cast<std::size_t>(B * L * E));
  for (std::int64_t bb = 0; bb < B; ++bb)
    for (std::int64_t h = 0; h < H; ++h)
      for (std::int64_t i = 0; i < L; ++i) {
        std::vector<double> score(static_cast<std::size_t>(S));
        double top = -inf;
        for (std::int64_t j = 0; j < S; ++j) {
          double s = 0;
          for (std::int64_t d = 0; d < D; ++d)
            s += at(q, bb * L + i, h * D + d, E) * at(k, bb * S + j, h * D + d, E);
          s = s / std::sqrt(double(D)) + (mask ? mask(bb, h, i, j) : 0.0);
          score[static_cast<std::size_t>(j)] = s;
          top = std::max(top, s);
        }
        double total = 0;
        for (double& s : score)
          total += (s = std::exp(s - top));
        for (std::int64_t j = 0; j < S; ++j) {
          double const p = score[static_cast<std::size_t>(j)] / total;
          weights[static_cast<std::size_t>(((bb * H + h) * L + i) * S + j)] = p;
          for (std::int64_t d = 0; d < D; ++d)
            heads[static_cast<std::size_t>((bb * L + i) * E + h * D + d)] +=
                p * at(v, bb * S + j, h * D + d, E);
        }
      }
  std::vector<double> out(static_cast<std::size_t>(B * L * E));
  for (std::int64_t r = 0; r < B * L; ++r)
    for (std::int64_t o = 0; o < E; ++o) {
      double s = ob[static_cast<std::size_t>(o)];
      for (std::int64_t i = 0; i < E; ++i)
        s += heads[static_cast<std::size_t>(r * E + i)] * ow[static_cast<std::size_t>(o * E + i)];
      out[static_cast<std::size_t>(r * E + o)] = s;
    }
  return {tensor(out, {B, L, E}), tensor(weights, {B, H, L, S})};
}

// A module with non-zero biases everywhere, so that every term is exercised.
nn_layers_attention::MultiheadAttention
make(std::int64_t E, std::int64_t H, xport::Generator& gen,
     nn_layers_attention::multihead_attention_options options = {}) {
  nn_layers_attention::MultiheadAttention m{E, H, gen, options};
  if (m.in_proj_bias.defined()) m.in_proj_bias.copy_(xport::randn({3 * E}, gen) * 0.1);
  if (m.out_proj.bias.defined()) m.out_proj.bias.copy_(xport::randn({E}, gen) * 0.1);
  return m;
}

} // namespace

TEST_CASE("MultiheadAttention self-attention: output and weights (averaged or per head)") {
  xport::Generator gen{50};
  auto attn = make(8, 2, gen);
  Tensor const x = xport::randn({2, 3, 8}, gen);
  reference_layers_attention const expected = attend(attn, x, x, x);

  auto [output, weights] = attn(x, x, x);
  CHECK(xport::allclose(output, expected.output, tight_layers_attention));
  CHECK(weights.dim() == 3);
  CHECK(xport::allclose(weights, xport::mean(expected.weights, {1}), tight_layers_attention));

  auto per_head = attn(x, x, x, Tensor{}, true, Tensor{}, false);
  CHECK(xport::allclose(per_head.weights, expected.weights, tight_layers_attention));

  auto fast = attn(x, x, x, Tensor{}, false); // through scaled_dot_product_attention
  CHECK(!fast.weights.defined());
  CHECK(xport::allclose(fast.output, expected.output, tight_layers_attention));
}

TEST_CASE("MultiheadAttention cross-attention with separate key and value") {
  xport::Generator gen{51};
  auto attn = make(6, 3, gen);
  Tensor const q = xport::randn({2, 4, 6}, gen);
  Tensor const k = xport::randn({2, 5, 6}, gen);
  Tensor const v = xport::randn({2, 5, 6}, gen);
  reference_layers_attention const expected = attend(attn, q, k, v);
  CHECK(xport::allclose(attn(q, k, v).output, expected.output, tight_layers_attention));
  CHECK(xport::allclose(attn(q, k, v, Tensor{}, false).output, expected.output,
                        tight_layers_attention));
}

TEST_CASE("MultiheadAttention masks: bool attn_mask blocks, float adds, key padding ignores") {
  xport::Generator gen{52};
  auto attn = make(8, 2, gen);
  Tensor const x = xport::randn({2, 4, 8}, gen);
  // causal: true above the diagonal (PyTorch's MHA convention: true = not allowed)
  Tensor const causal = xport::triu(xport::ones({4, 4}), 1).to(xport::dtype::bool_);
  reference_layers_attention const expected =
      attend(attn, x, x, x, [](auto, auto, auto i, auto j) { return j > i ? -inf : 0.0; });
  CHECK(xport::allclose(attn(x, x, x, Tensor{}, true, causal).output, expected.output,
                        tight_layers_attention));
  CHECK(xport::allclose(attn(x, x, x, Tensor{}, false, causal, true, true).output, expected.output,
                        tight_layers_attention));

  Tensor const bias = xport::randn({4, 4}, gen);
  reference_layers_attention const added = attend(attn, x, x, x, [&](auto, auto, auto i, auto j) {
    return double(bias.at<float>({i, j}));
  });
  CHECK(xport::allclose(attn(x, x, x, Tensor{}, true, bias).output, added.output,
                        tight_layers_attention));
  CHECK(xport::allclose(attn(x, x, x, Tensor{}, false, bias).output, added.output,
                        tight_layers_attention));

  // batch 1 ignores its last key; combined with the float mask
  Tensor const padding = xport::from({{false, false, false, false}, {false, false, false, true}});
  reference_layers_attention const padded =
      attend(attn, x, x, x, [&](auto b, auto, auto i, auto j) {
        return (b == 1 && j == 3 ? -inf : 0.0) + double(bias.at<float>({i, j}));
      });
  auto const with_weights = attn(x, x, x, padding, true, bias);
  CHECK(xport::allclose(with_weights.output, padded.output, tight_layers_attention));
  CHECK(with_weights.weights.at<float>({1, 2, 3}) == 0.f);
  CHECK(xport::allclose(attn(x, x, x, padding, false, bias).output, padded.output,
                        tight_layers_attention));

  // per-head 3-D mask [B * H, L, S]
  Tensor const per_head = xport::randn({4, 4, 4}, gen);
  reference_layers_attention const headed =
      attend(attn, x, x, x, [&](auto b, auto h, auto i, auto j) {
        return double(per_head.at<float>({b * 2 + h, i, j}));
      });
  CHECK(xport::allclose(attn(x, x, x, Tensor{}, false, per_head).output, headed.output,
                        tight_layers_attention));
}

TEST_CASE("MultiheadAttention: sequence-first and unbatched inputs") {
  xport::Generator gen{53};
  auto attn = make(4, 2, gen, {.batch_first = false});
  Tensor const x = xport::randn({3, 2, 4}, gen); // [L, B, E]
  Tensor const bf = xport::contiguous(xport::transpose(x, 0, 1));
  reference_layers_attention const expected = attend(attn, bf, bf, bf);
  Tensor const y = attn(x, x, x).output;
  CHECK(y.size(0) == 3);
  CHECK(xport::allclose(xport::transpose(y, 0, 1), expected.output, tight_layers_attention));

  auto first = make(4, 2, gen);
  Tensor const single = xport::randn({3, 4}, gen);
  reference_layers_attention const one =
      attend(first, single.unsqueeze(0), single.unsqueeze(0), single.unsqueeze(0));
  auto const [out, weights] = first(single, single, single);
  CHECK(out.dim() == 2);
  CHECK(xport::allclose(out, one.output.squeeze(0), tight_layers_attention));
  CHECK(weights.dim() == 2);
}

TEST_CASE("MultiheadAttention: dropout on the weights only in training") {
  xport::Generator gen{54};
  auto attn = make(4, 2, gen, {.dropout = 0.5});
  Tensor const x = xport::randn({1, 6, 4}, gen);
  reference_layers_attention const expected = attend(attn, x, x, x);
  CHECK(!xport::allclose(attn(x, x, x).output, expected.output, tight_layers_attention));
  attn.eval();
  CHECK(xport::allclose(attn(x, x, x).output, expected.output, tight_layers_attention));
  CHECK(xport::allclose(attn(x, x, x, Tensor{}, false).output, expected.output,
                        tight_layers_attention));
}

TEST_CASE("MultiheadAttention refuses bad shapes and masks, naming them") {
  xport::Generator gen{55};
  nn_layers_attention::MultiheadAttention attn{8, 2, gen};
  Tensor const x = xport::zeros({2, 3, 8});
  CHECK_THROWS_WITH_AS(attn(xport::zeros({2, 3, 6}), x, x),
                       doctest::Contains("was expecting embedding dimension of 8"),
                       xport::shape_error);
  CHECK_THROWS_WITH_AS(
      attn(x, x, xport::zeros({2, 4, 8})),
      doctest::Contains("key shape [2, 3, 8] does not match value shape [2, 4, 8]"),
      xport::shape_error);
  CHECK_THROWS_WITH_AS(
      attn(x, x, x, Tensor{}, true, xport::zeros({3, 4})),
      doctest::Contains("the shape of the 2D attn_mask is [3, 4], but should be [3, 3]"),
      xport::shape_error);
  CHECK_THROWS_WITH_AS(attn(x, x, x, xport::zeros({2, 4}).to(xport::dtype::bool_)),
                       doctest::Contains("expecting key_padding_mask shape of [2, 3]"),
                       xport::shape_error);
  CHECK_THROWS_AS(
      attn(x, x, x, Tensor{}, true, xport::zeros({3, 3}, {.dtype = xport::dtype::int64})),
      xport::dtype_error);
  CHECK_THROWS_WITH_AS(attn(x, x, x, Tensor{}, true, Tensor{}, true, true),
                       doctest::Contains("Need attn_mask if specifying the is_causal hint"),
                       xport::value_error);
  Tensor const flat = xport::zeros({8});
  CHECK_THROWS_WITH_AS(attn(flat, flat, flat), doctest::Contains("received 1-D query tensor"),
                       xport::shape_error);
}
