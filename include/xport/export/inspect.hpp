//! @file
//! Checking and drawing exported programs: `validate` (the verifier) and `to_dot`
//! (Graphviz, with op, shapes and module grouping).
#pragma once

#include <xport/export/program.hpp>
#include <xport/ops/default_op_set.hpp>

#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <string_view>

namespace xport {

//! @brief Finds an op's schema by name (an op set's `find`), or null.
using op_lookup = std::function<ops::op_schema const*(std::string_view)>;

//! @cond
namespace detail {

[[noreturn]] inline void invalid(std::string const& node, std::string const& what) {
  throw value_error("invalid exported program: node '" + node + "': " + what);
}

// Equal metas; sizes compared as printed (data-dependent ones, fresh in each trace, are
// skipped when `fresh_ok`).
inline bool same_meta(ops::tensor_meta const& expected, ops::tensor_meta const& actual,
                      bool fresh_ok) {
  if (expected.dtype != actual.dtype || expected.device != actual.device
      || expected.dim() != actual.dim())
    return false;
  for (std::size_t d = 0; d < expected.sizes.size(); ++d) {
    if (fresh_ok && actual.sizes[d].str().starts_with("u")) continue;
    if (expected.sizes[d].str() != actual.sizes[d].str()) return false;
  }
  return true;
}

inline std::string metas_text(ops::meta_list const& metas) {
  std::string out;
  for (auto const& m : metas)
    out += (out.empty() ? "" : " ") + m.str();
  return out;
}

// The branches' outputs, for a higher-order op's meta rule.
class subgraph_metas final : public ops::meta_context {
public:
  explicit subgraph_metas(std::vector<ops::meta_list> outputs) : outputs_(std::move(outputs)) {}
  SymInt unbacked_size() override { return 0; }
  ops::meta_list const* subgraph_outputs(std::size_t i) override {
    return i < outputs_.size() ? &outputs_[i] : nullptr;
  }

private:
  std::vector<ops::meta_list> outputs_;
};

// Checks the nodes of `g`, named with `prefix` (`true_graph_0.` inside a branch), and its
// sub-graphs, recursively.
inline void validate_graph(graph::Graph const& g, op_lookup const& lookup,
                           std::string const& prefix, std::size_t depth) {
  auto const& nodes = g.nodes();
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    graph::node const& n = nodes[i];
    std::string const name = prefix + n.name;
    for (graph::argument const& a : n.args) {
      if (a && (a->node >= i || a->index >= nodes[a->node].values.size()))
        invalid(name, "uses a value that is not defined before it");
    }
    if (n.op == graph::node_op::output && i + 1 != nodes.size())
      invalid(name, "the output node must be the last node");
    if (n.op != graph::node_op::call_function) continue;
    std::string_view const op = n.target->schema().name;
    ops::op_schema const* known = lookup(op);
    if (known == nullptr || known != &n.target->schema())
      invalid(name, "calls '" + std::string(op) + "', which is not in the program's op set");
    boost::container::small_vector<ops::tensor_meta, 4> inputs;
    for (graph::argument const& a : n.args)
      inputs.push_back(a ? g.meta(*a) : ops::tensor_meta{.sizes = {}, .defined = false});
    if (n.subgraphs.size() != known->subgraphs) {
      invalid(name, "carries " + std::to_string(n.subgraphs.size()) + " sub-graphs, but '"
                        + std::string(op) + "' takes " + std::to_string(known->subgraphs));
    }
    std::vector<ops::meta_list> subgraph_outputs;
    ops::higher_order_hooks const* hop = known->higher_order;
    std::size_t const leading = hop != nullptr ? hop->leading_inputs : 0;
    if (hop != nullptr && inputs.size() < leading)
      invalid(name,
              "has " + std::to_string(inputs.size()) + " inputs, fewer than its op's leading ones");
    std::span<ops::tensor_meta const> const operands =
        std::span<ops::tensor_meta const>(inputs.data(), inputs.size())
            .subspan(std::min(leading, inputs.size()));
    for (std::size_t b = 0; b < n.subgraphs.size(); ++b) {
      graph::subgraph const& s = n.subgraphs[b];
      if (depth >= 32) invalid(name, "sub-graphs nest more than 32 deep");
      validate_graph(*s.graph, lookup, prefix + s.name + ".", depth + 1);
      // A sub-graph's placeholders are what its op makes of the node's operands.
      ops::meta_list const expected = hop->subgraph_inputs(n.target->get(), b, operands);
      std::vector<std::uint32_t> const placeholders = s.graph->placeholders();
      if (placeholders.size() != expected.size()) {
        invalid(name, "its sub-graph '" + s.name + "' has " + std::to_string(placeholders.size())
                          + " placeholders for " + std::to_string(expected.size()) + " operands");
      }
      for (std::size_t k = 0; k < placeholders.size(); ++k) {
        graph::node const& p = s.graph->at(placeholders[k]);
        if (p.values.size() != 1 || !same_meta(expected[k], p.values[0], false)) {
          invalid(name, "operand " + std::to_string(k) + " (" + expected[k].str()
                            + ") does not match placeholder '" + p.name + "' of '" + s.name + "' ("
                            + metas_text(p.values) + ")");
        }
      }
      subgraph_outputs.push_back(s.graph->output_metas());
    }
    subgraph_metas context(std::move(subgraph_outputs));
    ops::meta_list const expected =
        n.target->meta(std::span<ops::tensor_meta const>(inputs.data(), inputs.size()), context);
    bool same = expected.size() == n.values.size();
    for (std::size_t k = 0; same && k < expected.size(); ++k)
      same = same_meta(expected[k], n.values[k], true);
    if (!same) {
      invalid(name, "its recorded values (" + metas_text(n.values)
                        + ") differ from its meta rule's (" + metas_text(expected) + ")");
    }
  }
}

} // namespace detail
//! @endcond

