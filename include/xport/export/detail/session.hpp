//! @file
//! The work of `export_program` that does not depend on the module's or the inputs' types:
//! binding the spec, placeholders for state and inputs, the outputs, ordering and dead-code
//! removal, solving the spec and the input contract. `export_program` (export.hpp) is a
//! thin template that walks the module and calls its `forward` between these steps, so that
//! each exported model type adds only that walk and that call to its translation unit.
#pragma once

#include <xport/export/program.hpp>
#include <xport/nn/module.hpp>
#include <xport/ops/data_dependent.hpp>
#include <xport/sym/bind.hpp>
#include <xport/sym/solver.hpp>
#include <xport/trace/pytree.hpp>
#include <xport/trace/tracer.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace xport {

//! @brief Options of `export_program`.
struct export_options {
  //! Names of forward's arguments, for placeholders and messages (`x` instead of
  //! `args_0`); C++ cannot recover parameter names, so they are given here.
  std::vector<std::string> input_names = {};
  //! PyTorch's default: example sizes 0 and 1 are made static, and a minimum of 2 is not
  //! enforced at call time. `enforce` makes every range minimum a runtime check.
  sym::zero_one_policy zero_one = sym::zero_one_policy::accept_at_runtime;
};

//! @cond
namespace detail {

// A placeholder name from a dotted state name: "fc1.weight" -> "p_fc1_weight".
inline std::string state_placeholder(char prefix, std::string_view fqn) {
  std::string name(1, prefix);
  name += '_';
  for (char c : fqn)
    name += c == '.' ? '_' : c;
  return name;
}

// Swaps a module's state for fake tensors while tracing and puts it back afterwards (also
// when tracing throws).
class state_swap {
public:
  state_swap() = default;
  state_swap(state_swap const&) = delete;
  state_swap& operator=(state_swap const&) = delete;
  ~state_swap() {
    for (auto& [member, original] : saved_)
      *member = original;
  }
  void replace(Tensor& member, Tensor fake) {
    saved_.emplace_back(&member, member);
    member = std::move(fake);
  }

private:
  std::vector<std::pair<Tensor*, Tensor>> saved_;
};

inline constexpr std::uint32_t no_anchor = ~std::uint32_t{0};

// Appends an `_assert_scalar` node per runtime assert of `env`; returns each one's node
// with the node it must follow: the one defining the last data-dependent symbol it reads
// (`no_anchor` when it reads input sizes only), whose module stack it takes.
inline std::vector<std::pair<std::uint32_t, std::uint32_t>>
add_runtime_asserts(graph::Graph& g, sym::ShapeEnv& env) {
  if (env.runtime_asserts().empty()) return {};
  std::map<sym::symbol, std::uint32_t> defined_by;
  auto define = [&](SymInt const& size, std::uint32_t node) {
    if (!size.is_symbolic()) return;
    if (auto const s = sym::expr_of(size).as_symbol())
      if (s->kind == sym::symbol_kind::unbacked) defined_by.try_emplace(*s, node);
  };
  for (std::uint32_t i = 0; i < g.nodes().size(); ++i) {
    graph::node const& n = g.at(i);
    if (n.scalar) define(*n.scalar, i);
    for (ops::tensor_meta const& m : n.values)
      for (SymInt const& size : m.sizes)
        define(size, i);
  }
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  for (sym::runtime_assert const& a : env.runtime_asserts()) {
    std::uint32_t anchor = no_anchor;
    for (sym::symbol const& s : sym::free_symbols(a.rel.difference())) {
      auto const it = defined_by.find(s);
      if (it != defined_by.end() && (anchor == no_anchor || it->second > anchor))
        anchor = it->second;
    }
    std::string msg = "Runtime assertion failed for expression " + sym::to_string(a.rel)
                      + " (xport::check at " + file_base(a.where.file_name()) + ":"
                      + std::to_string(a.where.line()) + ")";
    if (!a.message.empty()) msg += ": " + a.message;
    ops::assert_scalar::attributes attributes{sym::expr_node::make(env, a.rel.lhs),
                                              ops::comparison_of(a.rel.op),
                                              sym::expr_node::make(env, a.rel.rhs), std::move(msg)};
    // It runs right after its anchor (`order_nodes`), so as part of the anchor's module.
    std::vector<graph::stack_entry> stack;
    if (anchor != no_anchor) stack = g.at(anchor).module_stack;
    std::uint32_t const node =
        g.add_call(ops::boxed_attributes::of<ops::assert_scalar>(std::move(attributes)), {}, {},
                   a.where, std::move(stack));
    out.emplace_back(node, anchor);
  }
  return out;
}

// One export, step by step: the constructor binds the spec to the example inputs;
// `add_state` lifts each parameter, buffer and tensor member (in that order) to a
// placeholder and swaps a fake tensor into the module; `add_user_inputs` makes the
// inputs' placeholders; the caller runs forward with `tracer()` installed; `finish`
// builds the program from forward's flattened output. The module's state is put back when
// the session ends, also when a step throws.
class export_session {
public:
  export_session(flat_tree flat, sym::dynamic_shapes const& spec, export_options const& options)
      : env_(std::make_shared<sym::ShapeEnv>()), tracer_(*env_, ep_.graph), flat_(std::move(flat)),
        options_(options), leaf_paths_(input_paths(flat_.spec, options.input_names)) {
    ep_.in_spec = flat_.spec;
    // The spec binds the tensor and SymInt leaves, in order.
    std::vector<sym::example_input> examples;
    int_values_.resize(flat_.leaves.size()); // SymInt examples, by leaf
    for (std::size_t i = 0; i < flat_.leaves.size(); ++i) {
      if (auto const* t = std::get_if<Tensor>(&flat_.leaves[i])) {
        input_leaves_.push_back(i);
        examples.push_back({leaf_paths_[i], t->sizes()});
      } else if (auto const* n = std::get_if<SymInt>(&flat_.leaves[i])) {
        if (!n->maybe_int()) {
          throw value_error("the example input at " + leaf_paths_[i] + " is the symbolic size "
                            + n->str() + "; pass a concrete integer");
        }
        int_values_[i] = *n->maybe_int();
        input_leaves_.push_back(i);
        examples.push_back({leaf_paths_[i], std::span(&int_values_[i], 1), true});
      }
    }
    binding_ = sym::bind_spec(spec, examples, sym::symbol_factory_for(*env_));
  }
  export_session(export_session const&) = delete;
  export_session& operator=(export_session const&) = delete;

