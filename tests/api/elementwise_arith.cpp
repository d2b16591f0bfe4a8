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
using i64_elementwise_arith = std::int64_t;

namespace {

// Records the op names and attribute strings of every call made while it is installed.
struct recorder_elementwise_arith final : ops::op_interceptor {
  std::vector<std::string> names;
  std::vector<std::string> attrs;
  ops::tensor_list intercept(ops::boxed_attributes const& a, std::span<Tensor const> in,
                             source_location const&) override {
    names.emplace_back(a.schema().name);
    attrs.push_back(a.str());
    return xport::kernels::eager_call(a, in);
  }
};

Tensor typed(dtype type, int_list sizes = {2}) {
  return ones(sizes, {.dtype = type});
}

} // namespace

TEST_CASE("type promotion of binary ops follows PyTorch's table") {
  struct row {
    dtype a, b, add, div;
  };
  row const table[] = {
      {dtype::int32, dtype::float32, dtype::float32, dtype::float32},
      {dtype::uint8, dtype::int8, dtype::int16, dtype::float32},
      {dtype::int64, dtype::float16, dtype::float16, dtype::float16},
      {dtype::float16, dtype::bfloat16, dtype::float32, dtype::float32},
      {dtype::bool_, dtype::bool_, dtype::bool_, dtype::float32},
      {dtype::bool_, dtype::uint8, dtype::uint8, dtype::float32},
      {dtype::int16, dtype::int32, dtype::int32, dtype::float32},
      {dtype::float32, dtype::float64, dtype::float64, dtype::float64},
  };
  for (row const& r : table) {
    CAPTURE(r.a);
    CAPTURE(r.b);
    CHECK(add(typed(r.a), typed(r.b)).dtype() == r.add);
    CHECK(mul(typed(r.a), typed(r.b)).dtype() == r.add);
    CHECK(div(typed(r.a), typed(r.b)).dtype() == r.div);
    CHECK(maximum(typed(r.a), typed(r.b)).dtype() == r.add);
  }
  // Scalars and zero-dim tensors rank below dimensioned tensors.
  CHECK(add(typed(dtype::int32), 2.5).dtype() == dtype::float32);
  CHECK(add(typed(dtype::float16), 2.5).dtype() == dtype::float16);
  CHECK(add(typed(dtype::uint8), 7).dtype() == dtype::uint8);
  CHECK(add(typed(dtype::bool_), 1).dtype() == dtype::int64);
  CHECK(add(typed(dtype::int32), typed(dtype::float64, {})).dtype() == dtype::float64);
  CHECK(add(typed(dtype::int32), typed(dtype::int64, {})).dtype() == dtype::int32);
  CHECK(div(typed(dtype::int64), 2).dtype() == dtype::float32);
  CHECK(pow(typed(dtype::int32), 2.5).dtype() == dtype::float32);
  CHECK(pow(typed(dtype::int32), 2).dtype() == dtype::int32);
  CHECK(pow(2.5, typed(dtype::int32)).dtype() == dtype::float32);
  // A scalar that does not fit the result dtype is refused, not wrapped.
  CHECK_THROWS_WITH_AS(add(typed(dtype::int8), 1000), doctest::Contains("without overflow"),
                       value_error);
}

TEST_CASE_TEMPLATE("add, sub and mul on every dtype", T, float, double, half, bfloat16,
                   i64_elementwise_arith, std::int32_t, std::int16_t, std::int8_t, std::uint8_t) {
  Tensor const a = from<T>({T(1), T(2), T(6)});
  Tensor const b = from<T>({T(3), T(2), T(1)});
  CHECK(equal(a + b, from<T>({T(4), T(4), T(7)})));
  CHECK(equal(a * b, from<T>({T(3), T(4), T(6)})));
  CHECK(equal(b - a + a, b));
  CHECK(equal(add(a, b, 2), from<T>({T(7), T(6), T(8)})));
  if constexpr (!std::is_same_v<T, std::uint8_t>)
    CHECK(equal(sub(b, a), from<T>({T(2), T(0), T(-5)})));
  CHECK((a + b).dtype() == dtype_of<T>);
}

