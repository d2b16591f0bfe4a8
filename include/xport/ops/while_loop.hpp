//! @file
//! `higher_order::while_loop`, PyTorch's `torch.while_loop` as a graph node: while the
//! condition sub-graph returns true on the carried values, the body sub-graph computes
//! their next values. The front end is `xport::while_loop`
//! (`<xport/api/control_flow.hpp>`).
#pragma once

#include <xport/core/error.hpp>
#include <xport/ops/higher_order.hpp>
#include <xport/ops/op.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xport::ops {

//! @brief `higher_order::while_loop`: `while (cond_fn(carried...)) carried =
//! body_fn(carried...)`, returning the last carried values.
//!
//! Inputs are the carried values (the first `carried`), then the additional inputs both
//! functions read (parameters, earlier values) and pass through unchanged. Sub-graph 0
//! (`while_loop_cond_graph_k`) returns a 0-dim bool tensor; sub-graph 1
//! (`while_loop_body_graph_k`) returns the next carried values, with the same dtypes,
//! devices and sizes as the carried ones. Both take every input. The node's outputs are
//! the carried values' metas.
struct while_loop {
  static constexpr std::string_view name = "higher_order::while_loop"; //!< PyTorch's name
  static constexpr op_kind kind = op_kind::core;                       //!< in the core set
  static constexpr op_tag tags = op_tag::higher_order;                 //!< runs sub-graphs
  static constexpr dtype_set dtypes = dtype_sets::all;                 //!< any
  static constexpr bool optional_inputs = true;    //!< inputs are checked by meta
  static constexpr std::size_t subgraphs = 2;      //!< the condition, then the body
  static constexpr std::size_t leading_inputs = 0; //!< every input is an operand
  //! @brief `while_loop_cond_graph_0`, `while_loop_body_graph_0`, as PyTorch names them.
  static constexpr std::array<std::string_view, 2> subgraph_names = {"while_loop_cond_graph_",
                                                                     "while_loop_body_graph_"};
  //! @brief The user\'s functions, as messages name them.
  static constexpr std::array<std::string_view, 2> function_names = {"cond_fn", "body_fn"};
  //! @brief How many of the inputs are carried (the rest are additional inputs).
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, carried));
  };

  //! @brief The carried inputs' metas, after checking the functions' outputs (from
  //! `context`): the condition returns one 0-dim bool tensor, the body the carried
  //! values' metadata.
  //! @throws value_error for a bad carried count or body output count; dtype_error,
  //! device_error or shape_error in PyTorch's words when the body changes a carried
  //! value's metadata or the condition is not a boolean scalar; unsupported_error without
  //! sub-graphs (an eager call of the node itself).
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a,
                        meta_context& context) {
    if (a.carried < 1 || static_cast<std::size_t>(a.carried) > in.size()) {
      throw value_error("while_loop: expected 1 to " + std::to_string(in.size())
                        + " carried inputs, but the node says " + std::to_string(a.carried));
    }
    for (std::size_t k = 0; k < in.size(); ++k)
      if (!in[k].defined) throw value_error("while_loop: input " + std::to_string(k) + " is None");
    meta_list const carried(in.begin(), in.begin() + a.carried);
    meta_list const* condition = context.subgraph_outputs(0);
    meta_list const* body = context.subgraph_outputs(1);
    if (condition == nullptr || body == nullptr) {
      throw unsupported_error("higher_order::while_loop has no kernel: it runs its sub-graphs, "
                              "which only an exported program's interpreter runs (call "
                              "xport::while_loop, or ep.module())");
    }
    expect_condition(*condition);
    expect_same_metadata("while_loop", "body_fn_output", *body, "carried_inputs", carried);
    return carried;
  }

  //! @brief Requires the condition's outputs to be one 0-dim bool tensor.
  //! @throws dtype_error or shape_error "while_loop: cond_fn must return a boolean scalar
  //! tensor, but got f32[3]".
  static void expect_condition(meta_list const& outputs) {
    std::string got;
    for (tensor_meta const& m : outputs)
      got += (got.empty() ? "" : ", ") + m.str();
    std::string const what =
        "while_loop: cond_fn must return a boolean scalar tensor, but got "
        + (outputs.size() == 1 ? got : std::to_string(outputs.size()) + " outputs (" + got + ")");
    if (outputs.size() != 1 || outputs[0].dim() != 0) throw shape_error(what);
    if (outputs[0].dtype != dtype::bool_) throw dtype_error(what);
  }

  //! @brief Both functions take every input (carried, then additional).
  static meta_list subgraph_inputs(attributes const&, std::size_t,
                                   std::span<tensor_meta const> operands) {
    return meta_list(operands.begin(), operands.end());
  }

  //! @brief Runs the loop: the condition on the current values, then the body.
  static tensor_list run(attributes const& a, std::span<Tensor const> inputs,
                         subgraph_runner const& run_subgraph) {
    auto const n = static_cast<std::size_t>(a.carried);
    std::vector<Tensor> state(inputs.begin(), inputs.end());
    while (true) {
      std::span<Tensor const> const all(state.data(), state.size());
      tensor_list const condition = run_subgraph(0, all);
      if (condition.size() != 1 || condition[0].numel() != 1 || condition[0].dim() != 0) {
        throw shape_error("while_loop: cond_fn must return a boolean scalar tensor, but got "
                          + std::to_string(condition.size()) + " outputs");
      }
      if (!condition[0].item<bool>()) break;
      tensor_list next = run_subgraph(1, all);
      if (next.size() != n) {
        throw value_error("while_loop: body_fn returned " + std::to_string(next.size())
                          + " values for " + std::to_string(n) + " carried inputs");
      }
      for (std::size_t k = 0; k < n; ++k)
        state[k] = std::move(next[k]);
    }
    return tensor_list(state.begin(), state.begin() + static_cast<std::ptrdiff_t>(n));
  }

  //! @brief `while_loop_cond_graph_0, while_loop_body_graph_0, (it, x), (p_w,)`.
  static std::string format(attributes const& a, std::span<std::string const> inputs,
                            std::span<std::string const> bodies) {
    auto const n =
        std::min(static_cast<std::size_t>(std::max<std::int64_t>(a.carried, 0)), inputs.size());
    return bodies[0] + ", " + bodies[1] + ", " + format_tuple(inputs.first(n)) + ", "
           + format_tuple(inputs.subspan(n));
  }
};

} // namespace xport::ops
