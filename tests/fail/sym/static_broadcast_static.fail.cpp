// XPORT_EXPECT_ERROR: two static sizes differ and neither is 1
// [3] and [4] do not broadcast.
#include <xport/sym/static_shape.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;
using xport::sym::shape;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] auto d = broadcast(shape{b, 3_c}, shape{4_c});
#else
  [[maybe_unused]] auto d = broadcast(shape{b, 3_c}, shape{1_c});
#endif
}
