//! @file
//! Indexing op node types and their meta rules: `index_select`, `gather`, `scatter`
//! (tensor and scalar source), `scatter_add`, advanced indexing `index` and its functional
//! writer `index_put` (and its in-place form `index_put_`).
//!
//! Index values are checked by the kernels (they are data); everything a meta rule can
//! know from shapes and dtypes is checked here, with PyTorch's messages, so eager calls
//! and traced calls refuse the same programs.
#pragma once

#include <xport/core/dtype.hpp>
#include <xport/core/scalar.hpp>
#include <xport/ops/op.hpp>
#include <xport/ops/op_set.hpp>

#include <boost/container/small_vector.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xport::ops {

namespace detail {

inline bool is_index_dtype(dtype type) noexcept {
  return type == dtype::int64 || type == dtype::int32;
}

inline bool is_mask_dtype(dtype type) noexcept {
  return type == dtype::bool_ || type == dtype::uint8;
}

// Size-oblivious emptiness, as PyTorch's meta rules treat unbacked sizes: a tensor is
// known to be empty only when one of its sizes is the integer 0, so deciding it never
// guards on (or fails for) a symbolic size.
inline bool known_empty(tensor_meta const& m) {
  return std::any_of(m.sizes.begin(), m.sizes.end(), [](SymInt const& s) {
    return s.maybe_int() == std::optional<std::int64_t>(0);
  });
}

// How many of the elements of `m` a data-dependent op picks (nonzero, masked_select, a
// boolean index): 0 for a known empty `m`, else a fresh size whose range is bounded by
// the most elements `m` can have (PyTorch's `_constrain_range_for_size(nnz, max=numel)`).
inline SymInt bounded_count(tensor_meta const& m, meta_context& context) {
  if (known_empty(m)) return 0;
  return context.unbacked_size(m.numel());
}

// PyTorch's ensure_nonempty_dim / ensure_nonempty_size: scatter and gather treat a
// 0-dim tensor as a 1-D tensor of one element.
inline std::int64_t nonempty_dim(tensor_meta const& m) noexcept {
  return std::max<std::int64_t>(m.dim(), 1);
}
inline SymInt nonempty_size(tensor_meta const& m, std::int64_t d) {
  return m.dim() == 0 ? SymInt(1) : m.sizes[static_cast<std::size_t>(d)];
}

inline void expect_index_dtype(tensor_meta const& index, std::string_view op) {
  if (!is_index_dtype(index.dtype)) {
    throw dtype_error(std::string(op) + "(): Expected dtype int32/int64 for index, but got "
                      + torch_name(index.dtype) + "; convert it with .to(xport::dtype::int64)");
  }
}

// The rank and size checks PyTorch's gather and scatter share (ScatterGatherChecks):
// index.size(d) <= self.size(d) for d != dim, and, with a source, index.size(d) <=
// src.size(d) for every d. Skipped for an empty index, as in PyTorch.
inline void scatter_gather_shape_check(tensor_meta const& self, std::int64_t dim,
                                       tensor_meta const& index, tensor_meta const* src,
                                       std::string_view op, bool is_gather) {
  if (known_empty(index)) return;
  std::int64_t const rank = nonempty_dim(self);
  if (rank != nonempty_dim(index)) {
    throw shape_error(
        std::string(op) + "(): Index tensor must have the same number of dimensions as "
        + (is_gather ? "input" : "self") + " tensor (index " + format_sym_sizes(index.sizes) + ", "
        + (is_gather ? "input " : "self ") + format_sym_sizes(self.sizes) + ")");
  }
  if (src != nullptr && nonempty_dim(*src) != rank) {
    throw shape_error(std::string(op)
                      + "(): Index tensor must have the same number of dimensions as src tensor "
                        "(index "
                      + format_sym_sizes(index.sizes) + ", src " + format_sym_sizes(src->sizes)
                      + ")");
  }
  for (std::int64_t d = 0; d < rank; ++d) {
    bool const fits_self =
        d == dim || static_cast<bool>(nonempty_size(index, d) <= nonempty_size(self, d));
    bool const fits_src =
        src == nullptr || static_cast<bool>(nonempty_size(index, d) <= nonempty_size(*src, d));
    if (fits_self && fits_src) continue;
    if (is_gather) {
      throw shape_error("gather(): Size does not match at dimension " + std::to_string(d)
                        + " expected index " + format_sym_sizes(index.sizes)
                        + " to be smaller than self " + format_sym_sizes(self.sizes)
                        + " apart from dimension " + std::to_string(dim));
    }
    throw shape_error(std::string(op) + "(): Expected index " + format_sym_sizes(index.sizes)
                      + " to be smaller than self " + format_sym_sizes(self.sizes)
                      + " apart from dimension " + std::to_string(dim)
                      + (src != nullptr
                             ? " and to be smaller size than src " + format_sym_sizes(src->sizes)
                             : std::string()));
  }
}

// The meta of scatter, scatter.value and scatter_add: `in` is {self, index[, src]}.
inline meta_list scatter_meta(std::span<tensor_meta const> in, std::int64_t dim, bool has_src,
                              std::string_view op) {
  expect_inputs(in, has_src ? 3 : 2, op);
  expect_same_device(in, op);
  tensor_meta const& self = in[0];
  tensor_meta const& index = in[1];
  std::int64_t const d = wrap_dim(dim, self.dim());
  if (!known_empty(index)) expect_index_dtype(index, op);
  tensor_meta const* src = has_src ? &in[2] : nullptr;
  if (src != nullptr && src->dtype != self.dtype) {
    throw dtype_error(std::string(op) + "(): Expected self.dtype to be equal to src.dtype (self is "
                      + torch_name(self.dtype) + ", src is " + torch_name(src->dtype) + ")");
  }
  scatter_gather_shape_check(self, d, index, src, op, false);
  return {self};
}

// Broadcasts `size` into `result` for the index tensors of advanced indexing. A size that
// depends on data (the true count of a bool mask) cannot be compared while tracing without
// a guard that would fail, so, as PyTorch's broadcast does with torch._check, it is
// asserted for the run of the program instead; during eager calls it is a placeholder and
// the kernel compares the real counts.
struct index_size {
  SymInt value;
  bool data_dependent = false;
};

// True when an eager call's result shape holds placeholders for mask counts (the kernel
// then decides what the meta rule cannot).
inline bool eager_placeholders(std::vector<index_size> const& sizes, bool eager) {
  return eager && std::any_of(sizes.begin(), sizes.end(), [](index_size const& s) {
           return s.data_dependent;
         });
}

inline bool broadcast_index_size(index_size& result, index_size const& size, bool eager) {
  if (!result.data_dependent && !size.data_dependent) {
    if (static_cast<bool>(result.value == 1)) {
      result = size;
      return true;
    }
    return static_cast<bool>(size.value == 1) || static_cast<bool>(result.value == size.value);
  }
  index_size const& fixed = result.data_dependent ? size : result;
  index_size const& counted = result.data_dependent ? result : size;
  if (!fixed.data_dependent && fixed.value.maybe_int() == std::optional<std::int64_t>(1)) {
    result = counted;
    return true;
  }
  if (!eager) {
    xport::check(counted.value == fixed.value,
                 "the number of true elements of a bool index must match the other indices");
  }
  result = fixed;
  return true;
}

// The shape of an advanced indexing result, and which of its sizes depend on data.
struct advanced_index_shape {
  sym_sizes sizes;
  boost::container::small_vector<bool, 6> data_dependent;
};

// Requires every defined input on the device of the first (None entries have none).
inline void expect_defined_same_device(std::span<tensor_meta const> in, std::string_view op) {
  for (tensor_meta const& m : in.subspan(1)) {
    if (m.defined && m.device != in[0].device) {
      throw device_error(std::string(op)
                         + ": indices should be on the same device as the indexed tensor ("
                         + in[0].device.str() + "), but one is on " + m.device.str());
    }
  }
}

// What advanced indexing (index, index_put) computes from shapes: the sizes of its result.
// `indices` are the metas of the index list (undefined = None). Bool masks become one
// size that is unbacked while tracing.
inline advanced_index_shape advanced_index_sizes(tensor_meta const& self,
                                                 std::span<tensor_meta const> indices,
                                                 meta_context& context, std::string_view op) {
  bool const eager = dynamic_cast<eager_meta_context*>(&context) != nullptr;
  // One entry per dim of self that the list covers: the broadcast shape the entry's index
  // tensor contributes, or nothing for a full slice.
  struct entry {
    bool indexed = false;
    std::vector<index_size> shape;
  };
  std::vector<entry> entries;
  std::int64_t consumed = 0;
  for (tensor_meta const& index : indices) {
    if (!index.defined) {
      ++consumed;
      entries.push_back({});
      continue;
    }
    if (!is_index_dtype(index.dtype) && !is_mask_dtype(index.dtype)) {
      throw index_error(std::string(op)
                        + ": tensors used as indices must be long, int, byte or bool "
                          "tensors, but got "
                        + torch_name(index.dtype));
    }
    if (is_mask_dtype(index.dtype) && index.dim() == 0) {
      throw index_error(std::string(op)
                        + ": a 0-dim bool index selects no dimension; index "
                          "with a 1-D mask or use xport::where");
    }
    consumed += is_mask_dtype(index.dtype) ? index.dim() : 1;
    if (consumed > self.dim()) {
      throw index_error("too many indices for tensor of dimension " + std::to_string(self.dim())
                        + " (got " + std::to_string(consumed) + ")");
    }
    if (is_mask_dtype(index.dtype)) {
      std::int64_t const first = consumed - index.dim();
      for (std::int64_t j = 0; j < index.dim(); ++j) {
        auto const uj = static_cast<std::size_t>(j);
        auto const sd = static_cast<std::size_t>(first + j);
        if (!static_cast<bool>(index.sizes[uj] == self.sizes[sd])) {
          throw index_error("The shape of the mask " + format_sym_sizes(index.sizes) + " at index "
                            + std::to_string(j) + " does not match the shape of the indexed tensor "
                            + format_sym_sizes(self.sizes) + " at index "
                            + std::to_string(first + j));
        }
      }
      index_size const count = known_empty(index) ? index_size{0, false}
                                                  : index_size{bounded_count(index, context), true};
      for (std::int64_t j = 0; j < index.dim(); ++j)
        entries.push_back({true, {count}});
    } else {
      entry e{true, {}};
      for (SymInt const& s : index.sizes)
        e.shape.push_back({s, false});
      entries.push_back(std::move(e));
    }
  }

  // Broadcast every index shape together, aligned from the right.
  std::vector<index_size> common;
  std::string shapes;
  bool any = false;
  for (entry const& e : entries) {
    if (!e.indexed) continue;
    any = true;
    std::string shape = "[";
    for (std::size_t i = 0; i < e.shape.size(); ++i)
      shape += (i ? ", " : "") + e.shape[i].value.str();
    shapes += (shapes.empty() ? "" : ", ") + shape + "]";
  }
  advanced_index_shape out;
  if (!any) {
    out.sizes = self.sizes;
    out.data_dependent.assign(self.sizes.size(), false);
    return out;
  }
  for (entry const& e : entries) {
    if (!e.indexed) continue;
    if (e.shape.size() > common.size())
      common.insert(common.begin(), e.shape.size() - common.size(), index_size{1, false});
    std::size_t const offset = common.size() - e.shape.size();
    for (std::size_t i = 0; i < e.shape.size(); ++i) {
      if (!broadcast_index_size(common[offset + i], e.shape[i], eager)) {
        throw index_error("shape mismatch: indexing tensors could not be broadcast together with "
                          "shapes "
                          + shapes);
      }
    }
  }

  // NumPy's placement rule: the broadcast dims replace the indexed dims where they are
  // adjacent, and go first otherwise.
  std::size_t first = entries.size();
  std::size_t last = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!entries[i].indexed) continue;
    first = std::min(first, i);
    last = i;
  }
  bool adjacent = true;
  for (std::size_t i = first; i <= last; ++i)
    adjacent = adjacent && entries[i].indexed;

  bool const empty_result = std::any_of(common.begin(), common.end(), [](index_size const& s) {
    return !s.data_dependent && s.value.maybe_int() == std::optional<std::int64_t>(0);
  });
  auto append_common = [&] {
    for (index_size const& s : common) {
      out.sizes.push_back(s.value);
      out.data_dependent.push_back(s.data_dependent);
    }
  };
  if (!adjacent) append_common();
  for (std::size_t d = 0; d < self.sizes.size(); ++d) {
    bool const indexed = d < entries.size() && entries[d].indexed;
    if (indexed) {
      // No index value is valid for a dimension of size 0 (unless there are none).
      bool const size_zero = self.sizes[d].maybe_int() == std::optional<std::int64_t>(0);
      if (size_zero && !empty_result && !eager_placeholders(common, eager)) {
        throw index_error("index is out of bounds for dimension with size 0 (indexing "
                          + format_sym_sizes(self.sizes) + " at dimension " + std::to_string(d)
                          + ")");
      }
      if (adjacent && d == first) append_common();
      continue;
    }
    out.sizes.push_back(self.sizes[d]);
    out.data_dependent.push_back(false);
  }
  return out;
}

} // namespace detail

