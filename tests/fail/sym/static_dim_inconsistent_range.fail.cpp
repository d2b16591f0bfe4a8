// XPORT_EXPECT_ERROR: Cannot create Dim with inconsistent min, max
// A dim needs max > min (a single value is a fixed<N>).
#include <xport/sym/static_dim.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] xport::dim<"n", 4, 4> d{4};
#else
  [[maybe_unused]] xport::dim<"n", 4, 5> d{4};
#endif
}
