#include <xport/api/shape.hpp>
#include <xport/sym/sym_node.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace xport;
using xport::ops::tensor_meta;

namespace {

tensor_meta meta_of_shape_meta(std::initializer_list<SymInt> sizes, dtype type = dtype::float32) {
  return tensor_meta{type, Device{}, ops::sym_sizes(sizes.begin(), sizes.end())};
}

template <class Op>
ops::meta_list run_shape_meta(std::vector<tensor_meta> const& in,
                              typename Op::attributes const& a) {
  return Op::meta(std::span<tensor_meta const>(in.data(), in.size()), a);
}

template <class Op>
std::string sizes_of_shape_meta(std::vector<tensor_meta> const& in,
                                typename Op::attributes const& a) {
  return ops::format_sym_sizes(run_shape_meta<Op>(in, a).front().sizes);
}

std::vector<std::string> guard_strings_shape_meta(sym::ShapeEnv const& env) {
  std::vector<std::string> out;
  for (auto const& g : env.guards())
    out.push_back(sym::to_string(g.rel));
  return out;
}

} // namespace

TEST_CASE("view infers -1 from a symbolic element count") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  tensor_meta const x = meta_of_shape_meta({s0, 4});
  CHECK(sizes_of_shape_meta<ops::view>({x}, {{-1}}) == "[4*s0]");
  CHECK(sizes_of_shape_meta<ops::view>({x}, {{s0, 2, -1}}) == "[s0, 2, 2]");
  CHECK(sizes_of_shape_meta<ops::view>({x}, {{2, s0, 2}}) == "[2, s0, 2]");
  CHECK(sizes_of_shape_meta<ops::reshape>({x}, {{-1, 2}}) == "[2*s0, 2]");
  CHECK(env.guards().empty());
}

TEST_CASE("view refuses a mismatched count with PyTorch's words") {
  tensor_meta const x = meta_of_shape_meta({3, 4});
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::view>({x}, {{3, 5}}),
                       "shape '[3, 5]' is invalid for input of size 12", shape_error);
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::view>({x}, {{-1, -1}}),
                       doctest::Contains("only one dimension can be inferred"), shape_error);
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::view>({x}, {{0, -1}}), doctest::Contains("ambiguous"),
                       shape_error);
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::view>({x}, {{5, -1}}),
                       "shape '[5, -1]' is invalid for input of size 12", shape_error);
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::view>({x}, {{-2, 6}}),
                       doctest::Contains("invalid shape dimension -2"), shape_error);
}

TEST_CASE("view with a symbolic target guards on the element count") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 6, "x.size(0)");
  SymInt const s1 = sym::dynamic_size(env, 6, "y.size(0)");
  // [s0] viewed as [s1]: equal only if s0 == s1, which the example values decide.
  CHECK(sizes_of_shape_meta<ops::view>({meta_of_shape_meta({s0})}, {{s1}}) == "[s1]");
  CHECK(guard_strings_shape_meta(env) == std::vector<std::string>{"Eq(s0, s1)"});
}

TEST_CASE("flatten and unflatten on symbolic sizes") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  tensor_meta const x = meta_of_shape_meta({s0, 3, 4});
  CHECK(sizes_of_shape_meta<ops::flatten>({x}, {1, 2}) == "[s0, 12]");
  CHECK(sizes_of_shape_meta<ops::flatten>({x}, {0, -1}) == "[12*s0]");
  CHECK(sizes_of_shape_meta<ops::flatten>({meta_of_shape_meta({})}, {0, -1}) == "[1]");
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::flatten>({x}, {2, 1}),
                       doctest::Contains("start_dim cannot come after end_dim"), index_error);
  CHECK(sizes_of_shape_meta<ops::unflatten>({meta_of_shape_meta({s0, 12})}, {1, {3, -1}})
        == "[s0, 3, 4]");
  CHECK(sizes_of_shape_meta<ops::unflatten>({meta_of_shape_meta({4 * 0 + 12, s0})}, {0, {2, -1}})
        == "[2, 6, s0]");
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::unflatten>({meta_of_shape_meta({2, 12})}, {1, {2, 5}}),
                       "unflatten: Provided sizes [2, 5] don't multiply up to the size of dim 1 "
                       "(12) in the input tensor",
                       shape_error);
  CHECK_THROWS_AS(run_shape_meta<ops::unflatten>({meta_of_shape_meta({2, 12})}, {1, {}}),
                  shape_error);
  CHECK(env.guards().empty());
}

