//! @file
//! CPU kernels of the binary elementwise ops (ops/elementwise_binary.hpp): arithmetic,
//! comparisons, logical and bitwise ops. Each computes in PyTorch's promoted dtype
//! (float for half types, through `opmath_t`).
#pragma once

#include <xport/kernels/cpu/elementwise_common.hpp>
#include <xport/kernels/cpu/elementwise_unary.hpp>
#include <xport/kernels/dispatch.hpp>
#include <xport/kernels/elementwise_functors.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/ops/elementwise_binary.hpp>

#include <span>
#include <type_traits>

namespace xport {

namespace kernels::cpu::detail {

// out = F(self, other) on the op's declared dtypes, computed in the promoted dtype of the
// operands (the result's dtype for these ops).
template <class Op, class F>
struct same_dtype_binary_kernel {
  template <class Attributes>
  static void run(Attributes const& a, std::span<Tensor const> in, std::span<Tensor> out) {
    std::optional<Scalar> const other = ops::scalar_operand(a);
    visit_declared<Op>(common_dtype(in, other),
                       [&]<class T>() { binary_map<T, T>(out[0], F{}, in, other); });
  }
};

// out = F(self, other) as bool, computed in the promoted dtype of the operands.
template <class Op, class F>
struct comparison_kernel {
  template <class Attributes>
  static void run(Attributes const& a, std::span<Tensor const> in, std::span<Tensor> out) {
    std::optional<Scalar> const other = ops::scalar_operand(a);
    visit_declared<Op>(common_dtype(in, other),
                       [&]<class T>() { binary_map<bool, T>(out[0], F{}, in, other); });
  }
};

// out = F(bool(self), bool(other)).
template <class F>
struct logical_kernel {
  static void run(ops::no_attributes const&, std::span<Tensor const> in, std::span<Tensor> out) {
    binary_map<bool, bool>(out[0], F{}, in, std::nullopt);
  }
};

// Division-like ops on `Dtypes` (the op's declared ones, without bool): integer divisors
// are checked for zero first.
template <class Op, dtype_set Dtypes = ops::dtypes_of<Op>, class F>
void divide(Tensor const& out, F const& f, std::span<Tensor const> in,
            std::optional<Scalar> const& other, std::string_view what,
            scalar_side side = scalar_side::rhs) {
  static_assert(!Dtypes.contains(dtype::bool_), "xport: division has no bool kernel");
  dtype const type = common_dtype(in, other);
  visit_dtype_in<Dtypes>(
      type,
      [&]<class T>() {
        if (side == scalar_side::rhs)
          check_integer_divisor<T>(other ? Tensor() : in[1], other, out.numel(), what);
        else
          check_integer_divisor<T>(in[0], std::nullopt, out.numel(), what);
        binary_map<T, T>(out, f, in, other, side);
      },
      [&] { throw ops::not_implemented_for(ops::short_op_name(Op::name), type); });
}

} // namespace kernels::cpu::detail

//! @brief `add` on CPU: `self + alpha * other` in the result dtype; integers wrap.
template <>
struct kernel<ops::add, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::add::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::visit_declared<ops::add>(out[0].dtype(), [&]<class T>() {
      using math = kernels::cpu::opmath_t<T>;
      kernels::cpu::binary_map<T, T>(out[0], kernels::add_fn<math>{a.alpha.to<math>()}, in,
                                     a.other);
    });
  }
};

//! @brief `sub` on CPU: `self - alpha * other`; integers wrap.
template <>
struct kernel<ops::sub, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::sub::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::visit_declared<ops::sub>(out[0].dtype(), [&]<class T>() {
      using math = kernels::cpu::opmath_t<T>;
      kernels::cpu::binary_map<T, T>(out[0], kernels::sub_fn<math>{a.alpha.to<math>()}, in,
                                     a.other);
    });
  }
};

//! @brief `rsub` on CPU: `other - alpha * self`.
template <>
struct kernel<ops::rsub, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::rsub::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::visit_declared<ops::rsub>(out[0].dtype(), [&]<class T>() {
      using math = kernels::cpu::opmath_t<T>;
      kernels::cpu::binary_map<T, T>(out[0], kernels::sub_fn<math>{a.alpha.to<math>()}, in, a.other,
                                     kernels::cpu::scalar_side::lhs);
    });
  }
};

