//! @file
//! `bind_spec`: turns a `dynamic_shapes` spec and example input sizes into symbolic sizes, one
//! symbol per root `Dim`, derived dims as affine expressions of their root, phantom roots
//! solved from the examples.
#pragma once

#include <xport/core/error.hpp>
#include <xport/sym/dim.hpp>
#include <xport/sym/expr.hpp>
#include <xport/sym/range.hpp>
#include <xport/sym/spec.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xport::sym {

//! @brief The example sizes of one tensor input and its path for messages (`x`,
//! `args[0]`).
struct example_input {
  std::string path;                    //!< how messages name the input
  std::span<const std::int64_t> sizes; //!< the example's sizes
  bool scalar = false;                 //!< an integer input: `sizes` is its one value, named `path`
};

//! @brief Creates the symbol for a dynamic size or integer input during binding: given
//! its source (`x.size(0)`, `n`), example value (hint), range, and whether it is a tensor's
//! size, returns it as an expression. For a size, a shape environment may return a
//! constant when its 0/1 policy specializes the hint; an integer input is no size, and
//! is never specialized that way (PyTorch's int inputs: `n = 0` stays dynamic).
using symbol_factory =
    std::function<expr(const std::string& source, std::int64_t hint, value_range range, bool size)>;

//! @brief How one input dim was bound.
struct dim_binding {
  std::uint32_t input = 0; //!< input index
  std::uint32_t dim = 0;   //!< dim index
  std::string source;      //!< `x.size(0)`
  dim_spec spec;           //!< what the user wrote for it
  expr value;              //!< its size: a symbol, `a*root + b`, or a constant
};

//! @brief How one root `Dim` was bound.
struct root_binding {
  Dim root;           //!< the plain Dim
  expr value;         //!< its symbol (or a constant if the environment specialized it)
  std::string source; //!< the first input dim that is the root itself, or the root's name
  bool phantom;       //!< no input dim is the root itself, only derived dims of it
  std::int64_t hint;  //!< the root's example value
};

//! @brief The result of `bind_spec`: every input dim with its size expression, and the roots.
struct spec_binding {
  std::vector<dim_binding> dims;   //!< every dim of every input, in order
  std::vector<root_binding> roots; //!< every root Dim, in order of first use

  //! @brief The binding of root @p name, or null.
  [[nodiscard]] const root_binding* root(std::string_view name) const noexcept {
    for (const root_binding& r : roots)
      if (r.root.name() == name) return &r;
    return nullptr;
  }
};

//! @brief Binds @p spec to @p inputs, creating symbols with @p make_symbol.
//!
//! One symbol per root `Dim` (every input dim naming it shares it), with the example as
//! hint and the Dim's range; a derived dim `a*d + b` becomes `a*s + b` over its root's
//! symbol. A root that no input dim is itself (`x: 2*d`, `y: d + 1`) is a phantom whose
//! value is solved from the first derived example. `Dim::Auto`/`Dim::Dynamic` get a fresh
//! symbol each (with the hint's range); integers and `Dim::Static` become constants.
//! An empty spec makes every dim static.
//! @throws value_error on structural mismatches (number of inputs, "Expected dynamic
//! shape spec (dx,) specified at `dynamic_shapes[0]` to have the same length as the
//! actual tensor shape (4, 8) (expected 2, but got 1 instead)").
//! @throws constraint_violation when an example contradicts the spec: "Static shape
//! constraint of 5 does not match input size of 4, for x.size(1)", "Expected shape[0] =
//! 10 of input Tensor to be of the form 2*dx + 1, where dx is an integer", "Expected input
//! y.size(0) to be equal to 2*dx, where dx = 5, but got 6", an example outside a Dim's
//! range, or two dims of one Dim with different examples.
[[nodiscard]] spec_binding bind_spec(const dynamic_shapes& spec,
                                     std::span<const example_input> inputs,
                                     const symbol_factory& make_symbol);

// ---------------------------------------------------------------------------------------
// Implementation

namespace detail {

inline std::string shape_to_string(std::span<const std::int64_t> sizes) {
  std::string s = "(";
  for (std::size_t i = 0; i < sizes.size(); ++i)
    s += (i ? ", " : "") + std::to_string(sizes[i]);
  return s + (sizes.size() == 1 ? ",)" : ")");
}

inline std::string range_text(std::string_view name, value_range r) {
  return std::to_string(r.lo) + " <= " + std::string(name) + " <= " + bound_to_string(r.hi);
}

} // namespace detail

