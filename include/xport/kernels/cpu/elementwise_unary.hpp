//! @file
//! CPU kernels of the unary elementwise ops and activations
//! (ops/elementwise_unary.hpp). Float-valued math on integer inputs reads them
//! converted to the float32 result; half types compute in float.
#pragma once

#include <xport/kernels/cpu/elementwise_common.hpp>
#include <xport/kernels/elementwise_functors.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/ops/elementwise_unary.hpp>

#include <span>
#include <type_traits>

namespace xport {

namespace kernels::cpu::detail {

template <class T>
inline constexpr bool is_floating = std::is_floating_point_v<opmath_t<T>>;

// out = F(in) in out's dtype; the input is converted to it first (int -> float32 for
// float-valued math). Only element types satisfying `Allowed` are instantiated.
template <class F, bool FloatingOnly, bool AllowBool = true>
struct unary_kernel {
  template <class Attributes>
  static void run(Attributes const&, std::span<Tensor const> in, std::span<Tensor> out) {
    visit_dtype(out[0].dtype(), [&]<class T>() {
      if constexpr ((!FloatingOnly || is_floating<T>)&&(AllowBool || !std::is_same_v<T, bool>))
        map<T, T>(out[0], F{}, in[0].to(out[0].dtype()));
    });
  }
};

// out = F(in) with F built from the attributes in opmath, floating dtypes only (the
// meta rules refuse the others).
template <class MakeFunctor>
void floating_unary_with(Tensor const& out, Tensor const& in, MakeFunctor&& make) {
  visit_dtype(out.dtype(), [&]<class T>() {
    if constexpr (is_floating<T>) map<T, T>(out, make.template operator()<opmath_t<T>>(), in);
  });
}

} // namespace kernels::cpu::detail

// clang-format off
//! @brief `neg` on CPU; integers wrap.
template <> struct kernel<ops::neg, cpu_t> : kernels::cpu::detail::unary_kernel<kernels::neg_fn, false, false> {};
//! @brief `abs` on CPU.
template <> struct kernel<ops::abs, cpu_t> : kernels::cpu::detail::unary_kernel<kernels::abs_fn, false, false> {};
//! @brief `exp` on CPU.
template <> struct kernel<ops::exp, cpu_t> : kernels::cpu::detail::unary_kernel<kernels::exp_fn, true> {};
//! @brief `log` on CPU.
template <> struct kernel<ops::log, cpu_t> : kernels::cpu::detail::unary_kernel<kernels::log_fn, true> {};
//! @brief `log1p` on CPU.
template <> struct kernel<ops::log1p, cpu_t> : kernels::cpu::detail::unary_kernel<kernels::log1p_fn, true> {};
//! @brief `sqrt` on CPU.
template <> struct kernel<ops::sqrt, cpu_t> : kernels::cpu::detail::unary_kernel<kernels::sqrt_fn, true> {};
//! @brief `rsqrt` on CPU.
template <> struct kernel<ops::rsqrt, cpu_t> : kernels::cpu::detail::unary_kernel<kernels::rsqrt_fn, true> {};
//! @brief `reciprocal` on CPU.
template <> struct kernel<ops::reciprocal, cpu_t> : kernels::cpu::detail::unary_kernel<kernels::reciprocal_fn, true> {};
//! @brief `sin` on CPU.
template <> struct kernel<ops::sin, cpu_t> : kernels::cpu::detail::unary_kernel<kernels::sin_fn, true> {};
//! @brief `cos` on CPU.
template <> struct kernel<ops::cos, cpu_t> : kernels::cpu::detail::unary_kernel<kernels::cos_fn, true> {};
//! @brief `tanh` on CPU.
template <> struct kernel<ops::tanh, cpu_t> : kernels::cpu::detail::unary_kernel<kernels::tanh_fn, true> {};
//! @brief `sigmoid` on CPU.
template <> struct kernel<ops::sigmoid, cpu_t> : kernels::cpu::detail::unary_kernel<kernels::sigmoid_fn, true> {};
//! @brief `erf` on CPU.
template <> struct kernel<ops::erf, cpu_t> : kernels::cpu::detail::unary_kernel<kernels::erf_fn, true> {};
//! @brief `floor` on CPU (integers copied).
template <> struct kernel<ops::floor, cpu_t> : kernels::cpu::detail::unary_kernel<kernels::floor_fn, false, false> {};
//! @brief `ceil` on CPU (integers copied).
template <> struct kernel<ops::ceil, cpu_t> : kernels::cpu::detail::unary_kernel<kernels::ceil_fn, false, false> {};
//! @brief `round` on CPU (half to even; integers copied).
template <> struct kernel<ops::round, cpu_t> : kernels::cpu::detail::unary_kernel<kernels::round_fn, false, false> {};
//! @brief `sign` on CPU.
template <> struct kernel<ops::sign, cpu_t> : kernels::cpu::detail::unary_kernel<kernels::sign_fn, false> {};
//! @brief `relu` on CPU.
template <> struct kernel<ops::relu, cpu_t> : kernels::cpu::detail::unary_kernel<kernels::relu_fn, false, false> {};
//! @brief `silu` on CPU.
template <> struct kernel<ops::silu, cpu_t> : kernels::cpu::detail::unary_kernel<kernels::silu_fn, true> {};
// clang-format on

//! @brief `round.decimals` on CPU (integers, with `decimals == 0`, copied).
template <>
struct kernel<ops::round_decimals, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::round_decimals::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    if (a.decimals == 0) {
      kernel<ops::round, cpu_t>::run(ops::no_attributes{}, in, out);
      return;
    }
    kernels::cpu::detail::floating_unary_with(
        out[0], in[0], [&]<class M>() { return kernels::round_decimals_fn<M>{a.decimals}; });
  }
};

