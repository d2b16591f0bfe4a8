//! @file
//! `ExportedModule`: an exported program made callable. A call flattens the inputs
//! against the program's input spec, checks them against the program's contract (count,
//! kinds, dtypes, devices, every size), runs the graph with the eager kernels, writes
//! buffer and input mutations back, and returns the outputs in the user's structure.
#pragma once

#include <xport/export/program.hpp>
#include <xport/kernels/eager.hpp>
#include <xport/sym/relation.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace xport {

//! @brief An `ExportedProgram` that can be called (`ep.module()`); it shares the
//! program's state tensors, so buffer mutations are visible in `state_dict`.
class ExportedModule {
public:
  //! @brief Prepares `program` for calls: which placeholder each input fills, how each
  //! symbol is read from input sizes, which nodes need symbolic attributes evaluated.
  //! @throws as `ExportedProgram::check_state` and `check_contract` when the state or the
  //! input contract disagrees with the graph.
  explicit ExportedModule(ExportedProgram program) : program_(std::move(program)) {
    program_.check_state("xport::ExportedModule");
    program_.check_contract("xport::ExportedModule");
    plan();
  }

  //! @brief The program.
  ExportedProgram const& program() const noexcept { return program_; }

  //! @brief Calls the program with `args` (the same structure as the example inputs),
  //! returning the outputs as a `tree_value`.
  //! @throws structure_error when `args` has another structure; value_error, dtype_error,
  //! device_error, shape_error or constraint_violation naming the input path when an
  //! input breaks the program's contract.
  template <class... Args>
  tree_value operator()(Args const&... args) {
    return unflatten(run(flatten_like(std::tuple<Args...>(args...), program_.in_spec, "args")),
                     program_.out_spec, "output");
  }

  //! @brief `operator()` with the outputs rebuilt as `Out` (`Tensor`, a tuple, a struct).
  template <class Out, class... Args>
  Out call(Args const&... args) {
    return unflatten<Out>(run(flatten_like(std::tuple<Args...>(args...), program_.in_spec, "args")),
                          program_.out_spec, "output");
  }

  //! @brief Runs the program on flat input leaves (in the input spec's leaf order) and
  //! returns the flat output leaves.
  std::vector<leaf> run(std::vector<leaf> const& inputs) {
    check_inputs(inputs);
    values_.assign(program_.graph.nodes().size(), {});
    bind_symbols(inputs);
    auto const& nodes = program_.graph.nodes();
    std::size_t next_user = 0;
    for (std::uint32_t i = 0; i < nodes.size(); ++i) {
      graph::node const& n = nodes[i];
      switch (n.op) {
      case graph::node_op::placeholder: {
        input_spec const& spec = program_.signature.inputs[placeholder_index_[i]];
        if (spec.kind != input_kind::user_input)
          values_[i] = {program_.state_of(spec)};
        else if (std::size_t const k = next_user++; !is_scalar_[k])
          values_[i] = {std::get<Tensor>(inputs[user_leaf_[k]])};
        break; // an int input has no tensor: its symbol is bound
      }
      case graph::node_op::call_function:
        values_[i] = run_call(n, values_, symbolic_[i]);
        break;
      case graph::node_op::output:
        break;
      }
    }
    return finish(inputs);
  }

private:
  void plan() {
    auto const& nodes = program_.graph.nodes();
    placeholder_index_.assign(nodes.size(), 0);
    std::size_t k = 0;
    for (std::uint32_t i = 0; i < nodes.size(); ++i)
      if (nodes[i].op == graph::node_op::placeholder) placeholder_index_[i] = k++;
    for (std::size_t i = 0; i < program_.input_constants.size(); ++i)
      if (is_none(program_.input_constants[i])) user_leaf_.push_back(i);
    for (std::uint32_t i = 0; i < nodes.size(); ++i) {
      if (nodes[i].op == graph::node_op::placeholder
          && program_.signature.inputs.at(placeholder_index_[i]).kind == input_kind::user_input)
        user_nodes_.push_back(i);
    }
    for (std::uint32_t node : user_nodes_)
      is_scalar_.push_back(program_.graph.at(node).values.empty());
    scalars_.assign(user_nodes_.size(), 0);
    symbolic_.assign(nodes.size(), false);
    for (std::uint32_t i = 0; i < nodes.size(); ++i)
      if (nodes[i].target) symbolic_[i] = nodes[i].target->symbolic();
  }

