// XPORT_EXPECT_ERROR: both arguments to matmul need to be at least 1D
// matmul of a 0-D shape.
#include <xport/sym/static_shape.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;
using xport::sym::shape;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] auto d = matmul(shape<>{}, shape{3_c});
#else
  [[maybe_unused]] auto d = matmul(shape{3_c}, shape{3_c});
#endif
}
