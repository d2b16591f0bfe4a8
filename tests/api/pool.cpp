#include <xport/api/pool.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>

#include "support/tensors.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

using namespace xport;

namespace {

// Max pooling by the definition on an explicitly -inf-padded copy of each plane, for
// [N, C, H, W] in double.
Tensor reference_max_pool(Tensor const& input, std::int64_t k, std::int64_t s, std::int64_t p,
                          std::int64_t d, std::int64_t oh, std::int64_t ow) {
  Tensor const x = input.to(dtype::float64);
  std::int64_t const N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  std::vector<double> out;
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t c = 0; c < C; ++c) {
      std::vector<double> padded(static_cast<std::size_t>((H + 2 * p) * (W + 2 * p + s * ow)),
                                 -std::numeric_limits<double>::infinity());
      std::int64_t const PW = W + 2 * p + s * ow;
      for (std::int64_t i = 0; i < H; ++i)
        for (std::int64_t j = 0; j < W; ++j)
          padded[static_cast<std::size_t>((i + p) * PW + j + p)] = x.at<double>({n, c, i, j});
      for (std::int64_t y = 0; y < oh; ++y)
        for (std::int64_t z = 0; z < ow; ++z) {
          double best = -std::numeric_limits<double>::infinity();
          for (std::int64_t i = 0; i < k; ++i)
            for (std::int64_t j = 0; j < k; ++j) {
              std::int64_t const r = y * s + i * d, q = z * s + j * d;
              if (r >= H + 2 * p) continue;
              best = std::max(best, padded[static_cast<std::size_t>(r * PW + q)]);
            }
          out.push_back(best);
        }
    }
  return from<double>(out, {N, C, oh, ow});
}

using test::sizes_are;

} // namespace

TEST_CASE_TEMPLATE("max_pool2d by hand in every float dtype", T, float, double, xport::half,
                   xport::bfloat16) {
  Tensor const x = arange(0, 16, 1, {.dtype = dtype_of<T>}).reshape({1, 1, 4, 4});
  Tensor const y = max_pool2d(x, {2});
  CHECK(y.dtype() == dtype_of<T>);
  CHECK(equal(y, from<float>({5, 7, 13, 15}).reshape({1, 1, 2, 2})));
  // stride 1, padding 1 over the 4x4 ramp (the padding never wins)
  Tensor const z = max_pool2d(x, {3}, {.stride = {1}, .padding = {1}});
  CHECK(equal(z.select(0, 0).select(0, 0).select(0, 0), from<float>({5, 6, 7, 7})));
  CHECK(equal(max_pool2d(x.select(0, 0), {2}), from<float>({5, 7, 13, 15}).reshape({1, 2, 2})));
}

// PyTorch's rules for the indices: the position in the input plane (y * W + x), the first
// of equal maxima, the last NaN, the first element of a window of -inf; checked against
// torch.nn.functional.max_pool2d(..., return_indices=True) on the same inputs.
TEST_CASE("max_pool2d_with_indices: positions in the plane, ties, NaN, -inf, padding") {
  float const inf = std::numeric_limits<float>::infinity();
  float const nan = std::numeric_limits<float>::quiet_NaN();
  Tensor const x = from<float>({1, 3, 3, 0,         //
                                2, 3, nan, 4,       //
                                -inf, -inf, 5, nan, //
                                -inf, -inf, 6, 6})
                       .reshape({1, 1, 4, 4});
  auto const [y, at] = max_pool2d_with_indices(x, {2});
  CHECK(at.dtype() == dtype::int64);
  CHECK(equal(at, from<std::int64_t>({1, 6, 8, 11}).reshape({1, 1, 2, 2})));
  CHECK(allclose(y, max_pool2d(x, {2}), {.rtol = 0, .atol = 0, .equal_nan = true}));
  CHECK(y.select(2, 0).select(2, 0).item<float>() == 3.0f); // first 3 of the two
  CHECK(std::isnan(y.select(2, 0).select(2, 1).item<float>()));
  CHECK(y.select(2, 1).select(2, 0).item<float>() == -inf);
  // A 3x3 window, stride 2, padding 1 over a ramp: the padding never wins, and the
  // position counts in the unpadded plane; unbatched input gives unbatched results.
  Tensor const ramp = arange(0, 16, 1, {.dtype = dtype::float64}).reshape({1, 4, 4});
  auto const [v, where] = max_pool2d_with_indices(ramp, {3}, {.stride = {2}, .padding = {1}});
  CHECK(sizes_are(where, {1, 2, 2}));
  CHECK(equal(where, from<std::int64_t>({5, 7, 13, 15}).reshape({1, 2, 2})));
  CHECK(equal(v, from<double>({5, 7, 13, 15}).reshape({1, 2, 2})));
  CHECK_THROWS_AS(max_pool2d_with_indices(arange(16).reshape({1, 1, 4, 4}), {2}), dtype_error);
}

