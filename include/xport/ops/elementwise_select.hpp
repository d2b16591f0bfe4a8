//! @file
//! Elementwise op node types that choose between values: `where`, `masked_fill` and
//! `clamp`, with PyTorch's broadcasting and promotion over three operands.
#pragma once

#include <xport/ops/elementwise_common.hpp>
#include <xport/ops/op_set.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace xport::ops {

//! @brief `aten::where.self`: `condition ? self : other`, elementwise, with the three
//! shapes broadcast together.
struct where : dispatch_on_result {
  static constexpr std::string_view name = "aten::where.self"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;               //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;            //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::all;         //!< supported dtypes
  using attributes = no_attributes;                            //!< none
  //! @brief Inputs `(condition, self, other)`: the broadcast of all three shapes, the
  //! promotion of `self` and `other`.
  //! @throws dtype_error when the condition is not bool; shape_error naming the shapes.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    expect_inputs(in, 3, "where");
    expect_same_device(in, "where");
    if (in[0].dtype != dtype::bool_) {
      throw dtype_error("where expected condition to be a boolean tensor, but got a tensor with "
                        "dtype "
                        + std::string(scalar_type_name(in[0].dtype))
                        + "; compare it (x != 0) or convert it with .to(bool)");
    }
    promotion_operand const operands[] = {promotion_operand_of(in[1]), promotion_operand_of(in[2])};
    return {tensor_meta{result_type(operands), in[1].device,
                        broadcast_sizes(broadcast_sizes(in[0].sizes, in[1].sizes), in[2].sizes)}};
  }
};

namespace detail {

// masked_fill's checks shared by its Scalar and Tensor overloads; returns the output.
inline tensor_meta masked_fill_meta(std::span<tensor_meta const> in, std::size_t inputs) {
  expect_inputs(in, inputs, "masked_fill");
  expect_same_device(in, "masked_fill");
  if (in[1].dtype != dtype::bool_) {
    throw dtype_error("masked_fill_ only supports boolean masks, but got mask with dtype "
                      + std::string(scalar_type_name(in[1].dtype))
                      + "; compare it (m != 0) or convert it with .to(bool)");
  }
  return {in[0].dtype, in[0].device, broadcast_sizes(in[0].sizes, in[1].sizes)};
}

} // namespace detail

//! @brief `aten::masked_fill.Scalar`: `self` with `value` where `mask` is true; the
//! result keeps `self`'s dtype and has the broadcast shape of `self` and `mask`.
struct masked_fill {
  static constexpr std::string_view name = "aten::masked_fill.Scalar"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                       //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;                    //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::all;                 //!< supported dtypes
  //! @brief The fill value (converted to `self`'s dtype, checked for overflow).
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (Scalar, value));
  };
  //! @brief Inputs `(self, mask)`.
  //! @throws dtype_error when the mask is not bool; shape_error naming the shapes.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    return {detail::masked_fill_meta(in, 2)};
  }
};

//! @brief `aten::masked_fill.Tensor`: `masked_fill` with a zero-dimensional value
//! tensor.
struct masked_fill_tensor {
  static constexpr std::string_view name = "aten::masked_fill.Tensor"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;                  //!< not in the core set
  static constexpr op_tag tags = op_tag::pointwise;                    //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::all;                 //!< supported dtypes
  using attributes = no_attributes;                                    //!< none
  //! @brief Inputs `(self, mask, value)`.
  //! @throws shape_error when `value` has dimensions.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    tensor_meta out = detail::masked_fill_meta(in, 3);
    if (in[2].dim() != 0) {
      throw shape_error("masked_fill_ only supports a 0-dimensional value tensor, but got tensor "
                        "with "
                        + std::to_string(in[2].dim()) + " dimension(s) (size "
                        + format_sym_sizes(in[2].sizes) + "); pass a Scalar or value.squeeze()");
    }
    return {out};
  }
};

//! @brief `aten::clamp`: `min(max(x, min), max)` with optional scalar bounds; the result
//! dtype promotes `self` with the bounds as wrapped numbers (`clamp(int, 0.5) ->
//! float32`); NaN propagates; `min > max` gives `max` everywhere.
struct clamp : dispatch_on_result {
  static constexpr std::string_view name = "aten::clamp";  //!< ATen name
  static constexpr op_kind kind = op_kind::core;           //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;        //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::numeric; //!< supported dtypes
  //! @brief The bounds; at least one is given.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::optional<Scalar>, min),
                             (std::optional<Scalar>, max));
  };
  //! @brief Same shape, promoted dtype.
  //! @throws value_error without bounds; dtype_error for a bool result.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    expect_inputs(in, 1, "clamp");
    if (!a.min && !a.max)
      throw value_error("torch.clamp: At least one of 'min' or 'max' must not be None");
    promotion_operand operands[3] = {promotion_operand_of(in[0])};
    std::size_t count = 1;
    for (auto const* bound : {&a.min, &a.max}) {
      if (*bound) operands[count++] = {(*bound)->type(), operand_kind::wrapped_number};
    }
    tensor_meta out = in[0];
    out.dtype = result_type(std::span<promotion_operand const>(operands, count));
    if (out.dtype == dtype::bool_) throw not_implemented_for("clamp_scalar_cpu", out.dtype);
    return {out};
  }
};

//! @brief `aten::clamp.Tensor`: `clamp` with optional tensor bounds, broadcast with
//! `self`.
struct clamp_tensor : dispatch_on_result {
  static constexpr std::string_view name = "aten::clamp.Tensor"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                 //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;              //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::numeric;       //!< supported dtypes
  static constexpr bool optional_inputs = true;                  //!< min or max may be absent
  using attributes = no_attributes;                              //!< none
  //! @brief Inputs `(self, min, max)`, an absent bound undefined: the broadcast shape and
  //! the promoted dtype of the given tensors.
  //! @throws value_error without bounds; shape_error naming the shapes.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    expect_inputs(in, 3, "clamp");
    if (!in[1].defined && !in[2].defined)
      throw value_error("torch.clamp: At least one of 'min' or 'max' must not be None");
    promotion_operand operands[3] = {promotion_operand_of(in[0])};
    std::size_t count = 1;
    tensor_meta out = in[0];
    for (std::size_t i = 1; i < 3; ++i) {
      if (!in[i].defined) continue;
      tensor_meta const pair[] = {in[0], in[i]};
      expect_same_device(pair, "clamp");
      operands[count++] = promotion_operand_of(in[i]);
      out.sizes = broadcast_sizes(out.sizes, in[i].sizes);
    }
    out.dtype = result_type(std::span<promotion_operand const>(operands, count));
    if (out.dtype == dtype::bool_) throw not_implemented_for("clamp_cpu", out.dtype);
    return {out};
  }
};

//! @brief The selecting and clamping ops.
using select_ops = op_set<where, masked_fill, masked_fill_tensor, clamp, clamp_tensor>;

} // namespace xport::ops
