//! @file
//! The extent types of the compile-time tier — `fixed<N>`, `dim<Name, Min, Max>`,
//! `affine<Root, A, B>` — their ranges, and the three-valued static decisions over them
//! (see `static_dim.hpp` for the whole tier).
#pragma once

#include <xport/core/error.hpp>
#include <xport/sym/range.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace xport::sym {

// ---------------------------------------------------------------------------------------
// Names as template arguments
// ---------------------------------------------------------------------------------------

//! @brief A string literal usable as a template argument: `dim<"batch">` deduces
//! `fixed_string<6>`.
//!
//! Holds the characters and the terminating NUL. As a template argument it is equal by
//! content, so two `dim`s spelled with the same literal and range are the same type.
template <std::size_t N>
struct fixed_string {
  char chars[N]{}; //!< The characters, NUL-terminated.

  //! @brief Copies a string literal.
  constexpr fixed_string(const char (&s)[N]) noexcept { // NOLINT: implicit by design
    for (std::size_t i = 0; i < N; ++i)
      chars[i] = s[i];
  }
  //! @brief The characters without the terminating NUL.
  constexpr std::string_view view() const noexcept { return {chars, N - 1}; }
};

// ---------------------------------------------------------------------------------------
// Extent types
// ---------------------------------------------------------------------------------------

//! @brief A size known at compile time: an empty type, `fixed<784>{}.value == 784`.
//!
//! Converts implicitly to `std::int64_t`, so it can be passed wherever a runtime size is
//! expected. Write one with the literal `784_c` (`xport::literals`).
template <std::int64_t N>
struct fixed {
  static constexpr std::int64_t value = N; //!< The size.
  //! @brief `N`, as a runtime integer.
  constexpr operator std::int64_t() const noexcept { return N; } // NOLINT: implicit by design
};

namespace detail::extents {

constexpr bool is_dim_name(std::string_view s) noexcept {
  if (s.empty()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(s[0])) return false;
  for (char c : s)
    if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
  return true;
}

// Error paths are out of line and not constexpr: they build std::string messages, which
// constant evaluation (clang 14) must never reach. Reaching one while constant-evaluating
// makes the expression non-constant, which is the compile-time form of the same error.
[[noreturn]] inline void throw_bound(std::string_view what, const char* op, std::int64_t bound,
                                     std::int64_t got) {
  throw constraint_violation("Expected " + std::string(what) + " to be " + op + " "
                             + std::to_string(bound) + ", but got " + std::to_string(got));
}

} // namespace detail::extents

//! @brief A named dynamic size with a declared range `[Min, Max]`, as a type: the compile
//! time twin of PyTorch's `Dim(name, min=Min, max=Max)`.
//!
//! The name, the range and the identity of the dim are in the type; an object holds the
//! runtime value, which is always inside the range. Two `dim`s with the same name must
//! have the same range: meeting a second definition in any operation is a compile error,
//! as PyTorch's "Found different definitions ... for the same symbolic dimension".
//!
//! @tparam Name an identifier, e.g. `"batch"`.
//! @tparam Min  least value, `>= 0` (default 0, as PyTorch).
//! @tparam Max  greatest value, `> Min` (default `int_oo`, unbounded).
//!
//! @code
//! using batch = xport::dim<"batch", 1, 1024>;
//! batch b{8};              // b.value() == 8
//! batch c{xport::fixed<4>{}};   // checked at compile time
//! batch d{2000};           // throws constraint_violation:
//!                          // "Expected batch to be <= 1024, but got 2000"
//! @endcode
template <fixed_string Name, std::int64_t Min = 0, std::int64_t Max = int_oo>
class dim {
  static_assert(detail::extents::is_dim_name(Name.view()),
                "xport::dim: the name must be a valid identifier (letters, digits and '_', "
                "not starting with a digit)");
  static_assert(Min >= 0, "xport::dim: min must be non-negative");
  static_assert(Max > Min, "xport::dim: Cannot create Dim with inconsistent min, max: "
                           "max must be greater than min");

public:
  static constexpr std::string_view name = Name.view(); //!< The dim's name.
  static constexpr std::int64_t min = Min;              //!< Least value.
  static constexpr std::int64_t max = Max;              //!< Greatest value (`int_oo`: none).
  static constexpr value_range range{Min, Max};         //!< `VR[Min, Max]`.

