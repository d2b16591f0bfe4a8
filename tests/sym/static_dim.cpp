// Runtime behaviour of include/xport/sym/static_dim.hpp: what the types cannot decide is
// checked on the values, with xport errors naming them.
#include <xport/sym/static_dim.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <type_traits>

namespace {

using namespace xport::literals;
using xport::sym::derived;
using xport::sym::dim;
using xport::sym::fixed;

using batch = dim<"batch", 1, 1024>;
using seq = dim<"seq", 8, 512>;

// Values the compiler cannot see, so every check below runs at run time.
std::int64_t opaque(std::int64_t v) {
  volatile std::int64_t x = v;
  return x;
}

} // namespace

TEST_CASE("a dim holds a value inside its declared range") {
  CHECK(batch{opaque(1)}.value() == 1);
  CHECK(batch{opaque(1024)}.value() == 1024);
  CHECK_THROWS_WITH_AS(batch{opaque(2000)}, "Expected batch to be <= 1024, but got 2000",
                       xport::constraint_violation);
  CHECK_THROWS_WITH_AS(batch{opaque(0)}, "Expected batch to be >= 1, but got 0",
                       xport::constraint_violation);
  CHECK_THROWS_WITH_AS((batch{opaque(0), "x.shape[0]"}),
                       "Expected x.shape[0] to be >= 1, but got 0", xport::constraint_violation);
  CHECK(dim<"n">{opaque(1) << 40}.value() == std::int64_t{1} << 40);
}

TEST_CASE("arithmetic keeps the form in the type and computes the value") {
  const batch b{opaque(8)};
  const auto n = 2_c * b + 1_c;
  static_assert(std::is_same_v<decltype(n), const derived<batch, 2, 1>>);
  CHECK(n.value() == 17);
  CHECK(n.root().value() == 8);
  CHECK((n - 1_c).value() == 16);
  CHECK(((4_c * b + 6_c) / 2_c).value() == 19);
  CHECK(((2_c * b + 1_c) / 2_c).value() == 8);
  CHECK((b - 1_c).value() == 7);
}

TEST_CASE("mixed arithmetic decays to runtime values") {
  const batch b{opaque(8)};
  const seq s{opaque(16)};
  CHECK(b + s == 24);
  CHECK(b * s == 128);
  CHECK(100_c - b == 92);
  CHECK(b + opaque(5) == 13);
  CHECK(b / 3_c == 2);
  CHECK(b % 3_c == 2);
  CHECK(fixed<-7>{} % opaque(2) == 1); // Python's modulo: the sign of the divisor
  CHECK(opaque(-7) / 2_c == -4);       // Python's floor division
  CHECK(b / s == 0);
  CHECK(s % b == 0);
}

TEST_CASE("a runtime zero divisor throws value_error") {
  const batch b{opaque(8)};
  CHECK_THROWS_WITH_AS(b / opaque(0), "division by zero: 8 // 0", xport::value_error);
  CHECK_THROWS_WITH_AS(b % opaque(0), "division by zero: 8 % 0", xport::value_error);
  CHECK_THROWS_WITH_AS(xport::sym::exact_div(b, opaque(0)), "division by zero: 8 // 0",
                       xport::value_error);
}

TEST_CASE("two values of one dim type are a contract violation") {
  const batch b{opaque(8)}, c{opaque(9)};
  CHECK_THROWS_WITH_AS(b + c, "Expected one value of batch, but got 8 and 9",
                       xport::constraint_violation);
  CHECK_THROWS_AS(b - (2_c * c), xport::constraint_violation);
  CHECK_THROWS_AS(xport::sym::expect_equal(b, c), xport::constraint_violation);
  CHECK_THROWS_AS(xport::sym::slice(b, 0_c, c), xport::constraint_violation);
  CHECK((b * 2_c + b).value() == 24); // one value: fine
}

TEST_CASE("form_string prints PyTorch's spelling") {
  CHECK(xport::sym::form_string<fixed<784>>() == "784");
  CHECK(xport::sym::form_string<batch>() == "batch");
  CHECK(xport::sym::form_string<derived<batch, 2, 1>>() == "2*batch + 1");
  CHECK(xport::sym::form_string<derived<batch, 1, -1>>() == "batch - 1");
  CHECK(xport::sym::form_string<derived<batch, 3>>() == "3*batch");
  CHECK(xport::sym::form_string<std::int64_t>() == "?");
  CHECK(xport::sym::describe(2_c * batch{opaque(8)} + 1_c) == "2*batch + 1 = 17");
  CHECK(xport::sym::describe(opaque(5)) == "5");
}

