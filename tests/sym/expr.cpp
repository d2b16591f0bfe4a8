#include <xport/sym/expr.hpp>

#include <doctest/doctest.h>

#include <map>
#include <sstream>

using namespace xport::sym;

namespace {
const symbol s0{symbol_kind::backed, 0};
const symbol s1{symbol_kind::backed, 1};
const symbol s2{symbol_kind::backed, 2};
const symbol u0{symbol_kind::unbacked, 0};
const expr x = s0, y = s1, z = s2;
} // namespace

TEST_CASE("printing follows PyTorch") {
  CHECK(to_string(2 * x + 1) == "2*s0 + 1");
  CHECK(to_string(floordiv(x, 4)) == "s0//4");
  CHECK(to_string(2 * floordiv(x, 4)) == "2*(s0//4)");
  CHECK(to_string(floordiv(x + 1, 4)) == "(s0 + 1)//4");
  CHECK(to_string(floordiv(x, 4) + 1) == "s0//4 + 1");
  CHECK(to_string(mod(x, 4)) == "Mod(s0, 4)");
  CHECK(to_string(max(y, x)) == "Max(s0, s1)");
  CHECK(to_string(min(x, 8)) == "Min(s0, 8)");
  CHECK(to_string(pow(x, 2) - 1) == "s0**2 - 1");
  CHECK(to_string(x * y - 3 * x + 2) == "s0*s1 - 3*s0 + 2");
  CHECK(to_string(-x + 3) == "-s0 + 3");
  CHECK(to_string(expr(u0) - 1) == "u0 - 1");
  CHECK(to_string(expr(0)) == "0");
  CHECK(to_string(expr(-5)) == "-5");
  CHECK(to_string(floordiv(x * y, 3)) == "(s0*s1)//3");
  CHECK(to_string(floordiv(x, y)) == "s0//s1");
  std::ostringstream os;
  os << x + y;
  CHECK(os.str() == "s0 + s1");
  const std::map<symbol, std::string> names{{s0, "dx"}, {s1, "dy"}};
  CHECK(to_string(2 * x + y, [&](symbol s) { return names.at(s); }) == "2*dx + dy");
}

TEST_CASE("canonical form: equal polynomials are equal values") {
  CHECK(x + y == y + x);
  CHECK((x + 1) * (y + 1) == x * y + x + y + 1);
  CHECK(x - x == 0);
  CHECK((x + y) * (x - y) == pow(x, 2) - pow(y, 2));
  CHECK(x * 0 == 0);
  CHECK(2 * x + 1 != 2 * x + 2);
  CHECK(expr(s0) != expr(u0));
  CHECK((x * y).terms().size() == 1);
  CHECK((3 * x + 4).constant() == std::nullopt);
  CHECK(expr(4).constant() == 4);
}

TEST_CASE("exact division holds structurally") {
  CHECK(floordiv(2 * y, 2) == y);
  CHECK(floordiv(x * y, y) == x);
  CHECK(mod(3 * y, 3) == 0);
  CHECK(mod(x * y, y) == 0);
  CHECK(floordiv(x * y + y, y) == x + 1);
  CHECK(floordiv(6 * x * y, 3 * y) == 2 * x);
  CHECK(floordiv(x * y, 2 * y) == floordiv(x, 2));
  CHECK(mod(x * y, 2 * y) == y * mod(x, 2));
  CHECK(floordiv(pow(x, 2) - 1, x + 1) == x - 1);
  CHECK(floordiv(-2 * x, -2) == x);
  CHECK(floordiv(x * y, -y) == -x);
  CHECK(floordiv(2 * x, 2 * y) == floordiv(x, y));
  CHECK(mod(6 * x, 4 * y) == 2 * mod(3 * x, 2 * y));
  CHECK(to_string(floordiv(4 * x + 2, 6 * y)) == "(2*s0 + 1)//(3*s1)");
}