  //! @brief Holds `value`, checked against the range.
  //! @param value the size.
  //! @param where how to name the value in the message (defaults to the dim's name).
  //! @throws constraint_violation "Expected batch to be <= 1024, but got 2000" (or `>=`).
  constexpr explicit dim(std::int64_t value, std::string_view where = name) : value_(value) {
    if (value < Min) detail::extents::throw_bound(where, ">=", Min, value);
    if (value > Max) detail::extents::throw_bound(where, "<=", Max, value);
  }

  //! @brief Holds the static value `N`; a value outside `[Min, Max]` is a compile error.
  template <std::int64_t N>
  constexpr dim(fixed<N>) noexcept : value_(N) { // NOLINT: implicit by design
    static_assert(Min <= N && N <= Max,
                  "xport::dim: the static value lies outside the dim's declared range");
  }

  //! @brief The runtime value, in `[Min, Max]`.
  constexpr std::int64_t value() const noexcept { return value_; }

private:
  std::int64_t value_;
};

namespace detail::extents {

template <class T>
struct is_dim : std::false_type {};
template <fixed_string Name, std::int64_t Min, std::int64_t Max>
struct is_dim<dim<Name, Min, Max>> : std::true_type {};

} // namespace detail::extents

//! @brief True iff `T` is a plain `dim<Name, Min, Max>` (a root).
template <class T>
concept plain_dim = detail::extents::is_dim<T>::value;

//! @brief The derived dim `A*Root + B`, for `A >= 1`, in canonical form; name it with
//! `derived<Root, A, B>` (which also folds nesting and `1*d + 0 == d`) or build it with
//! arithmetic (`2_c * b + 1_c`).
//!
//! Its range is `A*VR[Root::min, Root::max] + B`, computed with `value_range`; as in
//! PyTorch, a negative minimum is an error ("Expected derived min value ... to be >= 0"),
//! and so is a finite root maximum whose image overflows int64. An object holds the root's
//! value.
//!
//! @code
//! using batch = xport::dim<"batch", 1, 1024>;
//! xport::derived<batch, 2, 1> n{batch{8}};   // n.value() == 17, range VR[3, 2049]
//! @endcode
template <plain_dim Root, std::int64_t A, std::int64_t B>
class affine {
  static_assert(A >= 1 && !(A == 1 && B == 0),
                "xport::affine: not canonical; spell derived dims as xport::derived<Root, A, B>");

public:
  using root_type = Root;              //!< The plain dim this one is derived from.
  static constexpr std::int64_t a = A; //!< Coefficient of the root.
  static constexpr std::int64_t b = B; //!< Offset.
  //! @brief `A*VR[Root::min, Root::max] + B`.
  static constexpr value_range range = value_range::point(A) * Root::range + value_range::point(B);
  static constexpr std::int64_t min = range.lo; //!< Least value.
  static constexpr std::int64_t max = range.hi; //!< Greatest value (`int_oo`: none).

  static_assert(range.lo >= 0, "xport::derived: Expected derived min value to be >= 0; "
                               "specify an appropriate min value for the root dim");
  static_assert(Root::max == int_oo || range.hi < int_oo,
                "xport::derived: the derived max value overflows int64; specify an "
                "appropriate max value for the root dim");

  //! @brief The derived dim at `root`: value `A*root.value() + B`.
  constexpr explicit affine(Root root) noexcept : root_(root) {}

