//! @file
//! CPU kernels of the unary elementwise ops and activations
//! (ops/elementwise_unary.hpp). Float-valued math on integer inputs reads them
//! converted to the float32 result; half types compute in float.
#pragma once

#include <xport/kernels/cpu/elementwise_common.hpp>
#include <xport/kernels/dispatch.hpp>
#include <xport/kernels/elementwise_functors.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/ops/elementwise_unary.hpp>

#include <span>
#include <type_traits>

namespace xport {

namespace kernels::cpu::detail {

template <class T>
inline constexpr bool is_floating = std::is_floating_point_v<opmath_t<T>>;

// The element type of a float-valued op's result on `T`: `T` itself if floating,
// float32 otherwise (`exp(int64) -> float32`, as `ops::floating_result`).
template <class T>
using floating_result_t = std::conditional_t<is_floating<T>, T, float>;

// out = F(in), on the op's declared dtypes: in the input's dtype, or (FloatResult) in
// the float result's, the input converted to it first.
template <class Op, class F, bool FloatResult = false>
struct unary_kernel {
  static void run(ops::no_attributes const&, std::span<Tensor const> in, std::span<Tensor> out) {
    visit_declared<Op>(in[0].dtype(), [&]<class T>() {
      using R = std::conditional_t<FloatResult, floating_result_t<T>, T>;
      map<R, R>(out[0], F{}, in[0].to(dtype_of<R>));
    });
  }
};

// out = F(in) with F built from the attributes in opmath, on the op's (floating) dtypes.
template <class Op, class MakeFunctor>
void floating_unary_with(Tensor const& out, Tensor const& in, MakeFunctor&& make) {
  visit_declared<Op>(
      in.dtype(), [&]<class T>() { map<T, T>(out, make.template operator()<opmath_t<T>>(), in); });
}

} // namespace kernels::cpu::detail

// clang-format off
//! @brief `neg` on CPU; integers wrap.
template <> struct kernel<ops::neg, cpu_t> : kernels::cpu::detail::unary_kernel<ops::neg, kernels::neg_fn> {};
//! @brief `abs` on CPU.
template <> struct kernel<ops::abs, cpu_t> : kernels::cpu::detail::unary_kernel<ops::abs, kernels::abs_fn> {};
//! @brief `exp` on CPU.
template <> struct kernel<ops::exp, cpu_t> : kernels::cpu::detail::unary_kernel<ops::exp, kernels::exp_fn, true> {};
//! @brief `log` on CPU.
template <> struct kernel<ops::log, cpu_t> : kernels::cpu::detail::unary_kernel<ops::log, kernels::log_fn, true> {};
//! @brief `log1p` on CPU.
template <> struct kernel<ops::log1p, cpu_t> : kernels::cpu::detail::unary_kernel<ops::log1p, kernels::log1p_fn, true> {};
//! @brief `sqrt` on CPU.
template <> struct kernel<ops::sqrt, cpu_t> : kernels::cpu::detail::unary_kernel<ops::sqrt, kernels::sqrt_fn, true> {};
//! @brief `rsqrt` on CPU.
template <> struct kernel<ops::rsqrt, cpu_t> : kernels::cpu::detail::unary_kernel<ops::rsqrt, kernels::rsqrt_fn, true> {};
//! @brief `reciprocal` on CPU.
template <> struct kernel<ops::reciprocal, cpu_t> : kernels::cpu::detail::unary_kernel<ops::reciprocal, kernels::reciprocal_fn, true> {};
//! @brief `sin` on CPU.
template <> struct kernel<ops::sin, cpu_t> : kernels::cpu::detail::unary_kernel<ops::sin, kernels::sin_fn, true> {};
//! @brief `cos` on CPU.
template <> struct kernel<ops::cos, cpu_t> : kernels::cpu::detail::unary_kernel<ops::cos, kernels::cos_fn, true> {};
//! @brief `tanh` on CPU.
template <> struct kernel<ops::tanh, cpu_t> : kernels::cpu::detail::unary_kernel<ops::tanh, kernels::tanh_fn, true> {};
//! @brief `sigmoid` on CPU.
template <> struct kernel<ops::sigmoid, cpu_t> : kernels::cpu::detail::unary_kernel<ops::sigmoid, kernels::sigmoid_fn, true> {};
//! @brief `erf` on CPU.
template <> struct kernel<ops::erf, cpu_t> : kernels::cpu::detail::unary_kernel<ops::erf, kernels::erf_fn, true> {};
//! @brief `floor` on CPU (integers copied).
template <> struct kernel<ops::floor, cpu_t> : kernels::cpu::detail::unary_kernel<ops::floor, kernels::floor_fn> {};
//! @brief `ceil` on CPU (integers copied).
template <> struct kernel<ops::ceil, cpu_t> : kernels::cpu::detail::unary_kernel<ops::ceil, kernels::ceil_fn> {};
//! @brief `round` on CPU (half to even; integers copied).
template <> struct kernel<ops::round, cpu_t> : kernels::cpu::detail::unary_kernel<ops::round, kernels::round_fn> {};
//! @brief `sign` on CPU.
template <> struct kernel<ops::sign, cpu_t> : kernels::cpu::detail::unary_kernel<ops::sign, kernels::sign_fn> {};
//! @brief `relu` on CPU.
template <> struct kernel<ops::relu, cpu_t> : kernels::cpu::detail::unary_kernel<ops::relu, kernels::relu_fn> {};
//! @brief `silu` on CPU.
template <> struct kernel<ops::silu, cpu_t> : kernels::cpu::detail::unary_kernel<ops::silu, kernels::silu_fn> {};
//! @brief `bitwise_not` on CPU (integers and bool).
template <> struct kernel<ops::bitwise_not, cpu_t> : kernels::cpu::detail::unary_kernel<ops::bitwise_not, kernels::bitwise_not_fn> {};
// clang-format on

//! @brief `round.decimals` on CPU.
template <>
struct kernel<ops::round_decimals, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::round_decimals::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    if (a.decimals == 0) {
      kernels::cpu::detail::unary_kernel<ops::round_decimals, kernels::round_fn>::run({}, in, out);
      return;
    }
    kernels::cpu::detail::floating_unary_with<ops::round_decimals>(
        out[0], in[0], [&]<class M>() { return kernels::round_decimals_fn<M>{a.decimals}; });
  }
};