TEST_CASE("division by constants pulls out multiples and reduces") {
  CHECK(floordiv(4 * x + 5, 2) == 2 * x + 2);
  CHECK(floordiv(2 * x + 1, 2) == x);
  CHECK(floordiv(6 * x + 3 * y, 9) == floordiv(2 * x + y, 3));
  CHECK(mod(6 * x + 2, 4) == 2 * mod(3 * x + 1, 2));
  CHECK(to_string(mod(6 * x + 2, 4)) == "2*Mod(s0 + 1, 2)");
  CHECK(to_string(mod(-x, 4)) == "Mod(3*s0, 4)");
  CHECK(mod(x - 1, 4) == mod(x + 3, 4));
  CHECK(mod(2 * x + 5, 2) == 1);
  CHECK(mod(x + 4, 4) == mod(x, 4));
  CHECK(floordiv(floordiv(x, 2), 3) == floordiv(x, 6));
  CHECK(mod(mod(x, 8), 4) == mod(x, 4));
  CHECK(mod(x, 1) == 0);
  CHECK(floordiv(x, 1) == x);
  CHECK(floordiv(expr(-7), 2) == -4);
  CHECK(mod(expr(-7), 2) == 1);
  CHECK(mod(expr(7), -2) == -1);
  CHECK(to_string(ceildiv(x, 4)) == "-((-s0)//4)");
}

TEST_CASE("division by zero throws value_error") {
  CHECK_THROWS_WITH_AS(floordiv(x, 0), doctest::Contains("division by zero"), xport::value_error);
  CHECK_THROWS_WITH_AS(mod(x, 0), doctest::Contains("modulo by 0"), xport::value_error);
  CHECK_THROWS_WITH_AS(evaluate(floordiv(x, y), bindings{{{s0, 1}, {s1, 0}}}),
                       doctest::Contains("division by zero"), xport::value_error);
}

TEST_CASE("overflow throws instead of wrapping") {
  const expr big = expr(INT64_MAX) * x;
  CHECK_THROWS_AS(big + big, xport::value_error);
  CHECK_THROWS_AS(evaluate(big, bindings{{{s0, 2}}}), xport::value_error);
}

TEST_CASE("min and max") {
  CHECK(min(x + 1, x) == x);
  CHECK(max(x + 1, x) == x + 1);
  CHECK(min(x, y) == min(y, x));
  CHECK(min(x, x) == x);
  CHECK(max(expr(3), expr(9)) == 9);
  CHECK(evaluate(max(x, y) - min(x, y), bindings{{{s0, 3}, {s1, 10}}}) == 7);
}

TEST_CASE("evaluation uses Python semantics") {
  const bindings b{{{s0, -7}, {s1, 2}}};
  CHECK(evaluate(floordiv(x, y), b) == -4);
  CHECK(evaluate(mod(x, y), b) == 1);
  CHECK(evaluate(mod(y, x), b) == -5);
  CHECK(evaluate(pow(x, 3) + 2 * y, b) == -339);
  CHECK_THROWS_WITH_AS(evaluate(z, b), doctest::Contains("s2 has no value"), xport::value_error);
}

TEST_CASE("substitution re-canonicalises") {
  CHECK(substitute(2 * x + 1, s0, y - 1) == 2 * y - 1);
  CHECK(substitute(floordiv(x, 2), s0, 2 * y) == y);
  CHECK(substitute(mod(x + y, 3), s1, 3 - x) == 0);
  CHECK(substitute(x * y,
                   [](symbol s) -> std::optional<expr> {
                     if (s.index == 1) return expr(5);
                     return std::nullopt;
                   })
        == 5 * x);
}

TEST_CASE("free symbols and predicates") {
  CHECK(free_symbols(y * floordiv(x, 2) + expr(u0)) == std::vector<symbol>{s0, s1, u0});
  CHECK(free_symbols(expr(3)).empty());
  CHECK(has_symbol(floordiv(x, y), s1));
  CHECK_FALSE(has_symbol(x + 1, s1));
  CHECK(is_polynomial(x * y + 1));
  CHECK_FALSE(is_polynomial(floordiv(x, 2)));
  CHECK(to_string(u0) == "u0");
}

TEST_CASE("affine recogniser") {
  CHECK(as_affine(2 * x + 1) == affine_form{2, s0, 1});
  CHECK(as_affine(x - 3) == affine_form{1, s0, -3});
  CHECK(as_affine(x) == affine_form{1, s0, 0});
  CHECK(as_affine(-x) == affine_form{-1, s0, 0});
  CHECK_FALSE(as_affine(expr(4)));
  CHECK_FALSE(as_affine(x + y));
  CHECK_FALSE(as_affine(pow(x, 2)));
  CHECK_FALSE(as_affine(floordiv(x, 2) + 1));
  CHECK(affine_form{3, s1, -1}.to_expr() == 3 * y - 1);
}

TEST_CASE("expressions order totally") {
  CHECK((x < y) != (y < x));
  std::map<expr, int> m{{x, 1}, {y, 2}, {x + y, 3}, {floordiv(x, 2), 4}};
  CHECK(m.at(y + x) == 3);
  CHECK(m.at(floordiv(2 * x, 4)) == 4);
}
