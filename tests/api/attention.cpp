#include <xport/api/attention.hpp>
#include <xport/api/elementwise.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/kernels/tuning.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

using namespace xport;

namespace {

// (prod(batch), rows, cols) float64 copy of `t` broadcast to batch + [rows, cols].
std::vector<double> flat(Tensor const& t, int_list batch, std::int64_t rows, std::int64_t cols) {
  dim_vector sizes(batch.begin(), batch.end());
  sizes.push_back(rows);
  sizes.push_back(cols);
  Tensor const d = t.to(dtype::float64).expand(sizes).contiguous();
  return {d.data_ptr<double>(), d.data_ptr<double>() + d.numel()};
}

// The attention of PyTorch's documentation, with explicit loops; `keep(b, i, j)` and
// `bias(b, i, j)` describe the mask.
template <class Keep, class Bias>
Tensor reference(Tensor const& q, Tensor const& k, Tensor const& v, dim_vector const& batch,
                 double scale, Keep keep, Bias bias) {
  std::int64_t const L = q.size(-2), E = q.size(-1), S = k.size(-2), Ev = v.size(-1);
  std::vector<double> const qv = flat(q, batch, L, E), kv = flat(k, batch, S, E),
                            vv = flat(v, batch, S, Ev);
  std::int64_t count = 1;
  for (std::int64_t b : batch)
    count *= b;
  std::vector<double> out(static_cast<std::size_t>(count * L * Ev), 0.0);
  auto const at = [](std::int64_t i) { return static_cast<std::size_t>(i); };
  for (std::int64_t b = 0; b < count; ++b)
    for (std::int64_t i = 0; i < L; ++i) {
      std::vector<double> w(at(S), -std::numeric_limits<double>::infinity());
      double top = -std::numeric_limits<double>::infinity();
      for (std::int64_t j = 0; j < S; ++j) {
        if (!keep(b, i, j)) continue;
        double dot = 0;
        for (std::int64_t e = 0; e < E; ++e)
          dot += qv[at((b * L + i) * E + e)] * kv[at((b * S + j) * E + e)];
        w[at(j)] = dot * scale + bias(b, i, j);
        top = std::max(top, w[at(j)]);
      }
      if (top == -std::numeric_limits<double>::infinity()) continue; // all masked: zeros
      double sum = 0;
      for (double& x : w)
        sum += (x = std::exp(x - top));
      for (std::int64_t j = 0; j < S; ++j)
        for (std::int64_t e = 0; e < Ev; ++e)
          out[at((b * L + i) * Ev + e)] += w[at(j)] / sum * vv[at((b * S + j) * Ev + e)];
    }
  dim_vector sizes = batch;
  sizes.push_back(L);
  sizes.push_back(Ev);
  return from(out, sizes);
}

auto const attend_all = [](std::int64_t, std::int64_t, std::int64_t) { return true; };
auto const no_bias = [](std::int64_t, std::int64_t, std::int64_t) { return 0.0; };

template <class T>
tolerance tolerance_for_attention() {
  if constexpr (std::is_same_v<T, double>) return {1e-12, 1e-12};
  if constexpr (std::is_same_v<T, float>) return {1e-5, 1e-5};
  return {2e-2, 2e-2};
}

// Sets which form the CPU kernel takes for the rest of a test case: the weights
// materialized and multiplied through GEMM, or the fused kernel (every size).
struct attention_form {
  std::int64_t saved = kernels::cpu::fused_attention_min_bytes;
  explicit attention_form(bool fused) {
    if (fused) kernels::cpu::fused_attention_min_bytes = 0;
  }
  attention_form(attention_form const&) = delete;
  attention_form& operator=(attention_form const&) = delete;
  ~attention_form() { kernels::cpu::fused_attention_min_bytes = saved; }
};

} // namespace

TEST_CASE_TEMPLATE("sdpa matches the loop reference", T, float, double, xport::half,
                   xport::bfloat16) {
  bool fused = false;
  SUBCASE("weights materialized") {}
  SUBCASE("fused") {
    fused = true;
  }
  attention_form const form(fused);
  Generator gen{1};
  TensorOptions const o{.dtype = dtype_of<T>};
  Tensor const q = randn({2, 3, 4, 8}, gen, o), k = randn({2, 3, 5, 8}, gen, o),
               v = randn({2, 3, 5, 6}, gen, o);
  Tensor const y = scaled_dot_product_attention(q, k, v);
  CHECK(y.dtype() == dtype_of<T>);
  CHECK(allclose(y, reference(q, k, v, {2, 3}, 1 / std::sqrt(8.0), attend_all, no_bias),
                 tolerance_for_attention<T>()));
  Tensor const scaled = scaled_dot_product_attention(q, k, v, {}, {.scale = 0.5});
  CHECK(allclose(scaled, reference(q, k, v, {2, 3}, 0.5, attend_all, no_bias),
                 tolerance_for_attention<T>()));
}