//! @brief `isnan` on CPU.
template <>
struct kernel<ops::isnan, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::no_attributes const&, std::span<Tensor const> in, std::span<Tensor> out) {
    kernels::visit_declared<ops::isnan>(in[0].dtype(), [&]<class T>() {
      kernels::cpu::map<bool, T>(out[0], kernels::isnan_fn{}, in[0]);
    });
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
    kernels::cpu::detail::floating_unary_with<ops::leaky_relu>(out[0], in[0], [&]<class M>() {
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
    kernels::visit_declared<ops::hardtanh>(in[0].dtype(), [&]<class T>() {
      using math = kernels::cpu::opmath_t<T>;
      kernels::hardtanh_fn<math> const f{a.min_val.to<math>(), a.max_val.to<math>()};
      kernels::cpu::map<T, T>(out[0], f, in[0]);
    });
  }
};

//! @brief `gelu` on CPU.
template <>
struct kernel<ops::gelu, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::gelu::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::floating_unary_with<ops::gelu>(
        out[0], in[0], [&]<class M>() { return kernels::gelu_fn{a.approximate == "tanh"}; });
  }
};

//! @brief `softplus` on CPU.
template <>
struct kernel<ops::softplus, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::softplus::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::floating_unary_with<ops::softplus>(out[0], in[0], [&]<class M>() {
      return kernels::softplus_fn<M>{a.beta.to<M>(), a.threshold.to<M>()};
    });
  }
};

} // namespace xport
