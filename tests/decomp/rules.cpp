// Every default rule against its op: eager(op) vs eager(rule) on random inputs of several
// shapes and dtypes, with per-op tolerances, and every op the rule calls is in its
// `emits` list (the list the compile-time closure check trusts). Also: docs/decomp.md's
// tables of the core op set and the default rules are generated from the code here
// (XPORT_UPDATE_GOLDEN=1 rewrites them), so the document cannot drift from the op structs
// and the rules' emits lists. (One translation unit for both keeps test_decomp's build
// short.)
#include <xport/api/elementwise.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/decomp/core_op_set.hpp>
#include <xport/decomp/rules.hpp>
#include <xport/sym/sym_node.hpp>

#include "support/op_docs.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace xport;
namespace r = xport::decomp::rules;

namespace {

// Runs every op call eagerly and records the ones the rule makes itself (not those a
// kernel might make inside).
class recorder final : public ops::op_interceptor {
public:
  std::vector<ops::op_schema const*> calls;
  ops::tensor_list intercept(ops::boxed_attributes const& attributes,
                             std::span<Tensor const> inputs, source_location const&) override {
    if (depth_ == 0) calls.push_back(&attributes.schema());
    ++depth_;
    struct leave {
      int* depth;
      ~leave() { --*depth; }
    } const guard{&depth_};
    return xport::kernels::eager_call(attributes, inputs);
  }

private:
  int depth_ = 0;
};

constexpr ops::op_schema const* no_schema = nullptr;

template <class Rule>
std::set<ops::op_schema const*> emitted() {
  std::set<ops::op_schema const*> out{no_schema};
  Rule::emits::for_each([&]<class Op>() { out.insert(&ops::schema_of<Op>); });
  return out;
}

// eager(op) vs eager(rule) on `in`; the inputs of the op are copies (in-place ops).
template <class Rule>
void check(typename Rule::op::attributes const& a, std::vector<Tensor> const& in,
           tolerance tol = {.rtol = 1e-5, .atol = 1e-6}) {
  using Op = typename Rule::op;
  INFO(Op::name);
  std::vector<Tensor> copies;
  for (Tensor const& t : in)
    copies.push_back(t.defined() ? t.clone() : t);
  ops::tensor_list const expected =
      ops::call<Op>(a, std::span<Tensor const>(copies.data(), copies.size()), {});
  recorder rec;
  ops::tensor_list actual;
  {
    ops::interceptor_scope const scope(rec);
    actual = Rule::apply(a, std::span<Tensor const>(in.data(), in.size()));
  }
  REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    CHECK(actual[i].dtype() == expected[i].dtype());
    auto const as = actual[i].sizes(), es = expected[i].sizes();
    REQUIRE(std::vector<std::int64_t>(as.begin(), as.end())
            == std::vector<std::int64_t>(es.begin(), es.end()));
    tolerance t = tol;
    t.equal_nan = true;
    CHECK_MESSAGE(allclose(actual[i], expected[i], t), "output " << i);
  }
  std::set<ops::op_schema const*> const allowed = emitted<Rule>();
  CHECK(!rec.calls.empty());
  for (ops::op_schema const* s : rec.calls)
    CHECK_MESSAGE(allowed.count(s) == 1, "emitted " << s->name << ", not in the emits list");
}

Tensor randn_of(std::vector<std::int64_t> sizes, Generator& gen, dtype type = dtype::float32) {
  return randn(sizes, gen, {.dtype = type});
}

} // namespace

TEST_CASE("linear and matmul, every rank case") {
  Generator gen{1};
  for (dtype type : {dtype::float32, dtype::float64}) {
    Tensor const w = randn_of({3, 4}, gen, type), b = randn_of({3}, gen, type);
    for (auto sizes : std::vector<std::vector<std::int64_t>>{{5, 4}, {2, 3, 4}, {4}}) {
      check<r::linear_rule>({}, {randn_of(sizes, gen, type), w, b});
      check<r::linear_rule>({}, {randn_of(sizes, gen, type), w, Tensor()});
    }
    check<r::linear_rule>({}, {randn_of({2, 5, 4}, gen, type), w, randn_of({5, 3}, gen, type)});
  }
  using shapes = std::vector<std::vector<std::int64_t>>;
  for (auto const& [x, y] :
       std::vector<std::pair<shapes::value_type, shapes::value_type>>{{{4}, {4}},
                                                                      {{3, 4}, {4, 5}},
                                                                      {{3, 4}, {4}},
                                                                      {{4}, {4, 5}},
                                                                      {{2, 3, 4}, {4, 5}},
                                                                      {{2, 3, 4}, {4}},
                                                                      {{4}, {2, 4, 3}},
                                                                      {{2, 3, 4}, {2, 4, 5}},
                                                                      {{2, 1, 3, 4}, {5, 4, 2}}})
    check<r::matmul_rule>({}, {randn_of(x, gen), randn_of(y, gen)}, {.rtol = 1e-5, .atol = 1e-5});
}

