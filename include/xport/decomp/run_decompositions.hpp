//! @file
//! `run_decompositions`: a program with every op that a table has a rule for rewritten by
//! that rule, recursively, into the ops the rules emit — and `verify_core`, the dialect
//! verifier for the result.
//!
//! Each node of the source program is replayed in order on fake tensors with the same
//! symbolic sizes: a node whose op has no rule is copied as it is; a node whose op has
//! one runs the rule under an interceptor that records the ops it calls (rewriting the
//! composite ones it reaches in turn). New nodes keep the source node's line and module
//! stack and name it in `node::from`. A rule must decide shapes with what the program
//! already knows: if it would record a new guard, decomposing fails with an error naming
//! the rule and the guard, and the program's shape environment is left as it was.
#pragma once

#include <xport/decomp/core_op_set.hpp>
#include <xport/decomp/table.hpp>
#include <xport/export/program.hpp>
#include <xport/sym/sym_node.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace xport::decomp {

//! @cond
namespace detail {

inline std::string where_text(std::optional<graph::source_line> const& where) {
  if (!where) return "<unknown location>";
  return xport::detail::file_base(where->file) + ":" + std::to_string(where->line);
}

// Records the ops rules call into the new graph, applying the table's rules to the
// composite ops they reach.
class replayer final : public ops::op_interceptor {
public:
  struct handle {
    replayer const* owner;
    graph::value_ref value;
  };

  replayer(graph::Graph& out, decomposition_table const& table) : out_(&out), table_(&table) {}

  // What new nodes inherit from the source node being replayed.
  struct origin {
    std::string name;
    std::optional<graph::source_line> where;
    std::vector<graph::stack_entry> module_stack;
  };

  void set_origin(origin o) { origin_ = std::move(o); }

  Tensor fake(graph::value_ref v) const {
    ops::tensor_meta const& m = out_->meta(v);
    return Tensor::make_fake(m.dtype, m.device,
                             std::span<SymInt const>(m.sizes.data(), m.sizes.size()),
                             std::make_shared<handle const>(handle{this, v}));
  }

  graph::value_ref value_of(Tensor const& t, std::string_view rule) const {
    if (t.is_fake()) {
      auto const* h = static_cast<handle const*>(t.fake_value().get());
      if (h != nullptr && h->owner == this) return h->value;
    }
    throw decomposition_error(
        "the " + std::string(rule)
        + " used a tensor that no op of the program made (a real tensor or one from another "
          "trace); rules must create tensors with ops (full, arange, scalar_tensor)");
  }

  // Applies `rule` to `inputs` with this replayer installed.
  ops::tensor_list apply(decomposition_table::entry const& rule,
                         ops::boxed_attributes const& attributes, std::span<Tensor const> inputs) {
    rules_.push_back(rule.name);
    struct pop {
      std::vector<std::string>* stack;
      ~pop() { stack->pop_back(); }
    } const popper{&rules_};
    ops::interceptor_scope const scope(*this);
    return rule.apply(attributes, inputs);
  }

  ops::tensor_list intercept(ops::boxed_attributes const& attributes,
                             std::span<Tensor const> inputs, source_location const&) override {
    if (decomposition_table::entry const* rule = table_->find(&attributes.schema())) {
      if (rules_.size() > 64) {
        throw decomposition_error("decomposition rules nest more than 64 deep at "
                                  + std::string(attributes.schema().name)
                                  + "; the table's rules form a cycle");
      }
      return apply(*rule, attributes, inputs);
    }
    std::string const rule = rules_.empty() ? std::string("rule") : rules_.back();
    if (attributes.schema().functional != nullptr) {
      throw decomposition_error("the " + rule + " called the in-place op "
                                + std::string(attributes.schema().name)
                                + "; rules must be functional (call "
                                + std::string(attributes.schema().functional->name) + ")");
    }
    std::vector<graph::argument> args;
    ops::meta_list metas;
    for (Tensor const& t : inputs) {
      if (t.defined()) {
        args.emplace_back(value_of(t, rule));
        metas.push_back(out_->meta(*args.back()));
      } else {
        args.emplace_back(std::nullopt);
        metas.push_back(ops::tensor_meta::of(t));
      }
    }
    ops::meta_list outputs;
    {
      // Guards are refused with the node's line (where_text), not the guard's.
      sym::guard_scope const scope(attributes.schema().name, source_location{});
      no_unbacked context;
      outputs =
          attributes.meta(std::span<ops::tensor_meta const>(metas.data(), metas.size()), context);
    }
    std::uint32_t const node =
        out_->add_call(attributes, std::move(args), outputs, origin_.where, origin_.module_stack);
    out_->set_from(node, origin_.name);
    ops::tensor_list results;
    for (std::uint32_t i = 0; i < outputs.size(); ++i)
      results.push_back(fake({node, i}));
    return results;
  }

private:
  // Rules work on sizes the program already has; a data-dependent size would need a new
  // symbol the program does not bind.
  class no_unbacked final : public ops::meta_context {
  public:
    SymInt unbacked_size() override {
      throw decomposition_error("a decomposition rule called a data-dependent op (its output "
                                "size is known only when the program runs); keep the op instead");
    }
  };

