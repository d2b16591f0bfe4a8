// XPORT_EXPECT_ERROR: different forms can never be equal
// 2*batch and 2*batch + 1 are never equal.
#include <xport/sym/static_dim.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] auto d = xport::sym::expect_equal(2_c * b, 2_c * b + 1_c);
#else
  [[maybe_unused]] auto d = xport::sym::expect_equal(2_c * b, b + b);
#endif
}
