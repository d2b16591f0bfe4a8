//! @file
//! `suggested_fix`: a typed change to a dynamic-shape spec (narrow a range, specialize,
//! relate to another dim), its PyTorch rendering, and `refine(spec, fixes)` to apply it.
#pragma once

#include <xport/core/error.hpp>
#include <xport/sym/dim.hpp>
#include <xport/sym/spec.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace xport::sym {

//! @brief One fix to a dynamic-shape spec, as the solver suggests it after a violation.
//!
//! Three kinds, each rendered the way PyTorch prints it under "Suggested fixes:":
//! - `narrow`: `dx = Dim('dx', max=16)`, the dim (or a new root such as `_dx`) with a
//!   range the program supports;
//! - `specialize`: `dw = 4`, the dim is static;
//! - `relate`: `dy = dx + 1`, `dx = 2*_dx`, the dim is a derived dim of another root.
//!
//! Fixes always name roots, never derived dims; `refine` rewrites every derived dim of a
//! fixed root along with it.
class suggested_fix {
public:
  //! @brief Which change a fix makes.
  enum class kind {
    narrow,     //!< give the root (possibly new) this range
    specialize, //!< make the root static at this value
    relate      //!< make the root `coeff*other + offset`
  };

  //! @brief `name = Dim('name', range)`.
  [[nodiscard]] static suggested_fix narrow(std::string name, dim_range range) {
    suggested_fix f(kind::narrow, std::move(name));
    f.range_ = range;
    return f;
  }
  //! @brief `name = value`.
  [[nodiscard]] static suggested_fix specialize(std::string name, std::int64_t value) {
    suggested_fix f(kind::specialize, std::move(name));
    f.value_ = value;
    return f;
  }
  //! @brief `name = coeff*root + offset`, with `coeff >= 1`.
  //! @throws value_error if `coeff < 1` (the spec only has increasing linear forms).
  [[nodiscard]] static suggested_fix relate(std::string name, std::string root, std::int64_t coeff,
                                            std::int64_t offset) {
    if (coeff < 1)
      throw value_error("A related dim must be an increasing linear form of its root, got "
                        + std::to_string(coeff) + "*" + root);
    suggested_fix f(kind::relate, std::move(name));
    f.root_ = std::move(root);
    f.coeff_ = coeff;
    f.offset_ = offset;
    return f;
  }

  //! @brief Which change this is.
  [[nodiscard]] kind which() const noexcept { return kind_; }
  //! @brief The root the fix is for (`dx` in `dx = ...`).
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  //! @brief The range of a `narrow` fix.
  [[nodiscard]] const dim_range& range() const noexcept { return range_; }
  //! @brief The value of a `specialize` fix.
  [[nodiscard]] std::int64_t value() const noexcept { return value_; }
  //! @brief The other root of a `relate` fix.
  [[nodiscard]] const std::string& root() const noexcept { return root_; }
  //! @brief `a` of a `relate` fix `name = a*root + b`.
  [[nodiscard]] std::int64_t coeff() const noexcept { return coeff_; }
  //! @brief `b` of a `relate` fix `name = a*root + b`.
  [[nodiscard]] std::int64_t offset() const noexcept { return offset_; }

  //! @brief The line PyTorch prints: `dx = Dim('dx', max=16)`, `dw = 4`, `dz = dx + 1`.
  [[nodiscard]] std::string to_string() const;

  //! @brief Equal when every field is equal.

  friend bool operator==(const suggested_fix&, const suggested_fix&) = default;

private:
  suggested_fix(kind k, std::string name) : kind_(k), name_(std::move(name)) {}
  kind kind_;
  std::string name_;
  dim_range range_{};
  std::int64_t value_ = 0;
  std::string root_;
  std::int64_t coeff_ = 1;
  std::int64_t offset_ = 0;
};

//! @brief The block PyTorch appends to a violation: "Suggested fixes:" and one indented
//! line per fix. Empty when there are no fixes.
[[nodiscard]] std::string render_fixes(std::span<const suggested_fix> fixes);

//! @brief Applies @p fixes to @p spec: the spec a user would write after reading them
//! (PyTorch's `refine_dynamic_shapes_from_suggested_fixes`, on typed fixes instead of
//! parsed text).
//!
//! Every dim named by a fix is replaced; every derived dim whose root is fixed is
//! rebuilt on the fixed root. Example, with `dx = Dim("dx")`:
//! `refine({{dx, dx + 1}}, {dx = 2*_dx, _dx = Dim('_dx', max=8)})` gives
//! `((2*_dx, 2*_dx + 1),)` with `_dx` in `[0, 8]`; with `dx = 4` it gives `((4, 5),)`.
//! @throws value_error if a fix names a dim that is neither in @p spec nor a root used
//! by another fix, or relates dims in a cycle.
[[nodiscard]] dynamic_shapes refine(const dynamic_shapes& spec,
                                    std::span<const suggested_fix> fixes);

