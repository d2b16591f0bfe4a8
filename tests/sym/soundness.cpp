// Property test: canonicalisation preserves values, and decide() is sound. Many random
// expressions are checked against a reference evaluator at every assignment of their
// symbols over small ranges.
#include <xport/sym/decide.hpp>
#include <xport/sym/shape_env.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>

using namespace xport::sym;

namespace {

constexpr int n_symbols = 3;

// A reference AST evaluated directly with Python semantics, independent of expr.
struct node {
  enum kind_t { constant, variable, add, sub, mul, floordiv, mod, min, max } kind = constant;
  std::int64_t value = 0;
  std::shared_ptr<node> a, b;
};
using node_ptr = std::shared_ptr<node>;

std::optional<std::int64_t> py_div(std::int64_t x, std::int64_t y) {
  if (y == 0) return std::nullopt;
  std::int64_t q = x / y;
  if (x % y != 0 && ((x < 0) != (y < 0))) --q;
  return q;
}

// nullopt where the expression is undefined (a division by zero somewhere inside).
std::optional<std::int64_t> eval(const node& n, const std::array<std::int64_t, n_symbols>& v) {
  if (n.kind == node::constant) return n.value;
  if (n.kind == node::variable) return v[static_cast<std::size_t>(n.value)];
  const auto x = eval(*n.a, v), y = eval(*n.b, v);
  if (!x || !y) return std::nullopt;
  switch (n.kind) {
  case node::add:
    return *x + *y;
  case node::sub:
    return *x - *y;
  case node::mul:
    return *x * *y;
  case node::floordiv:
    return py_div(*x, *y);
  case node::mod: {
    const auto q = py_div(*x, *y);
    if (!q) return std::nullopt;
    return *x - *q * *y;
  }
  case node::min:
    return *x < *y ? *x : *y;
  case node::max:
    return *x < *y ? *y : *x;
  default:
    return std::nullopt;
  }
}

expr build(const node& n) {
  switch (n.kind) {
  case node::constant:
    return n.value;
  case node::variable:
    return symbol{symbol_kind::backed, static_cast<std::uint32_t>(n.value)};
  case node::add:
    return build(*n.a) + build(*n.b);
  case node::sub:
    return build(*n.a) - build(*n.b);
  case node::mul:
    return build(*n.a) * build(*n.b);
  case node::floordiv:
    return floordiv(build(*n.a), build(*n.b));
  case node::mod:
    return mod(build(*n.a), build(*n.b));
  case node::min:
    return min(build(*n.a), build(*n.b));
  case node::max:
    return max(build(*n.a), build(*n.b));
  }
  return 0;
}

struct generator {
  std::mt19937_64 rng;
  std::int64_t uniform(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  }
  node_ptr leaf() {
    auto n = std::make_shared<node>();
    if (uniform(0, 2) == 0) {
      n->kind = node::constant;
      n->value = uniform(-4, 6);
    } else {
      n->kind = node::variable;
      n->value = uniform(0, n_symbols - 1);
    }
    return n;
  }
  node_ptr tree(int depth) {
    if (depth == 0 || uniform(0, 3) == 0) return leaf();
    auto n = std::make_shared<node>();
    n->kind = static_cast<node::kind_t>(uniform(node::add, node::max));
    n->a = tree(depth - 1);
    // Divisors are mostly small constants (the common case for sizes), sometimes symbolic.
    if ((n->kind == node::floordiv || n->kind == node::mod) && uniform(0, 2) != 0) {
      n->b = std::make_shared<node>();
      n->b->value = uniform(1, 4) * (uniform(0, 4) == 0 ? -1 : 1);
    } else {
      n->b = tree(depth - 1);
    }
    return n;
  }
};

template <class F>
void for_each_assignment(const std::array<value_range, n_symbols>& ranges, F&& f) {
  std::array<std::int64_t, n_symbols> v{};
  for (v[0] = ranges[0].lo; v[0] <= ranges[0].hi; ++v[0])
    for (v[1] = ranges[1].lo; v[1] <= ranges[1].hi; ++v[1])
      for (v[2] = ranges[2].lo; v[2] <= ranges[2].hi; ++v[2])
        f(v);
}

std::int64_t value_of(const std::array<std::int64_t, n_symbols>& v, symbol s) {
  return v[s.index];
}

} // namespace

