// flatten / unflatten round trips for every supported kind, PyTorch's leaf order, and
// tree_map.
#include <xport/core/factories.hpp>
#include <xport/trace/pytree.hpp>

#include <support/geo.hpp>

#include <boost/hana/adapt_struct.hpp>
#include <boost/hana/define_struct.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace geo {
// Adapted from outside, with a field order different from the declaration order.
struct Batch {
  std::vector<xport::Tensor> images;
  std::map<std::string, std::int64_t> sizes;
  std::string tag;
};
} // namespace geo
BOOST_HANA_ADAPT_STRUCT(geo::Batch, tag, images, sizes);

namespace {

using xport::leaf;
using xport::Tensor;

Tensor tensor_of(double value) {
  return xport::full({2}, value);
}

// The leaf list as text, tensors shown by their first element, so leaf order and kinds
// can be compared at a glance.
std::string describe(std::vector<leaf> const& leaves) {
  std::string out;
  for (leaf const& l : leaves) {
    if (!out.empty()) out += ' ';
    if (auto const* t = std::get_if<Tensor>(&l))
      out += "T" + std::to_string(t->at<float>({0}));
    else
      out += xport::repr(l);
  }
  return out;
}

template <class T>
T round_trip(T const& value) {
  auto [leaves, spec] = xport::flatten(value);
  return xport::unflatten<T>(std::move(leaves), spec);
}

} // namespace

TEST_CASE("a leaf flattens to itself with a leaf spec") {
  Tensor const t = tensor_of(1);
  auto [leaves, spec] = xport::flatten(t);
  REQUIRE(leaves.size() == 1);
  CHECK(std::get<Tensor>(leaves[0]).is_same(t));
  CHECK(spec == xport::leaf_spec());
  CHECK(spec.num_leaves() == 1);
  CHECK(round_trip(t).is_same(t));

  CHECK(round_trip(std::int64_t{-7}) == -7);
  CHECK(round_trip(3.25) == 3.25);
  CHECK(round_trip(true) == true);
  CHECK(round_trip(std::string("mode")) == "mode");
}

TEST_CASE("integers of every width are int64 leaves and come back to their own type") {
  CHECK(
      describe(xport::flatten(
                   std::tuple<std::int8_t, std::uint8_t, short, unsigned, long long, std::uint64_t>{
                       -1, 255, -300, 7u, -9, 42})
                   .leaves)
      == "-1 255 -300 7 -9 42");
  auto [leaves, spec] = xport::flatten(std::uint8_t{200});
  CHECK(std::get<std::int64_t>(leaves[0]) == 200);
  CHECK(xport::unflatten<std::uint8_t>(leaves, spec) == 200);
  CHECK(xport::unflatten<int>(leaves, spec) == 200);
  CHECK(round_trip(std::tuple<std::int16_t, std::uint32_t>{-5, 4000000000u})
        == std::tuple<std::int16_t, std::uint32_t>{-5, 4000000000u});
}

TEST_CASE("float and double are double leaves") {
  auto [leaves, spec] = xport::flatten(std::pair<float, double>{0.5f, 0.25});
  CHECK(describe(leaves) == "0.5 0.25");
  CHECK(std::holds_alternative<double>(leaves[0]));
  CHECK(xport::unflatten<std::pair<float, double>>(leaves, spec)
        == std::pair<float, double>{0.5f, 0.25});
}

TEST_CASE("tuple and pair are tuples, flattened in order") {
  auto const value = std::tuple{tensor_of(1), std::pair{tensor_of(2), 3}, std::string("s")};
  auto [leaves, spec] = xport::flatten(value);
  CHECK(describe(leaves) == "T1.000000 T2.000000 3 's'");
  CHECK(spec.kind() == xport::node_kind::tuple);
  CHECK(spec.children()[1].kind() == xport::node_kind::tuple);
  CHECK(spec.num_leaves() == 4);
  CHECK(spec.num_nodes() == 6);

  auto const back = xport::unflatten<std::decay_t<decltype(value)>>(leaves, spec);
  CHECK(std::get<0>(back).is_same(std::get<0>(value)));
  CHECK(std::get<1>(back).first.is_same(std::get<1>(value).first));
  CHECK(std::get<1>(back).second == 3);
  CHECK(std::get<2>(back) == "s");

  auto const empty = xport::flatten(std::tuple<>{});
  CHECK(empty.leaves.empty());
  CHECK(empty.spec == xport::tuple_spec({}));
}

