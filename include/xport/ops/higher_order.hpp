//! @file
//! Higher-order ops as one concept: an op whose node carries sub-graphs (`cond`'s
//! branches, `while_loop`'s condition and body, `map`'s body) states, in its declaration,
//! everything the layers above need to trace, run, print and check it:
//!
//! | member | used by |
//! |---|---|
//! | `subgraphs`, `subgraph_names` | tracing (names `true_graph_0`), validation |
//! | `function_names` | messages about the user's functions (`true_fn`, `body_fn`) |
//! | `leading_inputs` | inputs before the operands (`cond`'s predicate) |
//! | `subgraph_inputs(a, i, operands)` | the placeholders of sub-graph `i` (tracing, validation,
//! loading) | | `meta(in, a, context)` | the node's outputs from its sub-graphs' outputs
//! (`context.subgraph_outputs`) | | `run(a, inputs, run_subgraph)` | the interpreter
//! (`ep.module()`) | | `format(a, inputs, subgraph names)` | printing (`cond(gt, true_graph_0,
//! false_graph_0, (x,))`) |
//!
//! Saving, loading and decomposition need nothing more: sub-graphs are stored, loaded and
//! lowered generically. Tensors a sub-graph reads from outside (parameters, earlier
//! values) become extra operands of the node, after the given ones, and extra
//! placeholders of every sub-graph, with the same metadata.
#pragma once

#include <xport/ops/op.hpp>

#include <array>
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace xport::ops {

//! @brief A function a higher-order op runs, as its front end hands it to an interceptor:
//! the user's callable on tensors (fake ones while tracing).
using subgraph_function = std::function<tensor_list(std::span<Tensor const>)>;

//! @brief Runs sub-graph `i` of the node being interpreted on the given tensors.
using subgraph_runner = std::function<tensor_list(std::size_t i, std::span<Tensor const>)>;

//! @brief A higher-order op: an op (with a meta rule taking a `meta_context`) whose
//! declaration holds the members listed in this file's table.
template <class Op>
concept higher_order_op = op<Op> && requires {
  { Op::subgraphs } -> std::convertible_to<std::size_t>;
  { Op::leading_inputs } -> std::convertible_to<std::size_t>;
  { Op::subgraph_names } -> std::convertible_to<std::span<std::string_view const>>;
  { Op::function_names } -> std::convertible_to<std::span<std::string_view const>>;
} && requires(typename Op::attributes const& a, std::size_t i,
              std::span<tensor_meta const> operands, std::span<Tensor const> inputs,
              subgraph_runner const& run, std::span<std::string const> names) {
  { Op::subgraph_inputs(a, i, operands) } -> std::same_as<meta_list>;
  { Op::run(a, inputs, run) } -> std::same_as<tensor_list>;
  { Op::format(a, names, names) } -> std::same_as<std::string>;
};

//! @brief The boxed face of a higher-order op's members (see `op_schema::higher_order`).
struct higher_order_hooks {
  std::size_t leading_inputs;                       //!< inputs before the operands
  std::span<std::string_view const> subgraph_names; //!< name prefix of each sub-graph
  std::span<std::string_view const> function_names; //!< the user's name of each function
  //! @brief The placeholders' metas of sub-graph `i`, from the node's operands.
  meta_list (*subgraph_inputs)(void const* attributes, std::size_t i,
                               std::span<tensor_meta const> operands);
  //! @brief Runs the node on concrete inputs, its sub-graphs through `run`.
  tensor_list (*run)(void const* attributes, std::span<Tensor const> inputs,
                     subgraph_runner const& run);
  //! @brief The call's arguments as printed, from the inputs' and sub-graphs' names.
  std::string (*format)(void const* attributes, std::span<std::string const> inputs,
                        std::span<std::string const> bodies);
};

//! @cond
namespace detail {
template <class Op>
struct hooks_functions {
  using attributes = typename Op::attributes;
  static attributes const& cast(void const* p) { return *static_cast<attributes const*>(p); }
  static meta_list subgraph_inputs(void const* a, std::size_t i,
                                   std::span<tensor_meta const> operands) {
    return Op::subgraph_inputs(cast(a), i, operands);
  }
  static tensor_list run(void const* a, std::span<Tensor const> in, subgraph_runner const& r) {
    return Op::run(cast(a), in, r);
  }
  static std::string format(void const* a, std::span<std::string const> inputs,
                            std::span<std::string const> bodies) {
    return Op::format(cast(a), inputs, bodies);
  }
};
} // namespace detail
//! @endcond

//! @brief The hooks of `Op`, one constant per higher-order op.
template <higher_order_op Op>
inline constexpr higher_order_hooks hooks_of = {
    Op::leading_inputs,
    std::span<std::string_view const>(Op::subgraph_names),
    std::span<std::string_view const>(Op::function_names),
    &detail::hooks_functions<Op>::subgraph_inputs,
    &detail::hooks_functions<Op>::run,
    &detail::hooks_functions<Op>::format,
};

//! @brief `(x,)`, `(x, y)` or `()`: a tuple of names as PyTorch prints one.
inline std::string format_tuple(std::span<std::string const> names) {
  std::string out = "(";
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i ? ", " : "") + names[i];
  return out + (names.size() == 1 ? ",)" : ")");
}

