// Activation and pooling modules: hand-computed values and argument checks.
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/nn/activation.hpp>
#include <xport/nn/pooling.hpp>

#include <doctest/doctest.h>

#include <cmath>

namespace {
namespace nn_layers_activation = xport::nn;
using xport::Tensor;
constexpr xport::tolerance tight_layers_activation{.rtol = 1e-5, .atol = 1e-6};
} // namespace

TEST_CASE("Activations: values at hand-picked points") {
  Tensor const x = xport::from({-2.f, -0.5f, 0.f, 1.f, 3.f});
  CHECK(xport::equal(nn_layers_activation::ReLU{}(x), xport::from({0.f, 0.f, 0.f, 1.f, 3.f})));

  auto const phi = [](double v) { return 0.5 * (1 + std::erf(v / std::sqrt(2.0))); };
  auto const exact = [&](double v) { return static_cast<float>(v * phi(v)); };
  CHECK(xport::allclose(nn_layers_activation::GELU{}(x),
                        xport::from({exact(-2), exact(-0.5), 0.f, exact(1), exact(3)}),
                        tight_layers_activation));
  auto const approx = [](double v) {
    double const k = std::sqrt(2 / 3.14159265358979323846);
    return static_cast<float>(0.5 * v * (1 + std::tanh(k * (v + 0.044715 * v * v * v))));
  };
  CHECK(xport::allclose(nn_layers_activation::GELU{"tanh"}(x),
                        xport::from({approx(-2), approx(-0.5), 0.f, approx(1), approx(3)}),
                        tight_layers_activation));
  CHECK_THROWS_WITH_AS(nn_layers_activation::GELU{"fast"},
                       doctest::Contains("approximate argument must be either"),
                       xport::value_error);

  auto const sig = [](double v) { return 1 / (1 + std::exp(-v)); };
  CHECK(xport::allclose(nn_layers_activation::Sigmoid{}(x),
                        xport::from({static_cast<float>(sig(-2)), static_cast<float>(sig(-0.5)),
                                     0.5f, static_cast<float>(sig(1)), static_cast<float>(sig(3))}),
                        tight_layers_activation));
  CHECK(xport::allclose(
      nn_layers_activation::SiLU{}(x),
      xport::from({static_cast<float>(-2 * sig(-2)), static_cast<float>(-0.5 * sig(-0.5)), 0.f,
                   static_cast<float>(sig(1)), static_cast<float>(3 * sig(3))}),
      tight_layers_activation));
  CHECK(xport::allclose(
      nn_layers_activation::Tanh{}(x),
      xport::from({static_cast<float>(std::tanh(-2.0)), static_cast<float>(std::tanh(-0.5)), 0.f,
                   static_cast<float>(std::tanh(1.0)), static_cast<float>(std::tanh(3.0))}),
      tight_layers_activation));
}

TEST_CASE("MaxPool2d / AvgPool2d / AdaptiveAvgPool2d on a 4x4 ramp") {
  // x[0, 0] = 0 1 2 3 / 4 5 6 7 / 8 9 10 11 / 12 13 14 15
  Tensor const x = xport::arange(0, 16, 1, {.dtype = xport::dtype::float32}).view({1, 1, 4, 4});
  CHECK(xport::equal(nn_layers_activation::MaxPool2d{2}(x),
                     xport::from({{5.f, 7.f}, {13.f, 15.f}}).view({1, 1, 2, 2})));
  CHECK(xport::equal(nn_layers_activation::AvgPool2d{2}(x),
                     xport::from({{2.5f, 4.5f}, {10.5f, 12.5f}}).view({1, 1, 2, 2})));
  // 3x3 windows at stride 1: maxima are the bottom-right corners
  CHECK(xport::equal(nn_layers_activation::MaxPool2d{3, {.stride = 1}}(x),
                     xport::from({{10.f, 11.f}, {14.f, 15.f}}).view({1, 1, 2, 2})));
  // padding 1 with count_include_pad=false divides corner windows by 4
  Tensor const padded =
      nn_layers_activation::AvgPool2d{2, {.padding = 1, .count_include_pad = false}}(x);
  CHECK(padded.size(2) == 3);
  CHECK(padded.at<float>({0, 0, 0, 0}) == 0.f);
  CHECK(padded.at<float>({0, 0, 1, 1}) == doctest::Approx((5 + 6 + 9 + 10) / 4.0));
  CHECK(
      xport::equal(nn_layers_activation::AdaptiveAvgPool2d{1}(x), xport::full({1, 1, 1, 1}, 7.5f)));
  CHECK(xport::equal(nn_layers_activation::AdaptiveAvgPool2d{{2, 1}}(x),
                     xport::from({{3.5f}, {11.5f}}).view({1, 1, 2, 1})));

  CHECK_THROWS_AS(nn_layers_activation::MaxPool2d(0), xport::value_error);
  CHECK_THROWS_AS(nn_layers_activation::AvgPool2d(2, {.divisor_override = 0}), xport::value_error);
  CHECK_THROWS_AS(nn_layers_activation::MaxPool2d(2, {.padding = 2})(x),
                  xport::value_error); // > half the kernel
}
