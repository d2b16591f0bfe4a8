//! @file
//! `solve`: checks what tracing recorded (guards, replacements, refined ranges) against
//! the user's dynamic-shape spec, reports every violation at once in PyTorch's words with
//! typed suggested fixes, and builds the program's runtime `input_contract`.
#pragma once

#include <xport/core/error.hpp>
#include <xport/sym/bind.hpp>
#include <xport/sym/decide.hpp>
#include <xport/sym/expr.hpp>
#include <xport/sym/fix.hpp>
#include <xport/sym/input_check.hpp>
#include <xport/sym/range.hpp>
#include <xport/sym/relation.hpp>
#include <xport/sym/shape_env.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>
#include <xport/core/source_location.hpp>

namespace xport::sym {

//! @brief A guard recorded while tracing: the relation the program's shape logic relied
//! on, the op that asked, and the user's source line.
struct traced_guard {
  relation rel;                   //!< what was assumed to hold
  std::string op;                 //!< the op that decided it (`slice`)
  xport::source_location where{}; //!< the user's line
};

//! @brief What the solver reads from a shape environment after tracing.
struct trace_facts {
  //! Refined range of each symbol (what guards and checks narrowed it to).
  std::vector<std::pair<symbol, value_range>> ranges;
  //! Symbols the trace replaced by expressions (equalities it learned), `s1 -> s0 + 1`.
  std::vector<std::pair<symbol, expr>> replacements;
  //! Guards the trace recorded, in order.
  std::vector<traced_guard> guards;
  //! Runtime asserts the program added with `check(...)`.
  std::vector<relation> runtime_asserts;
  //! The domain of a backed size before any guard: `[2, int_oo]` when the environment
  //! specializes example sizes 0 and 1 (PyTorch's default), `[0, int_oo]` otherwise.
  value_range default_range{2, int_oo};
};

//! @brief One problem with the spec, as one line of the report.
struct violation {
  std::string dim;     //!< the root Dim (or input dim, for a hint) it is about
  std::string message; //!< PyTorch's sentence, e.g. "Not all values of dx = ... satisfy ..."
};

//! @brief A root that solving the guards pinned to one value.
struct forced_specialization {
  std::string dim;    //!< the root
  std::string form;   //!< the dim whose guards were solved (`dy - 6`)
  std::int64_t value; //!< the value it must take
};

//! @brief What `solve` found: violations, forced specializations and suggested fixes.
class solve_result {
public:
  std::vector<violation> violations;                  //!< every violation, in order
  std::vector<forced_specialization> specializations; //!< roots the guards pinned
  std::vector<suggested_fix> fixes;                   //!< fixes that make the spec hold

