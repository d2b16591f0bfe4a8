// run_decompositions on the example models: the decomposed program computes what the
// exported one does on random inputs inside the range constraints, keeps the signature,
// ranges and node metadata, records provenance, and is in the core dialect; erased ops
// are kept; a user rule for a custom op is applied; a rule that needs a guard is refused.
#include "export/cond_models.hpp"
#include "export/models.hpp"

#include <xport/api/item.hpp>
#include <xport/api/pool.hpp>
#include <xport/api/reduction.hpp>
#include <xport/api/shape.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/decomp/decomp.hpp>
#include <xport/export/export.hpp>
#include <xport/export/inspect.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

using namespace xport;
using models::draw_sizes;
namespace nn = xport::nn;

namespace {

std::size_t count_op(ExportedProgram const& ep, std::string_view op) {
  std::size_t n = 0;
  for (graph::node const& node : ep.graph.nodes())
    if (node.target && node.target->schema().name == op) ++n;
  return n;
}

// What the program's signature, ranges and contract say, for comparing two programs.
void check_same_interface(ExportedProgram const& a, ExportedProgram const& b) {
  REQUIRE(a.signature.inputs.size() == b.signature.inputs.size());
  for (std::size_t i = 0; i < a.signature.inputs.size(); ++i)
    CHECK(a.signature.inputs[i] == b.signature.inputs[i]);
  REQUIRE(a.signature.outputs.size() == b.signature.outputs.size());
  for (std::size_t i = 0; i < a.signature.outputs.size(); ++i) {
    CHECK(a.signature.outputs[i].kind == b.signature.outputs[i].kind);
    CHECK(a.signature.outputs[i].target == b.signature.outputs[i].target);
  }
  REQUIRE(a.range_constraints.size() == b.range_constraints.size());
  for (std::size_t i = 0; i < a.range_constraints.size(); ++i) {
    CHECK(a.range_constraints[i].symbol == b.range_constraints[i].symbol);
    CHECK(a.range_constraints[i].range == b.range_constraints[i].range);
  }
  CHECK(a.state_dict.size() == b.state_dict.size());
  CHECK(a.constants.size() == b.constants.size());
  CHECK(a.shape_env == b.shape_env);
}

// The printed program against tests/decomp/golden/<name>.txt; XPORT_UPDATE_GOLDEN=1
// rewrites the file instead.
void check_golden(ExportedProgram const& ep, std::string const& name) {
  std::string const here = __FILE__;
  std::string const path = here.substr(0, here.find_last_of('/')) + "/golden/" + name + ".txt";
  std::string const text = ep.str();
  if (char const* update = std::getenv("XPORT_UPDATE_GOLDEN");
      update && std::string(update) == "1") {
    std::ofstream(path) << text;
    return;
  }
  std::ifstream file(path);
  REQUIRE_MESSAGE(file.good(),
                  "missing golden file " << path << " (run with XPORT_UPDATE_GOLDEN=1)");
  std::stringstream golden;
  golden << file.rdbuf();
  CHECK(text == golden.str());
}

} // namespace

TEST_CASE("MLP: decomposed to core, equal to the exported program, golden printout") {
  Generator gen{11};
  models::MLP m(gen);
  auto batch = Dim("batch", {.min = 1, .max = 64});
  ExportedProgram const ep =
      export_program(m, std::tuple{randn({8, 16}, gen)}, {{batch, 16}}, {.input_names = {"x"}});
  std::size_t const guards = ep.shape_env->guards().size();
  ExportedProgram const core = ep.run_decompositions();
  INFO(core.str());
  CHECK(ep.shape_env->guards().size() == guards);
  check_same_interface(ep, core);
  CHECK_NOTHROW(decomp::verify_core(core));
  CHECK_NOTHROW(validate(core));
  CHECK(count_op(core, "aten::linear") == 0);
  CHECK(count_op(core, "aten::addmm") == 3);
  CHECK(count_op(core, "aten::permute") == 3);
  CHECK(count_op(core, "aten::gelu") == 1);
  // Provenance and metadata: fc2's addmm came from linear_1, at its line and module.
  bool found = false;
  for (graph::node const& n : core.graph.nodes()) {
    if (!n.target || n.target->schema().name != "aten::addmm" || n.from != "linear_1") continue;
    found = true;
    REQUIRE(n.where.has_value());
    CHECK(n.where->file.find("linear.hpp") != std::string_view::npos);
    REQUIRE(!n.module_stack.empty());
    CHECK(n.module_stack.back().path == "fc2");
  }
  CHECK(found);
  ExportedModule a = ep.module(), b = core.module();
  for (std::int64_t n : draw_sizes(1, 64, 5, 7)) {
    Tensor const x = randn({n, 16}, gen);
    CHECK(allclose(b.call<Tensor>(x), a.call<Tensor>(x), {.rtol = 1e-5, .atol = 1e-6}));
  }
  check_golden(core, "mlp");
}

