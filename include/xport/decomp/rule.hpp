//! @file
//! What a decomposition rule is — the op it rewrites, the ops it may emit (a type list)
//! and a function over tensors — and the compile-time proof that a list of rules lowers
//! every op it reaches to core ops: every emitted op is core or has a rule of the list,
//! and no rule reaches itself again.
//!
//! @code
//! struct my_scale_rule {
//!   using op = my_scale;
//!   using emits = xport::ops::op_set<xport::ops::mul>;
//!   static xport::ops::tensor_list apply(my_scale::attributes const& a,
//!                                        std::span<xport::Tensor const> in);
//! };
//! static_assert(xport::decomp::closed<xport::decomp::rule_list<my_scale_rule>>);
//! @endcode
#pragma once

#include <xport/api/call.hpp>
#include <xport/core/error.hpp>
#include <xport/ops/op_set.hpp>

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>

namespace xport::decomp {

//! @brief Raised when decomposing fails: a rule would add a guard on the program's
//! symbols, a rule's result does not match the op's meta, or a program is not in the
//! dialect a verifier expects.
class decomposition_error : public error {
public:
  using error::error;
};

//! @brief A decomposition rule: `op` (the op it rewrites), `emits` (an `op_set` of the
//! ops its `apply` may call) and `apply(attributes, inputs)`, which computes the op's
//! outputs with other ops through `ops::call` (so it runs eagerly on real tensors and
//! records nodes on fake ones). Sizes must be read with `sym_size`, never `size`.
template <class R>
concept rule = ops::op<typename R::op> && requires(typename R::op::attributes const& a,
                                                   std::span<Tensor const> in) {
  typename R::emits;
  { R::apply(a, in) } -> std::same_as<ops::tensor_list>;
};

//! @brief A list of rules (one per op).
template <rule... Rules>
struct rule_list {
  //! @brief The number of rules.
  static constexpr std::size_t size = sizeof...(Rules);
  //! @brief True when a rule of the list rewrites `Op`.
  template <class Op>
  static constexpr bool decomposes = (std::is_same_v<Op, typename Rules::op> || ...);
  //! @brief This list with `More` appended.
  template <rule... More>
  using extend = rule_list<Rules..., More...>;
  //! @brief Calls `f.template operator()<Rule>()` for every rule, in order.
  template <class F>
  static constexpr void for_each(F&& f) {
    (f.template operator()<Rules>(), ...);
  }
};

//! @cond
namespace detail {

template <class List>
struct rule_graph;

template <rule... Rules>
struct rule_graph<rule_list<Rules...>> {
  static constexpr std::size_t n = sizeof...(Rules);
  using list = rule_list<Rules...>;

  template <class Op>
  static constexpr std::size_t index_of() {
    constexpr bool match[] = {false, std::is_same_v<Op, typename Rules::op>...};
    for (std::size_t i = 0; i < n; ++i)
      if (match[i + 1]) return i;
    return n;
  }

  // An op is covered when it is core or a rule of the list rewrites it.
  template <class Op>
  static constexpr bool covered = Op::kind == ops::op_kind::core || list::template decomposes<Op>;

  template <class Rule>
  static constexpr bool emits_covered() {
    bool ok = true;
    Rule::emits::for_each([&]<class Op>() { ok = ok && covered<Op>; });
    return ok;
  }

  static constexpr bool all_covered = (emits_covered<Rules>() && ...);

  // edges[i][j]: rule i emits the op of rule j.
  static constexpr auto edges = [] {
    std::array<std::array<bool, n == 0 ? 1 : n>, n == 0 ? 1 : n> e{};
    std::size_t i = 0;
    (
        [&] {
          Rules::emits::for_each([&]<class Op>() {
            if (std::size_t const j = index_of<Op>(); j < n) e[i][j] = true;
          });
          ++i;
        }(),
        ...);
    return e;
  }();

  // Kahn's algorithm: every rule can be ordered after the rules it emits.
  static constexpr bool acyclic = [] {
    if constexpr (n == 0) {
      return true;
    } else {
      std::array<std::size_t, n> pending{};
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
          pending[i] += edges[i][j] ? 1 : 0;
      std::array<bool, n> done{};
      for (std::size_t round = 0; round < n; ++round) {
        bool progress = false;
        for (std::size_t i = 0; i < n; ++i) {
          if (done[i] || pending[i] != 0) continue;
          done[i] = progress = true;
          for (std::size_t k = 0; k < n; ++k)
            if (edges[k][i]) --pending[k];
        }
        if (!progress) break;
      }
      for (bool d : done)
        if (!d) return false;
      return true;
    }
  }();

  // Compares types, not schema addresses: address comparisons of distinct variables
  // are not constant expressions under sanitizers.
  template <class Op>
  static constexpr std::size_t rules_for = (std::size_t{0} + ...
                                            + std::size_t{std::is_same_v<Op, typename Rules::op>});

  static constexpr bool unique_ops = ((rules_for<typename Rules::op> == 1) && ...);
};

template <class Rule, class Op>
struct emits_undecomposable_op {
  static_assert(Op::kind == ops::op_kind::core,
                "xport: a decomposition rule emits an op that is neither core nor rewritten by "
                "a rule of the table; add a rule for that op or do not emit it");
  static constexpr bool value = true;
};

template <class List, class Rule>
constexpr bool check_rule_emits() {
  bool ok = true;
  Rule::emits::for_each([&]<class Op>() {
    if constexpr (!List::template decomposes<Op>)
      ok = ok && emits_undecomposable_op<Rule, Op>::value;
  });
  return ok;
}

} // namespace detail
//! @endcond

//! @brief True when the rules of `List` lower everything they reach to core ops: each
//! emitted op is core or rewritten by a rule of the list, no two rules rewrite one op,
//! and no chain of rules comes back to an op it started from.
template <class List>
inline constexpr bool closed = detail::rule_graph<List>::all_covered&&
    detail::rule_graph<List>::acyclic&& detail::rule_graph<List>::unique_ops;

//! @brief `closed<List>` as compile errors that say which property fails; an emitted op
//! that is neither core nor rewritten is named (with its rule) in the compiler's
//! instantiation notes.
template <class List>
constexpr bool assert_closed() {
  constexpr bool emits_ok = [] {
    bool ok = true;
    List::for_each([&]<class Rule>() { ok = detail::check_rule_emits<List, Rule>() && ok; });
    return ok;
  }();
  static_assert(detail::rule_graph<List>::unique_ops,
                "xport: two decomposition rules of one table rewrite the same op");
  static_assert(detail::rule_graph<List>::acyclic,
                "xport: decomposition rules form a cycle (a rule emits, directly or through "
                "other rules, the op it rewrites)");
  return emits_ok;
}

} // namespace xport::decomp
