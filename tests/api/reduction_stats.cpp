// var, std, var_mean (correction), logsumexp, softmax, log_softmax: values against
// double references written out here, edge cases (correction beyond N, infinities,
// all -inf), dtypes and non-contiguous inputs.
#include <xport/api/reduction.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

using namespace xport;

namespace {
// A [rows, cols] matrix of scattered values around `offset` (a large offset tests that
// the variance does not cancel catastrophically).
std::vector<double> scattered(std::size_t rows, std::size_t cols, double offset) {
  std::vector<double> v(rows * cols);
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = offset + static_cast<double>((i * 37) % 17) * 0.25 - 2.0;
  return v;
}

// Two-pass variance of each row.
std::vector<double> reference_row_var(std::vector<double> const& v, std::size_t rows,
                                      std::size_t cols, double correction) {
  std::vector<double> out(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    double mean = 0;
    for (std::size_t c = 0; c < cols; ++c)
      mean += v[r * cols + c];
    mean /= static_cast<double>(cols);
    double ss = 0;
    for (std::size_t c = 0; c < cols; ++c)
      ss += (v[r * cols + c] - mean) * (v[r * cols + c] - mean);
    out[r] = ss / std::max(0.0, static_cast<double>(cols) - correction);
  }
  return out;
}

// Softmax of each row, by the textbook formula in long double.
std::vector<double> reference_row_softmax(std::vector<double> const& v, std::size_t rows,
                                          std::size_t cols, bool log) {
  std::vector<double> out(v.size());
  for (std::size_t r = 0; r < rows; ++r) {
    long double total = 0;
    for (std::size_t c = 0; c < cols; ++c)
      total += std::exp(static_cast<long double>(v[r * cols + c]));
    for (std::size_t c = 0; c < cols; ++c) {
      long double const x = v[r * cols + c];
      out[r * cols + c] = static_cast<double>(log ? x - std::log(total) : std::exp(x) / total);
    }
  }
  return out;
}
} // namespace

TEST_CASE_TEMPLATE("var, std and var_mean over rows match a two-pass reference", T, float, double,
                   half, bfloat16) {
  std::vector<double> const values = scattered(3, 40, 0.0); // exact in every dtype
  Tensor const x = from(values, {3, 40}).to(dtype_of<T>);
  double const rtol =
      is_floating_point(dtype_of<T>) && element_size(dtype_of<T>) == 2 ? 1e-2 : 1e-6;
  Tensor const v = var(x, {1});
  CHECK(v.dtype() == dtype_of<T>);
  CHECK(allclose(v.to(dtype::float64), from(reference_row_var(values, 3, 40, 1.0), {3}),
                 {.rtol = rtol}));
  std::vector<double> population = reference_row_var(values, 3, 40, 0.0);
  CHECK(allclose(var(x, {-1}, 0).to(dtype::float64), from(population, {3}), {.rtol = rtol}));
  for (double& p : population)
    p = std::sqrt(p);
  CHECK(allclose(xport::std(x, {1}, 0).to(dtype::float64), from(population, {3}), {.rtol = rtol}));
  auto [variance, mean] = var_mean(x, {1}, 1, true);
  CHECK(std::ranges::equal(variance.sizes(), std::vector<std::int64_t>{3, 1}));
  CHECK(allclose(variance.view({3}).to(dtype::float64),
                 from(reference_row_var(values, 3, 40, 1.0), {3}), {.rtol = rtol}));
  CHECK(allclose(mean.view({3}).to(dtype::float64),
                 xport::mean(from(values, {3, 40}), {1}).to(dtype::float64), {.rtol = rtol}));
}

TEST_CASE("var is stable far from zero, over every dim, and on transposed inputs") {
  // The variance does not depend on the offset; E[x^2] - E[x]^2 would lose every digit
  // at 1e9 (errors around 1e18 * 1e-16), Welford keeps about seven.
  std::vector<double> const values = scattered(4, 25, 1e9);
  std::vector<double> const centered = scattered(4, 25, 0.0);
  Tensor const x = from(values, {4, 25});
  CHECK(allclose(var(x, {1}), from(reference_row_var(centered, 4, 25, 1.0), {4}), {.rtol = 1e-5}));
  CHECK(allclose(var(x.t(), {0}), var(x, {1}), {.rtol = 1e-12}));
  CHECK(var(x).item<double>()
        == doctest::Approx(reference_row_var(centered, 1, 100, 1.0)[0]).epsilon(1e-5));
}

