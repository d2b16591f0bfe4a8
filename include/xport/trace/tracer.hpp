//! @file
//! The tracer: an `ops::op_interceptor` that, while installed, turns every op call on
//! fake tensors into a graph node — running the op's meta rule on symbolic sizes under a
//! guard scope for the op and the user's line, and returning fake outputs.
//!
//! In-place ops are recorded functionally: `add_(buf, x)` appends `aten::add.Tensor`
//! and makes `buf` stand for the new value from then on; export turns the final values of
//! mutated buffers and inputs into mutation outputs. Real tensors reaching an op (tensors
//! created in `forward`, or captured from outside) are lifted to constant placeholders.
#pragma once

#include <xport/graph/graph.hpp>
#include <xport/nn/module_stack.hpp>
#include <xport/ops/dispatch.hpp>
#include <xport/sym/sym_node.hpp>

#include <cstdint>
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
  //! this tracer; for a real tensor, a lifted constant placeholder (one per tensor).
  //! @throws value_error for a fake tensor of another trace.
  graph::value_ref value_of(Tensor const& t) {
    if (t.is_fake()) {
      auto const* v = static_cast<traced_value const*>(t.fake_value().get());
      if (v == nullptr || v->owner != this)
        throw value_error("a fake tensor from another export was passed to this one");
      return v->current;
    }
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
    if (in_place && inputs.front().is_fake()) refuse_mutating_a_view(attributes, args.front());
    ops::boxed_attributes recorded = in_place ? attributes.as_functional() : attributes;
    ops::meta_list outputs;
    {
      sym::guard_scope const scope(attributes.schema().name, where);
      unbacked_context context(*env_);
      outputs =
          recorded.meta(std::span<ops::tensor_meta const>(metas.data(), metas.size()), context);
    }
    std::vector<graph::stack_entry> stack;
    for (module_frame const& frame : current_module_stack())
      stack.push_back({frame.path, std::string(frame.type)});
    std::uint32_t const node =
        graph_->add_call(std::move(recorded), std::move(args), outputs, where, std::move(stack));
    if (in_place) {
      // The mutated input now stands for the op's result; the caller keeps its handle.
      Tensor const& self = inputs.front();
      if (!self.is_fake()) {
        throw value_error("'" + std::string(attributes.schema().name)
                          + "' mutates a tensor that is not an input, parameter or buffer of "
                            "the exported module (a captured constant); constants cannot be "
                            "mutated by an exported program");
      }
      static_cast<traced_value const*>(self.fake_value().get())->current = {node, 0};
      return {self};
    }
    ops::tensor_list results;
    for (std::uint32_t i = 0; i < outputs.size(); ++i)
      results.push_back(fake_for({node, i}, outputs[i]));
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

private:
  // A functional graph cannot express writing through a view (PyTorch emits
  // slice_scatter and friends); until xport does, such writes are refused rather than
  // recorded wrongly.
  void refuse_mutating_a_view(ops::boxed_attributes const& attributes,
                              graph::argument const& self) const {
    static constexpr std::string_view view_ops[] = {"aten::view",
                                                    "aten::reshape",
                                                    "aten::slice.Tensor",
                                                    "aten::select.int",
                                                    "aten::narrow",
                                                    "aten::transpose.int",
                                                    "aten::permute",
                                                    "aten::t",
                                                    "aten::expand",
                                                    "aten::squeeze",
                                                    "aten::squeeze.dim",
                                                    "aten::squeeze.dims",
                                                    "aten::unsqueeze",
                                                    "aten::flatten.using_ints",
                                                    "aten::unflatten.int",
                                                    "aten::split.Tensor",
                                                    "aten::split_with_sizes",
                                                    "aten::chunk",
                                                    "aten::contiguous"};
    graph::node const& producer = graph_->at(self->node);
    if (!producer.target) return;
    std::string_view const op = producer.target->schema().name;
    for (std::string_view const v : view_ops) {
      if (op == v) {
        throw unsupported_error(
            "'" + std::string(attributes.schema().name) + "' writes into '" + producer.name
            + "', a view made by " + std::string(op)
            + "; export records functional programs and cannot yet write through "
              "views: compute the new value and assemble it with cat or "
              "index_put instead");
      }
    }
  }

  class unbacked_context final : public ops::meta_context {
  public:
    explicit unbacked_context(sym::ShapeEnv& env) : env_(&env) {}
    SymInt unbacked_size() override { return sym::unbacked_size(*env_); }

  private:
    sym::ShapeEnv* env_;
  };

  Tensor fake_for(graph::value_ref v, ops::tensor_meta const& meta) const {
    auto handle = std::make_shared<traced_value const>(traced_value{this, v});
    return Tensor::make_fake(meta.dtype, meta.device,
                             std::span<SymInt const>(meta.sizes.data(), meta.sizes.size()),
                             std::move(handle));
  }

  sym::ShapeEnv* env_;
  graph::Graph* graph_;
  std::vector<std::pair<Tensor, graph::value_ref>> constants_;
};

} // namespace xport::trace
