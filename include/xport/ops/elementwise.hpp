//! @file
//! Elementwise op node types and the meta rules they share: broadcasting, PyTorch's type
//! promotion, and tensor-or-scalar operands.
#pragma once

#include <xport/core/dtype.hpp>
#include <xport/core/scalar.hpp>
#include <xport/ops/op.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace xport::ops {

//! @brief The dtype PyTorch gives `a op b`, where `b` is a tensor (`other` empty) or the
//! scalar `other` (a wrapped number).
inline dtype binary_result_type(std::span<tensor_meta const> in,
                                std::optional<Scalar> const& other) {
  auto const tier = [](tensor_meta const& m) {
    return m.dim() == 0 ? operand_kind::zero_dim : operand_kind::dimensioned;
  };
  promotion_operand operands[2] = {{in[0].dtype, tier(in[0])}, {}};
  if (other)
    operands[1] = {other->type(), operand_kind::wrapped_number};
  else
    operands[1] = {in[1].dtype, tier(in[1])};
  return result_type(operands);
}

//! @brief The meta of a broadcasting binary op: one or two tensor inputs (the second
//! operand may instead be the scalar `other`); the result dtype is `result` if given,
//! otherwise PyTorch's promotion of the operands.
//! @throws shape_error when the shapes do not broadcast, device_error for mixed devices.
inline tensor_meta binary_meta(std::span<tensor_meta const> in, std::optional<Scalar> const& other,
                               std::string_view op, std::optional<dtype> result = {}) {
  std::size_t const expected = other ? 1 : 2;
  if (in.size() != expected) {
    throw value_error(std::string(op) + ": expected " + std::to_string(expected)
                      + " tensor operand(s), but got " + std::to_string(in.size()));
  }
  expect_same_device(in, op);
  tensor_meta out{result.value_or(binary_result_type(in, other)), in[0].device, in[0].sizes};
  if (!other) out.sizes = broadcast_sizes(in[0].sizes, in[1].sizes);
  return out;
}

//! @brief `aten::add.Tensor`: `self + alpha * other`, broadcasting, with type promotion.
struct add {
  static constexpr std::string_view name = "aten::add.Tensor"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;               //!< in the core set
  //! @brief `other` holds a scalar second operand; `alpha` scales it.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::optional<Scalar>, other), (Scalar, alpha));
  };
  //! @brief Broadcast shape, promoted dtype; `alpha` must fit the result dtype's category.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta out = binary_meta(in, a.other, "add");
    if (a.alpha.is_floating_point() && !is_floating_point(out.dtype)) {
      throw dtype_error("For integral input tensors, argument alpha must not be a floating point "
                        "number.");
    }
    return {out};
  }
};

//! @brief `aten::relu`: `max(x, 0)`, elementwise; refuses bool.
struct relu {
  static constexpr std::string_view name = "aten::relu"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;         //!< in the core set
  using attributes = no_attributes;                      //!< none
  //! @brief Same shape and dtype as the input.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    if (in[0].dtype == dtype::bool_)
      throw dtype_error("\"relu\" not implemented for 'Bool'; convert the tensor with .to()");
    return {in[0]};
  }
};

} // namespace xport::ops
