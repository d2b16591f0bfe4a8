//! @file
//! Reduction op node types that compute statistics or work along one dim: var, std,
//! var_mean (with `correction`), logsumexp, cumsum, softmax and log_softmax (and their
//! core forms `_softmax`, `_log_softmax`).
#pragma once

#include <xport/core/scalar.hpp>
#include <xport/ops/op.hpp>
#include <xport/ops/reduction_common.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xport::ops {

namespace detail {
// var/std/var_mean share their attributes' meaning and their meta rule.
inline tensor_meta variance_meta(tensor_meta const& in,
                                 std::optional<std::vector<std::int64_t>> const& dim, bool keepdim,
                                 std::string_view op) {
  expect_floating_statistics(in, op);
  return reduction_meta(in, reduction_mask(in, dim), keepdim, in.dtype);
}
} // namespace detail

//! @brief `aten::var.correction`: `sum((x - mean)^2) / max(0, N - correction)` over
//! `dim` (None or empty: every dim); `correction` defaults to 1 (Bessel). A divisor of 0
//! gives inf (or NaN when every deviation is 0), as PyTorch.
struct var {
  static constexpr std::string_view name = "aten::var.correction"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                   //!< in the core set
  static constexpr op_tag tags = op_tag::reduction;                //!< reduction
  static constexpr dtype_set dtypes = dtype_sets::floating;        //!< supported dtypes
  //! @brief The dims to reduce, the correction (None: 1), whether to keep reduced dims.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::optional<std::vector<std::int64_t>>, dim),
                             (std::optional<Scalar>, correction), (bool, keepdim));
  };
  //! @brief `f32[s0, 4]`, dim=[0] -> `f32[4]`.
  //! @throws dtype_error for a non-floating input.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {detail::variance_meta(in[0], a.dim, a.keepdim, "var")};
  }
};

//! @brief `aten::std.correction`: the square root of `var` (same arguments).
struct std_dev {
  static constexpr std::string_view name = "aten::std.correction"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;              //!< sqrt(var)
  static constexpr op_tag tags = op_tag::reduction;                //!< reduction
  static constexpr dtype_set dtypes = dtype_sets::floating;        //!< supported dtypes
  //! @brief The dims to reduce, the correction (None: 1), whether to keep reduced dims.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::optional<std::vector<std::int64_t>>, dim),
                             (std::optional<Scalar>, correction), (bool, keepdim));
  };
  //! @brief `f32[s0, 4]`, dim=[0] -> `f32[4]`.
  //! @throws dtype_error for a non-floating input.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {detail::variance_meta(in[0], a.dim, a.keepdim, "std")};
  }
};

//! @brief `aten::var_mean.correction`: `var` and `mean` over the same dims, in one pass.
struct var_mean {
  static constexpr std::string_view name = "aten::var_mean.correction"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;                   //!< var and mean
  static constexpr op_tag tags = op_tag::reduction;                     //!< reduction
  static constexpr dtype_set dtypes = dtype_sets::floating;             //!< supported dtypes
  //! @brief The dims to reduce, the correction (None: 1), whether to keep reduced dims.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::optional<std::vector<std::int64_t>>, dim),
                             (std::optional<Scalar>, correction), (bool, keepdim));
  };
  //! @brief `f32[s0, 4]`, dim=[0] -> `(f32[4], f32[4])`.
  //! @throws dtype_error for a non-floating input.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta const out = detail::variance_meta(in[0], a.dim, a.keepdim, "var_mean");
    return {out, out};
  }
};

//! @brief `aten::logsumexp`: `log(sum(exp(x)))` over `dim` (empty: every dim), computed
//! stably (shifted by the maximum). All `-inf` (or no elements) gives `-inf`; any `inf`
//! gives `inf`. Integers and bool give float32.
struct logsumexp {
  static constexpr std::string_view name = "aten::logsumexp"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;         //!< amax, sub, exp, sum, log
  static constexpr op_tag tags = op_tag::reduction;           //!< reduction
  static constexpr dtype_set dtypes = dtype_sets::all;        //!< supported dtypes
  //! @brief The dims to reduce (empty: all) and whether to keep them as size 1.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::vector<std::int64_t>, dim), (bool, keepdim));
  };
  //! @brief `f16[s0, 4]`, dim=[1] -> `f16[s0]`; `i64[4]` -> `f32[]`.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    xport::dtype const out = is_floating_point(in[0].dtype) ? in[0].dtype : dtype::float32;
    return {reduction_meta(in[0], reduction_mask(in[0], std::span<std::int64_t const>(a.dim)),
                           a.keepdim, out)};
  }
};

