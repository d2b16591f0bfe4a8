//! @file
//! `shape<E...>`: a tensor shape whose extents mix static sizes, typed dims and runtime
//! integers, with the shape rules of broadcasting, matmul and concatenation decided at
//! compile time where the types allow and checked at run time otherwise.
//!
//! @code
//! using namespace xport::literals;
//! using batch = xport::dim<"batch", 1, 1024>;
//! xport::sym::shape x{batch{8}, 784_c};              // shape<batch, fixed<784>>
//! xport::sym::shape w{784_c, 128_c};                 // shape<fixed<784>, fixed<128>>
//! auto y = xport::sym::matmul(x, w);                 // shape<batch, fixed<128>>
//! xport::sym::shape bad{128_c, 10_c};
//! // xport::sym::matmul(x, bad);   // compile error:
//! //   "xport::matmul: the inner dimensions are static and differ"
//! @endcode
#pragma once

#include <xport/core/shape_rules.hpp>
#include <xport/sym/static_dim.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace xport::sym {

namespace detail::extents {

// "shape[i]" without std::string, so that binding sizes can run in constant evaluation.
struct axis_label {
  char chars[32]{};
  std::size_t size = 0;

  constexpr explicit axis_label(std::size_t i) noexcept {
    for (char c : std::string_view("shape["))
      chars[size++] = c;
    char digits[20]{};
    std::size_t n = 0;
    do {
      digits[n++] = static_cast<char>('0' + i % 10);
      i /= 10;
    } while (i != 0);
    while (n != 0)
      chars[size++] = digits[--n];
    chars[size++] = ']';
  }
  constexpr std::string_view view() const noexcept { return {chars, size}; }
};

inline std::string index_label(std::size_t i) {
  return std::string(axis_label(i).view());
}

[[noreturn]] inline void throw_root_disagrees(std::string_view root, std::size_t i, std::int64_t vi,
                                              std::size_t j, std::int64_t vj) {
  throw constraint_violation("Expected one value of " + std::string(root) + " in a shape, but "
                             + index_label(i) + " gives " + std::string(root) + " = "
                             + std::to_string(vi) + " and " + index_label(j) + " gives "
                             + std::string(root) + " = " + std::to_string(vj));
}

template <class E>
constexpr auto root_value(const E& e) noexcept {
  if constexpr (plain_dim<E>)
    return e.value();
  else
    return e.root().value();
}

} // namespace detail::extents

//! @brief A shape: one extent per axis, each a `fixed<N>`, a `dim`, a derived dim or a
//! `std::int64_t` (see `static_dim.hpp`). Static extents take no space.
//!
//! Within one shape, each dim name has one definition (a compile-time check) and each
//! root one value: `shape{b, 2_c * c + 1_c}` with `b` and `c` two `batch` values that
//! differ throws. Build one from values (`shape{batch{8}, 784_c, n}`, integers become
//! `std::int64_t`) or bind observed sizes to a shape type (`from_sizes`).
template <extent... E>
class shape {
  static_assert((std::is_same_v<E, extent_t<E>> && ...),
                "xport::shape: runtime extents are std::int64_t");

public:
  //! @brief Number of axes.
  static constexpr std::size_t rank = sizeof...(E);
  //! @brief True iff every extent is a `fixed<N>`.
  static constexpr bool is_static = (static_size<E> && ...);

  //! @brief The shape of the given extents.
  //! @throws constraint_violation when two extents of one root disagree on its value.
  constexpr explicit shape(const E&... e) : extents_(e...) { check_roots(); }

  //! @brief The all-static shape (only when every extent is `fixed`).
  constexpr shape() noexcept requires is_static = default;