  // Lifts `member` (at dotted path `fqn`) to a placeholder of `kind` (`p_`, `b_` or `c_`
  // by `prefix`), or to the placeholder of a tensor it is tied to.
  void add_state(input_kind kind, char prefix, std::string const& fqn, Tensor& member,
                 tensor_role role) {
    for (auto const& [original, fake] : seen_) {
      if (original.is_same(member)) {
        swap_.replace(member, fake);
        return;
      }
    }
    Tensor fake = tracer_.add_input(state_placeholder(prefix, fqn), ops::tensor_meta::of(member));
    bool const persistent = role != tensor_role::non_persistent_buffer;
    ep_.signature.inputs.push_back({kind, ep_.graph.nodes().back().name, fqn, persistent});
    if (kind == input_kind::parameter || (kind == input_kind::buffer && persistent))
      ep_.state_dict.emplace(fqn, member);
    else
      ep_.constants.emplace(fqn, member);
    seen_.emplace_back(member, fake);
    swap_.replace(member, fake);
  }

  // The placeholders of the user inputs, after the state: tensor leaves with the bound
  // sizes, SymInt leaves with the bound value; other leaves are specialized (kept as
  // constants the caller must pass again). Returns the leaves to call forward with.
  std::vector<leaf> add_user_inputs() {
    state_count_ = ep_.graph.nodes().size();
    std::vector<leaf> fake_leaves = flat_.leaves;
    std::size_t next_dim = 0;
    for (std::size_t i : input_leaves_) {
      std::string const name = path_placeholder(leaf_paths_[i]);
      if (std::holds_alternative<SymInt>(flat_.leaves[i])) {
        SymInt value = sym::expr_node::make(*env_, binding_.dims.at(next_dim++).value);
        ep_.graph.add_scalar_placeholder(name, value);
        scalar_inputs_.push_back(input_path_list_.size());
        fake_leaves[i] = std::move(value);
      } else {
        Tensor const& example = std::get<Tensor>(flat_.leaves[i]);
        ops::sym_sizes sizes;
        for (std::int64_t d = 0; d < example.dim(); ++d)
          sizes.push_back(sym::expr_node::make(*env_, binding_.dims.at(next_dim++).value));
        Tensor fake =
            tracer_.add_input(name, {example.dtype(), example.device(), std::move(sizes)});
        input_fakes_.emplace_back(fake, static_cast<std::uint32_t>(ep_.graph.nodes().size() - 1));
        fake_leaves[i] = std::move(fake);
      }
      ep_.signature.inputs.push_back(
          {input_kind::user_input, ep_.graph.nodes().back().name, "", true});
      input_path_list_.push_back(leaf_paths_[i]);
    }
    ep_.input_paths = leaf_paths_;
    ep_.input_constants = flat_.leaves;
    for (std::size_t i : input_leaves_)
      ep_.input_constants[i] = none;
    return fake_leaves;
  }