  //! @brief True iff the spec holds for the program.
  [[nodiscard]] bool ok() const noexcept { return violations.empty() && specializations.empty(); }
  //! @brief The full report, as PyTorch prints it (see `spec_violation`); empty if `ok()`.
  [[nodiscard]] std::string message() const;
};

//! @brief The error export raises when the spec does not hold: a `constraint_violation`
//! whose message is the full report and which carries the typed fixes.
//!
//!     Constraints violated (dx, dy)!
//!       - Not all values of dx = x.size(0) in the specified range 2 <= dx <= 1024 satisfy
//!         the generated guard x.size(0) <= 16 (at 'slice', model.cpp:12).
//!       - The values of dy = y.size(0) and dx = x.size(0) must always be equal.
//!     Suggested fixes:
//!       dx = Dim('dx', max=16)
//!       dy = dx
//!
//! `refine(spec, e.fixes())` is the spec that passes.
class spec_violation : public constraint_violation {
public:
  //! @brief The error for @p result. @pre `!result.ok()`.
  explicit spec_violation(solve_result result)
      : constraint_violation(result.message()), result_(std::move(result)) {}
  //! @brief The typed fixes, for `refine`.
  [[nodiscard]] const std::vector<suggested_fix>& fixes() const noexcept { return result_.fixes; }
  //! @brief Everything the solver found.
  [[nodiscard]] const solve_result& result() const noexcept { return result_; }

private:
  solve_result result_;
};

//! @brief Checks @p facts (from tracing) against the spec bound in @p binding.
//!
//! For each root Dim, after applying the trace's replacements: specialized to a constant
//! ("You marked dx as dynamic but your code specialized it to be a constant (4)", fix
//! `dx = 4`); equal or related to another root ("The values of dy = y.size(0) and dx =
//! x.size(0) must always be equal", fix `dy = dx`; "... related ... by dz = dx + 1"); a
//! guard on it alone that its specified range does not imply ("Not all values of dx ...
//! satisfy the generated guard x.size(0) <= 16", fix `dx = Dim('dx', max=16)`, or for
//! divisibility a new root `_dx = Dim('_dx', max=8)` with `dx = 2*_dx`). `Dim::Dynamic`
//! dims that became constants are reported too; `Dim::Auto` dims never are. Guards over
//! several roots are not violations: they become runtime guards of the input contract,
//! as in PyTorch. Fixes name roots only.
[[nodiscard]] solve_result solve(const spec_binding& binding, const trace_facts& facts);

//! @brief `solve`, throwing `spec_violation` unless the spec holds.
inline void check_spec(const spec_binding& binding, const trace_facts& facts) {
  solve_result r = solve(binding, facts);
  if (!r.ok()) throw spec_violation(std::move(r));
}

//! @brief The runtime contract of the traced program: the symbols left after
//! replacements with their ranges (the spec's range intersected with the trace's),
//! each input dim's final expression, and the guards and runtime asserts over several
//! input sizes that the ranges do not imply.
//! @param binding the spec bound to the trace's symbols (`bind_spec`).
//! @param facts what tracing learned (`trace_facts_of(env)`).
//! @param paths how the check names each input (`args[0]`); defaults to the binding's.
//! @param policy whether sizes 0 and 1 are accepted at run time (recorded in the contract).
[[nodiscard]] input_contract
make_input_contract(const spec_binding& binding, const trace_facts& facts,
                    std::span<const std::string> paths,
                    zero_one_policy policy = zero_one_policy::accept_at_runtime);

//! @brief A `symbol_factory` that creates sizes in @p env (`ShapeEnv::create_size`), so
//! that its 0/1 policy and default range apply, and integer inputs as backed symbols of
//! their range (`ShapeEnv::create_backed_symbol`). @p env must outlive the factory.
[[nodiscard]] inline symbol_factory symbol_factory_for(ShapeEnv& env) {
  return
      [&env](const std::string& source, std::int64_t hint, value_range range, bool size) -> expr {
        if (size) return env.create_size(hint, source, range);
        return env.create_backed_symbol(hint, source, range);
      };
}

//! @brief What @p env recorded while tracing, for `solve` and `make_input_contract`:
//! refined ranges, replacements, guards (with op and call site), runtime asserts, and
//! the default size range of its 0/1 policy.
[[nodiscard]] trace_facts trace_facts_of(const ShapeEnv& env);

// ---------------------------------------------------------------------------------------
// Implementation

namespace detail {

// Extended gcd: returns g and x with a*x = g (mod m).
inline std::int64_t mod_inverse(std::int64_t a, std::int64_t m) {
  std::int64_t old_r = a, r = m, old_s = 1, s = 0;
  while (r != 0) {
    const std::int64_t q = old_r / r;
    std::tie(old_r, r) = std::pair{r, old_r - q * r};
    std::tie(old_s, s) = std::pair{s, old_s - q * s};
  }
  return py_mod(old_s, m);
}

// x = r (mod m) with m >= 1; m == 0 marks an inconsistent system.
struct residue {
  std::int64_t r = 0;
  std::int64_t m = 1;
};

// Generalized CRT: the moduli need not be coprime.
inline residue combine(residue a, residue b) {
  if (a.m == 0 || b.m == 0) return {0, 0};
  const std::int64_t g = gcd(a.m, b.m);
  if (py_mod(b.r - a.r, g) != 0) return {0, 0};
  const std::int64_t m1 = a.m / g, m2 = b.m / g;
  const std::int64_t k =
      py_mod((b.r - a.r) / g * mod_inverse(py_mod(m1, m2), m2), m2 == 0 ? 1 : m2);
  const std::int64_t lcm = a.m * m2;
  return {py_mod(a.r + a.m * k, lcm), lcm};
}

// a*s = c (mod m) as s = r (mod m').
inline std::optional<residue> solve_linear_congruence(std::int64_t a, std::int64_t c,
                                                      std::int64_t m) {
  a = py_mod(a, m);
  c = py_mod(c, m);
  const std::int64_t g = gcd(a == 0 ? m : a, m);
  if (c % g != 0) return std::nullopt;
  const std::int64_t m2 = m / g;
  if (m2 == 1) return residue{0, 1};
  return residue{py_mod(c / g * mod_inverse(a / g, m2), m2), m2};
}

inline std::int64_t ceil_div(std::int64_t a, std::int64_t b) {
  return -py_floordiv(-a, b);
}

class solver {
public:
  solver(const spec_binding& binding, const trace_facts& facts) : binding_(binding), facts_(facts) {
    for (const auto& [s, r] : facts_.ranges)
      trace_.refine_range(s, r);
    for (const auto& [s, e] : facts_.replacements)
      replaced_.emplace(s, &e);
    for (std::size_t k = 0; k < binding_.roots.size(); ++k)
      if (auto s = binding_.roots[k].value.as_symbol()) root_of_[*s] = k;
    for (const dim_binding& d : binding_.dims)
      if (auto s = d.value.as_symbol(); s && d.spec.hint()) hint_of_[*s] = &d;
    // The spec's view: named roots range over what the user specified (within the
    // environment's domain); everything else over what the trace found.
    for (const auto& [s, r] : facts_.ranges)
      if (!root_of_.contains(s)) spec_.refine_range(s, r);
    for (const auto& [s, k] : root_of_)
      spec_.refine_range(s, specified(k));
  }

