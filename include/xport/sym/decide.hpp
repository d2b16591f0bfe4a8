//! @file
//! `fact_set` (symbol ranges, divisibility and relational facts) and the sound decision
//! procedure `decide(relation, facts)` that answers true, false or unknown.
#pragma once

#include <xport/sym/expr.hpp>
#include <xport/sym/range.hpp>
#include <xport/sym/relation.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace xport::sym {

//! @brief What is known about symbols: a value range per symbol, divisibility facts
//! `e % k == 0`, and relational facts `e >= 0` / `Eq(e, 0)` over several symbols.
//!
//! `add()` files each fact where it is most useful: a fact on one symbol refines that
//! symbol's range (`2*s0 + 1 <= 9` makes `s0 <= 4`), `Eq(Mod(e, k), 0)` becomes a
//! divisibility fact, the rest is kept for elimination. A fact set that became
//! contradictory reports `consistent() == false`. Usable in constant evaluation.
class fact_set {
public:
  //! @brief The known range of `s`; `unbounded()` if nothing is known.
  constexpr value_range range_of(symbol s) const noexcept {
    const auto it = find(s);
    if (it != ranges_.end() && it->first == s) return it->second;
    return value_range::unbounded();
  }

  //! @brief Intersects the range of `s` with `r` (facts only ever narrow it).
  //! @return the new range (empty when the facts contradict).
  constexpr value_range refine_range(symbol s, const value_range& r) {
    const auto it = find(s);
    if (it != ranges_.end() && it->first == s) return it->second = intersect(it->second, r);
    ranges_.insert(it, std::pair{s, r});
    return r;
  }

  //! @brief Rewrites the divisibility and relational facts that mention `x` with
  //! `x -> by` (after learning `Eq(x, by)`); ranges are kept.
  constexpr void replace(symbol x, const expr& by) {
    for (auto& [e, k] : divisible_)
      if (has_symbol(e, x)) e = substitute(e, x, by);
    bool trivial = false;
    for (const std::size_t i : relations_mentioning(x)) {
      relation& f = relations_[i];
      if (!has_symbol(f.lhs, x)) continue;
      f = relation{f.op, substitute(f.lhs, x, by), 0}.canonical();
      trivial = trivial || f.lhs.is_constant();
      index_relation(i); // x's stale entry is harmless: the relation no longer matches it
    }
    if (!trivial) return;
    // Facts that became constant say nothing more (or were contradictions, which the
    // caller's consistency check reports); drop them and re-index.
    std::erase_if(relations_, [](const relation& f) { return f.lhs.is_constant(); });
    rel_index_.clear();
    for (std::size_t i = 0; i < relations_.size(); ++i)
      index_relation(i);
  }

  //! @brief Records `r` as known to hold; returns false if that makes the facts
  //! contradictory (an empty range, or a relation that is false under the facts).
  //!
  //! `add(ge(s0, 2))` narrows `s0` to `[2, ...]`; `add(divisible(s0, 4))` records
  //! `s0 % 4 == 0`; `add(le(s0, s1))` keeps `s1 - s0 >= 0` for elimination.
  constexpr bool add(const relation& r);