  // The structure of the example inputs.
  tree_spec const& args_spec() const noexcept { return flat_.spec; }

  // The interceptor that records forward's op calls.
  trace::tracer& tracer() noexcept { return tracer_; }

  // The program, from forward's flattened output `out` and the modules of the exported
  // tree. Call once.
  ExportedProgram finish(flat_tree const& out, std::vector<module_call_entry> modules) {
    ep_.out_spec = out.spec;
    add_outputs(out);
    order_nodes();
    // The spec against what tracing required.
    sym::trace_facts const facts = sym::trace_facts_of(*env_);
    sym::solve_result solved = sym::solve(binding_, facts);
    if (!solved.ok()) throw sym::spec_violation(std::move(solved));
    ep_.contract = sym::make_input_contract(binding_, facts, input_path_list_, options_.zero_one);
    for (std::size_t k : scalar_inputs_)
      ep_.contract.set_scalar(k);
    for (std::size_t i = 0; i < ep_.contract.num_symbols(); ++i) {
      ep_.range_constraints.push_back(
          {ep_.contract.symbol_name(i),
           ep_.contract.range(
               sym::symbol{sym::symbol_kind::backed, static_cast<std::uint32_t>(i)})});
    }
    // Data-dependent symbols, with what checks taught about them: `u0: VR[0, 4]`.
    for (sym::symbol_info const& info : env_->symbols()) {
      if (info.sym.kind == sym::symbol_kind::unbacked)
        ep_.range_constraints.push_back({sym::to_string(info.sym), env_->range_of(info.sym)});
    }
    ep_.module_call_graph = std::move(modules);
    ep_.shape_env = env_;
    return std::move(ep_);
  }

private:
  // Outputs: mutations of buffers and user inputs first, then the user's outputs.
  void add_outputs(flat_tree const& out) {
    auto current = [](Tensor const& fake) {
      return static_cast<trace::traced_value const*>(fake.fake_value().get())->current;
    };
    for (std::size_t k = 0; k < seen_.size(); ++k) {
      input_spec const& in = ep_.signature.inputs[k];
      graph::value_ref const now = current(seen_[k].second);
      if (now == graph::value_ref{static_cast<std::uint32_t>(k), 0}) continue;
      if (in.kind != input_kind::buffer) {
        throw value_error("forward mutated " + std::string(name(in.kind)) + " '" + in.target
                          + "' in place; only buffers and user inputs may be mutated by an "
                            "exported program (make it a Buffer)");
      }
      ep_.signature.outputs.push_back({output_kind::buffer_mutation, now, std::nullopt, in.target});
      values_.push_back(now);
    }
    for (auto const& [fake, node] : input_fakes_) {
      graph::value_ref const placeholder{node, 0};
      graph::value_ref const now = current(fake);
      if (now != placeholder) {
        std::string const& target = ep_.graph.at(placeholder.node).name;
        ep_.signature.outputs.push_back(
            {output_kind::user_input_mutation, now, std::nullopt, target});
        values_.push_back(now);
      }
    }
    for (leaf const& l : out.leaves) {
      if (auto const* t = std::get_if<Tensor>(&l)) {
        graph::value_ref const v = tracer_.value_of(*t);
        ep_.signature.outputs.push_back({output_kind::user_output, v, std::nullopt, ""});
        values_.push_back(v);
      } else if (auto const* n = std::get_if<SymInt>(&l); n != nullptr && n->is_symbolic()) {
        // A size returned: kept as an expression of the symbols the inputs (and
        // data-dependent ops) bind, after what tracing learned (`s1` replaced by `s0 + 1`);
        // each call returns its value.
        SymInt const value = sym::expr_node::make(*env_, env_->simplify(sym::expr_of(*n)));
        ep_.signature.outputs.push_back({output_kind::user_output, std::nullopt, value, ""});
      } else {
        ep_.signature.outputs.push_back({output_kind::user_output, std::nullopt, l, ""});
      }
    }
  }