//! @brief `aten::index_select`: the entries `index` picks along `dim`:
//! `out.select(dim, i) == self.select(dim, index[i])`.
//!
//! Shape rule: `self.sizes` with `sizes[dim] = index.numel()`; `[s0, 4]`, dim 0, index
//! `[s1]` → `[s1, 4]`. Negative index values are out of range, as in PyTorch.
struct index_select {
  static constexpr std::string_view name = "aten::index_select"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                 //!< in the core set
  static constexpr op_tag tags = op_tag::none;                   //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;           //!< supported dtypes
  //! @brief The dimension indexed (negative counts from the end).
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim));
  };
  //! @brief `in` is {self, index}.
  //! @throws index_error for an index of rank > 1, or an index of several values into a
  //! 0-dim tensor; dtype_error for a non-integer index.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    expect_inputs(in, 2, "index_select");
    expect_same_device(in, "index_select");
    tensor_meta const& self = in[0];
    tensor_meta const& index = in[1];
    std::int64_t const d = wrap_dim(a.dim, self.dim());
    if (index.dim() > 1) {
      throw index_error(
          "index_select(): Index is supposed to be a vector, but got a tensor of size "
          + format_sym_sizes(index.sizes));
    }
    if (!detail::is_index_dtype(index.dtype)) {
      throw dtype_error("index_select(): Expected dtype int32 or int64 for index, but got "
                        + torch_name(index.dtype) + "; convert it with .to(xport::dtype::int64)");
    }
    tensor_meta out = self;
    if (self.dim() == 0) {
      if (!static_cast<bool>(index.numel() == 1)) {
        throw index_error("index_select(): Index to scalar can have only 1 value, got "
                          + index.numel().str() + " value(s)");
      }
      return {out};
    }
    out.sizes[static_cast<std::size_t>(d)] = index.numel();
    return {out};
  }
};

