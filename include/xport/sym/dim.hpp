//! @file
//! `Dim`: a named dynamic dimension with a range, the derived dims built from it by
//! increasing linear maps, and the hints `Dim::Auto`, `Dim::Dynamic`, `Dim::Static`.
#pragma once

#include <xport/core/error.hpp>
#include <xport/sym/range.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace xport::sym {

//! @brief The inclusive bounds of a `Dim`, written with designated initializers:
//! `Dim("batch", {.min = 1, .max = 1024})`.
//!
//! The defaults are PyTorch's: `min = 0`, `max = int_oo`.
struct dim_range {
  std::int64_t min = 0;      //!< smallest size the dim may take
  std::int64_t max = int_oo; //!< largest size, or `int_oo`
  //! @brief Equal when every field is equal.
  friend bool operator==(const dim_range&, const dim_range&) = default;
};

//! @brief Optional bounds of a dim hint: `Dim::Dynamic({.min = 4})`; an absent bound is
//! left to tracing to infer.
struct hint_range {
  std::optional<std::int64_t> min = std::nullopt; //!< lower bound, if the user states one
  std::optional<std::int64_t> max = std::nullopt; //!< upper bound, if the user states one
  //! @brief Equal when every field is equal.
  friend bool operator==(const hint_range&, const hint_range&) = default;
};

//! @brief What a dim hint asks of tracing.
enum class hint_kind {
  automatic, //!< `Dim::Auto`: dynamic unless the program specializes it; never an error
  dynamic,   //!< `Dim::Dynamic`: must stay dynamic; a specialization is reported
  fixed      //!< `Dim::Static`: specialized to the example size
};

//! @brief A dim hint, `Dim::Auto`, `Dim::Dynamic` or `Dim::Static`, possibly with bounds.
//!
//! Unlike a named `Dim`, a hint leaves the dim's relations to other dims (and, without a
//! range, its bounds) for tracing to infer, so no relation it turns out to have is an
//! error. Write `Dim::Auto` or `Dim::Auto({.min = 2, .max = 64})`.
class dim_hint {
public:
  //! @brief A hint of @p kind with the given bounds (validated by `Dim::Auto(...)` etc.).
  constexpr explicit dim_hint(hint_kind kind, hint_range range = {}) noexcept
      : kind_(kind), range_(range) {}

  //! @brief Which hint this is.
  [[nodiscard]] constexpr hint_kind kind() const noexcept { return kind_; }
  //! @brief The bounds the user stated (each may be absent).
  [[nodiscard]] constexpr const hint_range& range() const noexcept { return range_; }

  //! @brief `Dim.AUTO`, `Dim.DYNAMIC(min=4)`: PyTorch's spelling, for messages.
  [[nodiscard]] std::string to_string() const;

  //! @brief Equal when every field is equal.

  friend constexpr bool operator==(const dim_hint&, const dim_hint&) = default;

private:
  hint_kind kind_;
  hint_range range_;
};

//! @brief The type of `Dim::Auto`, `Dim::Dynamic` and `Dim::Static`: a hint that can be
//! called once with bounds to make a bounded hint.
//!
//! The result of the call is a plain `dim_hint`, which is not callable again, so
//! `Dim::Auto({.max = 8})({.max = 9})` does not compile.
class dim_hint_factory : public dim_hint {
public:
  using dim_hint::dim_hint;

  //! @brief The same hint with bounds: `Dim::Dynamic({.min = 4, .max = 64})`.
  //! @throws value_error if a bound is negative ("min must be non-negative") or
  //! `min > max` ("min must be <= max").
  [[nodiscard]] constexpr dim_hint operator()(hint_range range) const {
    if (range.min && *range.min < 0) throw value_error("min must be non-negative");
    if (range.max && *range.max < 0) throw value_error("max must be non-negative");
    if (range.min && range.max && *range.min > *range.max) throw value_error("min must be <= max");
    return dim_hint(kind(), range);
  }
};

