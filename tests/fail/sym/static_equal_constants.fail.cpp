// XPORT_EXPECT_ERROR: two static sizes that must be equal differ
// Two different constants.
#include <xport/sym/static_dim.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] auto d = xport::sym::expect_equal(3_c, 4_c);
#else
  [[maybe_unused]] auto d = xport::sym::expect_equal(4_c, 4_c);
#endif
}