TEST_CASE("canonical expressions evaluate like the expressions they were built from") {
  generator gen{std::mt19937_64{20260101}};
  int checked = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    const node_ptr n = gen.tree(4);
    const std::array<value_range, n_symbols> ranges{value_range{-3, 4}, value_range{-2, 3},
                                                    value_range{1, 4}};
    expr e;
    try {
      e = build(*n);
    } catch (const xport::value_error&) {
      // A divisor that is 0 as a polynomial: the expression is undefined wherever it is
      // evaluated.
      for_each_assignment(ranges, [&](const std::array<std::int64_t, n_symbols>& v) {
        REQUIRE_FALSE(eval(*n, v));
      });
      continue;
    }
    for_each_assignment(ranges, [&](const std::array<std::int64_t, n_symbols>& v) {
      const auto want = eval(*n, v);
      if (!want) return;
      ++checked;
      const std::int64_t got = evaluate(e, [&](symbol s) { return value_of(v, s); });
      if (got != *want) {
        INFO("expr " << e << " at s0=" << v[0] << " s1=" << v[1] << " s2=" << v[2]);
        CHECK(got == *want);
      }
    });
  }
  CHECK(checked > 100000);
}

TEST_CASE("decide is sound: a definite answer holds at every allowed assignment") {
  generator gen{std::mt19937_64{7}};
  int decided = 0, total = 0;
  for (int iter = 0; iter < 5000; ++iter) {
    // Random small ranges, sometimes only positive (sizes), sometimes straddling 0.
    std::array<value_range, n_symbols> ranges{};
    for (auto& r : ranges) {
      const std::int64_t lo = gen.uniform(-3, 3);
      r = {lo, lo + gen.uniform(0, 4)};
    }
    fact_set facts;
    for (std::uint32_t i = 0; i < n_symbols; ++i)
      facts.refine_range(symbol{symbol_kind::backed, i}, ranges[i]);
    // Extra facts that the brute force must respect as well.
    std::vector<relation> extras;
    const expr s0 = symbol{symbol_kind::backed, 0}, s1 = symbol{symbol_kind::backed, 1},
               s2 = symbol{symbol_kind::backed, 2};
    for (std::int64_t n = gen.uniform(0, 3); n > 0; --n) {
      switch (gen.uniform(0, 4)) {
      case 0:
        extras.push_back(divisible(s0, gen.uniform(2, 3)));
        break;
      case 1:
        extras.push_back(le(s0, s1 + gen.uniform(-1, 1)));
        break;
      case 2:
        extras.push_back(divisible(s0 + s1, 2));
        break;
      case 3:
        extras.push_back(le(s1, s2 + gen.uniform(-1, 1)));
        break;
      default:
        extras.push_back(eq(s2, s0 + gen.uniform(-1, 1)));
        break;
      }
      facts.add(extras.back());
    }

    const node_ptr a = gen.tree(3), b = gen.tree(2);
    const auto op = static_cast<rel_op>(gen.uniform(0, 5));
    relation r;
    try {
      r = relation{op, build(*a), build(*b)};
    } catch (const xport::value_error&) {
      continue; // a divisor that is identically 0 (checked by the test above)
    }
    const auto verdict = decide(r, facts);
    ++total;
    if (!verdict) continue;
    ++decided;
    for_each_assignment(ranges, [&](const std::array<std::int64_t, n_symbols>& v) {
      const auto lookup = [&](symbol s) { return value_of(v, s); };
      for (const relation& e : extras)
        if (!evaluate(e, lookup)) return;
      const auto x = eval(*a, v), y = eval(*b, v);
      if (!x || !y) return;
      bool truth = false;
      switch (op) {
      case rel_op::eq:
        truth = *x == *y;
        break;
      case rel_op::ne:
        truth = *x != *y;
        break;
      case rel_op::lt:
        truth = *x < *y;
        break;
      case rel_op::le:
        truth = *x <= *y;
        break;
      case rel_op::gt:
        truth = *x > *y;
        break;
      case rel_op::ge:
        truth = *x >= *y;
        break;
      }
      if (truth != *verdict) {
        INFO("relation " << r << " decided " << *verdict << " but at s0=" << v[0] << " s1=" << v[1]
                         << " s2=" << v[2] << " it is " << truth);
        INFO("ranges " << ranges[0] << " " << ranges[1] << " " << ranges[2]);
        for (const relation& e : extras)
          INFO("fact " << e);
        CHECK(truth == *verdict);
      }
    });
  }
  // The procedure must also be useful, not only sound.
  CHECK(decided > total / 3);
  MESSAGE("decided " << decided << " of " << total);
}

