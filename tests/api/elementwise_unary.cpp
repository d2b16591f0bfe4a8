#include <xport/api/elementwise.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numbers>
#include <vector>

using namespace xport;
using i64_elementwise_unary = std::int64_t;

namespace {

// Checks f(x) against ref(x) computed in double, for inputs `values` of dtype T.
template <class T>
void check_against(Tensor (*f)(Tensor const&, source_location const&),
                   std::function<double(double)> const& ref, std::vector<double> const& values) {
  std::vector<T> typed_values;
  for (double v : values)
    typed_values.push_back(convert<T>(v));
  Tensor const x = from<T>(typed_values, {static_cast<i64_elementwise_unary>(values.size())});
  Tensor const y = f(x, source_location::current());
  REQUIRE(y.dtype() == dtype_of<T>);
  std::vector<double> expected;
  for (T v : typed_values)
    expected.push_back(ref(convert<double>(v)));
  // Half types compute in float and round once: a relative error of one ulp of T.
  double const rtol = sizeof(T) == 2 ? (std::is_same_v<T, half> ? 1e-3 : 8e-3) : 1e-6;
  CHECK(allclose(y.to(dtype::float64),
                 from<double>(expected, {static_cast<i64_elementwise_unary>(values.size())}),
                 {.rtol = rtol, .atol = rtol, .equal_nan = true}));
}

double sigmoid_ref(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

} // namespace

TEST_CASE_TEMPLATE("float math matches std:: in every floating dtype", T, float, double, half,
                   bfloat16) {
  std::vector<double> const mixed = {-2.5, -1.0, -0.25, 0.0, 0.5, 1.0, 3.0};
  std::vector<double> const positive = {0.0, 0.25, 1.0, 2.0, 10.0};
  check_against<T>(
      exp, [](double v) { return std::exp(v); }, mixed);
  check_against<T>(
      log, [](double v) { return std::log(v); }, positive);
  check_against<T>(log1p, [](double v) { return std::log1p(v); }, {-0.5, 0.0, 1e-3, 2.0});
  check_against<T>(
      sqrt, [](double v) { return std::sqrt(v); }, positive);
  check_against<T>(rsqrt, [](double v) { return 1.0 / std::sqrt(v); }, {0.25, 1.0, 4.0});
  check_against<T>(reciprocal, [](double v) { return 1.0 / v; }, {-4.0, 0.5, 2.0});
  check_against<T>(
      sin, [](double v) { return std::sin(v); }, mixed);
  check_against<T>(
      cos, [](double v) { return std::cos(v); }, mixed);
  check_against<T>(
      tanh, [](double v) { return std::tanh(v); }, mixed);
  check_against<T>(sigmoid, sigmoid_ref, mixed);
  check_against<T>(
      erf, [](double v) { return std::erf(v); }, mixed);
  check_against<T>(
      abs, [](double v) { return std::abs(v); }, mixed);
  check_against<T>(
      neg, [](double v) { return -v; }, mixed);
  check_against<T>(
      floor, [](double v) { return std::floor(v); }, mixed);
  check_against<T>(
      ceil, [](double v) { return std::ceil(v); }, mixed);
  check_against<T>(
      silu, [](double v) { return v * sigmoid_ref(v); }, mixed);
  check_against<T>(
      relu, [](double v) { return v > 0 ? v : 0.0; }, mixed);
}

TEST_CASE("edge values: log of 0 and negatives, sqrt of negatives, isnan") {
  Tensor const l = log(from<float>({0.f, -1.f}));
  CHECK(l.at<float>({0}) == -std::numeric_limits<float>::infinity());
  CHECK(std::isnan(l.at<float>({1})));
  CHECK(std::isnan(sqrt(from<double>({-4.0})).at<double>({0})));
  CHECK(reciprocal(from<float>({0.f})).at<float>({0}) == std::numeric_limits<float>::infinity());
  float const nan = std::numeric_limits<float>::quiet_NaN();
  CHECK(equal(isnan(from<float>({nan, 1.f, INFINITY})), from<bool>({true, false, false})));
  CHECK(equal(isnan(from<i64_elementwise_unary>({1, 2})), from<bool>({false, false})));
  CHECK(std::isnan(relu(from<float>({nan})).at<float>({0})));
}

TEST_CASE("integer and bool inputs to float math give float32") {
  Tensor const e = exp(from<i64_elementwise_unary>({0, 1}));
  CHECK(e.dtype() == dtype::float32);
  CHECK(allclose(e, from<float>({1.f, std::exp(1.f)})));
  CHECK(sqrt(from<std::uint8_t>({4})).dtype() == dtype::float32);
  CHECK(sin(from<bool>({true})).dtype() == dtype::float32);
  CHECK(equal(reciprocal(from<std::int32_t>({2, -4})), from<float>({0.5f, -0.25f})));
  CHECK(sigmoid(from<std::int8_t>({0})).at<float>({0}) == 0.5f);
  CHECK(exp(from<double>({0.0})).dtype() == dtype::float64);
}

TEST_CASE("integer neg, abs, sign and rounding") {
  constexpr auto min64 = std::numeric_limits<i64_elementwise_unary>::min();
  CHECK(equal(abs(from<i64_elementwise_unary>({-3, 4, min64})),
              from<i64_elementwise_unary>({3, 4, min64}))); // wraps like PyTorch
  CHECK(equal(neg(from<std::uint8_t>({1, 0})), from<std::uint8_t>({255, 0})));
  CHECK(equal(sign(from<i64_elementwise_unary>({-7, 0, 9})),
              from<i64_elementwise_unary>({-1, 0, 1})));
  CHECK(equal(sign(from<float>({-0.5f, 0.f, 2.f})), from<float>({-1.f, 0.f, 1.f})));
  CHECK(equal(sign(from<bool>({true, false})), from<bool>({true, false})));
  CHECK(equal(floor(from<i64_elementwise_unary>({-3, 3})), from<i64_elementwise_unary>({-3, 3})));
  CHECK(equal(round(from<std::int16_t>({7})), from<std::int16_t>({7})));
}

TEST_CASE("round is half to even, with decimals") {
  CHECK(equal(round(from<float>({0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.6f})),
              from<float>({0.f, 2.f, 2.f, -0.f, -2.f, 3.f})));
  CHECK(allclose(round(from<double>({1.2345, -1.2355, 0.125}), 2),
                 from<double>({1.23, -1.24, 0.12})));
  CHECK(equal(round(from<double>({1250.0, 1350.0, -149.0}), -2),
              from<double>({1200.0, 1400.0, -100.0})));
  // PyTorch has no integer kernel for round.decimals, decimals == 0 included.
  CHECK_THROWS_WITH_AS(round(from<i64_elementwise_unary>({5}), 0),
                       doctest::Contains("\"round\" not implemented for 'Long'"), dtype_error);
  CHECK_THROWS_WITH_AS(round(from<i64_elementwise_unary>({5}), 1),
                       doctest::Contains("\"round\" not implemented for 'Long'"), dtype_error);
}

TEST_CASE("bool refusals speak PyTorch's words") {
  Tensor const b = from<bool>({true});
  CHECK_THROWS_WITH_AS(neg(b),
                       doctest::Contains("Negation, the `-` operator, on a bool tensor is not "
                                         "supported."),
                       dtype_error);
  CHECK_THROWS_WITH_AS(-b, doctest::Contains("logical_not()"), dtype_error);
  CHECK_THROWS_WITH_AS(abs(b), doctest::Contains("\"abs\" not implemented for 'Bool'"),
                       dtype_error);
  CHECK_THROWS_AS(floor(b), dtype_error);
  CHECK_THROWS_AS(relu(b), dtype_error);
  CHECK_THROWS_WITH_AS(hardtanh(b), doctest::Contains("Bool inputs not supported for hardtanh"),
                       dtype_error);
}

TEST_CASE_TEMPLATE("activations match their formulas", T, float, double, bfloat16) {
  std::vector<double> const xs = {-30.0, -2.0, -0.5, 0.0, 0.5, 2.0, 30.0};
  check_against<T>([](Tensor const& x, source_location const&) { return leaky_relu(x); },
                   [](double v) { return v > 0 ? v : 0.01 * v; }, xs);
  check_against<T>([](Tensor const& x, source_location const&) { return leaky_relu(x, 0.2); },
                   [](double v) { return v > 0 ? v : 0.2 * v; }, xs);
  check_against<T>([](Tensor const& x, source_location const&) { return hardtanh(x); },
                   [](double v) { return std::min(std::max(v, -1.0), 1.0); }, xs);
  check_against<T>([](Tensor const& x, source_location const&) { return hardtanh(x, 0, 6); },
                   [](double v) { return std::min(std::max(v, 0.0), 6.0); }, xs);
  check_against<T>([](Tensor const& x, source_location const&) { return gelu(x); },
                   [](double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); }, xs);
  check_against<T>(
      [](Tensor const& x, source_location const&) { return gelu(x, "tanh"); },
      [](double v) {
        return 0.5 * v
               * (1.0 + std::tanh(std::sqrt(2.0 / std::numbers::pi) * (v + 0.044715 * v * v * v)));
      },
      xs);
  check_against<T>([](Tensor const& x, source_location const&) { return softplus(x); },
                   [](double v) { return v > 20.0 ? v : std::log1p(std::exp(v)); }, xs);
  check_against<T>([](Tensor const& x, source_location const&) { return softplus(x, 2, 1); },
                   [](double v) { return 2.0 * v > 1.0 ? v : std::log1p(std::exp(2.0 * v)) / 2.0; },
                   xs);
}

