#include <xport/api/dropout.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

using namespace xport;

TEST_CASE("dropout is the identity out of training and for p == 0") {
  Generator gen{1};
  Tensor const x = randn({3, 4}, gen);
  Tensor const eval = dropout(x, 0.5, false);
  CHECK(eval.is_same(x)); // PyTorch returns the input itself
  CHECK(dropout(x, 0.0, true).is_same(x));
  CHECK(dropout(from<std::int64_t>({1, 2}), 0.5, false).dtype() == dtype::int64);
  Generator const before = gen;
  dropout(x, 0.5, false, &gen); // eval draws nothing from the generator
  Generator copy = before;
  CHECK(copy.next_bits() == gen.next_bits());
}

TEST_CASE_TEMPLATE("dropout in training: zeros or scaled values, about p dropped", T, float, double,
                   half, bfloat16) {
  Generator gen{7};
  dtype const type = dtype_of<T>;
  std::vector<double> values(5000);
  for (std::size_t i = 0; i < values.size(); ++i)
    values[i] = 1.0 + static_cast<double>(i % 97) / 97.0; // never zero
  Tensor const x = from(values, {100, 50}).to(type);
  double const p = 0.3;
  Tensor const y = dropout(x, p, true, &gen);
  CHECK(y.dtype() == type);
  Tensor const xs = x.to(dtype::float64), ys = y.to(dtype::float64);
  double const scale = convert<double>(convert<T>(1.0 / (1.0 - p)));
  std::int64_t dropped = 0;
  bool values_ok = true;
  for (std::int64_t i = 0; i < 100; ++i)
    for (std::int64_t j = 0; j < 50; ++j) {
      double const out = ys.at<double>({i, j});
      double const in = xs.at<double>({i, j});
      if (out == 0) {
        ++dropped;
      } else {
        double const expected = convert<double>(convert<T>(in * scale));
        values_ok = values_ok && out == expected;
      }
    }
  CHECK(values_ok);
  CHECK(dropped > 1350); // 5000 * 0.3 = 1500, sd about 32
  CHECK(dropped < 1650);
}

TEST_CASE("dropout masks are reproducible from the generator and differ across calls") {
  Tensor const x = ones({64});
  Generator a{123}, b{123};
  Tensor const first = dropout(x, 0.5, true, &a);
  CHECK(equal(first, dropout(x, 0.5, true, &b)));
  CHECK_FALSE(equal(first, dropout(x, 0.5, true, &a))); // the next seed
  Tensor const strided = ones({8, 8}).t();              // non-contiguous input
  Generator c{123};
  CHECK(equal(dropout(strided, 0.5, true, &c).contiguous().view({-1}), first));
}

TEST_CASE("dropout with p == 1 multiplies by zero; bad p and missing generator") {
  float const inf = std::numeric_limits<float>::infinity();
  Tensor const y = dropout(from<float>({1.f, -2.f, inf}), 1.0, true);
  CHECK(y.at<float>({0}) == 0.f);
  CHECK(y.at<float>({1}) == 0.f);
  CHECK(std::isnan(y.at<float>({2}))); // inf * 0, as PyTorch's CPU kernel
  CHECK_THROWS_WITH_AS(dropout(ones({2}), 1.5),
                       "dropout probability has to be between 0 and 1, "
                       "but got 1.5",
                       value_error);
  CHECK_THROWS_WITH_AS(dropout(ones({2}), -0.25, false), doctest::Contains("but got -0.25"),
                       value_error);
  CHECK_THROWS_WITH_AS(dropout(ones({2}), 0.5, true), doctest::Contains("needs a Generator"),
                       value_error);
  Generator gen{0};
  CHECK_THROWS_AS(dropout(ones({2}, {.dtype = dtype::int32}), 0.5, true, &gen), dtype_error);
}

namespace {
struct recorder_dropout final : ops::op_interceptor {
  std::string attrs;
  ops::tensor_list intercept(ops::boxed_attributes const& a, std::span<Tensor const> in,
                             source_location const&) override {
    attrs = a.str();
    return xport::kernels::eager_call(a, in);
  }
};
} // namespace

TEST_CASE("dropout records its seed; replaying the node gives the same mask") {
  Generator gen{5};
  Generator peek = gen;
  auto const expected_seed = static_cast<std::int64_t>(peek.next_bits());
  recorder_dropout r;
  Tensor y;
  {
    ops::interceptor_scope scope(r);
    y = dropout(ones({10}), 0.25, true, &gen);
  }
  CHECK(r.attrs == "p=0.25, train=True, seed=" + std::to_string(expected_seed));
  Tensor const in[] = {ones({10})};
  auto const replay = xport::kernels::eager_call(
      ops::boxed_attributes::of<ops::dropout>({0.25, true, expected_seed}), in);
  CHECK(equal(replay[0], y));
}
