//! @file
//! Shape op node types that view their input: view/reshape, flatten/unflatten,
//! squeeze/unsqueeze, permute/transpose/t, expand, contiguous, slice, select and narrow,
//! with meta rules over symbolic sizes.
//!
//! Each meta rule computes what PyTorch's shape function computes and refuses what it
//! refuses, with its words. Comparisons of symbolic sizes decide through the shape
//! environment: without a record when ranges decide them, otherwise by a guard on the
//! example values (as PyTorch's meta functions do when they branch on a `SymInt`).
//! Joins, splits and the copying shape ops are in `shape_join.hpp`.
#pragma once

#include <xport/ops/op.hpp>
#include <xport/ops/op_set.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xport::ops {

namespace detail {

inline std::string format_ints(std::vector<std::int64_t> const& values) {
  return xport::detail::format_list(values);
}

// Decides a symbolic comparison the way shape functions branch on it.
inline bool holds(SymBool const& b) {
  return static_cast<bool>(b);
}

// The size of `shape` with a single -1 resolved against `numel` (shape::infer_size).
template <class Invalid>
sym_sizes infer_sym_size(sym_list shape, SymInt const& numel, Invalid&& invalid) {
  return xport::shape::infer_size<SymInt>(std::span<SymInt const>(shape.begin(), shape.size()),
                                          numel, std::forward<Invalid>(invalid));
}

// A new `sizes` with dimension `d` removed.
inline sym_sizes erase_dim(sym_sizes sizes, std::int64_t d) {
  sizes.erase(sizes.begin() + static_cast<std::ptrdiff_t>(d));
  return sizes;
}

inline tensor_meta with_sizes(tensor_meta const& in, sym_sizes sizes) {
  return {in.dtype, in.device, std::move(sizes)};
}

} // namespace detail

//! @brief `aten::view`: the same elements with new sizes; one size may be -1, inferred
//! from the element count (`[s0, 4]` viewed as `[-1]` is `[4*s0]`).
//!
//! The meta rule checks the element count; whether the input's strides allow a view is
//! a layout question the kernel answers ("view size is not compatible with input
//! tensor's size and stride ... Use .reshape(...) instead.").
struct view {
  static constexpr std::string_view name = "aten::view"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;         //!< in the core set
  static constexpr op_tag tags = op_tag::view;           //!< may alias its input
  static constexpr dtype_set dtypes = dtype_sets::all;   //!< supported dtypes
  //! @brief The target sizes (may be symbolic; one may be -1).
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::vector<SymInt>, size));
  };
  //! @brief The inferred sizes.
  //! @throws shape_error "shape '[3, 5]' is invalid for input of size 12".
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    SymInt const numel = in[0].numel();
    return {detail::with_sizes(in[0], detail::infer_sym_size(a.size, numel, [&] {
                                 return shape_error("shape '" + format_sym_sizes(a.size)
                                                    + "' is invalid for input of size "
                                                    + numel.str());
                               }))};
  }
};

//! @brief `aten::reshape`: `view` when the input's strides allow it, otherwise a
//! contiguous copy viewed.
//!
//! Recorded as `aten::reshape` (as torch.export's training IR records it), not as
//! `aten::view`: a traced value carries no strides, so whether a view exists is a
//! run-time question; decomposition lowers it to `view` (after `clone` where needed).
struct reshape {
  static constexpr std::string_view name = "aten::reshape"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;       //!< decomposes to view
  static constexpr op_tag tags = op_tag::view;              //!< may alias its input
  static constexpr dtype_set dtypes = dtype_sets::all;      //!< supported dtypes
  using attributes = view::attributes;                      //!< target sizes
  //! @brief The inferred sizes, as for `view`.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return view::meta(in, a);
  }
};

