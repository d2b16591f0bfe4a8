//! @file
//! `remove_noops`: makes the readers of nodes that return their input unchanged read
//! the input itself, so the plan neither runs them nor keeps their memory:
//! - `dropout` in eval mode or with `p == 0` (PyTorch returns the input itself);
//! - views that change nothing: `view`, `reshape`, `expand`, `flatten`, `unflatten`,
//!   `squeeze`, `slice` to the same sizes, `permute` by the identity, `transpose` of a
//!   dim with itself;
//! - `contiguous` of a value an op just made (ops write contiguous outputs), or of a view
//!   of it that keeps it contiguous (`view`, `reshape`, `flatten`, `unflatten`,
//!   `squeeze`, `unsqueeze`);
//! - `clone` of such a value when the clone is the only reader of it and of the views
//!   between, and the graph returns none of them (decomposition turns eval-mode dropout
//!   into `clone`, often of the `view` a `linear` ends with): nothing can tell the copy
//!   from the original.
//!
//! A node the graph returns stays when removing it would return an input itself.
#pragma once

#include <xport/ops/creation.hpp>
#include <xport/ops/dropout.hpp>
#include <xport/ops/shape.hpp>
#include <xport/passes/rewrite.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace xport::passes {

//! @cond
namespace detail {

// Equal dtypes and sizes (as numbers or as canonical expressions).
inline bool same_sizes(ops::tensor_meta const& a, ops::tensor_meta const& b) {
  return a.dtype == b.dtype && std::ranges::equal(a.sizes, b.sizes, same_size);
}

// Written by an op into memory of its own: contiguous, aliasing nothing. Not a view, an
// in-place op (it returns its input), a higher-order op (its bodies return anything) or
// dropout (the identity in eval mode).
inline bool fresh(graph::Graph const& g, graph::value_ref v) {
  graph::node const& n = g.at(v.node);
  if (n.op != graph::node_op::call_function || is<ops::dropout>(n)) return false;
  ops::op_tag const tags = n.target->schema().tags;
  return !has_tag(tags, ops::op_tag::view) && !has_tag(tags, ops::op_tag::in_place)
         && !has_tag(tags, ops::op_tag::higher_order);
}

// A view that keeps a contiguous input contiguous: it only splits, merges, adds or
// drops dims of size one, in order.
inline bool keeps_contiguous(graph::node const& n) {
  return n.op == graph::node_op::call_function && n.values.size() == 1 && !n.args.empty()
         && n.args[0]
         && (is<ops::view>(n) || is<ops::reshape>(n) || is<ops::flatten>(n) || is<ops::unflatten>(n)
             || is<ops::squeeze>(n) || is<ops::squeeze_dims>(n) || is<ops::unsqueeze>(n));
}

// Why node `n` (a call with one output, reading `n.args[0]`) returns its input
// unchanged, or nothing when it may not.
inline std::optional<std::string> identity_reason(graph::Graph const& g, graph::node const& n,
                                                  readers_of const& r) {
  graph::value_ref const in = *n.args[0];
  if (is<ops::dropout>(n)) {
    auto const& a = n.target->get<ops::dropout>();
    if (!a.train) return "dropout in eval mode is the identity";
    if (a.p == 0.0) return "dropout with p = 0 is the identity";
    return std::nullopt;
  }
  if (!same_sizes(g.meta(in), n.values[0])) return std::nullopt;
  if (is<ops::view>(n) || is<ops::reshape>(n) || is<ops::expand>(n) || is<ops::flatten>(n)
      || is<ops::unflatten>(n) || is<ops::squeeze>(n) || is<ops::squeeze_dims>(n)
      || is<ops::slice>(n))
    return "a view to the same sizes is the identity";
  auto const rank = static_cast<std::int64_t>(n.values[0].sizes.size());
  auto const wrap = [rank](std::int64_t d) { return d < 0 ? d + rank : d; };
  if (is<ops::permute>(n)) {
    auto const& dims = n.target->get<ops::permute>().dims;
    for (std::size_t d = 0; d < dims.size(); ++d)
      if (wrap(dims[d]) != static_cast<std::int64_t>(d)) return std::nullopt;
    return "a permutation by the identity is the identity";
  }
  if (is<ops::transpose>(n)) {
    auto const& a = n.target->get<ops::transpose>();
    if (wrap(a.dim0) != wrap(a.dim1)) return std::nullopt;
    return "a transpose of a dim with itself is the identity";
  }
  if (!is<ops::contiguous>(n) && !is<ops::clone>(n)) return std::nullopt;
  // The value an op wrote, through the views that keep it contiguous (`in` itself when
  // fresh), and whether nothing else reads or returns any of them.
  graph::value_ref base = in;
  bool alone = true;
  while (!fresh(g, base)) {
    graph::node const& view = g.at(base.node);
    if (!keeps_contiguous(view)) return std::nullopt;
    alone = alone && r.count[base.node] == 1 && !r.returned[base.node];
    base = *view.args[0];
  }
  alone = alone && r.count[base.node] == 1 && !r.returned[base.node];
  if (is<ops::contiguous>(n)) return "the output of an op is contiguous already";
  if (alone) return "a clone of a value nothing else reads is that value";
  return std::nullopt;
}

} // namespace detail
//! @endcond

//! @brief Makes the readers of every node that returns its input unchanged (see the file
//! comment) read that input; returns what it rewrote. The nodes stay, unused:
//! `graph::Graph::eliminate_dead_code` removes them.
inline rewrites remove_noops(graph::Graph& g) {
  auto const& nodes = g.nodes();
  detail::readers_of r(g);
  rewrites out;
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    graph::node const& n = nodes[i];
    if (n.op != graph::node_op::call_function || n.values.size() != 1 || n.args.empty()
        || !n.args[0] || n.scalar)
      continue;
    std::optional<std::string> why = detail::identity_reason(g, n, r);
    if (!why) continue;
    graph::value_ref const in = *n.args[0];
    if (r.returned[i] && nodes[in.node].op == graph::node_op::placeholder) continue;
    // The input gains this node's readers (and its place among the returned values).
    r.count[in.node] += r.count[i] - 1;
    r.returned[in.node] = r.returned[in.node] || r.returned[i];
    detail::replace_node(g, i, in, std::move(*why), out);
  }
  return out;
}

} // namespace xport::passes
