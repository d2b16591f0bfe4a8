// CUDA tensors: allocation, copies in both directions and between layouts, and the
// 16-bit float conversions running in device code. Skipped (exit 77) without a GPU.
#define DOCTEST_CONFIG_IMPLEMENT
#include <xport/cuda.hpp>

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <random>
#include <span>
#include <vector>

using xport::Device;
using xport::dtype;

namespace {

__global__ void round_to_half(float const* in, std::uint16_t* out, int n) {
  int const i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if (i < n) out[i] = xport::half(in[i]).bits;
}

} // namespace

TEST_CASE("tensors move between the CPU and a GPU without changing a bit") {
  xport::Generator gen{3};
  auto const host = xport::randn({4, 5}, gen);
  auto const device = host.to(Device("cuda:0"));
  CHECK(device.device() == Device("cuda:0"));
  CHECK(device.is_contiguous());
  CHECK(xport::equal(device.cpu(), host));
  CHECK(device.at<float>({3, 4}) == host.at<float>({3, 4}));
  // A strided host view uploads as a contiguous copy; a strided device view downloads.
  CHECK(xport::equal(host.t().to(Device("cuda:0")).cpu(), host.t()));
  CHECK(xport::equal(device.t().cpu(), host.t()));
  CHECK(xport::equal(device.slice(1, 1, {}, 2).cpu(), host.slice(1, 1, {}, 2)));
  // Conversions and copies into a strided device destination.
  auto const halves = device.to(dtype::float16);
  CHECK(xport::equal(halves.cpu(), host.to(dtype::float16)));
  auto const target = xport::zeros({4, 10}, {.device = Device("cuda:0")});
  target.slice(1, 0, {}, 2).copy_(host);
  CHECK(xport::equal(target.cpu().slice(1, 0, {}, 2), host));
  CHECK(xport::equal(target.cpu().slice(1, 1, {}, 2), xport::zeros({4, 5})));
  CHECK(xport::to_string(xport::ones({2}, {.device = Device("cuda:0")}))
        == "tensor([1., 1.], device='cuda:0')");
}

TEST_CASE("device code rounds float to half exactly like the host") {
  std::vector<float> values;
  std::mt19937 engine(11);
  for (int i = 0; i < 1 << 16; ++i)
    values.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(engine())));
  for (float special :
       {0.0f, -0.0f, 65504.0f, 65520.0f, 1e-8f, 5.9604645e-08f, INFINITY, -INFINITY}) {
    values.push_back(special);
  }
  auto const n = static_cast<std::int64_t>(values.size());
  auto const input = xport::from(std::span<float const>(values), {n}, Device("cuda:0"));
  auto const output = xport::empty({n}, {.dtype = dtype::int16, .device = Device("cuda:0")});
  int const threads = 256;
  round_to_half<<<static_cast<unsigned>((n + threads - 1) / threads), threads>>>(
      input.data_ptr<float>(), reinterpret_cast<std::uint16_t*>(output.data_ptr<std::int16_t>()),
      static_cast<int>(n));
  xport::cuda_runtime::check(cudaDeviceSynchronize(), "round_to_half");
  auto const bits = output.cpu();
  for (std::int64_t i = 0; i < n; ++i) {
    auto const f = values[static_cast<std::size_t>(i)];
    if (f != f) continue; // NaN payloads may differ; NaN-ness is tested on the host
    REQUIRE(static_cast<std::uint16_t>(bits.at<std::int16_t>({i})) == xport::half(f).bits);
  }
}

int main(int argc, char** argv) {
  if (xport::cuda_runtime::device_count() == 0) {
    std::puts("SKIPPED: no CUDA GPU is visible; the CUDA tests did not run");
    return 77;
  }
  doctest::Context context(argc, argv);
  return context.run();
}
