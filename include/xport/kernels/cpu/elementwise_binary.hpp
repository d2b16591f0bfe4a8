//! @file
//! CPU kernels of the binary elementwise ops (ops/elementwise_binary.hpp): arithmetic,
//! comparisons, logical and bitwise ops. Each computes in PyTorch's promoted dtype
//! (float for half types, through `opmath_t`).
#pragma once

#include <xport/kernels/cpu/elementwise_common.hpp>
#include <xport/kernels/elementwise_functors.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/ops/elementwise_binary.hpp>

#include <span>
#include <type_traits>

namespace xport {

namespace kernels::cpu::detail {

// out = F(self, other) in out's dtype, for ops whose result dtype is the compute dtype.
// `Allowed<T>` limits the instantiated element types to those the meta rule lets through.
template <class F, template <class> class Allowed>
struct same_dtype_binary_kernel {
  template <class Attributes>
  static void run(Attributes const& a, std::span<Tensor const> in, std::span<Tensor> out) {
    visit_dtype(out[0].dtype(), [&]<class T>() {
      if constexpr (Allowed<T>::value) binary_map<T, T>(out[0], F{}, in, scalar_operand(a));
    });
  }
};

// out = F(self, other) as bool, computed in the promoted dtype of the operands.
template <class F>
struct comparison_kernel {
  template <class Attributes>
  static void run(Attributes const& a, std::span<Tensor const> in, std::span<Tensor> out) {
    std::optional<Scalar> const other = scalar_operand(a);
    visit_dtype(common_dtype(in, other),
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

template <class T>
struct any_type : std::true_type {};
template <class T>
struct non_bool : std::bool_constant<!std::is_same_v<T, bool>> {};
template <class T>
struct integral_or_bool : std::is_integral<T> {};

// Division-like ops: integer divisors are checked for zero first.
template <class F>
void divide(Tensor const& out, F const& f, std::span<Tensor const> in,
            std::optional<Scalar> const& other, std::string_view what,
            scalar_side side = scalar_side::rhs) {
  visit_dtype(out.dtype(), [&]<class T>() {
    if constexpr (!std::is_same_v<T, bool>) {
      if (side == scalar_side::rhs)
        check_integer_divisor<T>(other ? Tensor() : in[1], other, out.numel(), what);
      else
        check_integer_divisor<T>(in[0], std::nullopt, out.numel(), what);
      binary_map<T, T>(out, f, in, other, side);
    }
  });
}

} // namespace kernels::cpu::detail

//! @brief `add` on CPU: `self + alpha * other` in the result dtype; integers wrap.
template <>
struct kernel<ops::add, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::add::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    visit_dtype(out[0].dtype(), [&]<class T>() {
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
    visit_dtype(out[0].dtype(), [&]<class T>() {
      using math = kernels::cpu::opmath_t<T>;
      if constexpr (!std::is_same_v<T, bool>) {
        kernels::cpu::binary_map<T, T>(out[0], kernels::sub_fn<math>{a.alpha.to<math>()}, in,
                                       a.other);
      }
    });
  }
};

//! @brief `rsub` on CPU: `other - alpha * self`.
template <>
struct kernel<ops::rsub, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::rsub::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    visit_dtype(out[0].dtype(), [&]<class T>() {
      using math = kernels::cpu::opmath_t<T>;
      if constexpr (!std::is_same_v<T, bool>) {
        kernels::cpu::binary_map<T, T>(out[0], kernels::sub_fn<math>{a.alpha.to<math>()}, in,
                                       a.other, kernels::cpu::scalar_side::lhs);
      }
    });
  }
};

//! @brief `mul` on CPU; integers wrap, bools give their logical and.
template <>
struct kernel<ops::mul, cpu_t>
    : kernels::cpu::detail::same_dtype_binary_kernel<kernels::mul_fn,
                                                     kernels::cpu::detail::any_type> {};

//! @brief `div` on CPU: true division in the (floating) result dtype.
template <>
struct kernel<ops::div, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::div::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    visit_dtype(out[0].dtype(), [&]<class T>() {
      if constexpr (std::is_floating_point_v<kernels::cpu::opmath_t<T>>)
        kernels::cpu::binary_map<T, T>(out[0], kernels::div_true_fn{}, in, a.other);
    });
  }
};

//! @brief `div` with a rounding mode on CPU.
//! @throws value_error for an integer division by zero.
template <>
struct kernel<ops::div_mode, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::div_mode::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    if (!a.rounding_mode) {
      kernel<ops::div, cpu_t>::run({a.other}, in, out);
    } else if (*a.rounding_mode == "trunc") {
      kernels::cpu::detail::divide(out[0], kernels::div_trunc_fn{}, in, a.other,
                                   "division (rounding_mode='trunc')");
    } else {
      kernels::cpu::detail::divide(out[0], kernels::div_floor_fn{}, in, a.other,
                                   "division (rounding_mode='floor')");
    }
  }
};

//! @brief `pow.Tensor_Tensor` on CPU.
template <>
struct kernel<ops::pow_tensor, cpu_t>
    : kernels::cpu::detail::same_dtype_binary_kernel<kernels::pow_fn,
                                                     kernels::cpu::detail::non_bool> {};

//! @brief `pow.Tensor_Scalar` on CPU.
template <>
struct kernel<ops::pow_tensor_scalar, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::pow_tensor_scalar::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    visit_dtype(out[0].dtype(), [&]<class T>() {
      if constexpr (!std::is_same_v<T, bool>)
        kernels::cpu::binary_map<T, T>(out[0], kernels::pow_fn{}, in, a.exponent);
    });
  }
};