TEST_CASE("max_pool2d: ceil_mode drops a window that starts in the right padding") {
  // 5 wide, k=2, s=2: floor gives 2, ceil 3 (last window [4, 6) starts inside the input)
  Tensor const x = arange(0, 25, 1, {.dtype = dtype::float32}).reshape({1, 1, 5, 5});
  Tensor const c = max_pool2d(x, {2}, {.ceil_mode = true});
  CHECK(sizes_are(c, {1, 1, 3, 3}));
  CHECK(equal(c, from<float>({6, 8, 9, 16, 18, 19, 21, 23, 24}).reshape({1, 1, 3, 3})));
  CHECK(sizes_are(max_pool2d(x, {2}), {1, 1, 2, 2}));
  // 4 wide, k=3, s=2, p=1: (4 + 2 - 3 + 1) // 2 + 1 = 3 windows; the third starts at
  // 2*2 = 4 < 4 + 1 (inside the left-padded input): kept.
  CHECK(sizes_are(
      max_pool2d(zeros({1, 1, 4, 4}), {3}, {.stride = {2}, .padding = {1}, .ceil_mode = true}),
      {1, 1, 3, 3}));
  // 6 wide, k=2, s=4, p=1: floor (6+2-2)/4+1 = 2; ceil (6+2-2+3)/4+1 = 3, but the third
  // window starts at 2*4 = 8 >= 6 + 1: dropped, as PyTorch does.
  CHECK(sizes_are(
      max_pool2d(zeros({1, 1, 6, 6}), {2}, {.stride = {4}, .padding = {1}, .ceil_mode = true}),
      {1, 1, 2, 2}));
}

TEST_CASE("max_pool2d against the padded reference: stride, padding, dilation, non-contiguous") {
  Generator gen(3);
  Tensor const x = randn({2, 3, 9, 11}, gen).narrow(3, 1, 9).transpose(2, 3); // [2, 3, 9, 9]
  Tensor const got = max_pool2d(x, {3}, {.stride = {2}, .padding = {1}, .dilation = {2}});
  REQUIRE(sizes_are(got, {2, 3, 4, 4}));
  CHECK(equal(got.to(dtype::float64), reference_max_pool(x, 3, 2, 1, 2, 4, 4)));
  CHECK(sizes_are(max_pool2d(zeros({0, 3, 4, 4}), {2}), {0, 3, 2, 2}));
}

TEST_CASE("max_pool2d propagates NaN") {
  Tensor x = zeros({1, 1, 2, 4});
  x.select(0, 0).select(0, 0).select(0, 1).select(0, 0).copy_(
      from<float>({std::numeric_limits<float>::quiet_NaN()}).reshape({}));
  Tensor const y = max_pool2d(x, {2});
  CHECK(std::isnan(y.at<float>({0, 0, 0, 0})));
  CHECK(y.at<float>({0, 0, 0, 1}) == 0.f);
  // The NaN itself comes out, sign included, as PyTorch returns the element it chose.
  x.select(0, 0).select(0, 0).select(0, 0).select(0, 3).copy_(
      from<float>({-std::numeric_limits<float>::quiet_NaN()}).reshape({}));
  Tensor const z = max_pool2d(x, {2});
  CHECK(std::isnan(z.at<float>({0, 0, 0, 1})));
  CHECK(std::signbit(z.at<float>({0, 0, 0, 1})));
  CHECK_FALSE(std::signbit(z.at<float>({0, 0, 0, 0})));
}

TEST_CASE_TEMPLATE("avg_pool2d: count_include_pad, divisor_override, ceil_mode", T, float, double,
                   xport::half, xport::bfloat16) {
  Tensor const x = ones({1, 1, 3, 3}).to(dtype_of<T>);
  // padding 1, k=2, s=2: windows cover 1, 2, 2, 4 real elements of 4 slots
  Tensor const with_pad = avg_pool2d(x, {2}, {.padding = {1}});
  CHECK(with_pad.dtype() == dtype_of<T>);
  CHECK(equal(with_pad, from<float>({0.25f, 0.5f, 0.5f, 1.f}).reshape({1, 1, 2, 2})));
  Tensor const without = avg_pool2d(x, {2}, {.padding = {1}, .count_include_pad = false});
  CHECK(equal(without, ones({1, 1, 2, 2})));
  Tensor const override = avg_pool2d(x, {2}, {.padding = {1}, .divisor_override = 2});
  CHECK(equal(override, from<float>({0.5f, 1.f, 1.f, 2.f}).reshape({1, 1, 2, 2})));
  // ceil_mode on 3 wide, k=2, s=2: the last window holds one element, and its divisor
  // is clipped to the input + padding (1 x 2 = 2 slots, not 4)
  Tensor const r = arange(0, 9, 1, {.dtype = dtype_of<T>}).reshape({1, 3, 3});
  Tensor const ceil = avg_pool2d(r, {2}, {.ceil_mode = true});
  CHECK(equal(ceil, from<float>({2.f, 3.5f, 6.5f, 8.f}).reshape({1, 2, 2})));
}

