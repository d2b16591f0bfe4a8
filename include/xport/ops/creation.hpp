//! @file
//! Creation and conversion op node types: arange, zeros/ones/full/empty and their
//! `_like` forms, scalar_tensor, `_to_copy` (a dtype conversion) and clone, with meta
//! rules over symbolic sizes.
//!
//! Factories take their sizes as `SymInt`s, so a traced program can create a tensor of a
//! symbolic size (`zeros([s0, 4])`, `arange(s0)`). The device is an attribute spelled
//! as PyTorch spells it (`'cpu'`, `'cuda:0'`).
#pragma once

#include <xport/core/device.hpp>
#include <xport/core/dtype.hpp>
#include <xport/core/scalar.hpp>
#include <xport/ops/op.hpp>
#include <xport/ops/op_set.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xport::ops {

namespace detail {

// The meta of a factory's output: sizes must be non-negative. A size read from data (`u0`)
// cannot be decided while tracing; as in PyTorch, the program asserts it at runtime instead
// (`u0 >= 0`), so `full({n}, 0.0)` of an `item_int` exports without a check by hand.
inline tensor_meta factory_meta(std::string_view op, std::vector<SymInt> const& size, dtype type,
                                std::string const& device) {
  for (SymInt const& s : size) {
    if (!expect_true(s >= 0, std::string(op) + ": a size must not be negative")) {
      throw shape_error(std::string(op) + ": Trying to create tensor with negative dimension "
                        + s.str() + ": " + format_sym_sizes(size));
    }
  }
  return tensor_meta{type, Device(device), sym_sizes(size.begin(), size.end())};
}

// PyTorch's dtype for a fill value: bool, int64, or the default float32.
inline dtype scalar_default_dtype(Scalar const& value) {
  return value.is_floating_point() ? dtype::float32 : value.type();
}

// Refuses a value the dtype cannot hold (300 as uint8), as PyTorch does. A symbolic value
// is converted when the program runs, as PyTorch converts it.
inline void check_fits(Scalar const& value, dtype type) {
  if (value.is_symbolic()) return;
  visit_dtype(type, [&]<class T>() { (void)value.template to<T>(); });
}

} // namespace detail

//! @brief The attributes of `zeros`, `ones` and `empty`: sizes, dtype (float32 when
//! absent) and device.
struct sized_factory_attributes {
  BOOST_HANA_DEFINE_STRUCT(sized_factory_attributes, (std::vector<SymInt>, size),
                           (std::optional<xport::dtype>, dtype), (std::string, device));
};

//! @brief `aten::zeros`: a tensor of `size` filled with 0.
struct zeros {
  static constexpr std::string_view name = "aten::zeros"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;     //!< decomposes to full
  static constexpr op_tag tags = op_tag::none;            //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;    //!< supported dtypes
  using attributes = sized_factory_attributes;            //!< sizes, dtype, device
  //! @brief `size`, dtype (float32 by default), device.
  //! @throws shape_error for a negative size.
  static meta_list meta(std::span<tensor_meta const>, attributes const& a) {
    return {detail::factory_meta("zeros", a.size, a.dtype.value_or(dtype::float32), a.device)};
  }
};

//! @brief `aten::ones`: a tensor of `size` filled with 1.
struct ones {
  static constexpr std::string_view name = "aten::ones"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;    //!< decomposes to full
  static constexpr op_tag tags = op_tag::none;           //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;   //!< supported dtypes
  using attributes = sized_factory_attributes;           //!< sizes, dtype, device
  //! @brief `size`, dtype (float32 by default), device.
  //! @throws shape_error for a negative size.
  static meta_list meta(std::span<tensor_meta const>, attributes const& a) {
    return {detail::factory_meta("ones", a.size, a.dtype.value_or(dtype::float32), a.device)};
  }
};

