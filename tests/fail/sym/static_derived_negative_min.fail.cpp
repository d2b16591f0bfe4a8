// XPORT_EXPECT_ERROR: Expected derived min value to be >= 0
// batch - 2 could be -1 for batch = 1: a derived dim may not go negative.
#include <xport/sym/static_dim.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] auto d = b - 2_c;
#else
  [[maybe_unused]] auto d = b - 1_c;
#endif
}