//! @brief `mul` on CPU; integers wrap, bools give their logical and.
template <>
struct kernel<ops::mul, cpu_t>
    : kernels::cpu::detail::same_dtype_binary_kernel<ops::mul, kernels::mul_fn> {};

//! @brief `div` on CPU: true division, in the promoted dtype if floating, else float32.
template <>
struct kernel<ops::div, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::div::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::visit_declared<ops::div>(kernels::cpu::common_dtype(in, a.other), [&]<class T>() {
      using R = kernels::cpu::detail::floating_result_t<T>;
      kernels::cpu::binary_map<R, R>(out[0], kernels::div_true_fn{}, in, a.other);
    });
  }
};

//! @brief `div` with a rounding mode on CPU (the meta rule refuses bool with one).
//! @throws value_error for an integer division by zero.
template <>
struct kernel<ops::div_mode, cpu_t> {
  //! @brief The dtypes a rounded division computes in: the op's, but bool.
  static constexpr dtype_set rounded = ops::div_mode::dtypes - dtype::bool_;
  //! @brief Writes `out[0]`.
  static void run(ops::div_mode::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    if (!a.rounding_mode) {
      kernel<ops::div, cpu_t>::run({a.other}, in, out);
    } else if (*a.rounding_mode == "trunc") {
      kernels::cpu::detail::divide<ops::div_mode, rounded>(
          out[0], kernels::div_trunc_fn{}, in, a.other, "division (rounding_mode='trunc')");
    } else {
      kernels::cpu::detail::divide<ops::div_mode, rounded>(
          out[0], kernels::div_floor_fn{}, in, a.other, "division (rounding_mode='floor')");
    }
  }
};

//! @brief `pow.Tensor_Tensor` on CPU.
template <>
struct kernel<ops::pow_tensor, cpu_t>
    : kernels::cpu::detail::same_dtype_binary_kernel<ops::pow_tensor, kernels::pow_fn> {};

//! @brief `pow.Tensor_Scalar` on CPU.
template <>
struct kernel<ops::pow_tensor_scalar, cpu_t>
    : kernels::cpu::detail::same_dtype_binary_kernel<ops::pow_tensor_scalar, kernels::pow_fn> {};

//! @brief `pow.Scalar` on CPU: a scalar base to tensor powers.
template <>
struct kernel<ops::pow_scalar, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::pow_scalar::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::visit_declared<ops::pow_scalar>(out[0].dtype(), [&]<class T>() {
      kernels::cpu::binary_map<T, T>(out[0], kernels::pow_fn{}, in, a.self,
                                     kernels::cpu::scalar_side::lhs);
    });
  }
};

//! @brief `remainder.Tensor` on CPU.
//! @throws value_error for an integer remainder by zero.
template <>
struct kernel<ops::remainder, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::remainder::attributes const&, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::divide<ops::remainder>(out[0], kernels::remainder_fn{}, in, std::nullopt,
                                                 "remainder");
  }
};

//! @brief `remainder.Scalar` on CPU.
//! @throws value_error for an integer remainder by zero.
template <>
struct kernel<ops::remainder_scalar, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::remainder_scalar::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::divide<ops::remainder_scalar>(out[0], kernels::remainder_fn{}, in,
                                                        a.other, "remainder");
  }
};

//! @brief `remainder.Scalar_Tensor` on CPU.
//! @throws value_error for an integer remainder by zero.
template <>
struct kernel<ops::remainder_scalar_tensor, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::remainder_scalar_tensor::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::divide<ops::remainder_scalar_tensor>(
        out[0], kernels::remainder_fn{}, in, a.self, "remainder", kernels::cpu::scalar_side::lhs);
  }
};