//! @brief The verifier: checks that `ep` is well formed.
//!
//! Every call's op is known to `lookup` (the program's op set); every argument refers to
//! an earlier node; the output node comes last; the signature has one input per
//! placeholder (same names, state present) and one output per returned value; every
//! call's recorded output values are what its op's meta rule gives for its inputs; and
//! every sub-graph (a branch of `cond`, a loop body) is well formed, has the placeholders
//! its op makes of the node's operands (`subgraph_inputs`), and returns what its node
//! records.
//! @throws value_error naming the node (`true_graph_0.cos` inside a branch) and what is
//! wrong.
inline void validate(ExportedProgram const& ep, op_lookup const& lookup) {
  detail::validate_graph(ep.graph, lookup, "", 0);
  std::size_t placeholder = 0;
  for (std::uint32_t i : ep.graph.placeholders()) {
    graph::node const& n = ep.graph.at(i);
    if (placeholder >= ep.signature.inputs.size())
      detail::invalid(n.name, "has no entry in the graph signature");
    input_spec const& spec = ep.signature.inputs[placeholder++];
    if (spec.name != n.name)
      detail::invalid(n.name, "the signature names this input '" + spec.name + "'");
    if (spec.kind != input_kind::user_input) (void)ep.state_of(spec);
  }
  if (placeholder != ep.signature.inputs.size())
    throw value_error("invalid exported program: the signature has "
                      + std::to_string(ep.signature.inputs.size()) + " inputs, but the graph has "
                      + std::to_string(placeholder) + " placeholders");
  ep.check_contract("invalid exported program");
  std::size_t returned = 0;
  for (output_spec const& o : ep.signature.outputs)
    returned += o.value ? 1 : 0;
  if (returned != ep.graph.outputs().size())
    throw value_error("invalid exported program: the signature returns " + std::to_string(returned)
                      + " values, but the output node has "
                      + std::to_string(ep.graph.outputs().size()));
}

//! @brief `validate(ep, lookup)` against every op xport defines.
//! @throws value_error as the two-argument form.
inline void validate(ExportedProgram const& ep) {
  validate(ep, [](std::string_view name) { return ops::default_op_set::find(name); });
}

//! @brief The graph in Graphviz DOT: one box per node with its op (and the sub-graphs a
//! `cond` runs) and output shapes,
//! edges for data flow, and one cluster per module path (`first`, `encoder.layers.0`).
//! `dot -Tsvg program.dot` draws it.
inline std::string to_dot(ExportedProgram const& ep) {
  auto escape = [](std::string text) {
    std::string out;
    for (char c : text) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out;
  };
  std::ostringstream out;
  out << "digraph exported_program {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\"];\n";
  std::map<std::string, std::vector<std::uint32_t>> clusters;
  auto const& nodes = ep.graph.nodes();
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    graph::node const& n = nodes[i];
    if (n.op == graph::node_op::call_function && n.module_stack.size() > 1)
      clusters[n.module_stack.back().path].push_back(i);
  }
  auto label = [&](graph::node const& n) {
    std::string text = n.name + "\\n";
    if (n.op == graph::node_op::call_function)
      text += escape(std::string(n.target->schema().name)) + "\\n";
    for (graph::subgraph const& b : n.subgraphs) // cond: the branches it runs
      text += b.name + "\\n";
    for (auto const& m : n.values)
      text += m.str() + " ";
    return text;
  };
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    graph::node const& n = nodes[i];
    bool clustered = n.op == graph::node_op::call_function && n.module_stack.size() > 1;
    if (clustered) continue;
    std::string const shape = n.op == graph::node_op::placeholder ? ", shape=ellipse" : "";
    out << "  n" << i << " [label=\"" << label(n) << "\"" << shape << "];\n";
  }
  std::size_t cluster = 0;
  for (auto const& [path, members] : clusters) {
    out << "  subgraph cluster_" << cluster++ << " {\n    label=\"" << escape(path) << " ("
        << escape(nodes[members.front()].module_stack.back().type) << ")\";\n";
    for (std::uint32_t i : members)
      out << "    n" << i << " [label=\"" << label(nodes[i]) << "\"];\n";
    out << "  }\n";
  }
  for (std::uint32_t i = 0; i < nodes.size(); ++i)
    for (graph::argument const& a : nodes[i].args)
      if (a) out << "  n" << a->node << " -> n" << i << ";\n";
  out << "}\n";
  return out.str();
}

} // namespace xport
