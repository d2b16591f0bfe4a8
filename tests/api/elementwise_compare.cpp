#include <xport/api/elementwise.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using namespace xport;
using i64_elementwise_compare = std::int64_t;

namespace {
float const nan_f = std::numeric_limits<float>::quiet_NaN();

struct recorder_elementwise_compare final : ops::op_interceptor {
  std::vector<std::string> names;
  ops::tensor_list intercept(ops::boxed_attributes const& a, std::span<Tensor const> in,
                             source_location const&) override {
    names.emplace_back(a.schema().name);
    return xport::kernels::eager_call(a, in);
  }
};
} // namespace

TEST_CASE_TEMPLATE("comparisons on every dtype give bool", T, float, double, half, bfloat16,
                   i64_elementwise_compare, std::int32_t, std::int16_t, std::int8_t, std::uint8_t,
                   bool) {
  Tensor const a = from<T>({T(0), T(1), T(1)});
  Tensor const b = from<T>({T(1), T(1), T(0)});
  CHECK(equal(eq(a, b), from<bool>({false, true, false})));
  CHECK(equal(ne(a, b), from<bool>({true, false, true})));
  CHECK(equal(lt(a, b), from<bool>({true, false, false})));
  CHECK(equal(le(a, b), from<bool>({true, true, false})));
  CHECK(equal(gt(a, b), from<bool>({false, false, true})));
  CHECK(equal(ge(a, b), from<bool>({false, true, true})));
  CHECK(eq(a, b).dtype() == dtype::bool_);
  CHECK(equal(eq(a, 1), from<bool>({false, true, true})));
}

TEST_CASE("comparisons promote, handle NaN, and reverse scalar operators") {
  Tensor const i = from<i64_elementwise_compare>({1, 2, 3});
  CHECK(equal(i < from<float>({1.5f, 1.5f, 3.5f}), from<bool>({true, false, true})));
  CHECK(equal(i >= 2, from<bool>({false, true, true})));
  CHECK(equal(i > 1.5, from<bool>({false, true, true})));
  CHECK(equal(2 < i, from<bool>({false, false, true})));
  CHECK(equal(2 >= i, from<bool>({true, true, false})));
  CHECK(equal(i <= i, from<bool>({true, true, true})));
  Tensor const n = from<float>({nan_f, 1.f});
  CHECK(equal(eq(n, n), from<bool>({false, true})));
  CHECK(equal(ne(n, n), from<bool>({true, false})));
  CHECK(equal(n < 2, from<bool>({false, true})));

  recorder_elementwise_compare r;
  {
    ops::interceptor_scope scope(r);
    (void)(2 < i);
    (void)(i <= 2);
    (void)(i > i);
    (void)eq(i, 2);
  }
  std::vector<std::string> const names = {"aten::gt.Scalar", "aten::le.Scalar", "aten::gt.Tensor",
                                          "aten::eq.Scalar"};
  CHECK(r.names == names);
}

TEST_CASE("logical ops read any dtype as nonzero") {
  Tensor const a = from<float>({0.f, 2.f, nan_f, 0.f});
  Tensor const b = from<i64_elementwise_compare>({0, 0, 3, 5});
  CHECK(equal(logical_and(a, b), from<bool>({false, false, true, false})));
  CHECK(equal(logical_or(a, b), from<bool>({false, true, true, true})));
  CHECK(equal(logical_xor(a, b), from<bool>({false, true, false, true})));
  CHECK(equal(logical_not(a), from<bool>({true, false, false, true})));
  CHECK(logical_not(b).dtype() == dtype::bool_);
}

TEST_CASE("bitwise ops and their operators") {
  Tensor const a = from<i64_elementwise_compare>({12, -1, 0});
  Tensor const b = from<i64_elementwise_compare>({10, 5, 7});
  CHECK(equal(a & b, from<i64_elementwise_compare>({8, 5, 0})));
  CHECK(equal(a | b, from<i64_elementwise_compare>({14, -1, 7})));
  CHECK(equal(a ^ b, from<i64_elementwise_compare>({6, -6, 7})));
  CHECK(equal(~a, from<i64_elementwise_compare>({-13, 0, -1})));
  CHECK(equal(~from<std::uint8_t>({0, 255}), from<std::uint8_t>({255, 0})));
  Tensor const p = from<bool>({true, true, false});
  Tensor const q = from<bool>({true, false, false});
  CHECK(equal(p & q, from<bool>({true, false, false})));
  CHECK(equal(p | q, from<bool>({true, true, false})));
  CHECK(equal(p ^ q, from<bool>({false, true, false})));
  CHECK(equal(~p, from<bool>({false, false, true})));
  CHECK((from<std::uint8_t>({1}) & from<std::int8_t>({3})).dtype() == dtype::int16);
  CHECK_THROWS_WITH_AS(from<float>({1.f}) & from<i64_elementwise_compare>({1}),
                       doctest::Contains("\"bitwise_and_cpu\" not implemented for 'Float'"),
                       dtype_error);
  CHECK_THROWS_AS(~from<double>({1.0}), dtype_error);
}

