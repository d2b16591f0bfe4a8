// The one translation unit of xport's tests, examples and benchmarks that compiles and
// registers every CPU kernel (see cmake/xport-dev.cmake).
#include <xport/kernels/cpu/all.hpp>
