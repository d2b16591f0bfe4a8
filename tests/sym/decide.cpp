#include <xport/sym/decide.hpp>

#include <doctest/doctest.h>

using namespace xport::sym;

namespace {
const symbol s0{symbol_kind::backed, 0};
const symbol s1{symbol_kind::backed, 1};
const symbol s2{symbol_kind::backed, 2};
const expr x = s0, y = s1, z = s2;
const std::optional<bool> yes = true, no = false, unknown = std::nullopt;

fact_set sizes() { // s0, s1, s2 in [2, int_oo], PyTorch's default for dynamic sizes
  fact_set f;
  for (symbol s : {s0, s1, s2})
    f.refine_range(s, value_range::at_least(2));
  return f;
}
} // namespace

TEST_CASE("ranges decide comparisons") {
  const fact_set f = sizes();
  CHECK(decide(ge(x, 1), f) == yes);
  CHECK(decide(eq(x, 1), f) == no);
  CHECK(decide(ne(x, 0), f) == yes);
  CHECK(decide(ge(x, 5), f) == unknown);
  CHECK(decide(lt(x, 2), f) == no);
  CHECK(decide(gt(x * y, 3), f) == yes);
  CHECK(decide(ge(floordiv(x, 2), 1), f) == yes);
  CHECK(decide(lt(mod(x, 4), 4), f) == yes);
  CHECK(decide(ge(mod(x, 4), 0), f) == yes);
  CHECK(decide(eq(mod(x, 4), 0), f) == unknown);
  CHECK(decide(ge(min(x, y), 2), f) == yes);
  CHECK(decide(ge(max(x, 7), 7), f) == yes);
}

TEST_CASE("structural identities decide without ranges") {
  const fact_set none;
  CHECK(decide(eq(floordiv(2 * y, 2), y), none) == yes);
  CHECK(decide(eq(floordiv(x * y, y), x), none) == yes);
  CHECK(decide(eq(mod(3 * y, 3), 0), none) == yes);
  CHECK(decide(ge(x + 1, x), none) == yes);
  CHECK(decide(lt(x, x), none) == no);
  CHECK(decide(ge(x, y), none) == unknown);
}

TEST_CASE("congruences refute equalities") {
  fact_set f = sizes();
  CHECK(decide(eq(2 * x, 7), f) == no);
  CHECK(decide(eq(2 * x + 4 * y, 5), f) == no);
  CHECK(decide(eq(2 * x + 4 * y, 6), f) == no); // >= 12 by ranges
  CHECK(decide(eq(2 * x + 4 * y, 16), f) == unknown);
  CHECK(f.add(divisible(x, 4)));
  CHECK(decide(eq(mod(x, 4), 0), f) == yes);
  CHECK(decide(eq(mod(x, 2), 0), f) == yes);
  CHECK(decide(eq(x, 6), f) == no);
  CHECK(decide(eq(x + 2 * y, 7), f) == no);
  CHECK(decide(eq(x, 8), f) == unknown);
  fact_set g = sizes();
  CHECK(g.add(divisible(x + y, 2)));
  CHECK(decide(eq(x + y, 9), g) == no);
  CHECK(decide(eq(x + 3 * y, 9), g) == no);
}

TEST_CASE("recorded facts refine ranges and eliminate") {
  fact_set f = sizes();
  CHECK(f.add(le(2 * x + 1, 9)));
  CHECK(f.range_of(s0) == value_range{2, 4});
  CHECK(f.add(ne(x, 4)));
  CHECK(f.range_of(s0) == value_range{2, 3});
  CHECK(f.add(ge(y, x)));
  CHECK(f.relations().size() == 1);
  CHECK(decide(ge(y, 2), f) == yes);
  CHECK(decide(ge(y - x, 0), f) == yes);
  CHECK(decide(lt(y, x), f) == no);
  CHECK(decide(ge(y + z, x + 2), f) == yes);
  CHECK(f.add(eq(z, x + y)));
  CHECK(decide(eq(z - y, x), f) == yes);
  CHECK(decide(ge(z, x + y + 1), f) == no);
}

TEST_CASE("contradictions are reported") {
  fact_set f = sizes();
  CHECK(f.add(le(x, 8)));
  CHECK(f.consistent());
  CHECK_FALSE(f.add(ge(x, 9)));
  CHECK_FALSE(f.consistent());
  fact_set g;
  CHECK_FALSE(g.add(eq(2 * x, 3)));
  fact_set h;
  CHECK_FALSE(h.add(lt(expr(3), 2)));
}

TEST_CASE("bound is an interval over symbol ranges") {
  fact_set f;
  f.refine_range(s0, {2, 8});
  CHECK(bound(2 * x + 1, f) == value_range{5, 17});
  CHECK(bound(mod(x, 4), f) == value_range{0, 3});
  CHECK(bound(floordiv(x, 2), f) == value_range{1, 4});
  CHECK(bound(pow(x, 2), f) == value_range{4, 64});
  // Expanded polynomials bound term by term: loose, but sound.
  CHECK(value_range{0, 9}.is_subset_of(bound(pow(x - 5, 2), f)));
  CHECK(bound(y, f) == value_range::unbounded());
  f.add(divisible(x, 4));
  CHECK(bound(mod(x, 4), f) == value_range::point(0));
}

TEST_CASE("elimination chains through several facts") {
  fact_set f = sizes();
  const symbol s3{symbol_kind::backed, 3};
  const expr w = s3;
  f.refine_range(s3, value_range::at_least(2));
  CHECK(f.add(le(x, y)));
  CHECK(f.add(le(y, z)));
  CHECK(f.add(le(z, w)));
  CHECK(decide(le(x, z), f) == yes);
  CHECK(decide(le(x, w), f) == yes);
  CHECK(decide(gt(x, w), f) == no);
  CHECK(decide(le(x + 1, w), f) == unknown);
  CHECK(decide(le(2 * x, y + w), f) == yes);
}
