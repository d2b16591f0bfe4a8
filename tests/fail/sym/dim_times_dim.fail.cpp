// XPORT_EXPECT_ERROR: increasing linear operations.*Dim \* Dim and non-integer
// Dim * Dim is not a linear form of one root; derived dims are a*d + b only.
#include <xport/sym/dim.hpp>

int main() {
  const xport::Dim dx("dx");
#ifndef XPORT_TWIN
  const xport::Dim bad = dx * dx;
#else
  const xport::Dim bad = dx * 2;
#endif
  return bad.coeff() == 2 ? 0 : 1;
}