//! @brief `aten::flatten.using_ints`: merges dimensions `start_dim..end_dim` into one
//! (`[s0, 3, 4]` with 1, 2 is `[s0, 12]`; a scalar becomes `[1]`).
struct flatten {
  static constexpr std::string_view name = "aten::flatten.using_ints"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;                  //!< decomposes to view
  static constexpr op_tag tags = op_tag::view;                         //!< may alias its input
  static constexpr dtype_set dtypes = dtype_sets::all;                 //!< supported dtypes
  //! @brief The first and last merged dimensions (negative counts from the end).
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, start_dim), (std::int64_t, end_dim));
  };
  //! @brief The merged sizes.
  //! @throws index_error for out-of-range dims or `start_dim > end_dim`.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta const& x = in[0];
    std::int64_t const first = wrap_dim(a.start_dim, x.dim());
    std::int64_t const last = wrap_dim(a.end_dim, x.dim());
    if (first > last)
      throw index_error("flatten() has invalid args: start_dim cannot come after end_dim");
    if (x.dim() == 0) return {detail::with_sizes(x, {1})};
    sym_sizes sizes(x.sizes.begin(), x.sizes.begin() + first);
    SymInt merged = 1;
    for (std::int64_t d = first; d <= last; ++d)
      merged = merged * x.sizes[static_cast<std::size_t>(d)];
    sizes.push_back(merged);
    sizes.insert(sizes.end(), x.sizes.begin() + last + 1, x.sizes.end());
    return {detail::with_sizes(x, std::move(sizes))};
  }
};

//! @brief `aten::unflatten.int`: splits dimension `dim` into `sizes` (one may be -1):
//! `[s0, 12]` with 1, `[3, -1]` is `[s0, 3, 4]`.
struct unflatten {
  static constexpr std::string_view name = "aten::unflatten.int"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;             //!< decomposes to view
  static constexpr op_tag tags = op_tag::view;                    //!< may alias its input
  static constexpr dtype_set dtypes = dtype_sets::all;            //!< supported dtypes
  //! @brief The dimension and the sizes that replace it.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim), (std::vector<SymInt>, sizes));
  };
  //! @brief The split sizes.
  //! @throws shape_error when the sizes are empty or do not multiply up to the dimension.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta const& x = in[0];
    std::int64_t const d = wrap_dim(a.dim, x.dim());
    if (a.sizes.empty()) throw shape_error("unflatten: sizes must be non-empty");
    if (x.dim() == 0) throw shape_error("unflatten: cannot unflatten a 0-dim tensor");
    SymInt const size = x.sizes[static_cast<std::size_t>(d)];
    sym_sizes const inner = detail::infer_sym_size(a.sizes, size, [&] {
      return shape_error("unflatten: Provided sizes " + format_sym_sizes(a.sizes)
                         + " don't multiply up to the size of dim " + std::to_string(d) + " ("
                         + size.str() + ") in the input tensor");
    });
    sym_sizes sizes(x.sizes.begin(), x.sizes.begin() + d);
    sizes.insert(sizes.end(), inner.begin(), inner.end());
    sizes.insert(sizes.end(), x.sizes.begin() + d + 1, x.sizes.end());
    return {detail::with_sizes(x, std::move(sizes))};
  }
};

//! @brief `aten::squeeze`: removes every dimension of size 1 (a symbolic size counts as
//! 1 only if the shape environment says so).
struct squeeze {
  static constexpr std::string_view name = "aten::squeeze"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;       //!< decomposes to squeeze.dims
  static constexpr op_tag tags = op_tag::view;              //!< may alias its input
  static constexpr dtype_set dtypes = dtype_sets::all;      //!< supported dtypes
  using attributes = no_attributes;                         //!< none
  //! @brief The sizes without the ones.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    sym_sizes sizes;
    for (SymInt const& s : in[0].sizes) {
      if (!detail::holds(s == 1)) sizes.push_back(s);
    }
    return {detail::with_sizes(in[0], std::move(sizes))};
  }
};

