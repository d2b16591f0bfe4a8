//! @file
//! CPU kernel of the dropout op (ops/dropout.hpp), and the keep mask it shares with
//! attention's dropout.
#pragma once

#include <xport/core/convert.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/core/half.hpp>
#include <xport/kernels/cpu/loops.hpp>
#include <xport/kernels/dispatch.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/ops/dropout.hpp>

#include <cstdint>
#include <span>
#include <type_traits>

namespace xport::kernels::cpu {

//! @brief Multiplies `count` elements at `data` by a dropout mask drawn from
//! `Generator{seed}`: element i (in order) is kept, times `1 / (1 - p)` rounded to `T`,
//! with probability `1 - p`, otherwise multiplied by 0.
//! @pre `0 < p < 1`.
template <class T>
void apply_dropout_mask(T* data, std::int64_t count, double p, std::uint64_t seed) {
  Generator gen{seed};
  // PyTorch's mask holds 1 / (1 - p) in the input's dtype, then multiplies.
  auto const scale = static_cast<opmath_t<T>>(convert<opmath_t<T>>(convert<T>(1.0 / (1.0 - p))));
  double const keep = 1.0 - p;
  for (std::int64_t i = 0; i < count; ++i) {
    opmath_t<T> const factor = gen.uniform() < keep ? scale : opmath_t<T>(0);
    data[i] = convert<T>(static_cast<opmath_t<T>>(convert<opmath_t<T>>(data[i]) * factor));
  }
}

} // namespace xport::kernels::cpu

namespace xport {

//! @brief `dropout` on CPU.
template <>
struct kernel<ops::dropout, cpu_t> {
  //! @brief The input itself (not a copy, as in PyTorch) when not training, for `p == 0`
  //! or an empty input; otherwise a new tensor.
  static ops::tensor_list compute(ops::dropout::attributes const& a, std::span<Tensor const> in,
                                  ops::meta_list const&) {
    Tensor const& x = in[0];
    if (!a.train || a.p == 0.0 || x.numel() == 0) return {x};
    Tensor out = x.clone();
    // Training with p > 0 draws a mask: floating dtypes only (the meta rule refuses others).
    kernels::visit_computed<dtype_sets::floating>(out.dtype(), "dropout", [&]<class T>() {
      T* data = out.data_ptr<T>();
      if (a.p == 1.0) {
        for (std::int64_t i = 0; i < out.numel(); ++i)
          data[i] = convert<T>(convert<kernels::cpu::opmath_t<T>>(data[i]) * 0);
      } else {
        kernels::cpu::apply_dropout_mask(data, out.numel(), a.p,
                                         static_cast<std::uint64_t>(a.seed));
      }
    });
    return {out};
  }
};

} // namespace xport
