//! @file
//! The CUDA umbrella: the tensor core plus CUDA memory for tensors (allocation and copies
//! through the CUDA runtime). Include it in code that links `CUDA::cudart`; it needs the
//! CUDA runtime API header but not nvcc.
//!
//! It includes only what device-side code may need (core/ and kernels/), so that it is
//! safe in translation units compiled by nvcc; the symbolic algebra (sym/) is host-only
//! and stays in `<xport/xport.hpp>`, as device code sees resolved sizes only.
#pragma once

#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/print.hpp>
#include <xport/core/storage.hpp>
#include <xport/core/tensor.hpp>
#include <xport/kernels/kernel.hpp>

#include <cuda_runtime_api.h>

#include <string>

namespace xport::cuda_runtime {

//! @brief The number of CUDA devices visible to this process (0 when there is no GPU or
//! no usable driver).
inline int device_count() noexcept {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError(); // clear the sticky "no device" error
    return 0;
  }
  return count;
}

//! @brief Throws device_error describing `status` when it is not `cudaSuccess`.
inline void check(cudaError_t status, char const* what) {
  if (status != cudaSuccess) {
    throw device_error(std::string(what) + " failed: " + cudaGetErrorString(status));
  }
}

namespace detail {

// Runs `f` with `device` current (its index, or the current device for -1).
template <class F>
void on_device(Device device, F&& f) {
  int previous = 0;
  check(cudaGetDevice(&previous), "cudaGetDevice");
  int const target = device.index() < 0 ? previous : device.index();
  if (target != previous) check(cudaSetDevice(target), "cudaSetDevice");
  f();
  if (target != previous) check(cudaSetDevice(previous), "cudaSetDevice");
}

class cuda_allocator final : public device_allocator {
public:
  void* allocate(std::size_t nbytes, Device device) override {
    if (device_count() == 0) {
      throw device_error("cannot allocate on " + device.str() + ": no CUDA device is visible");
    }
    void* data = nullptr;
    on_device(device, [&] { check(cudaMalloc(&data, nbytes == 0 ? 1 : nbytes), "cudaMalloc"); });
    return data;
  }
  void deallocate(void* data, Device) noexcept override { cudaFree(data); }
  void copy(void* dst, Device, void const* src, Device, std::size_t nbytes) override {
    if (nbytes != 0) check(cudaMemcpy(dst, src, nbytes, cudaMemcpyDefault), "cudaMemcpy");
  }
};

inline cuda_allocator allocator_instance;
inline bool const registered = register_allocator(device_kind::cuda, allocator_instance);

} // namespace detail

} // namespace xport::cuda_runtime
