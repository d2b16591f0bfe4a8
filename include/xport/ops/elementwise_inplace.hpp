//! @file
//! In-place elementwise op node types used by models on buffers — `add_`, `mul_`,
//! `fill_`, `zero_`, `copy_` — and the functional ops they are recorded as (`fill`,
//! `zero`, `copy`). An in-place op writes into its first input and returns it; the
//! computed dtype must be castable to it and the broadcast shape must be its shape.
#pragma once

#include <xport/ops/elementwise_binary.hpp>
#include <xport/ops/elementwise_common.hpp>
#include <xport/ops/op_set.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace xport::ops {

//! @brief `aten::add_.Tensor`: `self += alpha * other`.
struct add_ {
  static constexpr std::string_view name = "aten::add_.Tensor"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;           //!< in-place: not core
  static constexpr op_tag tags = add::tags | op_tag::in_place;  //!< as `add`, in place
  static constexpr dtype_set dtypes = add::dtypes;              //!< as `add`
  using attributes = add::attributes;                           //!< as `add`
  using functional = add;                                       //!< recorded as `add`
  //! @brief `self`'s meta, after `add`'s checks and the in-place checks.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {inplace_meta(in[0], add::meta(in, a)[0], "add_")};
  }
};

//! @brief `aten::mul_.Tensor`: `self *= other`.
struct mul_ {
  static constexpr std::string_view name = "aten::mul_.Tensor"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;           //!< in-place: not core
  static constexpr op_tag tags = mul::tags | op_tag::in_place;  //!< as `mul`, in place
  static constexpr dtype_set dtypes = mul::dtypes;              //!< as `mul`
  using attributes = mul::attributes;                           //!< as `mul`
  using functional = mul;                                       //!< recorded as `mul`
  //! @brief `self`'s meta, after `mul`'s checks and the in-place checks.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {inplace_meta(in[0], mul::meta(in, a)[0], "mul_")};
  }
};

//! @brief `aten::fill.Scalar`: a tensor like `self` with every element `value`
//! (converted to `self`'s dtype, checked for overflow); the functional form of `fill_`.
struct fill {
  static constexpr std::string_view name = "aten::fill.Scalar"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;             //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::all;          //!< supported dtypes
  //! @brief The value.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (Scalar, value));
  };
  //! @brief `self`'s meta.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    expect_inputs(in, 1, "fill");
    return {in[0]};
  }
};

//! @brief `aten::fill.Tensor`: `fill` with a zero-dimensional value tensor.
struct fill_tensor {
  static constexpr std::string_view name = "aten::fill.Tensor"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;           //!< not in the core set
  static constexpr op_tag tags = op_tag::pointwise;             //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::all;          //!< supported dtypes
  using attributes = no_attributes;                             //!< none
  //! @brief Inputs `(self, value)`: `self`'s meta.
  //! @throws shape_error when `value` has dimensions.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    expect_inputs(in, 2, "fill_");
    expect_same_device(in, "fill_");
    if (in[1].dim() != 0) {
      throw shape_error("fill_ only supports 0-dimension value tensor but got tensor with "
                        + std::to_string(in[1].dim()) + " dimensions (size "
                        + format_sym_sizes(in[1].sizes) + "); pass a Scalar or a 0-dim tensor");
    }
    return {in[0]};
  }
};

//! @brief `aten::zero`: a tensor of zeros like `self`; the functional form of `zero_`.
struct zero {
  static constexpr std::string_view name = "aten::zero"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;    //!< lowered to fill
  static constexpr op_tag tags = op_tag::pointwise;      //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::all;   //!< supported dtypes
  using attributes = no_attributes;                      //!< none
  //! @brief `self`'s meta.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    expect_inputs(in, 1, "zero_");
    return {in[0]};
  }
};

//! @brief `aten::copy`: `src` broadcast to `self`'s shape and converted to its dtype, as
//! a new tensor; the functional form of `copy_`.
struct copy {
  static constexpr std::string_view name = "aten::copy"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;         //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;      //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::all;   //!< supported dtypes
  //! @brief `non_blocking` is recorded for fidelity; CPU copies are synchronous.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (bool, non_blocking));
  };
  //! @brief Inputs `(self, src)`: `self`'s meta.
  //! @throws shape_error when `src` does not broadcast to `self`'s shape.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    expect_inputs(in, 2, "copy_");
    tensor_meta broadcast = in[0];
    broadcast.sizes = broadcast_sizes(in[0].sizes, in[1].sizes);
    return {inplace_meta(in[0], broadcast, "copy_")};
  }
};

//! @brief `aten::fill_.Scalar`: every element of `self` set to `value`.
struct fill_ {
  static constexpr std::string_view name = "aten::fill_.Scalar"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;            //!< in-place: not core
  static constexpr op_tag tags = fill::tags | op_tag::in_place;  //!< as `fill`, in place
  static constexpr dtype_set dtypes = fill::dtypes;              //!< as `fill`
  using attributes = fill::attributes;                           //!< as `fill`
  using functional = fill;                                       //!< recorded as `fill`
  //! @brief `self`'s meta.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return fill::meta(in, a);
  }
};

//! @brief `aten::fill_.Tensor`: `fill_` with a zero-dimensional value tensor.
struct fill_tensor_ {
  static constexpr std::string_view name = "aten::fill_.Tensor"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;            //!< in-place: not core
  static constexpr op_tag tags =
      fill_tensor::tags | op_tag::in_place;                //!< as `fill_tensor`, in place
  static constexpr dtype_set dtypes = fill_tensor::dtypes; //!< as `fill_tensor`
  using attributes = no_attributes;                        //!< none
  using functional = fill_tensor;                          //!< recorded as `fill.Tensor`
  //! @brief Inputs `(self, value)`: `self`'s meta.
  //! @throws shape_error when `value` has dimensions.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return fill_tensor::meta(in, a);
  }
};

//! @brief `aten::zero_`: every element of `self` set to zero.
struct zero_ {
  static constexpr std::string_view name = "aten::zero_";       //!< ATen name
  static constexpr op_kind kind = op_kind::composite;           //!< in-place: not core
  static constexpr op_tag tags = zero::tags | op_tag::in_place; //!< as `zero`, in place
  static constexpr dtype_set dtypes = zero::dtypes;             //!< as `zero`
  using attributes = no_attributes;                             //!< none
  using functional = zero;                                      //!< recorded as `zero`
  //! @brief `self`'s meta.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return zero::meta(in, a);
  }
};

//! @brief `aten::copy_`: `src`'s values, broadcast to `self`'s shape and converted to
//! its dtype, written into `self` (any dtype conversion is allowed, as in PyTorch).
struct copy_ {
  static constexpr std::string_view name = "aten::copy_";       //!< ATen name
  static constexpr op_kind kind = op_kind::composite;           //!< in-place: not core
  static constexpr op_tag tags = copy::tags | op_tag::in_place; //!< as `copy`, in place
  static constexpr dtype_set dtypes = copy::dtypes;             //!< as `copy`
  using attributes = copy::attributes;                          //!< as `copy`
  using functional = copy;                                      //!< recorded as `copy`
  //! @brief Inputs `(self, src)`: `self`'s meta.
  //! @throws shape_error when `src` does not broadcast to `self`'s shape.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return copy::meta(in, a);
  }
};

//! @brief The in-place ops and their functional counterparts.
using inplace_ops =
    op_set<add_, mul_, fill_, fill_tensor_, zero_, copy_, fill, fill_tensor, zero, copy>;

} // namespace xport::ops
