//! @file
//! `ExportedModule`: an exported program made callable. A call flattens the inputs
//! against the program's input spec, checks them against the program's contract (count,
//! kinds, dtypes, devices, every size), runs the graph on its `runtime::plan` (kernels
//! resolved and memory laid out once per size signature), writes buffer and input
//! mutations back, and returns the outputs in the user's structure.
#pragma once

#include <xport/export/program.hpp>
#include <xport/passes/rewrite.hpp>
#include <xport/runtime/plan.hpp>
#include <xport/sym/relation.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace xport {

//! @cond
namespace detail {

// A constant output as one call returns it: a size forward returned (a symbolic integer,
// `x.sym_size(0)`, `u0`) evaluated with the symbols the call bound; others as they are.
inline leaf constant_output(leaf const& constant, runtime::bindings const& bound) {
  if (auto const* n = std::get_if<SymInt>(&constant); n != nullptr && n->is_symbolic())
    return SymInt(bound.evaluate(*n));
  return constant;
}

} // namespace detail
//! @endcond

//! @brief An `ExportedProgram` that can be called (`ep.module()`); it shares the
//! program's state tensors, so buffer mutations are visible in `state_dict`.
class ExportedModule {
public:
  //! @brief Prepares `program` for calls: compiles its graph into a `runtime::plan`
  //! (optimized as `options` says, specialized on the first call of each size signature)
  //! and records which placeholder each input fills. With `plan_options::freeze`, the
  //! parameters, tensor constants and the buffers the program does not mutate are read
  //! as constants (see `reload_state`).
  //! @throws as `ExportedProgram::check_state` and `check_contract` when the state or the
  //! input contract disagrees with the graph; value_error when the graph reads or returns
  //! values it does not have, or has another number of placeholders than the signature.
  explicit ExportedModule(ExportedProgram program, runtime::plan_options options = {})
      : program_(std::move(program)),
        plan_(program_.graph, results_of(program_), options, frozen_state(program_)) {
    program_.check_state("xport::ExportedModule");
    program_.check_contract("xport::ExportedModule");
    prepare();
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
    begin_call(inputs);
    ops::tensor_list const results = plan_.run(placeholders_, bound_);
    end_call();
    return finish(inputs, results);
  }

  //! @brief Runs the program on flat input leaves and writes its tensor outputs into
  //! `outputs`: one tensor per user output that is a tensor, in order, each of that
  //! output's dtype, device and sizes (any strides; outputs that are not tensors, constants
  //! and sizes forward returns, are not written: `run` returns them). Buffer and input mutations
  //! are written back as by `run`. A contiguous output tensor that shares no memory with the inputs
  //! or the state is written by the step that computes it; the other results are made in memory the
  //! plan lays out and copied out (`runtime::plan::run_planned`). So once a size signature has run,
  //! a call allocates nothing: the form for serving loops that must not touch the heap (what
  //! kernels use as scratch comes from per-thread caches, core/detail/block_cache.hpp;
  //! steps whose sizes depend on data still allocate).
  //! @throws as `run`; value_error when `outputs` has another count; dtype_error,
  //! device_error or shape_error naming the output when a tensor does not match it.
  //! A tensor that does not match is refused before the program runs, unless its sizes
  //! depend on data (then after the program has run, when in-place ops of the program on
  //! its buffers and the outputs written by their steps hold this call's values). After
  //! an error the contents of `outputs` are unspecified.
  void run_into(std::span<leaf const> inputs, std::span<Tensor const> outputs) {
    if (outputs.size() != output_sizes_.size())
      throw value_error("run_into: the program has " + std::to_string(output_sizes_.size())
                        + " tensor outputs, but " + std::to_string(outputs.size())
                        + " tensors were given for them");
    check_inputs(inputs);
    bind_symbols(inputs);
    for (std::size_t k = 0; k < outputs.size(); ++k)
      check_output_early(k, outputs[k]);
    fill_placeholders(inputs);
    std::size_t k = 0;
    for (std::size_t r = 0; r < into_.size(); ++r)
      into_[r] = result_kinds_[r] == output_kind::user_output ? &outputs[k++] : nullptr;
    std::span<Tensor const> const results = plan_.run_planned(placeholders_, bound_, into_);
    end_call();
    k = 0;
    for (std::size_t r = 0; r < results.size(); ++r) {
      if (result_kinds_[r] != output_kind::user_output) continue;
      check_output(k, outputs[k], results[r].dtype(), results[r].device(), results[r].sizes());
      ++k;
    }
    write_mutations(inputs, results);
    k = 0;
    for (std::size_t r = 0; r < results.size(); ++r) {
      if (result_kinds_[r] != output_kind::user_output) continue;
      if (!results[r].is_same(outputs[k])) outputs[k].copy_(results[r]); // else written there
      ++k;
    }
  }