//! @brief A named dynamic dimension with a range, or a dim derived from one by an
//! increasing linear map `a*root + b` (a >= 1).
//!
//! A plain `Dim` names a symbolic size: every input dim given the same `Dim` (by name)
//! is the same size at every call. Arithmetic with integers makes a derived dim, which
//! is re-rooted on the plain `Dim` it started from, however deeply nested:
//!
//!     auto dx = Dim("dx", {.min = 1, .max = 64});
//!     auto dy = 2 * (dx + 1) - 1;   // dy.name() == "2*dx + 1", root dx, range [3, 129]
//!
//! Only increasing linear forms are accepted (PyTorch's rule): they map ranges
//! monotonically, let the root be solved from any derived size, and make two derived
//! dims equal exactly when their forms are. `Dim * Dim`, `Dim + Dim`, `-Dim`,
//! `int - Dim` and non-integer coefficients are compile errors; a coefficient <= 0 is a
//! `value_error`.
class Dim {
public:
  //! @brief A plain dim named @p name with bounds @p range (PyTorch's defaults `min = 0`,
  //! `max = int_oo`).
  //! @throws value_error if @p name is not an identifier ("Dim name must be a valid
  //! identifier, got 2x"), if `min < 0`, or unless `max > min` ("Cannot create Dim with
  //! inconsistent min=8, max=8").
  explicit Dim(std::string_view name, dim_range range = {});

  //! @brief `Dim::Auto`: let tracing decide static or dynamic; never a violation.
  static constexpr dim_hint_factory Auto{hint_kind::automatic};
  //! @brief `Dim::Dynamic`: dynamic, with relations inferred; specializing it is reported.
  static constexpr dim_hint_factory Dynamic{hint_kind::dynamic};
  //! @brief `Dim::Static`: specialize to the example size.
  static constexpr dim_hint_factory Static{hint_kind::fixed};

  //! @brief The name: the given one for a plain dim, the printed form (`2*dx + 1`) for a
  //! derived one.
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  //! @brief Smallest size: `a*root.min + b` for a derived dim (may be negative until
  //! validated by a spec; see `shape_spec`).
  [[nodiscard]] std::int64_t min() const noexcept { return min_; }
  //! @brief Largest size, or `int_oo`.
  [[nodiscard]] std::int64_t max() const noexcept { return max_; }
  //! @brief Whether this dim is `a*root + b` rather than a plain named dim.
  [[nodiscard]] bool is_derived() const noexcept { return coeff_ != 1 || offset_ != 0; }
  //! @brief The plain `Dim` this one is derived from (itself when plain).
  [[nodiscard]] Dim root() const;
  //! @brief The root's name (the name itself for a plain dim).
  [[nodiscard]] const std::string& root_name() const noexcept { return root_name_; }
  //! @brief `a` in `a*root + b` (1 for a plain dim).
  [[nodiscard]] std::int64_t coeff() const noexcept { return coeff_; }
  //! @brief `b` in `a*root + b` (0 for a plain dim).
  [[nodiscard]] std::int64_t offset() const noexcept { return offset_; }
  //! @brief The root's bounds.
  [[nodiscard]] dim_range root_range() const noexcept { return root_range_; }
  //! @brief `[min(), max()]` as a `value_range`.
  [[nodiscard]] value_range range() const noexcept { return {min_, max_}; }
  //! @brief This dim's size given the root's: `(2*dx + 1).apply(5) == 11`.
  [[nodiscard]] std::int64_t apply(std::int64_t root_value) const noexcept {
    return coeff_ * root_value + offset_;
  }

  //! @brief PyTorch's rendering: `Dim('dx', max=16)` for a plain dim (min omitted when it
  //! is the default 0, max when unbounded), the printed form for a derived one.
  [[nodiscard]] std::string to_string() const;

  //! @brief Same name, root, form and bounds.
  //! @brief Equal when every field is equal.
  friend bool operator==(const Dim&, const Dim&) = default;

  //! @brief `d + k`: derived dim `a*root + (b + k)`.
  template <std::integral I>
  requires(!std::same_as<I, bool>) friend Dim operator+(const Dim& d, I k) {
    return d.derive(1, checked(k, d, "add"));
  }
  //! @brief `k + d`, the same as `d + k`.
  template <std::integral I>
  requires(!std::same_as<I, bool>) friend Dim operator+(I k, const Dim& d) { return d + k; }
  //! @brief `d - k`: derived dim `a*root + (b - k)`.
  template <std::integral I>
  requires(!std::same_as<I, bool>) friend Dim operator-(const Dim& d, I k) {
    const std::int64_t v = checked(k, d, "subtract");
    if (v == std::numeric_limits<std::int64_t>::min()) overflow(d);
    return d.derive(1, -v);
  }
  //! @brief `d * k` for `k >= 1`: derived dim `(a*k)*root + b*k`.
  //! @throws value_error when `k <= 0` (the map would not be increasing).
  template <std::integral I>
  requires(!std::same_as<I, bool>) friend Dim operator*(const Dim& d, I k) {
    return d.scale(checked(k, d, "multiply"));
  }
  //! @brief `k * d`, the same as `d * k`.
  template <std::integral I>
  requires(!std::same_as<I, bool>) friend Dim operator*(I k, const Dim& d) { return d * k; }

private:
  Dim() = default;

