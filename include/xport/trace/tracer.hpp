//! @file
//! The tracer: an `ops::op_interceptor` that, while installed, turns every op call on
//! fake tensors into a graph node — running the op's meta rule on symbolic sizes under a
//! guard scope for the op and the user's line, and returning fake outputs.
//!
//! In-place ops are recorded functionally: `add_(buf, x)` appends `aten::add.Tensor`
//! and makes `buf` stand for the new value from then on; export turns the final values of
//! mutated buffers and inputs into mutation outputs. Real tensors reaching an op (tensors
//! created in `forward`, or captured from outside) are lifted to constant placeholders.
//!
//! Writes through views are functionalized as PyTorch's functionalization does: a fake
//! tensor made by a view op remembers the tensor it views and the node that made it. An
//! in-place op on it records the functional op, then writes the new value back into the
//! viewed tensor, up the chain of views: `slice` and `narrow` as `slice_scatter`,
//! `select` as `select_scatter`, the views that only rearrange (`view`, `unsqueeze`,
//! `squeeze`, `unflatten`, `permute`, `transpose`, `t`) by their inverse. A view whose
//! base was written since it was made stands for the view op recorded again on the
//! base's new value when it is next read. So `cache.narrow(1, pos, n).copy_(k)` on a
//! buffer becomes `slice_scatter(cache, k, 1, pos, pos + n)` and a buffer mutation.
#pragma once

#include <xport/graph/graph.hpp>
#include <xport/nn/module_stack.hpp>
#include <xport/ops/interceptor.hpp>
#include <xport/ops/shape.hpp>
#include <xport/ops/shape_join.hpp>
#include <xport/sym/sym_node.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace xport::trace {

class tracer;

//! @brief What a fake tensor's handle points to: the tracer that made it and the graph
//! value it currently stands for (an in-place op moves it to the op's result).
struct traced_value {
  tracer const* owner = nullptr;         //!< the tracer
  mutable graph::value_ref current = {}; //!< the value it stands for now
  //! @brief For a tensor made by a view op from another tensor of the trace: that tensor
  //! (null otherwise), and the node and output that made this one.
  std::shared_ptr<traced_value const> base = nullptr;
  std::uint32_t view_node = 0;   //!< the view op's node (with `base`)
  std::uint32_t view_output = 0; //!< which of its outputs (with `base`)
  //! @brief Bumped whenever `current` changes after the tensor was made (a write, or a
  //! view made again), so that the views of this tensor know to be made again.
  mutable std::uint64_t version = 0;
  //! @brief `base->version` when `current` was last derived from the base.
  mutable std::uint64_t base_version = 0;
  //! @brief Made by a view op from a tensor this trace cannot write back into (a captured
  //! constant, or a tensor of an enclosing trace): writes into it are refused.
  bool foreign = false;
  //! @brief Known to be laid out row-major without gaps, which decides whether `reshape`,
  //! `flatten` and `contiguous` of it are views or copies (fake tensors carry no strides:
  //! only views that keep a tensor contiguous keep this).
  bool contiguous = true;
};

//! @brief Records op calls on fake tensors into a graph (install with
//! `ops::interceptor_scope`).
class tracer final : public ops::op_interceptor {
public:
  //! @brief A tracer appending to `graph`, with symbols from `env`.
  tracer(sym::ShapeEnv& env, graph::Graph& graph) : env_(&env), graph_(&graph) {}

  //! @brief A new placeholder named `name` and the fake tensor standing for it.
  Tensor add_input(std::string_view name, ops::tensor_meta meta) {
    graph::value_ref const v = graph_->add_placeholder(name, meta);
    return fake_for(v, meta);
  }

