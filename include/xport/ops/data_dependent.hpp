//! @file
//! Op node types whose output sizes depend on the data: `nonzero`, `masked_select`,
//! `bincount`, and `_local_scalar_dense` (`item()`). Their meta rules take a
//! `meta_context&` and ask it for the data-dependent sizes: unbacked symbols (`u0`) while
//! tracing, placeholders in eager calls, whose kernels compute the real sizes.
#pragma once

#include <xport/core/dtype.hpp>
#include <xport/ops/indexing.hpp>
#include <xport/ops/op.hpp>
#include <xport/ops/op_set.hpp>
#include <xport/sym/relation.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace xport::ops {

//! @brief `aten::nonzero`: the coordinates of the nonzero elements, one row each, in
//! row-major order, as int64 (NaN is nonzero).
//!
//! Shape rule: `[n, rank]` with `n` data-dependent: `f32[s0, 2]` → `i64[u0, 2]` (a known
//! empty input gives `[0, rank]`).
struct nonzero {
  static constexpr std::string_view name = "aten::nonzero"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;            //!< in the core set
  static constexpr op_tag tags = op_tag::data_dependent;    //!< sized by data
  static constexpr dtype_set dtypes = dtype_sets::all;      //!< supported dtypes
  using attributes = no_attributes;                         //!< none
  //! @brief `in` is {self}.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&, meta_context& context) {
    expect_inputs(in, 1, "nonzero");
    SymInt const count = detail::bounded_count(in[0], context);
    return {tensor_meta{dtype::int64, in[0].device, {count, in[0].dim()}}};
  }
};

//! @brief `aten::_local_scalar_dense`, what `item()` records: the value of a one-element
//! tensor. Its node output is a 0-dim tensor of the input's dtype; the front end
//! `xport::item` turns it into a `Scalar`.
struct local_scalar_dense {
  static constexpr std::string_view name = "aten::_local_scalar_dense"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                        //!< in the core set
  static constexpr op_tag tags = op_tag::data_dependent;                //!< sized by data
  static constexpr dtype_set dtypes = dtype_sets::all;                  //!< supported dtypes
  using attributes = no_attributes;                                     //!< none
  //! @brief `in` is {self}, of exactly one element (a guard on symbolic sizes).
  //! @throws shape_error "a Tensor with N elements cannot be converted to Scalar".
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    expect_inputs(in, 1, "item");
    SymInt const numel = in[0].numel();
    if (!static_cast<bool>(numel == 1)) {
      throw shape_error("a Tensor with " + numel.str()
                        + " elements cannot be converted to Scalar (size "
                        + format_sym_sizes(in[0].sizes) + ")");
    }
    return {tensor_meta{in[0].dtype, in[0].device, {}}};
  }
};

//! @brief `aten::masked_select`: the elements of `self` where the bool `mask` is true
//! (both broadcast), in row-major order, as a 1-D tensor.
//!
//! Shape rule: `[n]` with `n` data-dependent: `f32[s0, 4]`, mask `b8[s0, 4]` → `f32[u0]`.
struct masked_select {
  static constexpr std::string_view name = "aten::masked_select"; //!< ATen name
  //! In the core set: its output size is a data-dependent symbol of its own, which a
  //! decomposition (through nonzero) could not tie to the program's.
  static constexpr op_kind kind = op_kind::core;
  static constexpr op_tag tags = op_tag::data_dependent; //!< sized by data
  static constexpr dtype_set dtypes = dtype_sets::all;   //!< supported dtypes
  using attributes = no_attributes;                      //!< none
  //! @brief `in` is {self, mask}.
  //! @throws dtype_error for a non-bool mask; shape_error when the shapes do not broadcast.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&, meta_context& context) {
    expect_inputs(in, 2, "masked_select");
    expect_same_device(in, "masked_select");
    if (in[1].dtype != dtype::bool_) {
      throw dtype_error("masked_select: expected BoolTensor for mask, but got "
                        + torch_name(in[1].dtype) + "; compare it (mask != 0) to get one");
    }
    tensor_meta const shape{in[0].dtype, in[0].device, broadcast_sizes(in[0].sizes, in[1].sizes)};
    SymInt const count = detail::bounded_count(shape, context);
    return {tensor_meta{in[0].dtype, in[0].device, {count}}};
  }
};