TEST_CASE("adaptive_avg_pool2d: PyTorch's overlapping windows") {
  // 5 -> 3: windows [0, 2), [1, 4), [3, 5)
  Tensor const x = arange(0, 5, 1, {.dtype = dtype::float64}).reshape({1, 1, 1, 5});
  Tensor const y = adaptive_avg_pool2d(x, {1, 3});
  CHECK(equal(y, from<double>({0.5, 2.0, 3.5}).reshape({1, 1, 1, 3})));
  Generator gen(8);
  Tensor const z = randn({2, 3, 7, 6}, gen);
  Tensor const g = adaptive_avg_pool2d(z.transpose(2, 3), {1, 1}); // global average
  for (std::int64_t n = 0; n < 2; ++n)
    for (std::int64_t c = 0; c < 3; ++c) {
      double sum = 0;
      for (std::int64_t i = 0; i < 7; ++i)
        for (std::int64_t j = 0; j < 6; ++j)
          sum += z.at<float>({n, c, i, j});
      CHECK(g.at<float>({n, c, 0, 0}) == doctest::Approx(sum / 42).epsilon(1e-5));
    }
  // 4 -> 4 is the identity; 2 -> 4 repeats each element twice
  CHECK(equal(adaptive_avg_pool2d(z, {7, 6}), z));
  Tensor const small = from<float>({1, 2}).reshape({1, 1, 2});
  CHECK(equal(adaptive_avg_pool2d(small, {1, 4}), from<float>({1, 1, 2, 2}).reshape({1, 1, 4})));
  CHECK(sizes_are(adaptive_avg_pool2d(zeros({0, 2, 4, 4}), {2, 2}), {0, 2, 2, 2}));
}

TEST_CASE("pooling errors in PyTorch's words") {
  CHECK_THROWS_WITH_AS(max_pool2d(zeros({1, 1, 5, 5}), {3}, {.padding = {2}}),
                       doctest::Contains("pad should be at most half of effective kernel size, but "
                                         "got pad=2, kernel_size=3 and dilation=1"),
                       value_error);
  CHECK_THROWS_WITH_AS(avg_pool2d(zeros({1, 1, 5, 5}), {2}, {.padding = {2}}),
                       doctest::Contains("pad should be at most half"), value_error);
  CHECK_THROWS_WITH_AS(max_pool2d(zeros({1, 1, 2, 2}), {3}),
                       doctest::Contains("Given input size: (1x2x2). Calculated output size: "
                                         "(1x0x0). Output size is too small"),
                       shape_error);
  CHECK_THROWS_WITH_AS(max_pool2d(zeros({4, 4}), {2}),
                       doctest::Contains("Expected 3D or 4D (batch mode) tensor"), shape_error);
  CHECK_THROWS_WITH_AS(max_pool2d(zeros({1, 0, 4, 4}), {2}),
                       doctest::Contains("with optional 0 dim batch size"), shape_error);
  CHECK_THROWS_WITH_AS(
      max_pool2d(zeros({1, 1, 4, 4}), {2, 2, 2}),
      doctest::Contains("kernel_size must either be a single int, or a tuple of two "
                        "ints"),
      value_error);
  CHECK_THROWS_WITH_AS(max_pool2d(zeros({1, 1, 4, 4}), {2}, {.stride = {0}}),
                       doctest::Contains("stride should be greater than zero"), value_error);
  CHECK_THROWS_WITH_AS(max_pool2d(zeros({1, 1, 4, 4}, {.dtype = dtype::int64}), {2}),
                       doctest::Contains("not implemented for 'Long'"), dtype_error);
  CHECK_THROWS_WITH_AS(avg_pool2d(zeros({1, 1, 4, 4}), {2}, {.divisor_override = 0}),
                       doctest::Contains("divisor must be not zero"), value_error);
  CHECK_THROWS_WITH_AS(adaptive_avg_pool2d(zeros({1, 1, 4, 4}), {2}),
                       doctest::Contains("output_size must be 2"), value_error);
  CHECK_THROWS_WITH_AS(adaptive_avg_pool2d(zeros({1, 0, 4}), {2, 2}),
                       doctest::Contains("dimension 1 being empty"), shape_error);
}