//! @brief `aten::gather`: `out[i][j][k] = self[index[i][j][k]][j][k]` for `dim` 0 (and
//! likewise for other dims).
//!
//! Shape rule: the index's sizes; `index.size(d) <= self.size(d)` for `d != dim` (a guard
//! on symbolic sizes): self `[s0, 8]`, index `[s1, 4]`, dim 0 → `[s1, 4]`, guard
//! `4 <= 8` decided, nothing recorded.
struct gather {
  static constexpr std::string_view name = "aten::gather"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;           //!< in the core set
  static constexpr op_tag tags = op_tag::none;             //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;     //!< supported dtypes
  //! @brief The dimension indexed (negative counts from the end).
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim));
  };
  //! @brief `in` is {self, index}.
  //! @throws shape_error for mismatched ranks or an index larger than self off `dim`;
  //! dtype_error for a non-integer index.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    expect_inputs(in, 2, "gather");
    expect_same_device(in, "gather");
    tensor_meta const& self = in[0];
    tensor_meta const& index = in[1];
    std::int64_t const d = wrap_dim(a.dim, self.dim());
    if (!detail::known_empty(index)) detail::expect_index_dtype(index, "gather");
    detail::scatter_gather_shape_check(self, d, index, nullptr, "gather", true);
    return {tensor_meta{self.dtype, self.device, index.sizes}};
  }
};