inline spec_binding bind_spec(const dynamic_shapes& spec, std::span<const example_input> inputs,
                              const symbol_factory& make_symbol) {
  if (spec.size() != 0 && spec.size() != inputs.size())
    throw value_error("Detected mismatch between the structure of `inputs` and `dynamic_shapes`: "
                      "`inputs` has "
                      + std::to_string(inputs.size()) + " elements, but `dynamic_shapes` has "
                      + std::to_string(spec.size()) + " elements");
  spec_binding out;
  // The example value of each root (hint), to check that all its uses agree.
  std::vector<std::int64_t> root_value;
  auto source_of = [&](std::uint32_t i, std::uint32_t j) {
    return inputs[i].scalar ? inputs[i].path : inputs[i].path + ".size(" + std::to_string(j) + ")";
  };
  auto find_root = [&](const std::string& name) -> std::ptrdiff_t {
    for (std::size_t k = 0; k < out.roots.size(); ++k)
      if (out.roots[k].root.name() == name) return static_cast<std::ptrdiff_t>(k);
    return -1;
  };

  for (std::uint32_t i = 0; i < inputs.size(); ++i) {
    const std::span<const std::int64_t> sizes = inputs[i].sizes;
    const shape_spec* shape = spec.size() ? &spec[i] : nullptr;
    if (shape && !shape->is_all_static() && shape->size() != sizes.size())
      throw value_error(
          "Expected dynamic shape spec " + shape->to_string() + " specified at `dynamic_shapes["
          + std::to_string(i) + "]` to have the same length as the actual tensor shape "
          + detail::shape_to_string(sizes) + " (expected " + std::to_string(sizes.size())
          + ", but got " + std::to_string(shape->size()) + " instead)");
    for (std::uint32_t j = 0; j < sizes.size(); ++j) {
      const dim_spec d = shape && !shape->is_all_static() ? (*shape)[j] : dim_spec(Dim::Static);
      out.dims.push_back({i, j, source_of(i, j), d, expr(sizes[j])});
    }
  }

  // Plain Dims first, so that a derived dim finds its root among the inputs whatever the
  // order of the inputs (out-of-order derivation), and is a phantom only if none is.
  for (dim_binding& b : out.dims) {
    const Dim* dim = b.spec.dim();
    if (!dim || dim->is_derived()) continue;
    const std::int64_t n = *b.value.constant();
    if (const std::ptrdiff_t k = find_root(dim->name()); k >= 0) {
      const root_binding& r = out.roots[static_cast<std::size_t>(k)];
      if (root_value[static_cast<std::size_t>(k)] != n)
        throw constraint_violation(b.source + " = " + std::to_string(n) + " is not equal to "
                                   + r.source + " = "
                                   + std::to_string(root_value[static_cast<std::size_t>(k)])
                                   + " (both are " + dim->name() + ")");
      b.value = r.value;
      continue;
    }
    if (!dim->range().contains(n))
      throw constraint_violation("Constraints violated (" + dim->name() + ")! The example size "
                                 + b.source + " = " + std::to_string(n) + " is not in range "
                                 + detail::range_text(dim->name(), dim->range()));
    b.value = make_symbol(b.source, n, dim->range(), !inputs[b.input].scalar);
    out.roots.push_back({*dim, b.value, b.source, false, n});
    root_value.push_back(n);
  }

  for (dim_binding& b : out.dims) {
    const std::int64_t n = *b.value.constant();
    if (const Dim* dim = b.spec.dim(); dim && dim->is_derived()) {
      std::ptrdiff_t k = find_root(dim->root_name());
      const std::string form = dim->name();
      if (k < 0) {
        // A phantom root: solve a*r + b = n for the root's example value.
        const std::int64_t shifted = n - dim->offset();
        if (shifted % dim->coeff() != 0)
          throw constraint_violation("Expected shape[" + std::to_string(b.dim) + "] = "
                                     + std::to_string(n) + " of input Tensor to be of the form "
                                     + form + ", where " + dim->root_name() + " is an integer");
        const std::int64_t v = shifted / dim->coeff();
        const Dim root = dim->root();
        if (!root.range().contains(v))
          throw constraint_violation(
              "Constraints violated (" + root.name() + ")! The example " + b.source + " = "
              + std::to_string(n) + " gives " + root.name() + " = " + std::to_string(v)
              + ", which is not in range " + detail::range_text(root.name(), root.range()));
        out.roots.push_back({root,
                             make_symbol(root.name(), v, root.range(), !inputs[b.input].scalar),
                             root.name(), true, v});
        root_value.push_back(v);
        k = static_cast<std::ptrdiff_t>(out.roots.size() - 1);
      }
      const std::size_t idx = static_cast<std::size_t>(k);
      const std::int64_t expected = dim->apply(root_value[idx]);
      if (expected != n)
        throw constraint_violation(
            "Expected input " + b.source + " to be equal to " + form + ", where " + dim->root_name()
            + " = " + std::to_string(root_value[idx]) + ", but got " + std::to_string(n));
      b.value = expr(dim->coeff()) * out.roots[idx].value + expr(dim->offset());
    } else if (const dim_hint* h = b.spec.hint()) {
      const hint_range& hr = h->range();
      const value_range r{hr.min.value_or(0), hr.max.value_or(int_oo)};
      if (!r.contains(n))
        throw constraint_violation("Received user-specified dim hint " + h->to_string()
                                   + ", but the example size of " + b.source + " is "
                                   + std::to_string(n));
      if (h->kind() != hint_kind::fixed)
        b.value = make_symbol(b.source, n, r, !inputs[b.input].scalar);
    } else if (auto fixed = b.spec.static_size(); fixed && *fixed != n) {
      throw constraint_violation("Static shape constraint of " + std::to_string(*fixed)
                                 + " does not match input size of " + std::to_string(n) + ", for "
                                 + b.source);
    }
  }
  return out;
}

} // namespace xport::sym
