//! @file
//! CPU kernels of `where`, `masked_fill` and `clamp` (ops/elementwise_select.hpp).
#pragma once

#include <xport/core/factories.hpp>
#include <xport/kernels/cpu/elementwise_common.hpp>
#include <xport/kernels/dispatch.hpp>
#include <xport/kernels/elementwise_functors.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/ops/elementwise_select.hpp>

#include <optional>
#include <span>
#include <type_traits>

namespace xport {

//! @brief `where` on CPU: the condition is read as 0/1 in the result dtype, so all three
//! operands share one element type in the loop.
template <>
struct kernel<ops::where, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::where::attributes const&, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    dtype const type = out[0].dtype();
    kernels::visit_declared<ops::where>(type, [&]<class T>() {
      using math = kernels::cpu::opmath_t<T>;
      kernels::cpu::map<T, T>(
          out[0], [](math c, math a, math b) { return c != math(0) ? a : b; }, in[0].to(type),
          in[1].to(type), in[2].to(type));
    });
  }
};

//! @brief `masked_fill.Scalar` on CPU: the value is converted to `self`'s dtype (checked).
template <>
struct kernel<ops::masked_fill, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::masked_fill::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    dtype const type = out[0].dtype();
    kernels::visit_declared<ops::masked_fill>(type, [&]<class T>() {
      using math = kernels::cpu::opmath_t<T>;
      auto const value = static_cast<math>(a.value.to<T>());
      kernels::cpu::map<T, T>(
          out[0], [value](math x, math m) { return m != math(0) ? value : x; }, in[0],
          in[1].to(type));
    });
  }
};

//! @brief `masked_fill.Tensor` on CPU.
template <>
struct kernel<ops::masked_fill_tensor, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::masked_fill_tensor::attributes const&, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernel<ops::masked_fill, cpu_t>::run({in[2].item()}, in.first(2), out);
  }
};

namespace kernels::cpu::detail {

// clamp with optional bounds, each a tensor (already in T) or absent; NaN propagates.
template <class T>
void clamp_into(Tensor const& out, Tensor const& self, Tensor const& low, Tensor const& high) {
  using math = opmath_t<T>;
  maximum_fn const raise;
  minimum_fn const lower;
  if (low.defined() && high.defined()) {
    map<T, T>(
        out, [&](math x, math lo, math hi) { return lower(raise(x, lo), hi); }, self, low, high);
  } else if (low.defined()) {
    map<T, T>(out, raise, self, low);
  } else {
    map<T, T>(out, lower, self, high);
  }
}

} // namespace kernels::cpu::detail

//! @brief `clamp` on CPU, in the promoted dtype.
template <>
struct kernel<ops::clamp, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::clamp::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    dtype const type = out[0].dtype();
    kernels::visit_declared<ops::clamp>(type, [&]<class T>() {
      auto const bound = [&](std::optional<Scalar> const& s) {
        return s ? full({}, *s, {.dtype = type}) : Tensor();
      };
      kernels::cpu::detail::clamp_into<T>(out[0], in[0].to(type), bound(a.min), bound(a.max));
    });
  }
};

//! @brief `clamp.Tensor` on CPU, in the promoted dtype.
template <>
struct kernel<ops::clamp_tensor, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::clamp_tensor::attributes const&, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    dtype const type = out[0].dtype();
    kernels::visit_declared<ops::clamp_tensor>(type, [&]<class T>() {
      auto const bound = [&](Tensor const& t) { return t.defined() ? t.to(type) : Tensor(); };
      kernels::cpu::detail::clamp_into<T>(out[0], in[0].to(type), bound(in[1]), bound(in[2]));
    });
  }
};

} // namespace xport
