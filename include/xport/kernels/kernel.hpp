//! @file
//! The kernel-dispatch skeleton: `kernel<Op, Device>` specializations, found at compile
//! time, and a runtime dispatch over `Device` that reports a missing kernel by name.
#pragma once

#include <xport/core/device.hpp>
#include <xport/core/error.hpp>

#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace xport {

//! @brief The implementation of op `Op` on the device with tag `DeviceTag` (`cpu_t`,
//! `cuda_t`).
//!
//! Specialize it with a static `run(...)`; the primary template marks "no kernel". An op
//! type names itself with `static constexpr std::string_view name` (its ATen-style name,
//! such as `"aten::add.Tensor"`), which runtime errors quote.
//! @code
//! template <> struct xport::kernel<my_op, xport::cpu_t> {
//!   static xport::Tensor run(xport::Tensor const& x) { ... }
//! };
//! @endcode
template <class Op, class DeviceTag>
struct kernel {
  //! @brief Present only in the primary template: there is no such kernel.
  using absent = void;
};

//! @brief True when `kernel<Op, DeviceTag>` is specialized.
template <class Op, class DeviceTag>
inline constexpr bool has_kernel = !requires {
  typename kernel<Op, DeviceTag>::absent;
};

//! @brief An op type: it has a `name` that errors can quote.
template <class Op>
concept named_op = requires {
  { Op::name } -> std::convertible_to<std::string_view>;
};

//! @brief Runs the kernel of `Op` for a device chosen at compile time.
//!
//! A missing specialization is a compile error that says which kernel to write.
template <named_op Op, class DeviceTag, class... Args>
decltype(auto) run_kernel(DeviceTag, Args&&... args) {
  static_assert(
      has_kernel<Op, DeviceTag>,
      "xport: no kernel for this op on this device; specialize xport::kernel<Op, DeviceTag> "
      "with a static run(...) (see <xport/kernels/kernel.hpp>)");
  return kernel<Op, DeviceTag>::run(std::forward<Args>(args)...);
}

namespace detail {

template <class Op, class DeviceTag, class... Args>
struct kernel_result {
  using type = void;
  static constexpr bool found = false;
};

template <class Op, class DeviceTag, class... Args>
requires has_kernel<Op, DeviceTag>
struct kernel_result<Op, DeviceTag, Args...> {
  using type = decltype(kernel<Op, DeviceTag>::run(std::declval<Args>()...));
  static constexpr bool found = true;
};

inline std::string device_kind_name(device_kind kind) {
  return kind == device_kind::cpu ? "CPU" : "CUDA";
}

} // namespace detail

//! @brief Runs the kernel of `Op` for a device chosen at run time.
//!
//! The switch from `device` to a tag is resolved per call; later layers bind nodes to
//! kernels once per plan instead. The op must have a kernel on at least one device (a
//! compile error otherwise), and every kernel of the op must return the same type.
//! @throws unsupported_error naming the op and the device when `device` has no kernel.
template <named_op Op, class... Args>
decltype(auto) dispatch_kernel(Device device, Args&&... args) {
  using on_cpu = detail::kernel_result<Op, cpu_t, Args&&...>;
  using on_cuda = detail::kernel_result<Op, cuda_t, Args&&...>;
  static_assert(on_cpu::found || on_cuda::found,
                "xport: this op has no kernel on any device; specialize xport::kernel<Op, cpu_t>");
  using result = std::conditional_t<on_cpu::found, typename on_cpu::type, typename on_cuda::type>;
  static_assert(!on_cpu::found || !on_cuda::found
                    || std::is_same_v<typename on_cpu::type, typename on_cuda::type>,
                "xport: the CPU and CUDA kernels of an op must return the same type");
  auto missing = [&]() -> unsupported_error {
    return unsupported_error(
        "no " + detail::device_kind_name(device.kind()) + " kernel for op '" + std::string(Op::name)
        + "' (tensor on " + device.str()
        + "); move the inputs to a device that has one, or register kernel<Op, "
        + (device.is_cpu() ? "cpu_t" : "cuda_t") + ">");
  };
  if (device.is_cpu()) {
    if constexpr (on_cpu::found) {
      return static_cast<result>(kernel<Op, cpu_t>::run(std::forward<Args>(args)...));
    } else {
      throw missing();
    }
  } else {
    if constexpr (on_cuda::found) {
      return static_cast<result>(kernel<Op, cuda_t>::run(std::forward<Args>(args)...));
    } else {
      throw missing();
    }
  }
}

} // namespace xport
