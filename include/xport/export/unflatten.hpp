//! @file
//! `unflatten(ep)`: the module hierarchy of an exported program, rebuilt from the module
//! stack that tracing records on every node (PyTorch's `torch.export.unflatten`).
//!
//! Each call of a module during the export becomes the graph of one module of the result:
//! the module at its path for the first call, `path@k` for the k-th later one (PyTorch's
//! names). A module's graph holds the ops its own `forward` ran and the calls of the
//! modules it called; its inputs are the values it read from its callers, its outputs the
//! values its callers read after it returned. Calling the root runs the whole program
//! module by module; a submodule can be called on its own, on the inputs its graph
//! takes, and replaced by any function of those inputs (`set_submodule`).
#pragma once

#include <xport/export/detail/unflatten_tree.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xport {

//! @brief What replaces a module of an `UnflattenedModule` (`set_submodule`): a function
//! of the module's inputs that returns its outputs, in the order its graph has them.
using submodule_function = std::function<std::vector<Tensor>(std::span<Tensor const>)>;
//! @brief A module of an unflattened program (`unflatten`): a handle that shares the
//! whole tree with the handles it came from, so a submodule replaced through one is
//! replaced for all.
class UnflattenedModule {
public:
  //! @brief The dotted path from the root (`bar.leaf`; `n@1` for a second call of `n`);
  //! empty for the root.
  std::string const& path() const noexcept { return self().path; }
  //! @brief The module's C++ type as the export recorded it; empty for a module that
  //! only holds others.
  std::string const& type() const noexcept { return self().type; }
  //! @brief Whether the export called this module (otherwise it has no graph).
  bool called() const noexcept { return self().called; }

  //! @brief The module at dotted path `relative` below this one (`leaf.linear`, `n@1`).
  //! @throws value_error naming the path and the submodules this module has.
  UnflattenedModule submodule(std::string_view relative) const {
    std::size_t const k = tree_->find(absolute(relative));
    if (relative.empty() || k == tree_->modules.size()) {
      std::string known;
      for (std::string const& name : named_modules())
        if (!name.empty()) known += (known.empty() ? "" : ", ") + name;
      throw value_error("unflatten: " + describe() + " has no submodule '" + std::string(relative)
                        + "'" + (known.empty() ? "; it has none" : "; it has: " + known));
    }
    return {tree_, k};
  }

  //! @brief Whether `submodule(relative)` exists.
  bool has_submodule(std::string_view relative) const {
    return !relative.empty() && tree_->find(absolute(relative)) != tree_->modules.size();
  }

  //! @brief This module's path (`""`) and those of every module below it, relative to
  //! it, in the order the export listed them (later calls after the modules).
  std::vector<std::string> named_modules() const {
    std::vector<std::string> names;
    for (auto const& m : tree_->modules) {
      if (auto rel = relative_of(m.path)) names.push_back(std::move(*rel));
    }
    return names;
  }

  //! @brief The parameters, buffers and constants of this module and those below it, by
  //! name relative to it (`linear.weight`). The tensors are the module's own (copies of
  //! the program's, made by `unflatten`): buffer mutations are written into them.
  std::map<std::string, Tensor> state_dict() const {
    std::map<std::string, Tensor> out;
    for (auto const& [fqn, t] : tree_->state)
      if (auto rel = relative_of(fqn, self().fqn)) out.emplace(std::move(*rel), t);
    return out;
  }

  //! @brief The names of the values the graph takes (the exported program's names for
  //! them: `x`, `add_2`).
  std::vector<std::string> input_names() const { return names_of(self().inputs); }
  //! @brief The names of the values the graph returns.
  std::vector<std::string> output_names() const { return names_of(self().outputs); }

  //! @brief The module's graph: its inputs, the ops it runs itself and the modules it
  //! calls (`call_module[leaf.linear](add)`), and its outputs.
  std::string str() const;