//! @brief `aten::empty.memory_format`: a tensor of `size` with unspecified values.
struct empty {
  static constexpr std::string_view name = "aten::empty.memory_format"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                        //!< in the core set
  static constexpr op_tag tags = op_tag::none;                          //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;                  //!< supported dtypes
  using attributes = sized_factory_attributes;                          //!< sizes, dtype, device
  //! @brief `size`, dtype (float32 by default), device.
  //! @throws shape_error for a negative size.
  static meta_list meta(std::span<tensor_meta const>, attributes const& a) {
    return {detail::factory_meta("empty", a.size, a.dtype.value_or(dtype::float32), a.device)};
  }
};

//! @brief `aten::full`: a tensor of `size` filled with `fill_value`; the dtype defaults
//! to the value's category (bool, int64 or float32), as in PyTorch.
struct full {
  static constexpr std::string_view name = "aten::full"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;         //!< in the core set
  static constexpr op_tag tags = op_tag::none;           //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;   //!< supported dtypes
  //! @brief Sizes, fill value, dtype, device.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::vector<SymInt>, size), (Scalar, fill_value),
                             (std::optional<xport::dtype>, dtype), (std::string, device));
  };
  //! @brief `size`, the inferred or given dtype, device.
  //! @throws shape_error for a negative size; value_error when the value does not fit.
  static meta_list meta(std::span<tensor_meta const>, attributes const& a) {
    dtype const type = a.dtype.value_or(detail::scalar_default_dtype(a.fill_value));
    detail::check_fits(a.fill_value, type);
    return {detail::factory_meta("full", a.size, type, a.device)};
  }
};

//! @brief `aten::arange.start_step`: `start, start + step, ...` up to but excluding
//! `end`, of length `ceil((end - start) / step)` (`arange(0, s0, 2)` has `(s0 + 1)//2`
//! elements); int64 unless a dtype is given.
//!
//! The bounds are integers (possibly symbolic), the case shapes depend on; arange over
//! floating-point bounds is `xport::arange(Scalar, ...)` of core/factories.hpp.
struct arange {
  static constexpr std::string_view name = "aten::arange.start_step"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                      //!< in the core set
  static constexpr op_tag tags = op_tag::none;                        //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::numeric;            //!< supported dtypes
  //! @brief Bounds, step, dtype, device.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (SymInt, start), (SymInt, end), (SymInt, step),
                             (std::optional<xport::dtype>, dtype), (std::string, device));
  };
  //! @brief One dimension of the range's length.
  //! @throws value_error for a zero step, or bounds inconsistent with its sign.
  static meta_list meta(std::span<tensor_meta const>, attributes const& a) {
    if (static_cast<bool>(a.step == 0)) throw value_error("arange: step must be nonzero");
    bool const up = static_cast<bool>(a.step > 0);
    if ((up && static_cast<bool>(a.end < a.start)) || (!up && static_cast<bool>(a.end > a.start))) {
      throw value_error("arange: upper bound and larger bound inconsistent with step sign (start "
                        + a.start.str() + ", end " + a.end.str() + ", step " + a.step.str() + ")");
    }
    SymInt const distance = a.end - a.start;
    SymInt const length =
        a.step.maybe_int() == 1 ? distance : floordiv(distance + a.step + (up ? -1 : 1), a.step);
    dtype const type = a.dtype.value_or(dtype::int64);
    if (type == dtype::bool_) throw dtype_error("\"arange_cpu\" not implemented for 'Bool'");
    return {tensor_meta{type, Device(a.device), {length}}};
  }
};

//! @brief The attributes of `zeros_like`, `ones_like` and `empty_like`: dtype and
//! device overrides (absent: the input's).
struct like_attributes {
  BOOST_HANA_DEFINE_STRUCT(like_attributes, (std::optional<xport::dtype>, dtype),
                           (std::optional<std::string>, device));
};

namespace detail {
inline tensor_meta like_meta(tensor_meta const& x, std::optional<dtype> type,
                             std::optional<std::string> const& device) {
  return {type.value_or(x.dtype), device ? Device(*device) : x.device, x.sizes};
}
} // namespace detail

