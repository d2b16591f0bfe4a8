// XPORT_EXPECT_ERROR: unsupported tensor element type; use float, double
// A C++ type with no dtype is refused with a message that lists the supported types.
#include <xport/core/dtype.hpp>

#ifndef XPORT_TWIN
constexpr auto type = xport::dtype_of<long double>;
#else
constexpr auto type = xport::dtype_of<double>;
#endif

int main() {
  return type == xport::dtype::float64 ? 0 : 1;
}
