// amax, amin, max/min (full and with indices), argmax, argmin: values, NaN rules, ties,
// dtypes, non-contiguous inputs and PyTorch's errors for empty reductions.
#include <xport/api/reduction.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

using namespace xport;

namespace {
Tensor sample_reduction_extrema() {
  return from<double>({{3, -1, 7, 7}, {0, 5, -2, 5}, {4, 4, 1, -6}});
}
} // namespace

TEST_CASE_TEMPLATE("amax/amin/max/min/argmax/argmin values for every dtype", T, float, double, half,
                   bfloat16, std::int64_t, std::int32_t, std::int16_t, std::int8_t) {
  Tensor const x = sample_reduction_extrema().to(dtype_of<T>);
  Tensor const mx = amax(x, {1});
  CHECK(mx.dtype() == dtype_of<T>);
  CHECK(equal(mx.to(dtype::float64), from<double>({7, 5, 4})));
  CHECK(equal(amin(x, {0}).to(dtype::float64), from<double>({0, -1, -2, -6})));
  CHECK(amax(x).to(dtype::float64).item<double>() == 7.0);
  CHECK(max(x).to(dtype::float64).item<double>() == 7.0);
  CHECK(min(x).to(dtype::float64).item<double>() == -6.0);

  auto [values, indices] = max(x, 1);
  CHECK(equal(values.to(dtype::float64), from<double>({7, 5, 4})));
  CHECK(indices.dtype() == dtype::int64);
  CHECK(equal(indices, from<std::int64_t>({2, 1, 0}))); // ties: the first index
  auto [low, where] = min(x, 0, true);
  CHECK(std::ranges::equal(low.sizes(), std::vector<std::int64_t>{1, 4}));
  CHECK(equal(where, from<std::int64_t>({{1, 0, 1, 2}})));

  CHECK(equal(argmax(x, 1), from<std::int64_t>({2, 1, 0})));
  CHECK(equal(argmin(x, 1), from<std::int64_t>({1, 2, 3})));
  CHECK(argmax(x).item<std::int64_t>() == 2);  // flat index of the first 7
  CHECK(argmin(x).item<std::int64_t>() == 11); // flat index of -6
}

TEST_CASE("extrema of bool and uint8") {
  Tensor const b = from<bool>({false, true, false});
  CHECK(amax(b).item<bool>() == true);
  CHECK(amin(b).item<bool>() == false);
  CHECK(max(b, 0).indices.item<std::int64_t>() == 1);
  Tensor const u = from<std::uint8_t>({3, 250, 7});
  CHECK(max(u).item<std::uint8_t>() == 250);
  CHECK(argmin(u).item<std::int64_t>() == 0);
  CHECK_THROWS_WITH_AS(argmax(b), doctest::Contains("\"argmax_cpu\" not implemented for 'Bool'"),
                       dtype_error);
}

TEST_CASE_TEMPLATE("NaN wins in every extremum, with the index of the first NaN", T, float, double,
                   half, bfloat16) {
  Tensor const x = from<double>({{1, NAN, 9, NAN}, {2, 3, 1, 0}}).to(dtype_of<T>);
  Tensor const mx = amax(x, {1}).to(dtype::float64);
  CHECK(std::isnan(mx.at<double>({0})));
  CHECK(mx.at<double>({1}) == 3.0);
  CHECK(std::isnan(amin(x, {1}).to(dtype::float64).at<double>({0})));
  CHECK(std::isnan(max(x).to(dtype::float64).item<double>()));
  CHECK(std::isnan(min(x).to(dtype::float64).item<double>()));
  auto [values, indices] = max(x, 1);
  CHECK(std::isnan(values.to(dtype::float64).at<double>({0})));
  CHECK(equal(indices, from<std::int64_t>({1, 1})));
  CHECK(equal(min(x, 1).indices, from<std::int64_t>({1, 3})));
  CHECK(equal(argmax(x, 1), from<std::int64_t>({1, 1})));
  CHECK(argmin(x).item<std::int64_t>() == 1);
  // NaN in the first position stays.
  Tensor const leading = from<double>({NAN, 5, NAN}).to(dtype_of<T>);
  CHECK(argmax(leading).item<std::int64_t>() == 0);
}

TEST_CASE("extrema handle infinities") {
  Tensor const x = from<float>({-INFINITY, -INFINITY});
  CHECK(max(x).item<float>() == -INFINITY);
  CHECK(argmax(x).item<std::int64_t>() == 0);
  CHECK(amax(from<float>({INFINITY, 1.f})).item<float>() == INFINITY);
}