  //! @brief Checks flat input leaves (in the input spec's leaf order) as a call checks
  //! them, without running the program: their count, the values of non-tensor leaves,
  //! each tensor's dtype and device, and the sizes against the input contract.
  //! @throws what a call throws for such inputs (`constraint_violation` naming the input
  //! and the dim, `dtype_error`, `device_error`, `value_error`).
  void check_inputs(std::span<leaf const> inputs) {
    // `run` takes flat leaves from anyone: count them before indexing by them.
    if (inputs.size() != program_.input_paths.size())
      throw sym::input_count_error(program_.input_paths.size(), inputs.size());
    std::vector<sym::shape_view>& shapes = shapes_;
    shapes.clear();
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

  //! @brief The plan the calls run on (for inspection: signatures kept, arena size).
  runtime::plan const& execution_plan() const noexcept { return plan_; }

  //! @brief For a module made with `plan_options::freeze`: the next call reads the state
  //! anew. Call it after changing a parameter, constant or buffer in place (through a
  //! tensor of `program().state_dict` or `constants`, or one the exported module
  //! shares); until then results are unspecified (steps that read copies made when
  //! freezing see the old values, the others the new). Without freezing it only drops
  //! what the plan specialized.
  void reload_state() noexcept { plan_.reset(); }

private:
  // Checks the inputs, binds the symbols of their sizes and fills the placeholders.
  void begin_call(std::span<leaf const> inputs) {
    check_inputs(inputs);
    bind_symbols(inputs);
    fill_placeholders(inputs);
  }

  // Fills the placeholders of the user's tensors (the state's stay filled, see `prepare`).
  void fill_placeholders(std::span<leaf const> inputs) {
    for (std::size_t u = 0; u < user_placeholders_.size(); ++u)
      if (!is_scalar_[u]) // an int input has no tensor: its symbol is bound
        placeholders_[user_placeholders_[u]] = std::get<Tensor>(inputs[user_leaf_[u]]);
  }

  // Drops the call's references to the user's tensors.
  void end_call() noexcept {
    for (std::size_t k : user_placeholders_)
      placeholders_[k] = Tensor();
  }

  // What the graph says of tensor output `k` before the call runs: its dtype, device,
  // and its sizes where the inputs' sizes determine them all.
  void check_output_early(std::size_t k, Tensor const& given) const {
    ops::tensor_meta const& m = program_.graph.meta(tensor_outputs_[k]);
    dim_vector sizes;
    bool known = true;
    for (sym::expr const& e : output_sizes_[k]) {
      sizes.push_back(sym::evaluate(e, [&](sym::symbol x) {
        std::optional<std::int64_t> const v = bound_.find(x);
        known = known && v;
        return v.value_or(0);
      }));
    }
    std::optional<std::span<std::int64_t const>> expected;
    if (known) expected.emplace(sizes.data(), sizes.size());
    check_output(k, given, m.dtype, m.device, expected);
  }

  // Whether `given` can take tensor output `k`, of `type` on `device` with `sizes` (not
  // checked when unknown).
  static void check_output(std::size_t k, Tensor const& given, dtype type, Device device,
                           std::optional<std::span<std::int64_t const>> sizes) {
    auto const which = [k] { return "run_into: the tensor given for output " + std::to_string(k); };
    if (!given.defined())
      throw value_error(which() + " is undefined; pass a tensor of dtype " + torch_name(type)
                        + (sizes ? " and sizes " + format_sizes(*sizes) : std::string()));
    if (given.dtype() != type)
      throw dtype_error(which() + " has dtype " + torch_name(given.dtype()) + ", but the output is "
                        + torch_name(type));
    if (given.device() != device)
      throw device_error(which() + " is on " + given.device().str() + ", but the output is on "
                         + device.str());
    if (sizes && !std::ranges::equal(given.sizes(), *sizes))
      throw shape_error(which() + " has sizes " + format_sizes(given.sizes())
                        + ", but the output has sizes " + format_sizes(*sizes)
                        + " in this call; pass a tensor of those sizes");
  }

  // Copies the values of buffer and input mutations (in `results`, the plan's results)
  // into the buffers and inputs they mutate.
  void write_mutations(std::span<leaf const> inputs, std::span<Tensor const> results) {
    std::size_t next = 0;
    for (output_spec const& o : program_.signature.outputs) {
      if (!o.value) continue;
      Tensor const& value = results[next++];
      if (o.kind == output_kind::buffer_mutation) {
        for (input_spec const& in : program_.signature.inputs)
          if (in.kind == input_kind::buffer && in.target == o.target)
            program_.state_of(in).copy_(value);
      } else if (o.kind == output_kind::user_input_mutation) {
        std::size_t k = 0;
        for (input_spec const& in : program_.signature.inputs) {
          if (in.kind != input_kind::user_input) continue;
          if (in.name == o.target) std::get<Tensor>(inputs[user_leaf_[k]]).copy_(value);
          ++k;
        }
      }
    }
  }

  // The placeholders `plan_options::freeze` may read as constants: every input that is
  // state (parameters, tensor constants, buffers) except buffers the program mutates,
  // whether through a mutation output or by an in-place op on them or on a view of them
  // (as graphs loaded from PyTorch's training IR write a KV cache).
  static std::vector<std::size_t> frozen_state(ExportedProgram const& program) {
    std::vector<bool> const written = passes::written_in_place(program.graph);
    std::vector<std::uint32_t> const placeholders = program.graph.placeholders();
    std::vector<std::size_t> state;
    auto const& inputs = program.signature.inputs;
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      if (inputs[k].kind == input_kind::user_input
          || (k < placeholders.size() && written[placeholders[k]]))
        continue;
      bool const mutated =
          std::ranges::any_of(program.signature.outputs, [&](output_spec const& o) {
            return o.kind == output_kind::buffer_mutation && o.target == inputs[k].target;
          });
      if (!mutated) state.push_back(k);
    }
    return state;
  }