  solve_result run() {
    for (std::size_t k = 0; k < binding_.roots.size(); ++k)
      check_root(k);
    for (const auto& [s, d] : hint_of_)
      check_hint(s, *d);
    for (const traced_guard& g : facts_.guards)
      check_guard(g);
    for (std::size_t k = 0; k < binding_.roots.size(); ++k)
      solve_root(k);
    std::stable_sort(result_.fixes.begin(), result_.fixes.end(),
                     [](const suggested_fix& a, const suggested_fix& b) {
                       const bool ra = a.which() == suggested_fix::kind::narrow;
                       const bool rb = b.which() == suggested_fix::kind::narrow;
                       if (ra != rb) return ra;
                       return a.name() < b.name();
                     });
    return std::move(result_);
  }

  expr resolve(const expr& e) const {
    expr cur = e;
    for (std::size_t i = 0; i <= facts_.replacements.size(); ++i) {
      expr next = substitute(cur, [&](symbol s) -> std::optional<expr> {
        if (auto it = replaced_.find(s); it != replaced_.end()) return *it->second;
        return std::nullopt;
      });
      if (next == cur) break;
      cur = std::move(next);
    }
    return cur;
  }
  relation resolve(const relation& r) const { return {r.op, resolve(r.lhs), resolve(r.rhs)}; }

  std::string source(symbol s) const {
    if (auto it = root_of_.find(s); it != root_of_.end()) return binding_.roots[it->second].source;
    if (auto it = hint_of_.find(s); it != hint_of_.end()) return it->second->source;
    return to_string(s);
  }
  std::string print(const relation& r) const {
    return to_string(r, [&](symbol s) { return source(s); });
  }
  std::string print(const expr& e) const {
    return to_string(e, [&](symbol s) { return source(s); });
  }

private:
  value_range specified(std::size_t k) const {
    return intersect(binding_.roots[k].root.range(), facts_.default_range);
  }
  std::string with_range(std::size_t k) const {
    const root_binding& r = binding_.roots[k];
    const value_range e = specified(k);
    return r.root.name() + " = " + r.source + " in the specified range " + std::to_string(e.lo)
           + " <= " + r.root.name() + " <= " + bound_to_string(e.hi);
  }
  void add(std::size_t k, std::string message) {
    result_.violations.push_back({binding_.roots[k].root.name(), std::move(message)});
    violated_[k] = true;
  }
  const dim_binding* first_use(std::size_t k) const {
    for (const dim_binding& d : binding_.dims)
      if (const Dim* dim = d.spec.dim(); dim && dim->root_name() == binding_.roots[k].root.name())
        return &d;
    return nullptr;
  }