//! @brief `aten::squeeze.dims`: removes the listed dimensions that have size 1 (the
//! others stay); `squeeze.dim` is the one-element case.
struct squeeze_dims {
  static constexpr std::string_view name = "aten::squeeze.dims"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                 //!< in the core set
  static constexpr op_tag tags = op_tag::view;                   //!< may alias its input
  static constexpr dtype_set dtypes = dtype_sets::all;           //!< supported dtypes
  //! @brief The candidate dimensions (negative counts from the end).
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::vector<std::int64_t>, dim));
  };
  //! @brief The sizes without the listed ones.
  //! @throws index_error for an out-of-range or repeated dim.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta const& x = in[0];
    std::vector<bool> drop(x.sizes.size(), false);
    std::vector<bool> seen(x.sizes.size() + 1, false);
    for (std::int64_t dim : a.dim) {
      auto const d = static_cast<std::size_t>(wrap_dim(dim, x.dim()));
      if (seen[d])
        throw index_error("dim " + std::to_string(d)
                          + " appears multiple times in the list of dims "
                          + detail::format_ints(a.dim));
      seen[d] = true;
      if (d < x.sizes.size() && detail::holds(x.sizes[d] == 1)) drop[d] = true;
    }
    sym_sizes sizes;
    for (std::size_t d = 0; d < x.sizes.size(); ++d) {
      if (!drop[d]) sizes.push_back(x.sizes[d]);
    }
    return {detail::with_sizes(x, std::move(sizes))};
  }
};

//! @brief `aten::unsqueeze`: inserts a dimension of size 1 at `dim` (in `[-rank-1,
//! rank]`).
struct unsqueeze {
  static constexpr std::string_view name = "aten::unsqueeze"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;              //!< in the core set
  static constexpr op_tag tags = op_tag::view;                //!< may alias its input
  static constexpr dtype_set dtypes = dtype_sets::all;        //!< supported dtypes
  //! @brief Where the new dimension goes.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim));
  };
  //! @brief The sizes with a 1 inserted.
  //! @throws index_error for an out-of-range dim.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    std::int64_t const d = wrap_dim(a.dim, in[0].dim() + 1);
    sym_sizes sizes = in[0].sizes;
    sizes.insert(sizes.begin() + d, SymInt(1));
    return {detail::with_sizes(in[0], std::move(sizes))};
  }
};

//! @brief `aten::permute`: result dimension i is input dimension `dims[i]`.
struct permute {
  static constexpr std::string_view name = "aten::permute"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;            //!< in the core set
  static constexpr op_tag tags = op_tag::view;              //!< may alias its input
  static constexpr dtype_set dtypes = dtype_sets::all;      //!< supported dtypes
  //! @brief The order of the input's dimensions.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::vector<std::int64_t>, dims));
  };
  //! @brief The permuted sizes.
  //! @throws index_error for a wrong count, an out-of-range or a repeated dim.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta const& x = in[0];
    if (static_cast<std::int64_t>(a.dims.size()) != x.dim()) {
      throw index_error("permute(): number of dims don't match in permute: input.dim() = "
                        + std::to_string(x.dim())
                        + " is not equal to len(dims) = " + std::to_string(a.dims.size()));
    }
    sym_sizes sizes(a.dims.size());
    std::vector<bool> seen(a.dims.size(), false);
    for (std::size_t i = 0; i < a.dims.size(); ++i) {
      auto const d = static_cast<std::size_t>(wrap_dim(a.dims[i], x.dim()));
      if (seen[d])
        throw index_error("permute(): duplicate dims are not allowed: "
                          + detail::format_ints(a.dims));
      seen[d] = true;
      sizes[i] = x.sizes[d];
    }
    return {detail::with_sizes(x, std::move(sizes))};
  }
};

//! @brief `aten::transpose.int`: swaps two dimensions.
struct transpose {
  static constexpr std::string_view name = "aten::transpose.int"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;             //!< decomposes to permute
  static constexpr op_tag tags = op_tag::view;                    //!< may alias its input
  static constexpr dtype_set dtypes = dtype_sets::all;            //!< supported dtypes
  //! @brief The two dimensions.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim0), (std::int64_t, dim1));
  };
  //! @brief The sizes with the two swapped.
  //! @throws index_error for an out-of-range dim.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta out = in[0];
    std::int64_t const d0 = wrap_dim(a.dim0, out.dim());
    std::int64_t const d1 = wrap_dim(a.dim1, out.dim());
    if (out.dim() > 0)
      std::swap(out.sizes[static_cast<std::size_t>(d0)], out.sizes[static_cast<std::size_t>(d1)]);
    return {out};
  }
};

