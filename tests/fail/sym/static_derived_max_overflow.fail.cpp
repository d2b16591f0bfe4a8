// XPORT_EXPECT_ERROR: derived max value overflows int64
// The image of a finite root range must fit in int64.
#include <xport/sym/static_dim.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  using big = xport::dim<"big", 0, xport::sym::int_oo / 2>;
  [[maybe_unused]] xport::derived<big, 4> d{big{1}};
#else
  using big = xport::dim<"big", 0, xport::sym::int_oo / 2>;
  [[maybe_unused]] xport::derived<big, 2> d{big{1}};
#endif
}