  void check_root(std::size_t k) {
    const root_binding& r = binding_.roots[k];
    const std::string& name = r.root.name();
    const expr v = resolve(r.value);
    if (auto c = v.constant()) {
      settled_[k] = true;
      if (r.phantom) {
        const dim_binding* d = first_use(k);
        result_.specializations.push_back({name, d->spec.dim()->name(), d->spec.dim()->apply(*c)});
      } else {
        add(k, "You marked " + name + " as dynamic but your code specialized it to be a constant ("
                   + std::to_string(*c) + ").");
        // As PyTorch, each dim derived from it is named too ("(dx, dx + 1)").
        std::vector<std::string> derived;
        for (const dim_binding& d : binding_.dims) {
          const Dim* dim = d.spec.dim();
          if (!dim || !dim->is_derived() || dim->root_name() != name) continue;
          if (std::ranges::find(derived, dim->name()) != derived.end()) continue;
          derived.push_back(dim->name());
          result_.violations.push_back(
              {dim->name(), "You marked " + dim->name()
                                + " as dynamic but your code specialized it to be a constant ("
                                + std::to_string(dim->apply(*c)) + ")."});
        }
      }
      result_.fixes.push_back(suggested_fix::specialize(name, *c));
      return;
    }
    const auto self = r.value.as_symbol();
    if (self && v.as_symbol() == self) return; // still free: ranges and guards decide
    settled_[k] = true;
    const auto f = as_affine(v);
    if (f && f->a > 0 && root_of_.contains(f->s)) {
      const std::size_t q = root_of_.at(f->s);
      const std::string& other = binding_.roots[q].root.name();
      const std::string src = r.source, other_src = binding_.roots[q].source;
      if (f->a == 1 && f->b == 0) {
        add(k, "The values of " + name + " = " + src + " and " + other + " = " + other_src
                   + " must always be equal.");
        result_.fixes.push_back(suggested_fix::relate(name, other, 1, 0));
      } else if (f->a == 1 && f->b < 0) {
        // name = other - c reads better the other way round: other = name + c.
        add(k, "The values of " + other + " = " + other_src
                   + " must always be related to the values of " + name + " = " + src + " by "
                   + other + " = " + affine_to_string(1, name, -f->b) + ".");
        result_.fixes.push_back(suggested_fix::relate(other, name, 1, -f->b));
        settled_[q] = true;
      } else {
        add(k, "The values of " + name + " = " + src + " must always be related to the values of "
                   + other + " = " + other_src + " by " + name + " = "
                   + affine_to_string(f->a, other, f->b) + ".");
        result_.fixes.push_back(suggested_fix::relate(name, other, f->a, f->b));
      }
      return;
    }
    if (f && f->a > 0 && hint_of_.contains(f->s)) return; // related to a hint: inferred, fine
    add(k, "Not all values of " + with_range(k) + " are valid because " + name
               + " was inferred to be equal to " + print(v) + ".");
  }

  void check_hint(symbol s, const dim_binding& d) {
    if (d.spec.hint()->kind() != hint_kind::dynamic) return;
    if (auto c = resolve(expr(s)).constant())
      result_.violations.push_back(
          {d.source, "You marked " + d.source
                         + " as dynamic but your code specialized it to be a "
                           "constant ("
                         + std::to_string(*c)
                         + "). If you're using Dim::Dynamic, "
                           "replace it with either Dim::Static or Dim::Auto."});
  }

  void check_guard(const traced_guard& g) {
    const relation r = resolve(g.rel);
    const std::vector<symbol> syms = free_symbols(r.difference());
    if (syms.size() != 1 || !root_of_.contains(syms[0])) return;
    const std::size_t k = root_of_.at(syms[0]);
    if (settled_[k] || decide(r, spec_) == true) return;
    guards_of_[k].push_back(r);
    // Where: the op that compared (none for a comparison in the user's own code) and the
    // line that called it or compared.
    std::string at = g.op.empty() ? "" : "'" + g.op + "'";
    if (g.where.line() != 0)
      at += (at.empty() ? "" : ", ") + std::string(g.where.file_name()) + ":"
            + std::to_string(g.where.line());
    add(k, "Not all values of " + with_range(k) + " satisfy the generated guard " + print(r)
               + (at.empty() ? "" : " (at " + at + ")") + ".");
  }