  //! @brief The root's value.
  constexpr Root root() const noexcept { return root_; }
  //! @brief `A*root + B`.
  constexpr std::int64_t value() const noexcept { return A * root_.value() + B; }

private:
  Root root_;
};

namespace detail::extents {

template <class T>
struct is_affine : std::false_type {};
template <class R, std::int64_t A, std::int64_t B>
struct is_affine<affine<R, A, B>> : std::true_type {};
template <class T>
struct is_fixed : std::false_type {};
template <std::int64_t N>
struct is_fixed<fixed<N>> : std::true_type {};

} // namespace detail::extents

//! @brief True iff `T` is `fixed<N>`.
template <class T>
concept static_size = detail::extents::is_fixed<T>::value;

//! @brief True iff `T` is a `dim` or a derived (`affine`) dim: a symbolic size.
template <class T>
concept symbolic_size = plain_dim<T> || detail::extents::is_affine<T>::value;

//! @brief True iff `T`'s form is in its type: `fixed`, `dim` or `affine`.
template <class T>
concept typed_extent = static_size<T> || symbolic_size<T>;

//! @brief Anything usable as a size: a typed extent or a runtime integer (not `bool`).
template <class T>
concept extent = typed_extent<T> ||(std::integral<T> && !std::same_as<T, bool>);

namespace detail::extents {

// The affine form a*root + b of a typed extent; root is void for a fixed size.
template <class E>
struct form;
template <std::int64_t N>
struct form<fixed<N>> {
  using root = void;
  static constexpr std::int64_t a = 0, b = N;
};
template <fixed_string Name, std::int64_t Min, std::int64_t Max>
struct form<dim<Name, Min, Max>> {
  using root = dim<Name, Min, Max>;
  static constexpr std::int64_t a = 1, b = 0;
};
template <class R, std::int64_t A, std::int64_t B>
struct form<affine<R, A, B>> {
  using root = R;
  static constexpr std::int64_t a = A, b = B;
};

// The canonical type of a*Root + b.
template <class Root, std::int64_t A, std::int64_t B>
struct make_form {
  using type = affine<Root, A, B>;
};
template <class Root, std::int64_t B>
struct make_form<Root, 0, B> {
  using type = fixed<B>;
};
template <class Root>
struct make_form<Root, 1, 0> {
  using type = Root;
};

} // namespace detail::extents

//! @brief The canonical type of the derived dim `A*E + B` for a `dim` or derived dim `E`
//! and `A >= 1`: nesting is re-rooted and the identity folds away.
//!
//! `derived<batch, 2, 1>` is `affine<batch, 2, 1>`;
//! `derived<derived<batch, 2, 1>, 3, 1>` is `affine<batch, 6, 4>`;
//! `derived<batch, 1, 0>` is `batch`.
template <symbolic_size E, std::int64_t A, std::int64_t B = 0>
requires(A >= 1) using derived = typename detail::extents::make_form<
    typename detail::extents::form<E>::root, A * detail::extents::form<E>::a,
    A * detail::extents::form<E>::b + B>::type;

//! @brief The set of values an extent type admits: `VR[N, N]` for `fixed<N>`, the
//! declared range for a dim, its image for a derived dim, and every integer for a runtime
//! integer. `range_of<xport::derived<batch, 2, 1>>` is `VR[3, 2049]` for `batch` in
//! `[1, 1024]`.
template <extent E>
inline constexpr value_range range_of = value_range::unbounded();
//! @brief A static extent's range is its one value.
template <std::int64_t N>
inline constexpr value_range range_of<fixed<N>> = value_range::point(N);
//! @brief A dim's range is its declared `[Min, Max]`.
template <fixed_string Name, std::int64_t Min, std::int64_t Max>
inline constexpr value_range range_of<dim<Name, Min, Max>> = dim<Name, Min, Max>::range;
//! @brief A derived dim's range is its root's range mapped through `A*root + B`.
template <class R, std::int64_t A, std::int64_t B>
inline constexpr value_range range_of<affine<R, A, B>> = affine<R, A, B>::range;

