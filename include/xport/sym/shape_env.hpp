//! @file
//! `ShapeEnv`: the symbols of one trace (backed and unbacked), the guards that tracing
//! records with their op and source location, equalities as replacements, and runtime
//! asserts from `check`.
#pragma once

#include <xport/core/error.hpp>
#include <xport/core/source_location.hpp>
#include <xport/sym/decide.hpp>
#include <xport/sym/expr.hpp>
#include <xport/sym/range.hpp>
#include <xport/sym/relation.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xport::sym {

//! @brief Settings of a `ShapeEnv`, fixed at construction and recorded with it.
struct shape_env_settings {
  //! @brief The 0/1 specialization policy (PyTorch's `specialize_zero_one`, on by default).
  //!
  //! When true, `create_size` turns an example size of 0 or 1 into that constant (the dim
  //! becomes static and the choice is listed in `specializations()`), and dynamic sizes get
  //! the default range `[2, int_oo]`, so tracing may assume a size is neither 0 nor 1
  //! (broadcasting and squeezing then never branch on it). That is PyTorch's choice; the
  //! runtime input check may still accept 0/1 (see `input_contract`'s `zero_one_policy`),
  //! which is unsound exactly for programs that branch on 0/1.
  //!
  //! When false, every dynamic size stays symbolic whatever its example, with the default
  //! range `[0, int_oo]`; guards on 0/1 are then recorded like any other guard.
  bool specialize_zero_one = true;

  //! @brief The function that data-dependent errors tell the user to call:
  //! "... state it before this point with xport::check(u0 == 1) ...".
  std::string_view check_function = "xport::check";
};

//! @brief What a `ShapeEnv` knows about one symbol.
struct symbol_info {
  symbol sym{};                     //!< The symbol (`s0`, `u0`).
  std::optional<std::int64_t> hint; //!< The example value; none for unbacked symbols.
  value_range declared;             //!< Its range when created (already met with defaults).
  value_range range;                //!< Its range now, refined by guards and checks.
  std::string source;               //!< Where it came from (`x.size(0)`); may be empty.
  bool size_like = false;           //!< A size (`>= 0`): from `create_size` or, unbacked,
                                    //!< from `create_unbacked_size` (`nonzero()`).
};

//! @brief A comparison that tracing decided with example values (hints), and that the
//! program therefore relies on: `Eq(s0, s1)` recorded by `aten::add` at `model.cpp:12`.
struct guard {
  relation rel;                 //!< What holds for the example, after replacements.
  std::string op;               //!< The op whose shape logic asked (`aten::add`).
  xport::source_location where; //!< The user's call site.
};

//! @brief A fact the program asserts at runtime, from `check`: `u0 >= 0`.
struct runtime_assert {
  relation rel;                 //!< What must hold, after replacements.
  std::string message;          //!< Why, for the runtime failure message (may be empty).
  xport::source_location where; //!< The call site of `check`.
};

//! @brief A size that the 0/1 policy made static: `x.size(0)` specialized to 1.
struct specialization {
  std::string source;     //!< The dim (`x.size(0)`).
  std::int64_t value = 0; //!< The example value it was fixed to (0 or 1).
};

//! @brief The shape environment of one trace.
//!
//! Symbols: `create_size` / `create_backed_symbol` make a backed symbol `s<k>` for a
//! dynamic input dim, with its example value as hint; `create_unbacked_symbol` makes a
//! data-dependent `u<k>` without one. Tracing asks questions with `evaluate`:
//! - decided by ranges and facts (`decide`) -> the answer, and no guard;
//! - otherwise, if every symbol has a hint -> the hints decide, and a `guard` with the op
//!   and source location is recorded; the guard's facts refine ranges, `Eq(x, rhs)`
//!   becomes the replacement `x -> rhs` when that keeps `x`'s range, and
//!   `Eq(Mod(e, k), 0)` a divisibility fact;
//! - otherwise (an unbacked symbol is involved) -> `data_dependent_error` naming the
//!   expression and suggesting `xport::check(...)`.
//!
//! `check` asserts a fact at runtime and uses it during tracing. Reading side, for the
//! solver and the exporter: `symbols()`, `info()`, `guards()`, `replacements()`,
//! `runtime_asserts()`, `specializations()`, `facts()`, `settings()`.
//!
//! Symbolic values made from an environment keep it alive when it is owned by a
//! `std::shared_ptr` (export and `load` make it so); otherwise they watch `lifetime()` and
//! throw instead of reading a destroyed environment.
class ShapeEnv : public std::enable_shared_from_this<ShapeEnv> {
public:
  //! @brief An empty environment with the given settings.
  explicit ShapeEnv(shape_env_settings settings = {}) : settings_(settings) {}

