//! @file
//! What an op is: a struct with an ATen-style `name`, a `kind` (core or composite), its
//! `attributes` (a Hana struct) and a `meta` rule over symbolic sizes. (`op_schema`, the
//! boxed face of an op, is in `schema.hpp`.)
//!
//! @code
//! struct my_scale {
//!   static constexpr std::string_view name = "my::scale";
//!   static constexpr xport::ops::op_kind kind = xport::ops::op_kind::core;
//!   struct attributes { BOOST_HANA_DEFINE_STRUCT(attributes, (double, factor)); };
//!   static xport::ops::meta_list meta(std::span<xport::ops::tensor_meta const> in,
//!                                     attributes const&) { return {in[0]}; }
//! };
//! @endcode
#pragma once

#include <xport/core/error.hpp>
#include <xport/core/tensor.hpp>
#include <xport/ops/attributes.hpp>
#include <xport/ops/meta.hpp>

#include <boost/container/small_vector.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace xport::ops {

//! @brief Whether an op belongs to the core set backends implement, or is a composite
//! that decomposition rewrites into core ops.
enum class op_kind : std::uint8_t {
  core,     //!< in the core op set
  composite //!< lowered by a decomposition rule
};

//! @brief `"core"` or `"composite"`.
constexpr std::string_view name(op_kind kind) noexcept {
  return kind == op_kind::core ? "core" : "composite";
}

//! @brief The tensors an op call returns (most ops return one).
using tensor_list = boost::container::small_vector<Tensor, 2>;

//! @brief What a meta rule may ask of its caller besides the inputs: fresh sizes for
//! data-dependent outputs (`nonzero`, `masked_select`).
class meta_context {
public:
  virtual ~meta_context() = default;
  //! @brief A size known only when the program runs: an unbacked symbol (`u0`) during
  //! tracing, a placeholder during eager calls (whose kernels compute the real size).
  virtual SymInt unbacked_size() = 0;
  //! @brief The output metas of the call's sub-graph `i` (a branch of
  //! `higher_order::cond`), or null when the caller has none (an eager call: such ops run
  //! only inside a program's interpreter).
  virtual meta_list const* subgraph_outputs(std::size_t i) {
    (void)i;
    return nullptr;
  }
};

//! @brief The meta context of eager calls: data-dependent sizes are placeholders (0),
//! because the kernel computes them.
class eager_meta_context final : public meta_context {
public:
  //! @copydoc meta_context::unbacked_size
  SymInt unbacked_size() override { return 0; }
};

//! @brief An op node type: `name`, `kind`, Hana `attributes`, and a `meta` rule taking
//! the input metas and the attributes (and, for data-dependent ops, a `meta_context&`).
template <class Op>
concept op = requires {
  { Op::name } -> std::convertible_to<std::string_view>;
  { Op::kind } -> std::convertible_to<op_kind>;
  typename Op::attributes;
}
&& hana_struct<typename Op::attributes>
    && (requires(std::span<tensor_meta const> in, typename Op::attributes const& a) {
         { Op::meta(in, a) } -> std::same_as<meta_list>;
       } || requires(std::span<tensor_meta const> in, typename Op::attributes const& a,
                     meta_context& ctx) {
         { Op::meta(in, a, ctx) } -> std::same_as<meta_list>;
       });

//! @brief An op whose node carries sub-graphs (`higher_order::cond` has two branches):
//! `Op::subgraphs` says how many. The interpreter of a program runs it, not a kernel.
template <class Op>
concept higher_order_op = op<Op> && requires {
  { Op::subgraphs } -> std::convertible_to<std::size_t>;
};

//! @brief How many sub-graphs a node of `Op` carries (0 for ordinary ops).
template <class Op>
inline constexpr std::size_t subgraph_count = [] {
  if constexpr (higher_order_op<Op>)
    return std::size_t{Op::subgraphs};
  else
    return std::size_t{0};
}();

//! @brief Runs `Op`'s meta rule, passing the context when the rule takes one.
template <op Op>
meta_list run_meta(std::span<tensor_meta const> inputs, typename Op::attributes const& attributes,
                   meta_context& context) {
  if constexpr (requires { Op::meta(inputs, attributes, context); })
    return Op::meta(inputs, attributes, context);
  else
    return Op::meta(inputs, attributes);
}

} // namespace xport::ops
