//! @file
//! The elementwise front end: arithmetic, comparisons, logical and bitwise ops, unary
//! math and activations, `where`/`masked_fill`/`clamp`, the in-place forms, and the
//! operators on `Tensor`. Every function ends in `ops::call`, so it runs eagerly on real
//! tensors and is recorded when traced.
#pragma once

#include <xport/api/elementwise_binary.hpp>
#include <xport/api/elementwise_inplace.hpp>
#include <xport/api/elementwise_operators.hpp>
#include <xport/api/elementwise_select.hpp>
#include <xport/api/elementwise_unary.hpp>
#include <xport/ops/elementwise.hpp>
