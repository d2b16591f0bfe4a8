// XPORT_EXPECT_ERROR: inner dimensions are static and differ
// [batch, 784] @ [128, 10]: the inner sizes differ.
#include <xport/sym/static_shape.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;
using xport::sym::shape;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] auto d = matmul(shape{b, 784_c}, shape{128_c, 10_c});
#else
  [[maybe_unused]] auto d = matmul(shape{b, 784_c}, shape{784_c, 10_c});
#endif
}
