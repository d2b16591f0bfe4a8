//! @file
//! `higher_order::map_impl`, PyTorch's `control_flow.map` as a graph node: its body
//! sub-graph runs on every slice of the mapped inputs along their leading dim, and the
//! results are stacked along a new leading dim. The front end is `xport::map`
//! (`<xport/api/control_flow.hpp>`).
#pragma once

#include <xport/core/error.hpp>
#include <xport/core/factories.hpp>
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

//! @brief `higher_order::map_impl`: `stack([body(xs[0][i], ..., args...) for i])`.
//!
//! Inputs are the mapped tensors (the first `mapped`; all the same size along dim 0,
//! which must not be 0), then the other arguments, passed whole. The body sub-graph
//! (`body_graph_k`) takes one slice of each mapped tensor (its leading dim dropped) and
//! the arguments; each of its outputs gains the leading dim.
struct map_impl {
  static constexpr std::string_view name = "higher_order::map_impl"; //!< PyTorch's name
  static constexpr op_kind kind = op_kind::core;                     //!< in the core set
  static constexpr op_tag tags = op_tag::higher_order;               //!< runs a sub-graph
  static constexpr dtype_set dtypes = dtype_sets::all;               //!< any
  static constexpr bool optional_inputs = true;                      //!< inputs are checked by meta
  static constexpr std::size_t subgraphs = 1;                        //!< the body
  static constexpr std::size_t leading_inputs = 0;                   //!< every input is an operand
  //! @brief `body_graph_0`, as PyTorch names it.
  static constexpr std::array<std::string_view, 1> subgraph_names = {"body_graph_"};
  //! @brief The user\'s functions, as messages name them.
  static constexpr std::array<std::string_view, 1> function_names = {"body_fn"};
  //! @brief How many of the inputs are mapped (the rest are passed whole).
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, mapped));
  };

  //! @brief The body's outputs, each with the mapped leading dim in front.
  //! @throws value_error for a bad mapped count, a 0-dim or zero-length mapped input, or
  //! leading dims that differ (PyTorch's words); unsupported_error without a sub-graph.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a,
                        meta_context& context) {
    SymInt const length = leading(in, a);
    meta_list const* body = context.subgraph_outputs(0);
    if (body == nullptr) {
      throw unsupported_error("higher_order::map_impl has no kernel: it runs its sub-graph, which "
                              "only an exported program's interpreter runs (call xport::map, or "
                              "ep.module())");
    }
    meta_list out = *body;
    for (tensor_meta& m : out)
      m.sizes.insert(m.sizes.begin(), length);
    return out;
  }

  //! @brief The size of the mapped dim, after checking the mapped inputs.
  //! @throws value_error as `meta`.
  static SymInt leading(std::span<tensor_meta const> in, attributes const& a) {
    if (a.mapped < 1 || static_cast<std::size_t>(a.mapped) > in.size()) {
      throw value_error("map: expected 1 to " + std::to_string(in.size())
                        + " mapped inputs, but the node says " + std::to_string(a.mapped));
    }
    auto const mapped = in.first(static_cast<std::size_t>(a.mapped));
    for (std::size_t k = 0; k < in.size(); ++k)
      if (!in[k].defined) throw value_error("map: input " + std::to_string(k) + " is None");
    for (tensor_meta const& x : mapped) {
      if (x.dim() == 0) {
        throw value_error("map: Mapped xs must have a leading dimension to map over, but got a "
                          "0-dim tensor ("
                          + x.str() + ")");
      }
    }
    bool consistent = true;
    for (tensor_meta const& x : mapped)
      consistent = consistent && static_cast<bool>(x.sizes[0] == mapped[0].sizes[0]);
    if (!consistent) {
      std::string shapes;
      for (tensor_meta const& x : mapped)
        shapes += (shapes.empty() ? "" : ", ") + format_sym_sizes(x.sizes);
      throw value_error("map: Leading dimensions of mapped xs must be consistent. Got shapes ["
                        + shapes + "].");
    }
    if (static_cast<bool>(mapped[0].sizes[0] == 0))
      throw value_error("map: Leading dimensions of mapped xs cannot be 0.");
    return mapped[0].sizes[0];
  }

  //! @brief The body takes one slice of each mapped input, then the other inputs.
  static meta_list subgraph_inputs(attributes const& a, std::size_t,
                                   std::span<tensor_meta const> operands) {
    meta_list out(operands.begin(), operands.end());
    for (std::size_t k = 0; k < out.size() && k < static_cast<std::size_t>(a.mapped); ++k)
      if (!out[k].sizes.empty()) out[k].sizes.erase(out[k].sizes.begin());
    return out;
  }

  //! @brief Runs the body on every slice and stacks its outputs along a new dim 0.
  //! @throws value_error for a zero-length mapped dim; shape_error when two slices give
  //! outputs of different sizes.
  static tensor_list run(attributes const& a, std::span<Tensor const> inputs,
                         subgraph_runner const& run_subgraph) {
    std::vector<tensor_meta> metas;
    for (Tensor const& t : inputs)
      metas.push_back(tensor_meta::of(t));
    std::int64_t const length = leading(metas, a).expect_int();
    auto const mapped = static_cast<std::size_t>(a.mapped);
    std::vector<Tensor> args(inputs.begin(), inputs.end());
    tensor_list out;
    for (std::int64_t i = 0; i < length; ++i) {
      for (std::size_t k = 0; k < mapped; ++k)
        args[k] = inputs[k].select(0, i);
      tensor_list const step = run_subgraph(0, std::span<Tensor const>(args.data(), args.size()));
      if (i == 0) {
        for (Tensor const& t : step) {
          dim_vector sizes{length};
          sizes.insert(sizes.end(), t.sizes().begin(), t.sizes().end());
          out.push_back(xport::empty(sizes, {.dtype = t.dtype(), .device = t.device()}));
        }
      }
      if (step.size() != out.size()) {
        throw value_error("map: the body returned " + std::to_string(step.size())
                          + " outputs for slice " + std::to_string(i) + " but "
                          + std::to_string(out.size()) + " for slice 0");
      }
      for (std::size_t o = 0; o < out.size(); ++o) {
        Tensor const slot = out[o].select(0, i);
        if (format_sizes(slot.sizes()) != format_sizes(step[o].sizes())
            || slot.dtype() != step[o].dtype()) {
          throw shape_error("map: the body's output " + std::to_string(o) + " for slice "
                            + std::to_string(i) + " is " + tensor_meta::of(step[o]).str() + ", but "
                            + tensor_meta::of(slot).str() + " for slice 0");
        }
        slot.copy_(step[o]);
      }
    }
    return out;
  }

  //! @brief `body_graph_0, [xs], [y, p_w]`.
  static std::string format(attributes const& a, std::span<std::string const> inputs,
                            std::span<std::string const> bodies) {
    auto const n =
        std::min(static_cast<std::size_t>(std::max<std::int64_t>(a.mapped, 0)), inputs.size());
    return bodies[0] + ", " + format_list(inputs.first(n)) + ", " + format_list(inputs.subspan(n));
  }
};

} // namespace xport::ops