// clang-format off
//! @brief `maximum` on CPU (NaN propagates).
template <> struct kernel<ops::maximum, cpu_t> : kernels::cpu::detail::same_dtype_binary_kernel<ops::maximum, kernels::maximum_fn> {};
//! @brief `minimum` on CPU (NaN propagates).
template <> struct kernel<ops::minimum, cpu_t> : kernels::cpu::detail::same_dtype_binary_kernel<ops::minimum, kernels::minimum_fn> {};
//! @brief `eq.Tensor` on CPU.
template <> struct kernel<ops::eq, cpu_t> : kernels::cpu::detail::comparison_kernel<ops::eq, kernels::eq_fn> {};
//! @brief `ne.Tensor` on CPU.
template <> struct kernel<ops::ne, cpu_t> : kernels::cpu::detail::comparison_kernel<ops::ne, kernels::ne_fn> {};
//! @brief `lt.Tensor` on CPU.
template <> struct kernel<ops::lt, cpu_t> : kernels::cpu::detail::comparison_kernel<ops::lt, kernels::lt_fn> {};
//! @brief `le.Tensor` on CPU.
template <> struct kernel<ops::le, cpu_t> : kernels::cpu::detail::comparison_kernel<ops::le, kernels::le_fn> {};
//! @brief `gt.Tensor` on CPU.
template <> struct kernel<ops::gt, cpu_t> : kernels::cpu::detail::comparison_kernel<ops::gt, kernels::gt_fn> {};
//! @brief `ge.Tensor` on CPU.
template <> struct kernel<ops::ge, cpu_t> : kernels::cpu::detail::comparison_kernel<ops::ge, kernels::ge_fn> {};
//! @brief `eq.Scalar` on CPU.
template <> struct kernel<ops::eq_scalar, cpu_t> : kernels::cpu::detail::comparison_kernel<ops::eq_scalar, kernels::eq_fn> {};
//! @brief `ne.Scalar` on CPU.
template <> struct kernel<ops::ne_scalar, cpu_t> : kernels::cpu::detail::comparison_kernel<ops::ne_scalar, kernels::ne_fn> {};
//! @brief `lt.Scalar` on CPU.
template <> struct kernel<ops::lt_scalar, cpu_t> : kernels::cpu::detail::comparison_kernel<ops::lt_scalar, kernels::lt_fn> {};
//! @brief `le.Scalar` on CPU.
template <> struct kernel<ops::le_scalar, cpu_t> : kernels::cpu::detail::comparison_kernel<ops::le_scalar, kernels::le_fn> {};
//! @brief `gt.Scalar` on CPU.
template <> struct kernel<ops::gt_scalar, cpu_t> : kernels::cpu::detail::comparison_kernel<ops::gt_scalar, kernels::gt_fn> {};
//! @brief `ge.Scalar` on CPU.
template <> struct kernel<ops::ge_scalar, cpu_t> : kernels::cpu::detail::comparison_kernel<ops::ge_scalar, kernels::ge_fn> {};
//! @brief `logical_and` on CPU.
template <> struct kernel<ops::logical_and, cpu_t> : kernels::cpu::detail::logical_kernel<kernels::logical_and_fn> {};
//! @brief `logical_or` on CPU.
template <> struct kernel<ops::logical_or, cpu_t> : kernels::cpu::detail::logical_kernel<kernels::logical_or_fn> {};
//! @brief `logical_xor` on CPU.
template <> struct kernel<ops::logical_xor, cpu_t> : kernels::cpu::detail::logical_kernel<kernels::logical_xor_fn> {};
//! @brief `bitwise_and.Tensor` on CPU.
template <> struct kernel<ops::bitwise_and, cpu_t> : kernels::cpu::detail::same_dtype_binary_kernel<ops::bitwise_and, kernels::bitwise_and_fn> {};
//! @brief `bitwise_or.Tensor` on CPU.
template <> struct kernel<ops::bitwise_or, cpu_t> : kernels::cpu::detail::same_dtype_binary_kernel<ops::bitwise_or, kernels::bitwise_or_fn> {};
//! @brief `bitwise_xor.Tensor` on CPU.
template <> struct kernel<ops::bitwise_xor, cpu_t> : kernels::cpu::detail::same_dtype_binary_kernel<ops::bitwise_xor, kernels::bitwise_xor_fn> {};
// clang-format on

} // namespace xport