// ---------------------------------------------------------------------------------------
// Implementation

inline std::string suggested_fix::to_string() const {
  switch (kind_) {
  case kind::narrow:
    return name_ + " = " + Dim(name_, range_).to_string();
  case kind::specialize:
    return name_ + " = " + std::to_string(value_);
  case kind::relate:
    break;
  }
  return name_ + " = " + detail::affine_to_string(coeff_, root_, offset_);
}

inline std::string render_fixes(std::span<const suggested_fix> fixes) {
  if (fixes.empty()) return {};
  std::string s = "Suggested fixes:";
  for (const suggested_fix& f : fixes)
    s += "\n  " + f.to_string();
  return s;
}

namespace detail {

// What a fixed root becomes: a plain or derived Dim, or a static size.
using fixed_root = std::variant<Dim, std::int64_t>;

class fix_resolver {
public:
  fix_resolver(const dynamic_shapes& spec, std::span<const suggested_fix> fixes) : spec_(spec) {
    for (const suggested_fix& f : fixes) {
      if (!fixes_.emplace(f.name(), &f).second && !(*fixes_[f.name()] == f))
        throw value_error("Conflicting suggested fixes for " + f.name());
    }
    std::set<std::string, std::less<>> roots;
    for (const suggested_fix& f : fixes)
      if (f.which() == suggested_fix::kind::relate) roots.insert(f.root());
    for (const suggested_fix& f : fixes)
      if (!spec.root(f.name()) && !roots.contains(f.name()))
        throw value_error("Suggested fix for " + f.name()
                          + ", which is neither a dim of the spec nor a new root");
  }

  [[nodiscard]] bool fixes(std::string_view name) const { return fixes_.contains(name); }

  // The replacement of root `name`, following relations (dx = 2*_dx, _dx = Dim(...)).
  fixed_root resolve(std::string_view name, int depth = 0) const {
    if (depth > static_cast<int>(fixes_.size()))
      throw value_error("Suggested fixes relate " + std::string(name) + " to itself");
    auto it = fixes_.find(name);
    if (it == fixes_.end()) {
      if (auto root = spec_.root(name)) return *root;
      throw value_error("Suggested fix relates a dim to " + std::string(name)
                        + ", which is neither a dim of the spec nor a fixed root");
    }
    const suggested_fix& f = *it->second;
    switch (f.which()) {
    case suggested_fix::kind::narrow:
      return Dim(f.name(), f.range());
    case suggested_fix::kind::specialize:
      return f.value();
    case suggested_fix::kind::relate:
      break;
    }
    return apply(resolve(f.root(), depth + 1), f.coeff(), f.offset());
  }

  static fixed_root apply(const fixed_root& root, std::int64_t a, std::int64_t b) {
    if (const auto* v = std::get_if<std::int64_t>(&root)) return a * *v + b;
    return std::get<Dim>(root) * a + b;
  }

private:
  const dynamic_shapes& spec_;
  std::map<std::string, const suggested_fix*, std::less<>> fixes_;
};

} // namespace detail

inline dynamic_shapes refine(const dynamic_shapes& spec, std::span<const suggested_fix> fixes) {
  const detail::fix_resolver resolver(spec, fixes);
  std::vector<shape_spec> inputs;
  inputs.reserve(spec.size());
  for (const shape_spec& shape : spec.inputs()) {
    if (shape.is_all_static()) {
      inputs.push_back(shape);
      continue;
    }
    std::vector<dim_spec> dims;
    dims.reserve(shape.size());
    for (const dim_spec& d : shape.dims()) {
      const Dim* dim = d.dim();
      if (!dim || !resolver.fixes(dim->root_name())) {
        dims.push_back(d);
        continue;
      }
      const detail::fixed_root root = detail::fix_resolver::apply(
          resolver.resolve(dim->root_name()), dim->coeff(), dim->offset());
      if (const auto* v = std::get_if<std::int64_t>(&root))
        dims.emplace_back(*v);
      else
        dims.emplace_back(std::get<Dim>(root));
    }
    inputs.emplace_back(std::move(dims));
  }
  return dynamic_shapes(std::move(inputs));
}

} // namespace xport::sym

namespace xport {
using sym::refine;
using sym::suggested_fix;
} // namespace xport
