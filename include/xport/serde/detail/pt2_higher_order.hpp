//! @file
//! How a `.pt2` node of a higher-order op lays out its arguments, for the ones xport
//! reads and writes: `torch.ops.higher_order.cond(pred, true_graph, false_graph,
//! operands)`, `while_loop(cond_graph, body_graph, carried_inputs, additional_inputs)`
//! and `map_impl(body_graph, xs, args)`. PyTorch writes each argument unnamed, in order:
//! a tensor, a sub-graph (`as_graph`) or a list of tensors (`as_tensors`).
//!
//! xport's node holds the same values in the same order, split differently: its inputs
//! are the tensors and the lists' tensors, concatenated; its sub-graphs are the graphs;
//! and where there are two lists, the attribute says how long the first one is
//! (`while_loop::carried`, `map_impl::mapped`).
#pragma once

#include <xport/ops/control_flow.hpp>
#include <xport/ops/schema.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace xport::serde::detail {

//! One argument of a higher-order op's `.pt2` node.
enum class pt2_slot : std::uint8_t {
  tensor, //!< `as_tensor`: one of xport's inputs
  graph,  //!< `as_graph`: one of xport's sub-graphs, returning a tuple
  //! `as_graph` returning one tensor, not a tuple (`is_single_tensor_return`), which
  //! PyTorch requires of `while_loop`'s condition
  single_return_graph,
  tensors, //!< `as_tensors`: a run of xport's inputs
};

//! A higher-order op as PyTorch's `.pt2` node holds it.
struct pt2_higher_order {
  std::string_view target;       //!< `torch.ops.higher_order.while_loop`
  std::string_view op;           //!< xport's op: `higher_order::while_loop`
  std::string_view arguments;    //!< PyTorch's names of the arguments, for messages
  std::array<pt2_slot, 4> slots; //!< the arguments, in order
  std::size_t slot_count;        //!< how many of `slots` there are
  //! xport's attributes, from the length of the first tensor list.
  ops::boxed_attributes (*attributes)(std::size_t first_list);
  //! The length of the first tensor list, from xport's attributes, where a second one
  //! follows (there are at most two); the last list holds the inputs that are left.
  std::size_t (*first_list)(ops::boxed_attributes const& attributes);
};

//! The higher-order ops that `load_pt2` reads and `save_pt2` writes.
inline constexpr std::array<pt2_higher_order, 3> pt2_higher_order_ops = {{
    {"torch.ops.higher_order.cond",
     ops::cond::name,
     "pred, true_fn, false_fn, operands",
     {pt2_slot::tensor, pt2_slot::graph, pt2_slot::graph, pt2_slot::tensors},
     4,
     [](std::size_t) { return ops::boxed_attributes::of<ops::cond>({}); },
     [](ops::boxed_attributes const&) -> std::size_t { return 0; }},
    {"torch.ops.higher_order.while_loop",
     ops::while_loop::name,
     "cond_fn, body_fn, carried_inputs, additional_inputs",
     {pt2_slot::single_return_graph, pt2_slot::graph, pt2_slot::tensors, pt2_slot::tensors},
     4,
     [](std::size_t carried) {
       return ops::boxed_attributes::of<ops::while_loop>({static_cast<std::int64_t>(carried)});
     },
     [](ops::boxed_attributes const& a) {
       return static_cast<std::size_t>(a.get<ops::while_loop>().carried);
     }},
    {"torch.ops.higher_order.map_impl",
     ops::map_impl::name,
     "f, xs, pos_args",
     {pt2_slot::graph, pt2_slot::tensors, pt2_slot::tensors},
     3,
     [](std::size_t mapped) {
       return ops::boxed_attributes::of<ops::map_impl>({static_cast<std::int64_t>(mapped)});
     },
     [](ops::boxed_attributes const& a) {
       return static_cast<std::size_t>(a.get<ops::map_impl>().mapped);
     }},
}};

//! The layout whose `key` (`&pt2_higher_order::target` or `::op`) is `name`, or null.
inline pt2_higher_order const* find_pt2_higher_order(std::string_view pt2_higher_order::*key,
                                                     std::string_view name) {
  for (pt2_higher_order const& h : pt2_higher_order_ops)
    if (h.*key == name) return &h;
  return nullptr;
}

} // namespace xport::serde::detail
