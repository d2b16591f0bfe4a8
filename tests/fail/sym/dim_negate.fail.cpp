// XPORT_EXPECT_ERROR: increasing linear operations.*negating a Dim is not
// 8 - dx decreases as dx grows; PyTorch refuses it ("Attempted to negate dx"), and so do we.
#include <xport/sym/dim.hpp>

int main() {
  const xport::Dim dx("dx", {.min = 1, .max = 8});
#ifndef XPORT_TWIN
  const xport::Dim bad = 8 - dx;
#else
  const xport::Dim bad = dx - 8 + 16;
#endif
  return bad.offset() == 8 ? 0 : 1;
}
