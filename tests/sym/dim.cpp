// Tests for include/xport/sym/dim.hpp: Dim defaults and validation, derived dims, hints.
#include <xport/sym/dim.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <type_traits>

using xport::value_error;
using xport::sym::Dim;
using xport::sym::hint_kind;
using xport::sym::int_oo;

TEST_CASE("Dim has PyTorch's defaults: min 0, max int_oo") {
  const Dim dx("dx");
  CHECK(dx.name() == "dx");
  CHECK(dx.min() == 0);
  CHECK(dx.max() == int_oo);
  CHECK_FALSE(dx.is_derived());
  CHECK(dx.root_name() == "dx");
  CHECK(dx.coeff() == 1);
  CHECK(dx.offset() == 0);
  CHECK(dx.to_string() == "Dim('dx')");
}

TEST_CASE("Dim takes a range with designated initializers") {
  const Dim batch("batch", {.min = 1, .max = 1024});
  CHECK(batch.min() == 1);
  CHECK(batch.max() == 1024);
  CHECK(batch.to_string() == "Dim('batch', min=1, max=1024)");
  CHECK(Dim("dx", {.max = 16}).to_string() == "Dim('dx', max=16)");
  CHECK(Dim("dx", {.min = 3}).to_string() == "Dim('dx', min=3)");
  CHECK(Dim("dx", {.min = 2}).to_string() == "Dim('dx', min=2)");
}

TEST_CASE("Dim validation: identifier names, max > min, non-negative min") {
  CHECK_THROWS_WITH_AS(Dim("2x"), doctest::Contains("Dim name must be a valid identifier, got 2x"),
                       value_error);
  CHECK_THROWS_WITH_AS(Dim(""), doctest::Contains("valid identifier"), value_error);
  CHECK_THROWS_WITH_AS(Dim("a-b"), doctest::Contains("valid identifier, got a-b"), value_error);
  CHECK_NOTHROW(Dim("_d9"));
  CHECK_THROWS_WITH_AS(Dim("d", {.min = 8, .max = 8}),
                       doctest::Contains("Cannot create Dim with inconsistent min=8, max=8"),
                       value_error);
  CHECK_THROWS_WITH_AS(Dim("d", {.min = 9, .max = 4}),
                       doctest::Contains("inconsistent min=9, max=4"), value_error);
  CHECK_THROWS_WITH_AS(Dim("d", {.min = -1, .max = 4}), doctest::Contains("negative min=-1"),
                       value_error);
}

TEST_CASE("derived dims are increasing linear forms re-rooted on a plain Dim") {
  const Dim dx("dx", {.min = 1, .max = 64});
  const Dim dy = dx + 1;
  CHECK(dy.is_derived());
  CHECK(dy.name() == "dx + 1");
  CHECK(dy.root_name() == "dx");
  CHECK(dy.min() == 2);
  CHECK(dy.max() == 65);

  const Dim dz = 2 * (dx + 1) - 1; // nesting composes on the same root
  CHECK(dz.name() == "2*dx + 1");
  CHECK(dz.coeff() == 2);
  CHECK(dz.offset() == 1);
  CHECK(dz.root_name() == "dx");
  CHECK(dz.root() == dx);
  CHECK(dz.min() == 3);
  CHECK(dz.max() == 129);
  CHECK(dz.apply(5) == 11);
  CHECK(dz.to_string() == "2*dx + 1");

  CHECK((dx * 3).name() == "3*dx");
  CHECK((dx - 1).name() == "dx - 1");
  CHECK((1 + dx).name() == "dx + 1");
  CHECK((dx + 1 - 1).name() == "dx");
  CHECK((dx + 1 - 1).is_derived() == false); // the identity map is the root itself
  CHECK(((dx + 2) * 3).name() == "3*dx + 6");
  CHECK(((dx + 2) * 3).range() == xport::sym::value_range{9, 198});
}

TEST_CASE("derived dims of an unbounded root stay unbounded") {
  const Dim dx("dx", {.min = 2});
  const Dim dy = 4 * dx + 3;
  CHECK(dy.min() == 11);
  CHECK(dy.max() == int_oo);
}