TEST_CASE("var correction edge cases give PyTorch's inf and NaN") {
  Tensor const x = from<double>({1.0, 2.0, 4.0});
  CHECK(var(x, {}, 3).item<double>() == INFINITY); // divisor 0, deviations > 0
  CHECK(var(x, {}, 5).item<double>() == INFINITY); // divisor clamped to 0
  CHECK(var(x, {}, 0.5).item<double>() == doctest::Approx(42.0 / 9.0 / 2.5));
  CHECK(std::isnan(var(from<double>({3.0})).item<double>())); // N = 1, correction 1: 0/0
  CHECK(std::isnan(var(zeros({0})).item<float>()));           // no elements
  CHECK(std::isnan(xport::std(zeros({0, 2}), {0}).at<float>({1})));
  CHECK(var(full({2}, 7.0), {}, 0).item<float>() == 0.f);
  CHECK(std::isnan(var(from<float>({1.f, NAN})).item<float>()));
}

TEST_CASE("var and std refuse integers like PyTorch") {
  CHECK_THROWS_WITH_AS(
      var(from<std::int64_t>({1, 2})),
      doctest::Contains("std and var only support floating point and complex dtypes"), dtype_error);
  CHECK_THROWS_WITH_AS(
      xport::std(from<bool>({true})),
      doctest::Contains("std and var only support floating point and complex dtypes"), dtype_error);
}

TEST_CASE_TEMPLATE("logsumexp matches log(sum(exp)) and never overflows", T, float, double, half,
                   bfloat16) {
  Tensor const x = from<double>({{0.0, 1.0, 2.0}, {-1.0, 0.5, 3.0}}).to(dtype_of<T>);
  double const r0 = std::log(std::exp(0.0) + std::exp(1.0) + std::exp(2.0));
  double const r1 = std::log(std::exp(-1.0) + std::exp(0.5) + std::exp(3.0));
  Tensor const l = logsumexp(x, {1});
  CHECK(l.dtype() == dtype_of<T>);
  double const rtol = element_size(dtype_of<T>) == 2 ? 1e-2 : 1e-6;
  CHECK(allclose(l.to(dtype::float64), from<double>({r0, r1}), {.rtol = rtol}));
  // Shifted by 1000: exp alone would overflow.
  Tensor const big = from<double>({1000.0, 1000.0});
  CHECK(logsumexp(big, {0}).item<double>() == doctest::Approx(1000.0 + std::log(2.0)));
}

TEST_CASE("logsumexp with infinities, empty inputs and integers") {
  CHECK(logsumexp(from<float>({-INFINITY, -INFINITY}), {0}).item<float>() == -INFINITY);
  CHECK(logsumexp(from<float>({-INFINITY, 0.f}), {0}).item<float>() == 0.f);
  CHECK(logsumexp(from<float>({INFINITY, 1.f}), {0}).item<float>() == INFINITY);
  CHECK(logsumexp(from<float>({INFINITY, INFINITY}), {0}).item<float>() == INFINITY);
  CHECK(std::isnan(logsumexp(from<float>({NAN, 1.f}), {0}).item<float>()));
  CHECK(logsumexp(zeros({0}), {0}).item<float>() == -INFINITY);
  Tensor const i = logsumexp(from<std::int64_t>({0, 0}), {0});
  CHECK(i.dtype() == dtype::float32);
  CHECK(i.item<float>() == doctest::Approx(std::log(2.0)));
  CHECK(std::ranges::equal(logsumexp(ones({2, 3}), {1}, true).sizes(),
                           std::vector<std::int64_t>{2, 1}));
  CHECK(logsumexp(ones({2, 3}), {}).dim() == 0);
}

TEST_CASE_TEMPLATE("softmax and log_softmax match the textbook formula", T, float, double, half,
                   bfloat16) {
  std::vector<double> const values = scattered(3, 5, 0.0);
  Tensor const x = from(values, {3, 5}).to(dtype_of<T>);
  double const rtol = element_size(dtype_of<T>) == 2 ? 1e-2 : 1e-6;
  Tensor const s = softmax(x, 1);
  CHECK(s.dtype() == dtype_of<T>);
  CHECK(allclose(s.to(dtype::float64), from(reference_row_softmax(values, 3, 5, false), {3, 5}),
                 {.rtol = rtol, .atol = 1e-4}));
  Tensor const l = log_softmax(x, -1);
  CHECK(allclose(l.to(dtype::float64), from(reference_row_softmax(values, 3, 5, true), {3, 5}),
                 {.rtol = rtol, .atol = 1e-3}));
  // Along dim 0, on the transposed input: the same numbers, transposed.
  CHECK(allclose(softmax(x.t(), 0).to(dtype::float64), s.to(dtype::float64).t(), {.rtol = 1e-6}));
}

