//! @file
//! Shape op node types that join, split or rearrange by copying: cat, stack, split,
//! split_with_sizes, chunk, repeat, flip, pad, tril, triu, and the scatters that write a
//! slice or a selection of a copy (what a write through a view is recorded as), with meta
//! rules over symbolic sizes. (Splits return views; the rest return new tensors.)
#pragma once

#include <xport/ops/op.hpp>
#include <xport/ops/op_set.hpp>
#include <xport/ops/shape.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xport::ops {

namespace detail {

// PyTorch's legacy cat rule: a 1-D tensor of (concrete) size 0 takes no part. A symbolic
// size is treated as non-empty without a guard, as PyTorch decides it size-obliviously.
inline bool skipped_by_cat(tensor_meta const& t) {
  return t.dim() == 1 && t.sizes[0].maybe_int() == 0;
}

// The metas of `x` split along `d` into pieces of `sizes`.
inline meta_list split_metas(tensor_meta const& x, std::size_t d, std::span<SymInt const> sizes) {
  meta_list out;
  for (SymInt const& size : sizes) {
    tensor_meta piece = x;
    piece.sizes[d] = size;
    out.push_back(std::move(piece));
  }
  return out;
}

inline std::string format_sym_vector(std::vector<SymInt> const& values) {
  return format_sym_sizes(values);
}

// A scatter's result: `self`'s meta, once `src` is known to have the sizes of the part
// of `self` it replaces (`part`, what the matching view op makes of `self`).
inline meta_list scatter_meta(std::span<tensor_meta const> in, tensor_meta const& part) {
  tensor_meta const& src = in[1];
  bool same = src.dim() == part.dim();
  for (std::size_t k = 0; same && k < part.sizes.size(); ++k)
    same = holds(src.sizes[k] == part.sizes[k]);
  if (!same) {
    throw shape_error("expected src to have a size equal to the slice of self. src size = "
                      + format_sym_sizes(src.sizes)
                      + ", slice size = " + format_sym_sizes(part.sizes));
  }
  if (src.device != in[0].device) {
    throw device_error("expected src on " + in[0].device.str() + ", as self, but it is on "
                       + src.device.str());
  }
  return {in[0]};
}

} // namespace detail

//! @brief `aten::cat`: joins tensors along `dim`; the dtype is PyTorch's promotion of
//! all inputs, and 1-D tensors of size 0 are skipped (PyTorch's legacy rule).
struct cat {
  static constexpr std::string_view name = "aten::cat"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;        //!< in the core set
  static constexpr op_tag tags = op_tag::none;          //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;  //!< supported dtypes
  //! @brief The dimension to join along.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim));
  };
  //! @brief The joined sizes (`[s0, 4]` and `[s1, 4]` along 0 give `[s0 + s1, 4]`).
  //! @throws value_error for no tensors; shape_error for a 0-dim tensor, different
  //! ranks or different sizes outside `dim`; device_error for mixed devices.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    if (in.empty()) throw value_error("torch.cat(): expected a non-empty list of Tensors");
    expect_same_device(in, "torch.cat()");
    std::vector<promotion_operand> operands;
    for (std::size_t i = 0; i < in.size(); ++i) {
      if (in[i].dim() == 0) {
        throw shape_error("zero-dimensional tensor (at position " + std::to_string(i)
                          + ") cannot be concatenated");
      }
      operands.push_back({in[i].dtype, operand_kind::dimensioned});
    }
    dtype const type = result_type(operands);
    tensor_meta const* reference = nullptr;
    std::size_t reference_index = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
      if (!detail::skipped_by_cat(in[i])) {
        reference = &in[i];
        reference_index = i;
        break;
      }
    }
    if (reference == nullptr) return {tensor_meta{type, in[0].device, {0}}};
    auto const d = static_cast<std::size_t>(wrap_dim(a.dim, reference->dim()));
    sym_sizes sizes = reference->sizes;
    sizes[d] = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
      tensor_meta const& t = in[i];
      if (detail::skipped_by_cat(t)) continue;
      if (t.dim() != reference->dim()) {
        throw shape_error("Tensors must have same number of dimensions: got "
                          + std::to_string(reference->dim()) + " and " + std::to_string(t.dim())
                          + " (tensor number " + std::to_string(reference_index) + " has size "
                          + format_sym_sizes(reference->sizes) + ", tensor number "
                          + std::to_string(i) + " has size " + format_sym_sizes(t.sizes) + ")");
      }
      for (std::size_t k = 0; k < sizes.size(); ++k) {
        if (k == d) continue;
        if (!detail::holds(t.sizes[k] == reference->sizes[k])) {
          throw shape_error("Sizes of tensors must match except in dimension " + std::to_string(d)
                            + ". Expected size " + reference->sizes[k].str() + " but got size "
                            + t.sizes[k].str() + " for tensor number " + std::to_string(i)
                            + " in the list.");
        }
      }
      sizes[d] = sizes[d] + t.sizes[d];
    }
    return {tensor_meta{type, reference->device, std::move(sizes)}};
  }
};