  //! @brief The divisibility facts `(e, k)`, each meaning `e % k == 0` with `k > 1`.
  constexpr const std::vector<std::pair<expr, std::int64_t>>& divisibility() const noexcept {
    return divisible_;
  }
  //! @brief The multi-symbol facts, canonical (`e >= 0` or `Eq(e, 0)` with rhs 0).
  constexpr const std::vector<relation>& relations() const noexcept { return relations_; }
  //! @brief Positions in `relations()` of the facts that mention `s`.
  constexpr std::vector<std::size_t> relations_mentioning(symbol s) const {
    std::vector<std::size_t> out;
    auto it = std::lower_bound(rel_index_.begin(), rel_index_.end(), std::pair{s, std::size_t{0}});
    for (; it != rel_index_.end() && it->first == s; ++it)
      out.push_back(it->second);
    return out;
  }
  //! @brief Positions in `relations()` of the facts that share a symbol with `e`, sorted.
  constexpr std::vector<std::size_t> relations_mentioning(const expr& e) const {
    std::vector<std::size_t> out;
    for (const symbol s : free_symbols(e))
      for (const std::size_t i : relations_mentioning(s))
        out.push_back(i);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
  //! @brief Every (symbol, range) pair recorded, sorted by symbol.
  constexpr const std::vector<std::pair<symbol, value_range>>& ranges() const noexcept {
    return ranges_;
  }
  //! @brief False once a contradictory fact was added.
  constexpr bool consistent() const noexcept { return consistent_; }

private:
  // Sorted by symbol, so lookups are logarithmic in the number of symbols.
  using range_list = std::vector<std::pair<symbol, value_range>>;
  constexpr range_list::const_iterator find(symbol s) const noexcept {
    return std::lower_bound(ranges_.begin(), ranges_.end(), s,
                            [](const auto& p, symbol k) { return p.first < k; });
  }
  constexpr range_list::iterator find(symbol s) noexcept {
    return std::lower_bound(ranges_.begin(), ranges_.end(), s,
                            [](const auto& p, symbol k) { return p.first < k; });
  }

  std::vector<std::pair<symbol, value_range>> ranges_;
  std::vector<std::pair<expr, std::int64_t>> divisible_;
  std::vector<relation> relations_;
  // (symbol, position in relations_) for every symbol of every relation, sorted; lets
  // elimination look only at the facts that can cancel a term.
  std::vector<std::pair<symbol, std::size_t>> rel_index_;

  constexpr void index_relation(std::size_t i) {
    for (const symbol s : free_symbols(relations_[i].lhs)) {
      const std::pair entry{s, i};
      const auto it = std::lower_bound(rel_index_.begin(), rel_index_.end(), entry);
      if (it == rel_index_.end() || *it != entry) rel_index_.insert(it, entry);
    }
  }
  bool consistent_ = true;
};

//! @brief A sound interval for the values of `e` under `facts` (interval arithmetic over
//! the symbols' ranges; a known-divisible `Mod` is 0).
//!
//! With `s0` in `[2, 8]`: `bound(2*s0 + 1)` is `VR[5, 17]`, `bound(Mod(s0, 4))` is
//! `VR[0, 3]`.
constexpr value_range bound(const expr& e, const fact_set& facts);

//! @brief Decides `r` under `facts`: `true` or `false` when every assignment allowed by
//! the facts agrees, `std::nullopt` (unknown) otherwise. Sound: a definite answer is never
//! wrong; unknown is always allowed.
//!
//! Uses, in order: the canonical form (`(2*s0)//2 >= s0` is true structurally), intervals
//! of the difference, congruences (`Eq(2*s0, 7)` is false; with `s0 % 4 == 0`,
//! `Eq(Mod(s0 + 2, 4), 0)` is false), and one-step elimination against recorded facts
//! (`s1 >= s0` and `s0 >= 2` decide `s1 >= 2`).
//! With `s0` in `[2, int_oo]`: `decide(ge(s0, 1))` is true, `decide(eq(s0, 1))` false,
//! `decide(ge(s0, 5))` unknown.
constexpr std::optional<bool> decide(const relation& r, const fact_set& facts);

namespace detail {

// A congruence class: values are r (mod m); m == 0 means exactly r.
struct congruence {
  std::int64_t m = 1;
  std::int64_t r = 0;
};

constexpr congruence normalize(congruence c) {
  if (c.m < 0) c.m = -c.m;
  if (c.m > 0) c.r = py_mod(c.r, c.m);
  return c;
}

constexpr congruence cong_add(congruence a, congruence b) {
  std::int64_t r = 0;
  const std::int64_t m = gcd(a.m, b.m);
  if (m != 0) {
    if (__builtin_add_overflow(py_mod(a.r, m), py_mod(b.r, m), &r)) return {1, 0};
    return normalize({m, r});
  }
  if (__builtin_add_overflow(a.r, b.r, &r)) return {1, 0};
  return {0, r};
}

constexpr congruence cong_mul(congruence a, congruence b) {
  // (ma*x + ra)(mb*y + rb) = ma*mb*xy + ma*rb*x + mb*ra*y + ra*rb
  std::int64_t p1 = 0, p2 = 0, p3 = 0, rr = 0;
  if (__builtin_mul_overflow(a.m, b.m, &p1) || __builtin_mul_overflow(a.m, b.r, &p2)
      || __builtin_mul_overflow(b.m, a.r, &p3) || __builtin_mul_overflow(a.r, b.r, &rr))
    return {1, 0};
  return normalize({gcd(gcd(p1, p2), p3), rr});
}

constexpr bool known_divisible(const expr& e, std::int64_t k, const fact_set& facts) {
  for (const auto& [g, m] : facts.divisibility())
    if (m % k == 0 && g == e) return true;
  return false;
}

constexpr congruence congruence_of(const expr& e, const fact_set& facts);

constexpr congruence congruence_of_atom(const atom& a, const fact_set& facts) {
  if (a.is_symbol()) {
    const value_range r = facts.range_of(a.sym);
    if (r.is_singleton()) return {0, r.lo};
    std::int64_t m = 1;
    const expr s = a.sym;
    for (const auto& [g, k] : facts.divisibility()) {
      if (g != s) continue;
      std::int64_t l = 0; // lcm(m, k)
      if (__builtin_mul_overflow(m / gcd(m, k), k, &l)) continue;
      m = l;
    }
    return {m, 0};
  }
  if (a.op == op_kind::mod) {
    if (const auto k = a.args[1].constant(); k && *k != 0 && known_divisible(a.args[0], *k, facts))
      return {0, 0};
  }
  return {1, 0};
}

constexpr congruence congruence_of(const expr& e, const fact_set& facts) {
  congruence total{0, 0};
  for (const monomial& t : e.terms()) {
    congruence term{0, t.coeff};
    for (const factor& f : t.factors) {
      const congruence base = congruence_of_atom(f.base, facts);
      for (std::uint32_t i = 0; i < f.exp; ++i)
        term = cong_mul(term, base);
    }
    total = cong_add(total, term);
  }
  return total;
}

// Can `d == 0` be ruled out by congruences? Also uses composite divisibility facts
// g % k == 0: d == d - t*g (mod k) for a t that cancels a term of g.
constexpr bool congruence_excludes_zero(const expr& d, const fact_set& facts) {
  const congruence c = congruence_of(d, facts);
  if (c.r != 0) return true; // exactly a nonzero constant, or a nonzero residue

  for (const auto& [g, k] : facts.divisibility()) {
    if (g.terms().empty()) continue;
    const monomial& lead = g.terms().front();
    for (const monomial& t : d.terms()) {
      if (detail::compare_monomial(t, lead) != 0 || t.coeff % lead.coeff != 0) continue;
      const expr rest = d - expr(t.coeff / lead.coeff) * g;
      congruence rc = congruence_of(rest, facts);
      rc = normalize({gcd(rc.m, k), rc.r});
      if (rc.m != 0 && rc.r != 0) return true;
    }
  }
  return false;
}

constexpr value_range bound_atom(const atom& a, const fact_set& facts) {
  if (a.is_symbol()) return facts.range_of(a.sym);
  const expr& x = a.args[0];
  const expr& y = a.args[1];
  switch (a.op) {
  case op_kind::floordiv:
    return floordiv(bound(x, facts), bound(y, facts));
  case op_kind::mod:
    if (const auto k = y.constant(); k && *k != 0 && known_divisible(x, *k, facts))
      return value_range::point(0);
    return mod(bound(x, facts), bound(y, facts));
  case op_kind::min:
    return min(bound(x, facts), bound(y, facts));
  case op_kind::max:
    return max(bound(x, facts), bound(y, facts));
  }
  return value_range::unbounded();
}

// Multiplies a term's coefficient and factors into an interval. Each atom is bounded once
// and raised with `pow`, so even powers stay non-negative.
constexpr value_range bound_monomial(const monomial& t, const fact_set& facts) {
  value_range r = value_range::point(t.coeff);
  for (const factor& f : t.factors)
    r = r * pow(bound_atom(f.base, facts), f.exp);
  return r;
}

// Proves d >= 0 by intervals, or by elimination against recorded facts: d = (d - c*g) + c*g
// where g >= 0 and c > 0 (or Eq(g, 0) and any c) and d - c*g >= 0 is proved in turn. Each
// step cancels a term of d; `depth` bounds the chain (transitivity a <= b <= c <= d takes
// three steps) and `budget` the total work, so a large fact set cannot blow up a query.
constexpr bool prove_nonneg(const expr& d, const fact_set& facts, int depth, int& budget) {
  const value_range b = bound(d, facts);
  if (b.is_empty()) return false; // vacuous facts: claim nothing
  if (b.lo >= 0) return true;
  if (depth == 0 || b.hi < 0) return false;
  for (const std::size_t i : facts.relations_mentioning(d)) {
    const relation& f = facts.relations()[i];
    const expr& g = f.lhs;
    for (const monomial& tg : g.terms()) {
      if (tg.factors.empty()) continue;
      for (const monomial& td : d.terms()) {
        if (detail::compare_monomial(td, tg) != 0 || td.coeff % tg.coeff != 0) continue;
        const std::int64_t c = td.coeff / tg.coeff;
        if (f.op == rel_op::ge && c <= 0) continue;
        if (--budget < 0) return false;
        if (prove_nonneg(d - expr(c) * g, facts, depth - 1, budget)) return true;
      }
    }
  }
  return false;
}

// Tri-state d >= 0: proved, refuted (-d - 1 >= 0 proved), or unknown.
constexpr std::optional<bool> decide_nonneg(const expr& d, const fact_set& facts) {
  constexpr int depth = 3;
  int budget = 64;
  const value_range b = bound(d, facts);
  if (b.is_empty()) return std::nullopt; // vacuous: the facts admit no value; stay silent
  if (b.lo >= 0) return true;
  if (b.hi < 0) return false;
  if (prove_nonneg(d, facts, depth, budget)) return true;
  budget = 64;
  if (prove_nonneg(-d - 1, facts, depth, budget)) return false;
  return std::nullopt;
}

constexpr std::optional<bool> decide_zero(const expr& d, const fact_set& facts) {
  if (const auto c = d.constant()) return *c == 0;
  const value_range b = bound(d, facts);
  if (b.is_empty()) return std::nullopt;
  if (b.lo == 0 && b.hi == 0) return true;
  if (!b.contains(0)) return false;
  if (congruence_excludes_zero(d, facts)) return false;
  // An Eq fact g == 0 with d == c*g proves d == 0; d - c*g a nonzero constant refutes it.
  for (const std::size_t i : facts.relations_mentioning(d)) {
    const relation& f = facts.relations()[i];
    if (f.op != rel_op::eq || f.lhs.terms().empty()) continue;
    const monomial& lead = f.lhs.terms().front();
    for (const monomial& td : d.terms()) {
      if (detail::compare_monomial(td, lead) != 0 || td.coeff % lead.coeff != 0) continue;
      const value_range rest = bound(d - expr(td.coeff / lead.coeff) * f.lhs, facts);
      if (rest.lo == 0 && rest.hi == 0) return true;
      if (!rest.contains(0)) return false;
    }
  }
  // Both sides of d >= 0 decided the same way settles it too.
  const auto nonneg = decide_nonneg(d, facts);
  if (nonneg && !*nonneg) return false;
  if (nonneg && *nonneg && decide_nonneg(-d, facts) == std::optional<bool>(false)) return false;
  return std::nullopt;
}

} // namespace detail

constexpr value_range bound(const expr& e, const fact_set& facts) {
  value_range r = value_range::point(0);
  for (const monomial& t : e.terms())
    r = r + detail::bound_monomial(t, facts);
  return r;
}

constexpr std::optional<bool> decide(const relation& r, const fact_set& facts) {
  const relation c = r.canonical();
  const expr& d = c.lhs;
  switch (c.op) {
  case rel_op::ge:
    return detail::decide_nonneg(d, facts);
  case rel_op::eq:
    return detail::decide_zero(d, facts);
  case rel_op::ne: {
    const auto z = detail::decide_zero(d, facts);
    if (z) return !*z;
    return std::nullopt;
  }
  default:
    return std::nullopt; // canonical() yields only ge, eq, ne
  }
}

constexpr bool fact_set::add(const relation& r) {
  const relation c = r.canonical();
  const expr& d = c.lhs;
  if (const auto v = d.constant()) { // a fact without symbols is true or a contradiction
    const bool holds = c.op == rel_op::ge ? *v >= 0 : (c.op == rel_op::eq ? *v == 0 : *v != 0);
    if (!holds) consistent_ = false;
    return consistent_;
  }
  if (const auto known = decide(c, *this)) {
    if (!*known) consistent_ = false;
    return consistent_; // already implied, or a contradiction: nothing to record
  }
  if (const auto aff = as_affine(d)) {
    // a*s + b (op) 0 on one symbol: turn it into a range.
    const std::int64_t a = aff->a, b = aff->b;
    value_range want = value_range::unbounded();
    switch (c.op) {
    case rel_op::ge: // a*s >= -b
      if (a > 0)
        want = value_range::at_least(-detail::py_floordiv(b, a));
      else
        want = value_range::at_most(detail::py_floordiv(b, -a));
      break;
    case rel_op::eq:
      if (b % a != 0)
        want = value_range::empty();
      else
        want = value_range::point(-b / a);
      break;
    case rel_op::ne: {
      if (b % a != 0) return consistent_;
      const std::int64_t v = -b / a;
      const value_range cur = range_of(aff->s);
      if (cur.lo == v)
        want = value_range::at_least(v + 1);
      else if (cur.hi == v)
        want = value_range::at_most(v - 1);
      break;
    }
    default:
      break;
    }
    if (refine_range(aff->s, want).is_empty()) consistent_ = false;
    return consistent_;
  }
  if (c.op == rel_op::eq && d.terms().size() == 1 && d.terms()[0].factors.size() == 1
      && d.terms()[0].factors[0].exp == 1) {
    const atom& a = d.terms()[0].factors[0].base;
    if (!a.is_symbol() && a.op == op_kind::mod) {
      if (const auto k = a.args[1].constant(); k && *k > 1) {
        divisible_.emplace_back(a.args[0], *k);
        return consistent_;
      }
    }
  }
  if (c.op != rel_op::ne) {
    relations_.push_back(c);
    index_relation(relations_.size() - 1);
  }
  return consistent_;
}

} // namespace xport::sym
