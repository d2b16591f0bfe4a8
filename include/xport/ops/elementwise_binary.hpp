//! @file
//! Binary elementwise op node types: arithmetic (`add`, `sub`, `mul`, `div`, `pow`,
//! `remainder`, `maximum`, `minimum`), comparisons, logical and bitwise ops. All
//! broadcast and promote like PyTorch; a scalar operand is an attribute, never a tensor.
//!
//! One node type per ATen overload, so that a traced program records what torch.export
//! records: `x - 2` is `aten::sub.Tensor` with a scalar `other` (PyTorch hides the
//! `.Scalar` overloads of add/sub/mul/div from Python), `2 - x` is `aten::rsub.Scalar`,
//! `x < 2` is `aten::lt.Scalar`, `x ** 2` is `aten::pow.Tensor_Scalar`.
#pragma once

#include <xport/ops/elementwise_common.hpp>
#include <xport/ops/op_set.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace xport::ops {

namespace detail {

// PyTorch's sub_check: bool operands are refused, with the operator the user meant.
inline void check_subtraction(dtype self, dtype other) {
  if (self == dtype::bool_ && other == dtype::bool_) {
    throw dtype_error("Subtraction, the `-` operator, with two bool tensors is not supported. "
                      "Use the `^` or `logical_xor()` operator instead.");
  }
  if (self == dtype::bool_ || other == dtype::bool_) {
    throw dtype_error("Subtraction, the `-` operator, with a bool tensor is not supported. If you "
                      "are trying to invert a mask, use the `~` or `logical_not()` operator "
                      "instead.");
  }
}

inline dtype operand_dtype(std::span<tensor_meta const> in, std::optional<Scalar> const& other) {
  return other ? other->type() : in[1].dtype;
}

} // namespace detail

//! @brief `aten::add.Tensor`: `self + alpha * other`, broadcasting, with type promotion.
struct add : promoted_operands {
  static constexpr std::string_view name = "aten::add.Tensor"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;               //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;            //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::all;         //!< supported dtypes
  //! @brief `other` holds a scalar second operand; `alpha` scales it.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::optional<Scalar>, other), (Scalar, alpha));
  };
  //! @brief Broadcast shape, promoted dtype; `alpha` must fit the result dtype's category.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta out = binary_meta(in, a.other, "add");
    check_alpha(a.alpha, out.dtype);
    return {out};
  }
};

//! @brief `aten::sub.Tensor`: `self - alpha * other`; bool operands are refused.
struct sub : promoted_operands {
  static constexpr std::string_view name = "aten::sub.Tensor"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;               //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;            //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::numeric;     //!< supported dtypes
  //! @brief `other` holds a scalar second operand; `alpha` scales it.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::optional<Scalar>, other), (Scalar, alpha));
  };
  //! @brief Broadcast shape, promoted dtype.
  //! @throws dtype_error for bool operands, or an alpha of the wrong category.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta out = binary_meta(in, a.other, "sub");
    detail::check_subtraction(in[0].dtype, detail::operand_dtype(in, a.other));
    check_alpha(a.alpha, out.dtype);
    return {out};
  }
};

//! @brief `aten::rsub.Scalar`: `other - alpha * self` for a scalar `other` (what
//! PyTorch records for `2 - x`).
struct rsub : promoted_operands {
  static constexpr std::string_view name = "aten::rsub.Scalar"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;           //!< lowered to sub
  static constexpr op_tag tags = op_tag::pointwise;             //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::numeric;      //!< supported dtypes
  //! @brief The scalar minuend `other`, and `alpha` scaling `self`.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (Scalar, other), (Scalar, alpha));
  };
  //! @brief Shape of `self`, promoted dtype; bool refused as for `sub`.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta out = binary_meta(in, a.other, "rsub");
    detail::check_subtraction(in[0].dtype, a.other.type());
    check_alpha(a.alpha, out.dtype);
    return {out};
  }
};

//! @brief `aten::mul.Tensor`: `self * other` (logical and for two bools).
struct mul : promoted_operands {
  static constexpr std::string_view name = "aten::mul.Tensor"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;               //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;            //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::all;         //!< supported dtypes
  //! @brief `other` holds a scalar second operand.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::optional<Scalar>, other));
  };
  //! @brief Broadcast shape, promoted dtype.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {binary_meta(in, a.other, "mul")};
  }
};