  //! @brief A token that expires when this environment is destroyed (a copy has its own).
  std::weak_ptr<void const> lifetime() const noexcept { return alive_.token; }

  //! @brief The settings, including the 0/1 policy, for recording with a program.
  const shape_env_settings& settings() const noexcept { return settings_; }

  //! @brief The default range of a dynamic size under the 0/1 policy: `[2, int_oo]`
  //! when specializing 0/1, else `[0, int_oo]`.
  value_range default_size_range() const noexcept {
    return value_range::at_least(settings_.specialize_zero_one ? 2 : 0);
  }

  //! @brief A dynamic input size with example value `hint`, read from `source`
  //! (`x.size(0)`), allowed in `range` (met with `default_size_range()`).
  //!
  //! Under the 0/1 policy an example of 0 or 1 gives that constant instead of a symbol and
  //! is recorded in `specializations()`: `create_size(1, "x.size(0)")` is `1`;
  //! `create_size(8, "x.size(0)")` is `s0` with range `[2, int_oo]`.
  //! @throws value_error if `hint` is negative.
  //! @throws constraint_violation if `hint` is outside `range` ("8 not in range [2, 4]").
  expr create_size(std::int64_t hint, std::string source,
                   value_range range = value_range::at_least(0));

  //! @brief A backed symbol with example value `hint` and range `range`, as is (no 0/1
  //! policy, no default range): for integer inputs and for phantom roots of derived dims.
  //! @throws constraint_violation if `hint` is outside `range`.
  symbol create_backed_symbol(std::int64_t hint, std::string source,
                              value_range range = value_range::unbounded());

  //! @brief A data-dependent symbol `u<k>` without a hint (from `.item()`, `nonzero()`).
  //! @throws value_error if `range` is empty.
  symbol create_unbacked_symbol(value_range range = value_range::unbounded(),
                                std::string source = {});

  //! @brief A data-dependent size: an unbacked symbol with range `[0, int_oo]` met with
  //! `range`, marked size-like.
  symbol create_unbacked_size(value_range range = value_range::at_least(0),
                              std::string source = {});

  //! @brief Every symbol created, backed and unbacked, in creation order.
  const std::vector<symbol_info>& symbols() const noexcept { return symbols_; }
  //! @brief What is known about `s`. @throws value_error if `s` is not from this env.
  const symbol_info& info(symbol s) const;
  //! @brief The current range of `s` (refined by guards and checks).
  value_range range_of(symbol s) const { return info(s).range; }
  //! @brief The name of `s` as printed (`s0`, `u1`).
  std::string name(symbol s) const { return to_string(s); }

  //! @brief Guards recorded so far, in order.
  const std::vector<guard>& guards() const noexcept { return guards_; }
  //! @brief Symbols replaced by expressions over others (`s1 -> s0`, `s2 -> 2*s0 + 1`);
  //! every right-hand side is fully simplified (mentions no replaced symbol).
  const std::map<symbol, expr>& replacements() const noexcept { return replacements_; }
  //! @brief Runtime asserts recorded by `check`, in order.
  const std::vector<runtime_assert>& runtime_asserts() const noexcept { return asserts_; }
  //! @brief Sizes made static by the 0/1 policy.
  const std::vector<specialization>& specializations() const noexcept { return specials_; }
  //! @brief Everything learned (ranges, divisibility, relations), as `decide` uses it.
  const fact_set& facts() const noexcept { return facts_; }

  //! @brief `e` with replacements applied and known facts used (`Mod(s0, 4)` is 0 once
  //! `s0 % 4 == 0` is known; `s0//8` is 0 when `s0` is in `[0, 7]`).
  expr simplify(const expr& e) const;
  //! @brief `r` with both sides simplified.
  relation simplify(const relation& r) const { return {r.op, simplify(r.lhs), simplify(r.rhs)}; }
  //! @brief A sound interval for `e` under what is known.
  value_range bound(const expr& e) const { return sym::bound(simplify(e), facts_); }

  //! @brief The value of `e` at the hints, or nullopt if it involves an unbacked symbol.
  std::optional<std::int64_t> hint_of(const expr& e) const;

