//! @file
//! Unary elementwise op node types: math (`neg`, `abs`, `exp`, `log`, ... `round`,
//! `sign`, `isnan`), `logical_not`, `bitwise_not`, and the activations (`relu`,
//! `leaky_relu`, `hardtanh`, `gelu`, `silu`, `softplus`).
//!
//! Dtype rules follow PyTorch: float-valued math on integer or bool tensors computes in
//! float32 (`exp(int64) -> float32`); ops without a kernel for a dtype refuse it in
//! PyTorch's words (`"gelu" not implemented for 'Long'`).
#pragma once

#include <xport/ops/elementwise_common.hpp>
#include <xport/ops/op_set.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace xport::ops {

//! @brief Shared meta of float-valued math (`exp`, `sin`, `sqrt`, ...): same shape;
//! integer and bool inputs give float32.
template <class Op>
struct floating_unary {
  static constexpr op_tag tags = op_tag::pointwise;    //!< elementwise
  static constexpr dtype_set dtypes = dtype_sets::all; //!< integers and bool read as float32
  using attributes = no_attributes;                    //!< none
  //! @brief Same shape; the input's dtype if floating, float32 otherwise.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    expect_inputs(in, 1, short_op_name(Op::name));
    tensor_meta out = in[0];
    out.dtype = floating_result(out.dtype);
    return {out};
  }
};

//! @brief Shared declaration of dtype-preserving unary ops on `Dtypes` (`abs`, `floor`,
//! `relu` refuse bool; `sign` takes it).
template <class Op, dtype_set Dtypes>
struct same_dtype_unary {
  static constexpr op_tag tags = op_tag::pointwise; //!< elementwise
  static constexpr dtype_set dtypes = Dtypes;       //!< as declared
  using attributes = no_attributes;                 //!< none
  //! @brief Same shape and dtype as the input.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    expect_inputs(in, 1, short_op_name(Op::name));
    return {in[0]};
  }
};

//! @brief The meta of one-input ops that keep shape and dtype (activations: `gelu`,
//! `silu`, ...; their `dtypes` say which they take).
inline tensor_meta same_meta(std::span<tensor_meta const> in, std::string_view op) {
  expect_inputs(in, 1, op);
  return in[0];
}

//! @brief `aten::neg`: `-x`; integers wrap (`-(-128) == -128` in int8); bool refused.
struct neg {
  static constexpr std::string_view name = "aten::neg";    //!< ATen name
  static constexpr op_kind kind = op_kind::core;           //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;        //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::numeric; //!< supported dtypes
  using attributes = no_attributes;                        //!< none
  //! @brief Same shape and dtype.
  //! @throws dtype_error for bool, in PyTorch's words.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    expect_inputs(in, 1, "neg");
    if (in[0].dtype == dtype::bool_) {
      throw dtype_error("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                        "trying to invert a mask, use the `~` or `logical_not()` operator "
                        "instead.");
    }
    return {in[0]};
  }
};