TEST_CASE("integer arithmetic wraps like PyTorch") {
  constexpr auto max32 = std::numeric_limits<std::int32_t>::max();
  constexpr auto min32 = std::numeric_limits<std::int32_t>::min();
  CHECK((from<std::int32_t>({max32}) + 1).at<std::int32_t>({0}) == min32);
  CHECK((from<std::int32_t>({min32}) - 1).at<std::int32_t>({0}) == max32);
  CHECK((from<i64_elementwise_arith>({std::numeric_limits<i64_elementwise_arith>::max()}) * 2)
            .at<i64_elementwise_arith>({0})
        == -2);
  CHECK((from<std::uint8_t>({250}) + from<std::uint8_t>({10})).at<std::uint8_t>({0}) == 4);
  CHECK((from<std::int8_t>({100}) * from<std::int8_t>({3})).at<std::int8_t>({0}) == 44);
  CHECK((-from<std::int8_t>({-128})).at<std::int8_t>({0}) == -128);
  CHECK(equal(from<bool>({true, true, false}) + from<bool>({true, false, false}),
              from<bool>({true, true, false})));
  CHECK(equal(from<bool>({true, true}) * from<bool>({true, false}), from<bool>({true, false})));
}

TEST_CASE("sub, rsub and alpha") {
  Tensor const x = from<float>({1.f, 2.f, 3.f});
  CHECK(equal(sub(x, from<float>({1.f, 1.f, 1.f}), 2), from<float>({-1.f, 0.f, 1.f})));
  CHECK(equal(2 - x, from<float>({1.f, 0.f, -1.f})));
  CHECK(equal(rsub(x, 10, 2), from<float>({8.f, 6.f, 4.f})));
  CHECK(equal(x - 1, from<float>({0.f, 1.f, 2.f})));
  CHECK(equal(-x, from<float>({-1.f, -2.f, -3.f})));
  CHECK_THROWS_WITH_AS(sub(from<bool>({true}), from<bool>({false})),
                       doctest::Contains("with two bool tensors is not supported"), dtype_error);
  CHECK_THROWS_WITH_AS(from<bool>({true}) - 1, doctest::Contains("with a bool tensor"),
                       dtype_error);
  CHECK_THROWS_WITH_AS(1 - from<bool>({true}), doctest::Contains("logical_not()"), dtype_error);
  CHECK_THROWS_WITH_AS(add(from<i64_elementwise_arith>({1}), from<i64_elementwise_arith>({1}), 0.5),
                       doctest::Contains("alpha must not be a floating point"), dtype_error);
  CHECK_THROWS_WITH_AS(add(from<i64_elementwise_arith>({1}), 1, true),
                       doctest::Contains("Boolean alpha only supported for Boolean results"),
                       dtype_error);
}

TEST_CASE("true division") {
  Tensor const q = from<i64_elementwise_arith>({7, -7, 0, 1}) / 2;
  CHECK(q.dtype() == dtype::float32);
  CHECK(equal(q, from<float>({3.5f, -3.5f, 0.f, 0.5f})));
  Tensor const z = from<float>({1.f, -1.f, 0.f}) / from<float>({0.f, 0.f, 0.f});
  CHECK(z.at<float>({0}) == std::numeric_limits<float>::infinity());
  CHECK(z.at<float>({1}) == -std::numeric_limits<float>::infinity());
  CHECK(std::isnan(z.at<float>({2})));
  CHECK(equal(from<i64_elementwise_arith>({1, 2}) / from<i64_elementwise_arith>({0, 4}),
              from<float>({INFINITY, 0.5f})));
  // 2 / x is reciprocal(x) * 2, as PyTorch computes and records it.
  CHECK(equal(2 / from<i64_elementwise_arith>({4, -1}), from<float>({0.5f, -2.f})));
}

