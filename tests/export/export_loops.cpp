// xport::while_loop and xport::map: eager calls against closed forms, export into one
// higher_order::while_loop / higher_order::map_impl node with its sub-graphs (parameters
// taken as additional inputs), the printed program, calls equal to eager for other trip
// counts and sizes, decomposition, save/load, the verifier, and every refusal in
// PyTorch's words (a body that changes a carried value, a condition that is not a boolean
// scalar, mapped tensors of different or zero length).
#include <xport/api/control_flow.hpp>
#include <xport/api/elementwise.hpp>
#include <xport/api/reduction.hpp>
#include <xport/api/shape.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/decomp/decomp.hpp>
#include <xport/export/export.hpp>
#include <xport/export/inspect.hpp>

#include "loop_models.hpp"

#include <support/programs.hpp>

#include <doctest/doctest.h>

#include <string>
#include <tuple>

using namespace xport;
using xport_test::reloaded;
using xport_test::says;

namespace {

// The closed form of models::Doubling: x doubled until its sum reaches `limit`, plus the
// number of doublings.
Tensor doubling(Tensor x, double limit) {
  double steps = 0;
  while (sum(x).item<double>() < limit) {
    x = x * 2.0;
    steps += 1;
  }
  return x + steps;
}

} // namespace

TEST_CASE("eager while_loop runs the body until the condition fails") {
  Tensor const x = from({1.0f, 2.0f});
  models::Doubling m;
  CHECK(equal(m(x, scalar_tensor(20.0)), from({11.0f, 19.0f}))); // 3 doublings: 8, 16, +3
  CHECK(equal(m(x, scalar_tensor(0.0)), x));                     // no iteration
  CHECK(equal(m(x, scalar_tensor(100.0)), doubling(x, 100.0)));
  Tensor const one = while_loop([](Tensor const& v) { return sum(v) < 5.0; },
                                [](Tensor const& v) { return v + 1.0; }, from({0.5f}));
  CHECK(equal(one, from({5.5f})));
}

TEST_CASE("eager while_loop checks each step as tracing checks the body") {
  models::Growing growing;
  CHECK_THROWS_WITH_AS(growing(from({1.0f, 2.0f})),
                       "while_loop: Expected body_fn_output and carried_inputs to have same "
                       "metadata but found:\npair[0] differ in 'shape: [4] vs [2]', where lhs is "
                       "f32[4] and rhs is f32[2]",
                       shape_error);
  models::WideCondition wide;
  CHECK_THROWS_WITH_AS(wide(from({1.0f, 2.0f})),
                       "while_loop: cond_fn must return a boolean scalar tensor, but got b8[2]",
                       shape_error);
  CHECK_THROWS_WITH_AS(while_loop([](Tensor const& v) { return sum(v); },
                                  [](Tensor const& v) { return v; }, from({1.0f})),
                       "while_loop: cond_fn must return a boolean scalar tensor, but got f32[]",
                       dtype_error);
  CHECK_THROWS_WITH_AS(
      while_loop([](Tensor const& v) { return sum(v) < 3.0; },
                 [](Tensor const& v) { return v.to(dtype::float64) + 1.0; }, from({1.0f})),
      doctest::Contains("pair[0] differ in 'dtype: float64 vs float32'"), dtype_error);
}

TEST_CASE("export records while_loop as one node with condition and body sub-graphs") {
  models::Doubling m;
  Tensor const x = from({1.0f, 2.0f, 0.5f});
  auto rows = Dim("rows", {.min = 2, .max = 16});
  ExportedProgram const ep = export_program(m, std::tuple{x, scalar_tensor(20.0)}, {{rows}, {}},
                                            {.input_names = {"x", "limit"}});
  std::string const text = ep.str();
  CAPTURE(text);
  CHECK(says(text, "= higher_order::while_loop(while_loop_cond_graph_0, "
                   "while_loop_body_graph_0, (c_lifted_tensor_0, x), (limit,))"));
  CHECK(says(text, "class while_loop_cond_graph_0"));
  CHECK(says(text, "class while_loop_body_graph_0"));
  validate(ep, ops::default_op_set::find);
  // Other sizes and other trip counts than the example's.
  for (double limit : {0.0, 5.0, 20.0, 1000.0}) {
    for (std::int64_t n : {2, 5, 9}) {
      Tensor const v = arange(1, n + 1, 1, {.dtype = dtype::float32});
      CHECK(equal(ep.module().call<Tensor>(v, scalar_tensor(limit)), m(v, scalar_tensor(limit))));
    }
  }
}