TEST_CASE("squeeze decides symbolic sizes from ranges without guards") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)"); // range [2, int_oo]: never 1
  tensor_meta const x = meta_of_shape_meta({1, s0, 1});
  CHECK(sizes_of_shape_meta<ops::squeeze>({x}, {}) == "[s0]");
  CHECK(sizes_of_shape_meta<ops::squeeze_dims>({x}, {{0}}) == "[s0, 1]");
  CHECK(sizes_of_shape_meta<ops::squeeze_dims>({x}, {{1}}) == "[1, s0, 1]");
  CHECK(sizes_of_shape_meta<ops::squeeze_dims>({x}, {{0, -1}}) == "[s0]");
  CHECK(sizes_of_shape_meta<ops::squeeze_dims>({meta_of_shape_meta({})}, {{0}}) == "[]");
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::squeeze_dims>({x}, {{0, 0}}),
                       doctest::Contains("appears multiple times"), index_error);
  CHECK_THROWS_AS(run_shape_meta<ops::squeeze_dims>({x}, {{3}}), index_error);
  CHECK(sizes_of_shape_meta<ops::unsqueeze>({x}, {-1}) == "[1, s0, 1, 1]");
  CHECK(sizes_of_shape_meta<ops::unsqueeze>({x}, {1}) == "[1, 1, s0, 1]");
  CHECK_THROWS_AS(run_shape_meta<ops::unsqueeze>({x}, {5}), index_error);
  CHECK(env.guards().empty());
}

TEST_CASE("permute, transpose and t move symbolic sizes") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  SymInt const s1 = sym::dynamic_size(env, 5, "x.size(1)");
  tensor_meta const x = meta_of_shape_meta({s0, s1, 3});
  CHECK(sizes_of_shape_meta<ops::permute>({x}, {{2, 0, 1}}) == "[3, s0, s1]");
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::permute>({x}, {{0, 1}}),
                       doctest::Contains("number of dims don't match"), index_error);
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::permute>({x}, {{0, 1, 1}}),
                       doctest::Contains("duplicate dims"), index_error);
  CHECK(sizes_of_shape_meta<ops::transpose>({x}, {0, -1}) == "[3, s1, s0]");
  CHECK(sizes_of_shape_meta<ops::t>({meta_of_shape_meta({s0, s1})}, {}) == "[s1, s0]");
  CHECK(sizes_of_shape_meta<ops::t>({meta_of_shape_meta({s0})}, {}) == "[s0]");
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::t>({x}, {}),
                       "t() expects a tensor with <= 2 dimensions, but self is 3D", shape_error);
}

TEST_CASE("expand keeps -1, adds leading dims, and broadcasts ones") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  SymInt const s1 = sym::dynamic_size(env, 4, "y.size(0)");
  tensor_meta const x = meta_of_shape_meta({1, s0});
  CHECK(sizes_of_shape_meta<ops::expand>({x}, {{3, 5, -1}}) == "[3, 5, s0]");
  CHECK(sizes_of_shape_meta<ops::expand>({x}, {{s1, s0}}) == "[s1, s0]");
  CHECK(env.guards().empty());
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::expand>({meta_of_shape_meta({2, 3})}, {{2, 4}}),
                       "The expanded size of the tensor (4) must match the existing size (3) at "
                       "non-singleton dimension 1.  Target sizes: [2, 4].  Tensor sizes: [2, 3]",
                       shape_error);
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::expand>({meta_of_shape_meta({2, 3})}, {{3}}),
                       doctest::Contains("must be greater or equal to the number of dimensions"),
                       shape_error);
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::expand>({meta_of_shape_meta({3})}, {{-1, 3}}),
                       doctest::Contains("leading, non-existing dimension 0"), shape_error);
}

