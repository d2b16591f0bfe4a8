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
    op_set<add, sub, rsub, mul, div, div_mode, pow_tensor, pow_tensor_scalar, pow_scalar, remainder,
           remainder_scalar, remainder_scalar_tensor, maximum, minimum, eq, ne, lt, le, gt, ge,
           eq_scalar, ne_scalar, lt_scalar, le_scalar, gt_scalar, ge_scalar, logical_and,
           logical_or, logical_xor, logical_not, bitwise_and, bitwise_or, bitwise_xor, bitwise_not,
           where, masked_fill, masked_fill_tensor, clamp, clamp_tensor, neg, abs, exp, log, log1p,
           sqrt, rsqrt, reciprocal, sin, cos, tanh, sigmoid, erf, floor, ceil, round,
           round_decimals, sign, isnan, relu, leaky_relu, hardtanh, gelu, silu, softplus, add_,
           mul_, fill_, fill_tensor_, zero_, copy_, fill, fill_tensor, zero, copy>;

} // namespace xport::ops
