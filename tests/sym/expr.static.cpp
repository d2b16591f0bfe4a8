// Canonical forms, exact division and evaluation of expr run in constant evaluation.
#include <xport/sym/expr.hpp>

namespace {
using namespace xport::sym;

constexpr symbol a{symbol_kind::backed, 0};
constexpr symbol b{symbol_kind::backed, 1};
constexpr symbol u{symbol_kind::unbacked, 0};

static_assert([] { return floordiv(2 * expr(b), 2) == expr(b); }(), "(2*b)//2 == b");
static_assert([] { return floordiv(expr(a) * b, b) == expr(a); }(), "(a*b)//b == a");
static_assert([] { return mod(3 * expr(b), 3) == 0; }(), "mod(3*b, 3) == 0");
static_assert([] { return expr(a) + a == 2 * expr(a); }());
static_assert([] { return (expr(a) + 1) * (expr(a) - 1) == pow(expr(a), 2) - 1; }());
static_assert([] { return floordiv(4 * expr(a) + 5, 2) == 2 * expr(a) + 2; }());
static_assert([] { return mod(2 * expr(a) + 5, 2) == 1; }());
static_assert([] { return floordiv(floordiv(expr(a), 2), 3) == floordiv(expr(a), 6); }());
static_assert([] { return min(expr(a) + 1, expr(a)) == expr(a); }());
static_assert([] { return max(expr(a), expr(b)) == max(expr(b), expr(a)); }());
static_assert([] { return floordiv(expr(a), 4) != floordiv(expr(a), 2); }());
static_assert([] { return divide_exact(expr(a) * b + b, b) == expr(a) + 1; }());
static_assert([] { return !divide_exact(expr(a) + 1, 2); }());
static_assert([] {
  return evaluate(2 * expr(a) + floordiv(expr(u), 3), bindings{{{a, 5}, {u, -7}}}) == 7;
}());
static_assert([] { return substitute(floordiv(expr(a), 2) + 1, a, 2 * expr(b)) == expr(b) + 1; }());
static_assert([] { return as_affine(2 * expr(a) + 1) == affine_form{2, a, 1}; }());
static_assert([] { return !as_affine(expr(a) * b); }());
static_assert([] { return !as_affine(expr(7)); }());
static_assert([] { return free_symbols(expr(b) * floordiv(expr(a), 2)).size() == 2; }());
static_assert([] { return expr(a).as_symbol() == a; }());
static_assert([] { return (2 * expr(a) + 1).constant_term() == 1; }());
} // namespace
