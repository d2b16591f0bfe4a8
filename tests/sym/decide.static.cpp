// The decision procedure runs in constant evaluation.
#include <xport/sym/decide.hpp>

namespace {
using namespace xport::sym;

constexpr symbol a{symbol_kind::backed, 0};
constexpr symbol b{symbol_kind::backed, 1};

constexpr fact_set sizes() {
  fact_set f;
  f.refine_range(a, value_range::at_least(2));
  f.refine_range(b, value_range{2, 16});
  return f;
}

static_assert([] { return decide(ge(expr(a), 1), sizes()) == true; }());
static_assert([] { return decide(eq(expr(a), 1), sizes()) == false; }());
static_assert([] { return !decide(ge(expr(a), 5), sizes()).has_value(); }());
static_assert([] { return decide(le(expr(b) * 2, 32), sizes()) == true; }());
static_assert([] { return decide(eq(floordiv(2 * expr(b), 2), b), fact_set{}) == true; }());
static_assert([] {
  fact_set f = sizes();
  f.add(divisible(expr(a), 4));
  return decide(eq(expr(a), 6), f) == false && decide(eq(mod(expr(a), 2), 0), f) == true;
}());
static_assert([] { return bound(2 * expr(b) + 1, sizes()) == value_range{5, 33}; }());
static_assert([] { return relation(gt(2 * expr(a), 3)).canonical() == ge(expr(a) - 2, 0); }());
} // namespace
