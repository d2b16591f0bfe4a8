//! @file
//! `op_schema`, the boxed face of an op — what graphs, tracing and serialization use
//! without knowing the op's C++ type — and `boxed_attributes`, one call's attributes
//! with their schema (PyTorch's boxed/unboxed split, generated once from each op type).
//! A schema describes an op; it does not run it: kernels register themselves in the
//! op's `kernel_table`, which `kernels/eager.hpp` reads.
#pragma once

#include <xport/core/device.hpp>
#include <xport/ops/higher_order.hpp>
#include <xport/ops/op.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace xport::ops {

//! @brief A kernel behind a uniform signature: type-erased attributes, the inputs, and the
//! outputs' metas (from the meta rule); returns the outputs.
using boxed_kernel = tensor_list (*)(void const* attributes, std::span<Tensor const> inputs,
                                     meta_list const& metas);

//! @brief A kernel that writes into outputs its caller made from the meta rule's result
//! (null for kernels that make their own: views, in-place and data-dependent ops).
using boxed_out_kernel = void (*)(void const* attributes, std::span<Tensor const> inputs,
                                  std::span<Tensor> outputs);

//! @brief An op's kernel on one device kind: `call` always (null: none), `into` too when
//! the kernel writes into given outputs, which lets a plan choose where they live.
struct device_kernel {
  boxed_kernel call = nullptr;     //!< runs the kernel, outputs made as eager execution does
  boxed_out_kernel into = nullptr; //!< runs it into outputs the caller made
};

//! @brief Where an op's kernels are registered, one per device kind. Filled by
//! `kernels::register_kernels`; read by eager execution and plans.
struct kernel_table {
  device_kernel cpu;  //!< the CPU kernel
  device_kernel cuda; //!< the CUDA kernel
  //! @brief The slot of `kind`.
  device_kernel& slot(device_kind kind) noexcept { return kind == device_kind::cpu ? cpu : cuda; }
};

//! @brief The kernel table of `Op` (one per op, mutable: registration writes it).
template <op Op>
inline kernel_table kernels_of{};

//! @brief The boxed face of an op: its name and kind, and its meta rule and attribute
//! functions behind type-erased pointers. One constant per op (`schema_of<Op>`); its
//! address identifies the op.
struct op_schema {
  std::string_view name; //!< `aten::add.Tensor`
  op_kind kind;          //!< core or composite
  op_tag tags;           //!< pointwise, view, in-place, ...
  dtype_set dtypes;      //!< the dtypes it supports
  //! @brief The meta rule on type-erased attributes.
  meta_list (*meta)(void const* attributes, std::span<tensor_meta const> inputs,
                    meta_context& context);
  //! @brief `name=value, ...`.
  std::string (*format)(void const* attributes);
  //! @brief The attributes as a record of named values (for serialization).
  attribute_value (*value)(void const* attributes);
  //! @brief Equality of two attribute values of this op.
  bool (*equal)(void const* a, void const* b);
  //! @brief Hash of an attribute value, consistent with `equal`.
  std::size_t (*hash)(void const* attributes);
  //! @brief True when the attributes hold a symbolic SymInt.
  bool (*symbolic)(void const* attributes);
  //! @brief A copy of the attributes with every symbolic SymInt evaluated.
  std::shared_ptr<void const> (*concretize)(
      void const* attributes, std::function<std::int64_t(SymInt const&)> const& evaluate);
  //! @brief For an in-place op (`aten::add_.Tensor`), the functional op it is recorded
  //! as when a program is functionalized (`aten::add.Tensor`), which takes the same
  //! attributes and returns the new value of the mutated input 0; null otherwise.
  op_schema const* functional;
  //! @brief How many sub-graphs a node of this op carries (`higher_order::cond`: 2).
  std::size_t subgraphs;
  //! @brief Where the op's kernels are registered.
  kernel_table* kernels;
  //! @brief A higher-order op's tracing, running and printing members; null for other ops.
  higher_order_hooks const* higher_order;
};

namespace detail {
template <op Op>
struct schema_functions {
  using attributes = typename Op::attributes;
  static attributes const& cast(void const* p) { return *static_cast<attributes const*>(p); }
  static meta_list meta(void const* a, std::span<tensor_meta const> in, meta_context& ctx) {
    return run_meta<Op>(in, cast(a), ctx);
  }
  static std::string format(void const* a) { return format_attributes(cast(a)); }
  static attribute_value value(void const* a) { return to_attribute_value(cast(a)); }
  static bool equal(void const* a, void const* b) { return attributes_equal(cast(a), cast(b)); }
  static std::size_t hash(void const* a) { return hash_attribute(cast(a)); }
  static bool symbolic(void const* a) { return has_symbolic(cast(a)); }
  static std::shared_ptr<void const>
  concretize(void const* a, std::function<std::int64_t(SymInt const&)> const& evaluate) {
    auto copy = std::make_shared<attributes>(cast(a));
    ops::concretize(*copy, evaluate);
    return copy;
  }
};

template <op Op>
constexpr op_schema const* functional_schema() noexcept;

template <op Op>
constexpr std::size_t subgraph_count() noexcept {
  if constexpr (higher_order_op<Op>)
    return Op::subgraphs;
  else
    return 0;
}

template <op Op>
constexpr higher_order_hooks const* higher_order_hooks_of() noexcept {
  if constexpr (higher_order_op<Op>)
    return &hooks_of<Op>;
  else
    return nullptr;
}

} // namespace detail

