//! @file
//! The meta-rule pieces elementwise ops share: PyTorch's type promotion with tensor and
//! scalar operands, broadcasting, dtype refusals in PyTorch's words, and the checks of
//! in-place results.
#pragma once

#include <xport/core/dtype.hpp>
#include <xport/core/scalar.hpp>
#include <xport/ops/op.hpp>

#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace xport::ops {

//! @brief The dtype PyTorch gives the result of a float-valued op (`exp`, true `div`) on
//! `type`: integers and bool become the default dtype float32, floating types stay.
constexpr dtype floating_result(dtype type) noexcept {
  return is_floating_point(type) ? type : dtype::float32;
}

//! @brief PyTorch's `canCast`: whether an in-place op may write a `from` result into a
//! `to` tensor. Floating to integer and anything but bool to bool are refused.
//! @code
//! can_cast(dtype::int64, dtype::float32) == true;  can_cast(dtype::float32, dtype::int64) == false
//! @endcode
constexpr bool can_cast(dtype from, dtype to) noexcept {
  if (is_floating_point(from) && is_integral(to)) return false;
  return from == dtype::bool_ || to != dtype::bool_;
}

//! @brief How an operand takes part in `result_type`: by its rank.
inline promotion_operand promotion_operand_of(tensor_meta const& m) {
  return {m.dtype, m.dim() == 0 ? operand_kind::zero_dim : operand_kind::dimensioned};
}

//! @brief The dtype PyTorch gives `a op b`, where `b` is a tensor (`other` empty) or the
//! scalar `other` (a wrapped number).
inline dtype binary_result_type(std::span<tensor_meta const> in,
                                std::optional<Scalar> const& other) {
  promotion_operand operands[2] = {promotion_operand_of(in[0]), {}};
  if (other)
    operands[1] = {other->type(), operand_kind::wrapped_number};
  else
    operands[1] = promotion_operand_of(in[1]);
  return result_type(operands);
}

//! @brief The scalar operand of an op's attributes (`other`, a scalar `self` base or
//! dividend, or an `exponent`), if it has one.
template <class Attributes>
std::optional<Scalar> scalar_operand(Attributes const& a) {
  if constexpr (requires { a.other; })
    return std::optional<Scalar>(a.other);
  else if constexpr (requires { a.self; })
    return std::optional<Scalar>(a.self);
  else if constexpr (requires { a.exponent; })
    return std::optional<Scalar>(a.exponent);
  else
    return std::nullopt;
}

//! @brief Declares the dispatch dtype of a binary op (see `ops::dispatch_dtype`): the
//! promoted dtype of its operands, tensor or scalar (what its kernel computes in, before
//! a comparison's bool or a true division's float result).
struct promoted_operands {
  //! @brief `result_type` of the operands.
  template <class Attributes>
  static dtype dispatch_dtype(std::span<tensor_meta const> in, Attributes const& a,
                              meta_list const&) {
    return binary_result_type(in, scalar_operand(a));
  }
};

//! @brief The meta of a broadcasting binary op: one or two tensor inputs (the second
//! operand may instead be the scalar `other`); the result dtype is `result` if given,
//! otherwise PyTorch's promotion of the operands.
//! @throws shape_error when the shapes do not broadcast, device_error for mixed devices.
inline tensor_meta binary_meta(std::span<tensor_meta const> in, std::optional<Scalar> const& other,
                               std::string_view op, std::optional<dtype> result = {}) {
  expect_inputs(in, other ? 1 : 2, op);
  expect_same_device(in, op);
  tensor_meta out{result.value_or(binary_result_type(in, other)), in[0].device, in[0].sizes};
  if (!other) out.sizes = broadcast_sizes(in[0].sizes, in[1].sizes);
  return out;
}

//! @brief PyTorch's checks of `alpha` in `add`/`sub`: a floating alpha needs a floating
//! result, a bool alpha a bool result.
//! @throws dtype_error in PyTorch's words.
inline void check_alpha(Scalar const& alpha, dtype result) {
  if (alpha.is_floating_point() && !is_floating_point(result)) {
    throw dtype_error("For integral input tensors, argument alpha must not be a floating point "
                      "number.");
  }
  if (alpha.is_bool() && result != dtype::bool_)
    throw dtype_error("Boolean alpha only supported for Boolean results.");
}

//! @brief The meta of an in-place op on `self`: the computed result (`result`) must be
//! castable to `self`'s dtype and its broadcast shape must be `self`'s shape; the output
//! is `self`.
//! @throws dtype_error "result type Float can't be cast to the desired output type Long";
//! shape_error "output with shape [3] doesn't match the broadcast shape [2, 3]".
inline tensor_meta inplace_meta(tensor_meta const& self, tensor_meta const& result,
                                std::string_view op) {
  if (!can_cast(result.dtype, self.dtype)) {
    throw dtype_error(
        std::string(op) + ": result type " + std::string(scalar_type_name(result.dtype))
        + " can't be cast to the desired output type " + std::string(scalar_type_name(self.dtype))
        + "; use the out-of-place op, or convert self with .to()");
  }
  bool same = result.sizes.size() == self.sizes.size();
  for (std::size_t i = 0; same && i < self.sizes.size(); ++i)
    same = static_cast<bool>(self.sizes[i] == result.sizes[i]);
  if (!same) {
    throw shape_error(std::string(op) + ": output with shape " + format_sym_sizes(self.sizes)
                      + " doesn't match the broadcast shape " + format_sym_sizes(result.sizes));
  }
  return self;
}

} // namespace xport::ops
