//! @file
//! CPU kernels of the creation and conversion ops (ops/creation.hpp): they fill or copy
//! into the outputs eager execution allocated from the meta rule.
#pragma once

#include <xport/kernels/eager.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/ops/creation.hpp>

#include <algorithm>
#include <cstdint>
#include <span>

namespace xport {

namespace detail {

inline void fill_with(Tensor const& out, Scalar const& value) {
  visit_dtype(out.dtype(), [&]<class T>() {
    std::fill_n(out.data_ptr<T>(), out.numel(), value.template to<T>());
  });
}

// `kernel::run` for ops whose output is the preallocated tensor filled with `Value`.
template <class Op, int Value>
struct constant_fill_kernel {
  static void run(typename Op::attributes const&, std::span<Tensor const>, std::span<Tensor> out) {
    fill_with(out[0], Value);
  }
};

// `kernel::run` for ops whose output is left as allocated.
template <class Op>
struct uninitialized_kernel {
  static void run(typename Op::attributes const&, std::span<Tensor const>, std::span<Tensor>) {}
};

} // namespace detail

//! @brief `zeros` on CPU.
template <>
struct kernel<ops::zeros, cpu_t> : detail::constant_fill_kernel<ops::zeros, 0> {};
//! @brief `ones` on CPU.
template <>
struct kernel<ops::ones, cpu_t> : detail::constant_fill_kernel<ops::ones, 1> {};
//! @brief `zeros_like` on CPU.
template <>
struct kernel<ops::zeros_like, cpu_t> : detail::constant_fill_kernel<ops::zeros_like, 0> {};
//! @brief `ones_like` on CPU.
template <>
struct kernel<ops::ones_like, cpu_t> : detail::constant_fill_kernel<ops::ones_like, 1> {};
//! @brief `empty.memory_format` on CPU: the allocation is the result.
template <>
struct kernel<ops::empty, cpu_t> : detail::uninitialized_kernel<ops::empty> {};
//! @brief `empty_like` on CPU: the allocation is the result.
template <>
struct kernel<ops::empty_like, cpu_t> : detail::uninitialized_kernel<ops::empty_like> {};

//! @brief `full` on CPU.
template <>
struct kernel<ops::full, cpu_t> {
  //! @brief Writes `fill_value` everywhere.
  static void run(ops::full::attributes const& a, std::span<Tensor const>, std::span<Tensor> out) {
    detail::fill_with(out[0], a.fill_value);
  }
};

//! @brief `full_like` on CPU.
template <>
struct kernel<ops::full_like, cpu_t> {
  //! @brief Writes `fill_value` everywhere.
  static void run(ops::full_like::attributes const& a, std::span<Tensor const>,
                  std::span<Tensor> out) {
    detail::fill_with(out[0], a.fill_value);
  }
};

//! @brief `scalar_tensor` on CPU.
template <>
struct kernel<ops::scalar_tensor, cpu_t> {
  //! @brief Writes `s`.
  static void run(ops::scalar_tensor::attributes const& a, std::span<Tensor const>,
                  std::span<Tensor> out) {
    detail::fill_with(out[0], a.s);
  }
};

//! @brief `arange.start_step` on CPU: element i is `start + i * step`, computed in int64
//! and converted to the output dtype.
template <>
struct kernel<ops::arange, cpu_t> {
  //! @brief Writes the range.
  static void run(ops::arange::attributes const& a, std::span<Tensor const>,
                  std::span<Tensor> out) {
    std::int64_t const start = a.start.expect_int();
    std::int64_t const step = a.step.expect_int();
    visit_dtype(out[0].dtype(), [&]<class T>() {
      T* data = out[0].data_ptr<T>();
      for (std::int64_t i = 0; i < out[0].numel(); ++i)
        data[i] = convert<T>(start + i * step);
    });
  }
};

//! @brief `_to_copy` on CPU: an element-wise converting copy (any input strides).
template <>
struct kernel<ops::to_copy, cpu_t> {
  //! @brief `out[0].copy_(in[0])`.
  static void run(ops::to_copy::attributes const&, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    out[0].copy_(in[0]);
  }
};

//! @brief `clone` on CPU: a contiguous copy (any input strides).
template <>
struct kernel<ops::clone, cpu_t> {
  //! @brief `out[0].copy_(in[0])`.
  static void run(ops::clone::attributes const&, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    out[0].copy_(in[0]);
  }
};

} // namespace xport