TEST_CASE("expect_equal checks at run time what the types leave open") {
  const batch b{opaque(8)};
  const seq s{opaque(16)};
  CHECK(xport::sym::expect_equal(b, 8_c).value == 8);
  CHECK(xport::sym::expect_equal(2_c * b, s).value() == 16);
  CHECK(xport::sym::expect_equal(opaque(8), b).value() == 8);
  CHECK_THROWS_WITH_AS(xport::sym::expect_equal(b, 7_c), "Expected batch = 8 to be equal to 7",
                       xport::shape_error);
  CHECK_THROWS_WITH_AS(xport::sym::expect_equal(2_c * b + 1_c, s),
                       "Expected 2*batch + 1 = 17 to be equal to seq = 16", xport::shape_error);
  CHECK_THROWS_WITH_AS(xport::sym::expect_equal(opaque(3), opaque(4)),
                       "Expected 3 to be equal to 4", xport::shape_error);
  // Two forms of one root that agree at exactly one root value: decided on the value.
  using k = dim<"k", 2, 100>;
  CHECK(xport::sym::expect_equal(2_c * k{opaque(4)}, 3_c * k{opaque(4)} - 4_c).value() == 8);
  CHECK_THROWS_AS(xport::sym::expect_equal(2_c * k{opaque(5)}, 3_c * k{opaque(5)} - 4_c),
                  xport::shape_error);
}

TEST_CASE("slice checks 0 <= start <= end <= size when the types cannot") {
  const dim<"n", 1, 8> n{opaque(5)};
  CHECK(xport::sym::slice(n, 0_c, 5_c).value == 5);
  CHECK(xport::sym::slice(n, 1_c, n).value() == 4);
  CHECK(xport::sym::slice(n, opaque(2), opaque(4)) == 2);
  CHECK_THROWS_WITH_AS(xport::sym::slice(n, 0_c, 8_c),
                       "slice [0:8] does not fit in a size of n = 5; expected 0 <= start <= end "
                       "<= size",
                       xport::index_error);
  CHECK_THROWS_AS(xport::sym::slice(n, opaque(4), opaque(2)), xport::index_error);
  CHECK_THROWS_AS(xport::sym::slice(n, opaque(-1), opaque(2)), xport::index_error);
  const dim<"n", 1, 8> two{opaque(2)};
  CHECK_THROWS_WITH_AS(xport::sym::slice(two, 2_c, two - 1_c), doctest::Contains("[2:n - 1 = 1]"),
                       xport::index_error);
  CHECK(xport::sym::slice(n, 2_c, n) == 3);
  CHECK_THROWS_AS(xport::sym::slice(dim<"m", 1, 8>{opaque(1)}, 2_c, dim<"m", 1, 8>{opaque(1)}),
                  xport::index_error);
}

TEST_CASE("exact_div divides exactly or throws") {
  const batch b{opaque(3)};
  CHECK(xport::sym::exact_div(4_c * b + 6_c, 2_c).value() == 9);
  CHECK(xport::sym::exact_div(3_c * b + 1_c, 2_c) == 5);
  CHECK(xport::sym::exact_div(opaque(12), opaque(4)) == 3);
  CHECK_THROWS_WITH_AS(xport::sym::exact_div(3_c * b, 2_c),
                       "Expected 3*batch = 9 to be divisible by 2", xport::shape_error);
  CHECK_THROWS_WITH_AS(xport::sym::exact_div(opaque(10), opaque(4)),
                       "Expected 10 to be divisible by 4", xport::shape_error);
}

TEST_CASE("bind_extent checks an observed size against a typed extent") {
  using xport::sym::bind_extent;
  CHECK(bind_extent<fixed<784>>(opaque(784), "x.shape[1]").value == 784);
  CHECK_THROWS_WITH_AS(bind_extent<fixed<784>>(opaque(785), "x.shape[1]"),
                       "Expected x.shape[1] to be equal to 784, but got 785",
                       xport::constraint_violation);
  CHECK_THROWS_WITH_AS(bind_extent<batch>(opaque(2000), "x.shape[0]"),
                       "Expected x.shape[0] to be <= 1024, but got 2000",
                       xport::constraint_violation);
  using odd = derived<batch, 2, 1>;
  CHECK(bind_extent<odd>(opaque(17), "x.shape[0]").root().value() == 8);
  CHECK_THROWS_WITH_AS(bind_extent<odd>(opaque(12), "x.shape[0]"),
                       "Expected x.shape[0] = 12 to be of the form 2*batch + 1, where batch is "
                       "an integer",
                       xport::constraint_violation);
  CHECK_THROWS_WITH_AS(bind_extent<odd>(opaque(2051), "x.shape[0]"),
                       "Expected x.shape[0] to be <= 2049, but got 2051",
                       xport::constraint_violation);
  CHECK_THROWS_WITH_AS(bind_extent<odd>(opaque(1), "x.shape[0]"),
                       "Expected x.shape[0] to be >= 3, but got 1", xport::constraint_violation);
  CHECK(bind_extent<std::int64_t>(opaque(42), "x.shape[0]") == 42);
}