  //! @brief The graph value `t` stands for: its current value if it is a fake tensor of
  //! this tracer; for a real tensor, a lifted constant placeholder (one per tensor). In a
  //! branch of `cond`, a tensor from outside the branch becomes an extra placeholder
  //! (one per outer value), which the cond node passes as an operand.
  //! @throws value_error for a fake tensor of another trace.
  graph::value_ref value_of(Tensor const& t) {
    if (t.is_fake()) {
      auto const* v = static_cast<traced_value const*>(t.fake_value().get());
      if (v != nullptr && v->owner == this) return refreshed(*v);
      if (v == nullptr || !encloses(v->owner))
        throw value_error("a fake tensor from another export was passed to this one");
      return capture(t);
    }
    if (parent_ != nullptr) return capture(t); // the outermost trace lifts constants
    for (auto const& [tensor, value] : constants_)
      if (tensor.is_same(t)) return value;
    std::string const name = "c_lifted_tensor_" + std::to_string(constants_.size());
    graph::value_ref const v = graph_->add_placeholder(name, ops::tensor_meta::of(t));
    constants_.emplace_back(t, v);
    return v;
  }

  //! @brief The constants lifted so far, with their placeholders.
  std::vector<std::pair<Tensor, graph::value_ref>> const& lifted_constants() const noexcept {
    return constants_;
  }

  //! @brief Records one op call; see the file comment.
  ops::tensor_list intercept(ops::boxed_attributes const& attributes,
                             std::span<Tensor const> inputs,
                             source_location const& where) override {
    std::vector<graph::argument> args;
    boost::container::small_vector<ops::tensor_meta, 4> metas;
    for (Tensor const& t : inputs) {
      if (t.defined()) {
        args.emplace_back(value_of(t));
        metas.push_back(graph_->meta(*args.back()));
      } else {
        args.emplace_back(std::nullopt);
        metas.push_back(ops::tensor_meta::of(t));
      }
    }
    bool const in_place = attributes.schema().functional != nullptr;
    if (in_place && parent_ != nullptr) refuse_mutating_from_a_branch(attributes, inputs.front());
    if (in_place && inputs.front().is_fake()) refuse_writing_through(attributes, inputs.front());
    ops::boxed_attributes recorded = in_place ? attributes.as_functional() : attributes;
    ops::meta_list outputs;
    {
      sym::guard_scope const scope(attributes.schema().name, where);
      unbacked_context context(*env_);
      outputs =
          recorded.meta(std::span<ops::tensor_meta const>(metas.data(), metas.size()), context);
    }
    std::uint32_t const node =
        graph_->add_call(std::move(recorded), std::move(args), outputs, where, module_stack());
    if (in_place) {
      // The mutated input now stands for the op's result; the caller keeps its handle.
      Tensor const& self = inputs.front();
      if (!self.is_fake()) {
        throw value_error("'" + std::string(attributes.schema().name)
                          + "' mutates a tensor that is not an input, parameter or buffer of "
                            "the exported module (a captured constant); constants cannot be "
                            "mutated by an exported program");
      }
      auto const& written = *static_cast<traced_value const*>(self.fake_value().get());
      written.current = {node, 0};
      ++written.version;
      if (written.base) write_back(written, where);
      return {self};
    }
    view_source const source = view_source_of(attributes, inputs);
    ops::tensor_list results;
    for (std::uint32_t i = 0; i < outputs.size(); ++i)
      results.push_back(fake_for({node, i}, outputs[i], source));
    return results;
  }

  //! @brief A data-dependent symbol (`u0`) for the integer value of `scalar`, recorded
  //! on the node that produced it, so the program binds it when it runs.
  //! @throws value_error when `scalar` is not a zero-dimensional fake tensor of this trace.
  SymInt scalar_value(Tensor const& scalar, source_location const& where) override {
    if (!scalar.is_fake() || scalar.dim() != 0)
      throw value_error("scalar_value needs a zero-dimensional traced tensor");
    if (is_floating_point(scalar.dtype())) {
      throw data_dependent_error(
          "the traced value of a " + std::string(torch_name(scalar.dtype()))
          + " tensor is not an integer; item_int() needs an integer tensor (at "
          + std::string(where.file_name()) + ":" + std::to_string(where.line()) + ")");
    }
    graph::value_ref const v = value_of(scalar);
    if (auto const& known = graph_->at(v.node).scalar) return *known;
    SymInt const value = sym::expr_node::make(*env_, sym::expr(env_->create_unbacked_symbol()));
    graph_->set_scalar(v.node, value);
    return value;
  }

