#include <xport/sym/relation.hpp>

#include <doctest/doctest.h>

using namespace xport::sym;

namespace {
const symbol s0{symbol_kind::backed, 0};
const symbol s1{symbol_kind::backed, 1};
const expr x = s0, y = s1;
} // namespace

TEST_CASE("relations print like PyTorch guards") {
  CHECK(to_string(eq(x, 4)) == "Eq(s0, 4)");
  CHECK(to_string(ne(x, 4)) == "Ne(s0, 4)");
  CHECK(to_string(ge(x, 2)) == "s0 >= 2");
  CHECK(to_string(lt(2 * x + 1, y)) == "2*s0 + 1 < s1");
  CHECK(to_string(le(x, 16)) == "s0 <= 16");
  CHECK(to_string(gt(x, y)) == "s0 > s1");
  CHECK(to_string(divisible(x, 2)) == "Eq(Mod(s0, 2), 0)");
  CHECK(to_string(eq(x, 1), [](symbol) { return std::string("L['x'].size()[0]"); })
        == "Eq(L['x'].size()[0], 1)");
}

TEST_CASE("negation") {
  CHECK(negate(ge(x, 4)) == lt(x, 4));
  CHECK(negate(lt(x, 4)) == ge(x, 4));
  CHECK(negate(le(x, 4)) == gt(x, 4));
  CHECK(negate(gt(x, 4)) == le(x, 4));
  CHECK(negate(eq(x, y)) == ne(x, y));
  CHECK(negate(ne(x, y)) == eq(x, y));
}

TEST_CASE("canonical form: e >= 0, Eq(e, 0), Ne(e, 0) with integer tightening") {
  CHECK(ge(x, 2).canonical() == ge(x - 2, 0));
  CHECK(le(x, 16).canonical() == ge(16 - x, 0));
  CHECK(gt(2 * x, 3).canonical() == ge(x - 2, 0));   // 2x >= 4
  CHECK(lt(3 * x, 10).canonical() == ge(-x + 3, 0)); // 3x <= 9
  CHECK(eq(2 * x, 6).canonical() == eq(x - 3, 0));
  CHECK(eq(2 * x, 3).canonical() == eq(1, 0));
  CHECK(ne(2 * x, 3).canonical() == ne(1, 0));
  CHECK(eq(-x, y).canonical() == eq(x + y, 0));
  CHECK(ne(4 - x, 0).canonical() == ne(x - 4, 0));
}

TEST_CASE("evaluation") {
  const bindings b{{{s0, 5}, {s1, 7}}};
  CHECK(operator_spelling(rel_op::le) == "<=");
  CHECK(operator_spelling(rel_op::ne) == "!=");
  CHECK(evaluate(ge(x, 4), b));
  CHECK_FALSE(evaluate(gt(x, y), b));
  CHECK(evaluate(ne(x, y), b));
  CHECK(evaluate(lt(x, y), b));
  CHECK(evaluate(le(x, 5), b));
  CHECK_FALSE(evaluate(eq(x, 4), b));
  CHECK_FALSE(evaluate(divisible(x, 2), b));
  CHECK_THROWS_AS(divisible(x, 0), xport::value_error);
}