TEST_CASE("vector and array are lists") {
  std::vector<Tensor> const v{tensor_of(1), tensor_of(2), tensor_of(3)};
  auto [leaves, spec] = xport::flatten(v);
  CHECK(describe(leaves) == "T1.000000 T2.000000 T3.000000");
  CHECK(spec == xport::list_spec({{}, {}, {}}));
  auto const back = round_trip(v);
  REQUIRE(back.size() == 3);
  for (std::size_t i = 0; i < 3; ++i)
    CHECK(back[i].is_same(v[i]));

  std::array<int, 3> const a{4, 5, 6};
  auto const flat_a = xport::flatten(a);
  CHECK(flat_a.spec == spec);
  CHECK(round_trip(a) == a);
  // An array and a vector of the same length have one spec, so each rebuilds the other.
  CHECK(xport::unflatten<std::vector<int>>(flat_a.leaves, flat_a.spec)
        == std::vector<int>{4, 5, 6});

  CHECK(xport::flatten(std::vector<int>{}).spec == xport::list_spec({}));
  CHECK(round_trip(std::vector<std::vector<int>>{{}, {1}, {2, 3}})
        == std::vector<std::vector<int>>{{}, {1}, {2, 3}});
}

TEST_CASE("std::map is a dict with its keys in sorted order") {
  // Python keeps a dict's insertion order; std::map has only its sorted order, so that is
  // the leaf order.
  std::map<std::string, int> const m{{"zeta", 1}, {"alpha", 2}, {"mid", 3}};
  auto [leaves, spec] = xport::flatten(m);
  CHECK(describe(leaves) == "2 3 1");
  CHECK(spec.keys() == std::vector<std::string>{"alpha", "mid", "zeta"});
  CHECK(round_trip(m) == m);
  CHECK(round_trip(std::map<std::string, int>{}).empty());
}

TEST_CASE("an empty optional is None with no leaves; an engaged one is its value") {
  std::optional<Tensor> const empty;
  auto const flat_empty = xport::flatten(empty);
  CHECK(flat_empty.leaves.empty());
  CHECK(flat_empty.spec == xport::none_spec());
  CHECK_FALSE(round_trip(empty).has_value());

  std::optional<Tensor> const full = tensor_of(4);
  auto const flat_full = xport::flatten(full);
  CHECK(flat_full.spec == xport::leaf_spec());
  CHECK(round_trip(full)->is_same(*full));

  // Inside containers, None keeps its place in the spec but holds no leaf.
  auto const mixed = std::vector<std::optional<int>>{1, std::nullopt, 3};
  auto [leaves, spec] = xport::flatten(mixed);
  CHECK(describe(leaves) == "1 3");
  CHECK(spec.pretty() == "[*, None, *]");
  CHECK(round_trip(mixed) == mixed);
}

TEST_CASE("a None leaf rebuilds an empty optional") {
  auto const spec = xport::tuple_spec({xport::leaf_spec(), xport::leaf_spec()});
  auto const back =
      xport::unflatten<std::tuple<std::optional<int>, std::optional<int>>>({xport::none, 2}, spec);
  CHECK_FALSE(std::get<0>(back).has_value());
  CHECK(std::get<1>(back) == 2);
}

TEST_CASE("reflected structs are dataclasses with fields in declaration order") {
  geo::Point const p{tensor_of(1), tensor_of(2)};
  auto [leaves, spec] = xport::flatten(p);
  CHECK(describe(leaves) == "T1.000000 T2.000000");
  CHECK(spec.kind() == xport::node_kind::dataclass);
  CHECK(spec.type_name() == "geo::Point");
  CHECK(spec.keys() == std::vector<std::string>{"x", "y"});
  auto const back = round_trip(p);
  CHECK(back.x.is_same(p.x));
  CHECK(back.y->is_same(*p.y));

  geo::Point const half{tensor_of(3), std::nullopt};
  auto const flat_half = xport::flatten(half);
  CHECK(flat_half.leaves.size() == 1);
  CHECK(flat_half.spec.children()[1] == xport::none_spec());
  CHECK_FALSE(round_trip(half).y.has_value());
}

TEST_CASE("BOOST_HANA_ADAPT_STRUCT fields follow the adapted order") {
  geo::Batch const b{{tensor_of(1), tensor_of(2)}, {{"w", 8}, {"h", 6}}, "train"};
  auto [leaves, spec] = xport::flatten(b);
  CHECK(describe(leaves) == "'train' T1.000000 T2.000000 6 8");
  CHECK(spec.keys() == std::vector<std::string>{"tag", "images", "sizes"});
  CHECK(xport::leaf_paths(spec, "batch")
        == std::vector<std::string>{"batch.tag", "batch.images[0]", "batch.images[1]",
                                    "batch.sizes['h']", "batch.sizes['w']"});
  auto const back = round_trip(b);
  CHECK(back.tag == "train");
  CHECK(back.images[1].is_same(b.images[1]));
  CHECK(back.sizes == b.sizes);
}

