//! @file
//! `item_int`: the value of a one-element integer tensor as a `SymInt` — a plain integer
//! eagerly, a data-dependent symbol (`u0`) when traced, which `xport::check` can bound and
//! later ops can use as a size (PyTorch's `x.item()` under export); `tolist`, the values
//! of a 1-D integer tensor.
#pragma once

#include <xport/api/call.hpp>
#include <xport/api/data_dependent.hpp>
#include <xport/api/shape.hpp>

#include <cstdint>
#include <vector>

namespace xport {

//! @brief The value of the one-element integer tensor `x` as a SymInt, recorded as
//! `aten::_local_scalar_dense`.
//! @code
//! SymInt n = xport::item_int(count);
//! xport::check(n >= 0); xport::check(n <= 16);
//! Tensor head = xport::slice(x, 0, 0, n);
//! @endcode
//! @throws shape_error when `x` does not have exactly one element; data_dependent_error
//! for a floating-point tensor while tracing.
inline SymInt item_int(Tensor const& x, source_location const& where = source_location::current()) {
  Tensor const scalar = ops::call1<ops::local_scalar_dense>({}, {x}, where);
  if (scalar.is_fake()) return ops::active_interceptor()->scalar_value(scalar, where);
  return scalar.item<std::int64_t>();
}

//! @brief The values of the 1-D integer tensor `x` as SymInts (PyTorch's `x.tolist()`):
//! one `select` and one `item_int` per element, so each is a data-dependent symbol when
//! traced. The number of elements is read as an integer (a symbolic size is specialized,
//! with a guard, as PyTorch's `tolist` does).
//! @code
//! auto const sizes = xport::tolist(xs); // u0, u1, u2
//! Tensor y = xport::empty({sizes[0], sizes[1], sizes[2]});
//! @endcode
//! @throws shape_error when `x` is not 1-D; data_dependent_error for a floating-point
//! tensor while tracing.
inline std::vector<SymInt> tolist(Tensor const& x,
                                  source_location const& where = source_location::current()) {
  if (x.dim() != 1) {
    throw shape_error("tolist: xport reads the values of a 1-D tensor, but the tensor has "
                      + std::to_string(x.dim()) + " dims; flatten it first");
  }
  std::int64_t const n = x.sym_size(0).guard_int(where);
  std::vector<SymInt> values;
  values.reserve(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    values.push_back(item_int(select(x, 0, i, where), where));
  return values;
}

} // namespace xport
