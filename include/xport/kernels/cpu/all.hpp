//! @file
//! Every CPU kernel of xport, registered for eager execution: include this header in
//! exactly one translation unit of a program (more is harmless, only slower to compile).
//!
//! Front ends find kernels at run time (see `<xport/kernels/eager.hpp>`), so that including
//! an op family does not compile its kernels for every dtype in every translation unit;
//! this header is where they are compiled, once. Registration runs during static
//! initialization; ops called from other static initializers may run before it.
#pragma once

#include <xport/kernels/cpu/attention.hpp>
#include <xport/kernels/cpu/conv.hpp>
#include <xport/kernels/cpu/creation.hpp>
#include <xport/kernels/cpu/data_dependent.hpp>
#include <xport/kernels/cpu/dropout.hpp>
#include <xport/kernels/cpu/elementwise.hpp>
#include <xport/kernels/cpu/embedding.hpp>
#include <xport/kernels/cpu/indexing.hpp>
#include <xport/kernels/cpu/linalg.hpp>
#include <xport/kernels/cpu/norm.hpp>
#include <xport/kernels/cpu/pool.hpp>
#include <xport/kernels/cpu/reduction.hpp>
#include <xport/kernels/cpu/shape.hpp>
#include <xport/kernels/cpu/shape_join.hpp>
#include <xport/kernels/eager.hpp>
#include <xport/ops/default_op_set.hpp>

namespace xport::kernels::cpu {

namespace detail {
template <class OpSet>
constexpr bool every_op_has_a_cpu_kernel = [] {
  bool all = true;
  OpSet::for_each([&]<class Op>() {
    all = all && (ops::higher_order_op<Op> || kernels::has_kernel_form<Op, cpu_t>);
  });
  return all;
}();
static_assert(every_op_has_a_cpu_kernel<ops::default_op_set>,
              "xport: an op of the default op set has no CPU kernel (only higher-order ops, run by "
              "the interpreter, have none)");
} // namespace detail

//! @brief True once every CPU kernel of `ops::default_op_set` is registered (at static
//! initialization of any program that includes this header).
inline bool const registered = kernels::register_kernels<ops::default_op_set, cpu_t>();

} // namespace xport::kernels::cpu
