#include <xport/kernels/kernel.hpp>

#include <doctest/doctest.h>

namespace {

struct scale {
  static constexpr std::string_view name = "test::scale";
};
struct anywhere {
  static constexpr std::string_view name = "test::anywhere";
};

} // namespace

template <>
struct xport::kernel<scale, xport::cpu_t> {
  static double run(double x, double factor) { return x * factor; }
};
template <>
struct xport::kernel<anywhere, xport::cpu_t> {
  static int run() { return 1; }
};
template <>
struct xport::kernel<anywhere, xport::cuda_t> {
  static int run() { return 2; }
};

static_assert(xport::has_kernel<scale, xport::cpu_t>);
static_assert(!xport::has_kernel<scale, xport::cuda_t>);
static_assert(xport::named_op<scale>);

TEST_CASE("kernels are found at compile time") {
  CHECK(xport::run_kernel<scale>(xport::cpu, 2.0, 3.5) == 7.0);
  CHECK(xport::run_kernel<anywhere>(xport::cuda) == 2);
}

TEST_CASE("runtime dispatch picks the kernel of the device") {
  CHECK(xport::dispatch_kernel<scale>(xport::Device(xport::cpu), 2.0, 4.0) == 8.0);
  CHECK(xport::dispatch_kernel<anywhere>(xport::Device(xport::cpu)) == 1);
  CHECK(xport::dispatch_kernel<anywhere>(xport::Device("cuda:1")) == 2);
}

TEST_CASE("runtime dispatch names the op and the device when a kernel is missing") {
  CHECK_THROWS_WITH_AS(xport::dispatch_kernel<scale>(xport::Device("cuda:0"), 1.0, 1.0),
                       doctest::Contains("no CUDA kernel for op 'test::scale' (tensor on cuda:0)"),
                       xport::unsupported_error);
}