// clang-format off
//! @brief `aten::abs`: `|x|`; integers wrap at their minimum; bool refused.
struct abs : same_dtype_unary<abs, dtype_sets::numeric> { static constexpr std::string_view name = "aten::abs"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::exp`: `e^x`.
struct exp : floating_unary<exp> { static constexpr std::string_view name = "aten::exp"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::log`: natural logarithm (`log(0) = -inf`, negative gives NaN).
struct log : floating_unary<log> { static constexpr std::string_view name = "aten::log"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::log1p`: `log(1 + x)`, accurate near 0.
struct log1p : floating_unary<log1p> { static constexpr std::string_view name = "aten::log1p"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::sqrt`: square root (negative gives NaN).
struct sqrt : floating_unary<sqrt> { static constexpr std::string_view name = "aten::sqrt"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::rsqrt`: `1 / sqrt(x)`.
struct rsqrt : floating_unary<rsqrt> { static constexpr std::string_view name = "aten::rsqrt"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::reciprocal`: `1 / x`.
struct reciprocal : floating_unary<reciprocal> { static constexpr std::string_view name = "aten::reciprocal"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::sin`: sine (radians).
struct sin : floating_unary<sin> { static constexpr std::string_view name = "aten::sin"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::cos`: cosine (radians).
struct cos : floating_unary<cos> { static constexpr std::string_view name = "aten::cos"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::tanh`: hyperbolic tangent.
struct tanh : floating_unary<tanh> { static constexpr std::string_view name = "aten::tanh"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::sigmoid`: `1 / (1 + e^-x)`.
struct sigmoid : floating_unary<sigmoid> { static constexpr std::string_view name = "aten::sigmoid"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::erf`: the error function.
struct erf : floating_unary<erf> { static constexpr std::string_view name = "aten::erf"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::floor`: round toward -inf; integers unchanged; bool refused.
struct floor : same_dtype_unary<floor, dtype_sets::numeric> { static constexpr std::string_view name = "aten::floor"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::ceil`: round toward +inf; integers unchanged; bool refused.
struct ceil : same_dtype_unary<ceil, dtype_sets::numeric> { static constexpr std::string_view name = "aten::ceil"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::round`: round half to even (`round(2.5) == 2`); integers unchanged.
struct round : same_dtype_unary<round, dtype_sets::numeric> { static constexpr std::string_view name = "aten::round"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::sign`: -1, 0 or 1 in the input's dtype (NaN gives 0, as PyTorch's CPU
//! kernel; bool is unchanged).
struct sign : same_dtype_unary<sign, dtype_sets::all> { static constexpr std::string_view name = "aten::sign"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::relu`: `max(x, 0)`; NaN stays NaN; bool refused.
struct relu : same_dtype_unary<relu, dtype_sets::numeric> { static constexpr std::string_view name = "aten::relu"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
// clang-format on

//! @brief `aten::round.decimals`: round half to even at `decimals` digits after the
//! point (negative: before it), as `nearbyint(x * 10^d) / 10^d`; floating dtypes only
//! (PyTorch has no integer kernel for it, `decimals == 0` included).
struct round_decimals {
  static constexpr std::string_view name = "aten::round.decimals"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;              //!< not in the core set
  static constexpr op_tag tags = op_tag::pointwise;                //!< elementwise
  static constexpr dtype_set dtypes = dtype_sets::floating;        //!< floating only
  //! @brief The number of decimal digits kept.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, decimals));
  };
  //! @brief Same shape and dtype.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    return {same_meta(in, "round")};
  }
};

//! @brief Shared meta of unary ops with a bool result (`isnan`, `logical_not`).
template <class Op>
struct bool_unary {
  static constexpr op_tag tags = op_tag::pointwise;    //!< elementwise
  static constexpr dtype_set dtypes = dtype_sets::all; //!< any
  using attributes = no_attributes;                    //!< none
  //! @brief Same shape, bool.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    expect_inputs(in, 1, short_op_name(Op::name));
    tensor_meta out = in[0];
    out.dtype = dtype::bool_;
    return {out};
  }
};

// clang-format off
//! @brief `aten::isnan`: true where the element is NaN (never for integers).
struct isnan : bool_unary<isnan> { static constexpr std::string_view name = "aten::isnan"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
//! @brief `aten::logical_not`: true where the element is zero (any dtype).
struct logical_not : bool_unary<logical_not> { static constexpr std::string_view name = "aten::logical_not"; /*!< ATen name */ static constexpr op_kind kind = op_kind::core; /*!< core */ };
// clang-format on

//! @brief `aten::bitwise_not`: `~x` for integers, logical not for bool.
struct bitwise_not {
  static constexpr std::string_view name = "aten::bitwise_not";      //!< ATen name
  static constexpr op_kind kind = op_kind::core;                     //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;                  //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::integral_and_bool; //!< supported dtypes
  using attributes = no_attributes;                                  //!< none
  //! @brief Same shape and dtype.
  //! @throws dtype_error for floating inputs.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    expect_inputs(in, 1, "bitwise_not");
    if (is_floating_point(in[0].dtype)) throw not_implemented_for("bitwise_not_cpu", in[0].dtype);
    return {in[0]};
  }
};

//! @brief `aten::leaky_relu`: `x` where positive, `negative_slope * x` elsewhere.
struct leaky_relu {
  static constexpr std::string_view name = "aten::leaky_relu"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;               //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;            //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::floating;    //!< supported dtypes
  //! @brief The slope for negative inputs (PyTorch's default is 0.01).
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (Scalar, negative_slope));
  };
  //! @brief Same shape and dtype; floating dtypes only.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    return {same_meta(in, "leaky_relu")};
  }
};

//! @brief `aten::hardtanh`: `x` clamped to `[min_val, max_val]`; integers allowed, bool
//! refused.
struct hardtanh {
  static constexpr std::string_view name = "aten::hardtanh"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;             //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;          //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::numeric;   //!< supported dtypes
  //! @brief The clamp bounds (PyTorch's defaults are -1 and 1).
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (Scalar, min_val), (Scalar, max_val));
  };
  //! @brief Same shape and dtype.
  //! @throws dtype_error for bool, in PyTorch's words.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    expect_inputs(in, 1, "hardtanh");
    if (in[0].dtype == dtype::bool_)
      throw dtype_error("Bool inputs not supported for hardtanh; convert the tensor with .to()");
    return {in[0]};
  }
};