  // The values the plan returns: every output that is not a constant, in order.
  static std::vector<graph::value_ref> results_of(ExportedProgram const& program) {
    std::vector<graph::value_ref> results;
    for (output_spec const& o : program.signature.outputs)
      if (o.value) results.push_back(*o.value);
    return results;
  }

  void prepare() {
    auto const& nodes = program_.graph.nodes();
    std::size_t placeholders = 0;
    for (graph::node const& n : nodes)
      placeholders += n.op == graph::node_op::placeholder;
    if (placeholders != program_.signature.inputs.size())
      throw value_error("xport::ExportedModule: the graph has " + std::to_string(placeholders)
                        + " placeholders, but the signature describes "
                        + std::to_string(program_.signature.inputs.size()) + " inputs");
    placeholders_.resize(placeholders);
    for (std::size_t i = 0; i < program_.input_constants.size(); ++i)
      if (is_none(program_.input_constants[i])) user_leaf_.push_back(i);
    // The state's placeholders are filled once: the module's state tensors are the same
    // on every call (`program()` is const; mutations are copied into them).
    std::size_t k = 0;
    for (std::uint32_t i = 0; i < nodes.size(); ++i) {
      if (nodes[i].op != graph::node_op::placeholder) continue;
      input_spec const& spec = program_.signature.inputs[k];
      if (spec.kind == input_kind::user_input) {
        user_nodes_.push_back(i);
        user_placeholders_.push_back(k);
      } else {
        placeholders_[k] = program_.state_of(spec);
      }
      ++k;
    }
    for (std::uint32_t node : user_nodes_)
      is_scalar_.push_back(program_.graph.at(node).values.empty());
    scalars_.assign(user_nodes_.size(), 0);
    for (std::size_t u = 0; u < user_nodes_.size(); ++u) {
      std::span<SymInt const> const sizes = user_sym_sizes(u);
      for (std::size_t d = 0; d < sizes.size(); ++d) {
        if (!sizes[d].is_symbolic()) continue;
        if (auto const form = sym::as_affine(sym::expr_of(sizes[d])))
          size_bindings_.push_back({u, d, *form});
      }
    }
    for (output_spec const& o : program_.signature.outputs)
      if (o.value) result_kinds_.push_back(o.kind);
    into_.resize(result_kinds_.size());
    for (output_spec const& o : program_.signature.outputs) {
      if (!o.value || o.kind != output_kind::user_output) continue;
      tensor_outputs_.push_back(*o.value);
      output_sizes_.emplace_back();
      for (SymInt const& size : program_.graph.meta(*o.value).sizes)
        output_sizes_.back().push_back(sym::expr_of(size));
    }
  }

