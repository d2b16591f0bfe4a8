//! @file
//! `dynamic_shapes`: the user's dynamic-shape contract for a program's tensor inputs, one
//! `shape_spec` per input and one `dim_spec` (a `Dim`, a hint or a static size) per dim.
#pragma once

#include <xport/core/error.hpp>
#include <xport/sym/dim.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace xport::sym {

//! @brief The spec of one tensor dim: a `Dim` (plain or derived), a hint (`Dim::Auto`,
//! `Dim::Dynamic`, `Dim::Static`, optionally bounded) or an integer, which means static.
//!
//! Converts implicitly from each, so a shape reads `{batch, 2 * batch + 1, 784}`.
class dim_spec {
public:
  //! @brief Which of the three a spec is.
  enum class kind {
    named, //!< a `Dim` (plain or derived)
    hint,  //!< `Dim::Auto`, `Dim::Dynamic` or `Dim::Static`
    fixed  //!< an integer: the dim must have exactly this size
  };

  //! @brief A named dim: every input dim naming the same root is related by the spec.
  dim_spec(Dim d) : value_(std::move(d)) {}
  //! @brief A hint; tracing infers what the hint leaves open.
  dim_spec(dim_hint h) : value_(h) {}
  //! @brief A static size.
  //! @throws value_error if @p n is negative.
  template <std::integral I>
  requires(!std::same_as<I, bool>) dim_spec(I n) : value_(fixed_size{to_size(n)}) {}

  //! @brief Which kind of spec this is.
  [[nodiscard]] kind which() const noexcept { return static_cast<kind>(value_.index()); }
  //! @brief The `Dim`, or null unless `which() == kind::named`.
  [[nodiscard]] const Dim* dim() const noexcept { return std::get_if<Dim>(&value_); }
  //! @brief The hint, or null unless `which() == kind::hint`.
  [[nodiscard]] const dim_hint* hint() const noexcept { return std::get_if<dim_hint>(&value_); }
  //! @brief The static size, if `which() == kind::fixed`.
  [[nodiscard]] std::optional<std::int64_t> static_size() const noexcept {
    if (auto* f = std::get_if<fixed_size>(&value_)) return f->n;
    return std::nullopt;
  }

  //! @brief `dx`, `2*dx + 1`, `Dim.AUTO`, `784`: the spelling used in messages.
  [[nodiscard]] std::string to_string() const;

  //! @brief Equal when every field is equal.

  friend bool operator==(const dim_spec&, const dim_spec&) = default;

private:
  struct fixed_size {
    std::int64_t n;
    //! @brief Equal when every field is equal.
    friend bool operator==(const fixed_size&, const fixed_size&) = default;
  };
  template <std::integral I>
  static std::int64_t to_size(I n) {
    if (!std::in_range<std::int64_t>(n) || static_cast<std::int64_t>(n) < 0)
      throw value_error("Static dim size must be a non-negative int64, got " + std::to_string(n));
    return static_cast<std::int64_t>(n);
  }
  std::variant<Dim, dim_hint, fixed_size> value_;
};

//! @brief Tag for a tensor input whose every dim is static (PyTorch's `None` for a whole
//! tensor): `dynamic_shapes({shape_spec{batch}, all_static})`.
struct all_static_t {
  explicit constexpr all_static_t() = default;
};
//! @brief Every dim of this input is static at its example size.
inline constexpr all_static_t all_static{};

//! @brief The spec of one tensor input: one `dim_spec` per dim, in order, or `all_static`.
class shape_spec {
public:
  //! @brief One `dim_spec` per dim: `shape_spec{batch, 784}`.
  shape_spec(std::initializer_list<dim_spec> dims) : dims_(dims) {}
  //! @brief One `dim_spec` per dim.
  explicit shape_spec(std::vector<dim_spec> dims) : dims_(std::move(dims)) {}
  //! @brief Every dim static at its example size, whatever the rank.
  shape_spec(all_static_t) : all_static_(true) {}

  //! @brief Whether this is `all_static` (then `dims()` is empty and the rank is free).
  [[nodiscard]] bool is_all_static() const noexcept { return all_static_; }
  //! @brief The per-dim specs.
  [[nodiscard]] const std::vector<dim_spec>& dims() const noexcept { return dims_; }
  //! @brief The number of per-dim specs.
  [[nodiscard]] std::size_t size() const noexcept { return dims_.size(); }
  //! @brief The spec of dim @p i. @pre `i < size()`.
  [[nodiscard]] const dim_spec& operator[](std::size_t i) const noexcept { return dims_[i]; }

  //! @brief `(dx, 2*dx + 1, 784)`, or `None` for `all_static`.
  [[nodiscard]] std::string to_string() const;

  //! @brief Equal when every field is equal.

  friend bool operator==(const shape_spec&, const shape_spec&) = default;

private:
  std::vector<dim_spec> dims_;
  bool all_static_ = false;
};