//! @brief `aten::scatter.src` (functional): a copy of `self` with
//! `out[index[i][j]][j] = src[i][j]` for `dim` 0 (and likewise for other dims). With
//! duplicate indices the last write (in row-major order of `index`) wins.
//!
//! Shape rule: `self`'s; `index.size(d) <= src.size(d)` for every d and
//! `<= self.size(d)` for `d != dim`.
struct scatter {
  static constexpr std::string_view name = "aten::scatter.src"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                //!< in the core set
  static constexpr op_tag tags = op_tag::none;                  //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;          //!< supported dtypes
  //! @brief The dimension scattered into.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim));
  };
  //! @brief `in` is {self, index, src}; `src` must have `self`'s dtype.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return detail::scatter_meta(in, a.dim, true, "scatter");
  }
};

//! @brief `aten::scatter.value` (functional): a copy of `self` with
//! `out[index[i][j]][j] = value` for `dim` 0 (and likewise for other dims).
struct scatter_value {
  static constexpr std::string_view name = "aten::scatter.value"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                  //!< in the core set
  static constexpr op_tag tags = op_tag::none;                    //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;            //!< supported dtypes
  //! @brief The dimension scattered into, and the value written (converted to `self`'s
  //! dtype, checked for overflow).
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim), (Scalar, value));
  };
  //! @brief `in` is {self, index}.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return detail::scatter_meta(in, a.dim, false, "scatter");
  }
};

