#include <xport/core/scalar.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <sstream>

using xport::Scalar;

TEST_CASE("scalars keep their category") {
  CHECK(Scalar(true).type() == xport::dtype::bool_);
  CHECK(Scalar(3).type() == xport::dtype::int64);
  CHECK(Scalar(std::uint8_t{3}).type() == xport::dtype::int64);
  CHECK(Scalar(2.5f).type() == xport::dtype::float64);
  std::ostringstream out;
  out << Scalar(true) << ' ' << Scalar(-4) << ' ' << Scalar(2.5);
  CHECK(out.str() == "True -4 2.5");
}

TEST_CASE("conversions are checked") {
  CHECK(Scalar(2.9).to<std::int32_t>() == 2);
  CHECK(Scalar(-2.9).to<std::int32_t>() == -2);
  CHECK(Scalar(255).to<std::uint8_t>() == 255);
  CHECK(Scalar(0.5).to<bool>());
  CHECK(static_cast<float>(Scalar(65504).to<xport::half>()) == 65504.0f);
  CHECK(std::isnan(Scalar(NAN).to<float>()));
  CHECK(std::isinf(Scalar(-INFINITY).to<xport::half>()));
  CHECK(Scalar(std::numeric_limits<std::int64_t>::max()).to<std::int64_t>()
        == std::numeric_limits<std::int64_t>::max());
  CHECK_THROWS_WITH_AS(Scalar(256).to<std::uint8_t>(),
                       doctest::Contains("value 256 cannot be converted to type uint8"),
                       xport::value_error);
  CHECK_THROWS_AS(Scalar(-1).to<std::uint8_t>(), xport::value_error);
  CHECK_THROWS_AS(Scalar(NAN).to<std::int64_t>(), xport::value_error);
  CHECK_THROWS_AS(Scalar(9.3e18).to<std::int64_t>(), xport::value_error);
  CHECK_THROWS_AS(Scalar(70000.0).to<xport::half>(), xport::value_error);
  CHECK_THROWS_AS(Scalar(1e39).to<float>(), xport::value_error);
}