//! @brief `aten::div.Tensor`: true division; integer and bool operands give float32.
struct div : promoted_operands {
  static constexpr std::string_view name = "aten::div.Tensor"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;               //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;            //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::all;         //!< supported dtypes
  //! @brief `other` holds a scalar divisor.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::optional<Scalar>, other));
  };
  //! @brief Broadcast shape; the promoted dtype, made floating.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta out = binary_meta(in, a.other, "div");
    out.dtype = floating_result(out.dtype);
    return {out};
  }
};

//! @brief `aten::div.Tensor_mode`: division rounded by `rounding_mode` — `'trunc'`
//! (toward zero, C's `/`), `'floor'` (toward -inf, Python's `//`), or None (true
//! division). The result keeps the promoted dtype when rounding, so `7 // -2 == -4` in
//! int64; integer division by zero is an error.
struct div_mode : promoted_operands {
  static constexpr std::string_view name = "aten::div.Tensor_mode"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                    //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;                 //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::all;              //!< supported dtypes
  //! @brief `other` holds a scalar divisor; `rounding_mode` is `'trunc'`, `'floor'` or
  //! None.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::optional<Scalar>, other),
                             (std::optional<std::string>, rounding_mode));
  };
  //! @brief Broadcast shape; the promoted dtype (made floating without a rounding mode).
  //! @throws value_error for an unknown rounding mode; dtype_error for bool with one.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta out = binary_meta(in, a.other, "div");
    if (!a.rounding_mode) {
      out.dtype = floating_result(out.dtype);
    } else if (*a.rounding_mode == "trunc" || *a.rounding_mode == "floor") {
      if (out.dtype == dtype::bool_)
        throw not_implemented_for("div_" + *a.rounding_mode + "_cpu", out.dtype);
    } else {
      throw value_error("div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                        "found '"
                        + *a.rounding_mode + "'");
    }
    return {out};
  }
};

//! @brief `aten::pow.Tensor_Tensor`: `self ** exponent`, elementwise. Integer powers
//! wrap; a negative integer exponent gives `1`, `±1` or `0` as in PyTorch.
struct pow_tensor : promoted_operands {
  static constexpr std::string_view name = "aten::pow.Tensor_Tensor"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                      //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;                   //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::numeric;            //!< supported dtypes
  using attributes = no_attributes;                                   //!< none
  //! @brief Broadcast shape, promoted dtype (bool refused by `dtypes`).
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    return {binary_meta(in, {}, "pow")};
  }
};

//! @brief `aten::pow.Tensor_Scalar`: `self ** exponent` for a scalar exponent.
struct pow_tensor_scalar : promoted_operands {
  static constexpr std::string_view name = "aten::pow.Tensor_Scalar"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                      //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;                   //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::numeric;            //!< supported dtypes
  //! @brief The scalar exponent.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (Scalar, exponent));
  };
  //! @brief Shape of `self`, promoted dtype.
  //! @throws value_error for an integer tensor to a negative integer power, as PyTorch.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta out = binary_meta(in, a.exponent, "pow");
    // An exponent read from data is asserted non-negative at run time.
    if (is_integral(in[0].dtype, true) && !a.exponent.is_floating_point()
        && !expect_true(a.exponent.sym_int() >= 0,
                        "Integers to negative integer powers are not allowed")) {
      throw value_error("Integers to negative integer powers are not allowed. (pow of a "
                        + std::string(xport::name(in[0].dtype)) + " tensor to " + a.exponent.str()
                        + "); convert the tensor to a floating dtype first");
    }
    return {out};
  }
};

//! @brief `aten::pow.Scalar`: `self ** exponent` for a scalar base and a tensor
//! exponent (what PyTorch records for `2 ** x`).
struct pow_scalar : promoted_operands {
  static constexpr std::string_view name = "aten::pow.Scalar"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;               //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;            //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::numeric;     //!< supported dtypes
  //! @brief The scalar base.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (Scalar, self));
  };
  //! @brief Shape of the exponent, promoted dtype.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {binary_meta(in, a.self, "pow")};
  }
};