TEST_CASE("expand of a symbolic size to a constant guards, as PyTorch specializes") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 4, "x.size(0)");
  CHECK(sizes_of_shape_meta<ops::expand>({meta_of_shape_meta({s0})}, {{2, 4}}) == "[2, 4]");
  CHECK(guard_strings_shape_meta(env) == std::vector<std::string>{"Eq(s0, 4)"});
}

TEST_CASE("slice clamps symbolic bounds") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  constexpr std::int64_t end = std::numeric_limits<std::int64_t>::max();
  tensor_meta const x = meta_of_shape_meta({s0, 4});
  // [2:s0] of s0 in [2, int_oo]: no clamping is needed, and ranges say so.
  CHECK(sizes_of_shape_meta<ops::slice>({x}, {0, 2, s0, 1}) == "[s0 - 2, 4]");
  CHECK(sizes_of_shape_meta<ops::slice>({x}, {0, 0, end, 1}) == "[s0, 4]");
  CHECK(sizes_of_shape_meta<ops::slice>({x}, {0, 1, end, 2}) == "[s0//2, 4]");
  CHECK(sizes_of_shape_meta<ops::slice>({x}, {1, -3, end, 1}) == "[s0, 3]");
  CHECK(sizes_of_shape_meta<ops::slice>({x}, {1, -100, 100, 1}) == "[s0, 4]");
  CHECK(sizes_of_shape_meta<ops::slice>({x}, {1, 3, 1, 1}) == "[s0, 0]");
  CHECK(sizes_of_shape_meta<ops::slice>({x}, {0, 0, -1, 1}) == "[s0 - 1, 4]");
  CHECK(env.guards().empty());
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::slice>({x}, {0, 0, 4, 0}),
                       doctest::Contains("slice step must be positive"), value_error);
  CHECK_THROWS_AS(run_shape_meta<ops::slice>({meta_of_shape_meta({})}, {0, 0, 1, 1}), index_error);
}

TEST_CASE("slice with a bound the ranges cannot place guards on the example") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  // x[:4] on s0 in [2, int_oo]: whether 4 >= s0 depends on s0; the example (8) decides.
  CHECK(sizes_of_shape_meta<ops::slice>({meta_of_shape_meta({s0})}, {0, 0, 4, 1}) == "[4]");
  CHECK(guard_strings_shape_meta(env) == std::vector<std::string>{"4 <= s0"});
}

TEST_CASE("select and narrow check symbolic bounds") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  tensor_meta const x = meta_of_shape_meta({s0, 4});
  CHECK(sizes_of_shape_meta<ops::select>({x}, {0, 0}) == "[4]");
  CHECK(sizes_of_shape_meta<ops::select>({x}, {1, -1}) == "[s0]");
  CHECK(sizes_of_shape_meta<ops::select>({x}, {0, s0 - 1}) == "[4]");
  CHECK(env.guards().empty());
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::select>({meta_of_shape_meta({3, 4})}, {0, 3}),
                       "select(): index 3 out of range for tensor of size [3, 4] at dimension 0",
                       index_error);
  CHECK_THROWS_AS(run_shape_meta<ops::select>({meta_of_shape_meta({3, 4})}, {1, -5}), index_error);
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::select>({meta_of_shape_meta({})}, {0, 0}),
                       doctest::Contains("0-dim tensor"), index_error);
  CHECK(sizes_of_shape_meta<ops::narrow>({x}, {0, 1, s0 - 1}) == "[s0 - 1, 4]");
  CHECK(sizes_of_shape_meta<ops::narrow>({x}, {1, -3, 2}) == "[s0, 2]");
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::narrow>({meta_of_shape_meta({4})}, {0, 2, 3}),
                       "start (2) + length (3) exceeds dimension size (4).", index_error);
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::narrow>({meta_of_shape_meta({4})}, {0, 5, 0}),
                       doctest::Contains("start out of range"), index_error);
}