TEST_CASE("shape rules: t, transpose, reshape, flatten, unflatten, squeeze, contiguous, narrow") {
  Generator gen{2};
  check<r::t_rule>({}, {randn_of({3, 4}, gen)});
  check<r::t_rule>({}, {randn_of({4}, gen)});
  check<r::transpose_rule>({0, 2}, {randn_of({2, 3, 4}, gen)});
  check<r::transpose_rule>({-1, -2}, {randn_of({2, 3, 4}, gen).to(dtype::int64)});
  Tensor const permuted = randn_of({2, 3, 4}, gen).permute({2, 0, 1});
  check<r::reshape_rule>({{6, 4}}, {randn_of({2, 3, 4}, gen)});
  check<r::reshape_rule>({{4, -1}}, {permuted});
  check<r::flatten_rule>({1, -1}, {randn_of({2, 3, 4}, gen)});
  check<r::flatten_rule>({0, 1}, {permuted});
  check<r::unflatten_rule>({1, {3, 4}}, {randn_of({2, 12}, gen)});
  check<r::squeeze_rule>({}, {randn_of({2, 1, 3, 1}, gen)});
  check<r::contiguous_rule>({}, {permuted});
  check<r::narrow_rule>({0, 1, 3}, {randn_of({5, 4}, gen)});
  check<r::narrow_rule>({-1, -3, 2}, {randn_of({5, 4}, gen)});
}

TEST_CASE("joins and splits: stack, split, chunk, pad") {
  Generator gen{3};
  std::vector<Tensor> const parts{randn_of({2, 3}, gen), randn_of({2, 3}, gen),
                                  randn_of({2, 3}, gen)};
  check<r::stack_rule>({0}, parts);
  check<r::stack_rule>({-1}, parts);
  check<r::split_rule>({3, 0}, {randn_of({7, 3}, gen)});
  check<r::split_rule>({2, -1}, {randn_of({3, 4}, gen)});
  check<r::chunk_rule>({3, 0}, {randn_of({7, 3}, gen)});
  check<r::chunk_rule>({2, 1}, {randn_of({6, 4}, gen)});
  check<r::pad_rule>({{1, 2}, "constant", 0.5}, {randn_of({2, 3}, gen)});
  check<r::pad_rule>({{-1, 1, 2, 0}, "constant", std::nullopt}, {randn_of({2, 3, 4}, gen)});
  for (std::string mode : {"reflect", "replicate", "circular"}) {
    INFO(mode);
    check<r::pad_rule>({{1, 2}, mode, std::nullopt}, {randn_of({2, 4}, gen)});
    check<r::pad_rule>({{2, 0, 1, 3}, mode, std::nullopt}, {randn_of({2, 4, 5}, gen)});
    check<r::pad_rule>({{1, 1, 2, 1, 1, 2}, mode, std::nullopt}, {randn_of({1, 3, 4, 5}, gen)});
  }
  check<r::pad_rule>({{-1, 2}, "circular", std::nullopt}, {randn_of({2, 4}, gen)});
}

TEST_CASE("tril and triu") {
  Generator gen{4};
  for (std::int64_t k : {0, 1, -1}) {
    check<r::tril_rule>({k}, {randn_of({4, 5}, gen)});
    check<r::triu_rule>({k}, {randn_of({2, 3, 3}, gen, dtype::float64)});
  }
}

