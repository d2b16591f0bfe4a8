// XPORT_EXPECT_ERROR: the slice start is after its end
// A static start after a static end.
#include <xport/sym/static_dim.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] auto d = xport::sym::slice(b, 3_c, 2_c);
#else
  [[maybe_unused]] auto d = xport::sym::slice(b, 2_c, 3_c);
#endif
}
