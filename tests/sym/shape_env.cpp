#include <xport/sym/shape_env.hpp>

#include <doctest/doctest.h>

using namespace xport::sym;

TEST_CASE("sizes: backed symbols, default ranges and the 0/1 policy") {
  ShapeEnv env;
  CHECK(env.settings().specialize_zero_one);
  const expr x = env.create_size(8, "x.size(0)");
  REQUIRE(x.as_symbol());
  const symbol s0 = *x.as_symbol();
  CHECK(to_string(x) == "s0");
  CHECK(env.info(s0).hint == 8);
  CHECK(env.info(s0).source == "x.size(0)");
  CHECK(env.range_of(s0) == value_range::at_least(2));
  CHECK(env.info(s0).declared == value_range::at_least(2));

  // Example sizes 0 and 1 become static and are recorded.
  CHECK(env.create_size(1, "y.size(0)") == 1);
  CHECK(env.create_size(0, "y.size(1)") == 0);
  REQUIRE(env.specializations().size() == 2);
  CHECK(env.specializations()[0].source == "y.size(0)");
  CHECK(env.specializations()[0].value == 1);

  // A user range is met with the default one.
  const expr z = env.create_size(4, "z.size(0)", {0, 16});
  CHECK(to_string(z) == "s1");
  CHECK(env.range_of(*z.as_symbol()) == value_range{2, 16});

  CHECK_THROWS_WITH_AS(env.create_size(20, "w.size(0)", {2, 16}),
                       doctest::Contains("20 not in range [2, 16] for w.size(0)"),
                       xport::constraint_violation);
  CHECK_THROWS_WITH_AS(env.create_size(-1, "w.size(0)"), doctest::Contains("cannot be negative"),
                       xport::value_error);
  CHECK_THROWS_AS(env.info(symbol{symbol_kind::backed, 99}), xport::value_error);
}

TEST_CASE("without 0/1 specialization, 0 and 1 stay symbolic") {
  ShapeEnv env(shape_env_settings{.specialize_zero_one = false});
  const expr x = env.create_size(1, "x.size(0)");
  REQUIRE(x.as_symbol());
  CHECK(env.range_of(*x.as_symbol()) == value_range::at_least(0));
  CHECK(env.specializations().empty());
  // The question whether x == 1 is now a guard.
  CHECK(env.evaluate(eq(x, 1), "aten::expand"));
  REQUIRE(env.guards().size() == 1);
  CHECK(to_string(env.guards()[0].rel) == "Eq(s0, 1)");
}

TEST_CASE("comparisons decided by ranges record no guard") {
  ShapeEnv env;
  const expr x = env.create_size(8, "x.size(0)");
  CHECK(env.evaluate(ge(x, 1), "aten::view"));
  CHECK_FALSE(env.evaluate(eq(x, 1), "aten::expand"));
  CHECK(env.evaluate(ne(x, 0), "aten::div"));
  CHECK(env.evaluate(ge(mod(x, 4), 0)));
  CHECK(env.guards().empty());
}

TEST_CASE("the hint decides the rest, and a guard remembers op and source line") {
  ShapeEnv env;
  const expr x = env.create_size(8, "x.size(0)");
  const symbol s0 = *x.as_symbol();
  const auto line = xport::source_location::current().line() + 1;
  CHECK(env.evaluate(le(x, 16), "aten::view"));
  REQUIRE(env.guards().size() == 1);
  const guard& g = env.guards()[0];
  CHECK(to_string(g.rel) == "s0 <= 16");
  CHECK(g.op == "aten::view");
  CHECK(g.where.line() == line);
  CHECK(std::string(g.where.file_name()).find("shape_env.cpp") != std::string::npos);
  CHECK(env.range_of(s0) == value_range{2, 16});
  // Now decided by the refined range: no second guard.
  CHECK(env.evaluate(lt(x, 17)));
  CHECK(env.guards().size() == 1);

  // A false comparison records its negation.
  CHECK_FALSE(env.evaluate(gt(x, 10), "aten::slice"));
  REQUIRE(env.guards().size() == 2);
  CHECK(to_string(env.guards()[1].rel) == "s0 <= 10");
  CHECK(env.range_of(s0) == value_range{2, 10});
}

