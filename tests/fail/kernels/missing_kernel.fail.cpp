// XPORT_EXPECT_ERROR: no kernel for this op on this device; specialize xport::kernel<Op, DeviceTag>
// Calling an op's kernel for a device without a specialization is a compile error that
// says what to write.
#include <xport/kernels/kernel.hpp>

struct twice {
  static constexpr std::string_view name = "test::twice";
};

template <>
struct xport::kernel<twice, xport::cpu_t> {
  static int run(int x) { return 2 * x; }
};

#ifndef XPORT_TWIN
int const value = xport::run_kernel<twice>(xport::cuda, 21);
#else
int const value = xport::run_kernel<twice>(xport::cpu, 21);
#endif

int main() {
  return value == 42 ? 0 : 1;
}
