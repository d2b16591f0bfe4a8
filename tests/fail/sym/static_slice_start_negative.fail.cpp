// XPORT_EXPECT_ERROR: the slice start is negative
// A static negative start.
#include <xport/sym/static_dim.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] auto d = xport::sym::slice(b, xport::fixed<-1>{}, 1_c);
#else
  [[maybe_unused]] auto d = xport::sym::slice(b, 0_c, 1_c);
#endif
}