TEST_CASE("sdpa with bool and float masks, broadcast") {
  bool fused = false;
  SUBCASE("weights materialized") {}
  SUBCASE("fused") {
    fused = true;
  }
  attention_form const form(fused);
  Generator gen{2};
  Tensor const q = randn({2, 3, 4, 8}, gen), k = randn({2, 3, 5, 8}, gen),
               v = randn({2, 3, 5, 6}, gen);
  std::vector<bool> keep(20);
  for (std::size_t i = 0; i < keep.size(); ++i)
    keep[i] = (i * 7) % 3 != 0;
  Tensor const bool_mask = from(keep, {4, 5});
  auto const keep_fn = [&](std::int64_t, std::int64_t i, std::int64_t j) {
    return static_cast<bool>(keep[static_cast<std::size_t>(i * 5 + j)]);
  };
  CHECK(allclose(scaled_dot_product_attention(q, k, v, bool_mask),
                 reference(q, k, v, {2, 3}, 1 / std::sqrt(8.0), keep_fn, no_bias), {1e-5, 1e-5}));

  Tensor const bias = randn({2, 1, 4, 5}, gen);
  std::vector<double> const bv = flat(bias.view({2, 4, 5}), {2}, 4, 5);
  auto const bias_fn = [&](std::int64_t b, std::int64_t i, std::int64_t j) {
    return bv[static_cast<std::size_t>(((b / 3) * 4 + i) * 5 + j)]; // b = batch * 3 + head
  };
  CHECK(allclose(scaled_dot_product_attention(q, k, v, bias),
                 reference(q, k, v, {2, 3}, 1 / std::sqrt(8.0), attend_all, bias_fn),
                 {1e-5, 1e-5}));
}

TEST_CASE("sdpa causal mask is top-left aligned tril(ones(L, S))") {
  bool fused = false;
  SUBCASE("weights materialized") {}
  SUBCASE("fused") {
    fused = true;
  }
  attention_form const form(fused);
  Generator gen{3};
  for (auto [L, S] : {std::pair<std::int64_t, std::int64_t>{4, 6}, {5, 3}, {4, 4}}) {
    Tensor const q = randn({2, L, 8}, gen), k = randn({2, S, 8}, gen), v = randn({2, S, 3}, gen);
    auto const causal = [](std::int64_t, std::int64_t i, std::int64_t j) { return j <= i; };
    CHECK(allclose(scaled_dot_product_attention(q, k, v, {}, {.is_causal = true}),
                   reference(q, k, v, {2}, 1 / std::sqrt(8.0), causal, no_bias), {1e-5, 1e-5}));
  }
  // the first row attends to key 0 only: it equals value row 0
  Tensor const v = randn({3, 2}, gen);
  Tensor const y = scaled_dot_product_attention(randn({3, 4}, gen), randn({3, 4}, gen), v, {},
                                                {.is_causal = true});
  CHECK(allclose(y.select(0, 0), v.select(0, 0)));
}

TEST_CASE("sdpa: fully masked rows give zeros (PyTorch's _safe_softmax)") {
  bool fused = false;
  SUBCASE("weights materialized") {}
  SUBCASE("fused") {
    fused = true;
  }
  attention_form const form(fused);
  Generator gen{4};
  Tensor const q = randn({3, 4}, gen), k = randn({5, 4}, gen), v = randn({5, 2}, gen);
  std::vector<bool> keep(15, true);
  for (std::size_t j = 0; j < 5; ++j)
    keep[5 + j] = false; // row 1 sees nothing
  Tensor const y = scaled_dot_product_attention(q, k, v, from(keep, {3, 5}));
  CHECK(equal(y.select(0, 1), zeros({2})));
  CHECK(allclose(y.select(0, 0), scaled_dot_product_attention(q, k, v).select(0, 0)));
  float const ninf = -std::numeric_limits<float>::infinity();
  Tensor const additive = full({3, 5}, ninf);
  CHECK(equal(scaled_dot_product_attention(q, k, v, additive), zeros({3, 2})));
}