//! @brief `aten::bincount`: how often each value `0..max(self)` occurs in the 1-D
//! non-negative integer `self` (or the sum of `weights` at its positions), with at least
//! `minlength` bins.
//!
//! Shape rule: `[n]`, `n = max(max(self) + 1, minlength)` data-dependent: `i64[s0]` →
//! `i64[u0]`. Dtype: int64 without weights; with weights, float32 for float32 weights and
//! float64 for any other. As in PyTorch, a known empty input gives `minlength` int64 zeros
//! even with weights.
struct bincount {
  static constexpr std::string_view name = "aten::bincount"; //!< ATen name
  //! In the core set, as masked_select: its output size is data-dependent.
  static constexpr op_kind kind = op_kind::core;
  static constexpr op_tag tags = op_tag::data_dependent;    //!< sized by data
  static constexpr dtype_set dtypes = dtype_sets::integral; //!< supported dtypes
  static constexpr bool optional_inputs = true;             //!< weights may be absent
  //! @brief The smallest number of bins.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, minlength));
  };
  //! @brief `in` is {self, weights} (weights undefined when absent).
  //! @throws value_error for a negative `minlength` or an input that is not 1-D;
  //! dtype_error for a non-integer input; shape_error for weights of another length.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a,
                        meta_context& context) {
    expect_inputs(in, 2, "bincount");
    tensor_meta const& self = in[0];
    tensor_meta const& weights = in[1];
    if (a.minlength < 0)
      throw value_error("minlength should be >= 0, but got " + std::to_string(a.minlength));
    if (!is_integral(self.dtype)) {
      throw dtype_error("\"bincount_cpu\" not implemented for '"
                        + std::string(xport::scalar_type_name(self.dtype))
                        + "'; bincount counts integers (convert with .to(xport::dtype::int64))");
    }
    if (self.dim() == 1 && detail::known_empty(self))
      return {tensor_meta{dtype::int64, self.device, {a.minlength}}};
    if (self.dim() != 1) {
      throw value_error("bincount only supports 1-d non-negative integral inputs. (got size "
                        + format_sym_sizes(self.sizes) + ")");
    }
    dtype result = dtype::int64;
    if (weights.defined) {
      if (weights.device != self.device) {
        throw device_error("bincount: weights are on " + weights.device.str() + ", input on "
                           + self.device.str() + "; move them with .to(device)");
      }
      if (weights.dim() != 1 || !static_cast<bool>(weights.sizes[0] == self.sizes[0])) {
        throw shape_error("weights should be 1-d and have the same length as input (weights "
                          + format_sym_sizes(weights.sizes) + ", input "
                          + format_sym_sizes(self.sizes) + ")");
      }
      result = weights.dtype == dtype::float32 ? dtype::float32 : dtype::float64;
    }
    return {tensor_meta{result, self.device, {context.unbacked_size()}}};
  }
};

//! @brief How `aten::_assert_scalar` compares its two sides.
enum class comparison : std::uint8_t {
  eq, //!< `==`
  ne, //!< `!=`
  lt, //!< `<`
  le, //!< `<=`
  gt, //!< `>`
  ge  //!< `>=`
};

//! @brief `"=="`, `"!="`, `"<"`, `"<="`, `">"` or `">="`.
constexpr std::string_view name(comparison c) noexcept {
  constexpr std::string_view names[] = {"==", "!=", "<", "<=", ">", ">="};
  return names[static_cast<std::size_t>(c)];
}

//! @brief `lhs op rhs` for concrete values.
constexpr bool compare(std::int64_t lhs, comparison op, std::int64_t rhs) noexcept {
  switch (op) {
  case comparison::eq:
    return lhs == rhs;
  case comparison::ne:
    return lhs != rhs;
  case comparison::lt:
    return lhs < rhs;
  case comparison::le:
    return lhs <= rhs;
  case comparison::gt:
    return lhs > rhs;
  case comparison::ge:
    break;
  }
  return lhs >= rhs;
}

//! @brief The comparison of a relation of sizes, as op attributes spell it
//! (`_assert_scalar`, `cond`): `s0 >= 2` gives `comparison::ge`.
constexpr comparison comparison_of(sym::rel_op op) noexcept {
  constexpr comparison comparisons[] = {comparison::eq, comparison::ne, comparison::lt,
                                        comparison::le, comparison::gt, comparison::ge};
  return comparisons[static_cast<std::size_t>(op)];
}

//! @brief `aten::_assert_scalar`: a runtime assert of an exported program, what
//! `xport::check(u0 <= 4)` records. Its attributes hold the relation over symbolic sizes;
//! when the program runs they are evaluated with the sizes of that call and the kernel
//! raises `constraint_violation` with `msg` when the relation does not hold. No tensors in
//! or out; dead-code elimination keeps it.
struct assert_scalar {
  static constexpr std::string_view name = "aten::_assert_scalar"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;                   //!< in the core set
  static constexpr op_tag tags = op_tag::none;                     //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;             //!< supported dtypes
  //! @brief The relation `lhs op rhs` and the failure message.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (SymInt, lhs), (comparison, op), (SymInt, rhs),
                             (std::string, msg));
  };
  //! @brief `in` is empty; so is the result. A symbolic relation is asserted in its shape
  //! environment (`xport::check`), so that the nodes after it are checked, when a program
  //! is loaded or replayed, knowing what it asserts (`u0 <= s1` before a slice to `u0`).
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    expect_inputs(in, 0, "_assert_scalar");
    if (a.lhs.is_symbolic() || a.rhs.is_symbolic()) {
      static_assert(static_cast<int>(comparison::ge) == static_cast<int>(sym_compare::ge));
      SymBool const holds = compare(static_cast<sym_compare>(a.op), a.lhs, a.rhs);
      if (holds.is_symbolic()) check(holds, a.msg);
    }
    return {};
  }
};

//! @brief The data-dependent ops and the runtime assert, as an op set.
using data_dependent_ops =
    op_set<nonzero, local_scalar_dense, masked_select, bincount, assert_scalar>;

} // namespace xport::ops
