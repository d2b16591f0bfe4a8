// XPORT_EXPECT_ERROR: static sizes differ outside the concatenation axis
// [3, 4] ++ [5, 4] on axis 1: axis 0 differs.
#include <xport/sym/static_shape.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;
using xport::sym::shape;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] auto d = xport::sym::concat<1>(shape{3_c, 4_c}, shape{5_c, 4_c});
#else
  [[maybe_unused]] auto d = xport::sym::concat<1>(shape{3_c, 4_c}, shape{3_c, 4_c});
#endif
}
