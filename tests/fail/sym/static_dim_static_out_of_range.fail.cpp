// XPORT_EXPECT_ERROR: static value lies outside the dim's declared range
// A static value given to a dim must lie in its range.
#include <xport/sym/static_dim.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] batch c{2000_c};
#else
  [[maybe_unused]] batch c{1000_c};
#endif
}