//! @brief `aten::stack`: joins equal-sized tensors along a new dimension `dim` (in
//! `[-rank-1, rank]`), promoting dtypes as `cat` does.
struct stack {
  static constexpr std::string_view name = "aten::stack"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;     //!< decomposes to unsqueeze + cat
  static constexpr op_tag tags = op_tag::none;            //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;    //!< supported dtypes
  //! @brief Where the new dimension goes.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, dim));
  };
  //! @brief The common sizes with the tensor count inserted at `dim`.
  //! @throws value_error for no tensors; shape_error for different sizes.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    if (in.empty()) throw value_error("stack expects a non-empty TensorList");
    expect_same_device(in, "stack");
    for (std::size_t i = 1; i < in.size(); ++i) {
      bool same = in[i].dim() == in[0].dim();
      for (std::size_t k = 0; same && k < in[0].sizes.size(); ++k)
        same = detail::holds(in[i].sizes[k] == in[0].sizes[k]);
      if (!same) {
        throw shape_error("stack expects each tensor to be equal size, but got "
                          + format_sym_sizes(in[0].sizes) + " at entry 0 and "
                          + format_sym_sizes(in[i].sizes) + " at entry " + std::to_string(i));
      }
    }
    std::int64_t const d = wrap_dim(a.dim, in[0].dim() + 1);
    std::vector<promotion_operand> operands;
    for (tensor_meta const& m : in)
      operands.push_back({m.dtype, operand_kind::dimensioned});
    sym_sizes sizes = in[0].sizes;
    sizes.insert(sizes.begin() + d, SymInt(static_cast<std::int64_t>(in.size())));
    return {tensor_meta{result_type(operands), in[0].device, std::move(sizes)}};
  }
};

//! @brief `aten::split.Tensor`: pieces of `split_size` along `dim`, the last one smaller
//! when the size does not divide; views.
//!
//! The number of pieces is a Python int in PyTorch, so on a symbolic dimension it is
//! decided from the example (a guard on the piece count, as torch.export records).
struct split {
  static constexpr std::string_view name = "aten::split.Tensor"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;            //!< decomposes to slices
  static constexpr op_tag tags = op_tag::view;                   //!< may alias its input
  static constexpr dtype_set dtypes = dtype_sets::all;           //!< supported dtypes
  //! @brief The piece size and the dimension.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (SymInt, split_size), (std::int64_t, dim));
  };
  //! @brief One meta per piece.
  //! @throws value_error for a negative `split_size`, or 0 on a non-empty dimension.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta const& x = in[0];
    if (x.dim() == 0) throw index_error("split expects at least a 1-dimensional tensor");
    auto const d = static_cast<std::size_t>(wrap_dim(a.dim, x.dim()));
    SymInt const& size = x.sizes[d];
    if (detail::holds(a.split_size < 0)) {
      throw value_error("split expects split_size be non-negative, but got split_size="
                        + a.split_size.str());
    }
    if (detail::holds(a.split_size == 0) && !detail::holds(size == 0)) {
      throw value_error(
          "split_size can only be 0 if dimension size is 0, but got dimension size of "
          + size.str());
    }
    std::int64_t pieces = 1;
    if (!detail::holds(a.split_size == 0)) {
      SymInt const count = floordiv(size + a.split_size - 1, a.split_size);
      pieces = std::max<std::int64_t>(count.guard_int(), 1);
    }
    std::vector<SymInt> sizes(static_cast<std::size_t>(pieces), a.split_size);
    sizes.back() = size - a.split_size * (pieces - 1);
    return detail::split_metas(x, d, sizes);
  }
};