  //! @brief The answer to `r` if ranges and facts decide it, else nullopt; records nothing
  //! (PyTorch's `statically_known_true`, but three-valued).
  std::optional<bool> statically_known(const relation& r) const {
    return decide(simplify(r), facts_);
  }
  //! @brief `statically_known(r)` or, if unknown, `false`; records nothing.
  bool guard_or_false(const relation& r) const { return statically_known(r).value_or(false); }
  //! @brief `statically_known(r)` or, if unknown, `true`; records nothing.
  bool guard_or_true(const relation& r) const { return statically_known(r).value_or(true); }

  //! @brief Decides `r` during tracing for the shape logic of `op`.
  //!
  //! With `s0` (hint 8) in `[2, int_oo]`: `evaluate(ge(s0, 1), ...)` is true and records
  //! nothing; `evaluate(le(s0, 16), "aten::view")` is true and records the guard
  //! `s0 <= 16`; `evaluate(eq(s1, s0), ...)` with hints 8, 8 records `Eq(s1, s0)` and the
  //! replacement `s1 -> s0`.
  //! @throws data_dependent_error if an unbacked symbol makes `r` undecidable:
  //! "Could not guard on data-dependent expression Eq(u0, 1) ... xport::check(u0 == 1)".
  bool evaluate(const relation& r, std::string_view op = {},
                xport::source_location where = xport::source_location::current());

  //! @brief The concrete value of `e` for `op`, specializing it: a symbolic `e` records the
  //! guard `Eq(e, hint)` (so `s0` becomes the constant 8 from then on).
  //! @throws data_dependent_error if `e` involves an unbacked symbol and is not constant.
  std::int64_t evaluate_int(const expr& e, std::string_view op = {},
                            xport::source_location where = xport::source_location::current());

  //! @brief `xport::check(r)`: asserts `r` at runtime and uses it during tracing (ranges
  //! refine, equalities replace, divisibility is recorded). A check that ranges already
  //! prove records nothing.
  //! @throws constraint_violation if `r` is known to be false, or false at the hints:
  //! "xport::check(u0 >= 4) can never hold: u0 is in VR[0, 3]".
  void check(const relation& r, std::string_view message = {},
             xport::source_location where = xport::source_location::current());

  //! @brief `r` written as a C++ `check` argument: `u0 >= 2`, `u0 == 1`,
  //! `Mod(u0, 4) == 0`.
  static std::string to_check_string(const relation& r);

private:
  symbol_info& info_mut(symbol s);
  symbol add_symbol(symbol_kind kind, std::optional<std::int64_t> hint, value_range range,
                    std::string source, bool size_like);
  expr simplify_atoms(const expr& e) const;
  void learn(const relation& holds, const char* who);
  bool try_replace(const expr& difference);
  void add_replacement(symbol x, const expr& rhs);
  void sync_ranges(const std::vector<symbol>& touched);
  [[noreturn]] void throw_data_dependent(const relation& original, const relation& simplified,
                                         std::string_view op, xport::source_location where) const;

  shape_env_settings settings_;
  std::vector<symbol_info> symbols_;                   // backed and unbacked, creation order
  std::vector<std::size_t> backed_pos_, unbacked_pos_; // symbol index -> position in symbols_
  fact_set facts_;
  std::vector<guard> guards_;
  std::map<symbol, expr> replacements_;
  std::map<symbol, std::vector<symbol>> rhs_users_; // s -> replaced symbols whose rhs has s
  std::vector<runtime_assert> asserts_;
  std::vector<specialization> specials_;
  // Expires with this object; copies and moves get a fresh one, since values made from
  // the source point at the source.
  struct lifetime_token {
    std::shared_ptr<void const> token = std::make_shared<char>();
    lifetime_token() = default;
    lifetime_token(lifetime_token const&) : lifetime_token() {}
    lifetime_token& operator=(lifetime_token const&) noexcept { return *this; }
    ~lifetime_token() = default;
  } alive_;
};

// ---------------------------------------------------------------------------------------
// Implementation

namespace detail {

inline std::string where_string(const xport::source_location& w) {
  if (w.line() == 0) return "<unknown location>";
  return std::string(w.file_name()) + ":" + std::to_string(w.line());
}

inline std::string range_words(const value_range& r) {
  return "[" + bound_to_string(r.lo) + ", " + bound_to_string(r.hi) + "]";
}

// ceil(a / b) and floor(a / b) for b > 0, keeping infinite bounds infinite.
inline std::int64_t ext_ceil_div(std::int64_t a, std::int64_t b) {
  if (!is_finite(a)) return a;
  return -py_floordiv(-a, b);
}
inline std::int64_t ext_floor_div(std::int64_t a, std::int64_t b) {
  if (!is_finite(a)) return a;
  return py_floordiv(a, b);
}

} // namespace detail