//! @brief `aten::remainder.Tensor`: Python's `%` — the result has the divisor's sign;
//! integer remainder by zero is an error.
struct remainder : promoted_operands {
  static constexpr std::string_view name = "aten::remainder.Tensor"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                     //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;                  //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::numeric;           //!< supported dtypes
  using attributes = no_attributes;                                  //!< none
  //! @brief Broadcast shape, promoted dtype (bool refused by `dtypes`).
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    return {binary_meta(in, {}, "remainder")};
  }
};

//! @brief `aten::remainder.Scalar`: `self % other` for a scalar divisor.
struct remainder_scalar : promoted_operands {
  static constexpr std::string_view name = "aten::remainder.Scalar"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                     //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;                  //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::numeric;           //!< supported dtypes
  //! @brief The scalar divisor.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (Scalar, other));
  };
  //! @brief Shape of `self`, promoted dtype (bool refused by `dtypes`).
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {binary_meta(in, a.other, "remainder")};
  }
};

//! @brief `aten::remainder.Scalar_Tensor`: `self % other` for a scalar dividend and a
//! tensor divisor.
struct remainder_scalar_tensor : promoted_operands {
  static constexpr std::string_view name = "aten::remainder.Scalar_Tensor"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;      //!< lowered to remainder.Tensor
  static constexpr op_tag tags = op_tag::pointwise;        //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::numeric; //!< supported dtypes
  //! @brief The scalar dividend.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (Scalar, self));
  };
  //! @brief Shape of the divisor, promoted dtype (bool refused by `dtypes`).
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {binary_meta(in, a.self, "remainder")};
  }
};

//! @brief Shared meta of tensor-tensor ops with a promoted result (`maximum`, ...):
//! `Op::name` gives the op's name in messages.
template <class Op>
struct promoting_binary : promoted_operands {
  using attributes = no_attributes; //!< none
  //! @brief Broadcast shape, promoted dtype.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    return {binary_meta(in, {}, short_op_name(Op::name))};
  }
};

//! @brief `aten::maximum`: elementwise max; NaN in either operand gives NaN.
struct maximum : promoting_binary<maximum> {
  static constexpr std::string_view name = "aten::maximum"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;            //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;         //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::all;      //!< supported dtypes
};

//! @brief `aten::minimum`: elementwise min; NaN in either operand gives NaN.
struct minimum : promoting_binary<minimum> {
  static constexpr std::string_view name = "aten::minimum"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;            //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;         //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::all;      //!< supported dtypes
};

//! @brief Shared meta of ops with a bool result on two tensors (comparisons, logical
//! ops): the operands are compared in their promoted dtype.
template <class Op>
struct bool_binary : promoted_operands {
  static constexpr op_tag tags = op_tag::pointwise;    //!< elementwise
  static constexpr dtype_set dtypes = dtype_sets::all; //!< any
  using attributes = no_attributes;                    //!< none
  //! @brief Broadcast shape, bool.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    return {binary_meta(in, {}, short_op_name(Op::name), dtype::bool_)};
  }
};

//! @brief Shared meta of comparisons with a scalar: `x < 2`.
template <class Op>
struct bool_binary_scalar : promoted_operands {
  static constexpr op_tag tags = op_tag::pointwise;    //!< elementwise
  static constexpr dtype_set dtypes = dtype_sets::all; //!< any
  //! @brief The scalar operand.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (Scalar, other));
  };
  //! @brief Shape of `self`, bool.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {binary_meta(in, a.other, short_op_name(Op::name), dtype::bool_)};
  }
};