//! @brief The runtime value of any extent: `value_of(fixed<3>{}) == 3`.
template <extent E>
constexpr std::int64_t value_of(const E& e) noexcept {
  if constexpr (static_size<E>)
    return E::value;
  else if constexpr (symbolic_size<E>)
    return e.value();
  else
    return static_cast<std::int64_t>(e);
}

//! @brief The extent type an argument of type `T` stands for: typed extents are
//! themselves, integers become `std::int64_t`.
template <extent T>
using extent_t = std::conditional_t<typed_extent<T>, T, std::int64_t>;

//! @brief `e` as an `extent_t`: integers are widened to `std::int64_t`.
template <extent E>
constexpr extent_t<E> to_extent(const E& e) noexcept {
  if constexpr (typed_extent<E>)
    return e;
  else
    return static_cast<std::int64_t>(e);
}

//! @brief The symbolic spelling of an extent type, as PyTorch prints it:
//! `form_string<fixed<784>>()` is `"784"`, `form_string<batch>()` is `"batch"`,
//! `form_string<derived<batch, 2, 1>>()` is `"2*batch + 1"`, `derived<batch, 1, -1>`
//! gives `"batch - 1"`. A runtime integer has no form and gives `"?"`.
template <extent E>
std::string form_string() {
  if constexpr (static_size<E>) {
    return std::to_string(E::value);
  } else if constexpr (plain_dim<E>) {
    return std::string(E::name);
  } else if constexpr (symbolic_size<E>) {
    std::string s = E::a == 1 ? "" : std::to_string(E::a) + "*";
    s += E::root_type::name;
    if constexpr (E::b > 0) s += " + " + std::to_string(E::b);
    if constexpr (E::b < 0) s += " - " + std::to_string(-E::b);
    return s;
  } else {
    return "?";
  }
}

//! @brief How to name an extent's value in a message: its form and, when that is not
//! already the number, the value: `"2*batch + 1 = 17"`, `"784"`, `"5"`.
template <extent E>
std::string describe(const E& e) {
  if constexpr (symbolic_size<E>)
    return form_string<E>() + " = " + std::to_string(e.value());
  else
    return std::to_string(value_of(e));
}

namespace detail::extents {

[[noreturn]] inline void throw_not_of_form(std::string_view where, std::int64_t n,
                                           const std::string& form, std::string_view root) {
  throw constraint_violation("Expected " + std::string(where) + " = " + std::to_string(n)
                             + " to be of the form " + form + ", where " + std::string(root)
                             + " is an integer");
}

[[noreturn]] inline void throw_not_equal(std::string_view where, std::int64_t expected,
                                         std::int64_t got) {
  throw constraint_violation("Expected " + std::string(where) + " to be equal to "
                             + std::to_string(expected) + ", but got " + std::to_string(got));
}

} // namespace detail::extents

//! @brief The extent of type `E` that an observed size `n` binds to: the runtime check
//! of one size against a typed extent, in PyTorch's words.
//!
//! `fixed<N>` requires `n == N`; a `dim` requires `n` in its range; a derived dim
//! `A*root + B` requires `n` in its range and of its form, and solves the root
//! (`bind_extent<derived<batch, 2, 1>>(17, "x.shape[0]").root().value() == 8`); a runtime
//! integer takes `n` as is.
//! @param n the observed size.
//! @param where how the message names the size, e.g. `"x.shape[0]"`.
//! @throws constraint_violation "Expected x.shape[0] to be equal to 784, but got 785",
//!   "Expected x.shape[0] to be <= 2049, but got 2051",
//!   "Expected x.shape[0] = 12 to be of the form 2*batch + 1, where batch is an integer".
template <extent E>
constexpr extent_t<E> bind_extent(std::int64_t n, std::string_view where) {
  if constexpr (static_size<E>) {
    if (n != E::value) detail::extents::throw_not_equal(where, E::value, n);
    return E{};
  } else if constexpr (plain_dim<E>) {
    return E{n, where};
  } else if constexpr (symbolic_size<E>) {
    if (n < E::min) detail::extents::throw_bound(where, ">=", E::min, n);
    if (n > E::max) detail::extents::throw_bound(where, "<=", E::max, n);
    if ((n - E::b) % E::a != 0)
      detail::extents::throw_not_of_form(where, n, form_string<E>(), E::root_type::name);
    return E{typename E::root_type{(n - E::b) / E::a, where}};
  } else {
    return n;
  }
}

