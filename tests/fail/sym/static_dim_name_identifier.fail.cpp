// XPORT_EXPECT_ERROR: the name must be a valid identifier
// A dim name must be an identifier, as PyTorch requires.
#include <xport/sym/static_dim.hpp>

#include <cstdint>

using namespace xport::literals;
using batch = xport::dim<"batch", 1, 1024>;

void use([[maybe_unused]] batch b) {
#ifndef XPORT_TWIN
  [[maybe_unused]] xport::dim<"2batch"> d{1};
#else
  [[maybe_unused]] xport::dim<"batch2"> d{1};
#endif
}
