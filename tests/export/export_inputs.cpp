#include <xport/api/elementwise.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/export/export.hpp>
#include <xport/export/inspect.hpp>
#include <xport/nn/sequential.hpp>

#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <string>

using namespace xport;

namespace {

struct AddTwo : Module<AddTwo> {
  BOOST_HANA_DEFINE_STRUCT(AddTwo);
  Tensor forward(Tensor const& x, Tensor const& y) { return x + y; }
};

struct Pair {
  BOOST_HANA_DEFINE_STRUCT(Pair, (Tensor, a), (Tensor, b));
};

struct TreeIn : Module<TreeIn> {
  BOOST_HANA_DEFINE_STRUCT(TreeIn);
  std::tuple<Tensor, std::int64_t> forward(Pair const& p, std::map<std::string, Tensor> const& d,
                                           std::optional<Tensor> const& maybe, std::int64_t k) {
    Tensor out = p.a + p.b + d.at("w");
    if (maybe) out = out + *maybe;
    return {add(out, static_cast<double>(k)), k};
  }
};

std::uint_least32_t inner_line = 0;

struct Inner : Module<Inner> {
  BOOST_HANA_DEFINE_STRUCT(Inner, (Parameter, bias));
  Inner() : bias(ones({3})) {}
  Tensor forward(Tensor const& x) const {
    inner_line = __LINE__ + 1;
    return relu(x + bias);
  }
};

struct Outer : Module<Outer> {
  BOOST_HANA_DEFINE_STRUCT(Outer, (Inner, first), (Inner, second));
  Tensor forward(Tensor const& x) const { return second(first(x)); }
};

struct Tied : Module<Tied> {
  BOOST_HANA_DEFINE_STRUCT(Tied, (Inner, first), (Inner, second));
  Tied() { second.bias = first.bias; }
  Tensor forward(Tensor const& x) const { return second(first(x)); }
};

struct UsesConstant : Module<UsesConstant> {
  BOOST_HANA_DEFINE_STRUCT(UsesConstant, (Tensor, table));
  UsesConstant() : table(from<float>({1.f, 2.f})) {}
  Tensor forward(Tensor const& x) const { return x + table + offset; }
  Tensor offset = from<float>({10.f, 20.f}); // not reflected: captured, lifted
};

} // namespace

TEST_CASE("two dynamic dims that the program makes equal are a violation with a fix") {
  AddTwo m;
  auto dx = Dim("dx");
  auto dy = Dim("dy");
  Tensor const x = zeros({4, 3});
  Tensor const y = zeros({4, 3});
  try {
    export_program(m, std::tuple{x, y}, {{dx, 3}, {dy, 3}}, {.input_names = {"x", "y"}});
    FAIL("expected a spec violation");
  } catch (spec_violation const& e) {
    std::string const what = e.what();
    CHECK(what.find("Constraints violated") != std::string::npos);
    CHECK(what.find("must always be equal") != std::string::npos);
    CHECK(what.find("dy = dx") != std::string::npos);
    // Applying the fixes makes export pass.
    sym::dynamic_shapes const fixed =
        sym::refine(sym::dynamic_shapes({{dx, 3}, {dy, 3}}), e.fixes());
    ExportedProgram ep = export_program(m, std::tuple{x, y}, fixed, {.input_names = {"x", "y"}});
    CHECK(ep.str().find("x: \"f32[s0, 3]\", y: \"f32[s0, 3]\"") != std::string::npos);
    ExportedModule run = ep.module();
    CHECK_THROWS_WITH_AS(
        run.call<Tensor>(zeros({5, 3}), zeros({6, 3})),
        doctest::Contains("Expected input at y.shape[0] to be equal to 5, but got 6"),
        constraint_violation);
    CHECK(run.call<Tensor>(ones({6, 3}), ones({6, 3})).at<float>({5, 2}) == 2.f);
  }
}

