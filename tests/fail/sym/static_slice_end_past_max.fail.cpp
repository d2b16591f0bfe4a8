// XPORT_EXPECT_ERROR: the slice end is past the maximum of the sliced size
// n <= 8, so [0:16] never fits (interval-provable).
#include <xport/sym/static_dim.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] auto d = xport::sym::slice(xport::dim<"n", 1, 8>{8}, 0_c, 16_c);
#else
  [[maybe_unused]] auto d = xport::sym::slice(xport::dim<"n", 1, 8>{8}, 0_c, 8_c);
#endif
}
