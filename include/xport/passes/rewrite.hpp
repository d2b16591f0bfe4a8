//! @file
//! What a graph pass reports: one `rewrite` per node it made unused, naming the value
//! that replaced it and why. Shared by the passes of this layer.
#pragma once

#include <xport/graph/graph.hpp>

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

//! @cond
namespace detail {
// Makes the readers of node `i`'s only output read `kept` and records why.
inline void replace_node(graph::Graph& g, std::uint32_t i, graph::value_ref kept,
                         std::string reason, rewrites& out) {
  g.replace_uses({i, 0}, kept);
  out.push_back({g.at(i).name, g.value_name(kept), std::move(reason)});
}
} // namespace detail
//! @endcond

} // namespace xport::passes
