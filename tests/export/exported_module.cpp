// ep.module() runs on a runtime::plan: specialized once per size signature, intermediate
// values in one arena laid out by their lifetimes, outputs in memory of their own. Each
// test compares with eager execution of the same model.
#include "support/allocation_counter.hpp"

#include <xport/api/data_dependent.hpp>
#include <xport/api/elementwise.hpp>
#include <xport/api/reduction.hpp>
#include <xport/api/shape.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/export/export.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace xport;

namespace {

// relu(x + w), `pairs` times: 2 * pairs nodes, each reading only the one before; with
// `views`, two transposes (views) between each add and relu.
struct PlanChain : Module<PlanChain> {
  BOOST_HANA_DEFINE_STRUCT(PlanChain, (Parameter, weight));
  std::int64_t pairs = 1;
  bool views = false;
  explicit PlanChain(std::int64_t n, bool with_views = false)
      : weight(arange(4, {.dtype = dtype::float32})), pairs(n), views(with_views) {}
  Tensor forward(Tensor x) const {
    for (std::int64_t i = 0; i < pairs; ++i) {
      x = x + weight;
      if (views) x = transpose(transpose(x, 0, 1), 0, 1);
      x = relu(x);
    }
    return x;
  }
};

ExportedProgram export_plan_chain(PlanChain& m) {
  auto batch = Dim("batch", {.min = 1, .max = 1024});
  return export_program(m, std::tuple{zeros({8, 4})}, {{batch, 4}});
}

// A view (the transpose) read after later values were made: its storage must outlive them.
struct PlanViews : Module<PlanViews> {
  BOOST_HANA_DEFINE_STRUCT(PlanViews, (Parameter, weight));
  PlanViews() : weight(arange(4, {.dtype = dtype::float32})) {}
  Tensor forward(Tensor const& x) const {
    Tensor const y = relu(x + weight);
    Tensor const t = transpose(y, 0, 1);
    Tensor const a = exp(neg(y)) * 2.0;
    Tensor const b = sigmoid(a) + 1.0;
    return sum(t, {1}) + sum(b, {0}) + sum(t * t, {1});
  }
};

// Sizes known only from data (masked_select), then ops on them.
struct PlanMasked : Module<PlanMasked> {
  BOOST_HANA_DEFINE_STRUCT(PlanMasked, (Parameter, weight));
  PlanMasked() : weight(ones({4})) {}
  Tensor forward(Tensor const& x) const {
    Tensor const y = relu(x - weight) * 3.0;
    return masked_select(y, y > 1.0) + 1.0;
  }
};

// Heap allocations of one call on `x`, once the plan is specialized and every reused
// buffer has settled.
long allocations_per_call(ExportedModule& run, Tensor const& x) {
  for (int i = 0; i < 3; ++i)
    run.call<Tensor>(x);
  long const before = xport_test::allocations();
  for (int i = 0; i < 10; ++i)
    run.call<Tensor>(x);
  return (xport_test::allocations() - before) / 10;
}

std::int64_t round_to_line(std::int64_t bytes) {
  return (bytes + 63) / 64 * 64;
}

} // namespace

TEST_CASE("plan: a chain's intermediates share two buffers of the arena") {
  Generator gen{1};
  PlanChain m(5);
  ExportedModule run = export_plan_chain(m).module();
  CHECK(run.execution_plan().arena_bytes() == 0);
  for (std::int64_t const b : {8, 3, 100}) {
    Tensor const x = randn({b, 4}, gen);
    CHECK(allclose(run.call<Tensor>(x), m(x)));
    // Nine intermediates, each alive from its add or relu to the next op; the last relu
    // is returned, so it gets memory of its own.
    CHECK(static_cast<std::int64_t>(run.execution_plan().arena_bytes())
          == 2 * round_to_line(b * 4 * 4));
  }
}

TEST_CASE("plan: one specialization per size signature, the least recently used dropped") {
  Generator gen{2};
  PlanChain m(2);
  ExportedModule run = export_plan_chain(m).module();
  for (std::int64_t const b : {3, 5, 3, 5, 3})
    CHECK(allclose(run.call<Tensor>(ones({b, 4})), m(ones({b, 4}))));
  CHECK(run.execution_plan().signatures() == 2);
  std::int64_t const kept = static_cast<std::int64_t>(runtime::plan::max_signatures);
  for (std::int64_t b = 10; b < 10 + kept + 2; ++b) {
    Tensor const x = randn({b, 4}, gen);
    CHECK(allclose(run.call<Tensor>(x), m(x)));
  }
  CHECK(run.execution_plan().signatures() == runtime::plan::max_signatures);
  // Back to a size whose specialization was dropped: made again, same answer.
  Tensor const x = randn({3, 4}, gen);
  CHECK(allclose(run.call<Tensor>(x), m(x)));
}