TEST_CASE("pytree inputs: structs, dicts, optionals and specialized integers") {
  TreeIn m;
  Pair const p{ones({2, 2}), ones({2, 2})};
  std::map<std::string, Tensor> const d{{"w", full({2, 2}, 3.f)}};
  auto args = std::tuple{p, d, std::optional<Tensor>(ones({2, 2})), std::int64_t{5}};
  ExportedProgram ep = export_program(m, args);
  std::string const text = ep.str();
  INFO(text);
  CHECK(text.find("args_0_a: \"f32[2, 2]\", args_0_b: \"f32[2, 2]\", args_1_w: \"f32[2, 2]\", "
                  "args_2: \"f32[2, 2]\"")
        != std::string::npos);
  CHECK(text.find("return (add_3, 5)") != std::string::npos);
  ExportedModule run = ep.module();
  using result = std::tuple<Tensor, std::int64_t>;
  auto const [out, k] =
      run.call<result>(p, d, std::optional<Tensor>(ones({2, 2})), std::int64_t{5});
  CHECK(k == 5);
  CHECK(equal(out, full({2, 2}, 11.f)));
  CHECK_THROWS_WITH_AS(run.call<result>(p, d, std::optional<Tensor>(ones({2, 2})), std::int64_t{6}),
                       doctest::Contains("Expected input at args[3] to be equal to 5, but got 6"),
                       constraint_violation);
  CHECK_THROWS_WITH_AS(run.call<result>(p, d, std::optional<Tensor>(), std::int64_t{5}),
                       doctest::Contains("Expected input at args[2] to be a Tensor, but got None"),
                       value_error);
}

TEST_CASE("module stack, source lines, and shared parameters") {
  Outer m;
  ExportedProgram ep = export_program(m, std::tuple{zeros({2, 3})}, {}, {.input_names = {"x"}});
  auto const& nodes = ep.graph.nodes();
  std::vector<graph::node const*> calls;
  for (graph::node const& n : nodes)
    if (n.op == graph::node_op::call_function) calls.push_back(&n);
  REQUIRE(calls.size() == 4);
  REQUIRE(calls[0]->module_stack.size() == 2);
  CHECK(calls[0]->module_stack[0].path.empty());
  CHECK(calls[0]->module_stack[1].path == "first");
  CHECK(calls[0]->module_stack[1].type.find("Inner") != std::string::npos);
  CHECK(calls[3]->module_stack[1].path == "second");
  CHECK(calls[0]->where->line == inner_line); // the user's line, not the library's
  CHECK(ep.module_call_graph.size() == 3);

  Tied tied;
  ExportedProgram shared = export_program(tied, std::tuple{zeros({2, 3})});
  CHECK(shared.signature.inputs.size() == 2); // one parameter, one input
  CHECK(shared.signature.inputs[0].name == "p_first_bias");
}

TEST_CASE("tensor members are constants; captured tensors are lifted") {
  UsesConstant m;
  ExportedProgram ep = export_program(m, std::tuple{zeros({2})}, {}, {.input_names = {"x"}});
  std::string const text = ep.str();
  INFO(text);
  CHECK(text.find("c_table: CONSTANT_TENSOR target='table'") != std::string::npos);
  CHECK(text.find("c_lifted_tensor_0: CONSTANT_TENSOR target='lifted_tensor_0'")
        != std::string::npos);
  CHECK(text.find(
            "def forward(self, c_table: \"f32[2]\", c_lifted_tensor_0: \"f32[2]\", x: \"f32[2]\")")
        != std::string::npos);
  CHECK(equal(ep.module().call<Tensor>(ones({2})), from<float>({12.f, 23.f})));
}