TEST_CASE("where broadcasts three ways and promotes its values") {
  Tensor const cond = from<bool>({{true}, {false}});         // [2, 1]
  Tensor const x = from<i64_elementwise_compare>({1, 2, 3}); // [3]
  Tensor const y = full({}, 0.5);                            // 0-dim float32
  Tensor const w = where(cond, x, y);
  CHECK(w.dtype() == dtype::float32);
  CHECK(equal(w, from<float>({{1.f, 2.f, 3.f}, {0.5f, 0.5f, 0.5f}})));
  Tensor const n =
      where(from<bool>({true, false}), from<float>({nan_f, 1.f}), from<float>({0.f, 2.f}));
  CHECK(std::isnan(n.at<float>({0})));
  CHECK(n.at<float>({1}) == 2.f);
  CHECK_THROWS_WITH_AS(where(from<float>({1.f}), x, x),
                       doctest::Contains("where expected condition to be a boolean tensor, but got "
                                         "a tensor with dtype Float"),
                       dtype_error);
  CHECK_THROWS_WITH_AS(where(from<bool>({true, false}), x, x), doctest::Contains("[2] and [3]"),
                       shape_error);
}

TEST_CASE("masked_fill keeps self's dtype and broadcasts with the mask") {
  Tensor const x = from<i64_elementwise_compare>({{1, 2}, {3, 4}});
  Tensor const mask = from<bool>({true, false});
  CHECK(equal(masked_fill(x, mask, -1), from<i64_elementwise_compare>({{-1, 2}, {-1, 4}})));
  CHECK(equal(masked_fill(x, mask, 2.7),
              from<i64_elementwise_compare>({{2, 2}, {2, 4}}))); // converted like PyTorch
  Tensor const row = from<float>({1.f, 2.f});
  Tensor const grown = masked_fill(row, from<bool>({{true, false}, {false, true}}), 0.f);
  CHECK(equal(grown, from<float>({{0.f, 2.f}, {1.f, 0.f}})));
  CHECK(equal(masked_fill(row, from<bool>({false, true}), full({}, 9.0)), from<float>({1.f, 9.f})));
  CHECK_THROWS_WITH_AS(
      masked_fill(row, from<float>({1.f, 0.f}), 0),
      doctest::Contains("only supports boolean masks, but got mask with dtype Float"), dtype_error);
  CHECK_THROWS_WITH_AS(
      masked_fill(row, mask, from<float>({1.f})),
      doctest::Contains("0-dimensional value tensor, but got tensor with 1 dimension"),
      shape_error);
  CHECK_THROWS_WITH_AS(masked_fill(from<std::int8_t>({1}), from<bool>({true}), 300),
                       doctest::Contains("without overflow"), value_error);
  CHECK_THROWS_AS(masked_fill(row, from<bool>({true, false, true}), 0), shape_error);
}

TEST_CASE("clamp: bounds, promotion, NaN and errors") {
  Tensor const x = from<float>({-2.f, 0.5f, 3.f, nan_f});
  Tensor const both = clamp(x, -1, 1);
  CHECK(equal(both.slice(0, 0, 3), from<float>({-1.f, 0.5f, 1.f})));
  CHECK(std::isnan(both.at<float>({3})));
  CHECK(equal(clamp(x, 0).slice(0, 0, 3), from<float>({0.f, 0.5f, 3.f})));
  CHECK(equal(clamp(x, std::nullopt, 0).slice(0, 0, 3), from<float>({-2.f, 0.f, 0.f})));
  CHECK(equal(clamp(x, 2, 1).slice(0, 0, 3), from<float>({1.f, 1.f, 1.f}))); // min > max
  Tensor const i = from<i64_elementwise_compare>({-5, 0, 5});
  CHECK(equal(clamp(i, -1, 1), from<i64_elementwise_compare>({-1, 0, 1})));
  Tensor const promoted = clamp(i, 0.5);
  CHECK(promoted.dtype() == dtype::float32);
  CHECK(equal(promoted, from<float>({0.5f, 0.5f, 5.f})));
  Tensor const lo = from<float>({{0.f}, {10.f}}); // [2, 1]
  Tensor const t = clamp(from<float>({-1.f, 5.f}), lo, Tensor());
  CHECK(equal(t, from<float>({{0.f, 5.f}, {10.f, 10.f}})));
  CHECK(equal(clamp(i, Tensor(), from<i64_elementwise_compare>({0})),
              from<i64_elementwise_compare>({-5, 0, 0})));
  CHECK(std::isnan(clamp(from<float>({1.f}), from<float>({nan_f}), Tensor()).at<float>({0})));
  CHECK_THROWS_WITH_AS(clamp(x, std::nullopt, std::nullopt),
                       doctest::Contains("At least one of 'min' or 'max' must not be None"),
                       value_error);
  CHECK_THROWS_AS(clamp(x, Tensor(), Tensor()), value_error);
  CHECK_THROWS_AS(clamp(from<bool>({true}), false, true), dtype_error);
  CHECK_THROWS_AS(clamp(x, from<float>({0.f, 1.f}), Tensor()), shape_error);
}

TEST_CASE("select ops on non-contiguous and empty inputs") {
  Tensor const base = arange(6, {.dtype = dtype::float32}).view({2, 3});
  Tensor const t = base.t(); // [3, 2]
  Tensor const picked = where(t > 2, t, -t);
  CHECK(equal(picked, from<float>({{-0.f, 3.f}, {-1.f, 4.f}, {-2.f, 5.f}})));
  Tensor const c = clamp(base.slice(1, 0, 3, 2), 1, 4); // columns 0 and 2
  CHECK(equal(c, from<float>({{1.f, 2.f}, {3.f, 4.f}})));
  Tensor const e = zeros({0, 2});
  CHECK(where(e > 0, e, e).numel() == 0);
  CHECK(masked_fill(e, zeros({0, 2}, {.dtype = dtype::bool_}), 1).numel() == 0);
}