TEST_CASE("elementwise rules: silu, softplus, round.decimals, rsub, remainder, masked_fill, "
          "fill, zero") {
  Generator gen{5};
  for (dtype type : {dtype::float32, dtype::float64}) {
    Tensor const x = mul(randn_of({3, 4}, gen, type), Scalar(4.0));
    check<r::silu_rule>({}, {x});
    check<r::softplus_rule>({Scalar(1), Scalar(20)}, {x});
    check<r::softplus_rule>({Scalar(2.0), Scalar(1.0)}, {x});
    check<r::round_decimals_rule>({2}, {x});
    check<r::round_decimals_rule>({-1}, {mul(x, Scalar(100.0))});
    check<r::rsub_rule>({Scalar(2.5), Scalar(2)}, {x});
    check<r::remainder_scalar_tensor_rule>({Scalar(5.5)}, {x});
    Tensor const mask = gt(x, Scalar(0.0));
    check<r::masked_fill_tensor_rule>({}, {x, mask, full({}, Scalar(7), {.dtype = dtype::int64})});
    check<r::fill_tensor_rule>({}, {x, full({}, Scalar(-1.5), {.dtype = dtype::float64})});
    check<r::zero_rule>({}, {x});
  }
  check<r::rsub_rule>({Scalar(3), Scalar(1)}, {full({2, 2}, Scalar(5), {.dtype = dtype::int64})});
  check<r::rsub_rule>({Scalar(2.5), Scalar(1)}, {full({2, 2}, Scalar(5), {.dtype = dtype::int32})});
}

TEST_CASE("factories: zeros, ones, zeros_like, ones_like") {
  Generator gen{6};
  check<r::zeros_rule>({{2, 3}, std::nullopt, "cpu"}, {});
  check<r::ones_rule>({{4}, dtype::float64, "cpu"}, {});
  check<r::zeros_like_rule>({std::nullopt, std::nullopt}, {randn_of({2, 3}, gen)});
  check<r::ones_like_rule>({dtype::int64, std::nullopt}, {randn_of({2, 3}, gen)});
}

TEST_CASE("reductions: max, min, all, std, var_mean, logsumexp, softmax, log_softmax") {
  Generator gen{7};
  Tensor const x = randn_of({3, 5}, gen);
  check<r::max_rule>({}, {x});
  check<r::min_rule>({}, {randn_of({2, 3, 2}, gen, dtype::float64)});
  Tensor const mask = gt(x, Scalar(-0.5));
  check<r::all_rule>({}, {mask});
  check<r::all_rule>({}, {full({2, 2}, Scalar(1.0))});
  check<r::all_dims_rule>({std::vector<std::int64_t>{1}, false}, {mask});
  check<r::all_dims_rule>({std::vector<std::int64_t>{0}, true}, {x});
  for (bool keep : {false, true}) {
    check<r::std_rule>({std::vector<std::int64_t>{1}, std::nullopt, keep}, {x});
    check<r::std_rule>({std::nullopt, Scalar(0), keep}, {x});
    check<r::var_mean_rule>({std::vector<std::int64_t>{0}, Scalar(1), keep}, {x});
    check<r::logsumexp_rule>({{1}, keep}, {x});
    check<r::logsumexp_rule>({{}, keep}, {randn_of({2, 3}, gen, dtype::float64)});
  }
  double const inf = std::numeric_limits<double>::infinity();
  Tensor const with_inf = full({2, 3}, Scalar(-inf));
  check<r::logsumexp_rule>({{1}, false}, {with_inf});
  check<r::logsumexp_rule>({{1}, false}, {full({2, 3}, Scalar(2), {.dtype = dtype::int64})});
  for (std::int64_t dim : {0, 1, -1}) {
    check<r::softmax_rule>({dim, std::nullopt}, {x});
    check<r::log_softmax_rule>({dim, std::nullopt}, {x});
  }
  check<r::softmax_rule>({1, dtype::float64}, {x});
  check<r::log_softmax_rule>({0, dtype::float64}, {x});
}

TEST_CASE("normalization: layer_norm, group_norm") {
  Generator gen{8};
  for (dtype type : {dtype::float32, dtype::float64}) {
    Tensor const x = randn_of({2, 3, 4}, gen, type);
    check<r::layer_norm_rule>({{4}, 1e-5, true},
                              {x, randn_of({4}, gen, type), randn_of({4}, gen, type)},
                              {.rtol = 1e-4, .atol = 1e-5});
    check<r::layer_norm_rule>({{3, 4}, 1e-3, true}, {x, Tensor(), Tensor()},
                              {.rtol = 1e-4, .atol = 1e-5});
    check<r::group_norm_rule>(
        {3, 1e-5, true},
        {randn_of({2, 6, 3, 3}, gen, type), randn_of({6}, gen, type), randn_of({6}, gen, type)},
        {.rtol = 1e-4, .atol = 1e-5});
    check<r::group_norm_rule>({2, 1e-5, true}, {randn_of({2, 4, 5}, gen, type), Tensor(), Tensor()},
                              {.rtol = 1e-4, .atol = 1e-5});
  }
}

