#include <xport/api/conv.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>

#include "support/tensors.hpp"

#include <doctest/doctest.h>

#include <array>
#include <vector>

using namespace xport;

namespace {

// A direct 2-D convolution in double by the definition, with independent padding per
// side: out[n, o, y, x] = bias[o] + sum over c in o's group, taps (i, j) of
// in[n, c, y*s - pt + i*d, x*s - pl + j*d] * w[o, c - group start, i, j].
Tensor reference_conv2d(Tensor const& input, Tensor const& weight, Tensor const& bias,
                        std::array<std::int64_t, 2> stride, std::array<std::int64_t, 2> pad_begin,
                        std::array<std::int64_t, 2> pad_end, std::array<std::int64_t, 2> dilation,
                        std::int64_t groups) {
  Tensor const x = input.to(dtype::float64);
  Tensor const w = weight.to(dtype::float64);
  std::int64_t const N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  std::int64_t const O = w.size(0), KH = w.size(2), KW = w.size(3);
  std::int64_t const OH =
      (H + pad_begin[0] + pad_end[0] - dilation[0] * (KH - 1) - 1) / stride[0] + 1;
  std::int64_t const OW =
      (W + pad_begin[1] + pad_end[1] - dilation[1] * (KW - 1) - 1) / stride[1] + 1;
  std::int64_t const cg = C / groups, og = O / groups;
  std::vector<double> out(static_cast<std::size_t>(N * O * OH * OW));
  std::size_t at = 0;
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t o = 0; o < O; ++o)
      for (std::int64_t y = 0; y < OH; ++y)
        for (std::int64_t xx = 0; xx < OW; ++xx) {
          double sum = bias.defined() ? bias.to(dtype::float64).at<double>({o}) : 0.0;
          for (std::int64_t c = 0; c < cg; ++c)
            for (std::int64_t i = 0; i < KH; ++i)
              for (std::int64_t j = 0; j < KW; ++j) {
                std::int64_t const iy = y * stride[0] - pad_begin[0] + i * dilation[0];
                std::int64_t const ix = xx * stride[1] - pad_begin[1] + j * dilation[1];
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                sum += x.at<double>({n, (o / og) * cg + c, iy, ix}) * w.at<double>({o, c, i, j});
              }
          out[at++] = sum;
        }
  return from<double>(out, {N, O, OH, OW});
}

using test::sizes_are;

bool close(Tensor const& got, Tensor const& want, double tol = 1e-4) {
  return std::ranges::equal(got.sizes(), want.sizes())
         && allclose(got.to(dtype::float64), want, {.rtol = tol, .atol = tol});
}

} // namespace

TEST_CASE("conv2d by hand: a 3x3 box filter with padding 1") {
  Tensor const x = arange(0, 9, 1, {.dtype = dtype::float32}).reshape({1, 1, 3, 3});
  Tensor const w = ones({1, 1, 3, 3});
  // 0 1 2 / 3 4 5 / 6 7 8: sums of each 3x3 neighbourhood (zeros outside)
  Tensor const want = from<float>({8, 15, 12, 21, 36, 27, 20, 33, 24}).reshape({1, 1, 3, 3});
  CHECK(equal(conv2d(x, w, {}, {.padding = {1}}), want));
  CHECK(equal(conv2d(x, w, from<float>({1}), {.padding = {1}}),
              from<float>({9, 16, 13, 22, 37, 28, 21, 34, 25}).reshape({1, 1, 3, 3})));
  // valid, stride 2 over a 5x5 ramp: windows at (0,0), (0,2), (2,0), (2,2)
  Tensor const r = arange(0, 25, 1, {.dtype = dtype::float32}).reshape({1, 1, 5, 5});
  CHECK(equal(conv2d(r, w, {}, {.stride = {2}}),
              from<float>({54, 72, 144, 162}).reshape({1, 1, 2, 2})));
}