//! @brief `bitwise_not` on CPU (integers and bool).
template <>
struct kernel<ops::bitwise_not, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::no_attributes const&, std::span<Tensor const> in, std::span<Tensor> out) {
    visit_dtype(out[0].dtype(), [&]<class T>() {
      if constexpr (std::is_integral_v<T>)
        kernels::cpu::map<T, T>(out[0], kernels::bitwise_not_fn{}, in[0]);
    });
  }
};

//! @brief `isnan` on CPU.
template <>
struct kernel<ops::isnan, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::no_attributes const&, std::span<Tensor const> in, std::span<Tensor> out) {
    visit_dtype(in[0].dtype(),
                [&]<class T>() { kernels::cpu::map<bool, T>(out[0], kernels::isnan_fn{}, in[0]); });
  }
};

//! @brief `logical_not` on CPU.
template <>
struct kernel<ops::logical_not, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::no_attributes const&, std::span<Tensor const> in, std::span<Tensor> out) {
    kernels::cpu::map<bool, bool>(out[0], kernels::logical_not_fn{}, in[0].to(dtype::bool_));
  }
};

//! @brief `leaky_relu` on CPU.
template <>
struct kernel<ops::leaky_relu, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::leaky_relu::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::floating_unary_with(out[0], in[0], [&]<class M>() {
      return kernels::leaky_relu_fn<M>{a.negative_slope.to<M>()};
    });
  }
};

//! @brief `hardtanh` on CPU (any non-bool dtype; the bounds are converted to it).
template <>
struct kernel<ops::hardtanh, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::hardtanh::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    visit_dtype(out[0].dtype(), [&]<class T>() {
      using math = kernels::cpu::opmath_t<T>;
      if constexpr (!std::is_same_v<T, bool>) {
        kernels::hardtanh_fn<math> const f{a.min_val.to<math>(), a.max_val.to<math>()};
        kernels::cpu::map<T, T>(out[0], f, in[0]);
      }
    });
  }
};

//! @brief `gelu` on CPU.
template <>
struct kernel<ops::gelu, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::gelu::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::floating_unary_with(
        out[0], in[0], [&]<class M>() { return kernels::gelu_fn{a.approximate == "tanh"}; });
  }
};

//! @brief `softplus` on CPU.
template <>
struct kernel<ops::softplus, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::softplus::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::floating_unary_with(out[0], in[0], [&]<class M>() {
      return kernels::softplus_fn<M>{a.beta.to<M>(), a.threshold.to<M>()};
    });
  }
};

} // namespace xport
