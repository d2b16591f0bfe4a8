// Structure mismatches between a value (or a target type) and a spec name the path, both
// kinds, and the lengths, keys or fields that differ.
#include <xport/core/factories.hpp>
#include <xport/trace/pytree.hpp>

#include <support/geo.hpp>

#include <boost/hana/define_struct.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace geo {
struct Line {
  BOOST_HANA_DEFINE_STRUCT(Line, (xport::Tensor, x));
};
} // namespace geo

namespace {
using namespace xport;
using doctest::Contains;

tree_spec const pair_of_leaves = tuple_spec({leaf_spec(), leaf_spec()});
} // namespace

TEST_CASE("a different node kind names the path and both kinds") {
  Tensor const t = zeros({2});
  using inputs_t = std::tuple<std::map<std::string, std::tuple<int, std::vector<Tensor>>>>;
  inputs_t const inputs{{{"k", {1, {t, t}}}}};
  auto const spec = tuple_spec({dict_spec({"k"}, {tuple_spec({leaf_spec(), pair_of_leaves})})});
  CHECK_THROWS_WITH_AS(flatten_like(inputs, spec, "inputs"),
                       "inputs[0]['k'][1] is a vector, but the spec has a tuple", structure_error);
  try {
    flatten_like(inputs, spec, "inputs");
  } catch (structure_error const& e) {
    CHECK(e.path() == "inputs[0]['k'][1]");
  }
  // The same mismatch seen from the target type when rebuilding.
  CHECK_THROWS_WITH_AS(unflatten<inputs_t>({1, t, t}, spec, "inputs"),
                       "inputs[0]['k'][1] is a vector, but the spec has a tuple", structure_error);

  CHECK_THROWS_WITH_AS(flatten_like(std::tuple{1}, list_spec({leaf_spec()})),
                       "tree is a tuple, but the spec has a list", structure_error);
  CHECK_THROWS_WITH_AS(flatten_like(std::pair{1, 2}, list_spec({{}, {}})),
                       "tree is a pair, but the spec has a list", structure_error);
  CHECK_THROWS_WITH_AS(flatten_like(std::array{1, 2}, pair_of_leaves, "x"),
                       "x is an array, but the spec has a tuple", structure_error);
  CHECK_THROWS_WITH_AS(flatten_like(std::map<std::string, int>{}, list_spec({})),
                       "tree is a map, but the spec has a list", structure_error);
  CHECK_THROWS_WITH_AS(flatten_like(t, pair_of_leaves, "args"),
                       "args is a Tensor, but the spec has a tuple", structure_error);
  CHECK_THROWS_WITH_AS(flatten_like(std::vector<int>{}, leaf_spec(), "args"),
                       "args is a vector, but the spec has a leaf", structure_error);
  CHECK_THROWS_WITH_AS(flatten_like(std::tuple{1}, tuple_spec({none_spec()}), "args"),
                       "args[0] is an int, but the spec has None", structure_error);
  CHECK_THROWS_WITH_AS(flatten_like(std::optional<int>{}, pair_of_leaves),
                       "tree is None, but the spec has a tuple", structure_error);
  CHECK_THROWS_WITH_AS(flatten_like(std::optional<int>{3}, none_spec()),
                       "tree is an int, but the spec has None", structure_error);
}

TEST_CASE("a different length names the path and both lengths") {
  CHECK_THROWS_WITH_AS(
      flatten_like(std::tuple{std::vector{1, 2, 3}}, tuple_spec({list_spec({{}, {}})}), "inputs"),
      "inputs[0] is a vector of length 3, but the spec has a list of length 2", structure_error);
  CHECK_THROWS_WITH_AS(flatten_like(std::tuple{1, 2, 3}, pair_of_leaves),
                       "tree is a tuple of length 3, but the spec has a tuple of length 2",
                       structure_error);
  CHECK_THROWS_WITH_AS((unflatten<std::array<int, 3>>({1, 2}, list_spec({{}, {}}))),
                       "tree is an array of length 3, but the spec has a list of length 2",
                       structure_error);
  CHECK_THROWS_WITH_AS(unflatten<std::tuple<int>>({1, 2}, pair_of_leaves),
                       "tree is a tuple of length 1, but the spec has a tuple of length 2",
                       structure_error);
}

TEST_CASE("different dict keys name the path, both key lists, and what is missing or extra") {
  std::map<std::string, int> const m{{"a", 1}, {"c", 3}};
  auto const spec = tuple_spec({dict_spec({"a", "b"}, {leaf_spec(), leaf_spec()})});
  CHECK_THROWS_WITH_AS(flatten_like(std::tuple{m}, spec, "inputs"),
                       "inputs[0] is a map with keys ['a', 'c'], but the spec has a dict with "
                       "keys ['a', 'b'] (missing keys: ['b']; extra keys: ['c'])",
                       structure_error);
  CHECK_THROWS_WITH_AS(
      flatten_like(std::map<std::string, int>{{"a", 1}}, dict_spec({"a", "b"}, {{}, {}})),
      Contains("(missing keys: ['b'])"), structure_error);
  CHECK_THROWS_WITH_AS(
      flatten_like(std::map<std::string, int>{{"a", 1}, {"b", 2}}, dict_spec({"a"}, {{}})),
      Contains("(extra keys: ['b'])"), structure_error);
}

