// XPORT_EXPECT_ERROR: _c literal takes decimal digits only
// The _c literal is decimal.
#include <xport/sym/static_dim.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] auto d = 0x10_c;
#else
  [[maybe_unused]] auto d = 16_c;
#endif
}
