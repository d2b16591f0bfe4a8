// XPORT_EXPECT_ERROR: runtime extents are std::int64_t
// Runtime extents are spelled std::int64_t in a shape type.
#include <xport/sym/static_shape.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;
using xport::sym::shape;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] shape<int> d{3};
#else
  [[maybe_unused]] shape<std::int64_t> d{3};
#endif
}
