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

//! @brief The verifier: checks that `ep` is well formed.
//!
//! Every call's op is known to `lookup` (the program's op set); every argument refers to
//! an earlier node; the output node comes last; the signature has one input per
//! placeholder (same names, state present) and one output per returned value; and every
//! call's recorded output values are what its op's meta rule gives for its inputs.
//! @throws value_error naming the node and what is wrong.
inline void validate(ExportedProgram const& ep, op_lookup const& lookup) {
  auto const& nodes = ep.graph.nodes();
  auto fail = [](std::string const& node, std::string const& what) {
    throw value_error("invalid exported program: node '" + node + "': " + what);
  };
  std::size_t placeholder = 0;
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    graph::node const& n = nodes[i];
    for (graph::argument const& a : n.args) {
      if (a && (a->node >= i || a->index >= nodes[a->node].values.size()))
        fail(n.name, "uses a value that is not defined before it");
    }
    switch (n.op) {
    case graph::node_op::placeholder: {
      if (placeholder >= ep.signature.inputs.size())
        fail(n.name, "has no entry in the graph signature");
      input_spec const& spec = ep.signature.inputs[placeholder++];
      if (spec.name != n.name) fail(n.name, "the signature names this input '" + spec.name + "'");
      if (spec.kind != input_kind::user_input) (void)ep.state_of(spec);
      break;
    }
    case graph::node_op::call_function: {
      std::string_view const op = n.target->schema().name;
      ops::op_schema const* known = lookup(op);
      if (known == nullptr || known != &n.target->schema())
        fail(n.name, "calls '" + std::string(op) + "', which is not in the program's op set");
      boost::container::small_vector<ops::tensor_meta, 4> inputs;
      for (graph::argument const& a : n.args)
        inputs.push_back(a ? ep.graph.meta(*a) : ops::tensor_meta{.sizes = {}, .defined = false});
      ops::eager_meta_context context;
      ops::meta_list const expected =
          n.target->meta(std::span<ops::tensor_meta const>(inputs.data(), inputs.size()), context);
      bool same = expected.size() == n.values.size();
      for (std::size_t k = 0; same && k < expected.size(); ++k) {
        // Data-dependent sizes are fresh symbols in the trace; compare the rest.
        same = expected[k].dtype == n.values[k].dtype && expected[k].device == n.values[k].device
               && expected[k].dim() == n.values[k].dim();
        for (std::size_t d = 0; same && d < expected[k].sizes.size(); ++d) {
          bool const fresh = n.values[k].sizes[d].str().starts_with("u");
          same = fresh || expected[k].sizes[d].str() == n.values[k].sizes[d].str();
        }
      }
      if (!same) {
        std::string recorded, computed;
        for (auto const& m : n.values)
          recorded += m.str() + " ";
        for (auto const& m : expected)
          computed += m.str() + " ";
        fail(n.name, "its recorded values (" + recorded + ") differ from its meta rule's ("
                         + computed + ")");
      }
      break;
    }
    case graph::node_op::output:
      if (i + 1 != nodes.size()) fail(n.name, "the output node must be the last node");
      break;
    }
  }
  if (placeholder != ep.signature.inputs.size())
    throw value_error("invalid exported program: the signature has "
                      + std::to_string(ep.signature.inputs.size()) + " inputs, but the graph has "
                      + std::to_string(placeholder) + " placeholders");
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

//! @brief The graph in Graphviz DOT: one box per node with its op and output shapes,
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