TEST_CASE("cat adds symbolic sizes, promotes, and skips empty 1-D tensors") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  SymInt const s1 = sym::dynamic_size(env, 5, "y.size(0)");
  std::vector<tensor_meta> in = {meta_of_shape_meta({s0, 4}),
                                 meta_of_shape_meta({s1, 4}, dtype::float64),
                                 meta_of_shape_meta({0}, dtype::int32)};
  auto out = run_shape_meta<ops::cat>(in, {0});
  CHECK(ops::format_sym_sizes(out[0].sizes) == "[s0 + s1, 4]");
  CHECK(out[0].dtype == dtype::float64);
  CHECK(sizes_of_shape_meta<ops::cat>({meta_of_shape_meta({s0, 4}), meta_of_shape_meta({s0, 2})},
                                      {-1})
        == "[s0, 6]");
  CHECK(env.guards().empty());
  CHECK(sizes_of_shape_meta<ops::cat>({meta_of_shape_meta({0}), meta_of_shape_meta({0})}, {0})
        == "[0]");
  CHECK_THROWS_WITH_AS(
      run_shape_meta<ops::cat>({meta_of_shape_meta({2, 2}), meta_of_shape_meta({3, 2})}, {1}),
      "Sizes of tensors must match except in dimension 1. Expected size 2 but got "
      "size 3 for tensor number 1 in the list.",
      shape_error);
  CHECK_THROWS_WITH_AS(
      run_shape_meta<ops::cat>({meta_of_shape_meta({2, 2}), meta_of_shape_meta({2, 2, 1})}, {0}),
      doctest::Contains("Tensors must have same number of dimensions: got 2 and 3"), shape_error);
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::cat>({}, {0}), doctest::Contains("non-empty list"),
                       value_error);
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::cat>({meta_of_shape_meta({})}, {0}),
                       doctest::Contains("zero-dimensional tensor (at position 0)"), shape_error);
}

TEST_CASE("cat of symbolic sizes that must match guards their equality") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(1)");
  SymInt const s1 = sym::dynamic_size(env, 8, "y.size(1)");
  CHECK(
      sizes_of_shape_meta<ops::cat>({meta_of_shape_meta({2, s0}), meta_of_shape_meta({3, s1})}, {0})
      == "[5, s0]");
  CHECK(guard_strings_shape_meta(env) == std::vector<std::string>{"Eq(s1, s0)"});
}

TEST_CASE("stack inserts the count") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  tensor_meta const x = meta_of_shape_meta({s0, 4});
  CHECK(sizes_of_shape_meta<ops::stack>({x, x, x}, {1}) == "[s0, 3, 4]");
  CHECK(sizes_of_shape_meta<ops::stack>({x, x}, {-1}) == "[s0, 4, 2]");
  CHECK_THROWS_WITH_AS(
      run_shape_meta<ops::stack>({meta_of_shape_meta({2, 3}), meta_of_shape_meta({2, 4})}, {0}),
      "stack expects each tensor to be equal size, but got [2, 3] at entry 0 and "
      "[2, 4] at entry 1",
      shape_error);
  CHECK_THROWS_AS(run_shape_meta<ops::stack>({}, {0}), value_error);
}

