// Dynamic-shapes specs built from the inputs: shapes_collection (PyTorch's
// ShapesCollection, a spec per tensor found by identity) and additional_inputs (PyTorch's
// AdditionalInputs, dims that vary across examples become dynamic). Each case names the
// test of PyTorch's test/export/test_export.py it twins.
#include <xport/api/elementwise.hpp>
#include <xport/api/reduction.hpp>
#include <xport/api/shape.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/export/export.hpp>
#include <xport/export/spec_builders.hpp>

#include "models.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <tuple>

using namespace xport;

// Everything in a namespace of its own: the export tests are compiled in unity batches.
namespace spec_builders_test {

struct Pair {
  BOOST_HANA_DEFINE_STRUCT(Pair, (Tensor, a), (Tensor, b));
};

// x: [n, 3], and a dict whose tensors have n + 1 and 2 * n rows.
struct Nested : Module<Nested> {
  BOOST_HANA_DEFINE_STRUCT(Nested);
  Tensor forward(Tensor const& x, std::map<std::string, Tensor> const& others) const {
    Tensor const y = others.at("y");
    Tensor const z = others.at("z");
    return x + slice(y, 0, 1) + slice(z, 0, 0, x.sym_size(0));
  }
};

struct FromStruct : Module<FromStruct> {
  BOOST_HANA_DEFINE_STRUCT(FromStruct);
  Tensor forward(Pair const& p) const { return p.a * 2.0 + p.b; }
};

// x: [n, 3] and y: [m]; x plus the sum of y.
struct TwoInputs : Module<TwoInputs> {
  BOOST_HANA_DEFINE_STRUCT(TwoInputs);
  Tensor forward(Tensor const& x, Tensor const& y) const { return x + sum(y); }
};

// A float scaling x: specialized by export.
struct Scaled : Module<Scaled> {
  BOOST_HANA_DEFINE_STRUCT(Scaled);
  Tensor forward(Tensor const& x, double factor) const { return x * factor; }
};

// test_dynamic_shapes_builder_basic: specs given per tensor for inputs nested in a dict.
TEST_CASE("shapes_collection: specs keyed by the tensors of nested inputs") {
  Generator gen{3};
  Nested m;
  Tensor const x = randn({4, 3}, gen);
  Tensor const y = randn({5, 3}, gen);
  Tensor const z = randn({8, 3}, gen);
  std::map<std::string, Tensor> const others{{"y", y}, {"z", z}};
  auto const args = std::tuple{x, others};
  //! [shapes_collection]
  auto n = Dim("n", {.min = 2, .max = 64});
  shapes_collection shapes;
  shapes.set(x, {n, 3});
  shapes.set_dims(y, {{0, n + 1}});
  shapes.set(z, {2 * n, 3});
  shapes.set(x, {n, 3});                                        // the same spec again is fine
  sym::dynamic_shapes const spec = shapes.dynamic_shapes(args); // x, then y and z
  //! [shapes_collection]
  CHECK(shapes.size() == 3);
  REQUIRE(spec.size() == 3);
  CHECK(spec[0] == sym::shape_spec{n, 3});
  CHECK(spec[1] == sym::shape_spec{n + 1, sym::Dim::Static});
  CHECK(spec[2] == sym::shape_spec{2 * n, 3});
  ExportedProgram const ep = export_program(m, args, spec);
  std::string const text = ep.str();
  CAPTURE(text);
  CHECK(text.find("s0 + 1") != std::string::npos);
  CHECK(text.find("2*s0") != std::string::npos);
  // Other sizes in the contract run as eager does.
  Tensor const x2 = randn({7, 3}, gen);
  std::map<std::string, Tensor> const others2{{"y", randn({8, 3}, gen)},
                                              {"z", randn({14, 3}, gen)}};
  CHECK(allclose(ep.module().call<Tensor>(x2, others2), m(x2, others2)));
}

// test_dynamic_shapes_builder_pytree: a struct input (PyTorch's dataclass); a tensor
// without a spec stays static.
TEST_CASE("shapes_collection: a struct's fields; tensors given no spec are static") {
  Generator gen{4};
  FromStruct m;
  Pair const p{randn({4, 3}, gen), randn({4, 3}, gen)};
  auto batch = Dim("batch", {.min = 2, .max = 16});
  shapes_collection shapes;
  shapes.set_dims(p.a, {{0, batch}});
  sym::dynamic_shapes const spec = shapes.dynamic_shapes(std::tuple{p});
  REQUIRE(spec.size() == 2);
  CHECK(spec[1].is_all_static());
  // b is static at 4 rows, a dynamic: adding them makes the batch equal 4, which the spec
  // does not allow.
  CHECK_THROWS_WITH_AS(export_program(m, std::tuple{p}, spec),
                       doctest::Contains("Constraints violated (batch)"), constraint_violation);
  shapes.set(p.b, {batch, 3});
  ExportedProgram const ep = export_program(m, std::tuple{p}, shapes.dynamic_shapes(std::tuple{p}));
  Pair const q{randn({9, 3}, gen), randn({9, 3}, gen)};
  CHECK(allclose(ep.module().call<Tensor>(q), m(q)));
}

// The refusals of ShapesCollection, in PyTorch's words.
TEST_CASE("shapes_collection: a second spec for one tensor, a tensor not in the inputs") {
  Generator gen{5};
  Tensor const x = randn({4, 3}, gen);
  Tensor const y = randn({6}, gen);
  auto d = Dim("d");
  shapes_collection shapes;
  shapes.set(x, {d, 3});
  CHECK_THROWS_WITH_AS(shapes.set(x, {d, 4}),
                       "Shapes assigned to input do not match: expected (d, 3), got (d, 4)",
                       value_error);
  CHECK_THROWS_WITH_AS(shapes.set_dims(x, {{0, d}}),
                       "Shapes assigned to input do not match: expected (d, 3), got {0: d}",
                       value_error);
  // A copy is another tensor: x is not found.
  CHECK_THROWS_WITH_AS(
      shapes.dynamic_shapes(std::tuple{x.clone(), y}),
      doctest::Contains(
          "Some tensors that were assigned shapes were not found in args. Maybe such tensors "
          "were copied when passing them as args?"),
      value_error);
  shapes_collection by_index;
  by_index.set_dims(y, {{1, d}});
  CHECK_THROWS_WITH_AS(
      by_index.dynamic_shapes(std::tuple{x, y}),
      "shapes_collection: the spec of args[1] names dim 1, but the tensor has 1 dims", value_error);
  shapes_collection rank;
  rank.set(y, {d, 2});
  CHECK_THROWS_WITH_AS(rank.dynamic_shapes(std::tuple{x, y}),
                       doctest::Contains("has 2 dims, but the tensor has 1"), value_error);
  CHECK_THROWS_WITH_AS(rank.set(Tensor(), {d}), doctest::Contains("undefined tensor"), value_error);
}

// test_dynamic_shapes_inferred_basic: dims that differ between the examples are dynamic,
// the others static; verify checks every example against the program's contract.
TEST_CASE("additional_inputs: dims that vary become dynamic") {
  Generator gen{6};
  TwoInputs m;
  //! [additional_inputs]
  auto const args = std::tuple{randn({4, 3}, gen), randn({6}, gen)};
  additional_inputs more;
  more.add(std::tuple{randn({5, 3}, gen), randn({7}, gen)});
  more.add(std::tuple{randn({9, 3}, gen), randn({6}, gen)});
  sym::dynamic_shapes const spec = more.dynamic_shapes(args); // (Dynamic, 3), (Dynamic)
  ExportedProgram const ep = export_program(m, args, spec);
  more.verify(ep); // every example meets the program's contract
  //! [additional_inputs]
  CHECK(more.size() == 2);
  REQUIRE(spec.size() == 2);
  CHECK(spec[0] == sym::shape_spec{sym::Dim::Dynamic, sym::Dim::Static});
  CHECK(spec[1] == sym::shape_spec{sym::Dim::Dynamic});
  CHECK(ep.range_constraints.size() == 2);
  // An example the program's contract refuses: 3 columns are static.
  additional_inputs wide;
  wide.add(std::tuple{randn({5, 4}, gen), randn({7}, gen)});
  CHECK_THROWS_WITH_AS(wide.verify(ep), doctest::Contains("to be equal to 3, but got 4"),
                       constraint_violation);
  Tensor const x = randn({11, 3}, gen);
  Tensor const y = randn({2}, gen);
  CHECK(allclose(ep.module().call<Tensor>(x, y), m(x, y)));
}

// test_additional_inputs_constants and test_symint_input_additional_inputs: a SymInt
// that varies becomes dynamic; a float or an int export specializes must not vary, and
// leaves of differing kinds or ranks are refused.
TEST_CASE("additional_inputs: SymInts, constants, kinds and ranks") {
  Generator gen{7};
  SUBCASE("a SymInt that varies is dynamic") {
    models::Tile m;
    auto const args = std::tuple{randn({2, 3}, gen), SymInt(4)};
    additional_inputs more;
    more.add(std::tuple{randn({2, 3}, gen), SymInt(6)});
    sym::dynamic_shapes const spec = more.dynamic_shapes(args);
    REQUIRE(spec.size() == 2);
    CHECK(spec[0] == sym::shape_spec{sym::Dim::Static, sym::Dim::Static});
    CHECK(spec[1] == sym::shape_spec{sym::Dim::Dynamic});
    ExportedProgram const ep = export_program(m, args, spec);
    Tensor const x = randn({2, 3}, gen);
    CHECK(allclose(ep.module().call<Tensor>(x, SymInt(5)), m(x, SymInt(5))));
    additional_inputs same;
    same.add(std::tuple{randn({2, 3}, gen), SymInt(4)});
    CHECK(same.dynamic_shapes(args)[1].is_all_static());
  }
  SUBCASE("a float that varies is refused; an equal one is specialized") {
    auto const args = std::tuple{randn({4}, gen), 2.0};
    additional_inputs more;
    more.add(std::tuple{randn({4}, gen), 3.0});
    CHECK_THROWS_WITH_AS(more.dynamic_shapes(args),
                         "The following inputs were found to have differing values, but they "
                         "cannot be marked as dynamic: (2.0, 3.0).",
                         value_error);
    additional_inputs equal;
    equal.add(std::tuple{randn({6}, gen), 2.0});
    sym::dynamic_shapes const spec = equal.dynamic_shapes(args);
    REQUIRE(spec.size() == 1);
    CHECK(spec[0] == sym::shape_spec{sym::Dim::Dynamic});
    Scaled m;
    ExportedProgram const ep = export_program(m, args, spec);
    Tensor const x = randn({9}, gen);
    CHECK(allclose(ep.module().call<Tensor>(x, 2.0), m(x, 2.0)));
  }
  SUBCASE("an int against a tensor, a tensor of another rank, another structure") {
    auto const args = std::tuple{randn({4, 3}, gen), randn({6}, gen)};
    additional_inputs kinds;
    kinds.add(std::tuple{randn({4, 3}, gen), 2});
    CHECK_THROWS_WITH_AS(kinds.dynamic_shapes(args),
                         doctest::Contains("found to have differing types, so they cannot be "
                                           "marked as dynamic"),
                         value_error);
    additional_inputs ranks;
    ranks.add(std::tuple{randn({4, 3, 2}, gen), randn({6}, gen)});
    CHECK_THROWS_WITH_AS(ranks.dynamic_shapes(args),
                         doctest::Contains("differing ranks, so they cannot be marked as dynamic: "
                                           "sizes ([4, 3], [4, 3, 2])"),
                         value_error);
    additional_inputs structure;
    structure.add(std::tuple{randn({4, 3}, gen)});
    CHECK_THROWS_WITH_AS(structure.dynamic_shapes(args),
                         doctest::Contains("found to have differing structures"), value_error);
  }
}

} // namespace spec_builders_test