TEST_CASE("sdpa broadcasts batch dimensions and takes non-contiguous inputs") {
  bool fused = false;
  SUBCASE("weights materialized") {}
  SUBCASE("fused") {
    fused = true;
  }
  attention_form const form(fused);
  Generator gen{5};
  Tensor const q = randn({2, 1, 4, 8}, gen);
  Tensor const k = randn({3, 8, 5}, gen).transpose(-1, -2); // (3, 5, 8), not contiguous
  Tensor const v = randn({1, 3, 5, 6}, gen);
  REQUIRE_FALSE(k.is_contiguous());
  Tensor const y = scaled_dot_product_attention(q, k, v);
  REQUIRE(y.dim() == 4);
  CHECK(y.size(0) == 2);
  CHECK(y.size(1) == 3);
  CHECK(allclose(y, reference(q, k, v, {2, 3}, 1 / std::sqrt(8.0), attend_all, no_bias),
                 {1e-5, 1e-5}));
}

TEST_CASE("sdpa over several tiles: long rows and many queries, masks, causal, NaN") {
  bool fused = false;
  SUBCASE("weights materialized") {}
  SUBCASE("fused") {
    fused = true;
  }
  attention_form const form(fused);
  // The CPU kernel takes queries 32 rows and keys 128 at a time, with an online softmax:
  // 70 queries and 300 keys cross both block sizes, with a partial last block.
  Generator gen{9};
  std::int64_t const L = 70, S = 300;
  Tensor const q = randn({2, L, 8}, gen), k = randn({2, S, 8}, gen) * 3.0,
               v = randn({2, S, 5}, gen);
  double const scale = 1 / std::sqrt(8.0);
  CHECK(allclose(scaled_dot_product_attention(q, k, v),
                 reference(q, k, v, {2}, scale, attend_all, no_bias), {1e-5, 1e-5}));
  auto const causal = [](std::int64_t, std::int64_t i, std::int64_t j) { return j <= i; };
  CHECK(allclose(scaled_dot_product_attention(q, k, v, {}, {.is_causal = true}),
                 reference(q, k, v, {2}, scale, causal, no_bias), {1e-5, 1e-5}));
  // Keys masked in whole blocks (none of the first 128 for even rows) and one by one.
  auto const keep_fn = [](std::int64_t, std::int64_t i, std::int64_t j) {
    return i % 2 == 0 ? j >= 128 && j % 3 != 0 : j % 5 != 1;
  };
  std::vector<bool> keep(static_cast<std::size_t>(L * S));
  for (std::int64_t i = 0; i < L; ++i)
    for (std::int64_t j = 0; j < S; ++j)
      keep[static_cast<std::size_t>(i * S + j)] = keep_fn(0, i, j);
  CHECK(allclose(scaled_dot_product_attention(q, k, v, from(keep, {L, S})),
                 reference(q, k, v, {2}, scale, keep_fn, no_bias), {1e-5, 1e-5}));
  Tensor const bias = randn({L, S}, gen) * 4.0;
  std::vector<double> const bv = flat(bias, {}, L, S);
  auto const bias_fn = [&](std::int64_t, std::int64_t i, std::int64_t j) {
    return bv[static_cast<std::size_t>(i * S + j)];
  };
  CHECK(allclose(scaled_dot_product_attention(q, k, v, bias),
                 reference(q, k, v, {2}, scale, attend_all, bias_fn), {1e-5, 1e-5}));
  // A NaN key makes every row that sees it NaN, in whichever block it is.
  Tensor const poisoned = k.clone();
  poisoned.select(0, 1).select(0, 200).copy_(full({8}, std::numeric_limits<float>::quiet_NaN()));
  Tensor const y = scaled_dot_product_attention(q, poisoned, v);
  CHECK(std::isnan(y.select(0, 1).select(0, 3).select(0, 0).item<float>()));
  CHECK(allclose(y.select(0, 0), scaled_dot_product_attention(q, k, v).select(0, 0)));
}

TEST_CASE("sdpa with enable_gqa repeats key/value heads") {
  bool fused = false;
  SUBCASE("weights materialized") {}
  SUBCASE("fused") {
    fused = true;
  }
  attention_form const form(fused);
  Generator gen{6};
  Tensor const q = randn({1, 4, 3, 8}, gen), k = randn({1, 2, 5, 8}, gen),
               v = randn({1, 2, 5, 6}, gen);
  Tensor const y = scaled_dot_product_attention(q, k, v, {}, {.enable_gqa = true});
  for (std::int64_t h = 0; h < 4; ++h) {
    Tensor const expected =
        scaled_dot_product_attention(q.select(1, h), k.select(1, h / 2), v.select(1, h / 2));
    CHECK(allclose(y.select(1, h), expected, {1e-6, 1e-6}));
  }
  CHECK_THROWS_AS(scaled_dot_product_attention(q, randn({1, 3, 5, 8}, gen),
                                               randn({1, 3, 5, 6}, gen), {}, {.enable_gqa = true}),
                  shape_error);
  CHECK_THROWS_AS(scaled_dot_product_attention(q, k, v), shape_error); // heads 4 vs 2
}