inline symbol ShapeEnv::add_symbol(symbol_kind kind, std::optional<std::int64_t> hint,
                                   value_range range, std::string source, bool size_like) {
  if (range.is_empty())
    throw value_error("cannot create a symbol with an empty range"
                      + (source.empty() ? std::string() : " for " + source));
  if (hint && !range.contains(*hint))
    throw constraint_violation(std::to_string(*hint) + " not in range " + detail::range_words(range)
                               + (source.empty() ? std::string() : " for " + source));
  auto& pos = kind == symbol_kind::backed ? backed_pos_ : unbacked_pos_;
  const symbol s{kind, static_cast<std::uint32_t>(pos.size())};
  pos.push_back(symbols_.size());
  symbols_.push_back(symbol_info{s, hint, range, range, std::move(source), size_like});
  facts_.refine_range(s, range);
  return s;
}

inline expr ShapeEnv::create_size(std::int64_t hint, std::string source, value_range range) {
  if (hint < 0)
    throw value_error("a size cannot be negative, but "
                      + (source.empty() ? std::string("the example") : source) + " is "
                      + std::to_string(hint));
  if (settings_.specialize_zero_one && (hint == 0 || hint == 1)) {
    if (!range.contains(hint))
      throw constraint_violation(std::to_string(hint) + " not in range "
                                 + detail::range_words(range)
                                 + (source.empty() ? std::string() : " for " + source));
    specials_.push_back(specialization{std::move(source), hint});
    return hint;
  }
  return add_symbol(symbol_kind::backed, hint, intersect(range, default_size_range()),
                    std::move(source), true);
}

inline symbol ShapeEnv::create_backed_symbol(std::int64_t hint, std::string source,
                                             value_range range) {
  return add_symbol(symbol_kind::backed, hint, range, std::move(source), false);
}

inline symbol ShapeEnv::create_unbacked_symbol(value_range range, std::string source) {
  return add_symbol(symbol_kind::unbacked, std::nullopt, range, std::move(source), false);
}

inline symbol ShapeEnv::create_unbacked_size(value_range range, std::string source) {
  return add_symbol(symbol_kind::unbacked, std::nullopt, intersect(range, value_range::at_least(0)),
                    std::move(source), true);
}

inline const symbol_info& ShapeEnv::info(symbol s) const {
  const auto& pos = s.kind == symbol_kind::backed ? backed_pos_ : unbacked_pos_;
  if (s.index < pos.size()) return symbols_[pos[s.index]];
  throw value_error("symbol " + to_string(s) + " does not belong to this ShapeEnv");
}

inline symbol_info& ShapeEnv::info_mut(symbol s) {
  return const_cast<symbol_info&>(static_cast<const ShapeEnv&>(*this).info(s));
}

inline expr ShapeEnv::simplify_atoms(const expr& e) const {
  // Rebuilds e bottom-up, folding atoms that facts decide.
  expr out = 0;
  for (const monomial& m : e.terms()) {
    expr term = m.coeff;
    for (const factor& f : m.factors) {
      expr base;
      if (f.base.is_symbol()) {
        base = f.base.sym;
      } else {
        const expr x = simplify_atoms(f.base.args[0]), y = simplify_atoms(f.base.args[1]);
        base = apply(f.base.op, x, y);
        const atom* a = detail::single_atom(base);
        if (a && !a->is_symbol()) {
          // Copied: the assignments to `base` below free the atom `a` points into. The
          // value of base is op(x, y) whatever shape apply() gave it.
          const op_kind op = a->op;
          const value_range rx = sym::bound(x, facts_), ry = sym::bound(y, facts_);
          if (op == op_kind::mod) {
            if (const auto k = y.constant(); k && *k > 0 && detail::known_divisible(x, *k, facts_))
              base = 0;
            else if (rx.lo >= 0 && ry.lo > 0 && rx.hi < ry.lo) // x % y == x for 0 <= x < y
              base = x;
          } else if (op == op_kind::floordiv) {
            if (rx.lo >= 0 && ry.lo > 0 && rx.hi < ry.lo) base = 0; // 0 <= x < y
          } else {
            const value_range d = sym::bound(x - y, facts_);
            const bool x_le_y = d.hi <= 0, y_le_x = d.lo >= 0;
            if (x_le_y || y_le_x) base = (op == op_kind::min) == x_le_y ? x : y;
          }
        }
      }
      term *= pow(base, f.exp);
    }
    out += term;
  }
  return out;
}