//! @brief `[x]`, `[x, y]` or `[]`: a list of names as PyTorch prints one.
inline std::string format_list(std::span<std::string const> names) {
  std::string out = "[";
  for (std::size_t i = 0; i < names.size(); ++i)
    out += (i ? ", " : "") + names[i];
  return out + "]";
}

//! @brief Requires the outputs of two functions of a higher-order op to agree, output by
//! output: same count, dtypes, devices and (symbolic) sizes. PyTorch's wording:
//! "Expected body_fn_output and carried_inputs to have same metadata but found:
//! pair[1] differ in 'shape: [6] vs [3]', where lhs is f32[6] and rhs is f32[3]".
//! @throws value_error for another count; dtype_error, device_error or shape_error for
//! the first pair that differs.
inline void expect_same_metadata(std::string_view op, std::string_view lhs_name,
                                 meta_list const& lhs, std::string_view rhs_name,
                                 meta_list const& rhs) {
  auto const listing = [](meta_list const& m) {
    std::string out = "[";
    for (std::size_t i = 0; i < m.size(); ++i)
      out += (i ? ", " : "") + m[i].str();
    return out + "]";
  };
  std::string const head =
      std::string(op) + ": Expected " + std::string(lhs_name) + " and " + std::string(rhs_name);
  if (lhs.size() != rhs.size()) {
    throw value_error(head + " to have same number of outputs but got lhs:" + listing(lhs)
                      + " and rhs:" + listing(rhs));
  }
  for (std::size_t k = 0; k < lhs.size(); ++k) {
    tensor_meta const& a = lhs[k];
    tensor_meta const& b = rhs[k];
    auto const fail = [&](std::string const& field, std::string const& x, std::string const& y) {
      return head + " to have same metadata but found:\npair[" + std::to_string(k) + "] differ in '"
             + field + ": " + x + " vs " + y + "', where lhs is " + a.str() + " and rhs is "
             + b.str();
    };
    if (a.dtype != b.dtype)
      throw dtype_error(fail("dtype", std::string(name(a.dtype)), std::string(name(b.dtype))));
    if (a.device != b.device) throw device_error(fail("device", a.device.str(), b.device.str()));
    bool same = a.dim() == b.dim();
    for (std::size_t d = 0; same && d < a.sizes.size(); ++d)
      same = a.sizes[d].str() == b.sizes[d].str();
    if (!same)
      throw shape_error(fail("shape", format_sym_sizes(a.sizes), format_sym_sizes(b.sizes)));
  }
}

} // namespace xport::ops