//! @brief `aten::scatter_add` (functional): a copy of `self` with
//! `out[index[i][j]][j] += src[i][j]` for `dim` 0; duplicate indices accumulate.
struct scatter_add {
  static constexpr std::string_view name = "aten::scatter_add"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                //!< in the core set
  static constexpr op_tag tags = op_tag::none;                  //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;          //!< supported dtypes
  //! @brief The dimension scattered into.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim));
  };
  //! @brief `in` is {self, index, src}; `src` must have `self`'s dtype.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return detail::scatter_meta(in, a.dim, true, "scatter_add");
  }
};

//! @brief `aten::index.Tensor`: NumPy's advanced indexing by a list of optional index
//! tensors, one per leading dimension of `self` (a bool mask covers as many dimensions as
//! it has).
//!
//! Integer index tensors broadcast together; a bool mask stands for the coordinates of
//! its true elements (their count is an unbacked size while tracing). The broadcast dims
//! replace the indexed dims when those are adjacent, and go first otherwise:
//! `[s0, 5, 6]` indexed by `{None, [2, 3], [3]}` → `[s0, 2, 3]`; by `{[4], None, [4]}` →
//! `[4, 5]`; by a `[s0, 5]` bool mask → `[u0, 6]`.
struct index {
  static constexpr std::string_view name = "aten::index.Tensor"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                 //!< in the core set
  static constexpr op_tag tags = op_tag::data_dependent;         //!< bool masks select by data
  static constexpr dtype_set dtypes = dtype_sets::all;           //!< supported dtypes
  static constexpr bool optional_inputs = true;                  //!< a None index is absent
  using attributes = no_attributes;                              //!< none
  //! @brief `in` is {self, indices...}; an undefined index is a full slice (None).
  //! @throws index_error for too many indices, a non-integer index, a mask whose shape
  //! differs from the dims it covers, or index shapes that do not broadcast.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&, meta_context& context) {
    if (in.empty()) throw value_error("index: expected the indexed tensor as the first input");
    detail::expect_defined_same_device(in, "index");
    return {
        tensor_meta{in[0].dtype, in[0].device,
                    detail::advanced_index_sizes(in[0], in.subspan(1), context, "index").sizes}};
  }
};

