//! @file
//! The tree behind `UnflattenedModule` (export/unflatten.hpp): which module call each node
//! of an exported program belongs to, what each call reads and returns, and the runs of
//! ops compiled into plans. Not a public header.
#pragma once

#include <xport/export/exported_module.hpp>
#include <xport/export/program.hpp>
#include <xport/runtime/plan.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xport {

namespace detail {

// The modules of an unflattened program and their graphs, shared by every handle.
struct unflattened_tree {
  // A run of consecutive op nodes of one module's graph, compiled as one plan.
  struct segment {
    std::vector<std::uint32_t> nodes;     // the flat graph's nodes it runs
    std::vector<graph::value_ref> reads;  // flat values that fill its placeholders
    std::vector<graph::value_ref> writes; // flat values it returns, in order
    std::shared_ptr<runtime::plan> plan;
  };
  // One step of a module's graph: a segment or a call of another module.
  struct step {
    std::optional<segment> ops;
    std::size_t callee = 0; // the called module, when not `ops`
  };
  struct module {
    std::string path; // `bar.leaf`, `n@1`; empty for the root
    std::string type; // the C++ type; empty for a module made only to hold others
    std::string fqn;  // the path without `@k`: where its state lives
    bool called = false;
    std::vector<graph::value_ref> inputs, outputs;
    std::vector<step> steps;
    // The buffers whose new values this module computes itself: (value, buffer's fqn).
    std::vector<std::pair<graph::value_ref, std::string>> mutations;
    // The buffers whose new values are among its outputs (computed by it or a module it
    // calls): (output index, buffer's fqn), for a replacement's outputs.
    std::vector<std::pair<std::size_t, std::string>> mutated_outputs;
    // What `set_submodule` put in its place; `replacing` while it runs (a call of the
    // module from inside its replacement runs the module's own graph).
    std::function<std::vector<Tensor>(std::span<Tensor const>)> replacement;
    bool replacing = false;
  };

  ExportedProgram program;
  std::map<std::string, Tensor> state; // by fqn: parameters, buffers and constants, cloned
  std::vector<std::optional<std::string>> state_of_node; // a state placeholder's fqn
  std::vector<module> modules;                           // [0] is the root
  std::map<std::string, std::size_t, std::less<>> by_path;
  std::optional<ExportedModule> checker; // the root's input contract