  void solve_root(std::size_t k) {
    if (settled_[k]) return;
    const root_binding& r = binding_.roots[k];
    const symbol s = *r.value.as_symbol();
    const std::string& name = r.root.name();
    value_range range = intersect(specified(k), trace_.range_of(s));
    if (!violated_[k] && range == specified(k)) return;
    if (!violated_[k])
      add(k, "Not all values of " + with_range(k) + " satisfy the generated guard "
                 + std::to_string(range.lo) + " <= " + r.source + " and " + r.source
                 + " <= " + bound_to_string(range.hi) + ".");
    residue congruence;
    for (const relation& g : guards_of_[k])
      narrow(g, s, r.hint, range, congruence);
    if (range.is_empty() || congruence.m == 0) return; // no single fix: the report stands
    if (range.is_singleton()) {
      result_.specializations.push_back({name, name, range.lo});
      result_.fixes.push_back(suggested_fix::specialize(name, range.lo));
      return;
    }
    const auto user_min = [&](std::int64_t lo) {
      return lo <= facts_.default_range.lo ? r.root.min() : lo;
    };
    if (congruence.m > 1) {
      const std::int64_t m = congruence.m, rem = congruence.r;
      const std::int64_t lo = std::max<std::int64_t>(0, ceil_div(range.lo - rem, m));
      const std::int64_t hi = range.hi == int_oo ? int_oo : py_floordiv(range.hi - rem, m);
      result_.fixes.push_back(suggested_fix::narrow("_" + name, {lo, hi}));
      result_.fixes.push_back(suggested_fix::relate(name, "_" + name, m, rem));
      return;
    }
    const dim_range fixed{user_min(range.lo), range.hi};
    if (!(fixed == r.root.root_range()))
      result_.fixes.push_back(suggested_fix::narrow(name, fixed));
  }

  // Narrows s's range (or congruence) by one univariate guard, where the form allows.
  static void narrow(const relation& g, symbol s, std::int64_t hint, value_range& range,
                     residue& congruence) {
    const relation c = g.canonical();
    if (auto f = as_affine(c.lhs); f && f->s == s) {
      switch (c.op) {
      case rel_op::ge:
        if (f->a > 0)
          range = intersect(range, value_range::at_least(ceil_div(-f->b, f->a)));
        else
          range = intersect(range, value_range::at_most(py_floordiv(f->b, -f->a)));
        return;
      case rel_op::eq:
        if (f->b % f->a == 0)
          range = intersect(range, value_range::point(-f->b / f->a));
        else
          range = value_range::empty();
        return;
      case rel_op::ne:
        // PyTorch keeps the side of the example: Ne(s, 16) with s = 20 gives min=17.
        if (f->b % f->a == 0) {
          const std::int64_t v = -f->b / f->a;
          range = intersect(range,
                            hint > v ? value_range::at_least(v + 1) : value_range::at_most(v - 1));
        }
        return;
      default:
        return;
      }
    }
    // Eq(Mod(a*s + b, m), 0): a congruence on s.
    if (c.op != rel_op::eq || c.lhs.terms().size() != 1) return;
    const monomial& t = c.lhs.terms()[0];
    if (t.factors.size() != 1 || t.factors[0].exp != 1) return;
    const atom& a = t.factors[0].base;
    if (a.is_symbol() || a.op != op_kind::mod) return;
    const auto f = as_affine(a.args[0]);
    const auto m = a.args[1].constant();
    if (!f || f->s != s || !m || *m <= 0) return;
    if (auto res = solve_linear_congruence(f->a, -f->b, *m))
      congruence = combine(congruence, *res);
    else
      congruence = {0, 0};
  }