TEST_CASE("split, split_with_sizes and chunk") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(1)");
  tensor_meta const x = meta_of_shape_meta({s0, 10});
  auto pieces = run_shape_meta<ops::split>({x}, {4, 1});
  REQUIRE(pieces.size() == 3);
  CHECK(ops::format_sym_sizes(pieces[2].sizes) == "[s0, 2]");
  auto sized = run_shape_meta<ops::split_with_sizes>({x}, {{3, 7}, 1});
  REQUIRE(sized.size() == 2);
  CHECK(ops::format_sym_sizes(sized[1].sizes) == "[s0, 7]");
  auto chunks = run_shape_meta<ops::chunk>({x}, {3, 1}); // ceil(10 / 3) = 4: 4, 4, 2
  REQUIRE(chunks.size() == 3);
  CHECK(ops::format_sym_sizes(chunks[0].sizes) == "[s0, 4]");
  CHECK(ops::format_sym_sizes(chunks[2].sizes) == "[s0, 2]");
  CHECK(run_shape_meta<ops::chunk>({meta_of_shape_meta({6})}, {4, 0}).size() == 3); // 2, 2, 2
  CHECK(run_shape_meta<ops::chunk>({meta_of_shape_meta({0})}, {4, 0}).size()
        == 4); // empty: chunks pieces
  CHECK(run_shape_meta<ops::split>({meta_of_shape_meta({0})}, {0, 0}).size() == 1);
  CHECK(env.guards().empty());
  CHECK_THROWS_WITH_AS(
      run_shape_meta<ops::split_with_sizes>({meta_of_shape_meta({7})}, {{2, 3}, 0}),
      "split_with_sizes expects split_sizes to sum exactly to 7 (input tensor's "
      "size at dimension 0), but got split_sizes=[2, 3]",
      shape_error);
  CHECK_THROWS_WITH_AS(
      run_shape_meta<ops::split_with_sizes>({meta_of_shape_meta({1})}, {{2, -1}, 0}),
      doctest::Contains("only non-negative entries"), shape_error);
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::split>({meta_of_shape_meta({3})}, {0, 0}),
                       doctest::Contains("split_size can only be 0 if dimension size is 0"),
                       value_error);
  CHECK_THROWS_AS(run_shape_meta<ops::split>({meta_of_shape_meta({3})}, {-1, 0}), value_error);
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::chunk>({meta_of_shape_meta({3})}, {0, 0}),
                       "chunk expects `chunks` to be greater than 0, got: 0", value_error);
}

TEST_CASE("split along a symbolic dim specializes the piece count") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 10, "x.size(0)");
  auto pieces = run_shape_meta<ops::split>({meta_of_shape_meta({s0})}, {4, 0});
  REQUIRE(pieces.size() == 3);
  CHECK(ops::format_sym_sizes(pieces[0].sizes) == "[4]");
  CHECK(ops::format_sym_sizes(pieces[2].sizes) == "[s0 - 8]");
  CHECK_FALSE(env.guards().empty());
  auto sized = run_shape_meta<ops::split_with_sizes>({meta_of_shape_meta({s0})}, {{2, s0 - 2}, 0});
  CHECK(ops::format_sym_sizes(sized[1].sizes) == "[s0 - 2]");
}

TEST_CASE("repeat, flip, tril and triu") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  tensor_meta const x = meta_of_shape_meta({s0, 2});
  CHECK(sizes_of_shape_meta<ops::repeat>({x}, {{2, 3}}) == "[2*s0, 6]");
  CHECK(sizes_of_shape_meta<ops::repeat>({x}, {{4, 1, 1}}) == "[4, s0, 2]");
  CHECK(sizes_of_shape_meta<ops::repeat>({x}, {{s0, 1}}) == "[s0**2, 2]");
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::repeat>({x}, {{2}}),
                       doctest::Contains("Number of dimensions of repeat dims can not be smaller"),
                       shape_error);
  CHECK(sizes_of_shape_meta<ops::flip>({x}, {{0, -1}}) == "[s0, 2]");
  CHECK_THROWS_AS(run_shape_meta<ops::flip>({x}, {{0, 0}}), index_error);
  CHECK_THROWS_AS(run_shape_meta<ops::flip>({x}, {{2}}), index_error);
  CHECK(sizes_of_shape_meta<ops::tril>({x}, {1}) == "[s0, 2]");
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::triu>({meta_of_shape_meta({3})}, {0}),
                       doctest::Contains("at least 2 dimensions"), shape_error);
}

