// Normalisation layers' forward against loop references; BatchNorm's train/eval behaviour.
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/nn/norm.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace {
namespace nn = xport::nn;
using xport::Tensor;

constexpr xport::tolerance tight{.rtol = 1e-4, .atol = 1e-5};

// Normalises consecutive blocks of `block` elements of contiguous float `x` (biased
// variance), then scales element i of a block by scale[i / per_scale].
Tensor normalise_blocks(Tensor const& x, std::int64_t block, double eps,
                        std::vector<double> const& scale = {},
                        std::vector<double> const& shift = {}, std::int64_t per_scale = 1) {
  Tensor const in = x.contiguous();
  Tensor out = xport::empty(x.sizes());
  float const* src = in.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  for (std::int64_t start = 0; start < x.numel(); start += block) {
    double mean = 0, var = 0;
    for (std::int64_t i = 0; i < block; ++i)
      mean += src[start + i];
    mean /= double(block);
    for (std::int64_t i = 0; i < block; ++i)
      var += (src[start + i] - mean) * (src[start + i] - mean);
    var /= double(block);
    for (std::int64_t i = 0; i < block; ++i) {
      double v = (src[start + i] - mean) / std::sqrt(var + eps);
      auto const c = static_cast<std::size_t>(i / per_scale);
      if (!scale.empty()) v = v * scale[c] + shift[c];
      dst[start + i] = static_cast<float>(v);
    }
  }
  return out;
}

} // namespace

TEST_CASE("LayerNorm forward: normalises the trailing dimensions, then weight and bias") {
  xport::Generator gen{20};
  Tensor const x = xport::randn({3, 2, 4}, gen);
  nn::LayerNorm ln{4};
  CHECK(xport::allclose(ln(x), normalise_blocks(x, 4, 1e-5), tight));

  nn::LayerNorm ln2{{2, 4}, {.eps = 1e-3}};
  CHECK(xport::allclose(ln2(x), normalise_blocks(x, 8, 1e-3), tight));

  ln.weight.copy_(xport::from({1.f, 2.f, 3.f, 4.f}));
  ln.bias.copy_(xport::from({0.f, 1.f, 0.f, -1.f}));
  CHECK(xport::allclose(ln(x), normalise_blocks(x, 4, 1e-5, {1, 2, 3, 4}, {0, 1, 0, -1}), tight));

  CHECK_THROWS_AS(ln(xport::zeros({3, 5})), xport::shape_error);
}

TEST_CASE("GroupNorm forward: normalises groups of channels, then per-channel affine") {
  xport::Generator gen{21};
  Tensor const x = xport::randn({2, 6, 3}, gen);
  nn::GroupNorm gn{3, 6};
  gn.weight.copy_(xport::from({1.f, 2.f, 3.f, 4.f, 5.f, 6.f}));
  gn.bias.copy_(xport::from({0.f, 0.f, 1.f, 1.f, 2.f, 2.f}));
  // a group is 2 channels x 3 positions = 6 consecutive elements; channel c then gets
  // weight c + 1 and bias c / 2
  Tensor const y = gn(x);
  Tensor const plain = normalise_blocks(x, 6, 1e-5);
  for (std::int64_t n = 0; n < 2; ++n)
    for (std::int64_t c = 0; c < 6; ++c)
      for (std::int64_t l = 0; l < 3; ++l) {
        double const expected =
            plain.at<float>({n, c, l}) * static_cast<double>(c + 1) + static_cast<double>(c / 2);
        CHECK(y.at<float>({n, c, l}) == doctest::Approx(expected).epsilon(1e-4));
      }
  CHECK_THROWS_WITH_AS(gn(xport::zeros({2, 4, 3})), doctest::Contains("GroupNorm: expected input"),
                       xport::shape_error);
}
