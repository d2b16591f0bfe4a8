//! @file
//! The elementwise op family: binary arithmetic, comparisons, logical and bitwise ops,
//! unary math and activations, `where`/`masked_fill`/`clamp`, and the in-place forms —
//! and `elementwise_ops`, their op set.
#pragma once

#include <xport/ops/elementwise_binary.hpp>
#include <xport/ops/elementwise_common.hpp>
#include <xport/ops/elementwise_inplace.hpp>
#include <xport/ops/elementwise_select.hpp>
#include <xport/ops/elementwise_unary.hpp>
#include <xport/ops/op_set.hpp>

namespace xport::ops {

//! @brief Every elementwise op, as an op set.
using elementwise_ops =
    arithmetic_ops::join<comparison_ops>::join<select_ops>::join<unary_ops>::join<inplace_ops>;

} // namespace xport::ops
