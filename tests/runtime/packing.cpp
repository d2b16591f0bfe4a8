// Frozen state (runtime::plan_options::freeze) and the product operands a frozen plan lays
// out once (runtime/packing.hpp): the layouts row_major_operand makes, and frozen plans
// of xport's and PyTorch's models computing what unfrozen plans and eager execution
// compute, with the state read once until reload_state.
#include <xport/api/elementwise.hpp>
#include <xport/api/linalg.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/export/export.hpp>
#include <xport/nn/linear.hpp>
#include <xport/runtime/packing.hpp>
#include <xport/serde/load_pt2.hpp>

#include <support/pt2_fixtures.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

using namespace xport;
using xport_test::pt2::fixture;

namespace {

// Two linear layers, and a product with a parameter used as it is stored (row-major
// already: nothing to pack) and transposed (packed).
struct Layers : Module<Layers> {
  BOOST_HANA_DEFINE_STRUCT(Layers, (nn::Linear, fc1), (nn::Linear, fc2), (Parameter, square));
  explicit Layers(Generator& gen) : fc1(16, 32, gen), fc2(32, 8, gen), square(randn({8, 8}, gen)) {}
  Tensor forward(Tensor const& x) const {
    Tensor const h = fc2(relu(fc1(x)));
    Tensor const as_stored = mm(h, square);
    Tensor const transposed = mm(h, square.t());
    return as_stored + transposed;
  }
};

// A product of a layer's output with a user input: its right-hand matrix is not state.
struct TimesInput : Module<TimesInput> {
  BOOST_HANA_DEFINE_STRUCT(TimesInput, (nn::Linear, fc));
  explicit TimesInput(Generator& gen) : fc(16, 8, gen) {}
  Tensor forward(Tensor const& x, Tensor const& y) const { return mm(fc(x), y); }
};

bool has_line(std::string const& text, std::string const& line) {
  return text.find(line + "\n") != std::string::npos;
}

} // namespace

TEST_CASE("row_major_operand: the product's right-hand matrix, row by row") {
  Generator gen{61};
  runtime::product_operand const weight{1, true}, rhs{1, false};
  SUBCASE("a linear weight [n, k] becomes the transpose of a row-major [k, n]") {
    Tensor const w = randn({3, 5}, gen);
    Tensor const packed = runtime::row_major_operand(w, weight);
    REQUIRE(packed.defined());
    CHECK(packed.sizes()[0] == 3);
    CHECK(packed.strides()[0] == 1);
    CHECK(packed.strides()[1] == 3);
    CHECK(equal(packed, w));
    CHECK_FALSE(packed.storage().is_alias_of(w.storage()));
    // A weight stored transposed already is read row by row: nothing to do.
    CHECK_FALSE(runtime::row_major_operand(packed, weight).defined());
  }
  SUBCASE("a transposed right-hand side becomes contiguous; a row-major one stays") {
    Tensor const b = randn({6, 4}, gen).t();
    Tensor const packed = runtime::row_major_operand(b, rhs);
    REQUIRE(packed.defined());
    CHECK(packed.is_contiguous());
    CHECK(equal(packed, b));
    CHECK_FALSE(runtime::row_major_operand(packed, rhs).defined());
  }
  SUBCASE("an expanded weight keeps its batch of stride 0: one matrix is stored") {
    Tensor const b = randn({5, 4}, gen).t().expand({7, 4, 5});
    Tensor const packed = runtime::row_major_operand(b, {2, false});
    REQUIRE(packed.defined());
    CHECK(packed.strides()[0] == 0);
    CHECK(packed.strides()[1] == 5);
    CHECK(packed.strides()[2] == 1);
    CHECK(packed.storage().nbytes() == 20 * sizeof(float));
    CHECK(equal(packed, b));
  }
  SUBCASE("a batch whose matrices differ is copied whole") {
    Tensor const b = randn({2, 5, 4}, gen).transpose(1, 2);
    Tensor const packed = runtime::row_major_operand(b, rhs);
    REQUIRE(packed.defined());
    CHECK(packed.is_contiguous());
    CHECK(equal(packed, b));
  }
  SUBCASE("what BLAS does not read, or has nothing to read, is left alone") {
    CHECK_FALSE(
        runtime::row_major_operand(randn({4, 3}, gen).to(dtype::float16), weight).defined());
    CHECK_FALSE(
        runtime::row_major_operand(ones({4, 3}, {.dtype = dtype::int64}), weight).defined());
    CHECK_FALSE(runtime::row_major_operand(zeros({0, 3}), weight).defined());
    CHECK_FALSE(runtime::row_major_operand(randn({4}, gen), weight).defined());
    CHECK_FALSE(runtime::row_major_operand(Tensor(), rhs).defined());
  }
  SUBCASE("the ops whose right-hand matrix a plan packs") {
    CHECK(runtime::right_operand("aten::linear")->arg == 1);
    CHECK(runtime::right_operand("aten::linear")->transposed);
    CHECK(runtime::right_operand("aten::addmm")->arg == 2);
    CHECK(runtime::right_operand("aten::baddbmm")->arg == 2);
    CHECK_FALSE(runtime::right_operand("aten::bmm")->transposed);
    CHECK_FALSE(runtime::right_operand("aten::add.Tensor"));
  }
}