//! @brief `aten::cumsum`: running sums along `dim`; integers and bool give int64 unless
//! `dtype` says otherwise (the input is converted to `dtype` first).
struct cumsum {
  static constexpr std::string_view name = "aten::cumsum"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;           //!< in the core set
  static constexpr op_tag tags = op_tag::none;             //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;     //!< supported dtypes
  //! @brief The dim to scan and the result dtype.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim), (std::optional<xport::dtype>, dtype));
  };
  //! @brief `i32[s0, 4]`, dim=0 -> `i64[s0, 4]`.
  //! @throws index_error for a dim out of range.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    wrap_dim(a.dim, in[0].dim());
    return {tensor_meta{integer_widened(in[0].dtype, a.dtype), in[0].device, in[0].sizes}};
  }
};

namespace detail {
// softmax/log_softmax: the input (converted to `dtype` when given) must be floating.
inline tensor_meta softmax_meta(tensor_meta const& in, std::int64_t dim,
                                std::optional<xport::dtype> type, std::string_view op) {
  wrap_dim(dim, in.dim());
  xport::dtype const out = type.value_or(in.dtype);
  if (!is_floating_point(out)) {
    throw dtype_error("\"" + std::string(op) + "\" not implemented for '"
                      + std::string(scalar_type_name(out))
                      + "'; pass dtype=torch.float32 or convert the input with .to()");
  }
  return {out, in.device, in.sizes};
}
// _softmax/_log_softmax: half_to_float turns a float16 input into a float32 result.
inline tensor_meta core_softmax_meta(tensor_meta const& in, std::int64_t dim, bool half_to_float,
                                     std::string_view op) {
  if (half_to_float && in.dtype != dtype::float16) {
    throw dtype_error(std::string(op) + ": conversion is supported for Half type only (got "
                      + std::string(scalar_type_name(in.dtype)) + ")");
  }
  tensor_meta out = softmax_meta(in, dim, std::nullopt, op);
  if (half_to_float) out.dtype = dtype::float32;
  return out;
}
} // namespace detail

//! @brief `aten::softmax.int`: `exp(x - max) / sum(exp(x - max))` along `dim`; the input
//! is converted to `dtype` first when given. Same shape as the input.
struct softmax : dispatch_on_dtype_attribute {
  static constexpr std::string_view name = "aten::softmax.int"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;           //!< lowered to _softmax
  static constexpr op_tag tags = op_tag::none;                  //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::floating;     //!< supported dtypes
  //! @brief The dim to normalize over and the result dtype.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim), (std::optional<xport::dtype>, dtype));
  };
  //! @brief `f32[s0, s1]` -> `f32[s0, s1]`.
  //! @throws dtype_error for a non-floating result, index_error for a bad dim.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {detail::softmax_meta(in[0], a.dim, a.dtype, "softmax")};
  }
};

//! @brief `aten::log_softmax.int`: `x - logsumexp(x)` along `dim`; the input is
//! converted to `dtype` first when given. Same shape as the input.
struct log_softmax : dispatch_on_dtype_attribute {
  static constexpr std::string_view name = "aten::log_softmax.int"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;               //!< lowered to _log_softmax
  static constexpr op_tag tags = op_tag::none;                      //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::floating;         //!< supported dtypes
  //! @brief The dim to normalize over and the result dtype.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim), (std::optional<xport::dtype>, dtype));
  };
  //! @brief `f32[s0, s1]` -> `f32[s0, s1]`.
  //! @throws dtype_error for a non-floating result, index_error for a bad dim.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {detail::softmax_meta(in[0], a.dim, a.dtype, "log_softmax")};
  }
};

//! @brief `aten::_softmax`: the core form of softmax; `half_to_float` gives a float32
//! result for a float16 input.
struct _softmax {
  static constexpr std::string_view name = "aten::_softmax"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;             //!< in the core set
  static constexpr op_tag tags = op_tag::none;               //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::floating;  //!< supported dtypes
  //! @brief The dim to normalize over and whether a float16 input gives float32.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim), (bool, half_to_float));
  };
  //! @brief `f16[s0, 4]`, half_to_float -> `f32[s0, 4]`.
  //! @throws dtype_error for a non-floating input, or `half_to_float` on a non-half input.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {detail::core_softmax_meta(in[0], a.dim, a.half_to_float, "_softmax")};
  }
};

//! @brief `aten::_log_softmax`: the core form of log_softmax; `half_to_float` gives a
//! float32 result for a float16 input.
struct _log_softmax {
  static constexpr std::string_view name = "aten::_log_softmax"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                 //!< in the core set
  static constexpr op_tag tags = op_tag::none;                   //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::floating;      //!< supported dtypes
  //! @brief The dim to normalize over and whether a float16 input gives float32.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim), (bool, half_to_float));
  };
  //! @brief `f16[s0, 4]`, half_to_float -> `f32[s0, 4]`.
  //! @throws dtype_error for a non-floating input, or `half_to_float` on a non-half input.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {detail::core_softmax_meta(in[0], a.dim, a.half_to_float, "_log_softmax")};
  }
};

} // namespace xport::ops