TEST_CASE("nested combinations flatten depth first, in PyTorch's order") {
  // Python: tree_flatten((x, {'a': ([y, None], (True, 'm'))}, Point(x=z, y=None), 2.5))
  // gives the leaves [x, y, True, 'm', z, 2.5].
  auto const value = std::tuple{
      tensor_of(1),
      std::map<std::string,
               std::tuple<std::vector<std::optional<Tensor>>, std::pair<bool, std::string>>>{
          {"a", {{tensor_of(2), std::nullopt}, {true, "m"}}}},
      geo::Point{tensor_of(3), std::nullopt}, 2.5};
  auto [leaves, spec] = xport::flatten(value);
  CHECK(describe(leaves) == "T1.000000 T2.000000 True 'm' T3.000000 2.5");
  CHECK(spec.pretty() == "(*, {'a': ([*, None], (*, *))}, geo::Point(x=*, y=None), *)");
  CHECK(xport::leaf_paths(spec, "args")
        == std::vector<std::string>{"args[0]", "args[1]['a'][0][0]", "args[1]['a'][1][0]",
                                    "args[1]['a'][1][1]", "args[2].x", "args[3]"});
  auto const back = xport::unflatten<std::decay_t<decltype(value)>>(leaves, spec);
  auto const& entry = std::get<1>(back).at("a");
  CHECK(std::get<0>(entry)[0]->is_same(*std::get<0>(std::get<1>(value).at("a"))[0]));
  CHECK_FALSE(std::get<0>(entry)[1].has_value());
  CHECK(std::get<1>(entry) == std::pair<bool, std::string>{true, "m"});
  CHECK(std::get<2>(back).x.is_same(std::get<2>(value).x));
  CHECK(std::get<3>(back) == 2.5);
}

TEST_CASE("leaf, none_t and tree_value are pytrees too") {
  std::vector<leaf> const mixed{leaf(tensor_of(1)), leaf(std::int64_t{2}), leaf(xport::none)};
  auto [leaves, spec] = xport::flatten(mixed);
  CHECK(describe(leaves) == "T1.000000 2");
  CHECK(spec.pretty() == "[*, *, None]");
  auto const back = xport::unflatten<std::vector<leaf>>(leaves, spec);
  REQUIRE(back.size() == 3);
  CHECK(xport::same_leaf(back[1], mixed[1]));
  CHECK(xport::is_none(back[2]));

  CHECK(xport::flatten(xport::none).spec == xport::none_spec());
  CHECK(xport::flatten(std::tuple{xport::none, 1}).leaves.size() == 1);
}

TEST_CASE("flatten_like returns leaves in the spec's order") {
  auto const spec = xport::dict_spec({"b", "a"}, {xport::leaf_spec(), xport::leaf_spec()});
  std::map<std::string, int> const m{{"a", 1}, {"b", 2}};
  CHECK(describe(xport::flatten_like(m, spec)) == "2 1");
  CHECK(describe(xport::flatten_like(m, xport::flatten(m).spec)) == "1 2");

  auto const value = std::tuple{std::vector<int>{1, 2}, std::optional<int>{}};
  auto const own = xport::flatten(value);
  CHECK(describe(xport::flatten_like(value, own.spec)) == describe(own.leaves));
  // A leaf spec takes None, as PyTorch's flatten_up_to takes any value there.
  auto const with_leaf =
      xport::flatten_like(value, xport::tuple_spec({own.spec.children()[0], xport::leaf_spec()}));
  CHECK(describe(with_leaf) == "1 2 None");
}

TEST_CASE("tree_map applies a function to every leaf and keeps the structure") {
  auto const value = std::tuple{std::vector<int>{1, 2}, std::map<std::string, int>{{"k", 3}}};
  auto const doubled =
      xport::tree_map([](leaf const& l) { return leaf(std::get<std::int64_t>(l) * 2); }, value);
  CHECK(std::get<0>(doubled) == std::vector<int>{2, 4});
  CHECK(std::get<1>(doubled).at("k") == 6);

  geo::Point const p{tensor_of(1), std::nullopt};
  auto const cloned = xport::tree_map_only<Tensor>([](Tensor const& t) { return t.clone(); }, p);
  CHECK_FALSE(cloned.x.is_same(p.x));
  CHECK(cloned.x.at<float>({1}) == 1.0f);
  CHECK_FALSE(cloned.y.has_value());

  // Only the chosen leaf kind is touched.
  auto const mixed = std::tuple{tensor_of(5), 7, std::string("s")};
  auto const bumped =
      xport::tree_map_only<std::int64_t>([](std::int64_t v) { return v + 1; }, mixed);
  CHECK(std::get<0>(bumped).is_same(std::get<0>(mixed)));
  CHECK(std::get<1>(bumped) == 8);
  CHECK(std::get<2>(bumped) == "s");
}

TEST_CASE("tree_map to a different leaf kind needs a type that can hold it") {
  auto const value = std::vector<Tensor>{tensor_of(1), tensor_of(2)};
  // Sizes in place of tensors: a vector<Tensor> cannot hold ints ...
  auto sizes = [](leaf const& l) { return leaf(std::get<Tensor>(l).size(0)); };
  CHECK_THROWS_WITH_AS(xport::tree_map(sizes, value),
                       "tree[0] is a Tensor, but the leaf there is an int (2)",
                       xport::structure_error);
  // ... but the same structure as a tree_value can.
  auto const as_tree = xport::unflatten(xport::flatten(value).leaves, xport::flatten(value).spec);
  CHECK(xport::tree_map(sizes, as_tree).repr() == "[2, 2]");
}
