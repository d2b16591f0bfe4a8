//! @file
//! CPU kernels of the elementwise ops (ops/elementwise.hpp).
#pragma once

#include <xport/kernels/cpu/loops.hpp>
#include <xport/kernels/functors.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/ops/elementwise.hpp>

#include <span>

namespace xport {

//! @brief `add` on CPU: computed in the result dtype (float for half types).
template <>
struct kernel<ops::add, cpu_t> {
  //! @brief Writes `out[0] = in[0] + alpha * (in[1] or other)`.
  static void run(ops::add::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    Tensor const& result = out[0];
    visit_dtype(result.dtype(), [&]<class T>() {
      using math = kernels::cpu::opmath_t<T>;
      kernels::add_fn<math> const f{a.alpha.to<math>()};
      Tensor const self = in[0].to(result.dtype());
      if (a.other) {
        math const other = a.other->to<math>();
        kernels::cpu::map<T, T>(
            result, [&](math x) { return f(x, other); }, self);
      } else {
        kernels::cpu::map<T, T>(result, f, self, in[1].to(result.dtype()));
      }
    });
  }
};

//! @brief `relu` on CPU.
template <>
struct kernel<ops::relu, cpu_t> {
  //! @brief Writes `out[0] = max(in[0], 0)`.
  static void run(ops::relu::attributes const&, std::span<Tensor const> in, std::span<Tensor> out) {
    visit_dtype(out[0].dtype(), [&]<class T>() {
      if constexpr (!std::is_same_v<T, bool>)
        kernels::cpu::map<T, T>(out[0], kernels::relu_fn{}, in[0]);
    });
  }
};

} // namespace xport