// Tracing never contradicts its example, and what a ShapeEnv concludes holds for every
// input that passes its guards: replacements, ranges and statically decided answers.
TEST_CASE("ShapeEnv conclusions hold for every input that satisfies its guards") {
  generator gen{std::mt19937_64{11}};
  const value_range box{2, 6};
  int traces = 0, static_answers = 0;
  for (int iter = 0; iter < 300; ++iter) {
    ShapeEnv env;
    std::array<std::int64_t, n_symbols> hints{};
    for (std::size_t i = 0; i < n_symbols; ++i) {
      hints[i] = gen.uniform(box.lo, box.hi);
      const expr e = env.create_size(hints[i], "x" + std::to_string(i), box);
      REQUIRE(e.as_symbol() == symbol{symbol_kind::backed, static_cast<std::uint32_t>(i)});
    }
    struct answer {
      relation rel;
      bool value;
    };
    std::vector<answer> answers;
    for (int q = 0; q < 8; ++q) {
      const node_ptr a = gen.tree(2), b = gen.tree(2);
      const auto x = eval(*a, hints), y = eval(*b, hints);
      if (!x || !y) continue;
      relation r;
      try {
        r = relation{static_cast<rel_op>(gen.uniform(0, 5)), build(*a), build(*b)};
      } catch (const xport::value_error&) {
        continue;
      }
      const auto known = env.statically_known(r);
      const bool got = env.evaluate(r, "op");
      if (got != evaluate(r, [&](symbol s) { return hints[s.index]; })) {
        INFO("traced " << r << " as " << got << " at hints " << hints[0] << ", " << hints[1] << ", "
                       << hints[2] << "; statically known: " << known.has_value());
        for (const guard& g : env.guards())
          MESSAGE("guard " << g.rel);
        for (const auto& [k, e] : env.replacements())
          MESSAGE("repl " << to_string(k) << " -> " << e);
        for (const relation& f : env.facts().relations())
          MESSAGE("fact " << f);
        for (const auto& [e, k] : env.facts().divisibility())
          MESSAGE("div " << e << " % " << k);
        for (const auto& i : env.symbols())
          MESSAGE("range " << to_string(i.sym) << " " << i.range);
        CHECK(got == !got);
      }
      if (known) {
        CHECK(*known == got);
        answers.push_back({r, got});
      }
    }
    ++traces;
    static_answers += static_cast<int>(answers.size());
    for_each_assignment({box, box, box}, [&](const std::array<std::int64_t, n_symbols>& v) {
      const auto at = [&](symbol s) { return v[s.index]; };
      // nullopt where r is undefined (a division by zero): no claim is made there.
      const auto holds = [&](const relation& r) -> std::optional<bool> {
        try {
          return evaluate(r, at);
        } catch (const xport::value_error&) {
          return std::nullopt;
        }
      };
      for (const guard& g : env.guards())
        if (holds(g.rel) == false) return; // this input is refused by the guards
      for (const auto& [k, e] : env.replacements())
        REQUIRE(holds(eq(expr(k), e)));
      for (const symbol_info& i : env.symbols())
        REQUIRE(i.range.contains(v[i.sym.index]));
      for (const answer& x : answers)
        if (const auto h = holds(x.rel); h && *h != x.value) {
          INFO("statically decided " << x.rel << " = " << x.value);
          CHECK(*h == x.value);
        }
    });
  }
  CHECK(traces == 300);
  MESSAGE("static answers checked: " << static_answers);
}