TEST_CASE("equalities become range-preserving replacements") {
  ShapeEnv env;
  const expr x = env.create_size(8, "x.size(0)", {2, 32});
  const expr y = env.create_size(8, "y.size(0)");
  const symbol s0 = *x.as_symbol(), s1 = *y.as_symbol();
  CHECK(env.evaluate(eq(y, x), "aten::add"));
  REQUIRE(env.replacements().size() == 1);
  CHECK(env.replacements().at(s1) == x);
  CHECK(env.simplify(2 * y + 1) == 2 * x + 1);
  CHECK(env.evaluate(eq(x - y, 0))); // decided structurally now
  CHECK(env.guards().size() == 1);
  CHECK(env.range_of(s0) == value_range{2, 32});

  // z == 2*x + 1: the newest symbol is replaced, and x's range narrows to keep z's range.
  const expr z = env.create_size(17, "z.size(0)", {2, 41});
  CHECK(env.evaluate(eq(z, 2 * x + 1), "aten::cat"));
  CHECK(env.replacements().at(*z.as_symbol()) == 2 * x + 1);
  CHECK(env.range_of(s0) == value_range{2, 20});
}

TEST_CASE("a replacement that would widen a range is not made") {
  ShapeEnv env;
  const expr x = env.create_size(6, "x.size(0)");
  const expr y = env.create_size(3, "y.size(0)");
  // x == 2*y: y -> x/2 is not a polynomial; x -> 2*y keeps x's range [2, oo].
  CHECK(env.evaluate(eq(x, 2 * y), "aten::view"));
  CHECK(env.replacements().at(*x.as_symbol()) == 2 * y);

  ShapeEnv env2;
  const symbol a = env2.create_backed_symbol(5, "a", {0, 10});
  const symbol b = env2.create_backed_symbol(5, "b", {-100, 100});
  // b -> a keeps b's range; preferred as the newer symbol. b then has a's values.
  CHECK(env2.evaluate(eq(expr(a), expr(b))));
  CHECK(env2.replacements().at(b) == expr(a));
  CHECK(env2.range_of(b) == value_range{0, 10});
  CHECK(env2.info(b).declared == value_range{-100, 100});

  ShapeEnv env3;
  const symbol c = env3.create_backed_symbol(5, "c", {0, 10});
  const symbol d = env3.create_backed_symbol(-5, "d", {-100, 100});
  // d == -c: d -> -c keeps d's range once c's range is narrowed; fine either way.
  CHECK(env3.evaluate(eq(expr(c) + expr(d), 0)));
  REQUIRE(env3.replacements().size() == 1);
  CHECK(env3.replacements().at(d) == -expr(c));
}

TEST_CASE("divisibility guards make later division exact") {
  ShapeEnv env;
  const expr x = env.create_size(8, "x.size(0)");
  CHECK(env.evaluate(eq(mod(x, 4), 0), "aten::view"));
  REQUIRE(env.guards().size() == 1);
  CHECK(to_string(env.guards()[0].rel) == "Eq(Mod(s0, 4), 0)");
  CHECK(env.facts().divisibility().size() == 1);
  CHECK(env.evaluate(eq(mod(x, 2), 0))); // implied: no new guard
  CHECK_FALSE(env.evaluate(eq(x, 6)));
  CHECK(env.guards().size() == 1);
  CHECK(env.simplify(mod(x, 4) + 1) == 1);
}

TEST_CASE("evaluate_int specializes a symbol to its hint") {
  ShapeEnv env;
  const expr x = env.create_size(8, "x.size(0)");
  CHECK(env.evaluate_int(2 * x, "aten::tolist") == 16);
  REQUIRE(env.guards().size() == 1);
  CHECK(to_string(env.guards()[0].rel) == "Eq(2*s0, 16)");
  CHECK(env.simplify(x) == 8);
  CHECK(env.range_of(*x.as_symbol()) == value_range::point(8));
  CHECK(env.evaluate_int(x + 1) == 9);
  CHECK(env.guards().size() == 1);
}

TEST_CASE("unbacked symbols: data-dependent errors suggest a check") {
  ShapeEnv env;
  const symbol u0 = env.create_unbacked_size();
  CHECK(to_string(u0) == "u0");
  CHECK_FALSE(env.info(u0).hint);
  CHECK(env.info(u0).size_like);
  CHECK(env.evaluate(ge(expr(u0), 0))); // decided by its range
  CHECK_THROWS_WITH_AS(env.evaluate(eq(expr(u0), 1), "aten::expand"),
                       doctest::Contains("Could not guard on data-dependent expression Eq(u0, 1)"),
                       xport::data_dependent_error);
  CHECK_THROWS_WITH_AS(env.evaluate(eq(expr(u0), 1), "aten::expand"),
                       doctest::Contains("xport::check(u0 == 1) or xport::check(u0 != 1)"),
                       xport::data_dependent_error);
  CHECK_THROWS_WITH_AS(env.evaluate(eq(expr(u0), 1), "aten::expand"),
                       doctest::Contains("Caused by: aten::expand at "),
                       xport::data_dependent_error);
  CHECK_THROWS_WITH_AS(env.evaluate(eq(expr(u0), 1)), doctest::Contains("Size-like symbols: u0"),
                       xport::data_dependent_error);
  CHECK_THROWS_WITH_AS(env.evaluate_int(expr(u0) + 1),
                       doctest::Contains("Could not extract specialized integer"),
                       xport::data_dependent_error);
  CHECK(env.guards().empty());
  CHECK_FALSE(env.guard_or_false(eq(expr(u0), 1)));
  CHECK(env.guard_or_true(eq(expr(u0), 1)));
  CHECK_FALSE(env.statically_known(eq(expr(u0), 1)));
}