TEST_CASE("CNN (eval): decomposed to core, equal to the exported program") {
  Generator gen{12};
  auto cnn = models::make_cnn(gen);
  cnn.eval();
  auto batch = Dim("batch", {.min = 1, .max = 16});
  auto side = Dim("side", {.min = 4, .max = 40});
  ExportedProgram const ep = export_program(cnn, std::tuple{randn({3, 1, 12, 12}, gen)},
                                            {{batch, 1, side, side}}, {.input_names = {"x"}});
  ExportedProgram const core = ep.run_decompositions();
  INFO(core.str());
  check_same_interface(ep, core);
  CHECK_NOTHROW(decomp::verify_core(core));
  CHECK(count_op(core, "aten::convolution") == 2);
  CHECK(count_op(core, "aten::max_pool2d") == 0);
  ExportedModule a = ep.module(), b = core.module();
  for (std::int64_t n : draw_sizes(1, 16, 2, 3)) {
    for (std::int64_t s : draw_sizes(4, 40, 2, static_cast<unsigned>(n))) {
      Tensor const x = randn({n, 1, s, s}, gen);
      CHECK(allclose(b.call<Tensor>(x), a.call<Tensor>(x), {.rtol = 1e-4, .atol = 1e-5}));
    }
  }
}

TEST_CASE("Transformer encoder layer (eval): decomposed to core, equal, golden printout") {
  Generator gen{13};
  auto layer = models::make_transformer(gen);
  layer.eval();
  auto batch = Dim("batch", {.min = 1, .max = 8});
  auto seq = Dim("seq", {.min = 1, .max = 32});
  ExportedProgram const ep = export_program(layer, std::tuple{randn({2, 5, 16}, gen)},
                                            {{batch, seq, 16}}, {.input_names = {"src"}});
  ExportedProgram const core = ep.run_decompositions();
  INFO(core.str());
  check_same_interface(ep, core);
  CHECK_NOTHROW(decomp::verify_core(core));
  CHECK_NOTHROW(validate(core));
  for (std::string_view op : {"aten::linear", "aten::layer_norm", "aten::chunk", "aten::reshape",
                              "aten::scaled_dot_product_attention", "aten::dropout",
                              "aten::softmax.int", "aten::matmul", "aten::transpose.int"})
    CHECK_MESSAGE(count_op(core, op) == 0, op);
  CHECK(count_op(core, "aten::_softmax") == 1);
  CHECK(count_op(core, "aten::bmm") == 2);
  ExportedModule a = ep.module(), b = core.module();
  for (std::int64_t n : draw_sizes(1, 8, 2, 5)) {
    for (std::int64_t s : draw_sizes(2, 32, 2, static_cast<unsigned>(n + 10))) {
      Tensor const x = randn({n, s, 16}, gen);
      CHECK(allclose(b.call<Tensor>(x), a.call<Tensor>(x), {.rtol = 1e-4, .atol = 1e-5}));
    }
  }
  check_golden(core, "transformer_layer");
}