TEST_CASE("sdpa dropout is reproducible from the generator; dropout_p == 1 gives zeros") {
  Generator gen{7};
  Tensor const q = randn({2, 6, 4}, gen), k = randn({2, 7, 4}, gen), v = randn({2, 7, 3}, gen);
  Generator a{11}, b{11};
  Tensor const y1 = scaled_dot_product_attention(q, k, v, {}, {.dropout_p = 0.5, .generator = &a});
  Tensor const y2 = scaled_dot_product_attention(q, k, v, {}, {.dropout_p = 0.5, .generator = &b});
  CHECK(equal(y1, y2));
  CHECK_FALSE(allclose(y1, scaled_dot_product_attention(q, k, v)));
  CHECK(equal(scaled_dot_product_attention(q, k, v, {}, {.dropout_p = 1.0}), zeros({2, 6, 3})));
  CHECK_THROWS_WITH_AS(scaled_dot_product_attention(q, k, v, {}, {.dropout_p = 0.5}),
                       doctest::Contains("needs a Generator"), value_error);
  CHECK_THROWS_WITH_AS(scaled_dot_product_attention(q, k, v, {}, {.dropout_p = 1.5}),
                       doctest::Contains("dropout_p has to be between 0 and 1, but got 1.5"),
                       value_error);
}

TEST_CASE("sdpa rejects bad input with PyTorch's messages") {
  Tensor const q = ones({2, 4, 8}), k = ones({2, 5, 8}), v = ones({2, 5, 6});
  CHECK_THROWS_WITH_AS(scaled_dot_product_attention(q, ones({2, 5, 7}), v),
                       doctest::Contains("same embedding size E (last dimension), but got 8 and "
                                         "7 (query [2, 4, 8], key [2, 5, 7], value [2, 5, 6])"),
                       shape_error);
  CHECK_THROWS_WITH_AS(scaled_dot_product_attention(q, k, ones({2, 6, 6})),
                       doctest::Contains("same sequence length S"), shape_error);
  CHECK_THROWS_WITH_AS(scaled_dot_product_attention(q, k, v, ones({4, 5}, {.dtype = dtype::bool_}),
                                                    {.is_causal = true}),
                       "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                       "is_causal=True",
                       value_error);
  CHECK_THROWS_WITH_AS(scaled_dot_product_attention(q, k, v, ones({4, 5}, {.dtype = dtype::int64})),
                       doctest::Contains("Expected attn_mask dtype to be bool or float or to "
                                         "match query dtype"),
                       dtype_error);
  CHECK_THROWS_WITH_AS(scaled_dot_product_attention(q, k.to(dtype::float64), v),
                       doctest::Contains("Expected query, key, and value to have the same dtype"),
                       dtype_error);
  CHECK_THROWS_WITH_AS(scaled_dot_product_attention(q, k, v, ones({3, 5})),
                       doctest::Contains("attn_mask of size [3, 5] does not broadcast to the "
                                         "attention weights' size [2, 4, 5]"),
                       shape_error);
  CHECK_THROWS_WITH_AS(scaled_dot_product_attention(q, ones({3, 5, 8}), ones({3, 5, 6})),
                       doctest::Contains("batch dimensions of query, key and value must "
                                         "broadcast"),
                       shape_error);
  CHECK_THROWS_AS(scaled_dot_product_attention(ones({8}), k, v), shape_error);
  CHECK_THROWS_AS(
      scaled_dot_product_attention(q.to(dtype::int32), k.to(dtype::int32), v.to(dtype::int32)),
      dtype_error);
}

TEST_CASE("sdpa empty sizes") {
  bool fused = false;
  SUBCASE("weights materialized") {}
  SUBCASE("fused") {
    fused = true;
  }
  attention_form const form(fused);
  CHECK(scaled_dot_product_attention(ones({0, 4, 8}), ones({0, 5, 8}), ones({0, 5, 6})).numel()
        == 0);
  CHECK(
      equal(scaled_dot_product_attention(ones({4, 8}), ones({0, 8}), ones({0, 6})), zeros({4, 6})));
}
