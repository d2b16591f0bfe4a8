#include <xport/sym/sym_node.hpp>

#include <doctest/doctest.h>

#include <string_view>

using xport::SymInt;
using namespace xport::sym;

TEST_CASE("symbolic SymInts build expressions in their environment") {
  ShapeEnv env;
  SymInt const b = dynamic_size(env, 8, "x.size(0)");
  REQUIRE(b.is_symbolic());
  CHECK(b.str() == "s0");
  CHECK((2 * b + 1).str() == "2*s0 + 1");
  CHECK((b * 2 + 1).hint() == 17);
  CHECK(xport::floordiv(2 * b, 2).str() == "s0");
  CHECK(xport::mod(3 * b, 3).is_symbolic() == false); // canonical form proves it is 0
  CHECK(xport::mod(3 * b, 3).expect_int() == 0);
  CHECK((b - b).expect_int() == 0);
  CHECK((2 * b / 2).str() == "s0"); // operators / and % are floordiv and mod
  CHECK((b / 3).str() == xport::floordiv(b, 3).str());
  CHECK((b / 3).hint() == 2);
  CHECK((3 * b % 3).expect_int() == 0);
  CHECK((b % 3).str() == "Mod(s0, 3)");
  CHECK((b % 3).hint() == 2);
  CHECK_THROWS_WITH_AS(b.expect_int(), doctest::Contains("symbolic size s0"), xport::value_error);
  CHECK(expr_of(b + 3) == expr(symbol{}) + 3);
  CHECK(env.guards().empty());
}

TEST_CASE("the 0/1 policy turns example sizes 0 and 1 into constants") {
  ShapeEnv env;
  SymInt const one = dynamic_size(env, 1, "x.size(1)");
  CHECK_FALSE(one.is_symbolic());
  CHECK(one.expect_int() == 1);
}

TEST_CASE("branching on a symbolic comparison records a guard at the op and call site") {
  ShapeEnv env;
  SymInt const b = dynamic_size(env, 8, "x.size(0)");
  SymInt const n = dynamic_size(env, 5, "y.size(0)");
  CHECK(static_cast<bool>(b >= 1)); // decided by the range [2, int_oo]: no guard
  CHECK(env.guards().empty());
  {
    auto const call_site = xport::source_location::current(); // the op's caller
    guard_scope const scope("aten::slice", call_site);
    CHECK(static_cast<bool>(b <= 16));
    REQUIRE(env.guards().size() == 1);
    CHECK(env.guards()[0].op == "aten::slice");
    CHECK(env.guards()[0].where.line() == call_site.line());
    CHECK(current_guard_site().op == "aten::slice");
  }
  CHECK(current_guard_site().op.empty());
  CHECK(static_cast<bool>(b <= 16)); // now known: no second guard
  CHECK(env.guards().size() == 1);
  auto const line = xport::source_location::current().line() + 1;
  CHECK_FALSE(static_cast<bool>(b < n)); // hints 8 and 5
  REQUIRE(env.guards().size() == 2);
  // No op ran: the guard is charged to the line that compared, not to a library header.
  CHECK(env.guards()[1].where.line() == line);
  CHECK(std::string_view(env.guards()[1].where.file_name()).ends_with("sym_node.cpp"));
  xport::SymBool const written = 3 < n; // decided on the next line, charged to this one
  auto const written_line = xport::source_location::current().line() - 1;
  CHECK(written.where().line() == written_line);
  CHECK(static_cast<bool>(!written) == false);
  REQUIRE(env.guards().size() == 3);
  CHECK(env.guards()[2].where.line() == written_line);
  CHECK((b >= n).maybe_bool() == true); // the guard s0 >= s1 recorded above decides this
}

TEST_CASE("guard_int specializes to the example value") {
  ShapeEnv env;
  SymInt const b = dynamic_size(env, 8, "x.size(0)");
  CHECK((b + 1).guard_int() == 9);
  CHECK_FALSE(env.guards().empty());
  CHECK(b.hint() == 8);
}

TEST_CASE("data-dependent sizes need a check before they can be branched on") {
  ShapeEnv env;
  SymInt const u = unbacked_size(env);
  CHECK(u.str() == "u0");
  CHECK_FALSE(u.hint().has_value());
  CHECK_THROWS_WITH_AS(static_cast<void>(static_cast<bool>(u >= 4)),
                       doctest::Contains("xport::check("), xport::data_dependent_error);
  xport::check(u >= 4, "need four rows");
  REQUIRE(env.runtime_asserts().size() == 1);
  CHECK(static_cast<bool>(u >= 2)); // decided by the refined range, no guard
  CHECK(env.guards().empty());
  CHECK_THROWS_AS(xport::check(u < 2), xport::constraint_violation);
}

TEST_CASE("sizes from two environments do not mix") {
  ShapeEnv first;
  ShapeEnv second;
  SymInt const a = dynamic_size(first, 8, "x.size(0)");
  SymInt const b = dynamic_size(second, 8, "y.size(0)");
  CHECK_THROWS_WITH_AS(a + b, doctest::Contains("different shape environments"),
                       xport::value_error);
}