  template <std::integral I>
  static std::int64_t checked(I k, const Dim& d, const char* what) {
    if (!std::in_range<std::int64_t>(k))
      throw value_error(std::string("Attempted to ") + what + " " + std::to_string(k) + " with "
                        + d.name_ + ", which does not fit in int64");
    return static_cast<std::int64_t>(k);
  }
  [[noreturn]] static void overflow(const Dim& d);
  [[nodiscard]] Dim derive(std::int64_t mul, std::int64_t add) const;
  [[nodiscard]] Dim scale(std::int64_t k) const;

  std::string name_;
  std::string root_name_;
  dim_range root_range_;
  std::int64_t coeff_ = 1;
  std::int64_t offset_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = int_oo;
};

//! @brief Several plain dims with the same bounds:
//! `auto [h, w] = dims({"h", "w"}, {.max = 512});`
//! @throws value_error as `Dim`'s constructor does.
template <std::size_t N>
[[nodiscard]] std::array<Dim, N> dims(const char* const (&names)[N], dim_range range = {}) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<Dim, N>{Dim(names[I], range)...};
  }
  (std::make_index_sequence<N>{});
}

namespace detail {

template <class T>
inline constexpr bool always_false = false;

// Non-linear or decreasing arithmetic on Dims: refused at compile time with a sentence
// instead of an overload-resolution dump.
template <class L, class R>
concept refused_dim_arith =
    (std::same_as<std::remove_cvref_t<L>, Dim> || std::same_as<std::remove_cvref_t<R>, Dim>)&&!(
        std::integral<std::remove_cvref_t<
            L>> && !std::same_as<std::remove_cvref_t<L>, bool>)&&!(std::
                                                                       integral<std::remove_cvref_t<
                                                                           R>> && !std::same_as<std::remove_cvref_t<R>, bool>);

std::string int_to_string(std::int64_t v);

} // namespace detail

//! @brief Refused: `Dim * Dim`, `Dim * 1.5` and the like are not increasing linear forms.
template <class L, class R>
requires detail::refused_dim_arith<L, R> Dim operator*(const L&, const R&) {
  static_assert(detail::always_false<L>,
                "xport::Dim: only increasing linear operations with integer coefficients are "
                "supported (a*d + b with an integer a >= 1); Dim * Dim and non-integer "
                "coefficients are not");
  return std::declval<Dim>();
}
//! @brief Refused: `Dim + Dim` is not a derived dim of one root.
template <class L, class R>
requires detail::refused_dim_arith<L, R> Dim operator+(const L&, const R&) {
  static_assert(detail::always_false<L>,
                "xport::Dim: only increasing linear operations with integer coefficients are "
                "supported (a*d + b with an integer a >= 1); Dim + Dim is not");
  return std::declval<Dim>();
}
//! @brief Refused: `int - Dim` is decreasing and `Dim - Dim` has two roots.
template <class L, class R>
requires(
    detail::refused_dim_arith<
        L,
        R> || (std::integral<std::remove_cvref_t<L>> && std::same_as<std::remove_cvref_t<R>, Dim>))
    Dim
    operator-(const L&, const R&) {
  static_assert(detail::always_false<L>,
                "xport::Dim: only increasing linear operations with integer coefficients are "
                "supported (a*d + b with an integer a >= 1); negating a Dim is not");
  return std::declval<Dim>();
}
//! @brief Refused: `-Dim` is decreasing.
template <class D>
requires std::same_as<std::remove_cvref_t<D>, Dim> Dim operator-(const D&) {
  static_assert(detail::always_false<D>,
                "xport::Dim: only increasing linear operations with integer coefficients are "
                "supported (a*d + b with an integer a >= 1); negating a Dim is not");
  return std::declval<Dim>();
}
//! @brief Refused: division is not linear with integer coefficients.
template <class L, class R>
requires(std::same_as<std::remove_cvref_t<L>, Dim> || std::same_as<std::remove_cvref_t<R>, Dim>) Dim
operator/(const L&, const R&) {
  static_assert(detail::always_false<L>,
                "xport::Dim: only increasing linear operations with integer coefficients are "
                "supported (a*d + b with an integer a >= 1); division is not (use a new root: "
                "dx = 2*_dx)");
  return std::declval<Dim>();
}

// ---------------------------------------------------------------------------------------
// Implementation