  //! @brief Replaces the module at `relative` (and only that call's module: `n@1` is
  //! another) by `replacement`, which gets the module's inputs and must return its
  //! outputs: as many, of the same dtypes, devices and sizes. Every handle of the tree
  //! sees the replacement. The buffers the module mutated are written from what the
  //! replacement returns for them. Calling the module from inside its replacement runs
  //! the module's own graph (a wrapper). A replacement that keeps a handle of this tree
  //! keeps the tree alive with it (a cycle): keep what it needs instead.
  //! @throws value_error when there is no such module, the export never called it, or
  //! `replacement` is empty.
  void set_submodule(std::string_view relative, submodule_function replacement) {
    if (!replacement) throw value_error("unflatten: set_submodule needs a function to call");
    UnflattenedModule const target = submodule(relative);
    if (!target.called())
      throw value_error("unflatten: " + target.describe()
                        + " was not called when the program was exported, so no graph calls "
                          "it and a replacement would never run");
    tree_->modules[target.index_].replacement = std::move(replacement);
  }

  //! @brief Calls this module on the values its graph takes (`input_names`, in order);
  //! returns the values it returns. Runs its replacement if it has one. Buffer
  //! mutations computed inside it are written into its state.
  //! @throws value_error for another number of inputs or an undefined one, or a module
  //! the export never called; dtype_error, device_error or shape_error naming the input
  //! and the module when an input differs from what the graph takes.
  std::vector<Tensor> operator()(std::vector<Tensor> const& inputs) const {
    check_call_inputs(inputs);
    runtime::bindings bound;
    bind_inputs(inputs, bound);
    return invoke(index_, inputs, bound);
  }

  //! @brief For the root: runs the program on flat input leaves, as
  //! `ExportedModule::run` does (same input checks and messages), module by module.
  //! @throws value_error on a module other than the root; what `ExportedModule::run`
  //! throws for bad inputs; the errors of the ops and of replaced modules.
  std::vector<leaf> run(std::vector<leaf> const& inputs) const;

  //! @brief For the root: `run` on `args` flattened against the input spec, with the
  //! outputs rebuilt as `Out` (`Tensor`, a tuple, a struct).
  template <class Out, class... Args>
  Out call(Args const&... args) const {
    return xport::unflatten<Out>(
        run(flatten_like(std::tuple<Args...>(args...), tree_->program.in_spec, "args")),
        tree_->program.out_spec, "output");
  }

private:
  friend UnflattenedModule unflatten(ExportedProgram const& ep);
  using tree = detail::unflattened_tree;

  UnflattenedModule(std::shared_ptr<tree> t, std::size_t index)
      : tree_(std::move(t)), index_(index) {}

  tree::module const& self() const noexcept { return tree_->modules[index_]; }

  std::string describe() const {
    return path().empty() ? std::string("the root module") : "module '" + path() + "'";
  }

  std::string absolute(std::string_view relative) const {
    return path().empty() ? std::string(relative) : path() + "." + std::string(relative);
  }

  // `path` relative to `base` (this module's path by default), when it is at or below it.
  std::optional<std::string> relative_of(std::string const& p,
                                         std::optional<std::string> const& base = {}) const {
    std::string const& b = base ? *base : path();
    if (b.empty()) return p;
    if (p == b) return std::string();
    if (p.size() > b.size() && p.starts_with(b) && p[b.size()] == '.')
      return p.substr(b.size() + 1);
    return std::nullopt;
  }

  std::vector<std::string> names_of(std::vector<graph::value_ref> const& values) const {
    std::vector<std::string> names;
    for (graph::value_ref v : values)
      names.push_back(tree_->program.graph.value_name(v));
    return names;
  }