TEST_CASE("extrema of non-contiguous inputs") {
  Tensor const x = sample_reduction_extrema().to(dtype::float32);
  Tensor const t = x.t(); // [4, 3]
  CHECK(equal(amax(t, {0}), amax(x, {1})));
  CHECK(equal(argmax(t, 0), argmax(x, 1)));
  // The flat index refers to the logical (transposed) order, not to memory.
  CHECK(argmax(t).item<std::int64_t>() == argmax(t.contiguous()).item<std::int64_t>());
  CHECK(argmax(t).item<std::int64_t>() == 6);
  Tensor const sliced = x.slice(1, 1, 4, 2); // columns 1 and 3
  CHECK(equal(max(sliced, 1).values, from<float>({7.f, 5.f, 4.f})));
  CHECK(equal(max(sliced, 1).indices, from<std::int64_t>({1, 0, 0})));
}

TEST_CASE("keepdim and dim lists for amax; argmax keepdim without a dim keeps every dim as 1") {
  Tensor const x = ones({2, 3, 4});
  CHECK(std::ranges::equal(amax(x, {0, 2}, true).sizes(), std::vector<std::int64_t>{1, 3, 1}));
  CHECK(amax(x, {}).dim() == 0);
  CHECK(std::ranges::equal(argmax(x, std::nullopt, true).sizes(),
                           std::vector<std::int64_t>{1, 1, 1}));
  CHECK(std::ranges::equal(argmin(x, -1, true).sizes(), std::vector<std::int64_t>{2, 3, 1}));
  CHECK_THROWS_WITH_AS(amax(x, {1, -2}),
                       doctest::Contains("dim 1 appears multiple times in the list of dims"),
                       value_error);
  CHECK_THROWS_AS(max(x, 3), index_error);
}

TEST_CASE("empty reductions are refused where there is no identity, as PyTorch") {
  Tensor const e = zeros({0, 3});
  CHECK_THROWS_WITH_AS(amax(e, {0}),
                       doctest::Contains("amax(): Expected reduction dim 0 to have non-zero size."),
                       index_error);
  CHECK_THROWS_WITH_AS(amin(e),
                       doctest::Contains("amin(): Expected reduction dim 0 to have non-zero size."),
                       index_error);
  CHECK_THROWS_WITH_AS(
      max(e),
      doctest::Contains("max(): Expected reduction dim to be specified for input.numel() == 0."),
      shape_error);
  CHECK_THROWS_WITH_AS(min(e, 0),
                       doctest::Contains("min(): Expected reduction dim 0 to have non-zero size."),
                       index_error);
  CHECK_THROWS_WITH_AS(
      argmax(e),
      doctest::Contains("argmax(): Expected reduction dim to be specified for input.numel() == 0."),
      shape_error);
  CHECK_THROWS_WITH_AS(
      argmin(e, 0), doctest::Contains("argmin(): Expected reduction dim 0 to have non-zero size."),
      index_error);
  // Reducing a non-empty dim of an empty tensor is fine: the result is empty.
  CHECK(std::ranges::equal(amax(e, {1}).sizes(), std::vector<std::int64_t>{0}));
  auto [values, indices] = max(e, 1);
  CHECK(values.numel() == 0);
  CHECK(indices.numel() == 0);
  CHECK(argmax(e, 1).numel() == 0);
}

TEST_CASE("0-dim inputs") {
  Tensor const s = full({}, 2.5);
  CHECK(max(s).item<float>() == 2.5f);
  CHECK(max(s, 0).indices.item<std::int64_t>() == 0);
  CHECK(argmax(s).item<std::int64_t>() == 0);
  CHECK(amin(s, {-1}).item<float>() == 2.5f);
}

struct extrema_recorder final : ops::op_interceptor {
  std::vector<std::string> calls;
  ops::tensor_list intercept(ops::boxed_attributes const& a, std::span<Tensor const> in,
                             source_location const&) override {
    calls.push_back(std::string(a.schema().name) + "(" + a.str() + ")");
    return xport::kernels::eager_call(a, in);
  }
};

TEST_CASE("extrema front ends record their ATen names and attributes") {
  extrema_recorder r;
  ops::interceptor_scope scope(r);
  Tensor const x = ones({2, 3});
  (void)amax(x, {1}, true);
  (void)max(x);
  (void)max(x, 0);
  (void)argmin(x);
  REQUIRE(r.calls.size() == 4);
  CHECK(r.calls[0] == "aten::amax(dim=[1], keepdim=True)");
  CHECK(r.calls[1] == "aten::max()");
  CHECK(r.calls[2] == "aten::max.dim(dim=0, keepdim=False)");
  CHECK(r.calls[3] == "aten::argmin(keepdim=False)");
}
