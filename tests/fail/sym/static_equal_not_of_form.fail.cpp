// XPORT_EXPECT_ERROR: is not of the form
// 2*batch + 1 is odd, so never 10.
#include <xport/sym/static_dim.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] auto d = xport::sym::expect_equal(2_c * b + 1_c, 10_c);
#else
  [[maybe_unused]] auto d = xport::sym::expect_equal(2_c * b + 1_c, 11_c);
#endif
}
