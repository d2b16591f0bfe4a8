#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>

#include <doctest/doctest.h>

#include <cmath>

using xport::dtype;

TEST_CASE("equal compares sizes and values across dtypes and layouts") {
  auto const a = xport::arange(6).view({2, 3});
  CHECK(xport::equal(a, a.t().contiguous().t()));
  CHECK(xport::equal(a, a.to(dtype::float32)));
  CHECK_FALSE(xport::equal(a, a.view({3, 2})));
  auto const big = xport::full({1}, std::int64_t{9007199254740993});
  CHECK_FALSE(xport::equal(
      big, xport::full({1}, std::int64_t{9007199254740992}))); // exact, not through double
  CHECK_FALSE(xport::equal(xport::from({NAN}), xport::from({NAN})));
}

TEST_CASE("allclose uses PyTorch's tolerance rule and broadcasts") {
  auto const ref = xport::from({1.0, 100.0, 0.0});
  CHECK(xport::allclose(xport::from({1.0 + 1e-6, 100.0005, 1e-9}), ref));
  CHECK_FALSE(xport::allclose(xport::from({1.0 + 1e-4, 100.0, 0.0}), ref));
  CHECK(xport::allclose(xport::from({1.05, 100.0, 0.0}), ref, {.rtol = 0.1}));
  CHECK(xport::allclose(xport::from({1.0f, 1.0f}), xport::ones({3, 2})));
  CHECK(xport::allclose(xport::from({INFINITY}), xport::from({INFINITY})));
  CHECK_FALSE(xport::allclose(xport::from({INFINITY}), xport::from({-INFINITY})));
  CHECK_FALSE(xport::allclose(xport::from({NAN}), xport::from({NAN})));
  CHECK(xport::allclose(xport::from({NAN}), xport::from({NAN}), {.equal_nan = true}));
  CHECK_THROWS_AS(xport::allclose(xport::zeros({2}), xport::zeros({3})), xport::shape_error);
}