  //! @brief Binds observed sizes to this shape type (see `bind_extent`), checking ranks,
  //! static sizes, ranges, derived forms and that each root gets one value.
  //! `shape<batch, derived<batch, 2>>::from_sizes({8, 16})` holds `batch = 8`.
  //! @throws shape_error "Expected a shape of rank 2, but got rank 3".
  //! @throws constraint_violation naming the axis, the bound and the value.
  static constexpr shape from_sizes(std::span<const std::int64_t> sizes) {
    if (sizes.size() != rank) throw_rank(sizes.size());
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return shape{bind_extent<E>(sizes[I], detail::extents::axis_label(I).view())...};
    }
    (std::index_sequence_for<E...>{});
  }

  //! @brief The extent of axis `I`.
  template <std::size_t I>
  requires(I < rank) constexpr const auto& get() const noexcept { return std::get<I>(extents_); }

  //! @brief The runtime sizes: `shape{batch{8}, 784_c}.sizes()` is `{8, 784}`.
  constexpr std::array<std::int64_t, rank> sizes() const noexcept {
    return std::apply(
        [](const auto&... e) { return std::array<std::int64_t, rank>{value_of(e)...}; }, extents_);
  }

  //! @brief The extents as a `std::tuple`.
  constexpr const std::tuple<E...>& extents() const noexcept { return extents_; }

  //! @brief The symbolic spelling: `"[batch, 784, 2*batch + 1]"`; runtime sizes print `?`.
  static std::string form() {
    std::string s = "[";
    std::size_t i = 0;
    ((s += (i++ ? ", " : "") + form_string<E>()), ...);
    return s + "]";
  }

private:
  [[noreturn]] static void throw_rank(std::size_t got) {
    throw shape_error("Expected a shape of rank " + std::to_string(rank) + ", but got rank "
                      + std::to_string(got));
  }

  template <std::size_t I, std::size_t J>
  constexpr void check_pair() const {
    using X = std::tuple_element_t<I, std::tuple<E...>>;
    using Y = std::tuple_element_t<J, std::tuple<E...>>;
    detail::extents::check_names<X, Y>();
    if constexpr (I < J
                  && symbolic_size<X> && symbolic_size<Y> && detail::extents::same_root<X, Y>) {
      const std::int64_t vi = detail::extents::root_of(get<I>()).value();
      const std::int64_t vj = detail::extents::root_of(get<J>()).value();
      if (vi != vj)
        detail::extents::throw_root_disagrees(detail::extents::form<X>::root::name, I, vi, J, vj);
    }
  }

  constexpr void check_roots() const {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (
          [&]<std::size_t Row>(std::integral_constant<std::size_t, Row>) {
            [&]<std::size_t... J>(std::index_sequence<J...>) {
              (check_pair<Row, J>(), ...);
            }
            (std::index_sequence_for<E...>{});
          }(std::integral_constant<std::size_t, I>{}),
          ...);
    }
    (std::index_sequence_for<E...>{});
  }

  [[no_unique_address]] std::tuple<E...> extents_;
};

//! @brief Integers become `std::int64_t`: `shape{batch{8}, 3}` is
//! `shape<batch, std::int64_t>`.
template <extent... A>
shape(A...) -> shape<extent_t<A>...>;

//! @brief The runtime sizes as PyTorch prints a size list: `[8, 784]`.
template <class... E>
std::string to_string(const shape<E...>& s) {
  std::string out = "[";
  std::size_t i = 0;
  for (std::int64_t v : s.sizes())
    out += (i++ ? ", " : "") + std::to_string(v);
  return out + "]";
}

//! @brief Streams `to_string(s)`.
template <class... E>
std::ostream& operator<<(std::ostream& os, const shape<E...>& s) {
  return os << to_string(s);
}

namespace detail::extents {

template <class T>
struct is_shape : std::false_type {};
template <class... E>
struct is_shape<shape<E...>> : std::true_type {};

} // namespace detail::extents

//! @brief True iff `T` is a `shape<E...>`.
template <class T>
concept shape_type = detail::extents::is_shape<T>::value;