  // User input k's symbolic sizes: a tensor's, or an int's value as one "size".
  std::span<SymInt const> user_sym_sizes(std::size_t k) const {
    graph::node const& n = program_.graph.at(user_nodes_[k]);
    if (is_scalar_[k]) return {&*n.scalar, 1};
    return {n.values[0].sizes.data(), n.values[0].sizes.size()};
  }

  // User input k's sizes as the contract sees them.
  std::span<std::int64_t const> user_sizes(std::size_t k, std::span<leaf const> inputs) const {
    if (is_scalar_[k]) return {&scalars_[k], 1};
    return std::get<Tensor>(inputs[user_leaf_[k]]).sizes();
  }

  void bind_symbols(std::span<leaf const> inputs) {
    bound_.clear();
    for (size_binding const& b : size_bindings_)
      bound_.bind(b.form.s, (user_sizes(b.input, inputs)[b.dim] - b.form.b) / b.form.a);
  }

  // The outputs first (a size that cannot be evaluated throws before state is written),
  // then the mutations.
  std::vector<leaf> finish(std::span<leaf const> inputs, ops::tensor_list const& results) {
    std::vector<leaf> outputs;
    std::size_t next = 0;
    for (output_spec const& o : program_.signature.outputs) {
      if (!o.value) {
        outputs.push_back(detail::constant_output(*o.constant, bound_));
      } else if (Tensor const& value = results[next++]; o.kind == output_kind::user_output) {
        outputs.push_back(value);
      }
    }
    write_mutations(inputs, std::span<Tensor const>(results.data(), results.size()));
    return outputs;
  }

  ExportedProgram program_;
  runtime::plan plan_;
  std::vector<std::size_t> user_leaf_;         // k-th user tensor -> input leaf
  std::vector<std::uint32_t> user_nodes_;      // k-th user input -> its placeholder node
  std::vector<std::size_t> user_placeholders_; // k-th user input -> its placeholder index
  std::vector<bool> is_scalar_;                // k-th user input is an int (SymInt)
  std::vector<std::int64_t> scalars_;          // this call's int inputs, by k
  std::vector<Tensor> placeholders_;           // this call's placeholder values
  std::vector<output_kind> result_kinds_;      // the plan's results (outputs that are values)
  std::vector<Tensor const*> into_;            // run_into: the tensor for each result, if any
  std::vector<sym::shape_view> shapes_;        // this call's input sizes, for the contract
  runtime::bindings bound_;
  // A symbol bound by a call: input `input`'s size `dim` is `form` of it.
  struct size_binding {
    std::size_t input, dim;
    sym::affine_form form;
  };
  std::vector<size_binding> size_bindings_;
  std::vector<graph::value_ref> tensor_outputs_;     // user outputs that are tensors
  std::vector<std::vector<sym::expr>> output_sizes_; // their sizes, as expressions
};

inline ExportedModule ExportedProgram::module() const {
  return ExportedModule(*this);
}

inline ExportedModule ExportedProgram::module(runtime::plan_options options) const {
  return ExportedModule(*this, options);
}

} // namespace xport
