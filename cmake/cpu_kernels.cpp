// The one translation unit that compiles and registers every CPU kernel: for xport's own
// tests, examples and benchmarks (the xport_cpu_kernels object library, see
// cmake/xport-dev.cmake) and, installed as share/xport/cpu_kernels.cpp, for CMake users
// through the xport::cpu_kernels target (cmake/xport-cpu-kernels.cmake).
#include <xport/kernels/cpu/all.hpp>