TEST_CASE_TEMPLATE("conv2d against the loop reference in every float dtype", T, float, double,
                   xport::half, xport::bfloat16) {
  Generator gen(11);
  double const tol = sizeof(T) == 2 ? 5e-2 : 1e-4;
  struct conv_case {
    std::vector<std::int64_t> input, weight;
    std::array<std::int64_t, 2> stride, padding, dilation;
    std::int64_t groups;
  };
  std::vector<conv_case> const cases = {
      {{2, 3, 7, 6}, {4, 3, 3, 3}, {1, 1}, {0, 0}, {1, 1}, 1},
      {{2, 3, 7, 6}, {4, 3, 3, 2}, {2, 1}, {1, 2}, {1, 1}, 1},
      {{1, 4, 9, 9}, {6, 2, 3, 3}, {2, 2}, {1, 1}, {2, 1}, 2}, // groups, dilation
      {{1, 4, 5, 5}, {4, 1, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 4}, // depthwise
      {{3, 5, 4, 4}, {2, 5, 1, 1}, {1, 1}, {0, 0}, {1, 1}, 1}, // pointwise fast path
      {{1, 2, 6, 6}, {3, 2, 1, 1}, {2, 2}, {0, 0}, {1, 1}, 1}, // 1x1 with stride
      // Stride 1, output as wide as the input: each tap unfolded as one run.
      {{2, 3, 6, 5}, {4, 3, 3, 3}, {1, 1}, {1, 1}, {1, 1}, 1}, // "same", batched
      {{2, 2, 7, 6}, {3, 2, 3, 3}, {1, 1}, {2, 2}, {2, 2}, 1}, // "same", dilation 2
      {{1, 2, 3, 4}, {2, 2, 3, 1}, {1, 1}, {1, 0}, {1, 1}, 1}, // padded rows only
      {{3, 2, 2, 2}, {3, 2, 5, 5}, {1, 1}, {2, 2}, {1, 1}, 1}, // taps wholly outside
  };
  for (auto const& c : cases) {
    Tensor const x = randn(c.input, gen).to(dtype_of<T>);
    Tensor const w = randn(c.weight, gen).to(dtype_of<T>);
    Tensor const b = randn({c.weight[0]}, gen).to(dtype_of<T>);
    Tensor const got = conv2d(x, w, b,
                              {.stride = {c.stride[0], c.stride[1]},
                               .padding = {c.padding[0], c.padding[1]},
                               .dilation = {c.dilation[0], c.dilation[1]},
                               .groups = c.groups});
    CHECK(got.dtype() == dtype_of<T>);
    CHECK(close(
        got, reference_conv2d(x, w, b, c.stride, c.padding, c.padding, c.dilation, c.groups), tol));
  }
}

TEST_CASE("conv2d on non-contiguous inputs, unbatched, and an empty batch") {
  Generator gen(2);
  Tensor const x = randn({2, 3, 8, 10}, gen).narrow(3, 1, 7).transpose(2, 3); // [2, 3, 7, 8]
  Tensor const w = randn({3, 3, 3, 4}, gen).transpose(2, 3);                  // [3, 3, 4, 3]
  Tensor const got = conv2d(x, w, {}, {.padding = {1}});
  CHECK(close(got, reference_conv2d(x, w, {}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, 1)));
  Tensor const one = conv2d(x.select(0, 1), w, {}, {.padding = {1}}); // [C, H, W]
  CHECK(sizes_are(one, {3, 6, 8}));
  CHECK(close(one, reference_conv2d(x, w, {}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, 1).select(0, 1)));
  CHECK(sizes_are(conv2d(zeros({0, 3, 5, 5}), zeros({2, 3, 3, 3}), zeros({2})), {0, 2, 3, 3}));
}

TEST_CASE("conv2d padding='same' and 'valid', with the extra zero at the end") {
  Generator gen(4);
  Tensor const x = randn({1, 2, 6, 5}, gen);
  Tensor const w = randn({3, 2, 2, 4}, gen); // even kernels: totals 1 and 3
  Tensor const same = conv2d(x, w, {}, "same");
  CHECK(sizes_are(same, {1, 3, 6, 5}));
  CHECK(close(same, reference_conv2d(x, w, {}, {1, 1}, {0, 1}, {1, 2}, {1, 1}, 1)));
  Tensor const dilated = conv2d(x, w, {}, "same", {.dilation = {2}});
  CHECK(close(dilated, reference_conv2d(x, w, {}, {1, 1}, {1, 3}, {1, 3}, {2, 2}, 1)));
  Tensor const valid = conv2d(x, w, {}, "valid");
  CHECK(close(valid, reference_conv2d(x, w, {}, {1, 1}, {0, 0}, {0, 0}, {1, 1}, 1)));
}

TEST_CASE("conv1d and the core convolution op") {
  // by hand: [1, 2, 3, 4] * [1, -1] -> [-1, -1, -1]; padding 1 adds [-(-1)... ] ends
  Tensor const x = from<float>({1, 2, 3, 4}).reshape({1, 1, 4});
  Tensor const w = from<float>({1, -1}).reshape({1, 1, 2});
  CHECK(equal(conv1d(x, w), from<float>({-1, -1, -1}).reshape({1, 1, 3})));
  CHECK(equal(conv1d(x, w, {}, {.padding = {1}}),
              from<float>({-1, -1, -1, -1, 4}).reshape({1, 1, 5})));
  CHECK(equal(conv1d(x.select(0, 0), w), from<float>({-1, -1, -1}).reshape({1, 3}))); // unbatched
  CHECK(equal(conv1d(x, w, {}, "same"), from<float>({-1, -1, -1, 4}).reshape({1, 1, 4})));
  Generator gen(9);
  Tensor const a = randn({2, 4, 9}, gen);
  Tensor const k = randn({6, 2, 3}, gen);
  Tensor const got =
      conv1d(a, k, {}, {.stride = {2}, .padding = {2}, .dilation = {2}, .groups = 2});
  CHECK(close(
      got, reference_conv2d(a.unsqueeze(2), k.unsqueeze(2), {}, {1, 2}, {0, 2}, {0, 2}, {1, 2}, 2)
               .squeeze(2)));
  Tensor const core = convolution(a, k, {}, {2}, {2}, {2}, false, {0}, 2);
  CHECK(equal(core, got));
  CHECK_THROWS_WITH_AS(convolution(a, k, {}, {1}, {0}, {1}, true, {0}, 2),
                       doctest::Contains("transposed"), unsupported_error);
}

TEST_CASE("conv errors in PyTorch's words") {
  CHECK_THROWS_WITH_AS(conv2d(zeros({1, 4, 5, 5}), zeros({8, 3, 3, 3})),
                       doctest::Contains("Given groups=1, weight of size [8, 3, 3, 3], expected "
                                         "input[1, 4, 5, 5] to have 3 channels, but got 4 channels "
                                         "instead"),
                       shape_error);
  CHECK_THROWS_WITH_AS(
      conv2d(zeros({1, 3, 2, 2}), zeros({8, 3, 3, 3})),
      doctest::Contains("Calculated padded input size per channel: (2 x 2). Kernel "
                        "size: (3 x 3). Kernel size can't be greater than actual "
                        "input size"),
      shape_error);
  CHECK_THROWS_WITH_AS(conv2d(zeros({5, 5}), zeros({8, 3, 3, 3})),
                       doctest::Contains("Expected 3D (unbatched) or 4D (batched) input to conv2d, "
                                         "but got input of size: [5, 5]"),
                       shape_error);
  CHECK_THROWS_WITH_AS(conv2d(zeros({1, 4, 5, 5}), zeros({7, 2, 3, 3}), {}, {.groups = 2}),
                       doctest::Contains("expected weight to be divisible by 2 at dimension 0"),
                       shape_error);
  CHECK_THROWS_WITH_AS(conv2d(zeros({1, 3, 5, 5}), zeros({8, 3, 3, 3}), zeros({7})),
                       doctest::Contains("expected bias to be 1-dimensional with 8 elements, but "
                                         "got bias of size [7] instead"),
                       shape_error);
  CHECK_THROWS_WITH_AS(conv2d(zeros({1, 3, 5, 5}), zeros({8, 3, 3, 3}), {}, {.stride = {0}}),
                       doctest::Contains("non-positive stride is not supported"), value_error);
  CHECK_THROWS_WITH_AS(conv2d(zeros({1, 3, 5, 5}), zeros({8, 3, 3, 3}), {}, {.stride = {1, 1, 1}}),
                       doctest::Contains("a list of 2 values"), value_error);
  CHECK_THROWS_WITH_AS(
      conv2d(zeros({1, 3, 5, 5}), zeros({8, 3, 3, 3}), {}, "same", {.stride = {2}}),
      doctest::Contains("padding='same' is not supported for strided convolutions"), value_error);
  CHECK_THROWS_WITH_AS(conv2d(zeros({1, 3, 5, 5}), zeros({8, 3, 3, 3}), {}, "full"),
                       doctest::Contains("Invalid padding string: 'full'"), value_error);
  CHECK_THROWS_WITH_AS(conv2d(zeros({1, 3, 5, 5}, {.dtype = dtype::int64}),
                              zeros({8, 3, 3, 3}, {.dtype = dtype::int64})),
                       doctest::Contains("not implemented for 'Long'"), dtype_error);
  CHECK_THROWS_WITH_AS(conv2d(zeros({1, 3, 5, 5}, {.dtype = dtype::float64}), zeros({8, 3, 3, 3})),
                       doctest::Contains("Input type (torch.DoubleTensor) and weight type "
                                         "(torch.FloatTensor) should be the same"),
                       dtype_error);
  CHECK_THROWS_WITH_AS(
      convolution(zeros({3, 5, 5}), zeros({8, 3, 3, 3}), {}, {1}, {0}, {1}, false, {0}, 1),
      doctest::Contains("Expected 4-dimensional input for 4-dimensional weight "
                        "[8, 3, 3, 3], but got 3-dimensional input of size "
                        "[3, 5, 5] instead"),
      shape_error);
}
