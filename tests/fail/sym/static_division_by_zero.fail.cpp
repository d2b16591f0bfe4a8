// XPORT_EXPECT_ERROR: division of a size by the static value 0
// A static zero divisor.
#include <xport/sym/static_dim.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] auto d = b / 0_c;
#else
  [[maybe_unused]] auto d = b / 2_c;
#endif
}