//! @brief `pow.Scalar` on CPU: a scalar base to tensor powers.
template <>
struct kernel<ops::pow_scalar, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::pow_scalar::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    visit_dtype(out[0].dtype(), [&]<class T>() {
      if constexpr (!std::is_same_v<T, bool>) {
        kernels::cpu::binary_map<T, T>(out[0], kernels::pow_fn{}, in, a.self,
                                       kernels::cpu::scalar_side::lhs);
      }
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
    kernels::cpu::detail::divide(out[0], kernels::remainder_fn{}, in, std::nullopt, "remainder");
  }
};

//! @brief `remainder.Scalar` on CPU.
//! @throws value_error for an integer remainder by zero.
template <>
struct kernel<ops::remainder_scalar, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::remainder_scalar::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::divide(out[0], kernels::remainder_fn{}, in, a.other, "remainder");
  }
};

//! @brief `remainder.Scalar_Tensor` on CPU.
//! @throws value_error for an integer remainder by zero.
template <>
struct kernel<ops::remainder_scalar_tensor, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::remainder_scalar_tensor::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::divide(out[0], kernels::remainder_fn{}, in, a.self, "remainder",
                                 kernels::cpu::scalar_side::lhs);
  }
};

// clang-format off
//! @brief `maximum` on CPU (NaN propagates).
template <> struct kernel<ops::maximum, cpu_t> : kernels::cpu::detail::same_dtype_binary_kernel<kernels::maximum_fn, kernels::cpu::detail::any_type> {};
//! @brief `minimum` on CPU (NaN propagates).
template <> struct kernel<ops::minimum, cpu_t> : kernels::cpu::detail::same_dtype_binary_kernel<kernels::minimum_fn, kernels::cpu::detail::any_type> {};
//! @brief `eq.Tensor` on CPU.
template <> struct kernel<ops::eq, cpu_t> : kernels::cpu::detail::comparison_kernel<kernels::eq_fn> {};
//! @brief `ne.Tensor` on CPU.
template <> struct kernel<ops::ne, cpu_t> : kernels::cpu::detail::comparison_kernel<kernels::ne_fn> {};
//! @brief `lt.Tensor` on CPU.
template <> struct kernel<ops::lt, cpu_t> : kernels::cpu::detail::comparison_kernel<kernels::lt_fn> {};
//! @brief `le.Tensor` on CPU.
template <> struct kernel<ops::le, cpu_t> : kernels::cpu::detail::comparison_kernel<kernels::le_fn> {};
//! @brief `gt.Tensor` on CPU.
template <> struct kernel<ops::gt, cpu_t> : kernels::cpu::detail::comparison_kernel<kernels::gt_fn> {};
//! @brief `ge.Tensor` on CPU.
template <> struct kernel<ops::ge, cpu_t> : kernels::cpu::detail::comparison_kernel<kernels::ge_fn> {};
//! @brief `eq.Scalar` on CPU.
template <> struct kernel<ops::eq_scalar, cpu_t> : kernels::cpu::detail::comparison_kernel<kernels::eq_fn> {};
//! @brief `ne.Scalar` on CPU.
template <> struct kernel<ops::ne_scalar, cpu_t> : kernels::cpu::detail::comparison_kernel<kernels::ne_fn> {};
//! @brief `lt.Scalar` on CPU.
template <> struct kernel<ops::lt_scalar, cpu_t> : kernels::cpu::detail::comparison_kernel<kernels::lt_fn> {};
//! @brief `le.Scalar` on CPU.
template <> struct kernel<ops::le_scalar, cpu_t> : kernels::cpu::detail::comparison_kernel<kernels::le_fn> {};
//! @brief `gt.Scalar` on CPU.
template <> struct kernel<ops::gt_scalar, cpu_t> : kernels::cpu::detail::comparison_kernel<kernels::gt_fn> {};
//! @brief `ge.Scalar` on CPU.
template <> struct kernel<ops::ge_scalar, cpu_t> : kernels::cpu::detail::comparison_kernel<kernels::ge_fn> {};
//! @brief `logical_and` on CPU.
template <> struct kernel<ops::logical_and, cpu_t> : kernels::cpu::detail::logical_kernel<kernels::logical_and_fn> {};
//! @brief `logical_or` on CPU.
template <> struct kernel<ops::logical_or, cpu_t> : kernels::cpu::detail::logical_kernel<kernels::logical_or_fn> {};
//! @brief `logical_xor` on CPU.
template <> struct kernel<ops::logical_xor, cpu_t> : kernels::cpu::detail::logical_kernel<kernels::logical_xor_fn> {};
//! @brief `bitwise_and.Tensor` on CPU.
template <> struct kernel<ops::bitwise_and, cpu_t> : kernels::cpu::detail::same_dtype_binary_kernel<kernels::bitwise_and_fn, kernels::cpu::detail::integral_or_bool> {};
//! @brief `bitwise_or.Tensor` on CPU.
template <> struct kernel<ops::bitwise_or, cpu_t> : kernels::cpu::detail::same_dtype_binary_kernel<kernels::bitwise_or_fn, kernels::cpu::detail::integral_or_bool> {};
//! @brief `bitwise_xor.Tensor` on CPU.
template <> struct kernel<ops::bitwise_xor, cpu_t> : kernels::cpu::detail::same_dtype_binary_kernel<kernels::bitwise_xor_fn, kernels::cpu::detail::integral_or_bool> {};
// clang-format on

} // namespace xport
