// XPORT_EXPECT_ERROR: min must be non-negative
// Sizes are never negative, so neither is a dim's min.
#include <xport/sym/static_dim.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] xport::dim<"n", -1, 4> d{1};
#else
  [[maybe_unused]] xport::dim<"n", 0, 4> d{1};
#endif
}