//! @brief `aten::split_with_sizes`: pieces of the given sizes along `dim`, which must sum
//! to the dimension's size; views.
struct split_with_sizes {
  static constexpr std::string_view name = "aten::split_with_sizes"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                     //!< in the core set
  static constexpr op_tag tags = op_tag::view;                       //!< may alias its input
  static constexpr dtype_set dtypes = dtype_sets::all;               //!< supported dtypes
  //! @brief The piece sizes and the dimension.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::vector<SymInt>, split_sizes), (std::int64_t, dim));
  };
  //! @brief One meta per piece.
  //! @throws shape_error for a negative size or sizes that do not sum to the dimension.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta const& x = in[0];
    if (x.dim() == 0) throw index_error("split expects at least a 1-dimensional tensor");
    auto const d = static_cast<std::size_t>(wrap_dim(a.dim, x.dim()));
    SymInt total = 0;
    for (SymInt const& s : a.split_sizes) {
      if (detail::holds(s < 0)) {
        throw shape_error("split_with_sizes expects split_sizes have only non-negative entries, "
                          "but got split_sizes="
                          + detail::format_sym_vector(a.split_sizes));
      }
      total = total + s;
    }
    if (!detail::holds(total == x.sizes[d])) {
      throw shape_error("split_with_sizes expects split_sizes to sum exactly to " + x.sizes[d].str()
                        + " (input tensor's size at dimension " + std::to_string(d)
                        + "), but got split_sizes=" + detail::format_sym_vector(a.split_sizes));
    }
    return detail::split_metas(x, d, a.split_sizes);
  }
};

//! @brief `aten::chunk`: `split` with pieces of `ceil(size / chunks)` (so possibly fewer
//! than `chunks` pieces); an empty dimension gives `chunks` empty pieces.
struct chunk {
  static constexpr std::string_view name = "aten::chunk"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;     //!< decomposes to split
  static constexpr op_tag tags = op_tag::view;            //!< may alias its input
  static constexpr dtype_set dtypes = dtype_sets::all;    //!< supported dtypes
  //! @brief The number of chunks and the dimension.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, chunks), (std::int64_t, dim));
  };
  //! @brief One meta per piece.
  //! @throws value_error when `chunks` is not positive.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta const& x = in[0];
    if (x.dim() == 0) throw index_error("chunk expects at least a 1-dimensional tensor");
    if (a.chunks <= 0)
      throw value_error("chunk expects `chunks` to be greater than 0, got: "
                        + std::to_string(a.chunks));
    auto const d = static_cast<std::size_t>(wrap_dim(a.dim, x.dim()));
    SymInt const& size = x.sizes[d];
    SymInt const piece = floordiv(size + a.chunks - 1, a.chunks);
    if (detail::holds(size == 0)) {
      std::vector<SymInt> const sizes(static_cast<std::size_t>(a.chunks), SymInt(0));
      return detail::split_metas(x, d, sizes);
    }
    return split::meta(in, {piece, a.dim});
  }
};

