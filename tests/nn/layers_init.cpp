// nn::init: fans, gains, bounds and statistics of each initialiser, determinism, bad input.
#include <xport/core/factories.hpp>
#include <xport/nn/init.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

namespace {
namespace init = xport::nn::init;
using xport::Tensor;

std::vector<double> values_layers_init(Tensor const& t) {
  Tensor const d = t.to(xport::dtype::float64).contiguous();
  return {d.data_ptr<double>(), d.data_ptr<double>() + d.numel()};
}

struct moments {
  double min, max, mean, variance;
};

moments moments_of(Tensor const& t) {
  auto const v = values_layers_init(t);
  moments m{v[0], v[0], 0, 0};
  for (double x : v) {
    m.min = std::min(m.min, x);
    m.max = std::max(m.max, x);
    m.mean += x;
  }
  m.mean /= static_cast<double>(v.size());
  for (double x : v)
    m.variance += (x - m.mean) * (x - m.mean);
  m.variance /= static_cast<double>(v.size());
  return m;
}

} // namespace

TEST_CASE("calculate_fan_in_and_fan_out and calculate_gain follow torch.nn.init") {
  auto const linear = init::calculate_fan_in_and_fan_out(xport::empty({128, 784}));
  CHECK(linear.fan_in == 784);
  CHECK(linear.fan_out == 128);
  auto const conv = init::calculate_fan_in_and_fan_out(xport::empty({16, 3, 5, 5}));
  CHECK(conv.fan_in == 75);
  CHECK(conv.fan_out == 400);
  CHECK_THROWS_WITH_AS(init::calculate_fan_in_and_fan_out(xport::empty({7})),
                       doctest::Contains("fewer than 2 dimensions"), xport::value_error);

  CHECK(init::calculate_gain("linear") == 1.0);
  CHECK(init::calculate_gain("sigmoid") == 1.0);
  CHECK(init::calculate_gain("tanh") == doctest::Approx(5.0 / 3.0));
  CHECK(init::calculate_gain("relu") == doctest::Approx(std::sqrt(2.0)));
  CHECK(init::calculate_gain("leaky_relu") == doctest::Approx(std::sqrt(2.0 / (1 + 1e-4))));
  CHECK(init::calculate_gain("leaky_relu", std::sqrt(5.0)) == doctest::Approx(std::sqrt(1.0 / 3)));
  CHECK(init::calculate_gain("selu") == 0.75);
  CHECK_THROWS_WITH_AS(init::calculate_gain("swish"),
                       doctest::Contains("Unsupported nonlinearity swish"), xport::value_error);
}

TEST_CASE("uniform_ and normal_: range, moments, determinism, in-place on views") {
  xport::Generator gen{70};
  Tensor const u = xport::empty({100, 100});
  CHECK(init::uniform_(u, gen, -2.0, 3.0).is_same(u));
  moments const mu = moments_of(u);
  CHECK(mu.min >= -2.0);
  CHECK(mu.max < 3.0);
  CHECK(mu.mean == doctest::Approx(0.5).epsilon(0.05));
  CHECK(mu.variance == doctest::Approx(25.0 / 12).epsilon(0.05));

  Tensor const n = xport::empty({100, 100}, {.dtype = xport::dtype::float64});
  init::normal_(n, gen, 1.0, 0.5);
  moments const mn = moments_of(n);
  CHECK(mn.mean == doctest::Approx(1.0).epsilon(0.02));
  CHECK(mn.variance == doctest::Approx(0.25).epsilon(0.05));

  xport::Generator a{5}, b{5};
  Tensor const x = xport::empty({4, 4}), y = xport::empty({4, 4});
  init::normal_(x, a);
  init::normal_(y, b);
  CHECK(values_layers_init(x) == values_layers_init(y));

  // a column view is filled in place, the rest untouched
  Tensor const m = xport::zeros({3, 4});
  init::ones_(m.select(1, 2));
  CHECK(values_layers_init(m) == std::vector<double>{0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0});
  init::constant_(m, 2.5);
  CHECK(moments_of(m).min == 2.5);
  init::zeros_(m);
  CHECK(moments_of(m).max == 0.0);

  CHECK_THROWS_AS(init::uniform_(u, gen, 1.0, 0.0), xport::value_error);
  CHECK_THROWS_AS(init::normal_(u, gen, 0.0, -1.0), xport::value_error);
  CHECK_THROWS_WITH_AS(init::uniform_(xport::zeros({2}, {.dtype = xport::dtype::int64}), gen),
                       doctest::Contains("needs a floating-point tensor"), xport::dtype_error);
}

TEST_CASE("kaiming and xavier: bounds and standard deviations from the fans") {
  xport::Generator gen{71};
  Tensor const w = xport::empty({200, 50});
  init::kaiming_uniform_(w, gen, 0.0, init::fan_mode::fan_in, "relu");
  double const bound = std::sqrt(2.0) * std::sqrt(3.0 / 50);
  CHECK(moments_of(w).max <= bound);
  CHECK(moments_of(w).max > 0.98 * bound);
  CHECK(moments_of(w).variance == doctest::Approx(bound * bound / 3).epsilon(0.05));

  init::kaiming_uniform_(w, gen, 0.0, init::fan_mode::fan_out, "relu");
  CHECK(moments_of(w).max <= std::sqrt(2.0) * std::sqrt(3.0 / 200));

  init::kaiming_normal_(w, gen, 0.0, init::fan_mode::fan_in, "relu");
  CHECK(moments_of(w).variance == doctest::Approx(2.0 / 50).epsilon(0.05));

  init::xavier_uniform_(w, gen, 2.0);
  double const xavier = 2.0 * std::sqrt(6.0 / 250);
  CHECK(moments_of(w).max <= xavier);
  CHECK(moments_of(w).min >= -xavier);
  init::xavier_normal_(w, gen);
  CHECK(moments_of(w).variance == doctest::Approx(2.0 / 250).epsilon(0.05));

  Tensor const empty = xport::empty({0, 4});
  CHECK(init::kaiming_uniform_(empty, gen).numel() == 0); // nothing to draw
  CHECK_THROWS_AS(init::xavier_uniform_(xport::empty({5}), gen), xport::value_error);
}
