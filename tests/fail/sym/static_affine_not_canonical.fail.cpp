// XPORT_EXPECT_ERROR: not canonical
// 1*batch + 0 is batch: affine<> is only ever spelled in canonical form.
#include <xport/sym/static_dim.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] xport::sym::affine<batch, 1, 0> d{b};
#else
  [[maybe_unused]] xport::derived<batch, 1, 0> d{b};
#endif
}
