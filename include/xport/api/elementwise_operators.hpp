//! @file
//! C++ operators on `Tensor`, recorded as PyTorch records Python's: `a + b`, `x - 2`
//! (`aten::sub.Tensor`), `2 - x` (`aten::rsub.Scalar`), `2 / x` (`reciprocal` then
//! `mul`), `-x`, `<` `<=` `>` `>=` (bool tensors), and `&` `|` `^` `~` (bitwise, for
//! integer and bool tensors). `==` and `!=` are not overloaded: `Tensor` stays
//! comparable as a handle; use `xport::eq` / `xport::ne`.
//!
//! A scalar operand may be a `SymInt`: `x * x.sym_size(0)` or `y + item_int(t)` records
//! the size or data-dependent value itself, evaluated on every call of the program, as
//! PyTorch records a SymInt operand (`aten::mul.Tensor(x, sym_size_int)`).
#pragma once

#include <xport/api/elementwise_binary.hpp>
#include <xport/api/elementwise_unary.hpp>
#include <xport/core/source_location.hpp>

namespace xport {

//! @brief A tensor operand together with the place it was written: an operator's
//! parameter of this type records the user's line, since operators cannot take a
//! defaulted `source_location` of their own.
struct located_tensor {
  Tensor const& tensor;  //!< the operand
  source_location where; //!< where the expression was written
  //! @brief Wraps `t`, capturing the caller's location.
  located_tensor(Tensor const& t, // NOLINT: implicit on purpose
                 source_location w = source_location::current()) noexcept
      : tensor(t), where(w) {}
};

// clang-format off
//! @brief `a + b` (see `add`).
inline Tensor operator+(located_tensor a, Tensor const& b) { return add(a.tensor, b, 1, a.where); }
//! @brief `a + s`.
inline Tensor operator+(located_tensor a, Scalar s) { return add(a.tensor, s, 1, a.where); }
//! @brief `s + a` (recorded as `add(a, s)`, as PyTorch's `__radd__`).
inline Tensor operator+(Scalar s, located_tensor a) { return add(a.tensor, s, 1, a.where); }
//! @brief `a - b` (see `sub`).
inline Tensor operator-(located_tensor a, Tensor const& b) { return sub(a.tensor, b, 1, a.where); }
//! @brief `a - s`.
inline Tensor operator-(located_tensor a, Scalar s) { return sub(a.tensor, s, 1, a.where); }
//! @brief `s - a`, recorded as `aten::rsub.Scalar(a, s)`.
inline Tensor operator-(Scalar s, located_tensor a) { return rsub(a.tensor, s, 1, a.where); }
//! @brief `-a` (see `neg`).
inline Tensor operator-(located_tensor a) { return neg(a.tensor, a.where); }
//! @brief `a * b` (see `mul`).
inline Tensor operator*(located_tensor a, Tensor const& b) { return mul(a.tensor, b, a.where); }
//! @brief `a * s`.
inline Tensor operator*(located_tensor a, Scalar s) { return mul(a.tensor, s, a.where); }
//! @brief `s * a` (recorded as `mul(a, s)`).
inline Tensor operator*(Scalar s, located_tensor a) { return mul(a.tensor, s, a.where); }
//! @brief `a / b`, true division (see `div`).
inline Tensor operator/(located_tensor a, Tensor const& b) { return div(a.tensor, b, std::nullopt, a.where); }
//! @brief `a / s`, true division.
inline Tensor operator/(located_tensor a, Scalar s) { return div(a.tensor, s, std::nullopt, a.where); }
//! @brief `s / a`: `reciprocal(a) * s`, which is what PyTorch's `__rtruediv__` records.
inline Tensor operator/(Scalar s, located_tensor a) { return mul(reciprocal(a.tensor, a.where), s, a.where); }
//! @brief `a < b` as a bool tensor (see `lt`).
inline Tensor operator<(located_tensor a, Tensor const& b) { return lt(a.tensor, b, a.where); }
//! @brief `a < s` as a bool tensor.
inline Tensor operator<(located_tensor a, Scalar s) { return lt(a.tensor, s, a.where); }
//! @brief `s < a`, recorded as `gt(a, s)`.
inline Tensor operator<(Scalar s, located_tensor a) { return gt(a.tensor, s, a.where); }
//! @brief `a <= b` as a bool tensor (see `le`).
inline Tensor operator<=(located_tensor a, Tensor const& b) { return le(a.tensor, b, a.where); }
//! @brief `a <= s` as a bool tensor.
inline Tensor operator<=(located_tensor a, Scalar s) { return le(a.tensor, s, a.where); }
//! @brief `s <= a`, recorded as `ge(a, s)`.
inline Tensor operator<=(Scalar s, located_tensor a) { return ge(a.tensor, s, a.where); }
//! @brief `a > b` as a bool tensor (see `gt`).
inline Tensor operator>(located_tensor a, Tensor const& b) { return gt(a.tensor, b, a.where); }
//! @brief `a > s` as a bool tensor.
inline Tensor operator>(located_tensor a, Scalar s) { return gt(a.tensor, s, a.where); }
//! @brief `s > a`, recorded as `lt(a, s)`.
inline Tensor operator>(Scalar s, located_tensor a) { return lt(a.tensor, s, a.where); }
//! @brief `a >= b` as a bool tensor (see `ge`).
inline Tensor operator>=(located_tensor a, Tensor const& b) { return ge(a.tensor, b, a.where); }
//! @brief `a >= s` as a bool tensor.
inline Tensor operator>=(located_tensor a, Scalar s) { return ge(a.tensor, s, a.where); }
//! @brief `s >= a`, recorded as `le(a, s)`.
inline Tensor operator>=(Scalar s, located_tensor a) { return le(a.tensor, s, a.where); }
//! @brief `a & b` (see `bitwise_and`).
inline Tensor operator&(located_tensor a, Tensor const& b) { return bitwise_and(a.tensor, b, a.where); }
//! @brief `a | b` (see `bitwise_or`).
inline Tensor operator|(located_tensor a, Tensor const& b) { return bitwise_or(a.tensor, b, a.where); }
//! @brief `a ^ b` (see `bitwise_xor`).
inline Tensor operator^(located_tensor a, Tensor const& b) { return bitwise_xor(a.tensor, b, a.where); }
//! @brief `~a` (see `bitwise_not`).
inline Tensor operator~(located_tensor a) { return bitwise_not(a.tensor, a.where); }
// clang-format on

} // namespace xport
