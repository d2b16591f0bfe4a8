// Symbolic scalars at the edges of a program, and code that asks whether it is being
// exported: twins of PyTorch's test_is_exporting
// (test/export/test_export.py; the name is in each test's comment), and a data-dependent
// size returned on its own.
#include <xport/api/control_flow.hpp>
#include <xport/api/data_dependent.hpp>
#include <xport/api/elementwise.hpp>
#include <xport/api/shape.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/export/export.hpp>
#include <xport/export/is_exporting.hpp>
#include <xport/export/unflatten.hpp>
#include <xport/serde/load_pt2.hpp>
#include <xport/serde/save_pt2.hpp>

#include <support/programs.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

using namespace xport;

// The models and tests live in a namespace of their own: the export tests are compiled in
// unity batches, where file-local names of the other files would clash.
namespace symbolic_scalars {

using xport_test::reloaded;
using xport_test::value_of;

using xport_test::calls_of;

// ---------------------------------------------------------------------------------------
// Sizes as outputs

// The outputs of PyTorch's test_symint_output (`z + y + x[0], z`), with the sum of sizes
// returned on its own (its twin, export_symint_operands.cpp, adds it to `x[0]`).
struct SizesOut : Module<SizesOut> {
  BOOST_HANA_DEFINE_STRUCT(SizesOut);
  std::tuple<Tensor, SymInt, SymInt> forward(Tensor const& x) const {
    SymInt const z = x.sym_size(0), y = x.sym_size(1);
    return {x.select(0, 0) + 1.0, z + y, z};
  }
};

TEST_CASE("sizes returned by forward are evaluated on every call") {
  SizesOut m;
  ExportedProgram const ep = export_program(
      m, std::tuple{ones({2, 3})},
      sym::dynamic_shapes({sym::shape_spec{Dim("dim0_x"), Dim("dim1_x")}}), {.input_names = {"x"}});
  std::string const text = ep.str();
  INFO(text);
  CHECK(xport_test::says(text, "return (add, s0 + s1, s0)"));
  // The program, the same saved and loaded in xport's format and in PyTorch's (sym_size and
  // operator nodes compute the sizes there), and its module tree give each call's sizes.
  ExportedProgram const loaded = reloaded(ep);
  ExportedProgram const from_pt2 = load_pt2_from_bytes(save_pt2_to_bytes(ep));
  INFO(from_pt2.str());
  for (std::int64_t const rows : {2, 4, 7}) {
    Tensor const x = full({rows, 5}, 2.0);
    for (ExportedProgram const* p : {&ep, &loaded, &from_pt2}) {
      auto const [first, sum, count] = p->module().call<std::tuple<Tensor, SymInt, SymInt>>(x);
      CHECK(equal(first, full({5}, 3.0)));
      CHECK(value_of(sum) == rows + 5);
      CHECK(value_of(count) == rows);
    }
    auto const [first, sum, count] = unflatten(ep).call<std::tuple<Tensor, SymInt, SymInt>>(x);
    CHECK(value_of(sum) == rows + 5);
    CHECK(value_of(count) == rows);
  }
  // A symbolic integer is an output, never a specialized input: save refuses a program
  // that has one there rather than write a file load refuses.
  ExportedProgram bad = ep;
  bad.input_constants.at(0) = *ep.signature.outputs.at(1).constant;
  std::stringstream bytes;
  CHECK_THROWS_WITH_AS(save(bad, bytes),
                       doctest::Contains("a symbolic integer (s0 + s1) appears where the program "
                                         "keeps a constant value"),
                       serialization_error);
}

// An int that forward returns and that is no size: xport's format keeps it, PyTorch's
// archive has no place for it.
struct ConstantOut : Module<ConstantOut> {
  BOOST_HANA_DEFINE_STRUCT(ConstantOut);
  std::tuple<Tensor, std::int64_t> forward(Tensor const& x) const { return {x + 1.0, 7}; }
};

TEST_CASE("a constant int output: kept by xport::save, refused by save_pt2 with the reason") {
  ConstantOut m;
  ExportedProgram const ep = export_program(m, std::tuple{ones({2})}, {}, {.input_names = {"x"}});
  auto const [y, seven] = reloaded(ep).module().call<std::tuple<Tensor, std::int64_t>>(ones({2}));
  CHECK(seven == 7);
  CHECK(equal(y, full({2}, 2.0)));
  CHECK_THROWS_WITH_AS(save_pt2_to_bytes(ep),
                       doctest::Contains("non-tensor output: 1 node, first '7' (a constant that "
                                         "forward returns"),
                       unsupported_error);
}

// A data-dependent size returned without the tensor it sizes: the op that defines it stays
// in the program.
struct CountNonzero : Module<CountNonzero> {
  BOOST_HANA_DEFINE_STRUCT(CountNonzero);
  SymInt forward(Tensor const& x) const { return nonzero(x).sym_size(0); }
};

TEST_CASE("a data-dependent size as the only output: nonzero stays, each call counts") {
  CountNonzero m;
  ExportedProgram const ep =
      export_program(m, std::tuple{from({0.0f, 1.0f, 2.0f})}, {}, {.input_names = {"x"}});
  INFO(ep.str());
  CHECK(calls_of(ep.graph, "aten::nonzero") == 1);
  ExportedProgram const loaded = reloaded(ep);
  for (ExportedProgram const* p : {&ep, &loaded}) {
    CHECK(value_of(p->module().call<SymInt>(from({0.0f, 0.0f, 0.0f}))) == 0);
    CHECK(value_of(p->module().call<SymInt>(from({3.0f, 0.0f, -1.0f}))) == 2);
  }
}

// A data-dependent size defined inside a submodule. A replacement of that module defines it
// by the sizes of what it returns, when the tensor it sizes is among the module's outputs;
// when only the size leaves the module, the replacement cannot, and the call says so.
struct NonzeroRows : Module<NonzeroRows> {
  BOOST_HANA_DEFINE_STRUCT(NonzeroRows);
  Tensor forward(Tensor const& x) const { return nonzero(x); }
};

struct RowsAndCount : Module<RowsAndCount> {
  BOOST_HANA_DEFINE_STRUCT(RowsAndCount, (NonzeroRows, inner));
  std::tuple<Tensor, SymInt> forward(Tensor const& x) {
    Tensor const rows = inner(x);
    return {rows, rows.sym_size(0)};
  }
};

struct CountOnly : Module<CountOnly> {
  BOOST_HANA_DEFINE_STRUCT(CountOnly, (NonzeroRows, inner));
  std::tuple<Tensor, SymInt> forward(Tensor const& x) { return {x + 1.0, inner(x).sym_size(0)}; }
};

TEST_CASE("a size defined in a replaced submodule: the replacement's, or a clear error") {
  Tensor const x = from({0.0f, 1.0f, 2.0f});
  auto const five_rows = [](std::span<Tensor const>) {
    return std::vector<Tensor>{zeros({5, 1}, {.dtype = dtype::int64})};
  };
  RowsAndCount with_rows;
  UnflattenedModule root =
      unflatten(export_program(with_rows, std::tuple{x}, {}, {.input_names = {"x"}}));
  CHECK(value_of(std::get<1>(root.call<std::tuple<Tensor, SymInt>>(x))) == 2);
  root.set_submodule("inner", five_rows);
  CHECK(value_of(std::get<1>(root.call<std::tuple<Tensor, SymInt>>(x))) == 5);

  CountOnly count_only;
  UnflattenedModule other =
      unflatten(export_program(count_only, std::tuple{x}, {}, {.input_names = {"x"}}));
  CHECK(value_of(std::get<1>(other.call<std::tuple<Tensor, SymInt>>(x))) == 2);
  other.set_submodule("inner", [](std::span<Tensor const>) { return std::vector<Tensor>{}; });
  auto const call = [&] { return other.call<std::tuple<Tensor, SymInt>>(x); };
  CHECK_THROWS_WITH_AS(call(),
                       doctest::Contains("the program uses the size u0, which no input or earlier "
                                         "op determines (a replaced submodule may define it"),
                       value_error);
}

// ---------------------------------------------------------------------------------------
// is_exporting

// test_is_exporting
struct ExportingPaths : Module<ExportingPaths> {
  BOOST_HANA_DEFINE_STRUCT(ExportingPaths);
  static Tensor f(Tensor const& x) { return is_exporting() ? sin(x) : cos(x); }
  Tensor forward(Tensor const& pred, Tensor const& x) const {
    Tensor const y = f(x);
    auto const true_fn = [](Tensor const& v) { return is_exporting() ? f(v) - 1.0 : f(v) + 1.0; };
    auto const false_fn = [](Tensor const& v) { return is_exporting() ? f(v) + 1.0 : f(v) - 1.0; };
    return cond(pred, true_fn, false_fn, x) * y;
  }
};

// test_is_exporting
TEST_CASE("test_is_exporting: forward and cond's branches take the exporting path") {
  ExportingPaths m;
  Tensor const x = from({0.5f, -1.0f, 2.0f, 0.25f}).reshape({2, 2});
  CHECK_FALSE(is_exporting());
  ExportedProgram const ep =
      export_program(m, std::tuple{scalar_tensor(false), x}, {}, {.input_names = {"pred", "x"}});
  CHECK_FALSE(is_exporting()); // only while tracing
  INFO(ep.str());
  CHECK(calls_of(ep.graph, "aten::sin") == 1);
  CHECK(calls_of(ep.graph, "aten::cos") == 0);
  REQUIRE(calls_of(ep.graph, "higher_order::cond") == 1);
  for (graph::node const& n : ep.graph.nodes()) {
    if (n.subgraphs.empty()) continue;
    graph::Graph const& on_true = *n.subgraphs.at(0).graph;
    graph::Graph const& on_false = *n.subgraphs.at(1).graph;
    CHECK(calls_of(on_true, "aten::sin") == 1);
    CHECK(calls_of(on_true, "aten::sub.Scalar") + calls_of(on_true, "aten::sub.Tensor") == 1);
    CHECK(calls_of(on_false, "aten::sin") == 1);
    CHECK(calls_of(on_false, "aten::add.Scalar") + calls_of(on_false, "aten::add.Tensor") == 1);
  }
  // The program computes the exporting path, eager code the other one.
  for (bool const pred : {false, true}) {
    Tensor const p = scalar_tensor(pred);
    Tensor const exported = (pred ? sin(x) - 1.0 : sin(x) + 1.0) * sin(x);
    Tensor const eager = (pred ? cos(x) + 1.0 : cos(x) - 1.0) * cos(x);
    CHECK(allclose(ep.module().call<Tensor>(p, x), exported));
    CHECK(allclose(m(p, x), eager));
  }
}

} // namespace symbolic_scalars