namespace {

// Every padding mode over symbolic sizes.
struct Borders : Module<Borders> {
  BOOST_HANA_DEFINE_STRUCT(Borders);
  std::tuple<Tensor, Tensor, Tensor> forward(Tensor const& x) const {
    return {pad(x, {2, 1, 1, 2}, "reflect"), pad(x, {1, 1, 0, 3}, "replicate"),
            pad(x, {2, -1, 1, 1}, "circular")};
  }
};

// Adaptive pooling to windows that do not divide the (static) input.
struct Uneven : Module<Uneven> {
  BOOST_HANA_DEFINE_STRUCT(Uneven);
  Tensor forward(Tensor const& x) const { return adaptive_avg_pool2d(x, {3, 4}); }
};

} // namespace

TEST_CASE("Padding modes decompose with symbolic sizes; uneven adaptive pooling too") {
  Generator gen{21};
  Borders m;
  auto h = Dim("h", {.min = 4, .max = 32});
  auto w = Dim("w", {.min = 4, .max = 32});
  ExportedProgram const ep = export_program(m, std::tuple{randn({2, 3, 7, 9}, gen)}, {{2, 3, h, w}},
                                            {.input_names = {"x"}});
  ExportedProgram const core = ep.run_decompositions();
  INFO(core.str());
  check_same_interface(ep, core);
  CHECK_NOTHROW(decomp::verify_core(core));
  CHECK(count_op(core, "aten::pad") == 0);
  CHECK(count_op(core, "aten::flip") == 4);
  using outputs = std::tuple<Tensor, Tensor, Tensor>;
  ExportedModule run = core.module();
  for (std::int64_t rows : draw_sizes(4, 32, 3, 5)) {
    for (std::int64_t cols : draw_sizes(4, 32, 2, static_cast<unsigned>(rows))) {
      Tensor const x = randn({2, 3, rows, cols}, gen);
      auto const [a, b, c] = run.call<outputs>(x);
      auto const [ea, eb, ec] = m(x);
      CHECK(equal(a, ea));
      CHECK(equal(b, eb));
      CHECK(equal(c, ec));
    }
  }

  Uneven pool;
  auto batch = Dim("batch", {.max = 8});
  ExportedProgram const pooled = export_program(pool, std::tuple{randn({2, 3, 7, 9}, gen)},
                                                {{batch, 3, 7, 9}}, {.input_names = {"x"}});
  ExportedProgram const lowered = pooled.run_decompositions();
  CHECK(count_op(lowered, "aten::adaptive_avg_pool2d") == 0);
  CHECK(count_op(lowered, "aten::mean.dim") == 7);
  Tensor const x = randn({5, 3, 7, 9}, gen);
  CHECK(allclose(lowered.module().call<Tensor>(x), pool(x), {.rtol = 1e-5, .atol = 1e-6}));
}

TEST_CASE("Erasing linear keeps aten::linear nodes and changes nothing else") {
  Generator gen{14};
  models::MLP m(gen);
  auto batch = Dim("batch", {.min = 1, .max = 64});
  ExportedProgram const ep =
      export_program(m, std::tuple{randn({8, 16}, gen)}, {{batch, 16}}, {.input_names = {"x"}});
  decomp::decomposition_table table = decomp::default_decompositions();
  CHECK(table.contains<ops::linear>());
  table.erase<ops::linear>();
  CHECK_FALSE(table.contains<ops::linear>());
  CHECK(decomp::default_decompositions().contains<ops::linear>()); // the copy is independent
  ExportedProgram const kept = ep.run_decompositions(table);
  CHECK(count_op(kept, "aten::linear") == 3);
  CHECK(count_op(kept, "aten::addmm") == 0);
  // Nothing else changes: the same nodes, names, ops and attributes as the export.
  REQUIRE(kept.graph.nodes().size() == ep.graph.nodes().size());
  for (std::size_t i = 0; i < ep.graph.nodes().size(); ++i) {
    graph::node const& a = ep.graph.nodes()[i];
    graph::node const& b = kept.graph.nodes()[i];
    CHECK(a.name == b.name);
    CHECK(a.target == b.target);
    CHECK(a.args == b.args);
  }
  CHECK_NOTHROW(decomp::verify_core(kept, table));
  // The default table does not keep linear: the verifier names the nodes.
  CHECK_THROWS_WITH_AS(decomp::verify_core(kept),
                       doctest::Contains("linear: aten::linear, linear_1: aten::linear"),
                       decomp::decomposition_error);
}

