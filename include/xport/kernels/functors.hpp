//! @file
//! Elementwise math as small functors, shared by CPU and (later) CUDA kernels: each is
//! `XPORT_HOST_DEVICE` and works on the op-math type (`float` for half and bfloat16).
//! This header must stay parseable by nvcc: core/ only.
#pragma once

#include <xport/core/config.hpp>

namespace xport::kernels {

//! @brief `a + alpha * b`.
template <class T>
struct add_fn {
  T alpha; //!< scale of the second operand
  //! @brief Applies it.
  XPORT_HOST_DEVICE constexpr T operator()(T a, T b) const { return static_cast<T>(a + alpha * b); }
};

//! @brief `max(x, 0)`; NaN stays NaN.
struct relu_fn {
  //! @brief Applies it.
  template <class T>
  XPORT_HOST_DEVICE constexpr T operator()(T x) const {
    return x > T(0) ? x : (x != x ? x : T(0));
  }
};

} // namespace xport::kernels