TEST_CASE("division with rounding modes rounds like PyTorch") {
  Tensor const a = from<i64_elementwise_arith>({7, -7, 7, -7, 6});
  Tensor const b = from<i64_elementwise_arith>({2, 2, -2, -2, 3});
  CHECK(equal(div(a, b, "floor"), from<i64_elementwise_arith>({3, -4, -4, 3, 2})));
  CHECK(equal(div(a, b, "trunc"), from<i64_elementwise_arith>({3, -3, -3, 3, 2})));
  CHECK(div(a, b, "floor").dtype() == dtype::int64);
  CHECK(equal(div(from<std::int8_t>({-128}), from<std::int8_t>({-1}), "floor"),
              from<std::int8_t>({-128})));
  CHECK(equal(div(from<std::uint8_t>({7}), 2, "floor"), from<std::uint8_t>({3})));

  Tensor const f = from<double>({7.5, -7.5, -1.0, 0.0, 1.0});
  Tensor const floored = div(f, from<double>({2.0, 2.0, 3.0, -3.0, 0.0}), "floor");
  CHECK(equal(floored.slice(0, 0, 3), from<double>({3.0, -4.0, -1.0})));
  CHECK(floored.at<double>({3}) == 0.0);
  CHECK(std::signbit(floored.at<double>({3}))); // -0.0: the sign of 0 / -3
  CHECK(floored.at<double>({4}) == std::numeric_limits<double>::infinity());
  CHECK(equal(div(f, 2, "trunc"), from<double>({3.0, -3.0, -0.0, 0.0, 0.0})));
  // fmod-based floor division is exact where floor(a / b) would round wrongly.
  CHECK(div(from<double>({1.0}), from<double>({0.1}), "floor").at<double>({0}) == 9.0);

  CHECK_THROWS_WITH_AS(div(a, from<i64_elementwise_arith>({1, 1, 0, 1, 1}), "floor"),
                       doctest::Contains("ZeroDivisionError"), value_error);
  CHECK_THROWS_WITH_AS(div(a, 0, "trunc"), doctest::Contains("ZeroDivisionError"), value_error);
  CHECK_THROWS_WITH_AS(div(a, b, "round"), doctest::Contains("one of None, 'trunc', or 'floor'"),
                       value_error);
  CHECK_THROWS_AS(div(from<bool>({true}), from<bool>({true}), "floor"), dtype_error);
}

TEST_CASE("pow on integers and floats") {
  CHECK(equal(pow(from<i64_elementwise_arith>({2, 3, -2}), from<i64_elementwise_arith>({3, 2, 3})),
              from<i64_elementwise_arith>({8, 9, -8})));
  // A negative integer exponent in a tensor: 1, +-1 or 0, as PyTorch.
  CHECK(equal(pow(from<i64_elementwise_arith>({1, -1, -1, 2}),
                  from<i64_elementwise_arith>({-2, -3, -2, -1})),
              from<i64_elementwise_arith>({1, -1, 1, 0})));
  CHECK(equal(pow(from<std::int8_t>({2, 3}), 10), from<std::int8_t>({0, -87})));
  CHECK_THROWS_WITH_AS(pow(from<i64_elementwise_arith>({2}), -1),
                       doctest::Contains("Integers to negative integer powers are not allowed."),
                       value_error);
  CHECK(allclose(pow(from<float>({4.f, 2.f}), 0.5), from<float>({2.f, std::sqrt(2.f)})));
  CHECK(equal(pow(2, from<i64_elementwise_arith>({0, 1, 10})),
              from<i64_elementwise_arith>({1, 2, 1024})));
  CHECK(std::isnan(pow(from<double>({-8.0}), 1.0 / 3.0).at<double>({0})));
  CHECK_THROWS_AS(pow(from<bool>({true}), from<bool>({true})), dtype_error);
}

TEST_CASE("remainder takes the divisor's sign") {
  Tensor const a = from<i64_elementwise_arith>({-7, 7, -7, 7, 6});
  Tensor const b = from<i64_elementwise_arith>({3, 3, -3, -3, 3});
  CHECK(equal(remainder(a, b), from<i64_elementwise_arith>({2, 1, -1, -2, 0})));
  CHECK(equal(remainder(a, 3), from<i64_elementwise_arith>({2, 1, 2, 1, 0})));
  CHECK(equal(remainder(5, from<i64_elementwise_arith>({3, -3})),
              from<i64_elementwise_arith>({2, -1})));
  CHECK(equal(remainder(from<std::int32_t>({std::numeric_limits<std::int32_t>::min()}), -1),
              from<std::int32_t>({0})));
  CHECK(equal(remainder(from<double>({-7.5, 7.5}), 2.0), from<double>({0.5, 1.5})));
  CHECK(equal(remainder(from<float>({-7.5f}), from<float>({-2.f})), from<float>({-1.5f})));
  CHECK(std::isnan(remainder(from<float>({1.f}), 0.0).at<float>({0})));
  CHECK_THROWS_WITH_AS(remainder(a, 0), doctest::Contains("ZeroDivisionError"), value_error);
  CHECK_THROWS_AS(remainder(from<bool>({true}), from<bool>({true})), dtype_error);
}

