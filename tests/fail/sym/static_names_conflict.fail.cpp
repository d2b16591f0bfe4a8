// XPORT_EXPECT_ERROR: Found different definitions
// One name, two ranges: the two dims cannot be the same symbol.
#include <xport/sym/static_dim.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] auto d = b + xport::dim<"batch", 1, 512>{8};
#else
  [[maybe_unused]] auto d = b + xport::dim<"batch", 1, 1024>{8};
#endif
}
