// XPORT_EXPECT_ERROR: the shapes have different ranks
// Concatenating shapes of rank 1 and 2.
#include <xport/sym/static_shape.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;
using xport::sym::shape;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] auto d = xport::sym::concat<0>(shape{3_c}, shape{3_c, 4_c});
#else
  [[maybe_unused]] auto d = xport::sym::concat<0>(shape{3_c}, shape{3_c});
#endif
}