namespace detail {

inline std::string int_to_string(std::int64_t v) {
  return v == int_oo ? std::string("int_oo") : std::to_string(v);
}

inline bool is_identifier(std::string_view s) noexcept {
  if (s.empty()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(s.front())) return false;
  for (char c : s)
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  return true;
}

// "2*dx + 1", "dx - 3", "dx": sympy's printing of an affine form.
inline std::string affine_to_string(std::int64_t a, std::string_view root, std::int64_t b) {
  std::string s;
  if (a != 1) s += std::to_string(a) + "*";
  s += root;
  if (b > 0) s += " + " + std::to_string(b);
  // -b overflows only for INT64_MIN, which Dim arithmetic never produces (it refuses it).
  if (b < 0) s += " - " + std::to_string(-b);
  return s;
}

} // namespace detail

inline std::string dim_hint::to_string() const {
  std::string s = kind_ == hint_kind::automatic ? "Dim.AUTO"
                  : kind_ == hint_kind::dynamic ? "Dim.DYNAMIC"
                                                : "Dim.STATIC";
  if (range_.min || range_.max) {
    s += "(min=" + (range_.min ? std::to_string(*range_.min) : std::string("None"));
    s += ", max=" + (range_.max ? std::to_string(*range_.max) : std::string("None")) + ")";
  }
  return s;
}

inline Dim::Dim(std::string_view name, dim_range range)
    : name_(name), root_name_(name), root_range_(range), min_(range.min), max_(range.max) {
  if (!detail::is_identifier(name))
    throw value_error("Dim name must be a valid identifier, got " + std::string(name));
  if (!(range.max > range.min))
    throw value_error("Cannot create Dim with inconsistent min=" + detail::int_to_string(range.min)
                      + ", max=" + detail::int_to_string(range.max));
  if (range.min < 0)
    throw value_error("Cannot create Dim " + name_ + " with negative min="
                      + std::to_string(range.min) + " (sizes are non-negative)");
}

inline Dim Dim::root() const {
  Dim r;
  r.name_ = root_name_;
  r.root_name_ = root_name_;
  r.root_range_ = root_range_;
  r.min_ = root_range_.min;
  r.max_ = root_range_.max;
  return r;
}

inline void Dim::overflow(const Dim& d) {
  throw value_error("Derived dim " + d.name_ + " overflows int64 (root " + d.root_name_ + ")");
}

inline Dim Dim::derive(std::int64_t mul, std::int64_t add) const {
  Dim r = *this;
  if (__builtin_mul_overflow(coeff_, mul, &r.coeff_)
      || __builtin_mul_overflow(offset_, mul, &r.offset_)
      || __builtin_add_overflow(r.offset_, add, &r.offset_))
    overflow(*this);
  r.name_ = detail::affine_to_string(r.coeff_, root_name_, r.offset_);
  // The map is increasing, so the bounds are the images of the root's bounds. A negative
  // min is kept here and refused when the dim is used in a spec: an intermediate such as
  // the `dx - 8` in `(dx - 8) * 2 + 16` may dip below 0 on its way to a valid form.
  std::int64_t lo = 0;
  if (__builtin_mul_overflow(r.coeff_, root_range_.min, &lo)
      || __builtin_add_overflow(lo, r.offset_, &lo))
    overflow(r);
  r.min_ = lo;
  if (root_range_.max == int_oo) {
    r.max_ = int_oo;
  } else {
    std::int64_t hi = 0;
    if (__builtin_mul_overflow(r.coeff_, root_range_.max, &hi)
        || __builtin_add_overflow(hi, r.offset_, &hi) || hi >= int_oo)
      throw value_error("Expected derived max value of " + r.name_
                        + " to be <= " + std::to_string(int_oo - 1)
                        + ". Please specify an appropriate max value for " + root_name_
                        + " (currently " + std::to_string(root_range_.max) + ").");
    r.max_ = hi;
  }
  return r;
}

inline Dim Dim::scale(std::int64_t k) const {
  if (k <= 0)
    throw value_error("Attempted to multiply " + std::to_string(k) + " with " + name_
                      + ", where a positive integer was expected. (Only increasing linear "
                        "operations with integer coefficients are supported.)");
  return derive(k, 0);
}

inline std::string Dim::to_string() const {
  if (is_derived()) return name_;
  const bool show_min = min_ != 0;
  const bool show_max = max_ != int_oo;
  std::string s = "Dim('" + name_ + "'";
  if (show_min) s += ", min=" + std::to_string(min_);
  if (show_max) s += ", max=" + std::to_string(max_);
  return s + ")";
}

} // namespace xport::sym

namespace xport {
using sym::Dim;
using sym::dims;
} // namespace xport