TEST_CASE("validate accepts exported programs and names what is wrong; DOT groups modules") {
  Outer m;
  ExportedProgram ep = export_program(m, std::tuple{zeros({2, 3})}, {}, {.input_names = {"x"}});
  using set = ops::op_set<ops::add, ops::relu>;
  CHECK_NOTHROW(validate(ep, set::find));
  CHECK_THROWS_WITH_AS(
      validate(ep, ops::op_set<ops::add>::find),
      doctest::Contains("calls 'aten::relu', which is not in the program's op set"), value_error);
  ExportedProgram broken = ep;
  broken.signature.inputs[0].name = "nope";
  CHECK_THROWS_WITH_AS(validate(broken, set::find),
                       doctest::Contains("the signature names this input 'nope'"), value_error);
  std::string const dot = to_dot(ep);
  CHECK(dot.find("subgraph cluster_0") != std::string::npos);
  CHECK(dot.find("label=\"first (") != std::string::npos);
  CHECK(dot.find("aten::relu") != std::string::npos);
}

TEST_CASE("a spec_tree mirrors the inputs; structure mismatches name the path") {
  TreeIn m;
  Pair const p{ones({2, 2}), ones({2, 2})};
  std::map<std::string, Tensor> const d{{"w", full({2, 2}, 3.f)}};
  auto const args = std::tuple{p, d, std::optional<Tensor>(ones({2, 2})), std::int64_t{5}};
  auto n = Dim("n");
  auto const spec = spec_tree::tuple(
      {spec_tree::dict({{"a", spec_tree::tensor({n, 2})}, {"b", spec_tree::dims({{0, n}})}}),
       spec_tree::dict({{"w", spec_tree::dims({{0, n}})}}), spec_tree::dims({{0, n}}),
       spec_tree::none()});
  ExportedProgram ep = export_program(m, args, spec);
  CHECK(ep.str().find("args_0_a: \"f32[s0, 2]\", args_0_b: \"f32[s0, 2]\"") != std::string::npos);
  CHECK(ep.str().find("Range constraints: {s0: VR[2, int_oo]}") != std::string::npos);

  auto const wrong = spec_tree::tuple({spec_tree::tuple({spec_tree::none(), spec_tree::none()}),
                                       spec_tree::none(), spec_tree::none(), spec_tree::none()});
  CHECK_THROWS_WITH_AS(
      export_program(m, args, wrong),
      doctest::Contains("`inputs[0]` is a dict, but `dynamic_shapes[0]` is a tuple"), value_error);
  auto const short_spec = spec_tree::tuple({spec_tree::none()});
  CHECK_THROWS_WITH_AS(
      export_program(m, args, short_spec),
      doctest::Contains("`inputs` has 4 elements, but `dynamic_shapes` has 1 elements"),
      value_error);
  auto const int_dims = spec_tree::tuple(
      {spec_tree::none(), spec_tree::none(), spec_tree::none(), spec_tree::dims({{0, n}})});
  CHECK_THROWS_WITH_AS(export_program(m, args, int_dims),
                       doctest::Contains("only tensor and SymInt inputs have dims"), value_error);
}

namespace {
struct Members : Module<Members> {
  BOOST_HANA_DEFINE_STRUCT(Members);
  Tensor forward(Tensor const& x) const {
    Tensor y = x.transpose(0, 1).contiguous();           // [4, b]
    Tensor z = y.view({4, -1}).slice(1, 1).unsqueeze(0); // [1, 4, b - 1]
    return z.flatten();
  }
};
} // namespace

TEST_CASE("Tensor members on fake tensors are traced through their front ends") {
  Members m;
  auto b = Dim("b", {.min = 2, .max = 100});
  Tensor const x = arange(0, 24, 1).to(dtype::float32).reshape({6, 4});
  ExportedProgram ep = export_program(m, std::tuple{x}, {{b, 4}}, {.input_names = {"x"}});
  std::string const text = ep.str();
  INFO(text);
  CHECK(text.find("aten::transpose.int(x") != std::string::npos);
  CHECK(text.find("aten::slice.Tensor") != std::string::npos);
  CHECK(text.find("\"f32[4*s0 - 4]\"") != std::string::npos);
  Tensor const x2 = arange(0, 40, 1).to(dtype::float32).reshape({10, 4});
  CHECK(equal(ep.module().call<Tensor>(x2), m(x2)));
}
