//! @file
//! Control flow: `higher_order::cond`, PyTorch's `torch.cond` as a graph node. Its node
//! carries two sub-graphs (the branches) and takes the predicate and the operands; the
//! interpreter of a program runs the branch the predicate picks. The front end is
//! `xport::cond` (`<xport/api/control_flow.hpp>`).
#pragma once

#include <xport/ops/data_dependent.hpp>
#include <xport/ops/op.hpp>
#include <xport/ops/op_set.hpp>

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
  static constexpr std::size_t subgraphs = 2;                    //!< true, then false
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

//! @brief The control-flow ops, as an op set.
using control_flow_ops = op_set<cond>;

} // namespace xport::ops
