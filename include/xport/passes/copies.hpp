//! @file
//! `reshape_copies`: a `view` of a `clone` that nothing else reads becomes one `reshape`
//! of the clone's input.
//!
//! Graphs carry no strides, so decomposition lowers `reshape` to `clone` + `view`: the
//! copy makes the view valid for every layout. At run time the layout is known, and
//! `reshape` copies only when the strides do not allow a view (the plan then keeps the
//! view, made once per size signature). For the heads of an attention, split from one
//! projection and viewed as [batch, seq, heads, dim], that is three copies saved per call.
//!
//! Kept as a copy: a view the graph returns, itself or through more views (the reshape
//! could alias an input), and every such pair in a graph with an in-place op (a view
//! would see the op's writes where the copy does not).
#pragma once

#include <xport/ops/creation.hpp>
#include <xport/ops/shape.hpp>
#include <xport/passes/rewrite.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace xport::passes {

//! @brief Rewrites each `view(clone(x))` whose clone has no other reader into
//! `reshape(x)` (see the file comment); returns what it rewrote. The replaced nodes
//! stay, unused: `graph::Graph::eliminate_dead_code` removes them.
inline rewrites reshape_copies(graph::Graph& g) {
  rewrites out;
  auto const& nodes = g.nodes();
  for (graph::node const& n : nodes)
    if (n.target && has_tag(n.target->schema().tags, ops::op_tag::in_place)) return out;
  detail::readers_of const readers(g);
  // Which nodes the graph returns, or views of which it returns.
  std::vector<bool> returned = readers.returned;
  for (std::size_t i = nodes.size(); i-- > 0;) {
    graph::node const& n = nodes[i];
    if (!returned[i] || !n.target || !has_tag(n.target->schema().tags, ops::op_tag::view)) continue;
    for (graph::argument const& a : n.args)
      if (a) returned[a->node] = true;
  }
  std::vector<std::uint32_t> found;
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    graph::node const& n = nodes[i];
    if (!detail::is<ops::view>(n) || returned[i] || n.args.empty()) continue;
    graph::node const* copy = detail::made_by<ops::clone>(g, n.args[0]);
    if (copy && readers.count[n.args[0]->node] == 1 && copy->args[0]) found.push_back(i);
  }
  // Last first: an insertion moves only the nodes after it.
  for (auto it = found.rbegin(); it != found.rend(); ++it) {
    graph::node const view = g.at(*it);
    graph::argument const input = g.at(view.args[0]->node).args[0];
    std::uint32_t const made = detail::insert_call(
        g, *it, ops::boxed_attributes::of<ops::reshape>(view.target->get<ops::view>()), {input},
        view.values[0], view);
    detail::replace_node(g, made + 1, {made, 0},
                         "a copy made only to be viewed is a reshape, which copies only when "
                         "the strides need it",
                         out);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

} // namespace xport::passes