namespace {

// A custom composite op: y = x * factor + 1.
struct scale_shift {
  static constexpr std::string_view name = "my::scale_shift";
  static constexpr ops::op_kind kind = ops::op_kind::composite;
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (double, factor));
  };
  static ops::meta_list meta(std::span<ops::tensor_meta const> in, attributes const&) {
    return {in[0]};
  }
};

struct ScaleShift : Module<ScaleShift> {
  BOOST_HANA_DEFINE_STRUCT(ScaleShift);
  Tensor forward(Tensor const& x) const { return ops::call1<scale_shift>({3.0}, {x}, {}); }
};

} // namespace

TEST_CASE("A user rule for a custom op is applied") {
  ScaleShift m;
  Generator gen{1};
  auto batch = Dim("batch", {.min = 1, .max = 8});
  ExportedProgram const ep = export_program(m, std::tuple{randn({4, 2}, gen)}, {{batch, 2}});
  CHECK(count_op(ep, "my::scale_shift") == 1);
  CHECK_THROWS_WITH_AS(decomp::verify_core(ep.run_decompositions()),
                       doctest::Contains("scale_shift: my::scale_shift"),
                       decomp::decomposition_error);
  decomp::decomposition_table table = decomp::default_decompositions();
  table.insert<scale_shift>(
      [](scale_shift::attributes const& a, std::span<Tensor const> in) -> ops::tensor_list {
        return {in[0] * a.factor + 1.0};
      });
  ExportedProgram const core = ep.run_decompositions(table);
  INFO(core.str());
  CHECK(count_op(core, "my::scale_shift") == 0);
  CHECK(count_op(core, "aten::mul.Tensor") == 1);
  CHECK(count_op(core, "aten::add.Tensor") == 1);
  CHECK_NOTHROW(decomp::verify_core(core, table));
}

TEST_CASE("A rule that would add a guard is an error naming the rule; the env is unchanged") {
  Generator gen{15};
  models::MLP m(gen);
  auto batch = Dim("batch", {.min = 1, .max = 64});
  ExportedProgram const ep =
      export_program(m, std::tuple{randn({8, 16}, gen)}, {{batch, 16}}, {.input_names = {"x"}});
  decomp::decomposition_table table;
  table.insert<ops::linear>(
      [](ops::linear::attributes const&, std::span<Tensor const> in) -> ops::tensor_list {
        // size(0) specializes the batch: a guard the program does not have.
        std::int64_t const rows = in[0].size(0);
        Tensor const w = ops::call1<ops::permute>({{1, 0}}, {in[1]}, {});
        return {ops::call1<ops::addmm>({1, 1}, {in[2], in[0].view({rows, in[0].size(1)}), w}, {})};
      },
      "guarding linear rule");
  std::size_t const guards = ep.shape_env->guards().size();
  CHECK_THROWS_WITH_AS(ep.run_decompositions(table),
                       doctest::Contains("the guarding linear rule (decomposing node 'linear' at "
                                         "linear.hpp:"),
                       decomp::decomposition_error);
  CHECK_THROWS_WITH_AS(ep.run_decompositions(table), doctest::Contains("would add the guard"),
                       decomp::decomposition_error);
  CHECK(ep.shape_env->guards().size() == guards);
  // The program still works and still decomposes with the default table.
  CHECK_NOTHROW(decomp::verify_core(ep.run_decompositions()));
}

TEST_CASE("A rule whose result has other sizes than the op is refused") {
  Generator gen{16};
  models::MLP m(gen);
  ExportedProgram const ep = export_program(m, std::tuple{randn({8, 16}, gen)});
  decomp::decomposition_table table;
  table.insert<ops::gelu>(
      [](ops::gelu::attributes const&, std::span<Tensor const> in) -> ops::tensor_list {
        return {
            ops::call1<ops::sum>({std::vector<std::int64_t>{0}, false, std::nullopt}, {in[0]}, {})};
      },
      "shrinking gelu rule");
  CHECK_THROWS_WITH_AS(ep.run_decompositions(table),
                       doctest::Contains("the shrinking gelu rule (decomposing node 'gelu'"),
                       decomp::decomposition_error);
  CHECK_THROWS_WITH_AS(
      ep.run_decompositions(table),
      doctest::Contains("computed output 0 as f32[32] where the op gives f32[8, 32]"),
      decomp::decomposition_error);
}

