//! @file
//! The creation and conversion front end: `zeros`, `ones`, `empty`, `full`, `arange`
//! over `SymInt` sizes, the `_like` factories with dtype/device overrides,
//! `scalar_tensor`, `to(x, dtype)` and `clone`. Every function ends in `ops::call`.
//!
//! **Living beside core/factories.hpp.** The core factories (`xport::zeros(int_list,
//! TensorOptions)`, `arange(Scalar, ...)`, `zeros_like(t)`, ...) stay the plain C++ way
//! to make a tensor, and these overloads do not make any call ambiguous:
//! - `zeros({2, 3})` picks the core factory: both overloads need a user-defined
//!   conversion of the braces, and then the non-template core function wins over these
//!   templates; a `SymInt` element (`zeros({n, 3})`) or a `std::vector<SymInt>` is
//!   viable only here, and so picks the op;
//! - `arange(n)` picks the op only when an argument is a `SymInt`;
//! - `zeros_like(t)` is the core factory; `zeros_like(t, options)` is the op.
//! When tracing lands, the core factories will route through these ops as well (so
//! every factory call in a traced `forward` is recorded); until then only these
//! overloads are recorded.
#pragma once

#include <xport/api/call.hpp>
#include <xport/api/item.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/source_location.hpp>
#include <xport/ops/creation.hpp>

#include <concepts>
#include <optional>
#include <string>
#include <vector>

