//! @file
//! Reduction op node types: sum, mean, prod, amax, amin, max/min (full and with
//! indices), argmax, argmin, any, all — plus, from `reduction_stats.hpp`, var, std,
//! var_mean, logsumexp, cumsum and the softmax family — and the set `reduction_ops`.
//!
//! Dim lists follow PyTorch: negative dims count from the end, an empty list (or None)
//! reduces every dim, a repeated dim is refused; `keepdim` keeps reduced dims as size 1.
#pragma once

#include <xport/ops/op.hpp>
#include <xport/ops/op_set.hpp>
#include <xport/ops/reduction_common.hpp>
#include <xport/ops/reduction_stats.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xport::ops {

//! @brief `aten::sum.dim_IntList`: the sum over `dim` (None or empty: every dim).
//! Integers and bool sum to int64 unless `dtype` says otherwise; the input is converted
//! to `dtype` first. The sum of no elements is 0.
struct sum {
  static constexpr std::string_view name = "aten::sum.dim_IntList"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                    //!< in the core set
  static constexpr op_tag tags = op_tag::reduction;                 //!< reduction
  static constexpr dtype_set dtypes = dtype_sets::all;              //!< supported dtypes
  //! @brief The dims to reduce, whether to keep them as size 1, the result dtype.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::optional<std::vector<std::int64_t>>, dim),
                             (bool, keepdim), (std::optional<xport::dtype>, dtype));
  };
  //! @brief `f32[s0, 4]`, dim=[0] -> `f32[4]`; `i32[...]` -> `i64[...]`.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {reduction_meta(in[0], reduction_mask(in[0], a.dim), a.keepdim,
                           integer_widened(in[0].dtype, a.dtype))};
  }
};

//! @brief `aten::mean.dim`: the mean over `dim` (None or empty: every dim); floating
//! point only (integers are refused, as PyTorch). The mean of no elements is NaN.
struct mean : dispatch_on_dtype_attribute {
  static constexpr std::string_view name = "aten::mean.dim"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;             //!< in the core set
  static constexpr op_tag tags = op_tag::reduction;          //!< reduction
  static constexpr dtype_set dtypes = dtype_sets::floating;  //!< supported dtypes
  //! @brief The dims to reduce, whether to keep them as size 1, the result dtype.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::optional<std::vector<std::int64_t>>, dim),
                             (bool, keepdim), (std::optional<xport::dtype>, dtype));
  };
  //! @brief `f32[s0, 4]`, dim=[0] -> `f32[4]`.
  //! @throws dtype_error "mean(): could not infer output dtype. Input dtype must be either a
  //! floating point or complex dtype. Got: Long".
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    xport::dtype const out = a.dtype.value_or(in[0].dtype);
    if (!is_floating_point(out)) {
      throw dtype_error(std::string("mean(): could not infer output dtype. ")
                        + (a.dtype ? "Optional" : "Input")
                        + " dtype must be either a floating point or complex dtype. Got: "
                        + std::string(scalar_type_name(out))
                        + " (convert the input with .to(), or pass dtype=torch.float32)");
    }
    return {reduction_meta(in[0], reduction_mask(in[0], a.dim), a.keepdim, out)};
  }
};

//! @brief `aten::prod`: the product of every element, as a 0-dim tensor (1 for an empty
//! input); integers and bool give int64 unless `dtype` says otherwise.
struct prod {
  static constexpr std::string_view name = "aten::prod"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;         //!< in the core set
  static constexpr op_tag tags = op_tag::reduction;      //!< reduction
  static constexpr dtype_set dtypes = dtype_sets::all;   //!< supported dtypes
  //! @brief The result dtype.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::optional<xport::dtype>, dtype));
  };
  //! @brief `f32[s0, 4]` -> `f32[]`.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {tensor_meta{integer_widened(in[0].dtype, a.dtype), in[0].device, {}}};
  }
};