  std::size_t find(std::string_view path) const {
    auto const it = by_path.find(path);
    return it == by_path.end() ? modules.size() : it->second;
  }
};

inline std::string call_name(std::string const& path, std::uint32_t call) {
  return call == 0 ? path : path + "@" + std::to_string(call);
}

// A node's module stack cut where an entry stops extending the one before it (a module
// reached from a sibling through a shared reference is then part of its caller, as
// PyTorch's unflatten folds it), without the root entry.
inline std::vector<graph::stack_entry> nested_frames(graph::node const& n) {
  std::vector<graph::stack_entry> frames;
  std::string_view outer;
  for (std::size_t d = 1; d < n.module_stack.size(); ++d) {
    graph::stack_entry const& e = n.module_stack[d];
    bool const extends = outer.empty() ? !e.path.empty()
                                       : e.path.size() > outer.size() && e.path.starts_with(outer)
                                             && e.path[outer.size()] == '.';
    if (!extends) break;
    frames.push_back(e);
    outer = frames.back().path;
  }
  return frames;
}

inline std::shared_ptr<unflattened_tree> build_unflattened(ExportedProgram const& ep) {
  auto t = std::make_shared<unflattened_tree>();
  t->program = ep;
  t->checker.emplace(ep);
  graph::Graph const& g = t->program.graph;
  auto const& nodes = g.nodes();

  // The state, copied once per tensor (aliases stay aliases), and which placeholder is
  // which state.
  std::vector<std::pair<Tensor, Tensor>> copies; // (the program's, the copy)
  auto const copy_of = [&](Tensor const& s) {
    for (auto const& [original, copy] : copies)
      if (original.is_same(s)) return copy;
    copies.emplace_back(s, s.clone());
    return copies.back().second;
  };
  t->state_of_node.resize(nodes.size());
  std::vector<std::uint32_t> const placeholders = g.placeholders();
  for (std::size_t k = 0; k < placeholders.size(); ++k) {
    input_spec const& spec = t->program.signature.inputs.at(k);
    if (spec.kind == input_kind::user_input) continue;
    t->state.emplace(spec.target, copy_of(t->program.state_of(spec)));
    t->state_of_node[placeholders[k]] = spec.target;
  }

  // The modules of the exported tree, then one per module call that is not a first call.
  auto const add_module = [&](std::string path, std::string type, std::string fqn) {
    t->by_path.emplace(path, t->modules.size());
    unflattened_tree::module m;
    m.path = std::move(path);
    m.type = std::move(type);
    m.fqn = std::move(fqn);
    t->modules.push_back(std::move(m));
    return t->modules.size() - 1;
  };
  add_module("", "", "");
  for (module_call_entry const& e : t->program.module_call_graph) {
    if (e.fqn.empty()) {
      t->modules[0].type = e.type;
    } else if (t->find(e.fqn) == t->modules.size()) {
      add_module(e.fqn, e.type, e.fqn);
    }
  }
  // A module's calls are numbered in the order the graph runs them: a call traced inside
  // a `cond` branch or a loop body (not in this graph) leaves no gap.
  std::map<std::pair<std::string, std::uint32_t>, std::size_t> by_call;
  std::map<std::string, std::uint32_t, std::less<>> calls_of;
  auto const module_of = [&](graph::stack_entry const& e) {
    if (auto const it = by_call.find({e.path, e.call}); it != by_call.end()) return it->second;
    std::string const name = call_name(e.path, calls_of[e.path]++);
    std::size_t k = t->find(name);
    if (k == t->modules.size()) {
      // Missing holders first (a path the module tree did not list), then the call.
      for (std::size_t dot = e.path.find('.'); dot != std::string::npos;
           dot = e.path.find('.', dot + 1))
        if (t->find(e.path.substr(0, dot)) == t->modules.size())
          add_module(e.path.substr(0, dot), "", e.path.substr(0, dot));
      k = add_module(name, e.type, e.path);
    }
    if (t->modules[k].type.empty()) t->modules[k].type = e.type;
    by_call.emplace(std::pair{e.path, e.call}, k);
    return k;
  };

  // Each op node goes to the module call innermost on its stack; a call opens where its
  // first node is and must not open again once closed. `body[m]`: module m's own nodes
  // and the calls it makes, in graph order.
  struct item {
    bool call;
    std::size_t index; // a node, or the called module
  };
  std::vector<std::vector<item>> body(1);
  std::vector<std::size_t> owner(nodes.size(), 0);
  std::vector<std::size_t> parent(1, 0);
  std::vector<std::size_t> open{0};
  std::vector<bool> closed(1, false);
  t->modules[0].called = true;
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    graph::node const& n = nodes[i];
    if (n.op != graph::node_op::call_function) continue;
    if (n.module_stack.empty()) { // made without one (an older file, a pass): where it is
      owner[i] = open.back();
      body[open.back()].push_back({false, i});
      continue;
    }
    std::vector<graph::stack_entry> const frames = nested_frames(n);
    std::vector<std::size_t> wanted{0};
    for (graph::stack_entry const& e : frames)
      wanted.push_back(module_of(e));
    parent.resize(t->modules.size(), 0);
    closed.resize(t->modules.size(), false);
    body.resize(t->modules.size());
    std::size_t depth = 1;
    while (depth < open.size() && depth < wanted.size() && open[depth] == wanted[depth])
      ++depth;
    for (std::size_t d = depth; d < open.size(); ++d)
      closed[open[d]] = true;
    open.resize(depth);
    for (std::size_t d = depth; d < wanted.size(); ++d) {
      std::size_t const m = wanted[d];
      if (closed[m] || t->modules[m].called)
        throw value_error("unflatten: the nodes of the call of module '" + t->modules[m].path
                          + "' are not consecutive in the graph (node '" + n.name
                          + "' comes after the call returned); unflatten needs the program "
                            "in trace order");
      t->modules[m].called = true;
      parent[m] = open.back();
      body[open.back()].push_back({true, m});
      open.push_back(m);
    }
    owner[i] = open.back();
    body[open.back()].push_back({false, i});
  }
  parent.resize(t->modules.size(), 0);
  body.resize(t->modules.size());

  auto const inside = [&](std::uint32_t node, std::size_t m) {
    if (nodes[node].op != graph::node_op::call_function) return m == 0;
    for (std::size_t k = owner[node];; k = parent[k]) {
      if (k == m) return true;
      if (k == 0) return false;
    }
  };
  auto const add_once = [](std::vector<graph::value_ref>& list, graph::value_ref v) {
    if (std::find(list.begin(), list.end(), v) == list.end()) list.push_back(v);
  };
  // Who reads each value: node indices (the output node included).
  std::vector<std::vector<std::uint32_t>> readers(nodes.size());
  for (std::uint32_t i = 0; i < nodes.size(); ++i)
    for (graph::argument const& a : nodes[i].args)
      if (a) readers[a->node].push_back(i);
  // Whether a node for which `outside` holds reads value v.
  auto const read_outside = [&](graph::value_ref v, auto const& outside) {
    for (std::uint32_t r : readers[v.node])
      if (outside(r))
        for (graph::argument const& a : nodes[r].args)
          if (a && *a == v) return true;
    return false;
  };