// ---------------------------------------------------------------------------------------
// Static decisions
// ---------------------------------------------------------------------------------------

//! @brief The answer of a static check: the condition holds for every value the types
//! admit, for none of them, or the types cannot tell (the values decide at run time).
enum class verdict { always, never, unknown };

namespace detail::extents {

// Both typed, with the same root (void for two constants). Guarded, so it may be asked of
// runtime integers too.
template <class X, class Y>
constexpr bool same_root_impl() noexcept {
  if constexpr (typed_extent<X> && typed_extent<Y>)
    return std::is_same_v<typename form<X>::root, typename form<Y>::root>;
  else
    return false;
}
template <class X, class Y>
inline constexpr bool same_root = same_root_impl<X, Y>();

// Roots that can be combined into one affine form: equal, or one side has none (fixed).
template <class X, class Y>
constexpr bool compatible_roots_impl() noexcept {
  if constexpr (typed_extent<X> && typed_extent<Y>)
    return (same_root<X, Y>)
           || std::is_void_v<typename form<X>::root> || std::is_void_v<typename form<Y>::root>;
  else
    return false;
}
template <class X, class Y>
inline constexpr bool compatible_roots = compatible_roots_impl<X, Y>();

template <class X, class Y>
struct root_pair {
  using type = std::conditional_t<std::is_void_v<typename form<X>::root>, typename form<Y>::root,
                                  typename form<X>::root>;
};

template <class X, class Y>
constexpr bool names_conflict() noexcept {
  if constexpr (symbolic_size<X> && symbolic_size<Y>) {
    using rx = typename form<X>::root;
    using ry = typename form<Y>::root;
    return !std::is_same_v<rx, ry> && rx::name == ry::name;
  } else {
    return false;
  }
}

template <class E>
constexpr auto root_of(const E& e) noexcept {
  if constexpr (plain_dim<E>)
    return e;
  else
    return e.root();
}

// Every binary operation on extents runs this first, so that two definitions of one name
// never meet silently.
template <class X, class Y>
constexpr void check_names() noexcept {
  static_assert(!names_conflict<X, Y>(),
                "xport: Found different definitions (two ranges) for the same symbolic "
                "dimension name; declare each dim once and reuse the type");
}

[[noreturn]] inline void throw_two_values(std::string_view root, std::int64_t x, std::int64_t y) {
  throw constraint_violation("Expected one value of " + std::string(root) + ", but got "
                             + std::to_string(x) + " and " + std::to_string(y));
}

// A dim type is one symbol: wherever two extents over one root meet, their root values
// must agree, or the static decisions (which assume one value) would be silently wrong.
template <class X, class Y>
constexpr void agree(const X& x, const Y& y) {
  check_names<X, Y>();
  if constexpr (symbolic_size<X> && symbolic_size<Y>) {
    if constexpr (std::is_same_v<typename form<X>::root, typename form<Y>::root>) {
      const std::int64_t rx = root_of(x).value(), ry = root_of(y).value();
      if (rx != ry) throw_two_values(form<X>::root::name, rx, ry);
    }
  }
}

template <class R>
inline constexpr value_range root_range = R::range;
template <>
inline constexpr value_range root_range<void> = value_range::point(0);

constexpr std::int64_t floor_div(std::int64_t x, std::int64_t d) noexcept {
  std::int64_t q = x / d;
  if (x % d != 0 && ((x < 0) != (d < 0))) --q;
  return q;
}
constexpr std::int64_t floor_mod(std::int64_t x, std::int64_t d) noexcept {
  return x - floor_div(x, d) * d;
}

// Why x == y can never hold, for the static_assert that reports it.
enum class unequal { no, constants_differ, forms_differ, outside_range, not_of_form, disjoint };

template <class X, class Y>
constexpr unequal never_equal_because() noexcept {
  if constexpr (!typed_extent<X> || !typed_extent<Y>) {
    return unequal::no;
  } else if constexpr (same_root<X, Y>) {
    using fx = form<X>;
    using fy = form<Y>;
    if constexpr (std::is_void_v<typename fx::root>) {
      return fx::b == fy::b ? unequal::no : unequal::constants_differ;
    } else if constexpr (fx::a == fy::a) {
      return fx::b == fy::b ? unequal::no : unequal::forms_differ;
    } else {
      // a1*r + b1 == a2*r + b2 has the single solution r = (b2 - b1) / (a1 - a2).
      constexpr std::int64_t num = fy::b - fx::b, den = fx::a - fy::a;
      if (num % den != 0 || !fx::root::range.contains(num / den)) return unequal::forms_differ;
      return unequal::no;
    }
  } else if constexpr (static_size<X> || static_size<Y>) {
    using S = std::conditional_t<static_size<X>, X, Y>;
    using D = std::conditional_t<static_size<X>, Y, X>;
    if (!range_of<D>.contains(S::value)) return unequal::outside_range;
    if ((S::value - form<D>::b) % form<D>::a != 0) return unequal::not_of_form;
    return unequal::no;
  } else {
    return intersect(range_of<X>, range_of<Y>).is_empty() ? unequal::disjoint : unequal::no;
  }
}

} // namespace detail::extents

