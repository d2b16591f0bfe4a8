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
#include <utility>

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
  //! @brief `unbacked_size()` for a count of at most `at_most` (the elements `nonzero`
  //! can pick): while tracing, its range is bounded by `at_most`'s upper bound, a fact of
  //! the op rather than something to check.
  virtual SymInt unbacked_size(SymInt const& at_most) {
    (void)at_most;
    return unbacked_size();
  }
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

//! @brief What kind of computation an op is, as a bit set: PyTorch's op tags, which
//! passes, docs and tests read instead of keeping lists of their own.
enum class op_tag : std::uint16_t {
  none = 0,                 //!< no tag
  pointwise = 1U << 0,      //!< elementwise over broadcast inputs (fusable)
  view = 1U << 1,           //!< the output shares its input's storage
  in_place = 1U << 2,       //!< writes into input 0; names its `functional` counterpart
  reduction = 1U << 3,      //!< reduces over dimensions
  data_dependent = 1U << 4, //!< an output size or value known only at run time
  random = 1U << 5,         //!< draws from a generator
  higher_order = 1U << 6,   //!< carries sub-graphs, which the interpreter runs
};

//! @brief The union of two tag sets.
constexpr op_tag operator|(op_tag a, op_tag b) noexcept {
  return static_cast<op_tag>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}

//! @brief True when `tags` holds every tag of `wanted`.
constexpr bool has_tag(op_tag tags, op_tag wanted) noexcept {
  return (static_cast<unsigned>(tags) & static_cast<unsigned>(wanted))
         == static_cast<unsigned>(wanted);
}

//! @brief Every tag with its name, in bit order (for printing and the op reference).
inline constexpr std::pair<op_tag, std::string_view> op_tag_names[] = {
    {op_tag::pointwise, "pointwise"},
    {op_tag::view, "view"},
    {op_tag::in_place, "in_place"},
    {op_tag::reduction, "reduction"},
    {op_tag::data_dependent, "data_dependent"},
    {op_tag::random, "random"},
    {op_tag::higher_order, "higher_order"}};

//! @brief The tags' names joined by `", "`: `pointwise, in_place`.
inline std::string format_tags(op_tag tags) {
  std::string out;
  for (auto const& [tag, tag_name] : op_tag_names) {
    if (!has_tag(tags, tag)) continue;
    if (!out.empty()) out += ", ";
    out += tag_name;
  }
  return out;
}

//! @brief An op node type, its one declaration: `name` (ATen name and overload), `kind`
//! (core or composite), Hana `attributes`, a `meta` rule taking the input metas and the
//! attributes (and, for data-dependent and higher-order ops, a `meta_context&`), and
//! optionally `tags` (`op_tag`, none by default) and `dtypes` (the `dtype_set` it
//! computes in, see `dispatch_dtype`; every dtype by default). Every op of xport declares
//! both (`fully_declared`).
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

//! @brief An op that states its `tags` and `dtypes` rather than taking the defaults.
template <class Op>
concept fully_declared = op<Op> && requires {
  { Op::tags } -> std::convertible_to<op_tag>;
  { Op::dtypes } -> std::convertible_to<dtype_set>;
};

//! @brief `Op::tags`, or no tag.
template <op Op>
inline constexpr op_tag tags_of = [] {
  if constexpr (requires { Op::tags; })
    return op_tag{Op::tags};
  else
    return op_tag::none;
}();

//! @brief `Op::dtypes`, or every dtype.
template <op Op>
inline constexpr dtype_set dtypes_of = [] {
  if constexpr (requires { Op::dtypes; })
    return dtype_set{Op::dtypes};
  else
    return dtype_sets::all;
}();

//! @brief Whether some tensor inputs of `Op` may be absent — an undefined `Tensor` for a
//! bias, a mask or a `None` index — which its meta rule handles: `Op::optional_inputs`
//! (or its functional op's, for an in-place op), false by default. `run_meta` refuses an
//! undefined input of any other op.
template <op Op>
inline constexpr bool optional_inputs_of = [] {
  if constexpr (requires { Op::optional_inputs; })
    return bool{Op::optional_inputs};
  else if constexpr (requires { typename Op::functional; })
    return optional_inputs_of<typename Op::functional>;
  else
    return false;
}();