TEST_CASE("freeze: a frozen plan packs its weights and computes what eager execution does") {
  Generator gen{62};
  Layers m(gen);
  auto batch = Dim("batch", {.min = 1, .max = 4096});
  Tensor const example = randn({4, 16}, gen);
  ExportedProgram const ep = export_program(m, std::tuple{example}, {{batch, 16}});
  ExportedModule plain = ep.module();
  ExportedModule frozen = ep.module({.freeze = true});
  // Each batch specializes both modules; 1 row runs as a matrix-vector product, unpacked.
  for (std::int64_t const rows : {5, 1, 300, 5}) {
    CAPTURE(rows);
    Tensor const x = randn({rows, 16}, gen);
    Tensor const want = m(x);
    CHECK(allclose(plain.call<Tensor>(x), want, {.rtol = 1e-5, .atol = 1e-5}));
    CHECK(allclose(frozen.call<Tensor>(x), want, {.rtol = 1e-5, .atol = 1e-5}));
    std::string const steps = frozen.execution_plan().str();
    CAPTURE(steps);
    CHECK(plain.execution_plan().str().find("packed") == std::string::npos);
    bool const packs = rows > 1;
    CHECK(has_line(steps, "linear: aten::linear (into, packed)") == packs);
    CHECK(has_line(steps, "linear_1: aten::linear (into, packed)") == packs);
    // `square.t()` is a view of frozen state: made once, and its product packs it. The
    // other product reads `square` as stored, row by row already. (The sum of the two
    // became an addmm of one onto the other.) So three packed steps, or none for one row.
    CHECK(has_line(steps, "t: aten::t (constant)"));
    std::size_t packed = 0;
    for (std::size_t at = steps.find("(into, packed)"); at != std::string::npos;
         at = steps.find("(into, packed)", at + 1))
      ++packed;
    CHECK(packed == (packs ? 3U : 0U));
  }
  CHECK(frozen.execution_plan().signatures() == 3);
  // Two signatures pack (5 and 300 rows): one copy of each matrix serves both.
  std::size_t const matrices = (32 * 16 + 8 * 32 + 8 * 8) * sizeof(float);
  CHECK(frozen.execution_plan().packed_bytes() == matrices);
  CHECK(plain.execution_plan().packed_bytes() == 0);
  frozen.reload_state();
  CHECK(frozen.execution_plan().packed_bytes() == 0);
}

