// XPORT_EXPECT_ERROR: disjoint declared ranges
// m in [1, 4] and k in [8, 16] are never equal.
#include <xport/sym/static_dim.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] auto d =
      xport::sym::expect_equal(xport::dim<"m", 1, 4>{2}, xport::dim<"k", 8, 16>{8});
#else
  [[maybe_unused]] auto d =
      xport::sym::expect_equal(xport::dim<"m", 1, 4>{4}, xport::dim<"k", 4, 16>{4});
#endif
}