//! @brief `aten::repeat`: tiles the input; `repeats` has at least as many entries as
//! the input has dimensions (extra ones add leading dimensions).
struct repeat {
  static constexpr std::string_view name = "aten::repeat"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;           //!< in the core set
  static constexpr op_tag tags = op_tag::none;             //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;     //!< supported dtypes
  //! @brief Repetitions per dimension.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::vector<SymInt>, repeats));
  };
  //! @brief Padded input sizes times `repeats` (`[s0, 2]` by `[2, 3]` is `[2*s0, 6]`).
  //! @throws shape_error for too few repeats or a negative one.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta const& x = in[0];
    auto const rank = static_cast<std::int64_t>(a.repeats.size());
    if (rank < x.dim()) {
      throw shape_error("Number of dimensions of repeat dims can not be smaller than number of "
                        "dimensions of tensor (repeats "
                        + detail::format_sym_vector(a.repeats) + " for a tensor of size "
                        + format_sym_sizes(x.sizes) + ")");
    }
    sym_sizes sizes;
    for (std::int64_t i = 0; i < rank; ++i) {
      SymInt const& r = a.repeats[static_cast<std::size_t>(i)];
      if (detail::holds(r < 0)) {
        throw shape_error("Trying to create tensor with negative dimension " + r.str()
                          + ": repeats " + detail::format_sym_vector(a.repeats));
      }
      std::int64_t const own = i - (rank - x.dim());
      sizes.push_back(own < 0 ? r : x.sizes[static_cast<std::size_t>(own)] * r);
    }
    return {detail::with_sizes(x, std::move(sizes))};
  }
};

//! @brief `aten::flip`: reverses the order of elements along `dims`.
struct flip {
  static constexpr std::string_view name = "aten::flip"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;         //!< in the core set
  static constexpr op_tag tags = op_tag::none;           //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;   //!< supported dtypes
  //! @brief The dimensions to reverse.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::vector<std::int64_t>, dims));
  };
  //! @brief Same sizes and dtype.
  //! @throws index_error for an out-of-range or repeated dim.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    std::vector<bool> seen(static_cast<std::size_t>(std::max<std::int64_t>(in[0].dim(), 1)), false);
    for (std::int64_t dim : a.dims) {
      auto const d = static_cast<std::size_t>(wrap_dim(dim, in[0].dim()));
      if (seen[d])
        throw index_error("dim " + std::to_string(d)
                          + " appears multiple times in the list of dims "
                          + detail::format_ints(a.dims));
      seen[d] = true;
    }
    return {in[0]};
  }
};

//! @brief The padding modes of `pad`.
enum class pad_mode : std::uint8_t {
  constant,  //!< fill with a value
  reflect,   //!< mirror without repeating the edge
  replicate, //!< repeat the edge
  circular   //!< wrap around
};

//! @brief `"constant"`, `"reflect"`, `"replicate"` or `"circular"`.
constexpr std::string_view name(pad_mode mode) noexcept {
  switch (mode) {
  case pad_mode::constant:
    return "constant";
  case pad_mode::reflect:
    return "reflect";
  case pad_mode::replicate:
    return "replicate";
  case pad_mode::circular:
    break;
  }
  return "circular";
}

//! @brief The mode named `text`.
//! @throws value_error for an unknown name, listing the known ones.
inline pad_mode parse_pad_mode(std::string_view text) {
  for (pad_mode m :
       {pad_mode::constant, pad_mode::reflect, pad_mode::replicate, pad_mode::circular}) {
    if (name(m) == text) return m;
  }
  throw value_error("Unrecognised padding mode " + std::string(text)
                    + "; expected 'constant', 'reflect', 'replicate' or 'circular'");
}