TEST_CASE("freeze: a product of activations is read as it comes, signature after signature") {
  Generator gen{67};
  TimesInput m(gen);
  auto batch = Dim("batch", {.min = 2, .max = 64});
  ExportedProgram const ep =
      export_program(m, std::tuple{randn({4, 16}, gen), randn({8, 5}, gen)}, {{batch, 16}, {8, 5}});
  ExportedModule frozen = ep.module({.freeze = true});
  for (std::int64_t const rows : {4, 9, 4}) {
    CAPTURE(rows);
    Tensor const x = randn({rows, 16}, gen);
    Tensor const y = randn({8, 5}, gen);
    CHECK(allclose(frozen.call<Tensor>(x, y), m(x, y), {.rtol = 1e-5, .atol = 1e-5}));
    std::string const steps = frozen.execution_plan().str();
    CAPTURE(steps);
    CHECK(has_line(steps, "linear: aten::linear (into, packed)"));
    CHECK(has_line(steps, "mm: aten::mm (into)"));
  }
  CHECK(frozen.execution_plan().packed_bytes() == 8 * 16 * sizeof(float));
}

TEST_CASE("freeze: state changed in place is read again after reload_state") {
  Generator gen{63};
  nn::Linear fc(8, 4, gen);
  Tensor const x = randn({6, 8}, gen);
  ExportedProgram const ep = export_program(fc, std::tuple{x});
  ExportedModule frozen = ep.module({.freeze = true});
  ExportedModule plain = ep.module();
  Tensor const before = frozen.call<Tensor>(x);
  CHECK(allclose(before, fc(x), {.rtol = 1e-6, .atol = 1e-6}));
  // The program shares the module's tensors: change the weight where it is stored.
  Tensor const weight = ep.state_dict.at("weight");
  weight.copy_(weight * 2.0);
  Tensor const after = fc(x);
  CHECK(allclose(plain.call<Tensor>(x), after, {.rtol = 1e-6, .atol = 1e-6}));
  // What freezing means: the frozen plan still reads the weight it laid out ...
  CHECK(allclose(frozen.call<Tensor>(x), before, {.rtol = 1e-6, .atol = 1e-6}));
  // ... until it is told to read the state again.
  frozen.reload_state();
  CHECK(frozen.execution_plan().signatures() == 0);
  CHECK(allclose(frozen.call<Tensor>(x), after, {.rtol = 1e-6, .atol = 1e-6}));
}

TEST_CASE("freeze: torch's models, decomposed or not, and a buffer the program mutates") {
  Generator gen{64};
  struct model_case {
    char const* name;
    std::vector<std::int64_t> sizes;
  };
  model_case const models[] = {{"mlp", {3, 8}},
                               {"mlp_decomposed", {3, 8}},
                               {"cnn", {2, 3, 8, 8}},
                               {"transformer", {2, 32, 16}},
                               {"transformer_decomposed", {2, 32, 16}}};
  for (model_case const& c : models) {
    CAPTURE(c.name);
    ExportedProgram const ep = load_pt2(fixture(std::string(c.name) + ".pt2"));
    ExportedModule plain = ep.module();
    ExportedModule frozen = ep.module({.freeze = true});
    for (int call = 0; call < 2; ++call) {
      Tensor const x = randn(c.sizes, gen);
      CHECK(allclose(frozen.call<Tensor>(x), plain.call<Tensor>(x), {.rtol = 1e-5, .atol = 1e-6}));
    }
    std::string const steps = frozen.execution_plan().str();
    CAPTURE(steps);
    if (std::string(c.name) != "cnn") CHECK(steps.find("packed") != std::string::npos);
  }
  // `count` is a buffer the program adds one to: never frozen, so each call sees the last.
  ExportedProgram ep = load_pt2(fixture("buffer_mutation.pt2"));
  ExportedModule frozen = ep.module({.freeze = true});
  Tensor const x = arange(6, {.dtype = dtype::float32}).reshape({2, 3});
  for (double const count : {1.0, 2.0, 3.0})
    CHECK(allclose(frozen.call<Tensor>(x), x * count));
}