//! @brief `aten::prod.dim_int`: the product over one dim.
struct prod_dim {
  static constexpr std::string_view name = "aten::prod.dim_int"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                 //!< in the core set
  static constexpr op_tag tags = op_tag::reduction;              //!< reduction
  static constexpr dtype_set dtypes = dtype_sets::all;           //!< supported dtypes
  //! @brief The dim to reduce, whether to keep it as size 1, the result dtype.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim), (bool, keepdim),
                             (std::optional<xport::dtype>, dtype));
  };
  //! @brief `f32[s0, 4]`, dim=1 -> `f32[s0]`.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {reduction_meta(in[0], reduction_mask(in[0], a.dim), a.keepdim,
                           integer_widened(in[0].dtype, a.dtype))};
  }
};

namespace detail {
// The meta of amax/amin: same dtype, no zero-size reduced dim.
inline tensor_meta extremum_meta(tensor_meta const& in, std::vector<std::int64_t> const& dims,
                                 bool keepdim, std::string_view op) {
  dim_mask const mask = reduction_mask(in, std::span<std::int64_t const>(dims));
  expect_nonzero_reduction(in, mask, op);
  return reduction_meta(in, mask, keepdim, in.dtype);
}
// The meta of max.dim/min.dim: values (same dtype) and int64 indices.
inline meta_list extremum_dim_meta(tensor_meta const& in, std::int64_t dim, bool keepdim,
                                   std::string_view op) {
  dim_mask const mask = reduction_mask(in, dim);
  expect_nonzero_reduction(in, mask, op);
  tensor_meta values = reduction_meta(in, mask, keepdim, in.dtype);
  tensor_meta indices = values;
  indices.dtype = dtype::int64;
  return {values, indices};
}
} // namespace detail

//! @brief `aten::amax`: the largest value over `dim` (empty: every dim). NaN wins.
struct amax {
  static constexpr std::string_view name = "aten::amax"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;         //!< in the core set
  static constexpr op_tag tags = op_tag::reduction;      //!< reduction
  static constexpr dtype_set dtypes = dtype_sets::all;   //!< supported dtypes
  //! @brief The dims to reduce (empty: all) and whether to keep them as size 1.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::vector<std::int64_t>, dim), (bool, keepdim));
  };
  //! @brief `f32[s0, 4]`, dim=[1] -> `f32[s0]`.
  //! @throws index_error when a reduced dim has size 0.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {detail::extremum_meta(in[0], a.dim, a.keepdim, "amax")};
  }
};

//! @brief `aten::amin`: the smallest value over `dim` (empty: every dim). NaN wins.
struct amin {
  static constexpr std::string_view name = "aten::amin"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;         //!< in the core set
  static constexpr op_tag tags = op_tag::reduction;      //!< reduction
  static constexpr dtype_set dtypes = dtype_sets::all;   //!< supported dtypes
  //! @brief The dims to reduce (empty: all) and whether to keep them as size 1.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::vector<std::int64_t>, dim), (bool, keepdim));
  };
  //! @brief `f32[s0, 4]`, dim=[1] -> `f32[s0]`.
  //! @throws index_error when a reduced dim has size 0.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {detail::extremum_meta(in[0], a.dim, a.keepdim, "amin")};
  }
};

//! @brief `aten::max`: the largest element, as a 0-dim tensor. NaN wins.
struct max {
  static constexpr std::string_view name = "aten::max"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;   //!< lowered to amax
  static constexpr op_tag tags = op_tag::reduction;     //!< reduction
  static constexpr dtype_set dtypes = dtype_sets::all;  //!< supported dtypes
  using attributes = no_attributes;                     //!< none
  //! @brief `f32[s0, 4]` -> `f32[]`.
  //! @throws shape_error for an empty input.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    expect_nonempty_full_reduction(in[0], "max");
    return {tensor_meta{in[0].dtype, in[0].device, {}}};
  }
};