//! @brief `aten::t`: the transpose of a matrix; tensors of rank 0 and 1 are unchanged.
struct t {
  static constexpr std::string_view name = "aten::t";  //!< ATen name
  static constexpr op_kind kind = op_kind::composite;  //!< decomposes to permute
  static constexpr op_tag tags = op_tag::view;         //!< may alias its input
  static constexpr dtype_set dtypes = dtype_sets::all; //!< supported dtypes
  using attributes = no_attributes;                    //!< none
  //! @brief The reversed sizes.
  //! @throws shape_error for rank > 2.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    tensor_meta out = in[0];
    if (out.dim() > 2) {
      throw shape_error("t() expects a tensor with <= 2 dimensions, but self is "
                        + std::to_string(out.dim()) + "D");
    }
    if (out.dim() == 2) std::swap(out.sizes[0], out.sizes[1]);
    return {out};
  }
};

//! @brief `aten::expand`: broadcasts to `size` without copying; -1 keeps a size and new
//! leading dimensions may be added (`[1, s0]` expanded to `[3, 5, -1]` is `[3, 5, s0]`).
struct expand {
  static constexpr std::string_view name = "aten::expand"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;           //!< in the core set
  static constexpr op_tag tags = op_tag::view;             //!< may alias its input
  static constexpr dtype_set dtypes = dtype_sets::all;     //!< supported dtypes
  //! @brief The target sizes (may be symbolic; -1 keeps the input's size).
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::vector<SymInt>, size));
  };
  //! @brief The expanded sizes (`shape::expand_sizes`, shared with `Tensor::expand`).
  //! @throws shape_error when there are fewer target sizes than dimensions, a negative
  //! size other than -1, or a non-singleton size would change.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta const& x = in[0];
    sym_sizes sizes = xport::shape::expand_sizes<SymInt>({x.sizes.data(), x.sizes.size()}, a.size);
    return {detail::with_sizes(x, std::move(sizes))};
  }
};

//! @brief `aten::contiguous`: the input if its layout is already row-major, otherwise a
//! contiguous copy.
//!
//! Recorded as `aten::contiguous` rather than as a `clone` or nothing: a traced value
//! has no strides, so whether a copy is needed is a run-time question (decomposition
//! makes it `clone(memory_format=contiguous_format)`, which is always correct).
struct contiguous {
  static constexpr std::string_view name = "aten::contiguous"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;          //!< decomposes to clone
  static constexpr op_tag tags = op_tag::view;                 //!< may alias its input
  static constexpr dtype_set dtypes = dtype_sets::all;         //!< supported dtypes
  using attributes = no_attributes;                            //!< none
  //! @brief Same sizes and dtype.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) { return {in[0]}; }
};

//! @brief `aten::slice.Tensor`: elements `start, start + step, ...` before `end` along
//! `dim`, with Python's clamping (negative bounds count from the end, out-of-range
//! bounds are clamped). An absent end is `INT64_MAX`, as exported programs print it.
//!
//! On symbolic sizes the clamping branches decide through the shape environment: a
//! slice `[2:]` of a dim `s0` in `[2, int_oo]` is `s0 - 2` with no guard; `[2:]` of a dim
//! that may be below 2 guards on the example (`2 < s0`).
struct slice {
  static constexpr std::string_view name = "aten::slice.Tensor"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                 //!< in the core set
  static constexpr op_tag tags = op_tag::view;                   //!< may alias its input
  static constexpr dtype_set dtypes = dtype_sets::all;           //!< supported dtypes
  //! @brief The dimension, the bounds and the (positive) step.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim), (SymInt, start), (SymInt, end),
                             (SymInt, step));
  };
  //! @brief `ceil((end - start) / step)` after clamping (`[s0]` sliced `0, 2, s0` is
  //! `[s0 - 2]`).
  //! @throws value_error for a step that is not positive; index_error for a 0-dim input.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta const& x = in[0];
    if (x.dim() == 0) throw xport::detail::zero_dim_error("slice");
    auto const d = static_cast<std::size_t>(wrap_dim(a.dim, x.dim()));
    if (!detail::holds(a.step > 0))
      throw value_error("slice step must be positive, but got " + a.step.str());
    sym_sizes sizes = x.sizes;
    sizes[d] = xport::shape::slice_length<SymInt>(x.sizes[d], a.start, a.end, a.step);
    return {detail::with_sizes(x, std::move(sizes))};
  }
};