// clang-format off
//! @brief `aten::eq.Tensor`: `self == other`, elementwise, as bool.
struct eq : bool_binary<eq> { static constexpr std::string_view name = "aten::eq.Tensor"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::ne.Tensor`: `self != other`, elementwise, as bool (NaN != NaN).
struct ne : bool_binary<ne> { static constexpr std::string_view name = "aten::ne.Tensor"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::lt.Tensor`: `self < other`, elementwise, as bool.
struct lt : bool_binary<lt> { static constexpr std::string_view name = "aten::lt.Tensor"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::le.Tensor`: `self <= other`, elementwise, as bool.
struct le : bool_binary<le> { static constexpr std::string_view name = "aten::le.Tensor"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::gt.Tensor`: `self > other`, elementwise, as bool.
struct gt : bool_binary<gt> { static constexpr std::string_view name = "aten::gt.Tensor"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::ge.Tensor`: `self >= other`, elementwise, as bool.
struct ge : bool_binary<ge> { static constexpr std::string_view name = "aten::ge.Tensor"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::eq.Scalar`: `self == other` for a scalar `other`.
struct eq_scalar : bool_binary_scalar<eq_scalar> { static constexpr std::string_view name = "aten::eq.Scalar"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::ne.Scalar`: `self != other` for a scalar `other`.
struct ne_scalar : bool_binary_scalar<ne_scalar> { static constexpr std::string_view name = "aten::ne.Scalar"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::lt.Scalar`: `self < other` for a scalar `other`.
struct lt_scalar : bool_binary_scalar<lt_scalar> { static constexpr std::string_view name = "aten::lt.Scalar"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::le.Scalar`: `self <= other` for a scalar `other`.
struct le_scalar : bool_binary_scalar<le_scalar> { static constexpr std::string_view name = "aten::le.Scalar"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::gt.Scalar`: `self > other` for a scalar `other`.
struct gt_scalar : bool_binary_scalar<gt_scalar> { static constexpr std::string_view name = "aten::gt.Scalar"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::ge.Scalar`: `self >= other` for a scalar `other`.
struct ge_scalar : bool_binary_scalar<ge_scalar> { static constexpr std::string_view name = "aten::ge.Scalar"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::logical_and`: both nonzero, as bool (any input dtypes).
struct logical_and : bool_binary<logical_and> { static constexpr std::string_view name = "aten::logical_and"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::logical_or`: either nonzero, as bool (any input dtypes).
struct logical_or : bool_binary<logical_or> { static constexpr std::string_view name = "aten::logical_or"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::logical_xor`: exactly one nonzero, as bool (any input dtypes).
struct logical_xor : bool_binary<logical_xor> { static constexpr std::string_view name = "aten::logical_xor"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
// clang-format on

//! @brief Shared meta of bitwise ops: integer or bool operands, promoted dtype.
template <class Op>
struct bitwise_binary : promoted_operands {
  static constexpr op_tag tags = op_tag::pointwise;                  //!< elementwise
  static constexpr dtype_set dtypes = dtype_sets::integral_and_bool; //!< integers and bool
  using attributes = no_attributes;                                  //!< none
  //! @brief Broadcast shape, promoted dtype.
  //! @throws dtype_error when the promoted dtype is floating.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    tensor_meta out = binary_meta(in, {}, short_op_name(Op::name));
    if (is_floating_point(out.dtype))
      throw not_implemented_for(std::string(short_op_name(Op::name)) + "_cpu", out.dtype);
    return {out};
  }
};

// clang-format off
//! @brief `aten::bitwise_and.Tensor`: `self & other` (logical and for bool).
struct bitwise_and : bitwise_binary<bitwise_and> { static constexpr std::string_view name = "aten::bitwise_and.Tensor"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::bitwise_or.Tensor`: `self | other` (logical or for bool).
struct bitwise_or : bitwise_binary<bitwise_or> { static constexpr std::string_view name = "aten::bitwise_or.Tensor"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::bitwise_xor.Tensor`: `self ^ other` (logical xor for bool).
struct bitwise_xor : bitwise_binary<bitwise_xor> { static constexpr std::string_view name = "aten::bitwise_xor.Tensor"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
// clang-format on

//! @brief The binary arithmetic ops.
using arithmetic_ops =
    op_set<add, sub, rsub, mul, div, div_mode, pow_tensor, pow_tensor_scalar, pow_scalar, remainder,
           remainder_scalar, remainder_scalar_tensor, maximum, minimum>;

//! @brief The comparisons, and the binary logical and bitwise ops.
using comparison_ops =
    op_set<eq, ne, lt, le, gt, ge, eq_scalar, ne_scalar, lt_scalar, le_scalar, gt_scalar, ge_scalar,
           logical_and, logical_or, logical_xor, bitwise_and, bitwise_or, bitwise_xor>;

} // namespace xport::ops