//! @brief The dtype a call of `Op` computes in, which its declared `dtypes` must hold and
//! its kernels dispatch on: `Op::dispatch_dtype(in, attributes, out)` when the op defines
//! it (binary ops: the promoted dtype of their operands), otherwise the dtype of the first
//! defined input (`self`), or of the first output for ops without tensor inputs.
template <op Op>
dtype dispatch_dtype(std::span<tensor_meta const> inputs, typename Op::attributes const& attributes,
                     meta_list const& outputs) {
  if constexpr (requires { Op::dispatch_dtype(inputs, attributes, outputs); }) {
    return Op::dispatch_dtype(inputs, attributes, outputs);
  } else {
    for (tensor_meta const& m : inputs)
      if (m.defined) return m.dtype;
    return outputs.empty() ? dtype::float32 : outputs.front().dtype;
  }
}

//! @brief Declares an op's dispatch dtype to be its result's (`where`, `clamp`: the
//! promoted dtype of the operands that give the values).
struct dispatch_on_result {
  //! @brief The dtype of output 0.
  template <class Attributes>
  static dtype dispatch_dtype(std::span<tensor_meta const>, Attributes const&,
                              meta_list const& out) {
    return out.front().dtype;
  }
};

//! @brief Declares an op's dispatch dtype to be its `dtype` attribute when given (the
//! input is converted to it first: `mean(x, dtype=float32)`), else its input's.
struct dispatch_on_dtype_attribute {
  //! @brief `a.dtype`, or the dtype of input 0.
  template <class Attributes>
  static dtype dispatch_dtype(std::span<tensor_meta const> in, Attributes const& a,
                              meta_list const&) {
    return a.dtype.value_or(in.front().dtype);
  }
};

//! @brief PyTorch's refusal of a dtype an op has no kernel for:
//! `"gelu" not implemented for 'Long'`, with the way out.
inline dtype_error not_implemented_for(std::string_view op, dtype type) {
  return dtype_error("\"" + std::string(op) + "\" not implemented for '"
                     + std::string(scalar_type_name(type))
                     + "'; convert the tensor with .to() to a dtype the op supports");
}

//! @brief The op's short name from its ATen name: `"aten::div.Tensor_mode"` -> `"div"`.
constexpr std::string_view short_op_name(std::string_view aten_name) noexcept {
  if (auto const colons = aten_name.find("::"); colons != std::string_view::npos)
    aten_name.remove_prefix(colons + 2);
  return aten_name.substr(0, aten_name.find('.'));
}

//! @brief Runs `Op`'s meta rule (passing the context when the rule takes one), then
//! checks the call's dispatch dtype against the op's declared `dtypes`. Every path that
//! asks an op for its output metas — eager calls, tracing, validation of loaded
//! programs — comes through here, so a dtype the op does not declare is refused before
//! any output is allocated, in PyTorch's words (`"gelu" not implemented for 'Long'`);
//! meta rules that refuse some dtypes in more specific words run first.
//! An undefined input of an op without `optional_inputs` is refused first.
//! @throws value_error for an undefined input the op does not take; the meta rule's
//! errors; dtype_error for an undeclared dtype.
template <op Op>
meta_list run_meta(std::span<tensor_meta const> inputs, typename Op::attributes const& attributes,
                   meta_context& context) {
  if constexpr (!optional_inputs_of<Op>) {
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (!inputs[i].defined) {
        throw value_error(std::string(short_op_name(Op::name)) + "(): input " + std::to_string(i)
                          + " is an undefined tensor (default-constructed); pass a tensor with "
                            "data");
      }
    }
  }
  meta_list outputs;
  if constexpr (requires { Op::meta(inputs, attributes, context); })
    outputs = Op::meta(inputs, attributes, context);
  else
    outputs = Op::meta(inputs, attributes);
  if constexpr (dtypes_of<Op> != dtype_sets::all) {
    dtype const type = dispatch_dtype<Op>(inputs, attributes, outputs);
    if (!dtypes_of<Op>.contains(type)) throw not_implemented_for(short_op_name(Op::name), type);
  }
  return outputs;
}

} // namespace xport::ops