TEST_CASE("The default table: one rule per composite op") {
  decomp::decomposition_table const table = decomp::default_decompositions();
  CHECK(table.size() == decomp::default_rules::size);
  std::size_t composite = 0, covered = 0;
  ops::default_op_set::for_each([&]<class Op>() {
    if constexpr (Op::kind == ops::op_kind::composite) {
      ++composite;
      if (table.contains<Op>()) ++covered;
    }
  });
  CHECK(composite > 0);
  CHECK(covered == composite); // every composite op has a rule
  CHECK(decomp::core_op_set::contains<ops::masked_select>);
  CHECK(decomp::core_op_set::contains<ops::bincount>);
  CHECK(decomp::core_op_set::size + composite == ops::default_op_set::size);
}

namespace {

// Composite ops on a data-dependent size: the first `n` rows (n from item_int + checks),
// transposed, softmax over the rows.
struct HeadSoftmax : Module<HeadSoftmax> {
  BOOST_HANA_DEFINE_STRUCT(HeadSoftmax);
  Tensor forward(Tensor const& x, Tensor const& count) const {
    SymInt const n = item_int(count);
    check(n >= 1);
    check(n <= 4);
    return softmax(transpose(slice(x, 0, 0, n), 0, 1), -1);
  }
};

} // namespace

TEST_CASE("Data-dependent sizes and runtime asserts survive decomposition") {
  HeadSoftmax m;
  Generator gen{17};
  Tensor const x = randn({6, 3}, gen);
  auto count = [](std::int64_t n) { return scalar_tensor(n, {.dtype = dtype::int64}); };
  ExportedProgram const ep = export_program(m, std::tuple{x, count(3)});
  ExportedProgram const core = ep.run_decompositions();
  INFO(core.str());
  CHECK_NOTHROW(decomp::verify_core(core));
  check_same_interface(ep, core);
  CHECK(count_op(core, "aten::_assert_scalar") == count_op(ep, "aten::_assert_scalar"));
  CHECK(count_op(core, "aten::_assert_scalar") == 2);
  CHECK(core.str().find("\"f32[3, u0]\" = aten::permute") != std::string::npos);
  ExportedModule a = ep.module(), b = core.module();
  for (std::int64_t n : {1, 2, 4}) {
    Tensor const y = randn({6, 3}, gen);
    CHECK(allclose(b.call<Tensor>(y, count(n)), a.call<Tensor>(y, count(n))));
  }
  CHECK_THROWS_WITH_AS(b.call<Tensor>(x, count(5)),
                       doctest::Contains("Runtime assertion failed for expression u0 <= 4"),
                       constraint_violation);
}

TEST_CASE("cond: the branches are decomposed too, and the result runs both of them") {
  Generator gen(21);
  models::Gate m(gen);
  ExportedProgram const ep = export_program(m, std::tuple{randn({3, 4}, gen), models::flag(true)},
                                            {{Dim("n"), 4}, {}}, {.input_names = {"x", "flag"}});
  CHECK_THROWS_WITH_AS(decomp::verify_core(ep),
                       doctest::Contains("true_graph_0.linear: aten::linear"),
                       decomp::decomposition_error);
  ExportedProgram const core = ep.run_decompositions();
  std::string const text = core.str();
  INFO(text);
  decomp::verify_core(core);
  validate(core);
  CHECK(text.find("higher_order::cond(flag, true_graph_0, false_graph_0, (x, p_fc_weight, "
                  "p_fc_bias, relu))")
        != std::string::npos);
  CHECK(text.find("aten::linear") == std::string::npos);
  CHECK(text.find("aten::addmm") != std::string::npos); // inside true_graph_0
  ExportedModule before = ep.module();
  ExportedModule after = core.module();
  for (bool const f : {true, false}) {
    Tensor const x = randn({5, 4}, gen);
    CHECK(
        allclose(after.call<Tensor>(x, models::flag(f)), before.call<Tensor>(x, models::flag(f))));
  }
}