inline expr ShapeEnv::simplify(const expr& e) const {
  const expr replaced =
      replacements_.empty() ? e : substitute(e, [&](symbol s) -> std::optional<expr> {
        const auto it = replacements_.find(s);
        if (it == replacements_.end()) return std::nullopt;
        return it->second;
      });
  return simplify_atoms(replaced);
}

inline std::optional<std::int64_t> ShapeEnv::hint_of(const expr& e) const {
  const expr s = simplify(e);
  for (const symbol& x : free_symbols(s))
    if (!info(x).hint) return std::nullopt;
  return sym::evaluate(s, [&](symbol x) { return *info(x).hint; });
}

inline std::string ShapeEnv::to_check_string(const relation& r) {
  return to_string(r.lhs) + " " + std::string(operator_spelling(r.op)) + " " + to_string(r.rhs);
}

inline void ShapeEnv::throw_data_dependent(const relation& original, const relation& simplified,
                                           std::string_view op,
                                           xport::source_location where) const {
  std::string size_like;
  for (const symbol& s : free_symbols(simplified.lhs - simplified.rhs))
    if (s.kind == symbol_kind::unbacked && info(s).size_like)
      size_like += (size_like.empty() ? "" : ", ") + to_string(s);
  std::string msg = "Could not guard on data-dependent expression " + to_string(simplified)
                    + " (unhinted: " + to_string(original) + ").  (Size-like symbols: "
                    + (size_like.empty() ? "none" : size_like) + ")\n\n";
  msg += "Caused by: ";
  msg += op.empty() ? std::string("shape logic") : std::string(op);
  msg += " at " + detail::where_string(where) + "\n";
  msg += "The value of this expression depends on data, so it cannot be decided from the "
         "example inputs. If you know which way it goes, state it before this point with ";
  msg += std::string(settings_.check_function) + "(" + to_check_string(simplified) + ") or "
         + std::string(settings_.check_function) + "(" + to_check_string(negate(simplified)) + ").";
  throw data_dependent_error(msg);
}

inline bool ShapeEnv::evaluate(const relation& r, std::string_view op,
                               xport::source_location where) {
  const relation s = simplify(r);
  if (const auto known = decide(s, facts_)) return *known;
  const auto lhs = hint_of(s.lhs), rhs = hint_of(s.rhs);
  if (!lhs || !rhs) throw_data_dependent(r, s, op, where);
  const relation at_hints{s.op, *lhs, *rhs};
  const bool value = *decide(at_hints, fact_set{});
  const relation holds = value ? s : negate(s);
  guards_.push_back(guard{holds, std::string(op), where});
  learn(holds, "guard");
  return value;
}

inline std::int64_t ShapeEnv::evaluate_int(const expr& e, std::string_view op,
                                           xport::source_location where) {
  const expr s = simplify(e);
  if (const auto c = s.constant()) return *c;
  const value_range b = sym::bound(s, facts_);
  if (b.is_singleton()) return b.lo;
  const auto v = hint_of(s);
  if (!v) {
    throw data_dependent_error(
        "Could not extract specialized integer from data-dependent expression " + to_string(s)
        + " (unhinted: " + to_string(e)
        + ").\n\nCaused by: " + (op.empty() ? std::string("shape logic") : std::string(op)) + " at "
        + detail::where_string(where)
        + "\nThe value depends on data; use it symbolically, or bound it with "
        + std::string(settings_.check_function) + "(...).");
  }
  const relation holds = eq(s, *v);
  guards_.push_back(guard{holds, std::string(op), where});
  learn(holds, "guard");
  return *v;
}

inline void ShapeEnv::check(const relation& r, std::string_view message,
                            xport::source_location where) {
  const relation s = simplify(r);
  const auto known = decide(s, facts_);
  if (known && *known) return;
  const auto lhs = hint_of(s.lhs), rhs = hint_of(s.rhs);
  const bool false_at_hints = lhs && rhs && !*decide(relation{s.op, *lhs, *rhs}, fact_set{});
  if ((known && !*known) || false_at_hints) {
    std::string why;
    for (const symbol& x : free_symbols(s.lhs - s.rhs)) {
      why += why.empty() ? ": " : ", ";
      why += to_string(x) + " is in " + to_string(info(x).range);
      if (info(x).hint) why += " with example value " + std::to_string(*info(x).hint);
    }
    throw constraint_violation(std::string(settings_.check_function) + "(" + to_check_string(r)
                               + ") can never hold" + why
                               + (message.empty() ? "" : " (" + std::string(message) + ")") + " at "
                               + detail::where_string(where));
  }
  asserts_.push_back(runtime_assert{s, std::string(message), where});
  learn(s, "check");
}

