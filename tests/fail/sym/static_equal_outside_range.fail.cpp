// XPORT_EXPECT_ERROR: lies outside the declared range of the dim it must
// batch <= 1024 can never equal 2000.
#include <xport/sym/static_dim.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] auto d = xport::sym::expect_equal(b, 2000_c);
#else
  [[maybe_unused]] auto d = xport::sym::expect_equal(b, 1000_c);
#endif
}
