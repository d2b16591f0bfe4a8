// The shape rules, written once over std::int64_t and SymInt: the same results and the
// same messages for eager sizes, symbolic sizes (with the guards they record) and the
// compile-time tier; overflow is refused, never wrapped.
#include <xport/core/shape_rules.hpp>
#include <xport/sym/shape_env.hpp>
#include <xport/sym/static_shape.hpp>
#include <xport/sym/sym_node.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <vector>

using namespace xport;
using i64 = std::int64_t;

namespace {

template <class V>
std::vector<i64> values(V const& v) {
  std::vector<i64> out;
  for (auto const& x : v) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(x)>, SymInt>)
      out.push_back(x.expect_int());
    else
      out.push_back(x);
  }
  return out;
}

// A size of `env` with example value `hint`, as export makes one (range [2, inf)).
SymInt symbol(sym::ShapeEnv& env, i64 hint, char const* source) {
  return sym::dynamic_size(env, hint, source);
}

} // namespace

TEST_CASE("broadcasting: one rule for plain and symbolic sizes") {
  i64 const a[] = {3, 1}, b[] = {4};
  CHECK(values(shape::broadcast_sizes<i64>(a, b)) == std::vector<i64>{3, 4});
  SymInt const sa[] = {3, 1}, sb[] = {4};
  CHECK(values(shape::broadcast_sizes<SymInt>(sa, sb)) == std::vector<i64>{3, 4});
  i64 const c[] = {3}, d[] = {4};
  CHECK_THROWS_WITH_AS(shape::broadcast_sizes<i64>(c, d),
                       "The size of tensor a (3) must match the size of tensor b (4) at "
                       "non-singleton dimension 0 (shapes [3] and [4])",
                       shape_error);
  SymInt const sc[] = {3}, sd[] = {4};
  CHECK_THROWS_WITH_AS(shape::broadcast_sizes<SymInt>(sc, sd),
                       "The size of tensor a (3) must match the size of tensor b (4) at "
                       "non-singleton dimension 0 (shapes [3] and [4])",
                       shape_error);
  static_assert(shape::broadcast_size<i64>(3, 1, 0) == 3);
  static_assert(shape::broadcast_size<i64>(1, 5, 0) == 5);
}

TEST_CASE("broadcasting equal symbols records no guard; a symbol against 1 does") {
  sym::ShapeEnv env;
  SymInt const s = symbol(env, 4, "x.size(0)");
  std::size_t const before = env.guards().size();
  CHECK(shape::broadcast_size(s, s, 0).str() == "s0");
  CHECK(env.guards().size() == before);
  SymInt const one = 1;
  CHECK(shape::broadcast_size(s, one, 0).str() == "s0"); // decided: s0 >= 2 by range
}

TEST_CASE("view sizes: one -1 inferred, the same messages") {
  i64 const shape[] = {-1, 2};
  CHECK(values(shape::infer_size<i64>(shape, 6)) == std::vector<i64>{3, 2});
  SymInt const sym_shape[] = {-1, 2};
  CHECK(values(shape::infer_size<SymInt>(sym_shape, SymInt(6))) == std::vector<i64>{3, 2});
  i64 const bad[] = {2, 5};
  CHECK_THROWS_WITH_AS(shape::infer_size<i64>(bad, 12),
                       "shape '[2, 5]' is invalid for input of size 12", shape_error);
  i64 const two[] = {-1, -1};
  CHECK_THROWS_WITH_AS(shape::infer_size<i64>(two, 4),
                       "only one dimension can be inferred, but shape is [-1, -1]", shape_error);
  i64 const zero[] = {0, -1};
  CHECK_THROWS_WITH_AS(shape::infer_size<i64>(zero, 0),
                       doctest::Contains("the unspecified dimension size -1 can be any value"),
                       shape_error);
  sym::ShapeEnv env;
  SymInt const s = symbol(env, 3, "x.size(0)");
  SymInt const symbolic[] = {s, -1};
  CHECK(shape::infer_size<SymInt>(symbolic, s * 4)[1].expect_int() == 4);
}

TEST_CASE("slices clamp like Python, on plain and symbolic sizes") {
  CHECK(shape::clamp_slice_bound<i64>(-100, 5) == 0);
  CHECK(shape::clamp_slice_bound<i64>(-2, 5) == 3);
  CHECK(shape::clamp_slice_bound<i64>(std::numeric_limits<i64>::max(), 5) == 5);
  CHECK(shape::slice_length<i64>(5, 1, 100, 2) == 2);
  CHECK(shape::slice_length<i64>(5, 4, 2, 1) == 0);
  sym::ShapeEnv env;
  SymInt const s = symbol(env, 6, "x.size(0)");
  CHECK(
      shape::slice_length<SymInt>(s, SymInt(2), SymInt(std::numeric_limits<i64>::max()), SymInt(1))
          .str()
      == "s0 - 2");
}

TEST_CASE("window sizes of convolution and pooling; absurd paddings refused") {
  CHECK(shape::window_output_size<i64>(5, 3, 2, 1, 1, false) == 3);
  CHECK(shape::window_output_size<i64>(5, 2, 2, 0, 1, true) == 3);  // ceil mode
  CHECK(shape::window_output_size<i64>(6, 2, 2, 0, 1, true) == 3);  // no extra window
  CHECK(shape::window_output_size<i64>(7, 3, 1, 1, 2, false) == 5); // dilation 2
  CHECK(shape::window_output_size<SymInt>(SymInt(5), 3, 2, 1, 1, false).expect_int() == 3);
  CHECK_THROWS_WITH_AS(
      shape::window_output_size<i64>(5, 3, 1, std::numeric_limits<i64>::max(), 1, false),
      doctest::Contains("integer overflow"), value_error);
}

TEST_CASE("the compile-time tier broadcasts with the same rule and message") {
  using namespace xport::literals;
  sym::shape const x{std::int64_t{3}, 4_c};
  sym::shape const y{std::int64_t{5}, 4_c};
  CHECK_THROWS_WITH_AS(sym::broadcast(x, y),
                       "The size of tensor a (3) must match the size of tensor b (5) at "
                       "non-singleton dimension 0",
                       shape_error);
}
