//! @file
//! `default_op_set`: every op xport defines, as one op set — what exported programs are
//! validated and (later) loaded against. Custom ops join with
//! `default_op_set::extend<my_op>`. Node types and meta rules only; the CPU kernels are
//! registered by `<xport/kernels/cpu/all.hpp>`.
#pragma once

#include <xport/ops/attention.hpp>
#include <xport/ops/control_flow.hpp>
#include <xport/ops/conv.hpp>
#include <xport/ops/creation.hpp>
#include <xport/ops/data_dependent.hpp>
#include <xport/ops/dropout.hpp>
#include <xport/ops/elementwise.hpp>
#include <xport/ops/embedding.hpp>
#include <xport/ops/indexing.hpp>
#include <xport/ops/linalg.hpp>
#include <xport/ops/norm.hpp>
#include <xport/ops/op_set.hpp>
#include <xport/ops/pool.hpp>
#include <xport/ops/reduction.hpp>
#include <xport/ops/shape_join.hpp>

namespace xport::ops {

//! @brief Every op of xport: elementwise, reductions, linear algebra, convolution,
//! pooling, normalization, embedding, dropout, attention, shapes, creation, indexing and
//! data-dependent ops, and control flow (`higher_order::cond`) (names are unique: checked at
//! compile time).
using default_op_set =
    elementwise_ops::join<reduction_ops>::join<linalg_ops>::join<conv_ops>::join<pool_ops>::join<
        norm_ops>::join<embedding_ops>::join<dropout_ops>::join<attention_ops>::join<shape_ops>::
        join<creation_ops>::join<indexing_ops>::join<data_dependent_ops>::join<control_flow_ops>;

//! @cond
namespace detail {
// Every op of xport states its tags and dtypes, and its tags agree with its shape: an
// in-place op names its functional op, a higher-order op counts its sub-graphs.
template <class Op>
constexpr bool check_declaration() {
  static_assert(fully_declared<Op>, "xport: every op of xport declares its tags and dtypes");
  static_assert(has_tag(tags_of<Op>, op_tag::in_place) == in_place_op<Op>,
                "xport: an op is tagged in_place exactly when it names its functional op");
  static_assert(has_tag(tags_of<Op>, op_tag::higher_order) == higher_order_op<Op>,
                "xport: an op is tagged higher_order exactly when it has sub-graphs");
  static_assert(!dtypes_of<Op>.empty(), "xport: an op declares at least one dtype");
  return true;
}
inline constexpr bool declarations_checked = [] {
  default_op_set::for_each([]<class Op>() { check_declaration<Op>(); });
  return true;
}();
} // namespace detail
//! @endcond

} // namespace xport::ops