//! @brief `aten::zeros_like`: zeros with the input's sizes (and dtype, device unless
//! given).
struct zeros_like {
  static constexpr std::string_view name = "aten::zeros_like"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;          //!< decomposes to full_like
  static constexpr op_tag tags = op_tag::none;                 //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;         //!< supported dtypes
  using attributes = like_attributes;                          //!< dtype, device
  //! @brief The input's sizes.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {detail::like_meta(in[0], a.dtype, a.device)};
  }
};

//! @brief `aten::ones_like`: ones with the input's sizes (and dtype, device unless
//! given).
struct ones_like {
  static constexpr std::string_view name = "aten::ones_like"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;         //!< decomposes to full_like
  static constexpr op_tag tags = op_tag::none;                //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;        //!< supported dtypes
  using attributes = like_attributes;                         //!< dtype, device
  //! @brief The input's sizes.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {detail::like_meta(in[0], a.dtype, a.device)};
  }
};

//! @brief `aten::empty_like`: unspecified values with the input's sizes (and dtype,
//! device unless given).
struct empty_like {
  static constexpr std::string_view name = "aten::empty_like"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;               //!< in the core set
  static constexpr op_tag tags = op_tag::none;                 //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;         //!< supported dtypes
  using attributes = like_attributes;                          //!< dtype, device
  //! @brief The input's sizes.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    return {detail::like_meta(in[0], a.dtype, a.device)};
  }
};

//! @brief `aten::full_like`: `fill_value` with the input's sizes (and dtype, device
//! unless given).
struct full_like {
  static constexpr std::string_view name = "aten::full_like"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;              //!< in the core set
  static constexpr op_tag tags = op_tag::none;                //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;        //!< supported dtypes
  //! @brief Fill value, dtype, device.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (Scalar, fill_value), (std::optional<xport::dtype>, dtype),
                             (std::optional<std::string>, device));
  };
  //! @brief The input's sizes.
  //! @throws value_error when the value does not fit the dtype.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta out = detail::like_meta(in[0], a.dtype, a.device);
    detail::check_fits(a.fill_value, out.dtype);
    return {out};
  }
};

//! @brief `aten::scalar_tensor`: a 0-dim tensor holding `s` (float32 unless a dtype is
//! given, as in PyTorch).
struct scalar_tensor {
  static constexpr std::string_view name = "aten::scalar_tensor"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                  //!< in the core set
  static constexpr op_tag tags = op_tag::none;                    //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;            //!< supported dtypes
  //! @brief Value, dtype, device.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (Scalar, s), (std::optional<xport::dtype>, dtype),
                             (std::string, device));
  };
  //! @brief A 0-dim meta.
  //! @throws value_error when the value does not fit the dtype.
  static meta_list meta(std::span<tensor_meta const>, attributes const& a) {
    dtype const type = a.dtype.value_or(dtype::float32);
    detail::check_fits(a.s, type);
    return {tensor_meta{type, Device(a.device), {}}};
  }
};

//! @brief `aten::_to_copy`: a converted copy (what `x.to(dtype)` records when the dtype
//! changes).
struct to_copy {
  static constexpr std::string_view name = "aten::_to_copy"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;             //!< in the core set
  static constexpr op_tag tags = op_tag::none;               //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;       //!< supported dtypes
  //! @brief The target dtype (absent: the input's).
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::optional<xport::dtype>, dtype));
  };
  //! @brief The input's sizes in the target dtype.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta out = in[0];
    out.dtype = a.dtype.value_or(out.dtype);
    return {out};
  }
};

//! @brief `aten::clone`: a contiguous copy with its own storage.
struct clone {
  static constexpr std::string_view name = "aten::clone"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;          //!< in the core set
  static constexpr op_tag tags = op_tag::none;            //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;    //!< supported dtypes
  using attributes = no_attributes;                       //!< none
  //! @brief Same sizes and dtype.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) { return {in[0]}; }
};

//! @brief The creation and conversion ops of this header.
using creation_ops = op_set<zeros, ones, empty, full, arange, zeros_like, ones_like, empty_like,
                            full_like, scalar_tensor, to_copy, clone>;

} // namespace xport::ops
