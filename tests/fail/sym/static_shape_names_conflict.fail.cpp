// XPORT_EXPECT_ERROR: Found different definitions
// One shape, one name, two ranges.
#include <xport/sym/static_shape.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;
using xport::sym::shape;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] shape d{b, xport::dim<"batch", 1, 512>{8}};
#else
  [[maybe_unused]] shape d{b, xport::dim<"batch", 1, 1024>{8}};
#endif
}
