//! @file
//! `higher_order::cond`, PyTorch's `torch.cond` as a graph node, on the higher-order op
//! concept (`<xport/ops/higher_order.hpp>`). Its node carries two sub-graphs (the
//! branches) and takes the predicate and the operands; the interpreter of a program runs
//! the branch the predicate picks. The front end is `xport::cond`
//! (`<xport/api/control_flow.hpp>`); the control-flow op set, with `while_loop` and
//! `map_impl`, is `control_flow_ops` (`<xport/ops/control_flow.hpp>`).
#pragma once

#include <xport/ops/data_dependent.hpp>
#include <xport/ops/higher_order.hpp>
#include <xport/ops/op.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace xport::ops {

//! @brief `higher_order::cond`: runs one of two sub-graphs (`true_graph_k`,
//! `false_graph_k`) on the operands and returns its outputs.
//!
//! The predicate is either input 0, a tensor of one element (nonzero picks the true
//! branch; `x.sum() > 0` decided when the program runs), or, when input 0 is absent, the
//! relation `lhs op rhs` over sizes in the attributes (`s0 > 4`). Inputs 1... are the
//! operands: the branches' placeholders, in order. Both branches must return tensors with
//! the same dtypes, devices and sizes; those are the node's outputs.
struct cond {
  static constexpr std::string_view name = "higher_order::cond"; //!< PyTorch's name
  static constexpr op_kind kind = op_kind::core;                 //!< in the core set
  static constexpr op_tag tags = op_tag::higher_order;           //!< runs sub-graphs
  static constexpr dtype_set dtypes = dtype_sets::all;           //!< supported dtypes
  static constexpr bool optional_inputs = true;                  //!< operands are checked by meta
  static constexpr std::size_t subgraphs = 2;                    //!< true, then false
  static constexpr std::size_t leading_inputs = 1;               //!< the predicate
  //! @brief `true_graph_0`, `false_graph_0`, as PyTorch names them.
  static constexpr std::array<std::string_view, 2> subgraph_names = {"true_graph_", "false_graph_"};
  //! @brief The user's functions, as messages name them.
  static constexpr std::array<std::string_view, 2> function_names = {"true_fn", "false_fn"};
  //! @brief A predicate over sizes (`lhs op rhs`), all three set, or none of them for a
  //! predicate tensor.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::optional<SymInt>, lhs),
                             (std::optional<comparison>, op), (std::optional<SymInt>, rhs));
  };
  //! @brief `in` is {pred or absent, operands...}; the outputs are the branches' outputs,
  //! which `context` supplies (`subgraph_outputs(0)` and `(1)`).
  //! @throws value_error for a malformed predicate or an absent operand; shape_error when
  //! the predicate tensor does not have exactly one element; value_error, dtype_error,
  //! device_error or shape_error naming the output when the branches disagree;
  //! unsupported_error when `context` has no branches (an eager call).
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a,
                        meta_context& context) {
    if (in.empty()) throw value_error("cond: expected the predicate and the operands as inputs");
    bool const relation = a.lhs && a.op && a.rhs;
    if (!relation && (a.lhs || a.op || a.rhs))
      throw value_error("cond: a predicate over sizes needs all of lhs, op and rhs");
    if (relation && in[0].defined)
      throw value_error("cond: the predicate is both a tensor and a relation of sizes");
    if (!relation) {
      if (!in[0].defined)
        throw value_error("cond: the predicate is missing: pass a one-element tensor or a "
                          "relation of sizes");
      if (in[0].numel().maybe_int() != 1) {
        throw shape_error("Expected pred to be bool or single-element tensor, but got a tensor "
                          "of size "
                          + format_sym_sizes(in[0].sizes));
      }
    }
    for (std::size_t k = 1; k < in.size(); ++k)
      if (!in[k].defined) throw value_error("cond: operand " + std::to_string(k - 1) + " is None");
    meta_list const* on_true = context.subgraph_outputs(0);
    meta_list const* on_false = context.subgraph_outputs(1);
    if (on_true == nullptr || on_false == nullptr) {
      throw unsupported_error("higher_order::cond has no kernel: its outputs are those of its "
                              "branches, which only an exported program's interpreter runs "
                              "(call xport::cond, or ep.module())");
    }
    if (on_true->size() != on_false->size()) {
      throw value_error("cond: Expected to return same number of outputs but got: true branch "
                        "returns "
                        + std::to_string(on_true->size()) + " item(s), false branch returns "
                        + std::to_string(on_false->size()) + " item(s)");
    }
    for (std::size_t k = 0; k < on_true->size(); ++k) {
      tensor_meta const& t = (*on_true)[k];
      tensor_meta const& f = (*on_false)[k];
      std::string const what = "cond: Expected each tensor to have same metadata but got, for "
                               "output "
                               + std::to_string(k) + ": true_fn returns " + t.str()
                               + ", false_fn returns " + f.str();
      if (t.dtype != f.dtype) throw dtype_error(what);
      if (t.device != f.device) throw device_error(what);
      bool same = t.dim() == f.dim();
      for (std::size_t d = 0; same && d < t.sizes.size(); ++d)
        same = t.sizes[d].str() == f.sizes[d].str();
      if (!same) throw shape_error(what);
    }
    return *on_true;
  }
  //! @brief Both branches take the operands as they are.
  static meta_list subgraph_inputs(attributes const&, std::size_t,
                                   std::span<tensor_meta const> operands) {
    return meta_list(operands.begin(), operands.end());
  }
  //! @brief The branch the predicate picks (`inputs[0]`, or the relation of the concrete
  //! attributes), on the operands.
  static tensor_list run(attributes const& a, std::span<Tensor const> inputs,
                         subgraph_runner const& run_subgraph) {
    bool const picked =
        a.op ? compare(a.lhs->expect_int(), *a.op, a.rhs->expect_int()) : holds(inputs[0]);
    return run_subgraph(picked ? 0 : 1, inputs.subspan(1));
  }
  //! @brief `gt, true_graph_0, false_graph_0, (x,)`, or `s0 > 4, ...` for a predicate
  //! over sizes.
  static std::string format(attributes const& a, std::span<std::string const> inputs,
                            std::span<std::string const> bodies) {
    std::string out =
        a.op ? a.lhs->str() + " " + std::string(ops::name(*a.op)) + " " + a.rhs->str() : inputs[0];
    for (std::string const& s : bodies)
      out += ", " + s;
    return out + ", " + format_tuple(inputs.subspan(1));
  }
  //! @brief Whether the predicate tensor `pred` picks the true branch: it has exactly one
  //! element, and that element is nonzero.
  //! @throws shape_error when `pred` has another number of elements.
  static bool holds(Tensor const& pred) {
    if (pred.numel() != 1) {
      throw shape_error("Expected pred to be bool or single-element tensor, but got a tensor "
                        "of size "
                        + format_sym_sizes(pred.sym_sizes()));
    }
    return pred.item<bool>();
  }
};

} // namespace xport::ops
