//! @file
//! `cpu::registered<OpSet>`: registers the CPU kernels of an op set once per program,
//! after checking at compile time that every op of the set (but the higher-order ones,
//! which the interpreter runs) has one. `<xport/kernels/cpu/all.hpp>` does it for every op
//! of xport in one translation unit; the `xport::cpu_kernels` CMake target does it per op
//! family (cmake/cpu_kernels/), so that the kernels compile in several smaller units.
#pragma once

#include <xport/core/device.hpp>
#include <xport/kernels/eager.hpp>
#include <xport/ops/higher_order.hpp>

namespace xport::kernels::cpu {

//! @brief True when every op of `OpSet` but the higher-order ones has a CPU kernel of one
//! of the two forms (the kernel headers of its ops are included).
template <class OpSet>
constexpr bool every_op_has_a_cpu_kernel = [] {
  bool all = true;
  OpSet::for_each([&]<class Op>() {
    all = all && (ops::higher_order_op<Op> || kernels::has_kernel_form<Op, cpu_t>);
  });
  return all;
}();

//! @brief Registers the CPU kernels of `OpSet` during static initialization; true once
//! done. One instance per program, whichever translation units name it.
template <class OpSet>
inline bool const registered = [] {
  static_assert(every_op_has_a_cpu_kernel<OpSet>,
                "xport: an op of this op set has no CPU kernel (only higher-order ops, run by "
                "the interpreter, have none): include its kernel header");
  return kernels::register_kernels<OpSet, cpu_t>();
}();

} // namespace xport::kernels::cpu
