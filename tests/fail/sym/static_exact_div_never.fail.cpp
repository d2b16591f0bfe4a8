// XPORT_EXPECT_ERROR: is never divisible by the static divisor
// 2*batch + 1 is never even.
#include <xport/sym/static_dim.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] auto d = xport::sym::exact_div(2_c * b + 1_c, 2_c);
#else
  [[maybe_unused]] auto d = xport::sym::exact_div(2_c * b + 2_c, 2_c);
#endif
}