//! @brief `aten::min`: the smallest element, as a 0-dim tensor. NaN wins.
struct min {
  static constexpr std::string_view name = "aten::min"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;   //!< lowered to amin
  static constexpr op_tag tags = op_tag::reduction;     //!< reduction
  static constexpr dtype_set dtypes = dtype_sets::all;  //!< supported dtypes
  using attributes = no_attributes;                     //!< none
  //! @brief `f32[s0, 4]` -> `f32[]`.
  //! @throws shape_error for an empty input.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    expect_nonempty_full_reduction(in[0], "min");
    return {tensor_meta{in[0].dtype, in[0].device, {}}};
  }
};

//! @brief `aten::max.dim`: the largest values over `dim` and their (int64) indices; the
//! first index among ties, the first NaN if any.
struct max_dim {
  static constexpr std::string_view name = "aten::max.dim"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;            //!< in the core set
  static constexpr op_tag tags = op_tag::reduction;         //!< reduction
  static constexpr dtype_set dtypes = dtype_sets::all;      //!< supported dtypes
  //! @brief The dim to reduce and whether to keep it as size 1.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim), (bool, keepdim));
  };
  //! @brief `f32[s0, 4]`, dim=1 -> `(f32[s0], i64[s0])`.
  //! @throws index_error when the dim has size 0.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return detail::extremum_dim_meta(in[0], a.dim, a.keepdim, "max");
  }
};

//! @brief `aten::min.dim`: the smallest values over `dim` and their (int64) indices; the
//! first index among ties, the first NaN if any.
struct min_dim {
  static constexpr std::string_view name = "aten::min.dim"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;            //!< in the core set
  static constexpr op_tag tags = op_tag::reduction;         //!< reduction
  static constexpr dtype_set dtypes = dtype_sets::all;      //!< supported dtypes
  //! @brief The dim to reduce and whether to keep it as size 1.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim), (bool, keepdim));
  };
  //! @brief `f32[s0, 4]`, dim=1 -> `(f32[s0], i64[s0])`.
  //! @throws index_error when the dim has size 0.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return detail::extremum_dim_meta(in[0], a.dim, a.keepdim, "min");
  }
};

namespace detail {
// The meta of argmax/argmin: int64 indices; with no dim, into the flattened input (and
// `keepdim` then keeps every dim as size 1).
inline tensor_meta arg_extremum_meta(tensor_meta const& in, std::optional<std::int64_t> dim,
                                     bool keepdim, std::string_view op) {
  if (in.dtype == dtype::bool_) {
    throw dtype_error("\"" + std::string(op)
                      + "_cpu\" not implemented for 'Bool'; convert the "
                        "input with .to(torch.uint8)");
  }
  if (!dim) {
    expect_nonempty_full_reduction(in, op);
    return reduction_meta(in, dim_mask(in.sizes.size(), true), keepdim, dtype::int64);
  }
  dim_mask const mask = reduction_mask(in, *dim);
  expect_nonzero_reduction(in, mask, op);
  return reduction_meta(in, mask, keepdim, dtype::int64);
}
} // namespace detail

//! @brief `aten::argmax`: the index of the largest value over `dim`, or into the
//! flattened input when `dim` is None; the first among ties, the first NaN if any.
struct argmax {
  static constexpr std::string_view name = "aten::argmax"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;           //!< in the core set
  static constexpr op_tag tags = op_tag::reduction;        //!< reduction
  static constexpr dtype_set dtypes = dtype_sets::numeric; //!< supported dtypes
  //! @brief The dim (None: flattened) and whether to keep reduced dims as size 1.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::optional<std::int64_t>, dim), (bool, keepdim));
  };
  //! @brief `f32[s0, 4]`, dim=0 -> `i64[4]`; dim=None -> `i64[]`.
  //! @throws index_error / shape_error for an empty reduction, dtype_error for bool.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {detail::arg_extremum_meta(in[0], a.dim, a.keepdim, "argmax")};
  }
};