TEST_CASE("maximum and minimum propagate NaN") {
  float const nan = std::numeric_limits<float>::quiet_NaN();
  Tensor const a = from<float>({1.f, nan, 3.f, -1.f});
  Tensor const b = from<float>({2.f, 0.f, nan, -2.f});
  Tensor const hi = maximum(a, b);
  Tensor const lo = minimum(a, b);
  CHECK(hi.at<float>({0}) == 2.f);
  CHECK(std::isnan(hi.at<float>({1})));
  CHECK(std::isnan(hi.at<float>({2})));
  CHECK(hi.at<float>({3}) == -1.f);
  CHECK(lo.at<float>({0}) == 1.f);
  CHECK(std::isnan(lo.at<float>({1})));
  CHECK(lo.at<float>({3}) == -2.f);
  CHECK(equal(maximum(from<i64_elementwise_arith>({1, 5}), from<std::int32_t>({3, 2})),
              from<i64_elementwise_arith>({3, 5})));
  CHECK(equal(minimum(from<bool>({true, false}), from<bool>({true, true})),
              from<bool>({true, false})));
}

TEST_CASE("binary ops read non-contiguous and broadcast inputs") {
  Tensor const base = arange(12, {.dtype = dtype::float32}).view({3, 4});
  Tensor const t = base.t();                     // [4, 3], transposed
  Tensor const stepped = base.slice(1, 0, 4, 2); // [3, 2], every other column
  Tensor const row = from<float>({10.f, 20.f, 30.f});
  Tensor const sum = t + row.expand({4, 3});
  for (i64_elementwise_arith i = 0; i < 4; ++i) {
    for (i64_elementwise_arith j = 0; j < 3; ++j)
      CHECK(sum.at<float>({i, j})
            == static_cast<float>(j * 4 + i) + 10.f * static_cast<float>(j + 1));
  }
  Tensor const prod = stepped * from<float>({1.f, -1.f});
  CHECK(equal(prod, from<float>({{0.f, -2.f}, {4.f, -6.f}, {8.f, -10.f}})));
  Tensor const q = div(stepped.to(dtype::int64), 3, "floor");
  CHECK(equal(q, from<i64_elementwise_arith>({{0, 0}, {1, 2}, {2, 3}})));
}

TEST_CASE("empty tensors and shape errors") {
  Tensor const e = zeros({0, 3});
  CHECK((e + ones({3})).sizes().size() == 2);
  CHECK((e + ones({3})).numel() == 0);
  CHECK(
      div(zeros({0}, {.dtype = dtype::int64}), zeros({0}, {.dtype = dtype::int64}), "floor").numel()
      == 0); // no element divides by zero
  CHECK_THROWS_WITH_AS(ones({2, 3}) * ones({4}), doctest::Contains("[2, 3] and [4]"), shape_error);
  CHECK_THROWS_WITH_AS(maximum(ones({2}), ones({3})),
                       doctest::Contains("must match the size of tensor b (3)"), shape_error);
}

TEST_CASE("scalar operands are recorded the way torch.export records them") {
  recorder_elementwise_arith r;
  ops::interceptor_scope scope(r);
  Tensor const x = from<float>({1.f, 2.f});
  (void)(x - 2);
  (void)(2 - x);
  (void)(2 / x);
  (void)(x * 3);
  (void)pow(x, 2);
  (void)pow(2, x);
  (void)div(x, 2, "floor");
  (void)remainder(x, 2);
  std::vector<std::string> const names = {
      "aten::sub.Tensor", "aten::rsub.Scalar",     "aten::reciprocal",
      "aten::mul.Tensor", "aten::mul.Tensor",      "aten::pow.Tensor_Scalar",
      "aten::pow.Scalar", "aten::div.Tensor_mode", "aten::remainder.Scalar"};
  CHECK(r.names == names);
  CHECK(r.attrs[0] == "other=2, alpha=1");
  CHECK(r.attrs[1] == "other=2, alpha=1");
  CHECK(r.attrs[3] == "other=2");
  CHECK(r.attrs[5] == "exponent=2");
  CHECK(r.attrs[6] == "self=2");
  CHECK(r.attrs[7] == "other=2, rounding_mode='floor'");
}