  void check_call_inputs(std::vector<Tensor> const& inputs) const {
    tree::module const& m = self();
    if (!m.called)
      throw value_error("unflatten: " + describe()
                        + " was not called when the program was exported, so it has no graph");
    if (inputs.size() != m.inputs.size())
      throw value_error("unflatten: " + describe() + " takes " + std::to_string(m.inputs.size())
                        + " inputs (" + join(input_names()) + "), but "
                        + std::to_string(inputs.size()) + " were given");
    graph::Graph const& g = tree_->program.graph;
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      ops::tensor_meta const& meta = g.meta(m.inputs[k]);
      std::string const which = "input " + g.value_name(m.inputs[k]) + " of " + describe();
      if (!inputs[k].defined()) throw value_error("unflatten: " + which + " is undefined");
      if (inputs[k].dtype() != meta.dtype)
        throw dtype_error("unflatten: " + which + " must have dtype " + torch_name(meta.dtype)
                          + ", but has " + torch_name(inputs[k].dtype()));
      if (inputs[k].device() != meta.device)
        throw device_error("unflatten: " + which + " must be on " + meta.device.str()
                           + ", but is on " + inputs[k].device().str());
      if (static_cast<std::size_t>(inputs[k].dim()) != meta.sizes.size())
        throw shape_error("unflatten: " + which + " must have " + std::to_string(meta.sizes.size())
                          + " dimensions, but has " + std::to_string(inputs[k].dim()));
    }
  }

  static std::string join(std::vector<std::string> const& names) {
    std::string out;
    for (std::string const& n : names)
      out += (out.empty() ? "" : ", ") + n;
    return out;
  }

  // Binds the symbols the inputs' sizes determine (`s0` from a size `s0`, or `2*s0 + 1`),
  // then checks every size against its expression.
  void bind_inputs(std::vector<Tensor> const& inputs, runtime::bindings& bound) const {
    tree::module const& m = self();
    graph::Graph const& g = tree_->program.graph;
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      auto const& sizes = g.meta(m.inputs[k]).sizes;
      for (std::size_t d = 0; d < sizes.size(); ++d) {
        if (!sizes[d].is_symbolic()) continue;
        auto const form = sym::as_affine(sym::expr_of(sizes[d]));
        std::int64_t const got = inputs[k].size(static_cast<std::int64_t>(d));
        if (form && (got - form->b) % form->a == 0) bound.bind(form->s, (got - form->b) / form->a);
      }
    }
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      auto const& sizes = g.meta(m.inputs[k]).sizes;
      for (std::size_t d = 0; d < sizes.size(); ++d) {
        std::int64_t const got = inputs[k].size(static_cast<std::int64_t>(d));
        std::optional<std::int64_t> expected;
        try {
          expected = bound.evaluate(sizes[d]);
        } catch (value_error const&) { // a size no input determines: any value fits
        }
        if (expected && *expected != got)
          throw shape_error("unflatten: input " + g.value_name(m.inputs[k]) + " of " + describe()
                            + " has size " + std::to_string(got) + " in dim " + std::to_string(d)
                            + ", but the graph takes "
                            + (sizes[d].is_symbolic() ? sizes[d].str() + " = " : std::string())
                            + std::to_string(*expected) + " there");
      }
    }
  }

  // Runs module `k` (or its replacement) on `inputs`, with the symbols in `bound`.
  std::vector<Tensor> invoke(std::size_t k, std::span<Tensor const> inputs,
                             runtime::bindings& bound) const;

  // Runs `m`'s replacement, checks what it returns (binding the data-dependent sizes the
  // module defines) and writes the buffers it mutated.
  std::vector<Tensor> replaced(tree::module& m, std::span<Tensor const> inputs,
                               runtime::bindings& bound) const;

  std::shared_ptr<tree> tree_;
  std::size_t index_ = 0;
};

//! @brief Rebuilds the module hierarchy of `ep` (PyTorch's `torch.export.unflatten`): a
//! module for every module of the exported tree (`ep.module_call_graph`), with a graph
//! for each one the export called; a module called more than once gets a module per
//! later call (`n@1`, `n@2`, beside `n`), as PyTorch names them. The state is copied
//! (`state_dict`), so the result and `ep` do not write each other's buffers.
//!
//! Nodes are assigned to modules by their module stacks, so the program must be in trace
//! order (as export, `run_decompositions` and the passes leave it).
//! @snippet tests/export/unflatten.cpp unflatten
//! @throws value_error when the nodes of one module call are not consecutive, and what
//! `ExportedModule` throws for a program whose state or contract disagrees with its graph.
inline UnflattenedModule unflatten(ExportedProgram const& ep) {
  return UnflattenedModule(detail::build_unflattened(ep), 0);
}