//! @brief `aten::pad`: pads (or, with negative pads, crops) the last `pad.size() / 2`
//! dimensions; `pad` lists (before, after) pairs starting from the last dimension.
//!
//! Non-constant modes pad 1 to 3 trailing dimensions of an input with one or two more
//! leading (batch, channel) dimensions, as in PyTorch; reflect pads must be smaller than
//! their dimension, circular pads no larger.
struct pad {
  static constexpr std::string_view name = "aten::pad"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;   //!< decomposes to constant_pad_nd, ...
  static constexpr op_tag tags = op_tag::none;          //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;  //!< supported dtypes
  //! @brief The pads, the mode and the fill value (constant mode only).
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::vector<SymInt>, pad), (std::string, mode),
                             (std::optional<double>, value));
  };
  //! @brief The padded sizes (`[s0, 4]` padded `[1, 2]` is `[s0, 7]`).
  //! @throws shape_error for an odd or too long `pad`, a negative result, reflect pads
  //! not smaller than the dimension, or a rank the mode does not support; value_error for
  //! an unknown mode or a value with a non-constant mode.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta const& x = in[0];
    pad_mode const mode = parse_pad_mode(a.mode);
    if (a.pad.size() % 2 != 0) throw shape_error("Padding length must be divisible by 2");
    auto const padded = static_cast<std::int64_t>(a.pad.size() / 2);
    if (padded > x.dim()) {
      throw shape_error("Padding length should be less than or equal to two times the input "
                        "dimension but got padding length "
                        + std::to_string(a.pad.size()) + " and input of dimension "
                        + std::to_string(x.dim()));
    }
    if (mode != pad_mode::constant) {
      if (a.value && *a.value != 0.0) {
        throw value_error("Padding mode \"" + a.mode
                          + "\" doesn't take in value argument (got value "
                          + std::to_string(*a.value) + ")");
      }
      if (padded < 1 || padded > 3 || x.dim() < padded + 1 || x.dim() > padded + 2) {
        throw shape_error("Padding mode \"" + a.mode + "\" with a padding length of "
                          + std::to_string(a.pad.size()) + " expects a "
                          + std::to_string(padded + 1) + "D or " + std::to_string(padded + 2)
                          + "D input, but got an input of size " + format_sym_sizes(x.sizes));
      }
    }
    sym_sizes sizes = x.sizes;
    for (std::int64_t i = 0; i < padded; ++i) {
      auto const d = static_cast<std::size_t>(x.dim() - 1 - i);
      SymInt const& before = a.pad[static_cast<std::size_t>(2 * i)];
      SymInt const& after = a.pad[static_cast<std::size_t>(2 * i + 1)];
      SymInt const& size = x.sizes[d];
      if (mode == pad_mode::reflect
          && (!detail::holds(before < size) || !detail::holds(after < size))) {
        throw shape_error("Argument #4: Padding size should be less than the corresponding input "
                          "dimension, but got: padding ("
                          + before.str() + ", " + after.str() + ") at dimension "
                          + std::to_string(d) + " of input " + format_sym_sizes(x.sizes));
      }
      if (mode == pad_mode::circular
          && (!detail::holds(before <= size) || !detail::holds(after <= size))) {
        throw shape_error("Padding value causes wrapping around more than once (padding ("
                          + before.str() + ", " + after.str() + ") at dimension "
                          + std::to_string(d) + " of input " + format_sym_sizes(x.sizes) + ")");
      }
      if (mode != pad_mode::constant && detail::holds(size == 0)) {
        throw shape_error("Padding mode \"" + a.mode + "\" needs a non-empty dimension "
                          + std::to_string(d) + ", but the input has size "
                          + format_sym_sizes(x.sizes));
      }
      SymInt const out = size + before + after;
      if (detail::holds(out < 0)) {
        throw shape_error("The input size " + size.str() + ", plus negative padding " + before.str()
                          + " and " + after.str()
                          + " resulted in a negative output size, which is invalid. Check "
                            "dimension "
                          + std::to_string(d) + " of your input.");
      }
      sizes[d] = out;
    }
    return {detail::with_sizes(x, std::move(sizes))};
  }
};