//! @brief The dynamic-shape contract of a program: one `shape_spec` per tensor input, in
//! input order (PyTorch's `dynamic_shapes` tuple).
//!
//!     auto batch = Dim("batch", {.min = 1, .max = 1024});
//!     dynamic_shapes one({batch, 784});                               // one input
//!     dynamic_shapes two({{batch, 784}, {batch, 2 * batch + 1}});     // two inputs
//!
//! With several inputs, write each as a braced list of at least two dims, or spell it
//! `shape_spec{...}` (a one-dim `{{d}, {d}}` is ambiguous and does not compile).
//! Construction validates what needs no example: one definition (range) per dim name,
//! roots of derived dims included, and derived minimums >= 0.
class dynamic_shapes {
public:
  //! @brief No spec: every input dim is static.
  dynamic_shapes() = default;
  //! @brief The spec of a single tensor input.
  //! @throws value_error as the vector form does.
  dynamic_shapes(std::initializer_list<dim_spec> one_input)
      : dynamic_shapes(std::vector<shape_spec>{shape_spec(one_input)}) {}
  //! @brief The spec of a single tensor input, given as a `shape_spec`:
  //! `dynamic_shapes(shape_spec{batch, 8})`.
  //! @throws value_error as the vector form does.
  dynamic_shapes(shape_spec one_input) // NOLINT: implicit, as the braced forms
      : dynamic_shapes(std::vector<shape_spec>{std::move(one_input)}) {}
  //! @brief The specs of several tensor inputs, in order.
  //! @throws value_error as the vector form does.
  dynamic_shapes(std::initializer_list<shape_spec> inputs)
      : dynamic_shapes(std::vector<shape_spec>(inputs)) {}
  //! @brief The specs of several tensor inputs, in order.
  //! @throws value_error "Found different definitions Dim('d', max=8) and Dim('d',
  //! max=9) for the same symbolic dimension d!" when one name has two ranges;
  //! "Expected derived min value of dx - 3 to be >= 0. Please specify an appropriate min
  //! value for dx (currently 2)." for a derived dim that could be negative.
  explicit dynamic_shapes(std::vector<shape_spec> inputs);

  //! @brief The per-input specs.
  [[nodiscard]] const std::vector<shape_spec>& inputs() const noexcept { return inputs_; }
  //! @brief The number of inputs the spec covers.
  [[nodiscard]] std::size_t size() const noexcept { return inputs_.size(); }
  //! @brief The spec of input @p i. @pre `i < size()`.
  [[nodiscard]] const shape_spec& operator[](std::size_t i) const noexcept { return inputs_[i]; }

  //! @brief The plain `Dim` named @p name (a root, whether or not an input uses it
  //! directly), if the spec mentions it.
  [[nodiscard]] std::optional<Dim> root(std::string_view name) const;

  //! @brief `((dx, 4), (dx + 1,))`.
  [[nodiscard]] std::string to_string() const;

  //! @brief Equal when every field is equal.

  friend bool operator==(const dynamic_shapes&, const dynamic_shapes&) = default;

private:
  std::vector<shape_spec> inputs_;
};

// ---------------------------------------------------------------------------------------
// Implementation

inline std::string dim_spec::to_string() const {
  switch (which()) {
  case kind::named:
    return dim()->name();
  case kind::hint:
    return hint()->to_string();
  case kind::fixed:
    break;
  }
  return std::to_string(*static_size());
}

inline std::string shape_spec::to_string() const {
  if (all_static_) return "None";
  std::string s = "(";
  for (std::size_t i = 0; i < dims_.size(); ++i)
    s += (i ? ", " : "") + dims_[i].to_string();
  return s + (dims_.size() == 1 ? ",)" : ")");
}

inline std::string dynamic_shapes::to_string() const {
  std::string s = "(";
  for (std::size_t i = 0; i < inputs_.size(); ++i)
    s += (i ? ", " : "") + inputs_[i].to_string();
  return s + (inputs_.size() == 1 ? ",)" : ")");
}

inline dynamic_shapes::dynamic_shapes(std::vector<shape_spec> inputs) : inputs_(std::move(inputs)) {
  std::map<std::string, dim_range, std::less<>> defined;
  auto define = [&](const Dim& root) {
    const dim_range r = root.root_range();
    auto [it, fresh] = defined.emplace(root.name(), r);
    if (!fresh && !(it->second == r)) {
      const Dim first(root.name(), it->second);
      throw value_error("Found different definitions " + first.to_string() + " and "
                        + root.to_string() + " for the same symbolic dimension " + root.name()
                        + "!");
    }
  };
  for (const shape_spec& shape : inputs_)
    for (const dim_spec& d : shape.dims()) {
      const Dim* dim = d.dim();
      if (!dim) continue;
      define(dim->root());
      if (dim->min() < 0)
        throw value_error("Expected derived min value of " + dim->name()
                          + " to be >= 0. Please specify an appropriate min value for "
                          + dim->root_name() + " (currently "
                          + std::to_string(dim->root_range().min) + ").");
    }
}

inline std::optional<Dim> dynamic_shapes::root(std::string_view name) const {
  for (const shape_spec& shape : inputs_)
    for (const dim_spec& d : shape.dims())
      if (const Dim* dim = d.dim(); dim && dim->root_name() == name) return dim->root();
  return std::nullopt;
}

} // namespace xport::sym

namespace xport {
using sym::all_static;
using sym::dim_spec;
using sym::dynamic_shapes;
using sym::shape_spec;
} // namespace xport