  //! @brief Records one call of a higher-order op (`cond`, `while_loop`, `map_impl`):
  //! each function is traced on fake placeholders (the metas the op's `subgraph_inputs`
  //! gives) into a sub-graph of its own; tensors a function reads from outside become
  //! extra operands of the node and extra placeholders of every sub-graph; one node
  //! carries the sub-graphs, named after the op's `subgraph_names` and a count per op.
  //! @throws the op's meta rule's errors when the functions' outputs do not fit (branches
  //! that disagree, a body that changes a carried value); unsupported_error when a
  //! function mutates an operand or an outside tensor, returns a tensor whose size it
  //! computed from data, or calls `xport::check`.
  ops::tensor_list intercept_higher_order(ops::higher_order_call const& call,
                                          source_location const& where) override {
    ops::op_schema const& schema = call.attributes.schema();
    ops::higher_order_hooks const& hooks = *schema.higher_order;
    std::size_t const leading = hooks.leading_inputs;
    std::vector<graph::argument> args;
    for (std::size_t k = 0; k < leading && k < call.inputs.size(); ++k)
      args.emplace_back(call.inputs[k].defined() ? graph::argument(value_of(call.inputs[k]))
                                                 : graph::argument(std::nullopt));
    std::vector<graph::value_ref> operands;
    for (std::size_t k = leading; k < call.inputs.size(); ++k)
      operands.push_back(value_of(call.inputs[k]));
    std::vector<ops::tensor_meta> operand_metas;
    for (graph::value_ref v : operands)
      operand_metas.push_back(graph_->meta(v));

    std::size_t const k = subgraph_counts_[std::string(schema.name)]++;
    std::string const op_name(ops::short_op_name(schema.name));
    std::vector<branch> traced;
    for (std::size_t i = 0; i < call.functions.size(); ++i) {
      ops::meta_list const placeholders =
          hooks.subgraph_inputs(call.attributes.get(), i, operand_metas);
      traced.push_back(trace_branch(call.functions[i], operands, placeholders,
                                    std::string(hooks.subgraph_names[i]) + std::to_string(k),
                                    op_name, std::string(hooks.function_names[i])));
    }
    // Every sub-graph takes the same operands: the given ones, then every outside value
    // any of them read.
    for (branch const& b : traced)
      for (auto const& [outer, inner] : b.captures)
        if (std::find(operands.begin(), operands.end(), outer) == operands.end())
          operands.push_back(outer);
    for (branch& b : traced)
      b.take(operands, *graph_);

    boost::container::small_vector<ops::tensor_meta, 4> metas;
    for (graph::argument const& a : args)
      metas.push_back(a ? graph_->meta(*a) : ops::tensor_meta{.sizes = {}, .defined = false});
    for (graph::value_ref v : operands) {
      args.emplace_back(v);
      metas.push_back(graph_->meta(v));
    }
    ops::meta_list outputs;
    {
      sym::guard_scope const scope(schema.name, where);
      std::vector<ops::meta_list> results;
      for (branch const& b : traced)
        results.push_back(b.graph->output_metas());
      function_outputs context(std::move(results));
      outputs = call.attributes.meta(std::span<ops::tensor_meta const>(metas.data(), metas.size()),
                                     context);
    }
    std::uint32_t const node =
        graph_->add_call(call.attributes, std::move(args), outputs, where, module_stack());
    std::vector<graph::subgraph> subgraphs;
    for (branch& b : traced)
      subgraphs.push_back({std::move(b.name), std::move(b.graph)});
    graph_->set_subgraphs(node, std::move(subgraphs));
    ops::tensor_list results;
    for (std::uint32_t i = 0; i < outputs.size(); ++i)
      results.push_back(fake_for({node, i}, outputs[i]));
    return results;
  }

  //! @brief The value of `condition` when the ranges of this trace's sizes decide it
  //! (without recording a guard), else std::nullopt: what lets `cond` on a size take one
  //! branch inline, as eager code would.
  std::optional<bool> decide(SymBool const& condition) override {
    if (auto const known = condition.maybe_bool()) return known;
    if (auto const* node = dynamic_cast<sym::relation_node const*>(condition.node().get()))
      return env_->statically_known(node->value());
    return std::nullopt;
  }

private:
  // What the outputs of a call view (see the file comment).
  struct view_source {
    std::shared_ptr<traced_value const> base; // a tensor of this trace
    bool foreign = false;                     // another tensor: writes refused
    bool contiguous = true;
  };