  graph::Graph* out_;
  decomposition_table const* table_;
  origin origin_;
  std::vector<std::string> rules_;
};

inline bool same_meta(ops::tensor_meta const& a, ops::tensor_meta const& b,
                      sym::ShapeEnv const& env) {
  if (a.dtype != b.dtype || a.device != b.device || a.sizes.size() != b.sizes.size()) return false;
  for (std::size_t d = 0; d < a.sizes.size(); ++d) {
    if (a.sizes[d].is_symbolic() || b.sizes[d].is_symbolic()) {
      if (!(env.simplify(sym::expr_of(a.sizes[d])) == env.simplify(sym::expr_of(b.sizes[d]))))
        return false;
    } else if (a.sizes[d].maybe_int() != b.sizes[d].maybe_int()) {
      return false;
    }
  }
  return true;
}

// `in` with every op of the table rewritten, its sub-graphs (cond's branches) too.
inline graph::Graph decompose_graph(graph::Graph const& in, decomposition_table const& table,
                                    sym::ShapeEnv& env) {
  graph::Graph out;
  replayer replay(out, table);
  auto const& nodes = in.nodes();
  std::vector<std::vector<graph::value_ref>> mapped(nodes.size());
  auto remap = [&](graph::argument const& a) -> graph::argument {
    if (!a) return std::nullopt;
    return mapped.at(a->node).at(a->index);
  };
  for (std::uint32_t i = 0; i < nodes.size(); ++i) {
    graph::node const& n = nodes[i];
    switch (n.op) {
    case graph::node_op::placeholder: {
      graph::value_ref const v =
          n.values.empty() ? graph::value_ref{out.add_scalar_placeholder(n.name, *n.scalar)}
                           : out.add_placeholder(n.name, n.values.at(0));
      if (out.at(v.node).name != n.name)
        throw decomposition_error("placeholder '" + n.name + "' could not keep its name");
      mapped[i] = {v};
      break;
    }
    case graph::node_op::call_function: {
      decomposition_table::entry const* rule = table.find(&n.target->schema());
      if (rule == nullptr) {
        std::vector<graph::argument> args;
        for (graph::argument const& a : n.args)
          args.push_back(remap(a));
        std::uint32_t const node =
            out.add_call(*n.target, std::move(args), n.values, n.where, n.module_stack);
        if (n.scalar) out.set_scalar(node, *n.scalar);
        out.set_from(node, n.from.empty() ? n.name : n.from);
        if (!n.subgraphs.empty()) {
          std::vector<graph::subgraph> branches;
          for (graph::subgraph const& b : n.subgraphs)
            branches.push_back({b.name, std::make_shared<graph::Graph const>(
                                            decompose_graph(*b.graph, table, env))});
          out.set_subgraphs(node, std::move(branches));
        }
        for (std::uint32_t k = 0; k < n.values.size(); ++k)
          mapped[i].push_back({node, k});
        break;
      }
      if (n.target->schema().functional != nullptr) {
        // Only graphs read from PyTorch's training IR write in place (export records
        // writes functionally); its functional rule would drop the write.
        throw decomposition_error(
            "node '" + n.name + "' (" + std::string(n.target->schema().name) + " at "
            + where_text(n.where)
            + ") writes in place, as PyTorch's training IR keeps writes; decomposing it would "
              "lose the write: call the program undecomposed, or save it from PyTorch after "
              "run_decompositions()");
      }
      std::vector<Tensor> inputs;
      for (graph::argument const& a : n.args)
        inputs.push_back(a ? replay.fake(*remap(a)) : Tensor());
      replay.set_origin({n.from.empty() ? n.name : n.from, n.where, n.module_stack});
      std::size_t const guards = env.guards().size();
      ops::tensor_list results;
      {
        sym::guard_scope const scope(n.target->schema().name, source_location{});
        results = replay.apply(*rule, *n.target, inputs);
      }
      auto what = [&] { // only built for an error message
        return "the " + rule->name + " (decomposing node '" + n.name + "' at " + where_text(n.where)
               + ")";
      };
      if (env.guards().size() > guards) {
        sym::guard const& g = env.guards()[guards];
        throw decomposition_error(what() + " would add the guard " + sym::to_string(g.rel)
                                  + " (asked by " + g.op
                                  + ") to the program's symbols; a rule must decide shapes "
                                    "with what the program already knows (read sizes with "
                                    "sym_size and keep them symbolic), or erase the op from "
                                    "the table to keep it");
      }
      if (results.size() != n.values.size()) {
        throw decomposition_error(what() + " returned " + std::to_string(results.size())
                                  + " tensors for an op with " + std::to_string(n.values.size())
                                  + " outputs");
      }
      for (std::size_t k = 0; k < results.size(); ++k) {
        graph::value_ref const v = replay.value_of(results[k], rule->name);
        if (!same_meta(out.meta(v), n.values[k], env)) {
          throw decomposition_error(what() + " computed output " + std::to_string(k) + " as "
                                    + out.meta(v).str() + " where the op gives "
                                    + n.values[k].str());
        }
        mapped[i].push_back(v);
      }
      break;
    }
    case graph::node_op::output:
      break;
    }
  }
  std::vector<graph::value_ref> outputs;
  for (graph::value_ref v : in.outputs())
    outputs.push_back(*remap(v));
  out.set_outputs(std::move(outputs));
  out.eliminate_dead_code();
  return out;
}

inline ExportedProgram decompose(ExportedProgram const& ep, decomposition_table const& table,
                                 sym::ShapeEnv& env) {
  ExportedProgram out;
  out.signature = ep.signature;
  out.state_dict = ep.state_dict;
  out.constants = ep.constants;
  out.range_constraints = ep.range_constraints;
  out.contract = ep.contract;
  out.in_spec = ep.in_spec;
  out.out_spec = ep.out_spec;
  out.input_paths = ep.input_paths;
  out.input_constants = ep.input_constants;
  out.module_call_graph = ep.module_call_graph;
  out.shape_env = ep.shape_env;
  out.graph = decompose_graph(ep.graph, table, env);
  std::vector<graph::value_ref> const final_values = out.graph.outputs();
  std::size_t next = 0;
  for (output_spec& o : out.signature.outputs)
    if (o.value) o.value = final_values.at(next++);
  return out;
}

} // namespace detail
//! @endcond

