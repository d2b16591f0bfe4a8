//! @file
//! How front-end functions call ops: `ops::call<Op>` runs the op eagerly (meta rule, then
//! the registered kernel, `<xport/kernels/eager.hpp>`), unless an `op_interceptor` (the
//! tracer) is active on this thread, in which case the call is handed to it in boxed
//! form with the user's source location.
//!
//! Every front end (`xport::add`, `a + b`, `xport::view`, ...) ends in `call<Op>`; it
//! lives with the front ends because it reaches the kernels, which the op declarations
//! below it must not.
#pragma once

#include <xport/core/source_location.hpp>
#include <xport/kernels/eager.hpp>
#include <xport/ops/interceptor.hpp>

#include <initializer_list>
#include <span>
#include <utility>

namespace xport::ops {

//! @brief Calls `Op` on `inputs`: eagerly, or through the active interceptor.
template <op Op>
tensor_list call(typename Op::attributes attributes, std::span<Tensor const> inputs,
                 source_location const& where) {
  if (op_interceptor* interceptor = active_interceptor()) [[unlikely]]
    return interceptor->intercept(boxed_attributes::of<Op>(std::move(attributes)), inputs, where);
  return kernels::eager_call<Op>(attributes, inputs);
}

//! @brief Calls the op of `attributes` (a boxed call: a graph node's op) on `inputs`:
//! eagerly, or through the active interceptor.
inline tensor_list call(boxed_attributes const& attributes, std::span<Tensor const> inputs,
                        source_location const& where) {
  if (op_interceptor* interceptor = active_interceptor()) [[unlikely]]
    return interceptor->intercept(attributes, inputs, where);
  return kernels::eager_call(attributes, inputs);
}

//! @brief `call` for the common case of listed inputs and one output.
template <op Op>
Tensor call1(typename Op::attributes attributes, std::initializer_list<Tensor> inputs,
             source_location const& where) {
  tensor_list out = call<Op>(std::move(attributes),
                             std::span<Tensor const>(inputs.begin(), inputs.size()), where);
  return std::move(out.front());
}

} // namespace xport::ops