TEST_CASE("freeze: a fused chain reads the packed weight; state replaced is read again") {
  Generator gen{66};
  Layers m(gen);
  auto batch = Dim("batch", {.min = 1, .max = 1 << 16});
  ExportedProgram const ep = export_program(m, std::tuple{randn({4, 16}, gen)}, {{batch, 16}});
  ExportedModule frozen = ep.module({.freeze = true});
  // 2^15 rows of 32: fc1 and its relu run fused, block by block, on the packed weight.
  Tensor const x = randn({1 << 15, 16}, gen);
  CHECK(allclose(frozen.call<Tensor>(x), m(x), {.rtol = 1e-4, .atol = 1e-4}));
  std::string const steps = frozen.execution_plan().str();
  CAPTURE(steps);
  CHECK(has_line(steps, "linear: aten::linear (into, packed)"));
  CHECK(has_line(steps, "fused: linear relu"));

  // A plan of the graph with its state as placeholders 0..4 (square, fc1, fc2): a weight
  // replaced by another tensor gives a new signature, read anew.
  std::size_t const state[] = {0, 1, 2, 3, 4};
  runtime::plan plan(ep.graph, ep.graph.outputs(), {.freeze = true}, state);
  std::vector<Tensor> inputs;
  std::size_t fc1_weight = 0;
  for (input_spec const& in : ep.signature.inputs) {
    if (in.kind == input_kind::user_input) continue;
    if (in.target == "fc1.weight") fc1_weight = inputs.size();
    inputs.push_back(ep.state_of(in));
  }
  REQUIRE(inputs.size() == 5);
  Tensor const small = randn({6, 16}, gen);
  inputs.push_back(small);
  runtime::bindings bound;
  CHECK(allclose(plan.run(inputs, bound)[0], m(small), {.rtol = 1e-5, .atol = 1e-5}));
  nn::Linear other(16, 32, gen);
  inputs[fc1_weight] = other.weight;
  bound.clear();
  Tensor const h = linear(relu(linear(small, other.weight, m.fc1.bias)), m.fc2.weight, m.fc2.bias);
  Tensor const want = mm(h, m.square) + mm(h, m.square.t());
  CHECK(allclose(plan.run(inputs, bound)[0], want, {.rtol = 1e-5, .atol = 1e-5}));
  CHECK(plan.signatures() == 2);
  // Packed copies: the two fc1 weights, fc2's and square.t(), each once.
  std::size_t const fc1_bytes = 32 * 16 * sizeof(float);
  std::size_t const shared_bytes = (8 * 32 + 8 * 8) * sizeof(float);
  CHECK(plan.packed_bytes() == 2 * fc1_bytes + shared_bytes);
  // Ten more replacements: the evicted signatures' copies go with them (8 are kept).
  std::vector<nn::Linear> replacements;
  for (int i = 0; i < 10; ++i) {
    replacements.emplace_back(16, 32, gen);
    inputs[fc1_weight] = replacements.back().weight;
    bound.clear();
    (void)plan.run(inputs, bound);
  }
  CHECK(plan.signatures() == runtime::plan::max_signatures);
  CHECK(plan.packed_bytes() == runtime::plan::max_signatures * fc1_bytes + shared_bytes);
}

TEST_CASE("freeze: a plan refuses state it is told of in a placeholder the graph lacks") {
  Generator gen{65};
  nn::Linear fc(3, 2, gen);
  ExportedProgram const ep = export_program(fc, std::tuple{randn({2, 3}, gen)});
  std::size_t const state[] = {7};
  CHECK_THROWS_WITH_AS(runtime::plan(ep.graph, ep.graph.outputs(), {.freeze = true}, state),
                       "the program's state is said to be in placeholder 7, but its graph has 3",
                       value_error);
}