TEST_CASE("pad on symbolic sizes: constant crops, reflect must stay inside") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(1)");
  tensor_meta const x = meta_of_shape_meta({2, s0});
  CHECK(sizes_of_shape_meta<ops::pad>({x}, {{1, 2}, "constant", {}}) == "[2, s0 + 3]");
  CHECK(sizes_of_shape_meta<ops::pad>({x}, {{-1, 0, 1, 1}, "constant", 0.5}) == "[4, s0 - 1]");
  CHECK(sizes_of_shape_meta<ops::pad>({x}, {{1, 1}, "reflect", {}}) == "[2, s0 + 2]");
  CHECK(env.guards().empty());
  CHECK_THROWS_WITH_AS(
      run_shape_meta<ops::pad>({meta_of_shape_meta({1, 3})}, {{3, 3}, "reflect", {}}),
      "Argument #4: Padding size should be less than the corresponding input "
      "dimension, but got: padding (3, 3) at dimension 1 of input [1, 3]",
      shape_error);
  CHECK_THROWS_WITH_AS(
      run_shape_meta<ops::pad>({meta_of_shape_meta({1, 3})}, {{-2, -2}, "constant", {}}),
      "The input size 3, plus negative padding -2 and -2 resulted in a negative "
      "output size, which is invalid. Check dimension 1 of your input.",
      shape_error);
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::pad>({meta_of_shape_meta({3})}, {{1}, "constant", {}}),
                       "Padding length must be divisible by 2", shape_error);
  CHECK_THROWS_WITH_AS(
      run_shape_meta<ops::pad>({meta_of_shape_meta({3})}, {{1, 1, 1, 1}, "constant", {}}),
      doctest::Contains("less than or equal to two times the input dimension"), shape_error);
  CHECK_THROWS_WITH_AS(run_shape_meta<ops::pad>({meta_of_shape_meta({3})}, {{1, 1}, "mirror", {}}),
                       doctest::Contains("Unrecognised padding mode mirror"), value_error);
  CHECK_THROWS_WITH_AS(
      run_shape_meta<ops::pad>({meta_of_shape_meta({2, 3})}, {{1, 1}, "reflect", 2.0}),
      doctest::Contains("doesn't take in value argument"), value_error);
  CHECK_THROWS_AS(run_shape_meta<ops::pad>({meta_of_shape_meta({3})}, {{1, 1}, "reflect", {}}),
                  shape_error);
}

TEST_CASE("boxed schemas format shape attributes") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  CHECK(ops::boxed_attributes::of<ops::view>({{s0, -1}}).str() == "size=[s0, -1]");
  CHECK(ops::boxed_attributes::of<ops::slice>({0, 2, s0, 1}).str()
        == "dim=0, start=2, end=s0, step=1");
  CHECK(ops::boxed_attributes::of<ops::permute>({{1, 0}}).str() == "dims=[1, 0]");
  CHECK(ops::boxed_attributes::of<ops::pad>({{1, 1}, "reflect", {}}).str()
        == "pad=[1, 1], mode='reflect'"); // an absent optional is not printed
  CHECK(ops::boxed_attributes::of<ops::split_with_sizes>({{2, s0}, 1}).str()
        == "split_sizes=[2, s0], dim=1");
  CHECK(ops::boxed_attributes::of<ops::cat>({1}).str() == "dim=1");
  CHECK(ops::boxed_attributes::of<ops::squeeze>({}).str().empty());
  CHECK(ops::boxed_attributes::of<ops::view>({{s0, 2}})
        == ops::boxed_attributes::of<ops::view>({{s0, 2}}));
  CHECK_FALSE(ops::boxed_attributes::of<ops::view>({{s0, 2}})
              == ops::boxed_attributes::of<ops::reshape>({{s0, 2}}));
}

TEST_CASE("shape op set: names, kinds, lookup") {
  using set = ops::shape_ops;
  set::for_each([]<class Op>() { CHECK(set::find(Op::name) == &ops::schema_of<Op>); });
  CHECK(set::find("aten::view") == &ops::schema_of<ops::view>);
  CHECK(set::find("aten::slice.Tensor") == &ops::schema_of<ops::slice>);
  CHECK(set::find("aten::split_with_sizes") == &ops::schema_of<ops::split_with_sizes>);
  CHECK(ops::schema_of<ops::reshape>.kind == ops::op_kind::composite);
  CHECK(ops::schema_of<ops::cat>.kind == ops::op_kind::core);
}