  // The outputs of a view op view its first input: a tensor of this trace (`base`) or
  // another (`foreign`). `reshape`, `flatten` and `contiguous` of a tensor not known to
  // be contiguous copy it, as eager execution may: their outputs view nothing.
  view_source view_source_of(ops::boxed_attributes const& attributes,
                             std::span<Tensor const> inputs) const {
    ops::op_schema const& schema = attributes.schema();
    if (!has_tag(schema.tags, ops::op_tag::view) || inputs.empty() || !inputs.front().defined())
      return {};
    Tensor const& in = inputs.front();
    auto v = in.is_fake() ? std::static_pointer_cast<traced_value const>(in.fake_value()) : nullptr;
    bool const owned = v && v->owner == this;
    bool const in_contiguous = owned ? v->contiguous : !in.is_fake() && in.is_contiguous();
    std::string_view const op = schema.name;
    if ((op == ops::reshape::name || op == ops::flatten::name || op == ops::contiguous::name)
        && !in_contiguous)
      return {};
    view_source out{.base = nullptr,
                    .foreign = !owned,
                    .contiguous = in_contiguous && keeps_contiguous(attributes, in.dim())};
    if (owned) out.base = std::move(v);
    return out;
  }

  // Whether a view op's output of a contiguous tensor of rank `rank` is contiguous: the
  // reshaping views, and slices, narrows and selects of the first dimension.
  static bool keeps_contiguous(ops::boxed_attributes const& a, std::int64_t rank) {
    std::string_view const op = a.schema().name;
    auto const first = [&](std::int64_t dim) { return rank > 0 && ops::wrap_dim(dim, rank) == 0; };
    if (op == ops::slice::name) {
      ops::slice::attributes const& s = a.get<ops::slice>();
      return first(s.dim) && s.step.maybe_int() == std::optional<std::int64_t>(1);
    }
    if (op == ops::narrow::name) return first(a.get<ops::narrow>().dim);
    if (op == ops::select::name) return first(a.get<ops::select>().dim);
    return op == ops::view::name || op == ops::reshape::name || op == ops::flatten::name
           || op == ops::unflatten::name || op == ops::squeeze::name
           || op == ops::squeeze_dims::name || op == ops::unsqueeze::name
           || op == ops::contiguous::name;
  }

  // A write into a view of a tensor the program cannot write back into is refused.
  void refuse_writing_through(ops::boxed_attributes const& attributes, Tensor const& self) const {
    auto const* v = static_cast<traced_value const*>(self.fake_value().get());
    if (v == nullptr || !v->foreign) return;
    throw unsupported_error("'" + std::string(attributes.schema().name) + "' writes into '"
                            + graph_->at(v->current.node).name
                            + "', a view of a tensor the program cannot write (a captured "
                              "constant, or a tensor from outside the function being traced); "
                              "write into a buffer or an input, or compute the new value");
  }

  // The value `v` stands for now: for a view whose base was written since the view's
  // value was derived, the view op recorded again on the base's new value.
  graph::value_ref refreshed(traced_value const& v) {
    if (!v.base) return v.current;
    refreshed(*v.base);
    if (v.base_version == v.base->version) return v.current;
    graph::node made = graph_->at(v.view_node); // a copy: adding nodes moves the nodes
    made.args.front() = v.base->current;
    std::uint32_t const node =
        graph_->add_call(std::move(*made.target), std::move(made.args), std::move(made.values),
                         made.where, std::move(made.module_stack));
    v.current = {node, v.view_output};
    v.base_version = v.base->version;
    ++v.version;
    return v.current;
  }

