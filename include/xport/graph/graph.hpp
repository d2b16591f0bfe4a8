//! @file
//! The graph IR of exported programs: a flat list of nodes (placeholders, op calls, one
//! output) in execution order, each value with its fake meta (dtype, device, symbolic
//! sizes), and each call with the user's source line and module stack.
#pragma once

#include <xport/core/error.hpp>
#include <xport/core/source_location.hpp>
#include <xport/ops/schema.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace xport::graph {

//! @brief What a node does.
enum class node_op : std::uint8_t {
  placeholder,   //!< an input of the program (parameter, buffer, constant or user input)
  call_function, //!< a call of an op
  output         //!< the program's outputs (the last node)
};

//! @brief One output of one node: `node` is the node's index in the graph.
struct value_ref {
  std::uint32_t node = 0;  //!< index of the producing node
  std::uint32_t index = 0; //!< which of its outputs
  //! @brief Same node and output.
  friend bool operator==(value_ref, value_ref) = default;
};

//! @brief An argument of a call: a value, or nothing for an absent optional tensor.
using argument = std::optional<value_ref>;

//! @brief One entry of a node's module stack: the module's dotted path from the exported
//! module (`""` for it, `"encoder.layers.0"`) and its C++ type.
struct stack_entry {
  std::string path;       //!< dotted path
  std::string type;       //!< qualified type name
  std::uint32_t call = 0; //!< earlier calls of the module at `path` in the trace (`n@1`: 1)
  //! @brief Equal when every field is.
  friend bool operator==(stack_entry const&, stack_entry const&) = default;
};

//! @brief The user's line a call came from. Traced nodes point at the compiler's file-name
//! literals; a graph rebuilt from a file keeps the names it read (`Graph::intern`).
struct source_line {
  std::string_view file;  //!< the file as the compiler spelled it (or its base name)
  std::uint32_t line = 0; //!< from 1; 0 when unknown
  //! @brief An unknown line.
  constexpr source_line() noexcept = default;
  //! @brief The call site `where` (implicit: every recorded call site converts).
  constexpr source_line(
      source_location const& where) noexcept // NOLINT(google-explicit-constructor)
      : file(where.file_name()), line(where.line()) {}
  //! @brief `file:line`; `file` must outlive the node (see `Graph::intern`).
  constexpr source_line(std::string_view file_name, std::uint32_t line_number) noexcept
      : file(file_name), line(line_number) {}
  //! @brief Same file text and line.
  friend bool operator==(source_line const&, source_line const&) = default;
};

class Graph;

//! @brief A graph that a node carries, with its name: a branch of `higher_order::cond`
//! (`true_graph_0`). Its placeholders are the node's operands, its outputs the node's
//! values. Immutable once attached; copies of the node share it.
struct subgraph {
  std::string name;                   //!< unique among the sub-graphs of one graph
  std::shared_ptr<Graph const> graph; //!< the body
};

//! @brief One node of a graph.
struct node {
  //! @brief An empty call node.
  node() = default;
  //! @brief Copies every field.
  node(node const&) = default;
  //! @brief Copies every field.
  node& operator=(node const&) = default;
  //! @brief Moves every field. Boost's small_vector does not declare its move noexcept
  //! (moving metas cannot throw); saying so here lets a growing `std::vector<node>` move
  //! nodes instead of copying them.
  node(node&&) noexcept = default;
  //! @brief Moves every field.
  node& operator=(node&&) noexcept = default;
  //! @brief Destroys every field.
  ~node() = default;

