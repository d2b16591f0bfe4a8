#include <xport/core/sym_int.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>

using xport::SymBool;
using xport::SymInt;

TEST_CASE("concrete SymInts are int64 with Python's division") {
  SymInt const n = 7;
  CHECK_FALSE(n.is_symbolic());
  CHECK((n * 2 + 1).expect_int() == 15);
  CHECK((n - 10).expect_int() == -3);
  CHECK(xport::floordiv(-7, 2).expect_int() == -4);
  CHECK(xport::mod(-7, 2).expect_int() == 1);
  CHECK(xport::mod(7, -2).expect_int() == -1);
  CHECK(xport::floordiv(7, -2).expect_int() == -4);
  CHECK(xport::floordiv(6, 3).expect_int() == 2);
  // The operators are Python's // and %, not C++'s truncation.
  CHECK((SymInt(-7) / 2).expect_int() == -4);
  CHECK((SymInt(-7) % 2).expect_int() == 1);
  CHECK((n / 2).expect_int() == 3);
  CHECK((n % 4).expect_int() == 3);
  CHECK((15 / n).expect_int() == 2);
  CHECK(xport::min(n, 3).expect_int() == 3);
  CHECK(xport::max(n, 3).expect_int() == 7);
  CHECK(n.guard_int() == 7);
  CHECK(n.hint() == 7);
  CHECK(n.str() == "7");
}

TEST_CASE("concrete comparisons are concrete SymBools") {
  SymInt const n = 7;
  SymBool const big = n > 4;
  CHECK_FALSE(big.is_symbolic());
  CHECK(big.maybe_bool() == true);
  CHECK(static_cast<bool>(n == 7));
  CHECK_FALSE(static_cast<bool>(n != 7));
  CHECK(static_cast<bool>(n <= 7));
  CHECK_FALSE(static_cast<bool>(n < 7));
  CHECK(static_cast<bool>(!(n >= 8)));
  CHECK(big.str() == "True");
}

TEST_CASE("overflow and division by zero are refused") {
  SymInt const big = std::numeric_limits<std::int64_t>::max();
  CHECK_THROWS_WITH_AS(big + 1, doctest::Contains("integer overflow in 9223372036854775807 + 1"),
                       xport::value_error);
  CHECK_THROWS_AS(big * 2, xport::value_error);
  CHECK_THROWS_AS(SymInt(std::numeric_limits<std::int64_t>::min()) - 1, xport::value_error);
  CHECK_THROWS_WITH_AS(xport::floordiv(1, 0), doctest::Contains("division or modulo by zero"),
                       xport::value_error);
  CHECK_THROWS_AS(xport::mod(1, 0), xport::value_error);
  CHECK_THROWS_WITH_AS(SymInt(1) / 0, doctest::Contains("division or modulo by zero"),
                       xport::value_error);
  CHECK_THROWS_AS(SymInt(1) % 0, xport::value_error);
  CHECK_THROWS_AS(xport::floordiv(std::numeric_limits<std::int64_t>::min(), -1),
                  xport::value_error);
}

TEST_CASE("check on a concrete condition checks now") {
  CHECK_NOTHROW(xport::check(SymInt(5) >= 4));
  CHECK_THROWS_WITH_AS(xport::check(SymInt(3) >= 4, "need at least 4 rows"),
                       doctest::Contains("need at least 4 rows"), xport::constraint_violation);
  CHECK_THROWS_WITH_AS(xport::check(false), doctest::Contains("sym_int.cpp"),
                       xport::constraint_violation);
}