namespace detail::extents {

template <std::size_t Begin, std::size_t... I, class... E>
constexpr auto take(const shape<E...>& s, std::index_sequence<I...>) {
  return shape{s.template get<Begin + I>()...};
}

// Axes [Begin, Begin + N) of s.
template <std::size_t Begin, std::size_t N, class... E>
constexpr auto take(const shape<E...>& s) {
  return take<Begin>(s, std::make_index_sequence<N>{});
}

template <class... X, class... Y>
constexpr auto join(const shape<X...>& a, const shape<Y...>& b) {
  return std::apply(
      [&](const X&... x) {
        return std::apply([&](const Y&... y) { return shape{x..., y...}; }, b.extents());
      },
      a.extents());
}

template <class E>
constexpr verdict can_be_one() noexcept {
  return static_equal<E, fixed<1>>();
}

[[noreturn]] inline void throw_broadcast(std::int64_t x, std::int64_t y, std::size_t axis) {
  throw xport::shape::broadcast_error(std::to_string(x), std::to_string(y), axis);
}

// One axis of a broadcast: x and y are equal, or one of them is 1. The result keeps the
// most the types know: the side that cannot be 1 is the result.
template <class X, class Y>
constexpr auto broadcast_extent(const X& x, const Y& y, std::size_t axis) {
  agree(x, y);
  constexpr bool x_may_be_one = can_be_one<X>() != verdict::never;
  constexpr bool y_may_be_one = can_be_one<Y>() != verdict::never;
  if constexpr (std::is_same_v<X, fixed<1>>) {
    return y;
  } else if constexpr (std::is_same_v<Y, fixed<1>>) {
    return x;
  } else if constexpr (!x_may_be_one && !y_may_be_one) {
    static_assert(never_equal_because<X, Y>() != unequal::constants_differ,
                  "xport::broadcast: two static sizes differ and neither is 1");
    static_check_equal<X, Y>();
    if constexpr (static_equal<X, Y>() != verdict::always)
      if (value_of(x) != value_of(y)) throw_broadcast(value_of(x), value_of(y), axis);
    return more_static(x, y);
  } else if constexpr (!x_may_be_one) {
    if (value_of(y) != 1 && value_of(y) != value_of(x))
      throw_broadcast(value_of(x), value_of(y), axis);
    return x;
  } else if constexpr (!y_may_be_one) {
    if (value_of(x) != 1 && value_of(x) != value_of(y))
      throw_broadcast(value_of(x), value_of(y), axis);
    return y;
  } else {
    return xport::shape::broadcast_size<std::int64_t>(value_of(x), value_of(y), axis);
  }
}

template <std::size_t I, class A, class B>
constexpr auto broadcast_axis(const A& a, const B& b) {
  constexpr std::size_t rank = A::rank > B::rank ? A::rank : B::rank;
  constexpr std::size_t ia = I + A::rank, ib = I + B::rank; // index + rank, to stay unsigned
  if constexpr (ia < rank)
    return b.template get<ib - rank>();
  else if constexpr (ib < rank)
    return a.template get<ia - rank>();
  else
    return broadcast_extent(a.template get<ia - rank>(), b.template get<ib - rank>(), I);
}

} // namespace detail::extents

//! @brief The broadcast of two shapes (NumPy/PyTorch rules): aligned from the right,
//! each axis pair must be equal or contain a 1.
//!
//! Per axis, from the types: `fixed<1>` yields the other side; two static sizes that
//! differ with neither 1 are a compile error, as are two sizes that can never be equal
//! and can never be 1; a side that cannot be 1 is the result, so a dim survives
//! (`[batch, 1] x [1, 784]` is `[batch, 784]`); if both may be 1, the result is a runtime
//! `std::int64_t`.
//! @throws shape_error "The size of tensor a (3) must match the size of tensor b (4) at
//!   non-singleton dimension 1".
template <shape_type A, shape_type B>
constexpr auto broadcast(const A& a, const B& b) {
  constexpr std::size_t rank = A::rank > B::rank ? A::rank : B::rank;
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return shape{detail::extents::broadcast_axis<I>(a, b)...};
  }
  (std::make_index_sequence<rank>{});
}

namespace detail::extents {

template <class... E>
std::string times_string(const shape<E...>& s) {
  std::string out;
  std::size_t i = 0;
  for (std::int64_t v : s.sizes())
    out += (i++ ? "x" : "") + std::to_string(v);
  return out;
}

template <class A, class B, class X, class Y>
constexpr void check_inner(const A& a, const B& b, const X& k1, const Y& k2) {
  agree(k1, k2);
  static_assert(never_equal_because<X, Y>() != unequal::constants_differ,
                "xport::matmul: the inner dimensions are static and differ");
  static_check_equal<X, Y>();
  if constexpr (static_equal<X, Y>() != verdict::always)
    if (value_of(k1) != value_of(k2))
      throw shape_error("mat1 and mat2 shapes cannot be multiplied (" + times_string(a) + " and "
                        + times_string(b) + ")");
}

} // namespace detail::extents