TEST_CASE("check adds a runtime assert and refines ranges") {
  ShapeEnv env;
  const symbol u0 = env.create_unbacked_symbol();
  const auto line = xport::source_location::current().line() + 1;
  env.check(ge(expr(u0), 4), "n must be at least 4");
  REQUIRE(env.runtime_asserts().size() == 1);
  CHECK(to_string(env.runtime_asserts()[0].rel) == "u0 >= 4");
  CHECK(env.runtime_asserts()[0].message == "n must be at least 4");
  CHECK(env.runtime_asserts()[0].where.line() == line);
  CHECK(env.range_of(u0) == value_range::at_least(4));
  CHECK_FALSE(env.evaluate(eq(expr(u0), 1))); // decidable now, no error
  env.check(ge(expr(u0), 2));                 // implied: nothing recorded
  CHECK(env.runtime_asserts().size() == 1);
  CHECK_THROWS_WITH_AS(env.check(le(expr(u0), 3)),
                       doctest::Contains("xport::check(u0 <= 3) can never hold: u0 is in "
                                         "VR[4, int_oo]"),
                       xport::constraint_violation);

  // An equality with a backed size replaces the unbacked symbol.
  const expr x = env.create_size(8, "x.size(0)");
  env.check(eq(expr(u0), x));
  CHECK(env.replacements().at(u0) == x);
  CHECK(env.hint_of(2 * expr(u0)) == 16);
  CHECK(env.range_of(*x.as_symbol()) == value_range::at_least(4));
}

TEST_CASE("check on backed symbols must hold for the example") {
  ShapeEnv env;
  const expr x = env.create_size(8, "x.size(0)");
  CHECK_THROWS_WITH_AS(env.check(le(x, 4)),
                       doctest::Contains("s0 is in VR[2, int_oo] with example value 8"),
                       xport::constraint_violation);
  env.check(le(x, 64));
  CHECK(env.range_of(*x.as_symbol()) == value_range{2, 64});
  CHECK(env.guards().empty());
}

TEST_CASE("simplify folds atoms that ranges decide") {
  ShapeEnv env;
  const symbol a = env.create_backed_symbol(3, "a", {0, 7});
  const expr x = a;
  CHECK(env.simplify(floordiv(x, 8)) == 0);
  CHECK(env.simplify(mod(x, 8)) == x);
  CHECK(env.simplify(min(x, 9)) == x);
  CHECK(env.simplify(max(x, 9)) == 9);
  CHECK(env.simplify(max(x, 5)) == max(x, 5));
  CHECK(env.bound(2 * x) == value_range{0, 14});
  CHECK(env.hint_of(2 * x + 1) == 7);
}

TEST_CASE("an equality no replacement can keep in range stays a fact") {
  ShapeEnv env;
  const expr x = env.create_size(3, "x.size(0)");
  const expr y = env.create_size(4, "y.size(0)");
  const expr z = env.create_size(7, "z.size(0)", {2, 10});
  // z -> x + y could exceed 10; x -> z - y and y -> z - x could go below 2.
  CHECK(env.evaluate(eq(z, x + y), "aten::cat"));
  CHECK(env.replacements().empty());
  REQUIRE(env.facts().relations().size() == 1);
  CHECK(env.statically_known(eq(z - x, y)) == true);
  CHECK(env.statically_known(le(x + y, 10)) == true);
  CHECK(env.guards().size() == 1);
}

TEST_CASE("replacements compose and stay fully simplified") {
  ShapeEnv env;
  std::vector<expr> s;
  for (int i = 0; i < 5; ++i)
    s.push_back(env.create_size(10 + i, "x" + std::to_string(i)));
  for (std::size_t i = 0; i + 1 < s.size(); ++i)
    CHECK(env.evaluate(eq(s[i + 1], s[i] + 1)));
  CHECK(env.replacements().size() == 4);
  for (const auto& [k, v] : env.replacements()) {
    CHECK(free_symbols(v) == std::vector<symbol>{*s[0].as_symbol()});
    CHECK(env.hint_of(v) == env.info(k).hint);
  }
  CHECK(env.simplify(s[4] - s[0]) == 4);
}