TEST_CASE("softmax is stable, handles -inf and NaN like PyTorch, and takes a dtype") {
  Tensor const big = softmax(from<float>({1000.f, 1000.f, -INFINITY}), 0);
  CHECK(equal(big, from<float>({0.5f, 0.5f, 0.f})));
  CHECK(log_softmax(from<float>({1000.f, 1000.f}), 0).at<float>({0})
        == doctest::Approx(-std::log(2.0)));
  Tensor const all_masked = softmax(from<float>({-INFINITY, -INFINITY}), 0);
  CHECK(std::isnan(all_masked.at<float>({0}))); // as PyTorch: 0/0
  CHECK(std::isnan(softmax(from<float>({NAN, 1.f}), 0).at<float>({1})));
  Tensor const from_int = softmax(from<std::int64_t>({0, 0}), 0, dtype::float64);
  CHECK(from_int.dtype() == dtype::float64);
  CHECK(equal(from_int, from<double>({0.5, 0.5})));
  Tensor const widened = softmax(from<half>({half(0.f), half(0.f)}), 0, dtype::float32);
  CHECK(widened.dtype() == dtype::float32);
  CHECK(softmax(full({}, 3.0), 0).item<float>() == 1.f);
  CHECK(softmax(zeros({2, 0}), 1).numel() == 0);
}

TEST_CASE("softmax refuses integers and bad dims") {
  CHECK_THROWS_WITH_AS(softmax(from<std::int64_t>({1, 2}), 0),
                       doctest::Contains("\"softmax\" not implemented for 'Long'"), dtype_error);
  CHECK_THROWS_WITH_AS(log_softmax(ones({2}), 0, dtype::int32),
                       doctest::Contains("not implemented for 'Int'"), dtype_error);
  CHECK_THROWS_AS(softmax(ones({2, 2}), 2), index_error);
}

TEST_CASE("core _softmax / _log_softmax: half_to_float") {
  Tensor const h = from<half>({half(1.f), half(2.f)});
  Tensor const in[] = {h};
  ops::tensor_list out = ops::call<ops::_softmax>({0, true}, in, source_location::current());
  CHECK(out[0].dtype() == dtype::float32);
  CHECK(out[0].at<float>({1}) == doctest::Approx(std::exp(2.0) / (std::exp(1.0) + std::exp(2.0))));
  ops::tensor_list log_out =
      ops::call<ops::_log_softmax>({-1, false}, in, source_location::current());
  CHECK(log_out[0].dtype() == dtype::float16);
  Tensor const f[] = {ones({2})};
  CHECK_THROWS_WITH_AS(ops::call<ops::_softmax>({0, true}, f, source_location::current()),
                       doctest::Contains("conversion is supported for Half type only"),
                       dtype_error);
}

struct stats_recorder final : ops::op_interceptor {
  std::vector<std::string> calls;
  ops::tensor_list intercept(ops::boxed_attributes const& a, std::span<Tensor const> in,
                             source_location const&) override {
    calls.push_back(std::string(a.schema().name) + "(" + a.str() + ")");
    return xport::kernels::eager_call(a, in);
  }
};

TEST_CASE("statistics front ends record their ATen names and attributes") {
  stats_recorder r;
  ops::interceptor_scope scope(r);
  Tensor const x = ones({2, 3});
  (void)var(x, {1}, 0);
  (void)xport::std(x);
  (void)var_mean(x, {0}, 2, true);
  (void)logsumexp(x, {1});
  (void)softmax(x, 1);
  (void)log_softmax(x, 0, dtype::float64);
  REQUIRE(r.calls.size() == 6);
  CHECK(r.calls[0] == "aten::var.correction(dim=[1], correction=0, keepdim=False)");
  CHECK(r.calls[1] == "aten::std.correction(keepdim=False)");
  CHECK(r.calls[2] == "aten::var_mean.correction(dim=[0], correction=2, keepdim=True)");
  CHECK(r.calls[3] == "aten::logsumexp(dim=[1], keepdim=False)");
  CHECK(r.calls[4] == "aten::softmax.int(dim=1)");
  CHECK(r.calls[5] == "aten::log_softmax.int(dim=0, dtype=torch.float64)");
}
