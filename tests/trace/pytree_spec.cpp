// tree_spec: PyTorch's TreeSpec repr, pretty printing, equality, hashing, key paths, leaf
// printing.
#include <xport/core/factories.hpp>
#include <xport/trace/pytree.hpp>

#include <support/geo.hpp>

#include <boost/hana/define_struct.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <unordered_set>
#include <vector>

namespace geo {
struct Renamed {
  BOOST_HANA_DEFINE_STRUCT(Renamed, (int, a));
};
} // namespace geo

template <>
inline constexpr std::string_view xport::dataclass_name<geo::Renamed> = "geo.Renamed";

namespace {
using namespace xport;
} // namespace

TEST_CASE("leaf and None print as PyTorch prints them") {
  CHECK(leaf_spec().repr() == "*");
  CHECK(none_spec().repr() == "TreeSpec(NoneType, None, [])");
  CHECK(leaf_spec().pretty() == "*");
  CHECK(none_spec().pretty() == "None");
}

TEST_CASE("nested specs print PyTorch's multi-line TreeSpec repr") {
  // Python: tree_flatten((x, {'a': y, 'b': [z, w]}))[1]
  auto const spec =
      tuple_spec({leaf_spec(), dict_spec({"a", "b"}, {leaf_spec(), list_spec({{}, {}})})});
  CHECK(spec.repr()
        == "TreeSpec(tuple, None, [*,\n"
           "  TreeSpec(dict, ['a', 'b'], [*,\n"
           "    TreeSpec(list, None, [*,\n"
           "      *])])])");
  std::ostringstream out;
  out << spec;
  CHECK(out.str() == spec.repr());
  CHECK(tuple_spec({}).repr() == "TreeSpec(tuple, None, [])");
  CHECK(list_spec({leaf_spec()}).repr() == "TreeSpec(list, None, [*])");
}

TEST_CASE("a dataclass prints its flat and None field names apart, as PyTorch does") {
  auto const full = flatten(geo::Point{full_like(zeros({1}), 1), zeros({1})}).spec;
  CHECK(full.repr() == "TreeSpec(geo::Point, [['x', 'y'], []], [*,\n  *])");
  auto const half = flatten(geo::Point{zeros({1}), std::nullopt}).spec;
  CHECK(half.repr() == "TreeSpec(geo::Point, [['x'], ['y']], [*])");
  CHECK(half.pretty() == "geo::Point(x=*, y=None)");
  CHECK(half.num_children() == 2); // xport keeps the None field as a child
}

TEST_CASE("dataclass_name can be specialized for a stable name") {
  auto const spec = flatten(geo::Renamed{1}).spec;
  CHECK(spec.type_name() == "geo.Renamed");
  CHECK(spec.pretty() == "geo.Renamed(a=*)");
}

TEST_CASE("pretty prints the tree with * for leaves") {
  auto const value = std::tuple{
      1, std::tuple{2}, std::map<std::string, std::vector<int>>{{"k", {1, 2}}, {"it's", {}}}};
  CHECK(flatten(value).spec.pretty() == "(*, (*,), {\"it's\": [], 'k': [*, *]})");
}

TEST_CASE("specs are equal when kinds, keys, names and children are") {
  CHECK(flatten(std::tuple{1, 2.0}).spec == flatten(std::pair{true, std::string("s")}).spec);
  CHECK(flatten(std::vector{1, 2}).spec == flatten(std::array{3, 4}).spec);
  CHECK(flatten(std::vector{1, 2}).spec != flatten(std::tuple{1, 2}).spec);
  CHECK(flatten(std::vector{1, 2}).spec != flatten(std::vector{1}).spec);
  CHECK(flatten(std::optional<int>{}).spec != flatten(std::optional<int>{1}).spec);
  CHECK(dict_spec({"a", "b"}, {{}, {}}) != dict_spec({"b", "a"}, {{}, {}}));
  CHECK(dict_spec({"a"}, {{}}) != dataclass_spec("a", {"a"}, {{}}));
  CHECK(dataclass_spec("P", {"x"}, {{}}) != dataclass_spec("Q", {"x"}, {{}}));
  CHECK(dataclass_spec("P", {"x"}, {{}}) != dataclass_spec("P", {"y"}, {{}}));
  CHECK(tuple_spec({none_spec()}) != tuple_spec({leaf_spec()}));
}