inline std::vector<Tensor> UnflattenedModule::replaced(tree::module& m,
                                                       std::span<Tensor const> inputs,
                                                       runtime::bindings& bound) const {
  graph::Graph const& g = tree_->program.graph;
  std::string const who = m.path.empty() ? "the root module" : "module '" + m.path + "'";
  m.replacing = true;
  std::vector<Tensor> out;
  try {
    out = m.replacement(inputs);
  } catch (...) {
    m.replacing = false;
    throw;
  }
  m.replacing = false;
  if (out.size() != m.outputs.size())
    throw value_error("unflatten: the replacement of " + who + " returned "
                      + std::to_string(out.size()) + " tensors, but the module returns "
                      + std::to_string(m.outputs.size()));
  for (std::size_t o = 0; o < out.size(); ++o) {
    ops::tensor_meta const& meta = g.meta(m.outputs[o]);
    std::string const which = "output " + std::to_string(o) + " of the replacement of " + who;
    if (!out[o].defined()) throw value_error("unflatten: " + which + " is undefined");
    if (out[o].dtype() != meta.dtype)
      throw dtype_error("unflatten: " + which + " has dtype " + torch_name(out[o].dtype())
                        + ", but the module returns " + torch_name(meta.dtype));
    if (out[o].device() != meta.device)
      throw device_error("unflatten: " + which + " is on " + out[o].device().str()
                         + ", but the module returns a tensor on " + meta.device.str());
    bool same = static_cast<std::size_t>(out[o].dim()) == meta.sizes.size();
    for (std::size_t d = 0; same && d < meta.sizes.size(); ++d) {
      std::int64_t const size = out[o].size(static_cast<std::int64_t>(d));
      std::optional<std::int64_t> expected;
      try {
        expected = bound.evaluate(meta.sizes[d]);
      } catch (value_error const&) { // a size the call has not determined
      }
      if (expected) {
        same = *expected == size;
      } else if (auto const s = sym::expr_of(meta.sizes[d]).as_symbol()) {
        bound.bind(*s, size); // a data-dependent size (u0) the module defined: the replacement's
      }
    }
    if (!same)
      throw shape_error("unflatten: " + which + " has sizes " + format_sizes(out[o].sizes())
                        + ", but the module returns " + meta.str());
  }
  // The buffers the module (or one it calls) mutates: their new values are among its
  // outputs, since the program returns them.
  for (auto const& [o, fqn] : m.mutated_outputs)
    tree_->state.at(fqn).copy_(out[o]);
  return out;
}

inline std::vector<Tensor> UnflattenedModule::invoke(std::size_t k, std::span<Tensor const> inputs,
                                                     runtime::bindings& bound) const {
  tree::module& m = tree_->modules[k];
  if (m.replacement && !m.replacing) return replaced(m, inputs, bound);
  // The call's values by flat value; the state is read from the tree.
  std::map<std::pair<std::uint32_t, std::uint32_t>, Tensor> values;
  for (std::size_t i = 0; i < inputs.size(); ++i)
    values[{m.inputs[i].node, m.inputs[i].index}] = inputs[i];
  auto const value = [&](graph::value_ref v) -> Tensor const& {
    if (auto const& fqn = tree_->state_of_node[v.node]) return tree_->state.at(*fqn);
    return values.at({v.node, v.index});
  };
  for (tree::step const& s : m.steps) {
    if (s.ops) {
      std::vector<Tensor> reads;
      for (graph::value_ref v : s.ops->reads)
        reads.push_back(value(v));
      ops::tensor_list const results = s.ops->plan->run(reads, bound);
      for (std::size_t o = 0; o < results.size(); ++o)
        values[{s.ops->writes[o].node, s.ops->writes[o].index}] = results[o];
      continue;
    }
    tree::module const& callee = tree_->modules[s.callee];
    std::vector<Tensor> args;
    for (graph::value_ref v : callee.inputs)
      args.push_back(value(v));
    std::vector<Tensor> const results = invoke(s.callee, args, bound);
    for (std::size_t o = 0; o < results.size(); ++o)
      values[{callee.outputs[o].node, callee.outputs[o].index}] = results[o];
  }
  // The buffers whose new values this module computed (the root also writes inputs').
  for (auto const& [v, fqn] : m.mutations)
    tree_->state.at(fqn).copy_(value(v));
  std::vector<Tensor> out;
  for (graph::value_ref v : m.outputs)
    out.push_back(value(v));
  return out;
}