TEST_CASE("out-of-order derivation: a derived dim may have a smaller min than its root") {
  const Dim dimy("dimy", {.min = 5, .max = 7});
  const Dim dimx = dimy - 1;
  CHECK(dimx.name() == "dimy - 1");
  CHECK(dimx.min() == 4);
  CHECK(dimx.max() == 6);
  // An intermediate form may dip below zero; the spec checks the final one.
  const Dim dd = (Dim("dd", {.min = 2, .max = 10}) - 8) * 2 + 16;
  CHECK(dd.name() == "2*dd");
  CHECK(dd.min() == 4);
}

TEST_CASE("non-increasing coefficients are refused with PyTorch's message") {
  const Dim dx("dx");
  CHECK_THROWS_WITH_AS(
      dx * 0,
      doctest::Contains("Attempted to multiply 0 with dx, where a positive integer was expected"),
      value_error);
  CHECK_THROWS_WITH_AS(dx * -2,
                       doctest::Contains("Only increasing linear operations with integer "
                                         "coefficients are supported"),
                       value_error);
  CHECK_THROWS_AS(dx * std::numeric_limits<std::uint64_t>::max(), value_error);
}

TEST_CASE("derived dims refuse int64 overflow instead of wrapping") {
  const Dim dx("dx", {.min = 1, .max = std::int64_t{1} << 40});
  CHECK_THROWS_WITH_AS(dx * (std::int64_t{1} << 30),
                       doctest::Contains("Expected derived max value of"), value_error);
  CHECK_THROWS_WITH_AS(dx * (std::int64_t{1} << 30),
                       doctest::Contains("Please specify an appropriate max value for dx"),
                       value_error);
  const Dim big("big");
  CHECK_THROWS_AS(big * (std::int64_t{1} << 62) * 4, value_error);
  CHECK_THROWS_AS(big - std::numeric_limits<std::int64_t>::min(), value_error);
}

// Dim * Dim, -Dim, int - Dim and Dim * 1.5 are compile errors (tests/fail/sym/dim_*.fail.cpp);
// these traits show the refusals do not leak into valid expressions.
template <class L, class R>
concept can_multiply = requires(L l, R r) {
  { l* r } -> std::same_as<Dim>;
};
static_assert(can_multiply<Dim, int>);
static_assert(can_multiply<long, Dim>);

TEST_CASE("Dim::Auto, Dim::Dynamic, Dim::Static and their bounded forms") {
  CHECK(Dim::Auto.kind() == hint_kind::automatic);
  CHECK(Dim::Dynamic.kind() == hint_kind::dynamic);
  CHECK(Dim::Static.kind() == hint_kind::fixed);
  CHECK(Dim::Auto.to_string() == "Dim.AUTO");
  const xport::sym::dim_hint h = Dim::Dynamic({.min = 4});
  CHECK(h.kind() == hint_kind::dynamic);
  CHECK(h.range().min == 4);
  CHECK_FALSE(h.range().max.has_value());
  CHECK(h.to_string() == "Dim.DYNAMIC(min=4, max=None)");
  CHECK(Dim::Auto({.min = 1, .max = 8}).to_string() == "Dim.AUTO(min=1, max=8)");
  CHECK_THROWS_WITH_AS(static_cast<void>(Dim::Auto({.min = -1})),
                       doctest::Contains("min must be non-negative"), value_error);
  CHECK_THROWS_WITH_AS(static_cast<void>(Dim::Auto({.max = -1})),
                       doctest::Contains("max must be non-negative"), value_error);
  CHECK_THROWS_WITH_AS(static_cast<void>(Dim::Static({.min = 5, .max = 4})),
                       doctest::Contains("min must be <= max"), value_error);
  static_assert(Dim::Auto({.min = 2}).range().min == 2, "hints are constexpr");
}

template <class H>
concept callable_with_range = requires(H h) {
  h(xport::sym::hint_range{});
};
static_assert(callable_with_range<decltype(Dim::Auto)>);
static_assert(!callable_with_range<xport::sym::dim_hint>, "a bounded hint is not callable again");

TEST_CASE("dims() makes several Dims with one range") {
  auto [h, w] = xport::dims({"h", "w"}, {.max = 512});
  CHECK(h.name() == "h");
  CHECK(w.name() == "w");
  CHECK(w.max() == 512);
  CHECK_THROWS_AS(static_cast<void>(xport::dims({"h", "9"})), value_error);
}