  // PyTorch's node order: the state, lifted constants, user inputs, then the calls, each
  // runtime assert (xport::check) right after the node that defines the last data-dependent
  // symbol it reads (asserts about input sizes alone first); then dead code goes.
  void order_nodes() {
    std::vector<std::uint32_t> order;
    for (std::uint32_t i = 0; i < state_count_; ++i)
      order.push_back(i);
    std::size_t lifted_index = 0;
    for (auto const& [tensor, value] : tracer_.lifted_constants()) {
      order.push_back(value.node);
      std::string const target = "lifted_tensor_" + std::to_string(lifted_index++);
      ep_.signature.inputs.insert(
          ep_.signature.inputs.begin()
              + static_cast<std::ptrdiff_t>(state_count_ + lifted_index - 1),
          {input_kind::constant_tensor, ep_.graph.at(value.node).name, target, true});
      ep_.constants.emplace(target, tensor);
    }
    std::size_t const user_end = state_count_ + input_leaves_.size();
    for (std::uint32_t i = static_cast<std::uint32_t>(state_count_); i < user_end; ++i)
      order.push_back(i);
    std::uint32_t const traced_end = static_cast<std::uint32_t>(ep_.graph.nodes().size());
    std::vector<std::pair<std::uint32_t, std::uint32_t>> const asserts =
        add_runtime_asserts(ep_.graph, *env_);
    auto place_asserts = [&](std::uint32_t anchor) {
      for (auto const& [node, after] : asserts)
        if (after == anchor) order.push_back(node);
    };
    place_asserts(no_anchor);
    for (std::uint32_t i = 0; i < traced_end; ++i) {
      if (ep_.graph.at(i).op != graph::node_op::call_function) continue;
      order.push_back(i);
      place_asserts(i);
    }
    ep_.graph.set_outputs(std::move(values_));
    order.push_back(static_cast<std::uint32_t>(ep_.graph.nodes().size() - 1));
    ep_.graph.reorder(order);
    ep_.graph.eliminate_dead_code();
    std::vector<graph::value_ref> const final_values = ep_.graph.outputs();
    std::size_t next_value = 0;
    for (output_spec& o : ep_.signature.outputs)
      if (o.value) o.value = final_values.at(next_value++);
  }

  std::shared_ptr<sym::ShapeEnv> env_;
  ExportedProgram ep_;
  trace::tracer tracer_; // appends to ep_.graph
  flat_tree flat_;
  export_options options_;
  std::vector<std::string> leaf_paths_;
  std::vector<std::size_t> input_leaves_; // the leaves the spec binds: tensors and SymInts
  std::vector<std::int64_t> int_values_;  // SymInt examples, by leaf
  sym::spec_binding binding_;
  std::vector<std::pair<Tensor, Tensor>> seen_; // state: original -> fake, for tied tensors
  state_swap swap_;                             // destroyed first: the module gets its state back
  std::size_t state_count_ = 0;
  std::vector<std::string> input_path_list_;
  std::vector<std::pair<Tensor, std::uint32_t>> input_fakes_; // with their placeholders
  std::vector<std::size_t> scalar_inputs_;                    // contract inputs that are ints
  std::vector<graph::value_ref> values_;                      // the graph's outputs
};

} // namespace detail
//! @endcond

} // namespace xport
