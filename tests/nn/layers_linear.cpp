// nn_layers_linear::Linear forward against a hand-written reference_layers_linear.
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/nn/linear.hpp>

#include <doctest/doctest.h>

#include <cstdint>

namespace {
namespace nn_layers_linear = xport::nn;
using xport::Tensor;

// y[r, o] = b[o] + sum_i x[r, i] w[o, i], in double.
Tensor reference_layers_linear(Tensor const& x, Tensor const& w, Tensor const& b) {
  std::int64_t const rows = x.size(0), in = x.size(1), out = w.size(0);
  Tensor y = xport::zeros({rows, out}, {xport::dtype::float64});
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t o = 0; o < out; ++o) {
      double s = b.defined() ? b.at<float>({o}) : 0.0;
      for (std::int64_t i = 0; i < in; ++i)
        s += double(x.at<float>({r, i})) * double(w.at<float>({o, i}));
      y.data_ptr<double>()[r * out + o] = s;
    }
  return y.to(xport::dtype::float32);
}
} // namespace

TEST_CASE("Linear forward: x W^T + b over the last dimension") {
  xport::Generator gen{10};
  nn_layers_linear::Linear fc{5, 3, gen};
  Tensor const x = xport::randn({4, 5}, gen);
  Tensor const y = fc(x);
  CHECK(y.sizes().size() == 2);
  CHECK(y.size(0) == 4);
  CHECK(y.size(1) == 3);
  CHECK(xport::allclose(y, reference_layers_linear(x, fc.weight, fc.bias),
                        {.rtol = 1e-5, .atol = 1e-6}));

  // leading dimensions are kept: [2, 2, 5] -> [2, 2, 3]
  Tensor const y3 = fc(x.view({2, 2, 5}));
  CHECK(y3.size(0) == 2);
  CHECK(y3.size(1) == 2);
  CHECK(xport::allclose(y3.view({4, 3}), y, {.rtol = 1e-6, .atol = 1e-7}));

  nn_layers_linear::Linear no_bias{5, 3, gen, {.bias = false}};
  CHECK(xport::allclose(no_bias(x), reference_layers_linear(x, no_bias.weight, Tensor{}),
                        {.rtol = 1e-5, .atol = 1e-6}));
}

TEST_CASE("Linear forward: hand case") {
  xport::Generator gen;
  nn_layers_linear::Linear fc{2, 2, gen};
  fc.load_state_dict(
      {{"weight", xport::from({{1.f, 2.f}, {3.f, 4.f}})}, {"bias", xport::from({0.5f, -1.f})}});
  Tensor const y = fc(xport::from({{1.f, 1.f}, {0.f, 2.f}}));
  CHECK(xport::equal(y, xport::from({{3.5f, 6.f}, {4.5f, 7.f}})));
}

TEST_CASE("Linear forward refuses a wrong feature size") {
  xport::Generator gen;
  nn_layers_linear::Linear fc{4, 2, gen};
  CHECK_THROWS_AS(fc(xport::zeros({3, 5})), xport::shape_error);
}
