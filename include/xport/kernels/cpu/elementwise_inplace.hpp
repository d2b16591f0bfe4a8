//! @file
//! CPU kernels of the in-place elementwise ops (ops/elementwise_inplace.hpp). Results
//! are computed out of place in the promoted dtype and then copied into `self`, so an
//! operand that aliases `self` (`add_(x, x.t())`) reads its values from before the write.
#pragma once

#include <xport/core/factories.hpp>
#include <xport/kernels/cpu/elementwise_binary.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/ops/elementwise_inplace.hpp>
#include <xport/ops/op.hpp>

#include <span>

namespace xport {

namespace kernels::cpu::detail {

// Runs the out-of-place kernel of `Op` into a temporary and copies it into in[0].
template <class Op>
ops::tensor_list compute_into_self(typename Op::attributes const& a, std::span<Tensor const> in) {
  Tensor const& self = in[0];
  Tensor result = empty(
      self.sizes(), {.dtype = common_dtype(in, ops::scalar_operand(a)), .device = self.device()});
  kernel<Op, cpu_t>::run(a, in, std::span<Tensor>(&result, 1));
  self.copy_(result);
  return {self};
}

} // namespace kernels::cpu::detail

//! @brief `fill.Scalar` on CPU.
template <>
struct kernel<ops::fill, cpu_t> {
  //! @brief Writes `out[0]`.
  //! @throws value_error when the value does not fit `self`'s dtype.
  static void run(ops::fill::attributes const& a, std::span<Tensor const>, std::span<Tensor> out) {
    out[0].copy_(full({}, a.value, {.dtype = out[0].dtype(), .device = out[0].device()}));
  }
};

//! @brief `fill.Tensor` on CPU.
template <>
struct kernel<ops::fill_tensor, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::no_attributes const&, std::span<Tensor const> in, std::span<Tensor> out) {
    out[0].copy_(in[1]);
  }
};

//! @brief `zero` on CPU.
template <>
struct kernel<ops::zero, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::no_attributes const&, std::span<Tensor const>, std::span<Tensor> out) {
    out[0].copy_(zeros({}, {.dtype = out[0].dtype(), .device = out[0].device()}));
  }
};

//! @brief `copy` on CPU.
template <>
struct kernel<ops::copy, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::copy::attributes const&, std::span<Tensor const> in, std::span<Tensor> out) {
    out[0].copy_(in[1]);
  }
};

//! @brief `add_` on CPU.
template <>
struct kernel<ops::add_, cpu_t> {
  //! @brief Adds into `in[0]` and returns it.
  static ops::tensor_list compute(ops::add_::attributes const& a, std::span<Tensor const> in,
                                  ops::meta_list const&) {
    return kernels::cpu::detail::compute_into_self<ops::add>(a, in);
  }
};

//! @brief `mul_` on CPU.
template <>
struct kernel<ops::mul_, cpu_t> {
  //! @brief Multiplies into `in[0]` and returns it.
  static ops::tensor_list compute(ops::mul_::attributes const& a, std::span<Tensor const> in,
                                  ops::meta_list const&) {
    return kernels::cpu::detail::compute_into_self<ops::mul>(a, in);
  }
};

//! @brief `fill_.Scalar` on CPU.
template <>
struct kernel<ops::fill_, cpu_t> {
  //! @brief Fills `in[0]` and returns it.
  //! @throws value_error when the value does not fit `self`'s dtype.
  static ops::tensor_list compute(ops::fill_::attributes const& a, std::span<Tensor const> in,
                                  ops::meta_list const&) {
    in[0].copy_(full({}, a.value, {.dtype = in[0].dtype(), .device = in[0].device()}));
    return {in[0]};
  }
};

//! @brief `fill_.Tensor` on CPU.
template <>
struct kernel<ops::fill_tensor_, cpu_t> {
  //! @brief Fills `in[0]` with the 0-dim `in[1]` and returns it.
  static ops::tensor_list compute(ops::fill_tensor_::attributes const&, std::span<Tensor const> in,
                                  ops::meta_list const&) {
    in[0].copy_(in[1]);
    return {in[0]};
  }
};

//! @brief `zero_` on CPU.
template <>
struct kernel<ops::zero_, cpu_t> {
  //! @brief Zeroes `in[0]` and returns it.
  static ops::tensor_list compute(ops::zero_::attributes const&, std::span<Tensor const> in,
                                  ops::meta_list const&) {
    in[0].copy_(zeros({}, {.dtype = in[0].dtype(), .device = in[0].device()}));
    return {in[0]};
  }
};

//! @brief `copy_` on CPU (and across devices, through `Tensor::copy_`).
template <>
struct kernel<ops::copy_, cpu_t> {
  //! @brief Copies `in[1]` into `in[0]` and returns it.
  static ops::tensor_list compute(ops::copy_::attributes const&, std::span<Tensor const> in,
                                  ops::meta_list const&) {
    in[0].copy_(in[1]);
    return {in[0]};
  }
};

} // namespace xport