  const spec_binding& binding_;
  const trace_facts& facts_;
  std::map<symbol, const expr*> replaced_;
  fact_set trace_;
  fact_set spec_;
  std::map<symbol, std::size_t> root_of_;
  std::map<symbol, const dim_binding*> hint_of_;
  std::map<std::size_t, bool> settled_;
  std::map<std::size_t, bool> violated_;
  std::map<std::size_t, std::vector<relation>> guards_of_;
  solve_result result_;
};

} // namespace detail

inline std::string solve_result::message() const {
  // The dims of either list, once each and sorted, as PyTorch names them.
  const auto names = [](const auto& list) {
    std::vector<std::string> dims;
    for (const auto& entry : list)
      dims.push_back(entry.dim);
    std::sort(dims.begin(), dims.end());
    dims.erase(std::unique(dims.begin(), dims.end()), dims.end());
    std::string joined;
    for (std::size_t i = 0; i < dims.size(); ++i)
      joined += (i ? ", " : "") + dims[i];
    return joined;
  };
  std::string s;
  if (!violations.empty()) {
    s += "Constraints violated (" + names(violations) + ")!";
    for (const violation& v : violations)
      s += "\n  - " + v.message;
  }
  if (!specializations.empty()) {
    s += s.empty() ? "" : "\n";
    s += "Specializations unexpectedly required (" + names(specializations) + ")!";
    for (const forced_specialization& f : specializations)
      s += "\n  - solving the guards generated for " + f.form
           + " resulted in a specialized value of " + std::to_string(f.value) + ".";
  }
  if (!fixes.empty() && !s.empty()) s += "\n" + render_fixes(fixes);
  return s;
}

inline trace_facts trace_facts_of(const ShapeEnv& env) {
  trace_facts facts;
  for (const symbol_info& info : env.symbols())
    facts.ranges.emplace_back(info.sym, info.range);
  for (const auto& [s, e] : env.replacements())
    facts.replacements.emplace_back(s, e);
  for (const guard& g : env.guards())
    facts.guards.push_back({g.rel, g.op, g.where});
  for (const runtime_assert& a : env.runtime_asserts())
    facts.runtime_asserts.push_back(a.rel);
  facts.default_range = env.default_size_range();
  return facts;
}

inline solve_result solve(const spec_binding& binding, const trace_facts& facts) {
  return detail::solver(binding, facts).run();
}

inline input_contract make_input_contract(const spec_binding& binding, const trace_facts& facts,
                                          std::span<const std::string> paths,
                                          zero_one_policy policy) {
  const detail::solver view(binding, facts);
  input_contract contract(policy);
  std::map<symbol, symbol> to_contract;
  fact_set ranges;
  auto contract_symbol = [&](symbol s) {
    if (auto it = to_contract.find(s); it != to_contract.end()) return it->second;
    value_range r = value_range::unbounded();
    for (const auto& [k, v] : facts.ranges)
      if (k == s) r = intersect(r, v);
    for (const root_binding& root : binding.roots)
      if (root.value.as_symbol() == s) r = intersect(r, root.root.range());
    const symbol c = contract.add_symbol(to_string(s), r);
    ranges.refine_range(c, r);
    return to_contract[s] = c;
  };
  auto rename = [&](const expr& e) {
    const expr resolved = view.resolve(e);
    for (const symbol& s : free_symbols(resolved))
      contract_symbol(s);
    return substitute(resolved, [&](symbol s) -> std::optional<expr> { return to_contract.at(s); });
  };
  std::vector<std::vector<expr>> dims;
  for (const dim_binding& d : binding.dims) {
    if (dims.size() <= d.input) dims.resize(d.input + 1);
    dims[d.input].push_back(rename(d.value));
  }
  if (dims.size() < paths.size()) dims.resize(paths.size()); // zero-dim inputs bind nothing
  for (std::size_t i = 0; i < dims.size(); ++i)
    contract.add_input(i < paths.size() ? paths[i] : "args[" + std::to_string(i) + "]",
                       std::move(dims[i]));
  auto add_guard = [&](const relation& g) {
    const relation r = view.resolve(g);
    const std::vector<symbol> syms = free_symbols(r.difference());
    if (syms.empty() || !std::all_of(syms.begin(), syms.end(), [&](symbol s) {
          return to_contract.contains(s);
        }))
      return; // not about input sizes (data-dependent): checked in the graph instead
    const relation c{r.op, rename(r.lhs), rename(r.rhs)};
    if (decide(c, ranges) == true) return;
    contract.add_guard(c);
  };
  for (const traced_guard& g : facts.guards)
    add_guard(g.rel);
  for (const relation& a : facts.runtime_asserts)
    add_guard(a);
  return contract;
}

} // namespace xport::sym

namespace xport {
using sym::spec_violation;
} // namespace xport