//! @brief `aten::tril`: keeps the elements on and below the `diagonal`-th diagonal of
//! the last two dimensions, zeroing the rest.
struct tril {
  static constexpr std::string_view name = "aten::tril"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;    //!< decomposes to where
  static constexpr op_tag tags = op_tag::none;           //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;   //!< supported dtypes
  //! @brief 0 is the main diagonal, positive above it, negative below.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, diagonal));
  };
  //! @brief Same sizes and dtype.
  //! @throws shape_error for an input of rank below 2.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    if (in[0].dim() < 2) {
      throw shape_error("tril: input tensor must have at least 2 dimensions, but got a tensor of "
                        "size "
                        + format_sym_sizes(in[0].sizes));
    }
    return {in[0]};
  }
};

//! @brief `aten::triu`: keeps the elements on and above the `diagonal`-th diagonal of
//! the last two dimensions, zeroing the rest.
struct triu {
  static constexpr std::string_view name = "aten::triu"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;    //!< decomposes to where
  static constexpr op_tag tags = op_tag::none;           //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;   //!< supported dtypes
  //! @brief 0 is the main diagonal, positive above it, negative below.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, diagonal));
  };
  //! @brief Same sizes and dtype.
  //! @throws shape_error for an input of rank below 2.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    if (in[0].dim() < 2) {
      throw shape_error("triu: input tensor must have at least 2 dimensions, but got a tensor of "
                        "size "
                        + format_sym_sizes(in[0].sizes));
    }
    return {in[0]};
  }
};

//! @brief `aten::slice_scatter`: a copy of `self` whose slice `[start:end:step]` along
//! `dim` holds `src` (converted to `self`'s dtype). Export records a write through a
//! slice of a buffer or input (`cache.narrow(1, pos, n).copy_(k)`) as this op.
struct slice_scatter {
  static constexpr std::string_view name = "aten::slice_scatter"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                  //!< in the core set
  static constexpr op_tag tags = op_tag::none;                    //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;            //!< supported dtypes
  using attributes = slice::attributes;                           //!< as `slice`'s
  //! @brief Inputs `(self, src)`: `self`'s meta.
  //! @throws shape_error when `src`'s sizes are not the slice's; what `slice` throws.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    expect_inputs(in, 2, "slice_scatter");
    return detail::scatter_meta(in, slice::meta(in.first(1), a).front());
  }
};

//! @brief `aten::select_scatter`: a copy of `self` whose sub-tensor at `index` along
//! `dim` holds `src` (converted to `self`'s dtype); what a write through `select` is
//! recorded as.
struct select_scatter {
  static constexpr std::string_view name = "aten::select_scatter"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                   //!< in the core set
  static constexpr op_tag tags = op_tag::none;                     //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;             //!< supported dtypes
  using attributes = select::attributes;                           //!< as `select`'s
  //! @brief Inputs `(self, src)`: `self`'s meta.
  //! @throws shape_error when `src`'s sizes are not the selection's; what `select` throws.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    expect_inputs(in, 2, "select_scatter");
    return detail::scatter_meta(in, select::meta(in.first(1), a).front());
  }
};

//! @brief The joining, splitting and copying shape ops of this header.
using shape_join_ops = op_set<cat, stack, split, split_with_sizes, chunk, repeat, flip, pad, tril,
                              triu, slice_scatter, select_scatter>;

//! @brief Every shape op (this header and `shape.hpp`). Spelled out rather than
//! `shape_view_ops::join<...>`: naming a member of an op set instantiates it, and with it
//! every op's eager entry, which needs the kernels this header does not include.
using shape_ops =
    op_set<view, reshape, flatten, unflatten, squeeze, squeeze_dims, unsqueeze, permute, transpose,
           t, expand, contiguous, slice, select, narrow, cat, stack, split, split_with_sizes, chunk,
           repeat, flip, pad, tril, triu, slice_scatter, select_scatter>;

} // namespace xport::ops