namespace xport {

namespace detail {

inline std::vector<SymInt> sym_vector(ops::sym_list values) {
  return std::vector<SymInt>(values.begin(), values.end());
}

inline std::optional<std::string> device_override(TensorOptions const& options,
                                                  Device const& current) {
  if (options.device == current) return std::nullopt;
  return options.device.str();
}

} // namespace detail

//! @brief Sizes for the op-recording factories: braces with a `SymInt` element, or any
//! contiguous container of SymInts (see the file comment for how this sits beside the
//! core factories' `int_list`).
template <class Sizes>
concept sym_sizes_argument = std::convertible_to<Sizes const&, ops::sym_list>;

//! @brief `torch.zeros(size)`, recorded as `aten::zeros`: `zeros({n, 4})`.
//! @throws shape_error for a negative size.
template <sym_sizes_argument Sizes = ops::sym_list>
Tensor zeros(Sizes const& size, TensorOptions options = {},
             source_location const& where = source_location::current()) {
  return ops::call1<ops::zeros>({detail::sym_vector(size), options.dtype, options.device.str()}, {},
                                where);
}

//! @brief `torch.ones(size)`, recorded as `aten::ones`.
//! @throws shape_error for a negative size.
template <sym_sizes_argument Sizes = ops::sym_list>
Tensor ones(Sizes const& size, TensorOptions options = {},
            source_location const& where = source_location::current()) {
  return ops::call1<ops::ones>({detail::sym_vector(size), options.dtype, options.device.str()}, {},
                               where);
}

//! @brief `torch.empty(size)`, recorded as `aten::empty.memory_format`.
//! @throws shape_error for a negative size.
template <sym_sizes_argument Sizes = ops::sym_list>
Tensor empty(Sizes const& size, TensorOptions options = {},
             source_location const& where = source_location::current()) {
  return ops::call1<ops::empty>({detail::sym_vector(size), options.dtype, options.device.str()}, {},
                                where);
}

//! @brief `torch.full(size, value)`, recorded as `aten::full`; the dtype defaults to the
//! value's category (bool, int64, float32).
//! @throws shape_error for a negative size; value_error when the value does not fit.
template <sym_sizes_argument Sizes = ops::sym_list>
Tensor full(Sizes const& size, Scalar value, TensorOptions options = {},
            source_location const& where = source_location::current()) {
  return ops::call1<ops::full>(
      {detail::sym_vector(size), value, options.dtype, options.device.str()}, {}, where);
}

//! @brief `torch.full(size, value)` for a one-element tensor `value`, read as `item()`
//! reads it: while exporting, an integer or bool `value` is recorded as
//! `aten::_local_scalar_dense` and a `full` of that data-dependent value, evaluated on
//! every call. The dtype defaults to `value`'s.
//! @throws shape_error when `value` has more than one element; unsupported_error while
//! exporting for a floating-point `value` (that would need a symbolic float).
template <sym_sizes_argument Sizes = ops::sym_list>
Tensor full(Sizes const& size, Tensor const& value, TensorOptions options = {},
            source_location const& where = source_location::current()) {
  options.dtype = options.dtype.value_or(value.dtype());
  if (!is_floating_point(value.dtype()))
    return full(size, Scalar(item_int(value, where)), options, where);
  if (value.is_fake()) {
    throw unsupported_error("full: a floating-point fill value read from a tensor while "
                            "exporting would need a symbolic float, which xport does not have; "
                            "pass a number, or an integer tensor");
  }
  if (value.numel() != 1) {
    throw shape_error("a Tensor with " + std::to_string(value.numel())
                      + " elements cannot be converted to Scalar");
  }
  return full(size, Scalar(value.to(dtype::float64).reshape(int_list{}).item<double>()), options,
              where);
}

//! @brief True when some of `Args` is `SymInt` and all convert to it: the integer
//! `arange` that records `aten::arange.start_step`.
template <class... Args>
concept sym_arange_arguments = (std::same_as<std::remove_cvref_t<Args>, SymInt> || ...)
                               && (std::convertible_to<Args const&, SymInt> && ...);

//! @brief `torch.arange(end)` for a `SymInt` end: `0, 1, ..., end - 1` (int64 unless
//! `options.dtype`).
//! @throws value_error for a negative end.
template <class End>
requires sym_arange_arguments<End>
    Tensor arange(End const& end, TensorOptions options = {},
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::arange>({0, SymInt(end), 1, options.dtype, options.device.str()}, {},
                                 where);
}

//! @brief `torch.arange(start, end, step)` with a `SymInt` among the bounds: length
//! `ceil((end - start) / step)`.
//! @throws value_error for a zero step or bounds inconsistent with its sign.
template <class Start, class End, class Step = std::int64_t>
requires sym_arange_arguments<Start, End, Step>
    Tensor arange(Start const& start, End const& end, Step const& step = 1,
                  TensorOptions options = {},
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::arange>(
      {SymInt(start), SymInt(end), SymInt(step), options.dtype, options.device.str()}, {}, where);
}

//! @brief `torch.zeros_like(x, dtype=..., device=...)`, recorded as `aten::zeros_like`.
inline Tensor zeros_like(Tensor const& x, TensorOptions options,
                         source_location const& where = source_location::current()) {
  return ops::call1<ops::zeros_like>({options.dtype, detail::device_override(options, x.device())},
                                     {x}, where);
}

//! @brief `torch.ones_like(x, dtype=..., device=...)`, recorded as `aten::ones_like`.
inline Tensor ones_like(Tensor const& x, TensorOptions options,
                        source_location const& where = source_location::current()) {
  return ops::call1<ops::ones_like>({options.dtype, detail::device_override(options, x.device())},
                                    {x}, where);
}

//! @brief `torch.empty_like(x, dtype=..., device=...)`, recorded as `aten::empty_like`.
inline Tensor empty_like(Tensor const& x, TensorOptions options,
                         source_location const& where = source_location::current()) {
  return ops::call1<ops::empty_like>({options.dtype, detail::device_override(options, x.device())},
                                     {x}, where);
}

//! @brief `torch.full_like(x, value, dtype=..., device=...)`, recorded as
//! `aten::full_like`.
//! @throws value_error when the value does not fit the dtype.
inline Tensor full_like(Tensor const& x, Scalar value, TensorOptions options,
                        source_location const& where = source_location::current()) {
  return ops::call1<ops::full_like>(
      {value, options.dtype, detail::device_override(options, x.device())}, {x}, where);
}

//! @brief `torch.scalar_tensor(s)`: a 0-dim tensor (float32 unless `options.dtype`).
//! @throws value_error when the value does not fit the dtype.
inline Tensor scalar_tensor(Scalar s, TensorOptions options = {},
                            source_location const& where = source_location::current()) {
  return ops::call1<ops::scalar_tensor>({s, options.dtype, options.device.str()}, {}, where);
}

//! @brief `x.to(dtype)`: `x` itself when it already has `type` (nothing is recorded, as
//! PyTorch's `to` aliases), otherwise a converted copy recorded as `aten::_to_copy`.
inline Tensor to(Tensor const& x, dtype type,
                 source_location const& where = source_location::current()) {
  if (x.dtype() == type) return x;
  return ops::call1<ops::to_copy>({type}, {x}, where);
}

//! @brief `x.clone()`: a contiguous copy with its own storage.
inline Tensor clone(Tensor const& x, source_location const& where = source_location::current()) {
  return ops::call1<ops::clone>({}, {x}, where);
}

} // namespace xport