TEST_CASE("activation dtype rules") {
  Tensor const i = from<i64_elementwise_unary>({-2, 0, 3});
  CHECK(equal(relu(i), from<i64_elementwise_unary>({0, 0, 3})));
  CHECK(equal(hardtanh(i), from<i64_elementwise_unary>({-1, 0, 1})));
  CHECK_THROWS_WITH_AS(gelu(i), doctest::Contains("\"gelu\" not implemented for 'Long'"),
                       dtype_error);
  CHECK_THROWS_AS(silu(i), dtype_error);
  CHECK_THROWS_AS(softplus(i), dtype_error);
  CHECK_THROWS_AS(leaky_relu(i), dtype_error);
  CHECK_THROWS_WITH_AS(gelu(from<float>({1.f}), "fast"),
                       doctest::Contains("approximate argument must be either none or tanh"),
                       value_error);
}

TEST_CASE("unary ops on non-contiguous and empty inputs") {
  Tensor const base = arange(6, {.dtype = dtype::float32}).view({2, 3});
  CHECK(equal(neg(base.t()), from<float>({{-0.f, -3.f}, {-1.f, -4.f}, {-2.f, -5.f}})));
  CHECK(equal(relu(base.slice(1, 1, 3, 1) - 2), from<float>({{0.f, 0.f}, {2.f, 3.f}})));
  CHECK(equal(exp(zeros({1}).expand({3})), from<float>({1.f, 1.f, 1.f})));
  Tensor const e = exp(zeros({2, 0}, {.dtype = dtype::int64}));
  CHECK(e.numel() == 0);
  CHECK(e.dtype() == dtype::float32);
}
