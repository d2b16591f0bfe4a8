// xport::cond: eager calls, export into a higher_order::cond node with two sub-graphs
// (tensor and size predicates, captured parameters and values, several outputs, nesting),
// the printed program, calls equal to eager in both branches, the verifier on broken
// sub-graphs, and every refused branch with its message.
#include <xport/api/control_flow.hpp>
#include <xport/api/data_dependent.hpp>
#include <xport/api/elementwise.hpp>
#include <xport/api/elementwise_inplace.hpp>
#include <xport/api/reduction.hpp>
#include <xport/api/shape.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/export/export.hpp>
#include <xport/export/inspect.hpp>

#include "cond_models.hpp"
#include "models.hpp"

#include <doctest/doctest.h>

#include <string>
#include <tuple>
#include <vector>

using namespace xport;
using models::BySize;
using models::flag;
using models::Gate;
using models::Nested;
using models::Signed;

namespace {

template <class T>
bool mentions(std::string const& text, T const& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("eager cond runs the branch the predicate picks") {
  Tensor const x = from({1.0f, -2.0f, 3.0f});
  auto twice = [](Tensor const& v) { return v * 2.0; };
  auto negate = [](Tensor const& v) { return -v; };
  CHECK(equal(cond(true, twice, negate, x), x * 2.0));
  CHECK(equal(cond(false, twice, negate, x), -x));
  CHECK(equal(cond(flag(true), twice, negate, x), x * 2.0));
  CHECK(equal(cond(scalar_tensor(0), twice, negate, x), -x));
  CHECK(equal(cond(from({2.5f}), twice, negate, x), x * 2.0)); // nonzero is true
  CHECK(equal(cond(SymBool(false), twice, negate, x), -x));
  auto [a, b] = cond(
      true, [](Tensor const& u, Tensor const& v) { return std::tuple<Tensor, Tensor>(v, u); },
      [](Tensor const& u, Tensor const& v) { return std::tuple<Tensor, Tensor>(u, v); },
      std::tuple<Tensor, Tensor>(x, x * 2.0));
  CHECK(equal(a, x * 2.0));
  CHECK(equal(b, x));
  CHECK_THROWS_WITH_AS(
      cond(from({1.0f, 1.0f}), twice, negate, x),
      "Expected pred to be bool or single-element tensor, but got a tensor of size [2]",
      shape_error);
}

TEST_CASE("a data-dependent predicate: one cond node, both branches as sub-graphs") {
  Signed m;
  auto batch = Dim("batch", {.min = 2, .max = 32});
  ExportedProgram ep =
      export_program(m, std::tuple{from({1.0f, 2.0f, 3.0f})},
                     sym::dynamic_shapes({sym::shape_spec{batch}}), {.input_names = {"x"}});
  std::string const text = ep.str();
  INFO(text);
  CHECK(mentions(text, "gt: \"b8[]\" = aten::gt.Scalar(sum, other=0.0)"));
  CHECK(mentions(text, "cond: \"f32[s0]\" = higher_order::cond(gt, true_graph_0, "
                       "false_graph_0, (x,))  # cond_models.hpp:"));
  CHECK(mentions(text, "        return (cond,)\n"
                       "\n"
                       "    class true_graph_0:\n"
                       "        def forward(self, x: \"f32[s0]\"):\n"
                       "            cos: \"f32[s0]\" = aten::cos(x)  # cond_models.hpp:"));
  CHECK(mentions(text, "            return (cos,)\n"
                       "\n"
                       "    class false_graph_0:\n"
                       "        def forward(self, x: \"f32[s0]\"):\n"
                       "            sin: \"f32[s0]\" = aten::sin(x)"));
  CHECK(mentions(text, "Range constraints: {s0: VR[2, 32]}"));
  validate(ep);

  ExportedModule run = ep.module();
  Generator gen(3);
  for (std::int64_t n : models::draw_sizes(2, 32, 6, 11)) {
    Tensor const x = randn({n}, gen);
    CHECK(allclose(run.call<Tensor>(x), m(x)));
    CHECK(allclose(run.call<Tensor>(-x), m(-x))); // the other branch
  }
  CHECK(allclose(run.call<Tensor>(from({5.0f, -1.0f})), cos(from({5.0f, -1.0f}))));
  CHECK(allclose(run.call<Tensor>(from({-5.0f, 1.0f})), sin(from({-5.0f, 1.0f}))));
}

TEST_CASE("a predicate over sizes: decided per call, or inline when the ranges decide it") {
  BySize m;
  auto batch = Dim("batch", {.min = 2, .max = 16});
  ExportedProgram ep =
      export_program(m, std::tuple{zeros({6, 3})}, {{batch, 3}}, {.input_names = {"x"}});
  std::string const text = ep.str();
  INFO(text);
  CHECK(mentions(text, "higher_order::cond(s0 > 4, true_graph_0, false_graph_0, (x,))"));
  CHECK(ep.range_constraints.size() == 1); // no guard: both sizes remain valid
  CHECK(mentions(text, "Range constraints: {s0: VR[2, 16]}"));
  validate(ep);
  ExportedModule run = ep.module();
  for (std::int64_t n : {2, 4, 5, 16}) {
    Tensor const x = arange(0, n * 3, 1).to(dtype::float32).reshape({n, 3});
    CHECK(equal(run.call<Tensor>(x), n > 4 ? x * 2.0 : x + 1.0));
  }

  // A static batch, or a range on one side of 4, decides the predicate while tracing.
  ExportedProgram fixed = export_program(m, std::tuple{zeros({6, 3})});
  CHECK(!mentions(fixed.str(), "higher_order::cond"));
  CHECK(mentions(fixed.str(), "aten::mul.Tensor(args_0, other=2.0)"));
  auto large = Dim("large", {.min = 5, .max = 16});
  ExportedProgram decided = export_program(m, std::tuple{zeros({6, 3})}, {{large, 3}});
  CHECK(!mentions(decided.str(), "higher_order::cond"));
  CHECK(mentions(decided.str(), "Range constraints: {s0: VR[5, 16]}"));
}

TEST_CASE("values a branch reads from outside become operands of both branches") {
  Generator gen(5);
  Gate m(gen);
  ExportedProgram ep = export_program(m, std::tuple{randn({3, 4}, gen), flag(true)},
                                      {{Dim("n"), 4}, {}}, {.input_names = {"x", "flag"}});
  std::string const text = ep.str();
  INFO(text);
  CHECK(mentions(text, "higher_order::cond(flag, true_graph_0, false_graph_0, (x, p_fc_weight, "
                       "p_fc_bias, relu))"));
  CHECK(mentions(text, "    class true_graph_0:\n        def forward(self, x: \"f32[s0, 4]\", "
                       "p_fc_weight: \"f32[4, 4]\", p_fc_bias: \"f32[4]\", relu: \"f32[s0, 4]\"):\n"
                       "            linear: \"f32[s0, 4]\" = aten::linear(x, p_fc_weight, "
                       "p_fc_bias)"));
  // The false branch reads none of them, but takes the same operands.
  CHECK(mentions(text, "    class false_graph_0:\n        def forward(self, x: \"f32[s0, 4]\", "
                       "p_fc_weight: \"f32[4, 4]\", p_fc_bias: \"f32[4]\", relu: \"f32[s0, 4]\"):\n"
                       "            mul: \"f32[s0, 4]\" = aten::mul.Tensor(x, other=0.5)"));
  validate(ep);
  ExportedModule run = ep.module();
  for (bool const f : {true, false}) {
    Tensor const x = randn({7, 4}, gen);
    CHECK(allclose(run.call<Tensor>(x, flag(f)), m(x, flag(f))));
  }
}

TEST_CASE("several outputs and operands, and a cond inside a branch") {
  Nested m;
  ExportedProgram ep =
      export_program(m, std::tuple{from({1.0f, 2.0f}), from({3.0f, 4.0f})},
                     sym::dynamic_shapes({sym::shape_spec{Dim("n")}, sym::shape_spec{Dim("n")}}),
                     {.input_names = {"x", "y"}});
  std::string const text = ep.str();
  INFO(text);
  CHECK(mentions(text, "cond: \"(f32[s0], f32[s0])\" = higher_order::cond(gt, true_graph_0, "
                       "false_graph_0, (x, y))"));
  CHECK(mentions(text, "return (cond[0], cond[1])"));
  // The inner cond is a node of the branch, its branches classes inside the branch's.
  CHECK(mentions(text, "            cond: \"f32[s0]\" = higher_order::cond(gt, true_graph_0, "
                       "false_graph_0, (x,))"));
  CHECK(mentions(text, "        class true_graph_0:\n            def forward(self, x: "
                       "\"f32[s0]\"):\n                mul: \"f32[s0]\" = aten::mul.Tensor(x, "
                       "other=3.0)"));
  validate(ep);
  ExportedModule run = ep.module();
  for (auto const& [x, y] : {std::pair{from({1.0f, 2.0f}), from({3.0f, 4.0f})},
                             std::pair{from({1.0f, 2.0f, 3.0f}), from({-3.0f, -4.0f, 1.0f})},
                             std::pair{from({-1.0f, -2.0f}), from({3.0f, 4.0f})}}) {
    auto [a, b] = run.call<std::tuple<Tensor, Tensor>>(x, y);
    auto [ea, eb] = m(x, y);
    CHECK(equal(a, ea));
    CHECK(equal(b, eb));
  }
}

TEST_CASE("the verifier checks sub-graphs against their node") {
  Generator gen(5);
  Gate m(gen);
  ExportedProgram ep = export_program(m, std::tuple{randn({3, 4}, gen), flag(true)},
                                      {{Dim("n"), 4}, {}}, {.input_names = {"x", "flag"}});
  std::uint32_t node = 0;
  while (ep.graph.at(node).subgraphs.empty())
    ++node;
  std::vector<graph::subgraph> const branches = ep.graph.at(node).subgraphs;

  // A branch with one placeholder for the node's four operands.
  auto short_branch = std::make_shared<graph::Graph>();
  graph::value_ref const v = short_branch->add_placeholder("x", ep.graph.meta({1, 0}));
  short_branch->set_outputs({v});
  ExportedProgram broken = ep;
  broken.graph.set_subgraphs(node, {branches[0], {"false_graph_0", short_branch}});
  CHECK_THROWS_WITH_AS(validate(broken),
                       doctest::Contains("node 'cond': its sub-graph 'false_graph_0' has 1 "
                                         "placeholders for 4 operands"),
                       value_error);

  // Branches that return different shapes.
  ExportedProgram swapped = ep;
  auto wrong_output = std::make_shared<graph::Graph>(*branches[1].graph);
  wrong_output->set_outputs({{2, 0}}); // p_fc_bias: f32[4]
  swapped.graph.set_subgraphs(node, {branches[0], {"false_graph_0", wrong_output}});
  CHECK_THROWS_WITH_AS(validate(swapped),
                       doctest::Contains("for output 0: true_fn returns f32[s0, 4], "
                                         "false_fn returns f32[4]"),
                       shape_error);
  // A node without its branches.
  CHECK_THROWS_WITH_AS(ep.graph.set_subgraphs(node, {branches[0]}),
                       "graph: node 'cond' takes 2 sub-graphs, not 1", value_error);
}

namespace {

struct Mismatch : Module<Mismatch> {
  BOOST_HANA_DEFINE_STRUCT(Mismatch);
  Tensor forward(Tensor const& x) const {
    return cond(
        sum(x) > 0.0, [](Tensor const& v) { return v; }, [](Tensor const& v) { return sum(v); }, x);
  }
};

struct Uneven : Module<Uneven> {
  BOOST_HANA_DEFINE_STRUCT(Uneven);
  std::vector<Tensor> forward(Tensor const& x) const {
    return cond(
        sum(x) > 0.0, [](Tensor const& v) { return std::vector<Tensor>{v}; },
        [](Tensor const& v) {
          return std::vector<Tensor>{v, v * 2.0};
        },
        x);
  }
};

struct Mutating : Module<Mutating> {
  BOOST_HANA_DEFINE_STRUCT(Mutating);
  Tensor forward(Tensor const& x) const {
    return cond(
        sum(x) > 0.0, [](Tensor const& v) { return v; },
        [](Tensor const& v) {
          Tensor w = v;
          return add_(w, 1.0);
        },
        x);
  }
};

struct LocalUpdate : Module<LocalUpdate> {
  BOOST_HANA_DEFINE_STRUCT(LocalUpdate);
  Tensor forward(Tensor const& x) const {
    return cond(
        sum(x) > 0.0, [](Tensor const& v) { return v; },
        [](Tensor const& v) {
          Tensor w = v * 2.0;
          return add_(w, 1.0); // a tensor the branch made: recorded functionally
        },
        x);
  }
};

struct DataDependentBranch : Module<DataDependentBranch> {
  BOOST_HANA_DEFINE_STRUCT(DataDependentBranch);
  Tensor forward(Tensor const& x) const {
    return cond(
        sum(x) > 0.0, [](Tensor const& v) { return nonzero(v); },
        [](Tensor const& v) { return nonzero(v); }, x);
  }
};

struct WidePredicate : Module<WidePredicate> {
  BOOST_HANA_DEFINE_STRUCT(WidePredicate);
  Tensor forward(Tensor const& x) const {
    return cond(
        x > 0.0, [](Tensor const& v) { return v; }, [](Tensor const& v) { return -v; }, x);
  }
};

} // namespace

TEST_CASE("a branch may compute data-dependent sizes that it reduces away") {
  models::Counting m;
  ExportedProgram ep =
      export_program(m, std::tuple{from({1.0f, -2.0f, 3.0f})},
                     sym::dynamic_shapes({sym::shape_spec{Dim("n")}}), {.input_names = {"x"}});
  std::string const text = ep.str();
  INFO(text);
  CHECK(mentions(text, "nonzero: \"i64[u0, 1]\" = aten::nonzero(relu)"));
  CHECK(mentions(text, "nonzero: \"i64[u1, 1]\" = aten::nonzero(relu)"));
  validate(ep);
  ExportedModule run = ep.module();
  for (Tensor const& x :
       {from({1.0f, -2.0f, 3.0f}), from({-1.0f, -2.0f, 3.0f, 0.5f}), from({0.0f, -2.0f})})
    CHECK(equal(run.call<Tensor>(x), m(x)));
}

TEST_CASE("refused branches say what is wrong") {
  Tensor const x = from({1.0f, 2.0f, 3.0f});
  Mismatch mismatch;
  CHECK_THROWS_WITH_AS(export_program(mismatch, std::tuple{x}),
                       "cond: Expected each tensor to have same metadata but got, for output 0: "
                       "true_fn returns f32[3], false_fn returns f32[]",
                       shape_error);
  Uneven uneven;
  CHECK(uneven(x).size() == 1);
  CHECK(uneven(-x).size() == 2);
  CHECK_THROWS_WITH_AS(export_program(uneven, std::tuple{x}),
                       "cond: Expected to return same number of outputs but got: true branch "
                       "returns 1 item(s), false branch returns 2 item(s)",
                       value_error);
  Mutating mutating;
  CHECK_THROWS_WITH_AS(export_program(mutating, std::tuple{x}),
                       doctest::Contains("cond: 'aten::add_.Tensor' in false_fn mutates an operand "
                                         "or a tensor from outside the branch"),
                       unsupported_error);
  LocalUpdate local;
  ExportedProgram ep = export_program(local, std::tuple{x});
  CHECK(allclose(ep.module().call<Tensor>(-x), local(-x)));
  DataDependentBranch dd;
  CHECK_THROWS_WITH_AS(export_program(dd, std::tuple{x}),
                       "cond: true_fn returns a tensor of size [u0, 1], where u0 is a "
                       "data-dependent size the branch computes (item, nonzero, ...); the outputs "
                       "of cond must have sizes known outside it: compute the size before cond, "
                       "or reduce inside the branch",
                       unsupported_error);
  WidePredicate wide;
  CHECK_THROWS_WITH_AS(export_program(wide, std::tuple{x}),
                       "Expected pred to be bool or single-element tensor, but got a tensor of "
                       "size [3]",
                       shape_error);
}