  for (std::size_t m = 1; m < t->modules.size(); ++m) {
    unflattened_tree::module& mod = t->modules[m];
    if (!mod.called) continue;
    for (std::uint32_t i = 0; i < nodes.size(); ++i) {
      if (nodes[i].op != graph::node_op::call_function || !inside(i, m)) continue;
      for (graph::argument const& a : nodes[i].args)
        if (a && !inside(a->node, m) && !t->state_of_node[a->node]) add_once(mod.inputs, *a);
      for (std::uint32_t o = 0; o < nodes[i].values.size(); ++o)
        if (read_outside({i, o}, [&](std::uint32_t r) { return !inside(r, m); }))
          mod.outputs.push_back({i, o});
    }
  }
  // The root returns the program's results; its inputs are the user's placeholders.
  {
    auto const& outs = t->program.signature.outputs;
    for (output_spec const& o : outs)
      if (o.value) t->modules[0].outputs.push_back(*o.value);
    for (std::size_t k = 0; k < placeholders.size(); ++k)
      if (t->program.signature.inputs[k].kind == input_kind::user_input
          && !nodes[placeholders[k]].values.empty())
        t->modules[0].inputs.push_back({placeholders[k], 0});
    for (output_spec const& o : outs) {
      if (!o.value || o.kind != output_kind::buffer_mutation) continue;
      graph::value_ref const v = *o.value;
      std::size_t const m = nodes[v.node].op == graph::node_op::call_function ? owner[v.node] : 0;
      t->modules[m].mutations.emplace_back(v, o.target);
      for (auto& mod : t->modules) {
        auto const at = std::find(mod.outputs.begin(), mod.outputs.end(), v);
        if (at != mod.outputs.end())
          mod.mutated_outputs.emplace_back(static_cast<std::size_t>(at - mod.outputs.begin()),
                                           o.target);
      }
    }
  }

  // The steps of each module: its own nodes in runs between its calls, each run a plan.
  std::vector<char> in_run(nodes.size(), 0);
  for (std::size_t m = 0; m < t->modules.size(); ++m) {
    std::vector<std::uint32_t> run;
    auto const flush = [&] {
      if (run.empty()) return;
      graph::Graph sub;
      unflattened_tree::segment seg;
      std::map<std::pair<std::uint32_t, std::uint32_t>, graph::value_ref> local;
      for (std::uint32_t i : run)
        in_run[i] = 1;
      for (std::uint32_t i : run)
        for (graph::argument const& a : nodes[i].args)
          if (a && !in_run[a->node] && !local.contains({a->node, a->index})) {
            local[{a->node, a->index}] = sub.add_placeholder(g.value_name(*a), g.meta(*a));
            seg.reads.push_back(*a);
          }
      for (std::uint32_t i : run) {
        graph::node const& n = nodes[i];
        std::vector<graph::argument> args;
        for (graph::argument const& a : n.args)
          args.push_back(a ? std::optional(local.at({a->node, a->index})) : std::nullopt);
        std::uint32_t const j = sub.add_named_call(n.name, *n.target, std::move(args), n.values,
                                                   n.where, n.module_stack);
        if (n.scalar) sub.set_scalar(j, *n.scalar);
        if (!n.subgraphs.empty()) sub.set_subgraphs(j, n.subgraphs);
        for (std::uint32_t o = 0; o < n.values.size(); ++o) {
          local[{i, o}] = {j, o};
          if (read_outside({i, o}, [&](std::uint32_t r) { return !in_run[r]; }))
            seg.writes.push_back({i, o});
        }
      }
      std::vector<graph::value_ref> results;
      for (graph::value_ref v : seg.writes)
        results.push_back(local.at({v.node, v.index}));
      sub.set_outputs(results);
      seg.plan = std::make_shared<runtime::plan>(sub);
      for (std::uint32_t i : run)
        in_run[i] = 0;
      seg.nodes = std::move(run);
      run.clear();
      t->modules[m].steps.push_back({std::move(seg), 0});
    };
    for (item const& it : body[m]) {
      if (!it.call) {
        run.push_back(static_cast<std::uint32_t>(it.index));
        continue;
      }
      flush();
      t->modules[m].steps.push_back({std::nullopt, it.index});
    }
    flush();
  }
  return t;
}

} // namespace detail

} // namespace xport