//! @brief The schema of `Op`.
template <op Op>
inline constexpr op_schema schema_of = {
    Op::name,
    Op::kind,
    tags_of<Op>,
    dtypes_of<Op>,
    &detail::schema_functions<Op>::meta,
    &detail::schema_functions<Op>::format,
    &detail::schema_functions<Op>::value,
    &detail::schema_functions<Op>::equal,
    &detail::schema_functions<Op>::hash,
    &detail::schema_functions<Op>::symbolic,
    &detail::schema_functions<Op>::concretize,
    detail::functional_schema<Op>(),
    detail::subgraph_count<Op>(),
    &kernels_of<Op>,
    detail::higher_order_hooks_of<Op>(),
};

//! @brief An in-place op: it names its functional counterpart with
//! `using functional = ...;`, whose attributes are the same type.
template <class Op>
concept in_place_op = op<Op> && requires {
  typename Op::functional;
};

//! @cond
namespace detail {
template <op Op>
constexpr op_schema const* functional_schema() noexcept {
  if constexpr (in_place_op<Op>) {
    static_assert(std::is_same_v<typename Op::attributes, typename Op::functional::attributes>,
                  "xport: an in-place op and its functional op must have the same attributes");
    return &schema_of<typename Op::functional>;
  } else {
    return nullptr;
  }
}
} // namespace detail
//! @endcond

//! @brief The attributes of one op call, with their op's schema: what a graph node
//! stores. Copies share the (immutable) value.
class boxed_attributes {
public:
  //! @brief Boxes `value` as the attributes of `Op`.
  template <op Op>
  static boxed_attributes of(typename Op::attributes value) {
    boxed_attributes boxed;
    boxed.schema_ = &schema_of<Op>;
    boxed.value_ = std::make_shared<typename Op::attributes const>(std::move(value));
    return boxed;
  }

  //! @brief The op these attributes belong to.
  op_schema const& schema() const noexcept { return *schema_; }
  //! @brief The attributes as `Op`'s struct.
  //! @throws value_error when they belong to another op.
  template <op Op>
  typename Op::attributes const& get() const {
    if (schema_ != &schema_of<Op>) {
      throw value_error("attributes of '" + std::string(schema_->name) + "' read as those of '"
                        + std::string(Op::name) + "'");
    }
    return *static_cast<typename Op::attributes const*>(value_.get());
  }
  //! @brief The type-erased value, for the schema's functions.
  void const* get() const noexcept { return value_.get(); }
  //! @brief The same attributes as those of the in-place op's functional counterpart.
  //! @pre `schema().functional != nullptr`.
  boxed_attributes as_functional() const {
    boxed_attributes copy = *this;
    copy.schema_ = schema_->functional;
    return copy;
  }
  //! @brief True when the attributes hold a symbolic SymInt.
  bool symbolic() const { return schema_->symbolic(value_.get()); }
  //! @brief A copy with every symbolic SymInt replaced by `evaluate(s)`.
  boxed_attributes concretize(std::function<std::int64_t(SymInt const&)> const& evaluate) const {
    boxed_attributes copy = *this;
    copy.value_ = schema_->concretize(value_.get(), evaluate);
    return copy;
  }
  //! @brief Runs the op's meta rule with these attributes.
  meta_list meta(std::span<tensor_meta const> inputs, meta_context& context) const {
    return schema_->meta(value_.get(), inputs, context);
  }
  //! @brief `name=value, ...`.
  std::string str() const { return schema_->format(value_.get()); }
  //! @brief The attributes as a record of named values.
  attribute_value value() const { return schema_->value(value_.get()); }
  //! @brief Same op and equal attributes.
  friend bool operator==(boxed_attributes const& a, boxed_attributes const& b) {
    return a.schema_ == b.schema_ && a.schema_->equal(a.value_.get(), b.value_.get());
  }
  //! @brief A hash consistent with `==`.
  std::size_t hash() const {
    return std::hash<std::string_view>{}(schema_->name) ^ schema_->hash(value_.get());
  }

private:
  boxed_attributes() = default;
  op_schema const* schema_ = nullptr;
  std::shared_ptr<void const> value_;
};

} // namespace xport::ops