TEST_CASE("convolution and pooling rules") {
  Generator gen{9};
  tolerance const tol{.rtol = 1e-4, .atol = 1e-5};
  check<r::conv1d_rule>({{1}, {1}, {1}, 1},
                        {randn_of({2, 4, 9}, gen), randn_of({6, 4, 3}, gen), randn_of({6}, gen)});
  check<r::conv1d_rule>({{1}, {0}, {1}, 2},
                        {randn_of({2, 4, 9}, gen), randn_of({6, 2, 3}, gen), randn_of({6}, gen)});
  check<r::conv2d_rule>({{2, 2}, {1, 1}, {1, 1}, 1},
                        {randn_of({2, 3, 7, 7}, gen), randn_of({4, 3, 3, 3}, gen), Tensor()}, tol);
  check<r::conv2d_rule>(
      {{1, 1}, {0, 0}, {2, 2}, 1},
      {randn_of({1, 2, 8, 8}, gen), randn_of({3, 2, 3, 3}, gen), randn_of({3}, gen)}, tol);
  for (std::string padding : {"same", "valid"}) {
    check<r::conv1d_padding_rule>(
        {{1}, padding, {1}, 1},
        {randn_of({2, 3, 8}, gen), randn_of({4, 3, 4}, gen), randn_of({4}, gen)}, tol);
    check<r::conv2d_padding_rule>(
        {{1, 1}, padding, {1, 1}, 1},
        {randn_of({1, 2, 6, 7}, gen), randn_of({3, 2, 3, 2}, gen), Tensor()}, tol);
  }
  check<r::max_pool2d_rule>({{3, 3}, {2, 2}, {1, 1}, {1, 1}, false}, {randn_of({2, 3, 7, 7}, gen)});
  check<r::max_pool2d_rule>({{2, 2}, {}, {0, 0}, {1, 1}, false}, {randn_of({2, 3, 7, 6}, gen)});
  check<r::max_pool2d_rule>({{2, 2}, {2, 2}, {0, 0}, {1, 1}, true}, {randn_of({1, 2, 7, 7}, gen)});
  check<r::max_pool2d_rule>({{2, 3}, {1, 2}, {1, 0}, {2, 1}, false}, {randn_of({3, 9, 8}, gen)});
  check<r::adaptive_avg_pool2d_rule>({{1, 1}}, {randn_of({2, 3, 5, 6}, gen)});
  check<r::adaptive_avg_pool2d_rule>({{3, 2}}, {randn_of({2, 3, 6, 6}, gen)});
  check<r::adaptive_avg_pool2d_rule>({{3, 3}}, {randn_of({1, 2, 4, 5}, gen)}); // uneven
  check<r::adaptive_avg_pool2d_rule>({{2, 5}}, {randn_of({2, 6, 7}, gen)});    // mixed, 3-D
  check<r::adaptive_avg_pool2d_rule>({{4, 1}}, {randn_of({1, 1, 9, 3}, gen)});
  sym::ShapeEnv env;
  SymInt const unknown = sym::expr_node::make(env, sym::expr(env.create_unbacked_symbol()));
  CHECK_THROWS_WITH_AS(
      r::adaptive_avg_pool2d_rule::apply({{unknown, 3}}, {{randn_of({1, 1, 4, 5}, gen)}}),
      doctest::Contains("needs a static output size"), unsupported_error);
}

