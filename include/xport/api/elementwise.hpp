//! @file
//! The elementwise front end: `xport::add`, `xport::relu`, and the operators on
//! `Tensor`. Every function here ends in `ops::call`, so it runs eagerly on real tensors
//! and is recorded when traced.
#pragma once

#include <xport/core/source_location.hpp>
#include <xport/kernels/cpu/elementwise.hpp>
#include <xport/ops/dispatch.hpp>
#include <xport/ops/elementwise.hpp>

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

//! @brief `self + alpha * other`, broadcasting, with PyTorch's type promotion.
//! @throws shape_error naming both shapes when they do not broadcast.
inline Tensor add(Tensor const& self, Tensor const& other, Scalar alpha = 1,
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::add>({std::nullopt, alpha}, {self, other}, where);
}
//! @brief `self + alpha * other` for a scalar `other` (a wrapped number for promotion).
inline Tensor add(Tensor const& self, Scalar other, Scalar alpha = 1,
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::add>({other, alpha}, {self}, where);
}
//! @brief `max(x, 0)`.
inline Tensor relu(Tensor const& x, source_location const& where = source_location::current()) {
  return ops::call1<ops::relu>({}, {x}, where);
}

//! @brief `a + b` (see `add`).
inline Tensor operator+(located_tensor a, Tensor const& b) {
  return add(a.tensor, b, 1, a.where);
}
//! @brief `a + s`.
inline Tensor operator+(located_tensor a, Scalar s) {
  return add(a.tensor, s, 1, a.where);
}
//! @brief `s + a`.
inline Tensor operator+(Scalar s, located_tensor a) {
  return add(a.tensor, s, 1, a.where);
}

} // namespace xport
