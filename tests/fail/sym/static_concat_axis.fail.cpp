// XPORT_EXPECT_ERROR: the axis is out of range
// Axis 2 of a rank-2 shape.
#include <xport/sym/static_shape.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;
using xport::sym::shape;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] auto d = xport::sym::concat<2>(shape{3_c, 4_c}, shape{3_c, 4_c});
#else
  [[maybe_unused]] auto d = xport::sym::concat<-2>(shape{3_c, 4_c}, shape{3_c, 4_c});
#endif
}