TEST_CASE("attention and dropout") {
  Generator gen{10};
  tolerance const tol{.rtol = 1e-4, .atol = 1e-5};
  Tensor const q = randn_of({2, 3, 5, 4}, gen), k = randn_of({2, 3, 6, 4}, gen),
               v = randn_of({2, 3, 6, 4}, gen);
  using sdpa = r::scaled_dot_product_attention_rule;
  check<sdpa>({0.0, false, std::nullopt, false, 0}, {q, k, v, Tensor()}, tol);
  check<sdpa>({0.0, false, 0.5, false, 0}, {q, k, v, Tensor()}, tol);
  check<sdpa>({0.0, false, -0.5, false, 0}, {q, k, v, Tensor()}, tol); // q carries the sign
  // No mask, but query 2 of head (0, 1) scores -inf against every key: zero weights, as
  // PyTorch's math backend gives them (it always ends in the safe softmax).
  Tensor const unseen = q.clone();
  unseen.select(0, 0).select(0, 1).select(0, 2).copy_(
      full({4}, std::numeric_limits<float>::infinity()));
  Tensor const below = k.clone();
  below.select(0, 0).select(0, 1).copy_(full({6, 4}, -1.0f));
  check<sdpa>({0.0, false, std::nullopt, false, 0}, {unseen, below, v, Tensor()}, tol);
  check<sdpa>({0.0, true, std::nullopt, false, 0}, {q, k, v, Tensor()}, tol);
  check<sdpa>({0.0, false, std::nullopt, false, 0},
              {q, k, v, gt(randn_of({5, 6}, gen), Scalar(-1.0))}, tol);
  check<sdpa>({0.0, false, std::nullopt, false, 0}, {q, k, v, randn_of({5, 6}, gen)}, tol);
  // Query 1 may see no key: zero weights, as the op gives (not softmax's NaN).
  Tensor const blind = ne(arange(5).reshape({5, 1}), Scalar(1));
  check<sdpa>({0.0, false, std::nullopt, false, 0}, {q, k, v, blind}, tol);
  Tensor const blind_add = log(blind.to(dtype::float32)); // 0 or -inf
  check<sdpa>({0.0, false, std::nullopt, false, 0}, {q, k, v, blind_add}, tol);
  check<sdpa>({0.0, false, std::nullopt, true, 0},
              {randn_of({1, 4, 5, 4}, gen), randn_of({1, 2, 6, 4}, gen),
               randn_of({1, 2, 6, 4}, gen), Tensor()},
              tol);
  check<sdpa>({0.0, false, std::nullopt, false, 0},
              {randn_of({5, 4}, gen), randn_of({6, 4}, gen), randn_of({6, 3}, gen), Tensor()}, tol);
  CHECK_THROWS_WITH_AS(sdpa::apply({0.1, false, std::nullopt, false, 1}, {{q, k, v, Tensor()}}),
                       doctest::Contains("dropout_p > 0 has no decomposition"), unsupported_error);
  check<r::dropout_rule>({0.3, false, 0}, {randn_of({3, 4}, gen)});
  check<r::dropout_rule>({0.0, true, 0}, {randn_of({3, 4}, gen)});
  CHECK_THROWS_WITH_AS(r::dropout_rule::apply({0.3, true, 1}, {{randn_of({3, 4}, gen)}}),
                       doctest::Contains("training mode has no decomposition"), unsupported_error);
}

TEST_CASE("in-place ops rewrite to their functional ops") {
  Generator gen{11};
  Tensor const x = randn_of({3, 4}, gen), y = randn_of({4}, gen);
  check<r::functional_rule<ops::add_>>({std::nullopt, Scalar(2)}, {x, y});
  check<r::functional_rule<ops::mul_>>({Scalar(3.0)}, {x});
  check<r::functional_rule<ops::fill_>>({Scalar(1.5)}, {x});
  check<r::functional_rule<ops::fill_tensor_>>({}, {x, full({}, Scalar(2.0))});
  check<r::functional_rule<ops::zero_>>({}, {x});
  check<r::functional_rule<ops::copy_>>({false}, {x, y});
}

namespace {

using docs::attributes_text;

std::string core_table() {
  std::string out = "| op | attributes |\n|---|---|\n";
  decomp::core_op_set::for_each([&]<class Op>() {
    out += "| `" + std::string(Op::name) + "` | " + attributes_text<Op>() + " |\n";
  });
  return out;
}

std::string rules_table() {
  std::string out = "| op | attributes | emits |\n|---|---|---|\n";
  decomp::default_rules::for_each([&]<class Rule>() {
    std::string emits;
    Rule::emits::for_each([&]<class Op>() {
      emits += (emits.empty() ? "" : ", ") + std::string("`") + std::string(Op::name) + "`";
    });
    out += "| `" + std::string(Rule::op::name) + "` | " + attributes_text<typename Rule::op>()
           + " | " + emits + " |\n";
  });
  return out;
}

} // namespace

TEST_CASE("docs/decomp.md lists the core op set and the default rules as the code has them") {
  std::size_t composite = 0;
  ops::default_op_set::for_each([&]<class Op>() {
    CHECK_MESSAGE(decomp::core_op_set::contains<Op> == (Op::kind == ops::op_kind::core), Op::name);
    composite += Op::kind == ops::op_kind::composite ? 1 : 0;
  });
  CHECK(composite == decomp::default_rules::size); // one rule per composite op
  std::string const path = "docs/decomp.md";
  docs::check_section(path, "core-count",
                      "**" + std::to_string(decomp::core_op_set::size) + " ops**");
  docs::check_section(path, "composite-count", std::to_string(composite));
  docs::check_section(path, "core-ops", "\n" + core_table());
  docs::check_section(path, "rules", "\n" + rules_table());
}
