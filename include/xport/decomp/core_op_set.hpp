//! @file
//! `core_op_set`: the ops of `default_op_set` marked `op_kind::core` — xport's Core IR,
//! in the spirit of PyTorch's Core ATen IR: functional ops only (no in-place or `out=`
//! forms), what backends implement and what `run_decompositions` lowers programs to.
//! The table with each op's schema is in docs/decomp.md.
#pragma once

#include <xport/ops/default_op_set.hpp>

#include <type_traits>

namespace xport::decomp {

//! @cond
namespace detail {
template <class Acc, class... Ops>
struct filter_core {
  using type = Acc;
};
template <class... Acc, class Op, class... Rest>
struct filter_core<ops::op_set<Acc...>, Op, Rest...> {
  using type =
      typename filter_core<std::conditional_t<Op::kind == ops::op_kind::core,
                                              ops::op_set<Acc..., Op>, ops::op_set<Acc...>>,
                           Rest...>::type;
};
template <class Set>
struct core_of;
template <ops::op... Ops>
struct core_of<ops::op_set<Ops...>> {
  using type = typename filter_core<ops::op_set<>, Ops...>::type;
};
} // namespace detail
//! @endcond

//! @brief The ops of `Set` whose kind is `op_kind::core`, in order.
template <class Set>
using core_ops_of = typename detail::core_of<Set>::type;

//! @brief xport's core op set: every core op of `ops::default_op_set`.
using core_op_set = core_ops_of<ops::default_op_set>;

} // namespace xport::decomp