TEST_CASE("a loop body reads parameters: they become additional inputs") {
  Generator gen{3};
  models::Repeated m(gen);
  Tensor const x = randn({2, 4}, gen);
  Tensor const steps = scalar_tensor(3, {.dtype = dtype::int64});
  ExportedProgram const ep =
      export_program(m, std::tuple{x, steps}, {}, {.input_names = {"x", "steps"}});
  std::string const text = ep.str();
  CAPTURE(text);
  CHECK(says(text, "(c_lifted_tensor_0, x), (steps, p_fc_weight, p_fc_bias))"));
  for (std::int64_t k : {0, 1, 4}) {
    Tensor const s = scalar_tensor(k, {.dtype = dtype::int64});
    CHECK(allclose(ep.module().call<Tensor>(x, s), m(x, s)));
  }
  ExportedProgram const lowered = ep.run_decompositions();
  CHECK(!says(lowered.str(), "aten::linear"));
  CHECK(allclose(lowered.module().call<Tensor>(x, steps), m(x, steps)));
  ExportedProgram const loaded = reloaded(ep);
  CHECK(loaded.str() == ep.str());
  CHECK(equal(loaded.module().call<Tensor>(x, steps), ep.module().call<Tensor>(x, steps)));
}

TEST_CASE("export refuses a loop body that changes a carried value, or a wide condition") {
  models::Growing growing;
  CHECK_THROWS_WITH_AS(export_program(growing, std::tuple{from({1.0f, 2.0f})}),
                       "while_loop: Expected body_fn_output and carried_inputs to have same "
                       "metadata but found:\npair[0] differ in 'shape: [4] vs [2]', where lhs is "
                       "f32[4] and rhs is f32[2]",
                       shape_error);
  models::WideCondition wide;
  CHECK_THROWS_WITH_AS(export_program(wide, std::tuple{from({1.0f, 2.0f})}),
                       "while_loop: cond_fn must return a boolean scalar tensor, but got b8[2]",
                       shape_error);
}

TEST_CASE("eager map applies the body to every slice and stacks the results") {
  Tensor const x = from({1.0f, 2.0f, 4.0f, 2.0f}).view({2, 2});
  models::RowScale m;
  CHECK(equal(m(x, scalar_tensor(1.0)), from({1.5f, 2.0f, 2.0f, 1.5f}).view({2, 2})));
  Generator gen{4};
  models::PairMap pair(gen);
  Tensor const a = randn({3, 3}, gen), b = randn({3, 3}, gen);
  auto [u, v] = pair(a, b);
  CHECK(u.size(0) == 3);
  CHECK(u.size(1) == 2);
  for (std::int64_t i = 0; i < 3; ++i) {
    CHECK(allclose(u.select(0, i), pair.fc(a.select(0, i) * b.select(0, i))));
    CHECK(allclose(v.select(0, i), sum(a.select(0, i) - b.select(0, i))));
  }
}

TEST_CASE("map refuses mapped tensors of different, zero or no leading length") {
  auto id = [](Tensor const& r, Tensor const&) { return r; };
  CHECK_THROWS_WITH_AS(xport::map(id, std::tuple(zeros({4, 3}), zeros({5, 3}))),
                       "map: Leading dimensions of mapped xs must be consistent. Got shapes [[4, "
                       "3], [5, 3]].",
                       value_error);
  CHECK_THROWS_WITH_AS(xport::map([](Tensor const& r) { return r; }, zeros({0, 3})),
                       "map: Leading dimensions of mapped xs cannot be 0.", value_error);
  CHECK_THROWS_WITH_AS(xport::map([](Tensor const& r) { return r; }, zeros({})),
                       doctest::Contains("map: Mapped xs must have a leading dimension"),
                       value_error);
  CHECK_THROWS_WITH_AS(
      xport::map([](Tensor const& r) { return nonzero(r); },
                 from({1.0f, 0.0f, 1.0f, 1.0f}).view({2, 2})),
      doctest::Contains("map: the body's output 0 for slice 1 is i64[2, 1], but i64[1, 1]"),
      shape_error);
}

