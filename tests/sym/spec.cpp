// Tests for include/xport/sym/spec.hpp: dim_spec, shape_spec, dynamic_shapes and its validation.
#include <xport/sym/spec.hpp>

#include <doctest/doctest.h>

using xport::value_error;
using xport::sym::Dim;
using xport::sym::dim_spec;
using xport::sym::dynamic_shapes;
using xport::sym::shape_spec;

TEST_CASE("dim_spec holds a Dim, a hint or a static size") {
  const Dim dx("dx");
  const dim_spec a = dx;
  const dim_spec b = Dim::Auto;
  const dim_spec c = 784;
  CHECK(a.which() == dim_spec::kind::named);
  CHECK(a.dim()->name() == "dx");
  CHECK(b.which() == dim_spec::kind::hint);
  CHECK(b.hint()->kind() == xport::sym::hint_kind::automatic);
  CHECK(c.which() == dim_spec::kind::fixed);
  CHECK(*c.static_size() == 784);
  CHECK(a.hint() == nullptr);
  CHECK_FALSE(a.static_size().has_value());
  CHECK_THROWS_WITH_AS(dim_spec(-3), doctest::Contains("non-negative"), value_error);
}

TEST_CASE("dynamic_shapes for one input and for several") {
  const Dim batch("batch", {.min = 1, .max = 1024});
  const dynamic_shapes one({batch, 784});
  REQUIRE(one.size() == 1);
  CHECK(one[0].size() == 2);
  CHECK(one.to_string() == "((batch, 784),)");

  const dynamic_shapes two({{batch, 784}, {batch, 2 * batch + 1}});
  REQUIRE(two.size() == 2);
  CHECK(two[1][1].dim()->name() == "2*batch + 1");
  CHECK(two.to_string() == "((batch, 784), (batch, 2*batch + 1))");

  const dynamic_shapes three({shape_spec{batch}, xport::all_static, {Dim::Dynamic, 3}});
  CHECK(three[0].to_string() == "(batch,)");
  CHECK(three[1].is_all_static());
  CHECK(three[2].to_string() == "(Dim.DYNAMIC, 3)");
  CHECK(dynamic_shapes().size() == 0);

  // One input given as a shape_spec (PyTorch's `dynamic_shapes=((batch, 784),)`).
  const dynamic_shapes spelled(shape_spec{batch, 784});
  REQUIRE(spelled.size() == 1);
  CHECK(spelled.to_string() == "((batch, 784),)");
  const dynamic_shapes converted = shape_spec{batch};
  CHECK(converted.to_string() == "((batch,),)");
}

TEST_CASE("one definition per dim name, roots of derived dims included") {
  const Dim d8("d", {.max = 8});
  const Dim d9("d", {.max = 9});
  CHECK_THROWS_WITH_AS(dynamic_shapes({{d8, 3}, {d9, 3}}),
                       doctest::Contains("Found different definitions Dim('d', max=8) and "
                                         "Dim('d', max=9) for the same symbolic dimension d!"),
                       value_error);
  CHECK_THROWS_WITH_AS(dynamic_shapes({{d8, 3}, {d9 + 1, 3}}),
                       doctest::Contains("Found different definitions"), value_error);
  CHECK_NOTHROW(dynamic_shapes({{d8, 3}, {Dim("d", {.max = 8}) * 2, 3}}));
}

TEST_CASE("a derived dim that could be negative is refused with PyTorch's message") {
  const Dim dx("dx", {.min = 2, .max = 10});
  CHECK_THROWS_WITH_AS(dynamic_shapes({dx - 3, 4}),
                       doctest::Contains("Expected derived min value of dx - 3 to be >= 0. Please "
                                         "specify an appropriate min value for dx (currently 2)."),
                       value_error);
  CHECK_NOTHROW(dynamic_shapes({dx - 2, 4}));
}

TEST_CASE("root() finds a root by name even when only derived dims use it") {
  const Dim dx("dx", {.min = 3, .max = 12});
  const dynamic_shapes s({{2 * dx, 4}, {dx + 1, 4}});
  REQUIRE(s.root("dx").has_value());
  CHECK(*s.root("dx") == dx);
  CHECK_FALSE(s.root("dy").has_value());
}