inline void ShapeEnv::sync_ranges(const std::vector<symbol>& touched) {
  for (const symbol s : touched)
    info_mut(s).range = facts_.range_of(s);
}

inline void ShapeEnv::add_replacement(symbol x, const expr& rhs) {
  replacements_[x] = rhs;
  // Keep every right-hand side free of replaced symbols, so one substitution simplifies.
  const std::vector<symbol> rhs_symbols = free_symbols(rhs);
  if (const auto users = rhs_users_.find(x); users != rhs_users_.end()) {
    for (const symbol k : users->second) {
      expr& v = replacements_.at(k);
      if (!has_symbol(v, x)) continue;
      v = substitute(v, x, rhs);
      for (const symbol s : rhs_symbols)
        rhs_users_[s].push_back(k);
    }
    rhs_users_.erase(users);
  }
  for (const symbol s : rhs_symbols)
    rhs_users_[s].push_back(x);
  // Re-file what is known in terms of the remaining symbols.
  facts_.replace(x, rhs);
}

inline bool ShapeEnv::try_replace(const expr& d) {
  // Candidates: symbols occurring in d only as c*x, so that x = -(d - c*x)/c exactly.
  // Unbacked symbols go first (a backed expression gives them a hint), then backed ones
  // from the newest, as PyTorch does.
  std::vector<symbol> candidates = free_symbols(d);
  std::sort(candidates.begin(), candidates.end(), [](symbol a, symbol b) {
    if (a.kind != b.kind) return a.kind == symbol_kind::unbacked;
    return a.index > b.index;
  });
  for (const symbol x : candidates) {
    std::int64_t c = 0;
    for (const monomial& m : d.terms())
      if (m.factors.size() == 1 && m.factors[0].exp == 1 && m.factors[0].base.is_symbol()
          && m.factors[0].base.sym == x)
        c = m.coeff;
    if (c == 0) continue;
    const expr rest = d - expr(c) * expr(x);
    if (has_symbol(rest, x)) continue;
    const auto rhs = divide_exact(-rest, c);
    if (!rhs) continue;
    // Range-preserving: first narrow a univariate affine rhs by x's range (sound: x == rhs
    // holds), then keep the replacement only if rhs cannot leave x's range.
    const value_range rx = facts_.range_of(x);
    if (const auto aff = as_affine(*rhs)) {
      const value_range shifted = rx - value_range::point(aff->b);
      value_range want = value_range::unbounded();
      if (aff->a > 0)
        want = {detail::ext_ceil_div(shifted.lo, aff->a),
                detail::ext_floor_div(shifted.hi, aff->a)};
      else
        want = {detail::ext_ceil_div(-shifted.hi, -aff->a),
                detail::ext_floor_div(-shifted.lo, -aff->a)};
      facts_.refine_range(aff->s, want);
    }
    if (!sym::bound(*rhs, facts_).is_subset_of(facts_.range_of(x))) continue;
    facts_.refine_range(x, sym::bound(*rhs, facts_)); // x == rhs: x has rhs's values
    add_replacement(x, *rhs);
    return true;
  }
  return false;
}

inline void ShapeEnv::learn(const relation& holds, const char* who) {
  const relation c = holds.canonical();
  // An equality that eliminates a symbol is fully captured by its replacement; only
  // otherwise is it kept as a fact. (Eq(Mod(e, k), 0) offers no symbol to eliminate and
  // becomes a divisibility fact.)
  const bool replaced = c.op == rel_op::eq && !c.lhs.is_constant() && try_replace(c.lhs);
  if (!replaced && !facts_.add(holds))
    throw constraint_violation(std::string("the ") + who + " " + to_string(holds)
                               + " contradicts what is already known");
  // A symbol pinned to one value is replaced by it.
  const std::vector<symbol> touched = free_symbols(c.lhs);
  for (const symbol s : touched)
    if (const value_range r = facts_.range_of(s); r.is_singleton() && !replacements_.contains(s))
      add_replacement(s, r.lo);
  sync_ranges(touched);
}

} // namespace xport::sym