//! @brief The shape of `torch.matmul(a, b)`: vector-vector, matrix-vector,
//! vector-matrix, and batched matrix products with broadcast batch axes.
//!
//! `[..., n, k] @ [..., k, m]` is `[broadcast(...), n, m]`; a 1-D operand is a row
//! (left) or column (right) whose axis is dropped from the result. The inner sizes `k`
//! must be equal, decided from the types (a static mismatch is a compile error with the
//! message "xport::matmul: the inner dimensions are static and differ") or at run time.
//! @throws shape_error "mat1 and mat2 shapes cannot be multiplied (3x4 and 5x6)".
template <shape_type A, shape_type B>
constexpr auto matmul(const A& a, const B& b) {
  static_assert(A::rank >= 1 && B::rank >= 1,
                "xport::matmul: both arguments to matmul need to be at least 1D");
  constexpr std::size_t ra = A::rank, rb = B::rank;
  if constexpr (ra == 0 || rb == 0) {
    // Only the static_assert above speaks; instantiating the rest would bury it.
    return shape<>{};
  } else {
    detail::extents::check_inner(a, b, a.template get<ra - 1>(),
                                 b.template get<(rb >= 2 ? rb - 2 : 0)>());
    if constexpr (ra == 1 && rb == 1) {
      return shape<>{};
    } else if constexpr (ra == 1) {
      return detail::extents::join(detail::extents::take<0, rb - 2>(b),
                                   shape{b.template get<rb - 1>()});
    } else if constexpr (rb == 1) {
      return detail::extents::take<0, ra - 1>(a);
    } else {
      const auto batch =
          broadcast(detail::extents::take<0, ra - 2>(a), detail::extents::take<0, rb - 2>(b));
      return detail::extents::join(batch,
                                   shape{a.template get<ra - 2>(), b.template get<rb - 1>()});
    }
  }
}

namespace detail::extents {

template <std::size_t Axis, std::size_t I, class X, class Y>
constexpr auto concat_extent(const X& x, const Y& y) {
  agree(x, y);
  if constexpr (I == Axis) {
    return to_extent(x) + to_extent(y);
  } else {
    static_assert(never_equal_because<X, Y>() != unequal::constants_differ,
                  "xport::concat: static sizes differ outside the concatenation axis");
    static_check_equal<X, Y>();
    if constexpr (static_equal<X, Y>() != verdict::always)
      if (value_of(x) != value_of(y))
        throw shape_error("Sizes of tensors must match except in dimension " + std::to_string(Axis)
                          + ". Expected size " + std::to_string(value_of(x)) + " but got size "
                          + std::to_string(value_of(y)) + " for tensor number 1 in the list.");
    return more_static(x, y);
  }
}

} // namespace detail::extents

//! @brief The shape of `torch.cat({a, b}, Axis)`: equal ranks, equal sizes outside
//! `Axis` (decided as in `expect_equal`), and the sum of the two sizes on `Axis`, which
//! stays typed when it can (`[batch, 3] ++ [batch, 5]` on axis 1 is `[batch, 8]`, and
//! `[batch] ++ [batch]` on axis 0 is `[2*batch]`). A negative `Axis` counts from the end.
//! @throws shape_error "Sizes of tensors must match except in dimension 1. Expected size 3
//!   but got size 4 for tensor number 1 in the list."
template <std::int64_t Axis, shape_type A, shape_type B>
constexpr auto concat(const A& a, const B& b) {
  static_assert(A::rank == B::rank, "xport::concat: the shapes have different ranks");
  constexpr std::int64_t rank = static_cast<std::int64_t>(A::rank);
  static_assert(-rank <= Axis && Axis < rank, "xport::concat: the axis is out of range");
  constexpr std::size_t axis = static_cast<std::size_t>(Axis < 0 ? Axis + rank : Axis);
  if constexpr (A::rank != B::rank || axis >= A::rank) {
    return a; // only the static_asserts above speak; instantiating more would bury them
  } else {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return shape{
          detail::extents::concat_extent<axis, I>(a.template get<I>(), b.template get<I>())...};
    }
    (std::make_index_sequence<A::rank>{});
  }
}

} // namespace xport::sym
