//! @file
//! `eliminate_common_subexpressions`: a call of the same op, with equal attributes, on
//! the same values as an earlier call computes the same values (ops in a functional graph
//! are pure), so its readers read the earlier call's outputs. Calls that draw random
//! numbers, depend on data for their sizes, carry sub-graphs or write in place are never
//! merged, no call is merged with one before a write in place, and no call whose value
//! is written in place (itself or through views) is merged at all (a graph loaded from
//! PyTorch's training IR keeps `copy_` and `add_` on views: two `zeros` written
//! differently are two tensors).
#pragma once

#include <xport/passes/rewrite.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

namespace xport::passes {

//! @cond
namespace detail {

inline bool mergeable(graph::node const& n) {
  if (n.op != graph::node_op::call_function || n.values.empty() || n.scalar) return false;
  ops::op_schema const& schema = n.target->schema();
  return !has_tag(schema.tags, ops::op_tag::random)
         && !has_tag(schema.tags, ops::op_tag::data_dependent)
         && !has_tag(schema.tags, ops::op_tag::higher_order)
         && !has_tag(schema.tags, ops::op_tag::in_place);
}

inline std::size_t call_hash(graph::node const& n) {
  std::size_t h = n.target->hash();
  for (graph::argument const& a : n.args) {
    std::size_t const v = a ? (std::size_t{a->node} << 8U) ^ a->index : ~std::size_t{0};
    h ^= std::hash<std::size_t>{}(v) + 0x9e3779b97f4a7c15ULL + (h << 6U) + (h >> 2U);
  }
  return h;
}

} // namespace detail
//! @endcond

//! @brief Makes the readers of every call that repeats an earlier one (same op, equal
//! attributes, same inputs) read the earlier call's outputs; returns what it rewrote.
//! The repeats stay, unused: `graph::Graph::eliminate_dead_code` removes them.
inline rewrites eliminate_common_subexpressions(graph::Graph& g) {
  auto const& nodes = g.nodes();
  std::vector<bool> const written = written_in_place(g);
  std::unordered_multimap<std::size_t, std::uint32_t> seen;
  rewrites out;
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    graph::node const& n = nodes[i];
    if (n.target && has_tag(n.target->schema().tags, ops::op_tag::in_place)) seen.clear();
    if (written[i] || !detail::mergeable(n)) continue;
    std::size_t const h = detail::call_hash(n);
    auto [first, last] = seen.equal_range(h);
    auto const same = std::find_if(first, last, [&](auto const& entry) {
      graph::node const& m = nodes[entry.second];
      return m.args == n.args && *m.target == *n.target && m.values.size() == n.values.size();
    });
    if (same == last) {
      seen.emplace(h, i);
      continue;
    }
    std::uint32_t const kept = same->second;
    for (std::uint32_t o = 0; o < n.values.size(); ++o)
      g.replace_uses({i, o}, {kept, o});
    out.push_back({n.name, nodes[kept].name, "the same op on the same inputs"});
  }
  return out;
}

} // namespace xport::passes