TEST_CASE("equal specs hash equally, so they can key unordered containers") {
  auto const a = flatten(std::tuple{std::vector{1, 2}, std::map<std::string, int>{{"k", 1}}}).spec;
  auto const b = tuple_spec({list_spec({{}, {}}), dict_spec({"k"}, {{}})});
  REQUIRE(a == b);
  CHECK(std::hash<tree_spec>{}(a) == std::hash<tree_spec>{}(b));
  std::unordered_set<tree_spec> seen{
      a,           b,          list_spec({{}, {}}), tuple_spec({{}, {}}), dict_spec({"j"}, {{}}),
      none_spec(), leaf_spec()};
  CHECK(seen.size() == 6);
  CHECK(seen.contains(
      flatten(std::tuple{std::vector{7, 8}, std::map<std::string, int>{{"k", 9}}}).spec));
}

TEST_CASE("counts") {
  auto const spec = tuple_spec({leaf_spec(), none_spec(), list_spec({{}, {}})});
  CHECK(spec.num_leaves() == 3);
  CHECK(spec.num_nodes() == 6);
  CHECK(spec.num_children() == 3);
  CHECK(none_spec().num_leaves() == 0);
  CHECK(none_spec().num_nodes() == 1);
  CHECK(leaf_spec().num_leaves() == 1);
}

TEST_CASE("malformed hand-built specs are refused") {
  CHECK_THROWS_WITH_AS(dict_spec({"a"}, {}), "dict_spec: 1 names for 0 children", value_error);
  CHECK_THROWS_WITH_AS(dict_spec({"a", "a"}, {{}, {}}), "dict_spec: duplicate name 'a'",
                       value_error);
  CHECK_THROWS_WITH_AS(dataclass_spec("", {}, {}), "dataclass_spec: the type name is empty",
                       value_error);
  CHECK_THROWS_AS(dataclass_spec("P", {"x", "x"}, {{}, {}}), value_error);
}

TEST_CASE("key paths render as PyTorch's keystr") {
  CHECK(keystr(key_path{sequence_key{0}, mapping_key{"k"}, sequence_key{1}}, "inputs")
        == "inputs[0]['k'][1]");
  CHECK(keystr(key_path{sequence_key{1}, attr_key{"weight"}}, "args") == "args[1].weight");
  CHECK(keystr(key_path{mapping_key{"it's"}}) == "[\"it's\"]");
  CHECK(keystr(key_path{}) == "");

  auto const spec =
      tuple_spec({dict_spec({"k"}, {list_spec({none_spec(), leaf_spec()})}),
                  dataclass_spec("M", {"weight", "bias"}, {leaf_spec(), none_spec()})});
  CHECK(leaf_paths(spec, "inputs")
        == std::vector<std::string>{"inputs[0]['k'][1]", "inputs[1].weight"});
  CHECK(leaf_paths(spec) == std::vector<std::string>{"[0]['k'][1]", "[1].weight"});
  auto const paths = leaf_key_paths(spec);
  REQUIRE(paths.size() == 2);
  CHECK(paths[1] == key_path{sequence_key{1}, attr_key{"weight"}});
  CHECK(leaf_paths(leaf_spec(), "x") == std::vector<std::string>{"x"});
  CHECK(leaf_paths(none_spec(), "x").empty());
}

TEST_CASE("leaves print as Python values") {
  CHECK(repr(leaf()) == "None");
  CHECK(repr(leaf(std::int64_t{-3})) == "-3");
  CHECK(repr(leaf(2.0)) == "2.0");
  CHECK(repr(leaf(0.1)) == "0.1");
  CHECK(repr(leaf(1e300)) == "1e+300");
  CHECK(repr(leaf(-std::numeric_limits<double>::infinity())) == "-inf");
  CHECK(repr(leaf(std::nan(""))) == "nan");
  CHECK(repr(leaf(true)) == "True");
  CHECK(repr(leaf(std::string("a'b\"c\n"))) == "'a\\'b\"c\\n'");
  CHECK(repr(leaf(std::string("\x01"))) == "'\\x01'");
  CHECK(repr(leaf(arange(3))) == "tensor([0, 1, 2])");
  CHECK(kind_name(leaf(1.5)) == "float");
  CHECK(kind_name(leaf(zeros({1}))) == "Tensor");
}

TEST_CASE("same_leaf compares tensors by identity and other leaves by kind and value") {
  Tensor const t = zeros({1});
  CHECK(same_leaf(leaf(t), leaf(t)));
  CHECK_FALSE(same_leaf(leaf(t), leaf(t.clone())));
  CHECK(same_leaf(leaf(std::int64_t{1}), leaf(std::int64_t{1})));
  CHECK_FALSE(same_leaf(leaf(std::int64_t{1}), leaf(1.0)));
  CHECK_FALSE(same_leaf(leaf(std::int64_t{1}), leaf(true)));
  CHECK(same_leaf(leaf(), leaf(none)));
}