  node_op op = node_op::call_function;         //!< what it does
  std::string name;                            //!< unique, readable (`linear_1`)
  std::optional<ops::boxed_attributes> target; //!< the op and its attributes (calls)
  std::vector<argument> args;                  //!< input values (calls, output)
  ops::meta_list values;                       //!< output values' metas
  std::optional<source_line> where;            //!< the user's line (calls)
  std::vector<stack_entry> module_stack;       //!< outermost first (calls)
  //! @brief For a zero-dimensional output read as an integer (`item_int`): the
  //! data-dependent symbol (`u0`) its value defines when the program runs.
  std::optional<SymInt> scalar;
  //! @brief Provenance: the name of the node of the source program this node was made
  //! from (`run_decompositions` sets it on every call it emits: `linear_1` for the
  //! `permute` and `addmm` of a decomposed `linear_1`, a node's own old name when it is
  //! copied unchanged); empty for nodes recorded by tracing.
  std::string from;
  //! @brief The graphs a higher-order call runs (`higher_order::cond`: true, then false);
  //! as many as its op's `subgraphs`, none for other nodes.
  std::vector<subgraph> subgraphs;
};

//! @brief A graph: nodes in execution order; every argument refers to an earlier node.
class Graph {
public:
  //! @brief The nodes, in order.
  std::vector<node> const& nodes() const noexcept { return nodes_; }
  //! @brief Node `i`.
  node const& at(std::uint32_t i) const { return nodes_.at(i); }
  //! @brief The meta of value `v`.
  ops::tensor_meta const& meta(value_ref v) const { return nodes_.at(v.node).values.at(v.index); }