  // After a write into `view` (a tensor made by a view op): its base stands for the value
  // with the write, and so on up the chain of views (see the file comment).
  // @throws unsupported_error for a view whose writes cannot be expressed functionally.
  void write_back(traced_value const& view, source_location const& where) {
    traced_value const& base = *view.base;
    graph::node const made = graph_->at(view.view_node); // a copy, as in `refreshed`
    ops::boxed_attributes const& a = *made.target;
    std::string_view const op = a.schema().name;
    Tensor const into = fake_for(base.current, graph_->meta(base.current));
    Tensor const value = fake_for(view.current, graph_->meta(view.current));
    auto const record = [&](ops::boxed_attributes attributes, std::span<Tensor const> in) {
      ops::tensor_list const out = intercept(attributes, in, where);
      return static_cast<traced_value const*>(out.front().fake_value().get())->current;
    };
    Tensor const scatter_inputs[] = {into, value};
    std::span<Tensor const> const rearranged(&value, 1);
    using ops::boxed_attributes;
    graph::value_ref written;
    if (op == ops::slice::name) {
      written =
          record(boxed_attributes::of<ops::slice_scatter>(a.get<ops::slice>()), scatter_inputs);
    } else if (op == ops::narrow::name) {
      ops::narrow::attributes const& n = a.get<ops::narrow>();
      SymInt const& size =
          graph_->meta(base.current)
              .sizes.at(static_cast<std::size_t>(ops::wrap_dim(
                  n.dim, static_cast<std::int64_t>(graph_->meta(base.current).sizes.size()))));
      SymInt const start = static_cast<bool>(n.start < 0) ? n.start + size : n.start;
      written =
          record(boxed_attributes::of<ops::slice_scatter>({n.dim, start, start + n.length, 1}),
                 scatter_inputs);
    } else if (op == ops::select::name) {
      written =
          record(boxed_attributes::of<ops::select_scatter>(a.get<ops::select>()), scatter_inputs);
    } else if (op == ops::view::name || op == ops::unsqueeze::name || op == ops::squeeze::name
               || op == ops::squeeze_dims::name || op == ops::unflatten::name) {
      ops::sym_sizes const& sizes = graph_->meta(base.current).sizes;
      written =
          record(boxed_attributes::of<ops::reshape>({{sizes.begin(), sizes.end()}}), rearranged);
    } else if (op == ops::permute::name) {
      std::vector<std::int64_t> const& dims = a.get<ops::permute>().dims;
      std::vector<std::int64_t> inverse(dims.size());
      for (std::size_t k = 0; k < dims.size(); ++k)
        inverse[static_cast<std::size_t>(ops::wrap_dim(
            dims[k], static_cast<std::int64_t>(dims.size())))] = static_cast<std::int64_t>(k);
      written = record(boxed_attributes::of<ops::permute>({std::move(inverse)}), rearranged);
    } else if (op == ops::transpose::name || op == ops::t::name) {
      written = record(a, rearranged); // its own inverse
    } else if (op == ops::expand::name) {
      throw unsupported_error(
          "unsupported operation: more than one element of the written-to tensor refers to a "
          "single memory location ('"
          + made.name
          + "', made by aten::expand, is written). Please clone() the tensor before "
            "performing the operation.");
    } else {
      throw unsupported_error("a write into '" + made.name + "', a view made by " + std::string(op)
                              + ", cannot be recorded: export writes through views made by slice, "
                                "narrow, select, view, unsqueeze, squeeze, unflatten, permute, "
                                "transpose and t; write through one of those, or compute the new "
                                "value and assemble it with cat or index_put");
    }
    base.current = written;
    ++base.version;
    view.base_version = base.version;
    if (base.base) write_back(base, where);
  }

  // A function of a higher-order op being traced (a branch of cond, a loop body): a
  // tracer of its own, appending to its own graph.
  tracer(sym::ShapeEnv& env, graph::Graph& graph, tracer* parent, std::string op_name,
         std::string function_name)
      : env_(&env), graph_(&graph), parent_(parent), op_name_(std::move(op_name)),
        function_name_(std::move(function_name)) {}

  // What messages call a function of `op`: cond has branches, the others functions.
  static std::string function_noun(std::string_view op) {
    return op == "cond" ? "branch" : "function";
  }

  bool encloses(tracer const* other) const noexcept {
    for (tracer const* t = parent_; t != nullptr; t = t->parent_)
      if (t == other) return true;
    return false;
  }