//! @brief `aten::index_put` (functional): a copy of `self` with the elements that
//! `index(self, indices)` would read replaced by `values` (broadcast to that shape), or
//! incremented by them when `accumulate`. Without `accumulate`, the last write to a
//! repeated position wins; with it, duplicates sum.
struct index_put {
  static constexpr std::string_view name = "aten::index_put"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;              //!< in the core set
  static constexpr op_tag tags = op_tag::none;                //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;        //!< supported dtypes
  static constexpr bool optional_inputs = true;               //!< a None index is absent
  //! @brief Whether values add to the existing elements.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (bool, accumulate));
  };
  //! @brief `in` is {self, indices..., values}; `values` must have `self`'s dtype and
  //! broadcast to the indexing result.
  //! @throws what `index` throws; shape_error when values do not broadcast; dtype_error
  //! for mismatched dtypes.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&, meta_context& context) {
    if (in.size() < 2)
      throw value_error("index_put: expected the indexed tensor, the indices and the values");
    detail::expect_defined_same_device(in, "index_put");
    tensor_meta const& self = in.front();
    tensor_meta const& values = in.back();
    if (values.dtype != self.dtype) {
      throw dtype_error("Index put requires the source and destination dtypes match, got "
                        + std::string(xport::scalar_type_name(self.dtype))
                        + " for the destination and "
                        + std::string(xport::scalar_type_name(values.dtype))
                        + " for the source; convert the values with .to()");
    }
    detail::advanced_index_shape const target =
        detail::advanced_index_sizes(self, in.subspan(1, in.size() - 2), context, "index_put");
    bool const eager = dynamic_cast<eager_meta_context*>(&context) != nullptr;
    std::size_t const rank = target.sizes.size();
    bool fits = values.sizes.size() <= rank;
    for (std::size_t i = 0; fits && i < values.sizes.size(); ++i) {
      SymInt const& v = values.sizes[values.sizes.size() - 1 - i];
      SymInt const& t = target.sizes[rank - 1 - i];
      if (v.maybe_int() == std::optional<std::int64_t>(1)) continue;
      if (target.data_dependent[rank - 1 - i]) {
        // A mask's true count: a placeholder in eager calls (the kernel compares the real
        // count), a runtime assertion of the traced program otherwise.
        if (!eager)
          xport::check(t == v, "index_put: values must match the number of true mask elements");
        continue;
      }
      fits = static_cast<bool>(v == t);
    }
    if (!fits) {
      throw shape_error("shape mismatch: value tensor of shape " + format_sym_sizes(values.sizes)
                        + " cannot be broadcast to indexing result of shape "
                        + format_sym_sizes(target.sizes));
    }
    return {self};
  }
};

//! @brief `aten::index_put_`: `index_put` written into `self`; recorded as `index_put`
//! (through a view of a buffer or input, with the write carried back to it).
struct index_put_ {
  static constexpr std::string_view name = "aten::index_put_";       //!< ATen name
  static constexpr op_kind kind = op_kind::composite;                //!< in-place: not core
  static constexpr op_tag tags = index_put::tags | op_tag::in_place; //!< as `index_put`, in place
  static constexpr dtype_set dtypes = index_put::dtypes;             //!< as `index_put`
  static constexpr bool optional_inputs = true;                      //!< a None index is absent
  using attributes = index_put::attributes;                          //!< as `index_put`
  using functional = index_put;                                      //!< recorded as `index_put`
  //! @brief As `index_put`: `self`'s meta.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a,
                        meta_context& context) {
    return index_put::meta(in, a, context);
  }
};

//! @brief The indexing ops, as an op set.
using indexing_ops =
    op_set<index_select, gather, scatter, scatter_value, scatter_add, index, index_put, index_put_>;

} // namespace xport::ops
