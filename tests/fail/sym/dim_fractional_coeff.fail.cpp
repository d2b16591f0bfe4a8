// XPORT_EXPECT_ERROR: increasing linear operations.*non-integer coefficients are not
// A fractional coefficient would make a derived size that is not an integer.
#include <xport/sym/dim.hpp>

int main() {
  const xport::Dim dx("dx");
#ifndef XPORT_TWIN
  const xport::Dim bad = dx * 1.5;
#else
  const xport::Dim bad = dx * 3;
#endif
  return bad.coeff() == 3 ? 0 : 1;
}