//! @brief `aten::argmin`: the index of the smallest value over `dim`, or into the
//! flattened input when `dim` is None; the first among ties, the first NaN if any.
struct argmin {
  static constexpr std::string_view name = "aten::argmin"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;           //!< in the core set
  static constexpr op_tag tags = op_tag::reduction;        //!< reduction
  static constexpr dtype_set dtypes = dtype_sets::numeric; //!< supported dtypes
  //! @brief The dim (None: flattened) and whether to keep reduced dims as size 1.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::optional<std::int64_t>, dim), (bool, keepdim));
  };
  //! @brief `f32[s0, 4]`, dim=0 -> `i64[4]`; dim=None -> `i64[]`.
  //! @throws index_error / shape_error for an empty reduction, dtype_error for bool.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {detail::arg_extremum_meta(in[0], a.dim, a.keepdim, "argmin")};
  }
};

//! @brief The dtype of `any`/`all`: bool, except uint8 for a uint8 input (as PyTorch).
constexpr dtype logical_reduction_dtype(dtype input) noexcept {
  return input == dtype::uint8 ? dtype::uint8 : dtype::bool_;
}

//! @brief `aten::any`: whether any element is nonzero (NaN counts), as a 0-dim tensor.
struct any {
  static constexpr std::string_view name = "aten::any"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;        //!< in the core set
  static constexpr op_tag tags = op_tag::reduction;     //!< reduction
  static constexpr dtype_set dtypes = dtype_sets::all;  //!< supported dtypes
  using attributes = no_attributes;                     //!< none
  //! @brief `f32[s0]` -> `b8[]`.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    return {tensor_meta{logical_reduction_dtype(in[0].dtype), in[0].device, {}}};
  }
};

//! @brief `aten::any.dims`: whether any element over `dim` (None or empty: every dim)
//! is nonzero; false over no elements.
struct any_dims {
  static constexpr std::string_view name = "aten::any.dims"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;             //!< in the core set
  static constexpr op_tag tags = op_tag::reduction;          //!< reduction
  static constexpr dtype_set dtypes = dtype_sets::all;       //!< supported dtypes
  //! @brief The dims to reduce and whether to keep them as size 1.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::optional<std::vector<std::int64_t>>, dim),
                             (bool, keepdim));
  };
  //! @brief `f32[s0, 4]`, dim=[1] -> `b8[s0]`.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {reduction_meta(in[0], reduction_mask(in[0], a.dim), a.keepdim,
                           logical_reduction_dtype(in[0].dtype))};
  }
};

//! @brief `aten::all`: whether every element is nonzero, as a 0-dim tensor.
struct all {
  static constexpr std::string_view name = "aten::all"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;   //!< lowered through any
  static constexpr op_tag tags = op_tag::reduction;     //!< reduction
  static constexpr dtype_set dtypes = dtype_sets::all;  //!< supported dtypes
  using attributes = no_attributes;                     //!< none
  //! @brief `f32[s0]` -> `b8[]`.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    return {tensor_meta{logical_reduction_dtype(in[0].dtype), in[0].device, {}}};
  }
};

//! @brief `aten::all.dims`: whether every element over `dim` (None or empty: every dim)
//! is nonzero; true over no elements.
struct all_dims {
  static constexpr std::string_view name = "aten::all.dims"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;        //!< lowered through any
  static constexpr op_tag tags = op_tag::reduction;          //!< reduction
  static constexpr dtype_set dtypes = dtype_sets::all;       //!< supported dtypes
  //! @brief The dims to reduce and whether to keep them as size 1.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::optional<std::vector<std::int64_t>>, dim),
                             (bool, keepdim));
  };
  //! @brief `f32[s0, 4]`, dim=[1] -> `b8[s0]`.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {reduction_meta(in[0], reduction_mask(in[0], a.dim), a.keepdim,
                           logical_reduction_dtype(in[0].dtype))};
  }
};

//! @brief Every reduction op.
using reduction_ops = op_set<sum, mean, prod, prod_dim, amax, amin, max, min, max_dim, min_dim,
                             argmax, argmin, any, any_dims, all, all_dims, var, std_dev, var_mean,
                             logsumexp, cumsum, softmax, log_softmax, _softmax, _log_softmax>;

} // namespace xport::ops