//! @brief `aten::select.int`: the sub-tensor at `index` along `dim`, which is removed.
struct select {
  static constexpr std::string_view name = "aten::select.int"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;               //!< in the core set
  static constexpr op_tag tags = op_tag::view;                 //!< may alias its input
  static constexpr dtype_set dtypes = dtype_sets::all;         //!< supported dtypes
  //! @brief The dimension and the index (negative counts from the end).
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim), (SymInt, index));
  };
  //! @brief The sizes without `dim`.
  //! @throws index_error when `index` is outside `[-size, size)`, or for a 0-dim input.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta const& x = in[0];
    if (x.dim() == 0) throw xport::detail::zero_dim_error("select");
    std::int64_t const d = wrap_dim(a.dim, x.dim());
    SymInt const& size = x.sizes[static_cast<std::size_t>(d)];
    // An index read from data is asserted in range at run time (where a negative one counts
    // from the end), as PyTorch's TORCH_SYM_CHECK does.
    if (!expect_true(a.index >= SymInt(0) - size, "select(): index out of range")
        || !expect_true(a.index < size, "select(): index out of range")) {
      throw index_error("select(): index " + a.index.str() + " out of range for tensor of size "
                        + format_sym_sizes(x.sizes) + " at dimension " + std::to_string(d));
    }
    return {detail::with_sizes(x, detail::erase_dim(x.sizes, d))};
  }
};

//! @brief `aten::narrow`: `length` elements from `start` along `dim` (a slice that must
//! lie inside the dimension; a negative start counts from the end).
struct narrow {
  static constexpr std::string_view name = "aten::narrow"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;      //!< decomposes to slice
  static constexpr op_tag tags = op_tag::view;             //!< may alias its input
  static constexpr dtype_set dtypes = dtype_sets::all;     //!< supported dtypes
  //! @brief The dimension, the start and the length.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim), (SymInt, start), (SymInt, length));
  };
  //! @brief The sizes with `dim` set to `length`.
  //! @throws index_error when the range leaves the dimension, or for a 0-dim input.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta const& x = in[0];
    if (x.dim() == 0) throw xport::detail::zero_dim_error("narrow");
    auto const d = static_cast<std::size_t>(wrap_dim(a.dim, x.dim()));
    SymInt const& size = x.sizes[d];
    if (detail::holds(a.start < SymInt(0) - size) || detail::holds(a.start > size)) {
      throw index_error("start out of range (expected to be in range of ["
                        + (SymInt(0) - size).str() + ", " + size.str() + "], but got "
                        + a.start.str() + ")");
    }
    SymInt const start = detail::holds(a.start < 0) ? a.start + size : a.start;
    // A length read from data is asserted at run time, as PyTorch's TORCH_SYM_CHECK does.
    if (!expect_true(a.length >= 0, "narrow(): length must be non-negative"))
      throw index_error("narrow(): length must be non-negative, but got " + a.length.str());
    if (!expect_true(start + a.length <= size, "narrow(): start + length exceeds dimension size")) {
      throw index_error("start (" + start.str() + ") + length (" + a.length.str()
                        + ") exceeds dimension size (" + size.str() + ").");
    }
    sym_sizes sizes = x.sizes;
    sizes[d] = a.length;
    return {detail::with_sizes(x, std::move(sizes))};
  }
};

//! @brief The view-making shape ops of this header.
using shape_view_ops = op_set<view, reshape, flatten, unflatten, squeeze, squeeze_dims, unsqueeze,
                              permute, transpose, t, expand, contiguous, slice, select, narrow>;

} // namespace xport::ops
