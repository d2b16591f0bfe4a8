//! @file
//! The control-flow ops, PyTorch's higher-order ops: `higher_order::cond` (one of two
//! branches), `higher_order::while_loop` (a loop over carried values) and
//! `higher_order::map_impl` (a function over the leading dim), each declared in a header
//! of its own on the concept of `<xport/ops/higher_order.hpp>`; and `control_flow_ops`,
//! their op set. The front ends are in `<xport/api/control_flow.hpp>`.
#pragma once

#include <xport/ops/cond.hpp>
#include <xport/ops/map.hpp>
#include <xport/ops/op_set.hpp>
#include <xport/ops/while_loop.hpp>

namespace xport::ops {

//! @brief The control-flow ops, as an op set.
using control_flow_ops = op_set<cond, while_loop, map_impl>;

} // namespace xport::ops