//! @brief Decides `x == y` from the types `X` and `Y` alone.
//!
//! `never` when the two can have no common value: different constants, two different
//! forms of one root (`2*b + 1` vs `2*b`), a constant outside a dim's range or not of a
//! derived dim's form, disjoint ranges. `always` for the same typed extent. Otherwise
//! `unknown`. `static_equal<batch, batch>() == verdict::always`;
//! `static_equal<derived<batch, 2>, derived<batch, 2, 1>>() == verdict::never`;
//! `static_equal<batch, fixed<8>>() == verdict::unknown`.
template <extent X, extent Y>
constexpr verdict static_equal() noexcept {
  if constexpr (typed_extent<X> && std::is_same_v<X, Y>)
    return verdict::always;
  else if constexpr (detail::extents::never_equal_because<X, Y>() != detail::extents::unequal::no)
    return verdict::never;
  else
    return verdict::unknown;
}

//! @brief Decides `x <= y` from the types alone, by the range of `y - x`.
//!
//! Over one root (or a constant) the difference is itself affine in the root, so its
//! range is exact: `static_less_equal<batch, derived<batch, 2>>() == verdict::always`.
//! Otherwise the ranges are compared:
//! `static_less_equal<fixed<16>, dim<"n", 1, 8>>() == verdict::never`.
template <extent X, extent Y>
constexpr verdict static_less_equal() noexcept {
  value_range diff; // the range of y - x
  if constexpr (detail::extents::compatible_roots<X, Y>) {
    using R = typename detail::extents::root_pair<X, Y>::type;
    using fx = detail::extents::form<X>;
    using fy = detail::extents::form<Y>;
    diff = value_range::point(fy::a - fx::a)
               * detail::extents::root_range<R> + value_range::point(fy::b - fx::b);
  } else {
    diff = range_of<Y> - range_of<X>;
  }
  if (diff.lo >= 0) return verdict::always;
  if (diff.hi < 0) return verdict::never;
  return verdict::unknown;
}

} // namespace xport::sym
