//! @file
//! What a graph pass reports: one `rewrite` per node it made unused, naming the value
//! that replaced it and why; and the graph edits the passes of this layer share.
#pragma once

#include <xport/graph/graph.hpp>
#include <xport/sym/sym_node.hpp>

#include <cstdint>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

namespace xport::passes {

//! @brief One node a pass made unused: every reader of its output now reads `kept`.
struct rewrite {
  std::string node;   //!< the node's name (`dropout_1`)
  std::string kept;   //!< the value its readers read instead (`relu`)
  std::string reason; //!< why they are the same (`dropout in eval mode is the identity`)
};

//! @brief The rewrites of one pass, in graph order.
using rewrites = std::vector<rewrite>;

//! @brief By node: whether an in-place call writes the node's value, directly or through
//! views of it (a graph read from PyTorch's training IR keeps `copy_` and `add_` on views;
//! graphs xport records are functional and have none).
inline std::vector<bool> written_in_place(graph::Graph const& g) {
  auto const& nodes = g.nodes();
  std::vector<bool> written(nodes.size(), false);
  for (graph::node const& n : nodes) {
    if (!n.target || !has_tag(n.target->schema().tags, ops::op_tag::in_place) || n.args.empty()
        || !n.args.front())
      continue;
    for (std::uint32_t v = n.args.front()->node;; v = nodes[v].args.front()->node) {
      written[v] = true;
      graph::node const& m = nodes[v];
      if (!m.target || !has_tag(m.target->schema().tags, ops::op_tag::view) || m.args.empty()
          || !m.args.front())
        break;
    }
  }
  return written;
}

//! @cond
namespace detail {
// Equal sizes, as numbers or as canonical expressions.
inline bool same_size(SymInt const& a, SymInt const& b) {
  if (!a.is_symbolic() && !b.is_symbolic()) return *a.maybe_int() == *b.maybe_int();
  return sym::expr_of(a) == sym::expr_of(b);
}

// A scalar attribute's value as a double; empty when it is symbolic (known only when the
// program runs), so a pattern that needs a number does not match.
inline std::optional<double> known(Scalar const& s) {
  if (s.is_symbolic()) return std::nullopt;
  return s.to<double>();
}

template <ops::op Op>
bool is(graph::node const& n) {
  return n.target && &n.target->schema() == &ops::schema_of<Op>;
}

// The node that makes `v` as the only output of a call of `Op`, else null.
template <ops::op Op>
graph::node const* made_by(graph::Graph const& g, graph::argument const& v) {
  if (!v || v->index != 0) return nullptr;
  graph::node const& n = g.at(v->node);
  return is<Op>(n) && n.values.size() == 1 ? &n : nullptr;
}

// Inserts `target` on `args` as node `at` (the nodes from `at` on move one place up).
inline std::uint32_t insert_call(graph::Graph& g, std::uint32_t at, ops::boxed_attributes target,
                                 std::vector<graph::argument> args, ops::tensor_meta meta,
                                 graph::node const& like) {
  auto const size = static_cast<std::uint32_t>(g.nodes().size());
  std::uint32_t const added = g.add_call(std::move(target), std::move(args), {std::move(meta)},
                                         like.where, like.module_stack);
  g.set_from(added, like.from.empty() ? like.name : like.from);
  std::vector<std::uint32_t> order(size);
  std::iota(order.begin(), order.end(), 0U);
  order.insert(order.begin() + at, added);
  g.reorder(order);
  return at;
}

// Who reads each node's values: how many arguments, the last of them, and whether the
// graph returns one (per node, not per value: a multi-output node only counts more
// readers).
struct readers_of {
  std::vector<std::size_t> count;
  std::vector<std::uint32_t> last;
  std::vector<bool> returned;

  explicit readers_of(graph::Graph const& g)
      : count(g.nodes().size(), 0), last(g.nodes().size(), 0), returned(g.nodes().size(), false) {
    for (std::uint32_t i = 0; i < g.nodes().size(); ++i) {
      for (graph::argument const& a : g.at(i).args) {
        if (!a) continue;
        ++count[a->node];
        last[a->node] = i;
      }
    }
    for (graph::value_ref v : g.outputs())
      returned[v.node] = true;
  }
};

// Makes the readers of node `i`'s only output read `kept` and records why.
inline void replace_node(graph::Graph& g, std::uint32_t i, graph::value_ref kept,
                         std::string reason, rewrites& out) {
  g.replace_uses({i, 0}, kept);
  out.push_back({g.at(i).name, g.value_name(kept), std::move(reason)});
}
} // namespace detail
//! @endcond

} // namespace xport::passes