  //! @brief A name not used yet: `base`, else `base_1`, `base_2`, ... (PyTorch's rule).
  std::string unique_name(std::string_view base) {
    std::string name(base);
    if (name.empty() || (name[0] >= '0' && name[0] <= '9')) name.insert(0, "_");
    for (char& c : name) {
      bool const word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!word) c = '_';
    }
    auto [it, fresh] = counts_.try_emplace(name, 0);
    if (fresh) return name;
    while (true) {
      std::string candidate = name + "_" + std::to_string(++it->second);
      if (counts_.try_emplace(candidate, 0).second) return candidate;
    }
  }

  //! @brief Appends a placeholder named `name` (made unique) with meta `meta`.
  value_ref add_placeholder(std::string_view name, ops::tensor_meta meta) {
    node n;
    n.op = node_op::placeholder;
    n.name = unique_name(name);
    n.values.push_back(std::move(meta));
    return {append(std::move(n)), 0};
  }

  //! @brief Appends the placeholder of an integer input (a `SymInt` argument): no tensor
  //! value, its `scalar` is `value` (`s1`, or a constant when specialized).
  std::uint32_t add_scalar_placeholder(std::string_view name, SymInt value) {
    node n;
    n.op = node_op::placeholder;
    n.name = unique_name(name);
    n.scalar = std::move(value);
    return append(std::move(n));
  }

  //! @brief Appends a call of `target` on `args` with output metas `values`; the node is
  //! named after the op (`aten::add.Tensor` → `add`).
  //! @throws value_error when an argument refers to a node that is not earlier.
  std::uint32_t add_call(ops::boxed_attributes target, std::vector<argument> args,
                         ops::meta_list values, std::optional<source_line> where,
                         std::vector<stack_entry> module_stack) {
    std::string_view const name = base_name(target.schema().name);
    return add_named_call(name, std::move(target), std::move(args), std::move(values), where,
                          std::move(module_stack));
  }

  //! @brief Appends a call like `add_call`, named `name` made unique (loaders restore saved
  //! names with it and compare the result with `name` to detect duplicates).
  //! @throws value_error when an argument refers to a node that is not earlier.
  std::uint32_t add_named_call(std::string_view name, ops::boxed_attributes target,
                               std::vector<argument> args, ops::meta_list values,
                               std::optional<source_line> where,
                               std::vector<stack_entry> module_stack) {
    for (argument const& a : args) {
      if (a && (a->node >= nodes_.size() || a->index >= nodes_[a->node].values.size()))
        throw value_error("graph: an argument refers to a value that is not defined yet");
    }
    node n;
    n.name = unique_name(name);
    n.target = std::move(target);
    n.args = std::move(args);
    n.values = std::move(values);
    n.where = where;
    n.module_stack = std::move(module_stack);
    return append(std::move(n));
  }

  //! @brief A copy of `text` that lives as long as this graph and its copies, for the
  //! file names of nodes read from a file (`source_line::file`).
  std::string_view intern(std::string_view text) {
    if (!names_) names_ = std::make_shared<std::set<std::string, std::less<>>>();
    auto const found = names_->find(text);
    return found != names_->end() ? *found : *names_->emplace(text).first;
  }

  //! @brief Records that the value of node `i`'s zero-dimensional output is the symbol
  //! `value` (see `node::scalar`).
  void set_scalar(std::uint32_t i, SymInt value) { nodes_.at(i).scalar = std::move(value); }

  //! @brief Records that node `i` was made from the node named `source` of another
  //! program (see `node::from`).
  void set_from(std::uint32_t i, std::string source) { nodes_.at(i).from = std::move(source); }

  //! @brief Attaches `graphs` to the call node `i` (see `node::subgraphs`).
  //! @throws value_error when its op takes another number of sub-graphs, or a graph is
  //! null.
  void set_subgraphs(std::uint32_t i, std::vector<subgraph> graphs) {
    node& n = nodes_.at(i);
    if (!n.target || n.target->schema().subgraphs != graphs.size()) {
      throw value_error("graph: node '" + n.name + "' takes "
                        + std::to_string(n.target ? n.target->schema().subgraphs : 0)
                        + " sub-graphs, not " + std::to_string(graphs.size()));
    }
    for (subgraph const& g : graphs)
      if (!g.graph) throw value_error("graph: sub-graph '" + g.name + "' has no body");
    n.subgraphs = std::move(graphs);
  }

  //! @brief Sets the outputs (appends the output node, replacing an earlier one).
  void set_outputs(std::vector<value_ref> outputs) {
    if (!nodes_.empty() && nodes_.back().op == node_op::output) nodes_.pop_back();
    node n;
    n.op = node_op::output;
    n.name = "output";
    for (value_ref v : outputs)
      n.args.emplace_back(v);
    nodes_.push_back(std::move(n));
  }

  //! @brief The output values.
  std::vector<value_ref> outputs() const {
    std::vector<value_ref> out;
    if (!nodes_.empty() && nodes_.back().op == node_op::output) {
      for (argument const& a : nodes_.back().args)
        out.push_back(*a);
    }
    return out;
  }

  //! @brief The metas of the output values, in order.
  ops::meta_list output_metas() const {
    ops::meta_list out;
    for (value_ref v : outputs())
      out.push_back(meta(v));
    return out;
  }

  //! @brief Indices of the placeholders, in order.
  std::vector<std::uint32_t> placeholders() const {
    std::vector<std::uint32_t> out;
    for (std::uint32_t i = 0; i < nodes_.size(); ++i)
      if (nodes_[i].op == node_op::placeholder) out.push_back(i);
    return out;
  }

  //! @brief Removes calls whose outputs nothing uses (all ops in a functional graph are
  //! pure); placeholders, the output, calls without outputs (runtime asserts), calls
  //! that define data-dependent symbols (which later shapes or asserts may use) and
  //! writes in place (which graphs read from PyTorch's training IR keep) stay. Returns
  //! the number removed.
  std::size_t eliminate_dead_code() {
    std::vector<bool> live(nodes_.size(), false);
    for (std::size_t i = nodes_.size(); i-- > 0;) {
      node const& n = nodes_[i];
      if (n.op != node_op::call_function || n.values.empty() || defines_symbols(n)
          || has_tag(n.target->schema().tags, ops::op_tag::in_place))
        live[i] = true;
      if (!live[i]) continue;
      for (argument const& a : n.args)
        if (a) live[a->node] = true;
    }
    std::vector<std::uint32_t> new_index(nodes_.size());
    std::vector<node> kept;
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      if (!live[i]) continue;
      new_index[i] = static_cast<std::uint32_t>(kept.size());
      kept.push_back(std::move(nodes_[i]));
    }
    std::size_t const removed = nodes_.size() - kept.size();
    for (node& n : kept) {
      for (argument& a : n.args)
        if (a) a->node = new_index[a->node];
    }
    nodes_ = std::move(kept);
    return removed;
  }

  //! @brief Makes every argument that reads `from` (the output node's included) read
  //! `to` instead; returns how many changed. `from` is left unused, for
  //! `eliminate_dead_code` to remove.
  //! @throws value_error when `to` is not earlier than `from`'s node, or either names a
  //! value the graph does not have.
  std::size_t replace_uses(value_ref from, value_ref to) {
    if (from.node >= nodes_.size() || from.index >= nodes_[from.node].values.size()
        || to.node >= from.node || to.index >= nodes_[to.node].values.size())
      throw value_error("graph: replace_uses needs two values, the replacement defined first");
    std::size_t changed = 0;
    for (std::size_t i = from.node + 1; i < nodes_.size(); ++i) {
      for (argument& a : nodes_[i].args) {
        if (a && *a == from) {
          a = to;
          ++changed;
        }
      }
    }
    return changed;
  }

  //! @brief Puts the nodes in the order `order` (a permutation of node indices in which
  //! every node comes after the nodes it uses), updating every reference.
  //! @throws value_error when `order` is not such a permutation.
  void reorder(std::vector<std::uint32_t> const& order) {
    constexpr std::uint32_t unplaced = ~std::uint32_t{0};
    std::vector<std::uint32_t> new_index(nodes_.size(), unplaced);
    if (order.size() != nodes_.size())
      throw value_error("graph: reorder needs a permutation of all nodes");
    for (std::uint32_t i = 0; i < order.size(); ++i) {
      if (order[i] >= nodes_.size() || new_index[order[i]] != unplaced)
        throw value_error("graph: reorder needs a permutation of all nodes");
      new_index[order[i]] = i;
    }
    std::vector<node> reordered;
    reordered.reserve(nodes_.size());
    for (std::uint32_t i : order) {
      node n = std::move(nodes_[i]);
      for (argument& a : n.args) {
        if (!a) continue;
        if (new_index[a->node] >= reordered.size())
          throw value_error("graph: reorder would use '" + n.name + "' before its inputs");
        a->node = new_index[a->node];
      }
      reordered.push_back(std::move(n));
    }
    nodes_ = std::move(reordered);
  }

  //! @brief How code refers to value `v`: the node's name, with `[i]` for one output of a
  //! multi-output node.
  std::string value_name(value_ref v) const {
    node const& n = nodes_.at(v.node);
    if (n.values.size() == 1) return n.name;
    return n.name + "[" + std::to_string(v.index) + "]";
  }

private:
  // A node whose value is read as an integer, or whose output sizes are data-dependent.
  static bool defines_symbols(node const& n) {
    if (n.scalar) return true;
    for (ops::tensor_meta const& m : n.values)
      for (SymInt const& size : m.sizes)
        if (size.is_symbolic() && size.str().find('u') != std::string::npos) return true;
    return false;
  }

  static std::string_view base_name(std::string_view op) {
    if (auto const colons = op.find("::"); colons != std::string_view::npos)
      op.remove_prefix(colons + 2);
    if (auto const dot = op.find('.'); dot != std::string_view::npos) op = op.substr(0, dot);
    return op;
  }

  std::uint32_t append(node n) {
    nodes_.push_back(std::move(n));
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }

  std::vector<node> nodes_;
  std::unordered_map<std::string, std::uint32_t> counts_;
  // Interned file names; shared by copies, which may hold views into it. Node-based, so
  // the strings never move.
  std::shared_ptr<std::set<std::string, std::less<>>> names_;
};

} // namespace xport::graph