TEST_CASE("plan: returned tensors are not overwritten by the next call") {
  Generator gen{3};
  PlanChain m(3);
  ExportedModule run = export_plan_chain(m).module();
  Tensor const x1 = randn({6, 4}, gen);
  Tensor const x2 = randn({6, 4}, gen);
  Tensor const first = run.call<Tensor>(x1);
  Tensor const second = run.call<Tensor>(x2);
  CHECK(allclose(first, m(x1)));
  CHECK(allclose(second, m(x2)));
  CHECK_FALSE(first.storage().is_alias_of(second.storage()));
}

TEST_CASE("plan: views keep the buffer they view alive while they are read") {
  Generator gen{4};
  PlanViews m;
  auto batch = Dim("batch", {.min = 2, .max = 64});
  ExportedModule run = export_program(m, std::tuple{zeros({5, 4})}, {{batch, 4}}).module();
  for (std::int64_t const b : {4, 2, 17, 4}) {
    Tensor const y = randn({b, 4}, gen);
    CHECK(allclose(run.call<Tensor>(y), m(y)));
  }
}

TEST_CASE("plan: sizes known only from data run eagerly, the rest as planned") {
  Generator gen{5};
  PlanMasked m;
  auto batch = Dim("batch", {.min = 2, .max = 64});
  ExportedModule run = export_program(m, std::tuple{randn({5, 4}, gen)}, {{batch, 4}}).module();
  for (std::int64_t const b : {5, 9, 2, 9}) {
    Tensor const x = randn({b, 4}, gen) * 2.0;
    Tensor const got = run.call<Tensor>(x);
    Tensor const want = m(x);
    REQUIRE(got.sizes().size() == 1);
    CHECK(got.size(0) == want.size(0));
    CHECK(allclose(got, want));
  }
}

TEST_CASE("plan: a copied module runs on a plan of its own") {
  Generator gen{6};
  PlanChain m(2);
  ExportedModule run = export_plan_chain(m).module();
  Tensor const x = randn({7, 4}, gen);
  CHECK(allclose(run.call<Tensor>(x), m(x)));
  ExportedModule copy = run;
  CHECK(copy.execution_plan().signatures() == 0);
  Tensor const y = randn({9, 4}, gen);
  CHECK(allclose(copy.call<Tensor>(y), m(y)));
  CHECK(allclose(run.call<Tensor>(x), m(x)));
  CHECK(run.execution_plan().signatures() == 1);
}

TEST_CASE("plan: a call allocates as much for 100 nodes as for 10 (intermediates do not)") {
  Generator gen{7};
  Tensor const x = randn({16, 4}, gen);
  auto per_call = [&x](std::int64_t pairs) {
    PlanChain m(pairs);
    ExportedModule run = export_plan_chain(m).module();
    return allocations_per_call(run, x);
  };
  long const short_chain = per_call(5);
  long const long_chain = per_call(50);
  INFO("allocations per call: " << short_chain << " (10 nodes), " << long_chain << " (100 nodes)");
  CHECK(long_chain == short_chain);
}

TEST_CASE("plan: views of intermediate values are made once per signature") {
  Generator gen{8};
  Tensor const x = randn({16, 4}, gen);
  auto per_call = [&x](std::int64_t pairs) {
    PlanChain m(pairs, /*with_views=*/true);
    ExportedModule run = export_plan_chain(m).module();
    CHECK(allclose(run.call<Tensor>(x), m(x)));
    CHECK(run.execution_plan().str().find("transpose_1: aten::transpose.int (view)")
          != std::string::npos);
    return allocations_per_call(run, x);
  };
  long const short_chain = per_call(5);
  long const long_chain = per_call(50);
  INFO("allocations per call: " << short_chain << " (20 nodes), " << long_chain << " (200 nodes)");
  CHECK(long_chain == short_chain);
  // As many as the same chain without the views.
  PlanChain plain(5);
  ExportedModule run = export_plan_chain(plain).module();
  CHECK(allocations_per_call(run, x) == short_chain);
}

TEST_CASE("plan: results and placeholders the graph does not have are refused") {
  PlanChain m(1);
  ExportedProgram const ep = export_plan_chain(m);
  graph::value_ref const missing{static_cast<std::uint32_t>(ep.graph.nodes().size() + 3), 0};
  CHECK_THROWS_WITH_AS(runtime::plan(ep.graph, std::span(&missing, 1)),
                       doctest::Contains("which its graph does not have"), value_error);
  runtime::plan compiled(ep.graph);
  runtime::bindings bound;
  std::vector<Tensor> const only_one{ones({2, 4})}; // the graph has two: weight and x
  CHECK_THROWS_WITH_AS(compiled.run(only_one, bound),
                       doctest::Contains("has 2 placeholders, but its node passed 1"), value_error);
  // Placeholders given in order run the graph: relu(x + weight) (no attribute needs s0).
  std::vector<Tensor> const both{m.weight, ones({2, 4})};
  ops::tensor_list const out = compiled.run(both, bound);
  REQUIRE(out.size() == 1);
  CHECK(allclose(out[0], m(ones({2, 4}))));
}
