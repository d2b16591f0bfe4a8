//! @file
//! Front ends of the unary elementwise ops and activations. Float-valued math on integer
//! or bool tensors returns float32, as in PyTorch.
#pragma once

#include <xport/api/call.hpp>
#include <xport/core/source_location.hpp>
#include <xport/ops/elementwise_unary.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace xport {

// clang-format off
//! @brief `-x`; integers wrap.
//! @throws dtype_error for bool ("Negation, the `-` operator, on a bool tensor is not supported.").
inline Tensor neg(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::neg>({}, {x}, where); }
//! @brief `|x|`.
//! @throws dtype_error for bool.
inline Tensor abs(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::abs>({}, {x}, where); }
//! @brief `e^x` (integers give float32).
inline Tensor exp(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::exp>({}, {x}, where); }
//! @brief Natural logarithm (integers give float32).
inline Tensor log(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::log>({}, {x}, where); }
//! @brief `log(1 + x)` (integers give float32).
inline Tensor log1p(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::log1p>({}, {x}, where); }
//! @brief Square root (integers give float32).
inline Tensor sqrt(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::sqrt>({}, {x}, where); }
//! @brief `1 / sqrt(x)` (integers give float32).
inline Tensor rsqrt(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::rsqrt>({}, {x}, where); }
//! @brief `1 / x` (integers give float32).
inline Tensor reciprocal(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::reciprocal>({}, {x}, where); }
//! @brief Sine (integers give float32).
inline Tensor sin(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::sin>({}, {x}, where); }
//! @brief Cosine (integers give float32).
inline Tensor cos(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::cos>({}, {x}, where); }
//! @brief Hyperbolic tangent (integers give float32).
inline Tensor tanh(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::tanh>({}, {x}, where); }
//! @brief `1 / (1 + e^-x)` (integers give float32).
inline Tensor sigmoid(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::sigmoid>({}, {x}, where); }
//! @brief The error function (integers give float32).
inline Tensor erf(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::erf>({}, {x}, where); }
//! @brief Round toward -inf (integers unchanged).
//! @throws dtype_error for bool.
inline Tensor floor(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::floor>({}, {x}, where); }
//! @brief Round toward +inf (integers unchanged).
//! @throws dtype_error for bool.
inline Tensor ceil(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::ceil>({}, {x}, where); }
//! @brief Round half to even: `round([0.5, 1.5, 2.5]) == [0, 2, 2]` (integers unchanged).
//! @throws dtype_error for bool.
inline Tensor round(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::round>({}, {x}, where); }
//! @brief -1, 0 or 1 in the input's dtype (bool unchanged).
inline Tensor sign(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::sign>({}, {x}, where); }
//! @brief True where `x` is NaN.
inline Tensor isnan(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::isnan>({}, {x}, where); }
//! @brief True where `x` is zero (any dtype; bool result).
inline Tensor logical_not(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::logical_not>({}, {x}, where); }
//! @brief `~x` for integer or bool tensors.
//! @throws dtype_error for floating tensors.
inline Tensor bitwise_not(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::bitwise_not>({}, {x}, where); }
//! @brief `max(x, 0)`.
//! @throws dtype_error for bool.
inline Tensor relu(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::relu>({}, {x}, where); }
//! @brief `x * sigmoid(x)` (floating dtypes only).
//! @throws dtype_error for integer or bool tensors.
inline Tensor silu(Tensor const& x, source_location const& where = source_location::current()) { return ops::call1<ops::silu>({}, {x}, where); }
// clang-format on

//! @brief Round half to even at `decimals` digits after the point (before it when
//! negative): `round(1.2345, 2) == 1.23`, `round(1250, -2) == 1200`
//! (`aten::round.decimals`).
//! @throws dtype_error for integer and bool tensors (PyTorch has no kernel for them; use
//! `round(x)` for integers).
inline Tensor round(Tensor const& x, std::int64_t decimals,
                    source_location const& where = source_location::current()) {
  return ops::call1<ops::round_decimals>({decimals}, {x}, where);
}

//! @brief `x` where positive, `negative_slope * x` elsewhere (floating dtypes only).
//! @throws dtype_error for integer or bool tensors.
inline Tensor leaky_relu(Tensor const& x, Scalar negative_slope = 0.01,
                         source_location const& where = source_location::current()) {
  return ops::call1<ops::leaky_relu>({negative_slope}, {x}, where);
}

//! @brief `x` clamped to `[min_val, max_val]`.
//! @throws dtype_error for bool.
inline Tensor hardtanh(Tensor const& x, Scalar min_val = -1, Scalar max_val = 1,
                       source_location const& where = source_location::current()) {
  return ops::call1<ops::hardtanh>({min_val, max_val}, {x}, where);
}

//! @brief GELU, exact (`approximate = "none"`) or with the tanh approximation
//! (`"tanh"`); floating dtypes only.
//! @throws value_error for another `approximate`; dtype_error for integer tensors.
inline Tensor gelu(Tensor const& x, std::string_view approximate = "none",
                   source_location const& where = source_location::current()) {
  return ops::call1<ops::gelu>({std::string(approximate)}, {x}, where);
}

//! @brief `log(1 + e^(beta x)) / beta`, linear where `beta x > threshold`; floating
//! dtypes only.
//! @throws dtype_error for integer or bool tensors.
inline Tensor softplus(Tensor const& x, Scalar beta = 1, Scalar threshold = 20,
                       source_location const& where = source_location::current()) {
  return ops::call1<ops::softplus>({beta, threshold}, {x}, where);
}

} // namespace xport