inline std::vector<leaf> UnflattenedModule::run(std::vector<leaf> const& inputs) const {
  if (index_ != 0)
    throw value_error("unflatten: run takes the program's inputs and is for the root module; call "
                      + describe() + " on its graph's inputs (" + join(input_names()) + ")");
  tree_->checker->check_inputs(inputs);
  graph::Graph const& g = tree_->program.graph;
  // The user's tensors, in placeholder order, and the symbols their sizes and the int
  // inputs bind.
  runtime::bindings bound;
  std::vector<Tensor> tensors;
  std::vector<std::uint32_t> const placeholders = g.placeholders();
  std::size_t leaf_index = 0;
  for (std::size_t k = 0; k < placeholders.size(); ++k) {
    if (tree_->program.signature.inputs[k].kind != input_kind::user_input) continue;
    while (leaf_index < inputs.size() && !is_none(tree_->program.input_constants[leaf_index]))
      ++leaf_index;
    leaf const& in = inputs.at(leaf_index++);
    graph::node const& n = g.at(placeholders[k]);
    if (n.values.empty()) { // an int input: its symbol
      std::int64_t const value = std::holds_alternative<std::int64_t>(in)
                                     ? std::get<std::int64_t>(in)
                                     : *std::get<SymInt>(in).maybe_int();
      if (n.scalar && n.scalar->is_symbolic())
        if (auto const form = sym::as_affine(sym::expr_of(*n.scalar)); form && form->a == 1)
          bound.bind(form->s, value - form->b);
      continue;
    }
    tensors.push_back(std::get<Tensor>(in));
  }
  UnflattenedModule const root(tree_, 0);
  root.bind_inputs(tensors, bound);
  std::vector<Tensor> const results = invoke(0, tensors, bound);
  // The outputs, then the input mutations into the caller's tensors.
  std::vector<leaf> outputs;
  std::size_t next = 0;
  for (output_spec const& o : tree_->program.signature.outputs) {
    if (!o.value) {
      try {
        outputs.push_back(detail::constant_output(*o.constant, bound));
      } catch (value_error const& e) {
        throw value_error(std::string(e.what())
                          + " (a replaced submodule may define it inside its graph: a "
                            "replacement defines only the sizes of the tensors it returns)");
      }
    } else if (Tensor const& value = results[next++]; o.kind == output_kind::user_output)
      outputs.push_back(value);
  }
  next = 0;
  for (output_spec const& o : tree_->program.signature.outputs) {
    if (!o.value) continue;
    Tensor const& value = results[next++];
    if (o.kind == output_kind::user_input_mutation) {
      std::size_t u = 0;
      for (std::size_t k = 0; k < placeholders.size(); ++k) {
        input_spec const& in = tree_->program.signature.inputs[k];
        if (in.kind != input_kind::user_input || g.at(placeholders[k]).values.empty()) continue;
        if (in.name == o.target) tensors[u].copy_(value);
        ++u;
      }
    }
  }
  return outputs;
}

inline std::string UnflattenedModule::str() const {
  tree::module const& m = self();
  graph::Graph const& g = tree_->program.graph;
  std::ostringstream out;
  out << "UnflattenedModule " << (m.path.empty() ? "<root>" : m.path);
  if (!m.type.empty()) out << " (" << m.type << ")";
  out << ":\n";
  if (!m.called) {
    out << "    (not called by the export: no graph)\n";
    return out.str();
  }
  out << "    def forward(self";
  for (graph::value_ref v : m.inputs)
    out << ", " << g.value_name(v) << ": " << detail::quoted_meta(g.meta(v));
  out << "):\n";
  for (tree::step const& s : m.steps) {
    if (s.ops) {
      for (std::uint32_t i : s.ops->nodes)
        detail::print_call(out, g, g.at(i), "        ");
      continue;
    }
    tree::module const& callee = tree_->modules[s.callee];
    out << "        ";
    for (std::size_t o = 0; o < callee.outputs.size(); ++o)
      out << (o ? ", " : "") << g.value_name(callee.outputs[o]);
    out << (callee.outputs.empty() ? "" : " = ") << "call_module["
        << relative_of(callee.path).value_or(callee.path) << "](";
    for (std::size_t i = 0; i < callee.inputs.size(); ++i)
      out << (i ? ", " : "") << g.value_name(callee.inputs[i]);
    out << ")\n";
  }
  out << "        return (";
  for (graph::value_ref v : m.outputs)
    out << g.value_name(v) << ",";
  out << ")\n";
  return out.str();
}

} // namespace xport