TEST_CASE("structs must match the spec's type name and fields") {
  geo::Point const p{zeros({1}), std::nullopt};
  auto const line = flatten(geo::Line{zeros({1})}).spec;
  CHECK_THROWS_WITH_AS(flatten_like(std::tuple{1, p}, tuple_spec({leaf_spec(), line}), "args"),
                       "args[1] is a struct geo::Point, but the spec has a struct geo::Line",
                       structure_error);
  auto const other_fields = dataclass_spec("geo::Point", {"x", "z"}, {leaf_spec(), none_spec()});
  CHECK_THROWS_WITH_AS(flatten_like(p, other_fields, "args"),
                       "args is a struct geo::Point with fields ['x', 'y'], but the spec has a "
                       "struct geo::Point with fields ['x', 'z'] (missing fields: ['z']; extra "
                       "fields: ['y'])",
                       structure_error);
  CHECK_THROWS_WITH_AS(unflatten<geo::Point>({zeros({1})}, line, "out"),
                       "out is a struct geo::Point, but the spec has a struct geo::Line",
                       structure_error);
  CHECK_THROWS_WITH_AS(flatten_like(p, dict_spec({"x", "y"}, {leaf_spec(), none_spec()})),
                       "tree is a struct geo::Point, but the spec has a dict", structure_error);
  // Inside a struct, paths continue with the field name.
  CHECK_THROWS_WITH_AS(
      flatten_like(p, dataclass_spec("geo::Point", {"x", "y"}, {pair_of_leaves, none_spec()}),
                   "args"),
      "args.x is a Tensor, but the spec has a tuple", structure_error);
}

TEST_CASE("unflatten checks the leaf count") {
  CHECK_THROWS_WITH_AS((unflatten<std::tuple<int, int>>({1, 2, 3}, pair_of_leaves)),
                       "unflatten: `leaves` has length 3 but the spec refers to a pytree that "
                       "holds 2 items ((*, *))",
                       structure_error);
  CHECK_THROWS_AS(unflatten({}, pair_of_leaves), structure_error);
}

TEST_CASE("unflatten checks each leaf against the target type") {
  CHECK_THROWS_WITH_AS((unflatten<std::tuple<int, Tensor>>({1, 2}, pair_of_leaves, "out")),
                       "out[1] is a Tensor, but the leaf there is an int (2)", structure_error);
  CHECK_THROWS_WITH_AS(unflatten<std::vector<double>>({1.5, std::string("s")}, list_spec({{}, {}})),
                       "tree[1] is a float, but the leaf there is a str ('s')", structure_error);
  CHECK_THROWS_WITH_AS(unflatten<int>({1.5}, leaf_spec()),
                       "tree is an int, but the leaf there is a float (1.5)", structure_error);
  CHECK_THROWS_WITH_AS(unflatten<bool>({std::int64_t{1}}, leaf_spec()),
                       "tree is a bool, but the leaf there is an int (1)", structure_error);
  CHECK_THROWS_WITH_AS(unflatten<std::string>({zeros({1})}, leaf_spec()),
                       "tree is a str, but the leaf there is a Tensor", structure_error);
  CHECK_THROWS_WITH_AS(unflatten<Tensor>({none}, leaf_spec()),
                       "tree is a Tensor, but the leaf there is None", structure_error);
  CHECK_THROWS_WITH_AS(unflatten<Tensor>({}, none_spec()),
                       "tree is a Tensor, but the spec has None", structure_error);
  CHECK_THROWS_WITH_AS(unflatten<std::uint8_t>({std::int64_t{300}}, leaf_spec()),
                       "tree: the int leaf 300 does not fit in unsigned char", structure_error);
  CHECK_THROWS_WITH_AS(unflatten<none_t>({std::int64_t{1}}, leaf_spec()),
                       "tree is None, but the leaf there is an int", structure_error);
  CHECK_THROWS_WITH_AS(unflatten<leaf>({}, list_spec({})),
                       "tree is a leaf, but the spec has a list", structure_error);
}

TEST_CASE("an unsigned integer beyond int64 cannot be a leaf") {
  std::uint64_t const huge = std::numeric_limits<std::uint64_t>::max();
  CHECK_THROWS_WITH_AS(flatten(std::tuple{1, huge}, "args"),
                       "args[1]: the integer 18446744073709551615 does not fit in an int64 leaf",
                       value_error);
  CHECK(std::get<std::int64_t>(flatten(std::uint64_t{1} << 62).leaves[0]) == std::int64_t{1} << 62);
}

TEST_CASE("structure errors are value errors") {
  CHECK_THROWS_AS(flatten_like(std::vector<int>{}, leaf_spec()), value_error);
  CHECK_THROWS_AS(flatten_like(std::vector<int>{}, leaf_spec()), xport::error);
}