  // User input k's symbolic sizes: a tensor's, or an int's value as one "size".
  std::span<SymInt const> user_sym_sizes(std::size_t k) const {
    graph::node const& n = program_.graph.at(user_nodes_[k]);
    if (is_scalar_[k]) return {&*n.scalar, 1};
    return {n.values[0].sizes.data(), n.values[0].sizes.size()};
  }

  // User input k's sizes as the contract sees them.
  std::span<std::int64_t const> user_sizes(std::size_t k, std::vector<leaf> const& inputs) const {
    if (is_scalar_[k]) return {&scalars_[k], 1};
    return std::get<Tensor>(inputs[user_leaf_[k]]).sizes();
  }

  void check_inputs(std::vector<leaf> const& inputs) {
    // `run` takes flat leaves from anyone: count them before indexing by them.
    if (inputs.size() != program_.input_paths.size())
      throw sym::input_count_error(program_.input_paths.size(), inputs.size());
    std::vector<sym::shape_view> shapes;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      std::string const& path = program_.input_paths[i];
      leaf const& expected = program_.input_constants[i];
      if (!is_none(expected)) {
        if (!same_leaf(inputs[i], expected)) {
          throw constraint_violation(
              "Expected input at " + path + " to be equal to " + repr(expected) + ", but got "
              + repr(inputs[i]) + " (non-tensor inputs are specialized to their example values)");
        }
        continue;
      }
      std::size_t const k = shapes.size();
      if (is_scalar_[k]) {
        auto const* symbolic = std::get_if<SymInt>(&inputs[i]);
        auto const* integer = std::get_if<std::int64_t>(&inputs[i]);
        std::optional<std::int64_t> const value = integer    ? std::optional(*integer)
                                                  : symbolic ? symbolic->maybe_int()
                                                             : std::nullopt;
        if (!value)
          throw value_error("Expected input at " + path + " to be an int, but got "
                            + repr(inputs[i]));
        scalars_[k] = *value;
        shapes.push_back(user_sizes(k, inputs));
        continue;
      }
      auto const* t = std::get_if<Tensor>(&inputs[i]);
      if (t == nullptr || !t->defined())
        throw value_error("Expected input at " + path + " to be a Tensor, but got "
                          + (t != nullptr ? "an undefined Tensor (default-constructed)"
                                          : std::string(kind_name(inputs[i]))));
      ops::tensor_meta const& meta = program_.graph.at(user_nodes_[k]).values[0];
      if (t->dtype() != meta.dtype)
        throw dtype_error("Expected input at " + path + " to have dtype " + torch_name(meta.dtype)
                          + ", but got " + torch_name(t->dtype()));
      if (t->device() != meta.device)
        throw device_error("Expected input at " + path + " to be on " + meta.device.str()
                           + ", but got a tensor on " + t->device().str());
      shapes.push_back(t->sizes());
    }
    program_.contract.check(shapes);
  }

  void bind_symbols(std::vector<leaf> const& inputs) {
    bound_.clear();
    for (std::size_t k = 0; k < user_leaf_.size(); ++k) {
      std::span<std::int64_t const> const actual = user_sizes(k, inputs);
      std::span<SymInt const> const sizes = user_sym_sizes(k);
      for (std::size_t d = 0; d < sizes.size(); ++d) {
        if (!sizes[d].is_symbolic()) continue;
        if (auto const form = sym::as_affine(sym::expr_of(sizes[d]))) {
          std::int64_t const size = actual[d];
          bound_.try_emplace(form->s, (size - form->b) / form->a);
        }
      }
    }
  }

  std::int64_t value_of(sym::symbol s) const {
    auto const it = bound_.find(s);
    if (it == bound_.end())
      throw value_error("the program uses the size " + sym::to_string(s)
                        + ", which no input or earlier op determines");
    return it->second;
  }

  std::int64_t evaluate(SymInt const& s) const {
    return sym::evaluate(sym::expr_of(s), [this](sym::symbol x) { return value_of(x); });
  }

  // Runs the call `n`, whose inputs are among `values` (one list per node of its graph).
  ops::tensor_list run_call(graph::node const& n, std::vector<ops::tensor_list> const& values,
                            bool symbolic) {
    boost::container::small_vector<Tensor, 4> args;
    for (graph::argument const& a : n.args)
      args.push_back(a ? values[a->node][a->index] : Tensor());
    std::span<Tensor const> const inputs(args.data(), args.size());
    ops::tensor_list out;
    if (ops::higher_order_hooks const* hop = n.target->schema().higher_order) {
      out = run_higher_order(*hop, n, inputs, symbolic);
    } else if (symbolic) {
      out = kernels::eager_call(
          n.target->concretize([this](SymInt const& s) { return evaluate(s); }), inputs);
    } else {
      out = kernels::eager_call(*n.target, inputs);
    }
    // Later nodes read the outputs the graph records; a kernel that made another number
    // (a program whose graph disagrees with its inputs) must not let them read past these.
    if (out.size() != n.values.size())
      throw value_error("node '" + n.name + "' (" + std::string(n.target->schema().name)
                        + ") returned " + std::to_string(out.size())
                        + " outputs, but the graph records " + std::to_string(n.values.size())
                        + ": the program disagrees with the sizes it was called with");
    if (n.scalar) { // item_int: the output's value is a data-dependent symbol
      if (auto const s = sym::expr_of(*n.scalar).as_symbol())
        bound_.try_emplace(*s, out[0].item<std::int64_t>());
    }
    // Data-dependent sizes (u0) are bound by the first op that produces them.
    for (std::size_t o = 0; o < n.values.size(); ++o) {
      ops::sym_sizes const& sizes = n.values[o].sizes;
      for (std::size_t d = 0; d < sizes.size(); ++d) {
        if (!sizes[d].is_symbolic()) continue;
        if (auto const s = sym::expr_of(sizes[d]).as_symbol())
          bound_.try_emplace(*s, out[o].size(static_cast<std::int64_t>(d)));
      }
    }
    return out;
  }

  // A higher-order op: its own `run`, with its sub-graphs run here (same bindings).
  ops::tensor_list run_higher_order(ops::higher_order_hooks const& hop, graph::node const& n,
                                    std::span<Tensor const> inputs, bool symbolic) {
    ops::boxed_attributes const attributes =
        symbolic ? n.target->concretize([this](SymInt const& s) { return evaluate(s); })
                 : *n.target;
    return hop.run(attributes.get(), inputs, [&](std::size_t i, std::span<Tensor const> args) {
      return run_graph(*n.subgraphs.at(i).graph, args);
    });
  }

  // Runs a sub-graph on its placeholders' values; returns its outputs.
  ops::tensor_list run_graph(graph::Graph const& g, std::span<Tensor const> inputs) {
    std::vector<ops::tensor_list> values(g.nodes().size());
    std::size_t next = 0;
    for (std::uint32_t i = 0; i < g.nodes().size(); ++i) {
      graph::node const& n = g.at(i);
      if (n.op == graph::node_op::placeholder) {
        if (next == inputs.size())
          throw value_error("a sub-graph has more placeholders than its node has operands");
        values[i] = {inputs[next++]};
      } else if (n.op == graph::node_op::call_function) {
        values[i] = run_call(n, values, n.target->symbolic());
      }
    }
    ops::tensor_list out;
    for (graph::value_ref v : g.outputs())
      out.push_back(values[v.node][v.index]);
    return out;
  }

  std::vector<leaf> finish(std::vector<leaf> const& inputs) {
    std::vector<leaf> outputs;
    for (output_spec const& o : program_.signature.outputs) {
      if (!o.value) {
        outputs.push_back(*o.constant);
        continue;
      }
      Tensor const& value = values_[o.value->node][o.value->index];
      switch (o.kind) {
      case output_kind::buffer_mutation:
        for (input_spec const& in : program_.signature.inputs)
          if (in.kind == input_kind::buffer && in.target == o.target)
            program_.state_of(in).copy_(value);
        break;
      case output_kind::user_input_mutation: {
        std::size_t k = 0;
        for (input_spec const& in : program_.signature.inputs) {
          if (in.kind != input_kind::user_input) continue;
          if (in.name == o.target) std::get<Tensor>(inputs[user_leaf_[k]]).copy_(value);
          ++k;
        }
        break;
      }
      case output_kind::user_output:
        outputs.push_back(value);
        break;
      }
    }
    return outputs;
  }

  ExportedProgram program_;
  std::vector<std::size_t> placeholder_index_; // node -> signature input
  std::vector<std::size_t> user_leaf_;         // k-th user tensor -> input leaf
  std::vector<std::uint32_t> user_nodes_;      // k-th user input -> its placeholder
  std::vector<bool> is_scalar_;                // k-th user input is an int (SymInt)
  std::vector<std::int64_t> scalars_;          // this call's int inputs, by k
  std::vector<bool> symbolic_;                 // node has symbolic attributes
  std::vector<ops::tensor_list> values_;
  std::map<sym::symbol, std::int64_t> bound_;
};

inline ExportedModule ExportedProgram::module() const {
  return ExportedModule(*this);
}

} // namespace xport
