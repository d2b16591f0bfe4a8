// nn_layers_conv::Conv1d / nn_layers_conv::Conv2d forward against a direct-loop convolution.
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/nn/conv.hpp>

#include <doctest/doctest.h>

#include <cstdint>

namespace {
namespace nn_layers_conv = xport::nn;
using xport::Tensor;

constexpr xport::tolerance tight_layers_conv{.rtol = 1e-4, .atol = 1e-5};

struct geometry {
  std::int64_t stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0, dil_h = 1, dil_w = 1, groups = 1;
};

// out[n, o, i, j] = b[o] + sum_{c in o's group, p, q} x[n, c, i*s - pad + p*d, ...] w[o, c, p, q]
Tensor reference_conv2d(Tensor const& x, Tensor const& w, Tensor const& b, geometry g) {
  std::int64_t const N = x.size(0), H = x.size(2), W = x.size(3);
  std::int64_t const O = w.size(0), CG = w.size(1), KH = w.size(2), KW = w.size(3);
  std::int64_t const OH = (H + 2 * g.pad_h - g.dil_h * (KH - 1) - 1) / g.stride_h + 1;
  std::int64_t const OW = (W + 2 * g.pad_w - g.dil_w * (KW - 1) - 1) / g.stride_w + 1;
  std::int64_t const per_group = O / g.groups;
  Tensor out = xport::zeros({N, O, OH, OW});
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t o = 0; o < O; ++o)
      for (std::int64_t i = 0; i < OH; ++i)
        for (std::int64_t j = 0; j < OW; ++j) {
          double s = b.defined() ? b.at<float>({o}) : 0.0;
          for (std::int64_t c = 0; c < CG; ++c)
            for (std::int64_t p = 0; p < KH; ++p)
              for (std::int64_t q = 0; q < KW; ++q) {
                std::int64_t const y = i * g.stride_h - g.pad_h + p * g.dil_h;
                std::int64_t const z = j * g.stride_w - g.pad_w + q * g.dil_w;
                if (y < 0 || y >= H || z < 0 || z >= W) continue;
                s += double(x.at<float>({n, (o / per_group) * CG + c, y, z}))
                     * double(w.at<float>({o, c, p, q}));
              }
          out.data_ptr<float>()[((n * O + o) * OH + i) * OW + j] = static_cast<float>(s);
        }
  return out;
}

} // namespace

TEST_CASE("Conv2d forward: padding, stride, dilation, groups") {
  xport::Generator gen{30};
  Tensor const x = xport::randn({2, 4, 7, 6}, gen);

  nn_layers_conv::Conv2d plain{4, 6, 3, gen};
  CHECK(xport::allclose(plain(x), reference_conv2d(x, plain.weight, plain.bias, {}),
                        tight_layers_conv));

  nn_layers_conv::Conv2d strided{
      4, 6, {3, 2}, gen, {.stride = {2, 1}, .padding = {1, 0}, .dilation = {1, 2}}};
  Tensor const y = strided(x);
  CHECK(y.size(2) == 4);
  CHECK(y.size(3) == 4);
  CHECK(xport::allclose(
      y,
      reference_conv2d(
          x, strided.weight, strided.bias,
          {.stride_h = 2, .stride_w = 1, .pad_h = 1, .pad_w = 0, .dil_h = 1, .dil_w = 2}),
      tight_layers_conv));

  nn_layers_conv::Conv2d grouped{4, 2, 1, gen, {.groups = 2, .bias = false}};
  CHECK(xport::allclose(grouped(x), reference_conv2d(x, grouped.weight, Tensor{}, {.groups = 2}),
                        tight_layers_conv));
}

TEST_CASE("Conv2d forward: 'same' keeps the spatial size, 'valid' pads nothing") {
  xport::Generator gen{31};
  Tensor const x = xport::randn({1, 2, 5, 5}, gen);
  nn_layers_conv::Conv2d same{2, 3, 3, gen, {.padding = "same"}};
  Tensor const y = same(x);
  CHECK(y.size(2) == 5);
  CHECK(y.size(3) == 5);
  CHECK(xport::allclose(y, reference_conv2d(x, same.weight, same.bias, {.pad_h = 1, .pad_w = 1}),
                        tight_layers_conv));
  nn_layers_conv::Conv2d valid{2, 3, 3, gen, {.padding = "valid"}};
  CHECK(valid(x).size(2) == 3);
  CHECK(xport::allclose(valid(x), reference_conv2d(x, valid.weight, valid.bias, {}),
                        tight_layers_conv));
}

TEST_CASE("Conv1d forward equals a Conv2d of height 1") {
  xport::Generator gen{32};
  Tensor const x = xport::randn({2, 4, 9}, gen);
  nn_layers_conv::Conv1d conv{
      4, 4, 3, gen, {.stride = 2, .padding = 2, .dilation = 2, .groups = 2}};
  Tensor const y = conv(x);
  CHECK(y.size(2) == 5);
  Tensor const expected = reference_conv2d(x.unsqueeze(2), conv.weight.unsqueeze(2), conv.bias,
                                           {.stride_w = 2, .pad_w = 2, .dil_w = 2, .groups = 2});
  CHECK(xport::allclose(y, expected.squeeze(2), tight_layers_conv));

  nn_layers_conv::Conv1d same{
      4, 2, 4, gen, {.padding = "same"}}; // even kernel: PyTorch pads 1 left, 2 right
  CHECK(same(x).size(2) == 9);
}

TEST_CASE("Conv2d forward refuses a wrong channel count, naming the shapes") {
  xport::Generator gen;
  nn_layers_conv::Conv2d conv{3, 8, 3, gen};
  CHECK_THROWS_WITH_AS(conv(xport::zeros({1, 4, 5, 5})), doctest::Contains("[1, 4, 5, 5]"),
                       xport::shape_error);
}
