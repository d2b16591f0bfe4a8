//! @file
//! `item_int`: the value of a one-element integer tensor as a `SymInt` — a plain integer
//! eagerly, a data-dependent symbol (`u0`) when traced, which `xport::check` can bound and
//! later ops can use as a size (PyTorch's `x.item()` under export).
#pragma once

#include <xport/api/call.hpp>
#include <xport/api/data_dependent.hpp>

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

} // namespace xport
