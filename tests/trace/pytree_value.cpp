// tree_value: the untyped pytree that rebuilds any spec.
#include <xport/core/factories.hpp>
#include <xport/trace/pytree.hpp>

#include <support/geo.hpp>

#include <boost/hana/define_struct.hpp>

#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace {
using namespace xport;
using doctest::Contains;
} // namespace

TEST_CASE("any spec rebuilds as a tree_value and prints as Python prints it") {
  Tensor const t = arange(2);
  auto const value = std::tuple{t,
                                std::map<std::string, std::optional<int>>{{"a", 3}, {"b", {}}},
                                std::vector<std::string>{"x"},
                                true,
                                2.5,
                                geo::Point{t, {}}};
  auto [leaves, spec] = flatten(value);
  tree_value const tree = unflatten(leaves, spec);
  CHECK(tree.repr()
        == "(tensor([0, 1]), {'a': 3, 'b': None}, ['x'], True, 2.5, "
           "geo::Point(x=tensor([0, 1]), y=None))");
  std::ostringstream out;
  out << tree;
  CHECK(out.str() == tree.repr());

  CHECK(tree.kind() == node_kind::tuple);
  CHECK(tree.size() == 6);
  CHECK(tree[0].get<Tensor>().is_same(t));
  CHECK(tree[1].at("a").get<std::int64_t>() == 3);
  CHECK(tree[1].at("b").is_none());
  CHECK(tree[1].keys() == std::vector<std::string>{"a", "b"});
  CHECK(tree[2][0].get<std::string>() == "x");
  CHECK(tree[3].get<bool>());
  CHECK(tree[4].get<double>() == 2.5);
  CHECK(tree[5].type_name() == "geo::Point");
  CHECK(tree[5].at("x").get<Tensor>().is_same(t));
  CHECK(tree[5][1].is_none());
}

TEST_CASE("a tree_value flattens back to the same leaves and spec") {
  auto const value = std::tuple{std::vector<int>{1, 2}, std::optional<int>{},
                                std::map<std::string, double>{{"k", 0.5}}};
  auto const flat = flatten(value);
  tree_value const tree = unflatten(flat.leaves, flat.spec);
  auto const again = flatten(tree);
  CHECK(again.spec == flat.spec);
  REQUIRE(again.leaves.size() == flat.leaves.size());
  for (std::size_t i = 0; i < flat.leaves.size(); ++i)
    CHECK(same_leaf(again.leaves[i], flat.leaves[i]));
  // ... and so into a typed value.
  CHECK(unflatten<decltype(value)>(again.leaves, again.spec) == value);
}

TEST_CASE("tree_values built by hand") {
  tree_value const tree = tree_value::tuple(
      {1, "s", tree_value::list({2.5, false}), tree_value::dict({{"b", 1}, {"a", none}}),
       tree_value::dataclass("Point", {{"x", zeros({1})}, {"y", tree_value()}}), tree_value()});
  CHECK(tree_value::tuple({1}).repr() == "(1,)");
  CHECK(tree_value::tuple({}).repr() == "()");
  CHECK(tree_value::dict({}).repr() == "{}");
  CHECK(tree_value(leaf(none)).is_none());

  auto [leaves, spec] = flatten(tree);
  CHECK(spec.pretty() == "(*, *, [*, *], {'b': *, 'a': None}, Point(x=*, y=None), None)");
  // A dict keeps its insertion order, as a Python dict does.
  CHECK(spec.children()[3].keys() == std::vector<std::string>{"b", "a"});
  CHECK(leaves.size() == 6);
  CHECK(leaf_paths(spec, "out")
        == std::vector<std::string>{"out[0]", "out[1]", "out[2][0]", "out[2][1]", "out[3]['b']",
                                    "out[4].x"});
}

TEST_CASE("a dict tree_value matches a spec with the same keys in another order") {
  tree_value const tree = tree_value::dict({{"b", 2}, {"a", 1}});
  auto const sorted = dict_spec({"a", "b"}, {leaf_spec(), leaf_spec()});
  auto const leaves = flatten_like(tree, sorted);
  CHECK(std::get<std::int64_t>(leaves[0]) == 1);
  CHECK(std::get<std::int64_t>(leaves[1]) == 2);
  CHECK(unflatten<std::map<std::string, int>>(flatten(tree).leaves, flatten(tree).spec)
        == std::map<std::string, int>{{"a", 1}, {"b", 2}});
}

TEST_CASE("tree_value mismatches name the path and both kinds") {
  tree_value const tree = tree_value::tuple({tree_value::dict({{"k", tree_value::list({1, 2})}})});
  auto const spec = tuple_spec({dict_spec({"k"}, {tuple_spec({leaf_spec(), leaf_spec()})})});
  CHECK_THROWS_WITH_AS(flatten_like(tree, spec, "inputs"),
                       "inputs[0]['k'] is a list, but the spec has a tuple", structure_error);
  CHECK_THROWS_WITH_AS(flatten_like(tree, tuple_spec({dict_spec({"j"}, {leaf_spec()})}), "inputs"),
                       "inputs[0] is a dict with keys ['k'], but the spec has a dict with keys "
                       "['j'] (missing keys: ['j']; extra keys: ['k'])",
                       structure_error);
  CHECK_THROWS_WITH_AS(flatten_like(tree_value::list({1}), list_spec({{}, {}})),
                       "tree is a list of length 1, but the spec has a list of length 2",
                       structure_error);
  CHECK_THROWS_WITH_AS(flatten_like(tree_value(1), none_spec()),
                       "tree is an int, but the spec has None", structure_error);
  CHECK_THROWS_WITH_AS(flatten_like(tree_value::dataclass("P", {{"x", 1}}),
                                    dataclass_spec("Q", {"x"}, {leaf_spec()})),
                       "tree is a struct P, but the spec has a struct Q", structure_error);
  CHECK_THROWS_WITH_AS(flatten_like(tree_value::dataclass("P", {{"x", 1}}),
                                    dataclass_spec("P", {"y"}, {leaf_spec()})),
                       Contains("tree is a struct P with fields ['x']"), structure_error);
}

TEST_CASE("tree_value access errors") {
  tree_value const tree = tree_value::tuple({1, tree_value::dict({{"a", 2}})});
  CHECK_THROWS_WITH_AS(tree[2], "tree_value: index 2 is out of range for a tuple of length 2",
                       value_error);
  CHECK_THROWS_WITH_AS(tree[1][0], "tree_value: cannot index a dict by position", value_error);
  CHECK_THROWS_WITH_AS(tree[1].at("b"), "tree_value: no key 'b' among ['a']", value_error);
  CHECK_THROWS_WITH_AS(tree.at("a"), "tree_value: cannot look up 'a' in a tuple", value_error);
  CHECK_THROWS_WITH_AS(tree[0].get<Tensor>(),
                       "tree_value::get: the leaf is int, not the requested Tensor", value_error);
  CHECK_THROWS_WITH_AS(tree.as_leaf(), "tree_value::as_leaf: this is a tuple, not a leaf",
                       value_error);
  CHECK_THROWS_WITH_AS(tree_value::dict({{"a", 1}, {"a", 2}}),
                       "tree_value::dict: duplicate name 'a'", value_error);
  CHECK_THROWS_WITH_AS(tree_value::dataclass("", {}),
                       "tree_value::dataclass: the type name is empty", value_error);
}