//! @brief `aten::gelu`: `x * Φ(x)` with `approximate = 'none'` (exact, through erf) or
//! `'tanh'` (`0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`).
struct gelu {
  static constexpr std::string_view name = "aten::gelu";    //!< ATen name
  static constexpr op_kind kind = op_kind::core;            //!< in the core set
  static constexpr op_tag tags = op_tag::pointwise;         //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::floating; //!< supported dtypes
  //! @brief `'none'` or `'tanh'`.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::string, approximate));
  };
  //! @brief Same shape and dtype; floating dtypes only.
  //! @throws value_error for another `approximate`.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    if (a.approximate != "none" && a.approximate != "tanh") {
      throw value_error("approximate argument must be either none or tanh (got '" + a.approximate
                        + "')");
    }
    return {same_meta(in, "gelu")};
  }
};

//! @brief `aten::silu`: `x * sigmoid(x)`.
struct silu {
  static constexpr std::string_view name = "aten::silu";    //!< ATen name
  static constexpr op_kind kind = op_kind::composite;       //!< decomposed by PyTorch
  static constexpr op_tag tags = op_tag::pointwise;         //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::floating; //!< supported dtypes
  using attributes = no_attributes;                         //!< none
  //! @brief Same shape and dtype; floating dtypes only.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    return {same_meta(in, "silu")};
  }
};

//! @brief `aten::softplus`: `log(1 + e^(beta x)) / beta`, and `x` itself where
//! `beta x > threshold` (for stability).
struct softplus {
  static constexpr std::string_view name = "aten::softplus"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;        //!< decomposed by PyTorch
  static constexpr op_tag tags = op_tag::pointwise;          //!< pointwise
  static constexpr dtype_set dtypes = dtype_sets::floating;  //!< supported dtypes
  //! @brief PyTorch's defaults are `beta = 1`, `threshold = 20`.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (Scalar, beta), (Scalar, threshold));
  };
  //! @brief Same shape and dtype; floating dtypes only.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    return {same_meta(in, "softplus")};
  }
};

//! @brief The unary ops and activations.
using unary_ops =
    op_set<logical_not, bitwise_not, neg, abs, exp, log, log1p, sqrt, rsqrt, reciprocal, sin, cos,
           tanh, sigmoid, erf, floor, ceil, round, round_decimals, sign, isnan, relu, leaky_relu,
           hardtanh, gelu, silu, softplus>;

} // namespace xport::ops
