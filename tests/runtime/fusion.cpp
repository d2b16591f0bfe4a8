// Fused chains in a plan (runtime::plan_options::fuse): elementwise steps, and a product
// with the elementwise steps after it, run block by block of rows. Each test checks which
// steps the plan fused and that the fused plan computes what the unfused plan and eager
// execution compute, at sizes where the chain is fused and where it is small enough to
// run step by step.
#include <xport/api/elementwise.hpp>
#include <xport/api/elementwise_select.hpp>
#include <xport/api/linalg.hpp>
#include <xport/api/reduction.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/export/export.hpp>
#include <xport/kernels/parallel.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

using namespace xport;

namespace {

using chain_list = std::vector<std::vector<std::string>>;

// Elementwise steps with operands of every broadcast kind: a full tensor, a row vector,
// a one-row matrix, a scalar; then a reduction, which ends the chain.
struct Pointwise : Module<Pointwise> {
  BOOST_HANA_DEFINE_STRUCT(Pointwise, (Parameter, row), (Parameter, one_row));
  explicit Pointwise(Generator& gen) : row(randn({512}, gen)), one_row(randn({1, 512}, gen)) {}
  Tensor forward(Tensor const& x, Tensor const& y) const {
    Tensor const a = sigmoid(x * 2.0 + row);
    Tensor const high = gt(a, 0.5);
    Tensor const decay = exp(neg(y));
    Tensor const scaled = a * one_row;
    Tensor const b = where(high, decay, scaled);
    Tensor const c = tanh(b - y) + x;
    return sum(c, {1});
  }
};

// A linear layer with its bias, activation and residual add after it.
struct Block : Module<Block> {
  BOOST_HANA_DEFINE_STRUCT(Block, (Parameter, weight), (Parameter, bias));
  explicit Block(Generator& gen) : weight(randn({256, 128}, gen)), bias(randn({256}, gen)) {}
  Tensor forward(Tensor const& x, Tensor const& skip) const {
    Tensor const h = relu(linear(x, weight, bias));
    return h * 0.5 + skip;
  }
};

// `m` exported on `x` and `y` with their first dimension dynamic (one Dim for both).
template <class M>
ExportedProgram export_dynamic(M& m, Tensor const& x, Tensor const& y) {
  auto batch = Dim("batch", {.min = 1, .max = 1 << 16});
  return export_program(m, std::tuple{x, y}, {{batch, x.size(1)}, {batch, y.size(1)}});
}

// Returns a value of the chain, and reads one after it.
struct Returns : Module<Returns> {
  std::tuple<Tensor, Tensor> forward(Tensor const& x, Tensor const& y) const {
    Tensor const a = exp(x) * y;
    Tensor const b = relu(a - 1.0);
    return {a, b + sum(a, {1}, true)};
  }
};

} // namespace

TEST_CASE("fusion: an elementwise chain runs block by block, equal to the steps one by one") {
  Generator gen{51};
  Pointwise m(gen);
  ExportedProgram const ep = export_dynamic(m, randn({64, 512}, gen), randn({64, 512}, gen));
  ExportedModule fused = ep.module();
  ExportedModule plain(ep, {.fuse = false});
  for (std::int64_t const batch : {2100, 2049, 2047, 1}) {
    CAPTURE(batch);
    Tensor const x = randn({batch, 512}, gen), y = randn({batch, 512}, gen);
    Tensor const want = plain.call<Tensor>(x, y);
    CHECK(allclose(want, m(x, y), {.rtol = 1e-5, .atol = 1e-6}));
    CHECK(allclose(fused.call<Tensor>(x, y), want, {.rtol = 1e-6, .atol = 1e-6}));
    CHECK(plain.execution_plan().fusions().empty());
    chain_list const chains = fused.execution_plan().fusions();
    if (batch * 512 < runtime::fusion_min_elements) {
      CHECK(chains.empty()); // small enough to stay in cache: step by step
      continue;
    }
    REQUIRE(chains.size() == 1);
    CHECK(chains[0]
          == std::vector<std::string>{"mul", "add", "sigmoid", "gt", "neg", "exp", "mul_1", "where",
                                      "sub", "tanh", "add_1"});
    CHECK(fused.execution_plan().str().find("fused: mul add sigmoid") != std::string::npos);
  }
}

TEST_CASE("fusion: a linear layer with its activation and residual add, at 1 and 2 threads") {
  Generator gen{52};
  Block m(gen);
  ExportedProgram const ep = export_dynamic(m, randn({8, 128}, gen), randn({8, 256}, gen));
  ExportedModule plain(ep, {.fuse = false});
  Tensor const x = randn({4100, 128}, gen), skip = randn({4100, 256}, gen);
  Tensor const want = plain.call<Tensor>(x, skip);
  CHECK(allclose(want, m(x, skip), {.rtol = 1e-5, .atol = 1e-5}));
  int const saved = get_num_threads();
  for (int const threads : {1, 2}) {
    set_num_threads(threads);
    ExportedModule fused = ep.module();
    // (BLAS may round a product of 64 rows differently from one of 4100: a few ULPs.)
    CHECK(allclose(fused.call<Tensor>(x, skip), want, {.rtol = 1e-5, .atol = 1e-5}));
    CHECK(fused.execution_plan().fusions() == chain_list{{"linear", "relu", "mul", "add"}});
  }
  set_num_threads(saved);
}

TEST_CASE("fusion: a chain whose values the call returns, or reads after it, stays correct") {
  Generator gen{53};
  Returns m;
  ExportedProgram const ep = export_dynamic(m, randn({8, 64}, gen), randn({8, 64}, gen));
  ExportedModule fused = ep.module();
  Tensor const x = randn({16400, 64}, gen), y = randn({16400, 64}, gen);
  auto const [a, c] = fused.call<std::tuple<Tensor, Tensor>>(x, y);
  auto const [want_a, want_c] = m(x, y);
  CHECK(allclose(a, want_a, {.rtol = 1e-6, .atol = 1e-6}));
  CHECK(allclose(c, want_c, {.rtol = 1e-6, .atol = 1e-6}));
  CHECK(fused.execution_plan().fusions() == chain_list{{"exp", "mul", "sub", "relu"}});
}
