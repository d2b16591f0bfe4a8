// Normalisation layers' forward against loop references; BatchNorm's train/eval behaviour.
#include <xport/api/elementwise.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/nn/norm.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace {
namespace nn_layers_norm = xport::nn;
using xport::Tensor;

constexpr xport::tolerance tight_layers_norm{.rtol = 1e-4, .atol = 1e-5};

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
  nn_layers_norm::LayerNorm ln{4};
  CHECK(xport::allclose(ln(x), normalise_blocks(x, 4, 1e-5), tight_layers_norm));

  nn_layers_norm::LayerNorm ln2{{2, 4}, {.eps = 1e-3}};
  CHECK(xport::allclose(ln2(x), normalise_blocks(x, 8, 1e-3), tight_layers_norm));

  ln.weight.copy_(xport::from({1.f, 2.f, 3.f, 4.f}));
  ln.bias.copy_(xport::from({0.f, 1.f, 0.f, -1.f}));
  CHECK(xport::allclose(ln(x), normalise_blocks(x, 4, 1e-5, {1, 2, 3, 4}, {0, 1, 0, -1}),
                        tight_layers_norm));

  CHECK_THROWS_AS(ln(xport::zeros({3, 5})), xport::shape_error);
}

TEST_CASE("GroupNorm forward: normalises groups of channels, then per-channel affine") {
  xport::Generator gen{21};
  Tensor const x = xport::randn({2, 6, 3}, gen);
  nn_layers_norm::GroupNorm gn{3, 6};
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

namespace {

struct channel_stats {
  std::vector<double> mean, biased_var, unbiased_var;
};

// Per-channel statistics of a contiguous float [N, C, *] tensor.
channel_stats stats_of(Tensor const& x) {
  std::int64_t const n = x.size(0), c = x.size(1), inner = x.numel() / (n * c);
  channel_stats out;
  float const* data = x.data_ptr<float>();
  for (std::int64_t ch = 0; ch < c; ++ch) {
    double sum = 0, sq = 0;
    for (std::int64_t b = 0; b < n; ++b)
      for (std::int64_t i = 0; i < inner; ++i)
        sum += data[(b * c + ch) * inner + i];
    double const count = static_cast<double>(n * inner);
    double const mean = sum / count;
    for (std::int64_t b = 0; b < n; ++b)
      for (std::int64_t i = 0; i < inner; ++i) {
        double const d = data[(b * c + ch) * inner + i] - mean;
        sq += d * d;
      }
    out.mean.push_back(mean);
    out.biased_var.push_back(sq / count);
    out.unbiased_var.push_back(sq / (count - 1));
  }
  return out;
}

Tensor as_tensor(std::vector<double> const& v) {
  return xport::from(v, {static_cast<std::int64_t>(v.size())}).to(xport::dtype::float32);
}

} // namespace

TEST_CASE("BatchNorm2d training: batch statistics, running-stat update, batch counter") {
  xport::Generator gen{22};
  Tensor const x = xport::randn({4, 3, 2, 2}, gen) * 2.0 + 1.0;
  nn_layers_norm::BatchNorm2d bn{3};
  Tensor const y = bn(x);
  channel_stats const s = stats_of(x);
  for (std::int64_t ch = 0; ch < 3; ++ch) {
    auto const c = static_cast<std::size_t>(ch);
    double const expected =
        (x.at<float>({1, ch, 0, 1}) - s.mean[c]) / std::sqrt(s.biased_var[c] + 1e-5);
    CHECK(y.at<float>({1, ch, 0, 1}) == doctest::Approx(expected).epsilon(1e-4));
  }
  CHECK(bn.num_batches_tracked.item<std::int64_t>() == 1);
  std::vector<double> mean1, var1;
  for (std::size_t c = 0; c < 3; ++c) {
    mean1.push_back(0.1 * s.mean[c]);
    var1.push_back(0.9 + 0.1 * s.unbiased_var[c]);
  }
  CHECK(xport::allclose(bn.running_mean, as_tensor(mean1), tight_layers_norm));
  CHECK(xport::allclose(bn.running_var, as_tensor(var1), tight_layers_norm));
  bn(x);
  CHECK(bn.num_batches_tracked.item<std::int64_t>() == 2);

  // evaluation uses (and leaves) the running statistics
  bn.eval();
  Tensor const running_mean = bn.running_mean.clone();
  Tensor const z = bn(x);
  CHECK(xport::equal(bn.running_mean, running_mean));
  CHECK(bn.num_batches_tracked.item<std::int64_t>() == 2);
  double const expected = (x.at<float>({0, 2, 1, 1}) - bn.running_mean.at<float>({2}))
                          / std::sqrt(bn.running_var.at<float>({2}) + 1e-5);
  CHECK(z.at<float>({0, 2, 1, 1}) == doctest::Approx(expected).epsilon(1e-4));
}

TEST_CASE("BatchNorm momentum=None keeps a cumulative average") {
  xport::Generator gen{23};
  Tensor const a = xport::randn({5, 2}, gen);
  Tensor const b = xport::randn({5, 2}, gen) + 3.0;
  nn_layers_norm::BatchNorm1d bn{2, {.momentum = std::nullopt}};
  bn(a);
  bn(b);
  channel_stats const sa = stats_of(a), sb = stats_of(b);
  CHECK(xport::allclose(bn.running_mean,
                        as_tensor({(sa.mean[0] + sb.mean[0]) / 2, (sa.mean[1] + sb.mean[1]) / 2}),
                        tight_layers_norm));
  CHECK(xport::allclose(bn.running_var,
                        as_tensor({(sa.unbiased_var[0] + sb.unbiased_var[0]) / 2,
                                   (sa.unbiased_var[1] + sb.unbiased_var[1]) / 2}),
                        tight_layers_norm));
}

TEST_CASE("BatchNorm without running statistics normalises by the batch, also in eval") {
  xport::Generator gen{24};
  Tensor const x = xport::randn({6, 2, 3}, gen);
  nn_layers_norm::BatchNorm1d bn{2, {.affine = false, .track_running_stats = false}};
  bn.eval();
  Tensor const y = bn(x);
  channel_stats const s = stats_of(x);
  double const expected = (x.at<float>({3, 1, 2}) - s.mean[1]) / std::sqrt(s.biased_var[1] + 1e-5);
  CHECK(y.at<float>({3, 1, 2}) == doctest::Approx(expected).epsilon(1e-4));
}

TEST_CASE("BatchNorm refuses inputs of the wrong rank or channel count") {
  nn_layers_norm::BatchNorm2d bn2{3};
  CHECK_THROWS_WITH_AS(bn2(xport::zeros({2, 3, 4})), doctest::Contains("expected 4D input (got 3D"),
                       xport::shape_error);
  nn_layers_norm::BatchNorm1d bn1{3};
  CHECK_THROWS_WITH_AS(bn1(xport::zeros({2, 3, 4, 5})),
                       doctest::Contains("expected 2D or 3D input (got 4D"), xport::shape_error);
  CHECK_THROWS_AS(bn1(xport::zeros({2, 4})), xport::shape_error);
  CHECK_THROWS_AS(bn1(xport::zeros({1, 3})), xport::value_error); // one value per channel
}