TEST_CASE("export records map as one map_impl node with a body sub-graph") {
  models::RowScale m;
  Tensor const x = from({1.0f, 2.0f, 4.0f, 2.0f, 3.0f, 1.0f}).view({3, 2});
  auto rows = Dim("rows", {.min = 2, .max = 16});
  ExportedProgram const ep = export_program(m, std::tuple{x, scalar_tensor(0.5)}, {{rows, 2}, {}},
                                            {.input_names = {"x", "bias"}});
  std::string const text = ep.str();
  CAPTURE(text);
  CHECK(says(text, "map_impl: \"f32[s0, 2]\" = higher_order::map_impl(body_graph_0, [x], [bias])"));
  CHECK(says(text, "class body_graph_0"));
  validate(ep, ops::default_op_set::find);
  for (std::int64_t n : {2, 7}) {
    Tensor const v = arange(1, 2 * n + 1, 1, {.dtype = dtype::float32}).view({n, 2});
    CHECK(equal(ep.module().call<Tensor>(v, scalar_tensor(0.5)), m(v, scalar_tensor(0.5))));
  }
  ExportedProgram const loaded = reloaded(ep);
  CHECK(loaded.str() == ep.str());
  Generator gen{6};
  Tensor const v = randn({5, 2}, gen);
  CHECK(equal(loaded.module().call<Tensor>(v, scalar_tensor(1.0)), m(v, scalar_tensor(1.0))));
  CHECK(allclose(ep.run_decompositions().module().call<Tensor>(v, scalar_tensor(1.0)),
                 m(v, scalar_tensor(1.0))));
}

TEST_CASE("map with several mapped tensors, outputs and a captured parameter") {
  Generator gen{5};
  models::PairMap m(gen);
  Tensor const a = randn({4, 3}, gen), b = randn({4, 3}, gen);
  ExportedProgram const ep = export_program(m, std::tuple{a, b}, {}, {.input_names = {"a", "b"}});
  std::string const text = ep.str();
  CAPTURE(text);
  CHECK(says(text, "higher_order::map_impl(body_graph_0, [a, b], [p_fc_weight, p_fc_bias])"));
  auto [u, v] = ep.module().call<std::tuple<Tensor, Tensor>>(a, b);
  auto [eu, ev] = m(a, b);
  CHECK(allclose(u, eu));
  CHECK(allclose(v, ev));
  ExportedProgram const loaded = reloaded(ep.run_decompositions());
  auto [lu, lv] = loaded.module().call<std::tuple<Tensor, Tensor>>(a, b);
  CHECK(allclose(lu, eu));
  CHECK(allclose(lv, ev));
}

TEST_CASE("the verifier checks a loop's sub-graphs against its op") {
  models::Doubling m;
  ExportedProgram ep = export_program(m, std::tuple{from({1.0f, 2.0f}), scalar_tensor(20.0)}, {},
                                      {.input_names = {"x", "limit"}});
  validate(ep, ops::default_op_set::find);
  // Swap condition and body: the condition now returns the carried values.
  for (std::uint32_t i = 0; i < ep.graph.nodes().size(); ++i) {
    graph::node const& n = ep.graph.at(i);
    if (n.subgraphs.size() == 2) ep.graph.set_subgraphs(i, {n.subgraphs[1], n.subgraphs[0]});
  }
  CHECK_THROWS_WITH_AS(validate(ep, ops::default_op_set::find),
                       "while_loop: cond_fn must return a boolean scalar tensor, but got 2 "
                       "outputs (f32[], f32[2])",
                       shape_error);
}
