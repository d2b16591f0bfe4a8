//! @file
//! `export_program`: traces a module's `forward` on fake tensors into an
//! `ExportedProgram`, checking the dynamic-shapes spec against what the code required.
//!
//! @code
//! auto batch = xport::Dim("batch", {.min = 1, .max = 1024});
//! xport::ExportedProgram ep = xport::export_program(model, std::tuple{x}, {{batch, 784}});
//! std::cout << ep;                      // the graph, signature and range constraints
//! auto y = ep.module().call<xport::Tensor>(x2);
//! @endcode
#pragma once

#include <xport/api/tensor_methods.hpp>
#include <xport/export/program.hpp>
#include <xport/export/spec_tree.hpp>
#include <xport/nn/module.hpp>
#include <xport/ops/data_dependent.hpp>
#include <xport/sym/bind.hpp>
#include <xport/sym/solver.hpp>
#include <xport/trace/pytree.hpp>
#include <xport/trace/tracer.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
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
// (`no_anchor` when it reads input sizes only).
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
    std::uint32_t const node = g.add_call(
        ops::boxed_attributes::of<ops::assert_scalar>(std::move(attributes)), {}, {}, a.where, {});
    out.emplace_back(node, anchor);
  }
  return out;
}

} // namespace detail

//! @brief Traces `module(args...)` on fake tensors into an `ExportedProgram`.
//!
//! Each tensor leaf of `args` becomes a user input whose sizes follow `spec` (one
//! `shape_spec` per tensor leaf and per `SymInt` leaf, in leaf order; an empty spec makes
//! every size static). A `SymInt` leaf (forward takes a `SymInt`) is an integer input
//! whose one entry may make it a symbol (`n: "Sym(s0)"`); it is treated as a size
//! (non-negative, PyTorch's 0/1 rule). Other leaves are specialized to their values. Parameters,
//! buffers and tensor members become placeholders (`p_`, `b_`, `c_`), tensors created in forward
//! are lifted constants, in-place updates of buffers and inputs become mutation outputs, and dead
//! code is removed. The module is left as it was.
//! @throws spec_violation (a constraint_violation) listing every violated dim with
//! suggested fixes when the code needs more than the spec allows; the binding's errors
//! for specs that do not fit the inputs; any op's error for bad shapes.
template <class M, class... Args>
ExportedProgram export_program(M& module, std::tuple<Args...> const& args,
                               sym::dynamic_shapes const& spec = {},
                               export_options const& options = {}) {
  auto env = std::make_shared<sym::ShapeEnv>();
  ExportedProgram ep;
  trace::tracer tracer(*env, ep.graph);
  flat_tree flat = flatten(args, "args");
  ep.in_spec = flat.spec;
  std::vector<std::string> const leaf_paths = detail::input_paths(flat.spec, options.input_names);

  // The spec binds the tensor and SymInt leaves, in order.
  std::vector<std::size_t> input_leaves;
  std::vector<sym::example_input> examples;
  std::vector<std::int64_t> int_values(flat.leaves.size()); // SymInt examples, by leaf
  for (std::size_t i = 0; i < flat.leaves.size(); ++i) {
    if (auto const* t = std::get_if<Tensor>(&flat.leaves[i])) {
      input_leaves.push_back(i);
      examples.push_back({leaf_paths[i], t->sizes()});
    } else if (auto const* n = std::get_if<SymInt>(&flat.leaves[i])) {
      if (!n->maybe_int()) {
        throw value_error("the example input at " + leaf_paths[i] + " is the symbolic size "
                          + n->str() + "; pass a concrete integer");
      }
      int_values[i] = *n->maybe_int();
      input_leaves.push_back(i);
      examples.push_back({leaf_paths[i], std::span(&int_values[i], 1), true});
    }
  }
  sym::spec_binding const binding = sym::bind_spec(spec, examples, sym::symbol_factory_for(*env));

  // State placeholders: parameters, then buffers, then tensor members (PyTorch's order).
  detail::state_swap swap;
  std::vector<std::pair<Tensor, Tensor>> seen; // original -> fake, for tied tensors
  auto lift = [&](input_kind kind, char prefix) {
    return [&, kind, prefix](std::string const& fqn, Tensor& member, tensor_role role) {
      for (auto const& [original, fake] : seen) {
        if (original.is_same(member)) {
          swap.replace(member, fake);
          return;
        }
      }
      Tensor fake =
          tracer.add_input(detail::state_placeholder(prefix, fqn), ops::tensor_meta::of(member));
      bool const persistent = role != tensor_role::non_persistent_buffer;
      ep.signature.inputs.push_back({kind, ep.graph.nodes().back().name, fqn, persistent});
      if (kind == input_kind::parameter || (kind == input_kind::buffer && persistent))
        ep.state_dict.emplace(fqn, member);
      else
        ep.constants.emplace(fqn, member);
      seen.emplace_back(member, fake);
      swap.replace(member, fake);
    };
  };
  {
    auto parameters = lift(input_kind::parameter, 'p');
    auto buffers = lift(input_kind::buffer, 'b');
    auto members = lift(input_kind::constant_tensor, 'c');
    detail::walk_tensors(module, std::string(), {detail::roles({tensor_role::parameter})},
                         parameters);
    detail::walk_tensors(module, std::string(),
                         {detail::roles({tensor_role::buffer, tensor_role::non_persistent_buffer})},
                         buffers);
    detail::walk_tensors(module, std::string(), {detail::roles({tensor_role::constant})}, members);
  }
  std::size_t const state_count = ep.graph.nodes().size();

  // User inputs: tensor leaves become placeholders with the bound sizes, SymInt leaves
  // placeholders with the bound value; other leaves are specialized (kept as constants the
  // caller must pass again).
  std::vector<leaf> fake_leaves = flat.leaves;
  std::vector<std::string> input_path_list;
  std::vector<std::pair<Tensor, std::uint32_t>> input_fakes; // with their placeholders
  std::vector<std::size_t> scalar_inputs;                    // contract inputs that are ints
  std::size_t next_dim = 0;
  for (std::size_t i : input_leaves) {
    std::string const name = detail::path_placeholder(leaf_paths[i]);
    if (std::holds_alternative<SymInt>(flat.leaves[i])) {
      SymInt value = sym::expr_node::make(*env, binding.dims.at(next_dim++).value);
      ep.graph.add_scalar_placeholder(name, value);
      scalar_inputs.push_back(input_path_list.size());
      fake_leaves[i] = std::move(value);
    } else {
      Tensor const& example = std::get<Tensor>(flat.leaves[i]);
      ops::sym_sizes sizes;
      for (std::int64_t d = 0; d < example.dim(); ++d)
        sizes.push_back(sym::expr_node::make(*env, binding.dims.at(next_dim++).value));
      Tensor fake = tracer.add_input(name, {example.dtype(), example.device(), std::move(sizes)});
      input_fakes.emplace_back(fake, static_cast<std::uint32_t>(ep.graph.nodes().size() - 1));
      fake_leaves[i] = std::move(fake);
    }
    ep.signature.inputs.push_back({input_kind::user_input, ep.graph.nodes().back().name, "", true});
    input_path_list.push_back(leaf_paths[i]);
  }
  std::size_t const user_count = input_leaves.size();
  ep.input_paths = leaf_paths;
  ep.input_constants = flat.leaves;
  for (std::size_t i : input_leaves)
    ep.input_constants[i] = none;

  // Trace.
  auto fake_args = unflatten<std::tuple<Args...>>(fake_leaves, flat.spec, "args");
  flat_tree out = [&] {
    ops::interceptor_scope const scope(tracer);
    return flatten(
        std::apply([&](auto&... a) -> decltype(auto) { return module(a...); }, fake_args),
        "output");
  }();
  ep.out_spec = out.spec;

  // Outputs: mutations of buffers and user inputs first, then the user's outputs.
  auto current = [](Tensor const& fake) {
    return static_cast<trace::traced_value const*>(fake.fake_value().get())->current;
  };
  std::vector<graph::value_ref> values;
  for (std::size_t k = 0; k < seen.size(); ++k) {
    input_spec const& in = ep.signature.inputs[k];
    graph::value_ref const now = current(seen[k].second);
    if (in.kind == input_kind::buffer
        && now != graph::value_ref{static_cast<std::uint32_t>(k), 0}) {
      ep.signature.outputs.push_back({output_kind::buffer_mutation, now, std::nullopt, in.target});
      values.push_back(now);
    } else if (in.kind != input_kind::buffer
               && now != graph::value_ref{static_cast<std::uint32_t>(k), 0}) {
      throw value_error("forward mutated " + std::string(name(in.kind)) + " '" + in.target
                        + "' in place; only buffers and user inputs may be mutated by an "
                          "exported program (make it a Buffer)");
    }
  }
  for (auto const& [fake, node] : input_fakes) {
    graph::value_ref const placeholder{node, 0};
    graph::value_ref const now = current(fake);
    if (now != placeholder) {
      std::string const& target = ep.graph.at(placeholder.node).name;
      ep.signature.outputs.push_back({output_kind::user_input_mutation, now, std::nullopt, target});
      values.push_back(now);
    }
  }
  for (leaf const& l : out.leaves) {
    if (auto const* t = std::get_if<Tensor>(&l)) {
      graph::value_ref const v = tracer.value_of(*t);
      ep.signature.outputs.push_back({output_kind::user_output, v, std::nullopt, ""});
      values.push_back(v);
    } else {
      ep.signature.outputs.push_back({output_kind::user_output, std::nullopt, l, ""});
    }
  }

  // Lifted constants go between the module's state and the user inputs, as in PyTorch.
  std::vector<std::uint32_t> order;
  for (std::uint32_t i = 0; i < state_count; ++i)
    order.push_back(i);
  std::size_t lifted_index = 0;
  for (auto const& [tensor, value] : tracer.lifted_constants()) {
    order.push_back(value.node);
    std::string const target = "lifted_tensor_" + std::to_string(lifted_index++);
    ep.signature.inputs.insert(
        ep.signature.inputs.begin() + static_cast<std::ptrdiff_t>(state_count + lifted_index - 1),
        {input_kind::constant_tensor, ep.graph.at(value.node).name, target, true});
    ep.constants.emplace(target, tensor);
  }
  for (std::uint32_t i = static_cast<std::uint32_t>(state_count); i < state_count + user_count; ++i)
    order.push_back(i);
  // Runtime asserts (xport::check) run right after the node that defines the last
  // data-dependent symbol they read; asserts about input sizes alone run first.
  std::uint32_t const traced_end = static_cast<std::uint32_t>(ep.graph.nodes().size());
  std::vector<std::pair<std::uint32_t, std::uint32_t>> const asserts =
      detail::add_runtime_asserts(ep.graph, *env);
  auto place_asserts = [&](std::uint32_t anchor) {
    for (auto const& [node, after] : asserts)
      if (after == anchor) order.push_back(node);
  };
  place_asserts(detail::no_anchor);
  for (std::uint32_t i = 0; i < traced_end; ++i) {
    if (ep.graph.at(i).op != graph::node_op::call_function) continue;
    order.push_back(i);
    place_asserts(i);
  }
  ep.graph.set_outputs(std::move(values));
  order.push_back(static_cast<std::uint32_t>(ep.graph.nodes().size() - 1));
  ep.graph.reorder(order);
  ep.graph.eliminate_dead_code();
  std::vector<graph::value_ref> const final_values = ep.graph.outputs();
  std::size_t next_value = 0;
  for (output_spec& o : ep.signature.outputs)
    if (o.value) o.value = final_values.at(next_value++);

  // The spec against what tracing required.
  sym::trace_facts const facts = sym::trace_facts_of(*env);
  sym::solve_result solved = sym::solve(binding, facts);
  if (!solved.ok()) throw sym::spec_violation(std::move(solved));
  ep.contract = sym::make_input_contract(binding, facts, input_path_list, options.zero_one);
  for (std::size_t k : scalar_inputs)
    ep.contract.set_scalar(k);
  for (std::size_t i = 0; i < ep.contract.num_symbols(); ++i) {
    ep.range_constraints.push_back(
        {ep.contract.symbol_name(i),
         ep.contract.range(sym::symbol{sym::symbol_kind::backed, static_cast<std::uint32_t>(i)})});
  }
  // Data-dependent symbols, with what checks taught about them: `u0: VR[0, 4]`.
  for (sym::symbol_info const& info : env->symbols()) {
    if (info.sym.kind == sym::symbol_kind::unbacked)
      ep.range_constraints.push_back({sym::to_string(info.sym), env->range_of(info.sym)});
  }
  auto record_module = [&](std::string const& fqn, auto const& m) {
    ep.module_call_graph.push_back(
        {fqn, std::string(type_name<std::remove_cvref_t<decltype(m)>>())});
  };
  detail::walk_modules(module, std::string(), record_module);
  ep.shape_env = std::move(env);
  return ep;
}

//! @brief `export_program` with a spec that mirrors the structure of `args` (see
//! `spec_tree`).
//! @throws value_error naming the path where the spec's structure differs from the
//! inputs'; otherwise as the flat form.
template <class M, class... Args>
ExportedProgram export_program(M& module, std::tuple<Args...> const& args, spec_tree const& spec,
                               export_options const& options = {}) {
  flat_tree const flat = flatten(args, "args");
  return export_program(module, args, spec.flatten(flat.spec, flat.leaves), options);
}

} // namespace xport