  // An outside value read by this branch: its placeholder here (one per outer value).
  graph::value_ref capture(Tensor const& t) {
    graph::value_ref const outer = parent_->value_of(t);
    for (auto const& [o, inner] : captures_)
      if (o == outer) return inner;
    graph::value_ref const inner =
        graph_->add_placeholder(parent_->graph_->at(outer.node).name, parent_->graph_->meta(outer));
    captures_.emplace_back(outer, inner);
    return inner;
  }

  std::vector<graph::stack_entry> module_stack() const {
    std::vector<graph::stack_entry> stack;
    for (module_frame const& frame : current_module_stack())
      stack.push_back({frame.path, std::string(frame.type), frame.call});
    return stack;
  }

  // A traced branch: its graph, and the outside values it read (outer, its placeholder).
  struct branch {
    std::string name;
    std::shared_ptr<graph::Graph> graph;
    std::vector<std::pair<graph::value_ref, graph::value_ref>> captures;

    // Gives the graph one placeholder per value of `operands` (the node's operands, the
    // given ones first), in that order, ahead of every other node; drops dead code.
    void take(std::vector<graph::value_ref> const& operands, graph::Graph const& outer) {
      std::vector<std::uint32_t> order;
      for (std::size_t k = 0; k < operands.size(); ++k) {
        if (k < given) {
          order.push_back(static_cast<std::uint32_t>(k));
          continue;
        }
        auto const it = std::find_if(captures.begin(), captures.end(),
                                     [&](auto const& c) { return c.first == operands[k]; });
        order.push_back(
            it != captures.end()
                ? it->second.node
                : graph->add_placeholder(outer.at(operands[k].node).name, outer.meta(operands[k]))
                      .node);
      }
      std::vector<bool> placed(graph->nodes().size(), false);
      for (std::uint32_t i : order)
        placed[i] = true;
      for (std::uint32_t i = 0; i < graph->nodes().size(); ++i)
        if (!placed[i]) order.push_back(i);
      graph->reorder(order);
      graph->eliminate_dead_code();
    }
    std::size_t given = 0; // how many operands were given (the rest were read)
  };

  branch trace_branch(ops::subgraph_function const& fn,
                      std::vector<graph::value_ref> const& operands,
                      ops::meta_list const& placeholders, std::string name,
                      std::string const& op_name, std::string const& fn_name) {
    auto g = std::make_shared<graph::Graph>();
    tracer child(*env_, *g, this, op_name, fn_name);
    std::vector<Tensor> inputs;
    for (std::size_t k = 0; k < operands.size(); ++k)
      inputs.push_back(child.add_input(graph_->at(operands[k].node).name, placeholders.at(k)));
    std::size_t unbacked = 0; // data-dependent symbols made before the function
    for (sym::symbol_info const& info : env_->symbols())
      unbacked += info.sym.kind == sym::symbol_kind::unbacked ? 1 : 0;
    std::size_t const asserts = env_->runtime_asserts().size();
    ops::tensor_list results;
    {
      ops::interceptor_scope const scope(child);
      results = fn(std::span<Tensor const>(inputs.data(), inputs.size()));
    }
    if (env_->runtime_asserts().size() != asserts) {
      throw unsupported_error(op_name + ": " + fn_name + " calls xport::check; a "
                              + function_noun(op_name) + " cannot yet assert: check before "
                              + op_name);
    }
    std::vector<graph::value_ref> outputs;
    for (Tensor const& t : results) {
      if (!t.defined())
        throw value_error(op_name + ": " + fn_name + " returned an undefined tensor");
      outputs.push_back(child.value_of(t));
      // Sizes the function made from data (nonzero, item) may be used inside it, but the
      // node knows nothing of them: they must not reach its outputs.
      for (SymInt const& size : g->meta(outputs.back()).sizes) {
        if (!size.is_symbolic()) continue;
        for (sym::symbol const& s : sym::free_symbols(sym::expr_of(size))) {
          if (s.kind == sym::symbol_kind::unbacked && s.index >= unbacked) {
            throw unsupported_error(op_name + ": " + fn_name + " returns a tensor of size "
                                    + ops::format_sym_sizes(g->meta(outputs.back()).sizes)
                                    + ", where " + env_->name(s) + " is a data-dependent size the "
                                    + function_noun(op_name)
                                    + " computes (item, nonzero, ...); the outputs of " + op_name
                                    + " must have sizes known outside it: compute the size before "
                                    + op_name + ", or reduce inside the " + function_noun(op_name));
          }
        }
      }
    }
    g->set_outputs(std::move(outputs));
    branch out{std::move(name), std::move(g), std::move(child.captures_)};
    out.given = operands.size();
    return out;
  }