//! @brief `ep` with every op that `table` has a rule for rewritten by that rule (see the
//! file comment); the same signature, state, constants, range constraints and contract.
//! @throws decomposition_error naming the rule and the source node when a rule would add
//! a guard, returns the wrong number of outputs or outputs of other metas, uses a tensor
//! no op made, or calls an in-place op; a rule's own error (unsupported_error for cases a
//! rule does not cover); as `ExportedProgram::check_state` when the program's state
//! disagrees with its graph.
inline ExportedProgram run_decompositions(ExportedProgram const& ep,
                                          decomposition_table const& table) {
  ep.check_state("run_decompositions");
  if (!ep.shape_env) {
    sym::ShapeEnv env;
    return detail::decompose(ep, table, env);
  }
  // The metas' symbols live in the program's environment; a rule that fails must not
  // leave a guard there, so a copy restores it.
  auto& env = const_cast<sym::ShapeEnv&>(*ep.shape_env);
  sym::ShapeEnv const saved = env;
  try {
    return detail::decompose(ep, table, env);
  } catch (...) {
    env = saved;
    throw;
  }
}

//! @brief The call nodes of `ep` whose op is neither core nor kept by `table` (erased
//! from it), as `name: op` lines (`true_graph_0.linear: aten::linear` inside a branch);
//! empty when `ep` is in the core dialect.
inline std::vector<std::string> non_core_nodes(ExportedProgram const& ep,
                                               decomposition_table const& table) {
  std::vector<std::string> out;
  auto visit = [&](auto const& self, graph::Graph const& g, std::string const& prefix) -> void {
    for (graph::node const& n : g.nodes()) {
      if (n.op != graph::node_op::call_function) continue;
      ops::op_schema const& s = n.target->schema();
      if (s.kind != ops::op_kind::core && !table.keeps(s.name))
        out.push_back(prefix + n.name + ": " + std::string(s.name));
      for (graph::subgraph const& b : n.subgraphs)
        self(self, *b.graph, prefix + b.name + ".");
    }
  };
  visit(visit, ep.graph, "");
  return out;
}

//! @brief The dialect verifier: checks that every op of `ep` is core, or kept by `table`.
//! @throws decomposition_error listing the nodes with other ops.
inline void verify_core(ExportedProgram const& ep,
                        decomposition_table const& table = default_decompositions()) {
  std::vector<std::string> const bad = non_core_nodes(ep, table);
  if (bad.empty()) return;
  std::string list;
  for (std::string const& b : bad)
    list += (list.empty() ? "" : ", ") + b;
  throw decomposition_error("the program is not in the core dialect: " + list
                            + " (neither core nor kept by the table); run_decompositions with "
                              "a table that has rules for these ops");
}

} // namespace xport::decomp

namespace xport {

inline ExportedProgram
ExportedProgram::run_decompositions(decomp::decomposition_table const& table) const {
  return decomp::run_decompositions(*this, table);
}

inline ExportedProgram ExportedProgram::run_decompositions() const {
  return decomp::run_decompositions(*this, decomp::default_decompositions());
}

} // namespace xport