  // The functions' outputs, for a higher-order op's meta rule.
  class function_outputs final : public ops::meta_context {
  public:
    explicit function_outputs(std::vector<ops::meta_list> outputs) : outputs_(std::move(outputs)) {}
    SymInt unbacked_size() override {
      throw value_error("a higher-order op makes no data-dependent sizes of its own");
    }
    ops::meta_list const* subgraph_outputs(std::size_t i) override {
      return i < outputs_.size() ? &outputs_[i] : nullptr;
    }

  private:
    std::vector<ops::meta_list> outputs_;
  };

  // In a function of a higher-order op, only tensors the function made may be updated in
  // place, directly or through views.
  void refuse_mutating_from_a_branch(ops::boxed_attributes const& attributes,
                                     Tensor const& self) const {
    auto const* v =
        self.is_fake() ? static_cast<traced_value const*>(self.fake_value().get()) : nullptr;
    while (v != nullptr && v->base)
      v = v->base.get(); // what the write reaches
    if (v != nullptr && v->owner == this && !v->foreign
        && graph_->at(v->current.node).op != graph::node_op::placeholder)
      return;
    std::string const noun = function_noun(op_name_);
    throw unsupported_error(op_name_ + ": '" + std::string(attributes.schema().name) + "' in "
                            + function_name_ + " mutates an operand or a tensor from outside the "
                            + noun + "; the " + noun + (noun == "branch" ? "es" : "s") + " of "
                            + op_name_ + " must not mutate their inputs: return the new value "
                            + "instead");
  }

  class unbacked_context final : public ops::meta_context {
  public:
    explicit unbacked_context(sym::ShapeEnv& env) : env_(&env) {}
    SymInt unbacked_size() override { return sym::unbacked_size(*env_); }
    SymInt unbacked_size(SymInt const& at_most) override {
      sym::value_range const bound = env_->bound(sym::expr_of(at_most));
      return sym::expr_node::make(
          *env_, sym::expr(env_->create_unbacked_size(sym::value_range{0, bound.hi})));
    }

  private:
    sym::ShapeEnv* env_;
  };

  // A fake tensor standing for `v`; `source`: what a view op made it from.
  Tensor fake_for(graph::value_ref v, ops::tensor_meta const& meta) const {
    return fake_for(v, meta, view_source{});
  }
  Tensor fake_for(graph::value_ref v, ops::tensor_meta const& meta, view_source source) const {
    traced_value value{.owner = this, .current = v, .base = nullptr};
    value.foreign = source.foreign;
    value.contiguous = source.contiguous;
    if (source.base) {
      value.view_node = v.node;
      value.view_output = v.index;
      value.base_version = source.base->version;
      value.base = std::move(source.base);
    }
    auto handle = std::make_shared<traced_value const>(std::move(value));
    return Tensor::make_fake(meta.dtype, meta.device,
                             std::span<SymInt const>(meta.sizes.data(), meta.sizes.size()),
                             std::move(handle));
  }

  sym::ShapeEnv* env_;
  graph::Graph* graph_;
  std::vector<std::pair<Tensor, graph::value_ref>> constants_;
  tracer* parent_ = nullptr;  // the enclosing trace, for a function of a higher-order op
  std::string op_name_;       // that op, for messages (`cond`)
  std::string function_name_; // that function, for messages (`true_fn`)
  // Outside values this branch read: (the enclosing trace's value, its placeholder here).
  std::vector<std::pair<graph::value_ref, graph::value_ref>> captures_;
  // Sub-graphs are named after their op's prefixes and a count per op (`true_graph_0`).
  std::map<std::string, std::size_t> subgraph_counts_;
};

} // namespace xport::trace
