//! @file
//! `expr`: a canonical symbolic integer expression (a polynomial over symbols and
//! floordiv / mod / min / max terms), with exact division, substitution, evaluation and
//! PyTorch-style printing; all of it usable in constant evaluation.
#pragma once

#include <xport/core/error.hpp>

#include <algorithm>
#include <compare>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace xport::sym {

//! @brief Whether a symbol has an example value (a hint) or is data-dependent.
enum class symbol_kind : std::uint8_t {
  backed,  //!< A size with an example value (PyTorch `s0`, `s1`, ...).
  unbacked //!< A data-dependent size without a hint (PyTorch `u0`, `u1`, ...).
};

//! @brief A symbolic integer variable, identified by its kind and index.
//!
//! Symbols are plain values; what they mean (hint, range, source) lives in a `ShapeEnv`.
//! They order backed before unbacked, then by index, and print as `s<index>` or
//! `u<index>`: `symbol{symbol_kind::unbacked, 2}` prints `u2`.
struct symbol {
  symbol_kind kind = symbol_kind::backed; //!< Backed (`s`) or unbacked (`u`).
  std::uint32_t index = 0;                //!< Position among symbols of its kind.

  //! @brief Orders by kind, then index.
  friend constexpr auto operator<=>(const symbol&, const symbol&) = default;
};

//! @brief The default name of a symbol: `s3` for backed index 3, `u0` for unbacked index 0.
inline std::string to_string(const symbol& s) {
  return (s.kind == symbol_kind::backed ? "s" : "u") + std::to_string(s.index);
}

//! @brief The operation of a non-polynomial atom.
enum class op_kind : std::uint8_t {
  floordiv, //!< Python `a // b` (rounds toward -infinity).
  mod,      //!< Python `a % b` (result has the sign of `b`).
  min,      //!< `Min(a, b)`.
  max       //!< `Max(a, b)`.
};

class expr;

//! @brief An indivisible part of a monomial: a symbol, or an operation on two expressions
//! that the algebra could not turn into a polynomial (`s0//4`, `Mod(s0, s1)`, `Min(s0, 8)`).
//!
//! Canonical: the operands of `min`/`max` are ordered; constant divisors are positive and
//! coprime with the dividend's coefficients.
struct atom {
  symbol sym{};              //!< The symbol, when `args` is empty.
  op_kind op = op_kind::min; //!< The operation, when `args` holds its two operands.
  std::vector<expr> args;    //!< Empty for a symbol; the two operands for an operation.

  //! @brief True iff this atom is a plain symbol.
  constexpr bool is_symbol() const noexcept { return args.empty(); }
};

//! @brief An atom raised to a positive power.
struct factor {
  atom base;             //!< What is raised.
  std::uint32_t exp = 1; //!< The power, at least 1.
};

//! @brief `coeff * f1^e1 * f2^e2 * ...`; the constant term has no factors.
//!
//! Factors are sorted by atom and distinct; `coeff` is never 0 inside an `expr`.
struct monomial {
  std::int64_t coeff = 0;      //!< The integer coefficient.
  std::vector<factor> factors; //!< Sorted, distinct atoms with their powers.

  //! @brief The total degree (sum of powers); 0 for the constant term.
  constexpr std::uint32_t degree() const noexcept {
    std::uint32_t d = 0;
    for (const factor& f : factors)
      d += f.exp;
    return d;
  }
};

//! @brief A symbolic integer expression in canonical form.
//!
//! An `expr` is a sum of monomials with integer coefficients, sorted by graded
//! lexicographic order (highest degree first, the constant last), with like terms merged
//! and zero terms dropped. Because the form is canonical, algebraically equal polynomials
//! are equal values: `2*s0 + 1 == 1 + s0 + s0`. Floor division and modulo divide exactly
//! where a polynomial quotient exists (`(2*s0)//2 == s0`, `(s0*s1)//s1 == s0`,
//! `Mod(3*s0, 3) == 0`), pull out what divides (`(4*s0 + 5)//2 == 2*s0 + 2`), and otherwise
//! become atoms. Division by a symbolic divisor assumes the divisor is nonzero, as
//! sizes do; division by the constant 0 throws.
//!
//! Values use `std::vector` and work in constant evaluation (transiently, C++20):
//! @code
//! static_assert([] { auto b = expr(symbol{}); return floordiv(2 * b, 2) == b; }());
//! @endcode
//! Arithmetic that overflows int64 coefficients throws `xport::value_error`.
class expr {
public:
  //! @brief The constant 0.
  constexpr expr() = default;
  //! @brief The constant `c`: `expr(4)` prints `4`.
  constexpr expr(std::int64_t c) { // NOLINT: implicit, so `2*s0 + 1` reads naturally
    if (c != 0) terms_.push_back(monomial{c, {}});
  }
  //! @brief The symbol `s` as an expression: prints `s0`.
  constexpr expr(symbol s) { // NOLINT: implicit, a symbol is an expression
    terms_.push_back(monomial{1, {factor{atom{s, op_kind::min, {}}, 1}}});
  }

  //! @brief The monomials, highest first; empty for 0.
  constexpr const std::vector<monomial>& terms() const noexcept { return terms_; }
  //! @brief True iff the expression has no symbol or atom.
  constexpr bool is_constant() const noexcept {
    return terms_.empty() || (terms_.size() == 1 && terms_[0].factors.empty());
  }
  //! @brief The value if constant: `expr(3).constant() == 3`; nullopt otherwise.
  constexpr std::optional<std::int64_t> constant() const noexcept {
    if (terms_.empty()) return 0;
    if (is_constant()) return terms_[0].coeff;
    return std::nullopt;
  }
  //! @brief The constant term: 1 for `2*s0 + 1`, 0 for `s0`.
  constexpr std::int64_t constant_term() const noexcept {
    return !terms_.empty() && terms_.back().factors.empty() ? terms_.back().coeff : 0;
  }
  //! @brief The symbol if the expression is exactly one symbol (`s0`), else nullopt.
  constexpr std::optional<symbol> as_symbol() const noexcept {
    if (terms_.size() == 1 && terms_[0].coeff == 1 && terms_[0].factors.size() == 1
        && terms_[0].factors[0].exp == 1 && terms_[0].factors[0].base.is_symbol())
      return terms_[0].factors[0].base.sym;
    return std::nullopt;
  }

  //! @brief Builds an expression from monomials in any order, merging like terms.
  //! @pre each monomial's factors are sorted and distinct (as produced by this library).
  static constexpr expr from_terms(std::vector<monomial> terms);

private:
  std::vector<monomial> terms_;
};

namespace detail {

[[noreturn]] inline void throw_overflow() {
  throw value_error("integer overflow in symbolic expression arithmetic");
}

constexpr std::int64_t checked_add(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) throw_overflow();
  return r;
}
constexpr std::int64_t checked_mul(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) throw_overflow();
  return r;
}
constexpr std::int64_t checked_neg(std::int64_t a) {
  return checked_mul(a, -1);
}

// Python semantics: the quotient rounds toward -infinity, the remainder has b's sign.
constexpr std::int64_t py_floordiv(std::int64_t a, std::int64_t b) {
  if (b == -1) return checked_neg(a);
  std::int64_t q = a / b;
  if (a % b != 0 && ((a < 0) != (b < 0))) --q;
  return q;
}
constexpr std::int64_t py_mod(std::int64_t a, std::int64_t b) {
  if (b == -1) return 0;
  std::int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}
constexpr std::int64_t gcd(std::int64_t a, std::int64_t b) noexcept {
  // Magnitudes as unsigned so that INT64_MIN does not overflow.
  std::uint64_t x = a < 0 ? 0 - static_cast<std::uint64_t>(a) : static_cast<std::uint64_t>(a);
  std::uint64_t y = b < 0 ? 0 - static_cast<std::uint64_t>(b) : static_cast<std::uint64_t>(b);
  while (y != 0) {
    const std::uint64_t t = x % y;
    x = y;
    y = t;
  }
  return x > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<std::int64_t>(x);
}

constexpr int compare(const expr& a, const expr& b) noexcept;

constexpr int compare(const atom& a, const atom& b) noexcept {
  if (a.is_symbol() != b.is_symbol()) return a.is_symbol() ? -1 : 1;
  if (a.is_symbol()) return a.sym < b.sym ? -1 : (b.sym < a.sym ? 1 : 0);
  if (a.op != b.op) return a.op < b.op ? -1 : 1;
  for (std::size_t i = 0; i < a.args.size() && i < b.args.size(); ++i)
    if (const int c = compare(a.args[i], b.args[i]); c != 0) return c;
  return a.args.size() < b.args.size() ? -1 : (a.args.size() > b.args.size() ? 1 : 0);
}

// Graded lexicographic monomial order (ignoring coefficients): > 0 when m1 comes first.
// It is a monomial order (compatible with multiplication), which exact division needs.
constexpr int compare_monomial(const monomial& m1, const monomial& m2) noexcept {
  const std::uint32_t d1 = m1.degree(), d2 = m2.degree();
  if (d1 != d2) return d1 > d2 ? 1 : -1;
  std::size_t i = 0;
  for (; i < m1.factors.size() && i < m2.factors.size(); ++i) {
    const int c = compare(m1.factors[i].base, m2.factors[i].base);
    if (c != 0) return c < 0 ? 1 : -1; // an earlier variable with a positive power wins
    if (m1.factors[i].exp != m2.factors[i].exp)
      return m1.factors[i].exp > m2.factors[i].exp ? 1 : -1;
  }
  if (i < m1.factors.size()) return 1;
  if (i < m2.factors.size()) return -1;
  return 0;
}

constexpr int compare(const expr& a, const expr& b) noexcept {
  const auto& x = a.terms();
  const auto& y = b.terms();
  for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
    if (const int c = compare_monomial(x[i], y[i]); c != 0) return -c;
    if (x[i].coeff != y[i].coeff) return x[i].coeff < y[i].coeff ? -1 : 1;
  }
  return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
}

constexpr std::vector<factor> multiply_factors(const std::vector<factor>& a,
                                               const std::vector<factor>& b) {
  std::vector<factor> out;
  out.reserve(a.size() + b.size());
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    const int c = i == a.size() ? 1 : (j == b.size() ? -1 : compare(a[i].base, b[j].base));
    if (c < 0)
      out.push_back(a[i++]);
    else if (c > 0)
      out.push_back(b[j++]);
    else {
      out.push_back(factor{a[i].base, a[i].exp + b[j].exp});
      ++i;
      ++j;
    }
  }
  return out;
}

// Exact quotient of two monomials, or nullopt when `den` does not divide `num`.
constexpr std::optional<monomial> divide_monomial(const monomial& num, const monomial& den) {
  if (den.coeff == 0 || num.coeff % den.coeff != 0) return std::nullopt;
  if (den.coeff == -1 && num.coeff == INT64_MIN) return std::nullopt;
  monomial q{num.coeff / den.coeff, {}};
  std::size_t j = 0;
  for (const factor& f : num.factors) {
    if (j < den.factors.size()) {
      const int c = compare(f.base, den.factors[j].base);
      if (c > 0) return std::nullopt; // den has an atom num lacks
      if (c == 0) {
        if (den.factors[j].exp > f.exp) return std::nullopt;
        if (den.factors[j].exp < f.exp)
          q.factors.push_back(factor{f.base, f.exp - den.factors[j].exp});
        ++j;
        continue;
      }
    }
    q.factors.push_back(f);
  }
  if (j != den.factors.size()) return std::nullopt;
  return q;
}

} // namespace detail

constexpr expr expr::from_terms(std::vector<monomial> terms) {
  std::sort(terms.begin(), terms.end(), [](const monomial& a, const monomial& b) {
    return detail::compare_monomial(a, b) > 0;
  });
  expr out;
  for (monomial& m : terms) {
    if (!out.terms_.empty() && detail::compare_monomial(out.terms_.back(), m) == 0) {
      out.terms_.back().coeff = detail::checked_add(out.terms_.back().coeff, m.coeff);
      continue;
    }
    if (!out.terms_.empty() && out.terms_.back().coeff == 0) out.terms_.pop_back();
    out.terms_.push_back(std::move(m));
  }
  if (!out.terms_.empty() && out.terms_.back().coeff == 0) out.terms_.pop_back();
  return out;
}

//! @brief Structural equality of canonical forms: `s0 + s0 == 2*s0` is true.
constexpr bool operator==(const expr& a, const expr& b) noexcept {
  return detail::compare(a, b) == 0;
}
//! @brief A total order on expressions (for sorting and ordered containers); it is not a
//! comparison of values.
constexpr std::strong_ordering operator<=>(const expr& a, const expr& b) noexcept {
  const int c = detail::compare(a, b);
  return c < 0 ? std::strong_ordering::less
               : (c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
}
//! @brief Structural equality of atoms.
constexpr bool operator==(const atom& a, const atom& b) noexcept {
  return detail::compare(a, b) == 0;
}

//! @brief Sum: `(s0 + 1) + (s0 - 1)` is `2*s0`.
constexpr expr operator+(const expr& a, const expr& b) {
  std::vector<monomial> t = a.terms();
  t.insert(t.end(), b.terms().begin(), b.terms().end());
  return expr::from_terms(std::move(t));
}
//! @brief Negation: `-(s0 - 1)` is `-s0 + 1`.
constexpr expr operator-(const expr& a) {
  std::vector<monomial> t = a.terms();
  for (monomial& m : t)
    m.coeff = detail::checked_neg(m.coeff);
  return expr::from_terms(std::move(t));
}
//! @brief Difference: `(2*s0 + 1) - s0` is `s0 + 1`.
constexpr expr operator-(const expr& a, const expr& b) {
  return a + (-b);
}
//! @brief Product, expanded: `(s0 + 1)*(s0 - 1)` is `s0**2 - 1`.
constexpr expr operator*(const expr& a, const expr& b) {
  std::vector<monomial> t;
  t.reserve(a.terms().size() * b.terms().size());
  for (const monomial& x : a.terms())
    for (const monomial& y : b.terms())
      t.push_back(monomial{detail::checked_mul(x.coeff, y.coeff),
                           detail::multiply_factors(x.factors, y.factors)});
  return expr::from_terms(std::move(t));
}
//! @brief In-place sum.
constexpr expr& operator+=(expr& a, const expr& b) {
  return a = a + b;
}
//! @brief In-place difference.
constexpr expr& operator-=(expr& a, const expr& b) {
  return a = a - b;
}
//! @brief In-place product.
constexpr expr& operator*=(expr& a, const expr& b) {
  return a = a * b;
}

//! @brief `a` to the power `k`: `pow(s0 + 1, 2)` is `s0**2 + 2*s0 + 1`; `pow(e, 0)` is 1.
constexpr expr pow(const expr& a, unsigned k) {
  expr r = 1;
  for (unsigned i = 0; i < k; ++i)
    r = r * a;
  return r;
}

//! @brief The exact polynomial quotient `a / b`, if `b` divides `a` as polynomials.
//!
//! `divide_exact(s0*s1 + s1, s1)` is `s0 + 1`; `divide_exact(s0 + 1, 2)` is nullopt.
//! Multivariate division by the leading term under a monomial order; it finds the
//! quotient whenever one exists.
constexpr std::optional<expr> divide_exact(const expr& a, const expr& b) {
  if (b.terms().empty()) return std::nullopt;
  expr rest = a, q = 0;
  const monomial& lead = b.terms().front();
  // Each step strictly lowers the leading monomial of `rest`; the cap only guards
  // against pathological sizes.
  for (int step = 0; step < 4096; ++step) {
    if (rest.terms().empty()) return q;
    const auto t = detail::divide_monomial(rest.terms().front(), lead);
    if (!t) return std::nullopt;
    std::vector<monomial> one;
    one.push_back(*t);
    const expr te = expr::from_terms(std::move(one));
    q += te;
    rest -= te * b;
  }
  return std::nullopt;
}

namespace detail {

constexpr expr make_atom(op_kind op, expr a, expr b) {
  std::vector<expr> args;
  args.push_back(std::move(a));
  args.push_back(std::move(b));
  // Built by push_back: GCC 12 misjudges heap lifetimes through std::initializer_list
  // of heap-owning elements in constant evaluation.
  monomial m{1, {}};
  m.factors.push_back(factor{atom{symbol{}, op, std::move(args)}, 1});
  std::vector<monomial> one;
  one.push_back(std::move(m));
  return expr::from_terms(std::move(one));
}

// The gcd of all coefficients (the content); 0 for the zero polynomial.
constexpr std::int64_t content(const expr& e) noexcept {
  std::int64_t g = 0;
  for (const monomial& m : e.terms())
    g = gcd(g, m.coeff);
  return g;
}

constexpr expr scale_down(const expr& e, std::int64_t g) {
  std::vector<monomial> t = e.terms();
  for (monomial& m : t)
    m.coeff /= g;
  return expr::from_terms(std::move(t));
}

// The single atom `e` is, if `e` is exactly `1 * atom^1`.
constexpr const atom* single_atom(const expr& e) noexcept {
  if (e.terms().size() == 1 && e.terms()[0].coeff == 1 && e.terms()[0].factors.size() == 1
      && e.terms()[0].factors[0].exp == 1)
    return &e.terms()[0].factors[0].base;
  return nullptr;
}

// Splits `a` into k*q + r (k > 0). With `residues`, every coefficient of r is in [0, k)
// (canonical residues, for `%`); without, coefficients are truncated toward zero so that
// only whole multiples leave the dividend and `(-s0)//4` keeps its shape (for `//`).
constexpr std::pair<expr, expr> split_by_constant(const expr& a, std::int64_t k, bool residues) {
  std::vector<monomial> q, r;
  for (const monomial& m : a.terms()) {
    const std::int64_t cq = residues ? py_floordiv(m.coeff, k) : m.coeff / k;
    const std::int64_t cr = m.coeff - cq * k;
    if (cq != 0) q.push_back(monomial{cq, m.factors});
    if (cr != 0) r.push_back(monomial{cr, m.factors});
  }
  return {expr::from_terms(std::move(q)), expr::from_terms(std::move(r))};
}

[[noreturn]] inline void throw_division_by_zero(const char* what) {
  throw value_error(std::string("division by zero in symbolic expression: ") + what);
}

} // namespace detail

//! @brief Python floor division `a // b`, canonicalised.
//!
//! `floordiv(2*s0, 2)` is `s0`; `floordiv(s0*s1, s1)` is `s0`; `floordiv(4*s0 + 5, 2)` is
//! `2*s0 + 2`; `floordiv(6*s0 + 3*s1, 9)` is `(2*s0 + s1)//3`; `floordiv(s0//2, 3)` is
//! `s0//6`; `floordiv(s0 + 1, s1)` is the atom `(s0 + 1)//s1`.
//! @throws value_error if `b` is the constant 0.
constexpr expr floordiv(const expr& a, const expr& b) {
  if (const auto k = b.constant()) {
    if (*k == 0) detail::throw_division_by_zero("floor division by 0");
    if (const auto c = a.constant()) return detail::py_floordiv(*c, *k);
    if (*k < 0) return floordiv(-a, detail::checked_neg(*k));
    if (*k == 1) return a;
    // a = k*q + r; k*q divides out exactly.
    auto [q, r] = detail::split_by_constant(a, *k, false);
    std::int64_t m = *k;
    const std::int64_t g = detail::gcd(detail::content(r), m);
    if (g > 1) { // floor(g*x / (g*m)) == floor(x / m)
      r = detail::scale_down(r, g);
      m /= g;
    }
    if (m == 1) return q + r;
    if (r.is_constant()) return q + detail::py_floordiv(*r.constant(), m);
    if (const atom* inner = detail::single_atom(r);
        inner && !inner->is_symbol() && inner->op == op_kind::floordiv) {
      // (x // n) // m == x // (n*m) for positive constants n, m.
      if (const auto n = inner->args[1].constant(); n && *n > 0)
        return q + floordiv(inner->args[0], detail::checked_mul(*n, m));
    }
    return q + detail::make_atom(op_kind::floordiv, std::move(r), m);
  }
  // Symbolic divisor: make its leading coefficient positive, split off its content c
  // (b = c*unit), and divide exactly where unit divides a: a//b == (a/unit)//c.
  if (b.terms().front().coeff < 0) return floordiv(-a, -b);
  const std::int64_t c = detail::content(b);
  if (const auto q = divide_exact(a, detail::scale_down(b, c))) return floordiv(*q, c);
  // floor(g*x / (g*y)) == floor(x / y) for a common content g.
  if (const std::int64_t g = detail::gcd(detail::content(a), c); g > 1)
    return detail::make_atom(op_kind::floordiv, detail::scale_down(a, g), detail::scale_down(b, g));
  return detail::make_atom(op_kind::floordiv, a, b);
}

//! @brief Python modulo `a % b`, canonicalised (the result has the sign of `b`).
//!
//! `mod(3*s0, 3)` is `0`; `mod(2*s0 + 5, 2)` is `1`; `mod(s0*s1, s1)` is `0`;
//! `mod(6*s0 + 2, 4)` is `2*Mod(s0 + 1, 2)` (canonical residues: `mod(-s0, 4)` is `Mod(3*s0, 4)`);
//! `mod(s0, 4)` prints `Mod(s0, 4)`.
//! @throws value_error if `b` is the constant 0.
constexpr expr mod(const expr& a, const expr& b) {
  if (const auto k = b.constant()) {
    if (*k == 0) detail::throw_division_by_zero("modulo by 0");
    if (const auto c = a.constant()) return detail::py_mod(*c, *k);
    if (*k < 0) return -mod(-a, detail::checked_neg(*k));
    if (*k == 1) return 0;
    auto [q, r] = detail::split_by_constant(a, *k, true);
    if (r.is_constant()) return r;
    std::int64_t m = *k;
    const std::int64_t g = detail::gcd(detail::content(r), m);
    if (g > 1) { // (g*x) % (g*m) == g * (x % m)
      r = detail::scale_down(r, g);
      m /= g;
      return expr(g) * mod(r, m);
    }
    if (const atom* inner = detail::single_atom(r);
        inner && !inner->is_symbol() && inner->op == op_kind::mod) {
      // (x % n) % m == x % m when m divides n.
      if (const auto n = inner->args[1].constant(); n && *n > 0 && *n % m == 0)
        return mod(inner->args[0], m);
    }
    return detail::make_atom(op_kind::mod, std::move(r), m);
  }
  // a % b == -((-a) % (-b)); with b = c*unit and a = q*unit, a % b == unit * (q % c).
  if (b.terms().front().coeff < 0) return -mod(-a, -b);
  const std::int64_t c = detail::content(b);
  const expr unit = detail::scale_down(b, c);
  if (const auto q = divide_exact(a, unit)) return unit * mod(*q, c);
  // (g*x) % (g*y) == g * (x % y) for a common content g.
  if (const std::int64_t g = detail::gcd(detail::content(a), c); g > 1)
    return expr(g)
           * detail::make_atom(op_kind::mod, detail::scale_down(a, g), detail::scale_down(b, g));
  return detail::make_atom(op_kind::mod, a, b);
}

//! @brief Ceiling division `-((-a) // b)`: `ceildiv(s0, 4)` is `-((-s0)//4)`.
constexpr expr ceildiv(const expr& a, const expr& b) {
  return -floordiv(-a, b);
}

namespace detail {
constexpr expr min_max(op_kind op, const expr& a, const expr& b) {
  if (a == b) return a;
  // The difference decides: a - b <= 0 -> a is the min. (No `?:` on class prvalues here:
  // GCC 12 mis-tracks their heap storage in constant evaluation.)
  if (const auto d = (a - b).constant()) {
    if ((*d < 0) == (op == op_kind::min)) return a;
    return b;
  }
  if (detail::compare(a, b) <= 0) return make_atom(op, a, b);
  return make_atom(op, b, a);
}
} // namespace detail

//! @brief `Min(a, b)`; decided when `a - b` is constant: `min(s0 + 1, s0)` is `s0`,
//! `min(s0, 8)` is the atom `Min(s0, 8)` (operands ordered, so `min(a, b) == min(b, a)`).
constexpr expr min(const expr& a, const expr& b) {
  return detail::min_max(op_kind::min, a, b);
}
//! @brief `Max(a, b)`; decided when `a - b` is constant: `max(s0 + 1, s0)` is `s0 + 1`.
constexpr expr max(const expr& a, const expr& b) {
  return detail::min_max(op_kind::max, a, b);
}

//! @brief Applies `op` to two expressions with the canonicalising function for it.
constexpr expr apply(op_kind op, const expr& a, const expr& b) {
  switch (op) {
  case op_kind::floordiv:
    return floordiv(a, b);
  case op_kind::mod:
    return mod(a, b);
  case op_kind::min:
    return min(a, b);
  case op_kind::max:
    return max(a, b);
  }
  return min(a, b);
}

//! @brief Replaces symbols: `f(s)` returns `std::optional<expr>` (nullopt keeps `s`), and
//! the result is re-canonicalised.
//!
//! With `s0 -> 2*s1`: `substitute(s0//2 + 1, f)` is `s1 + 1`.
template <class F>
constexpr expr substitute(const expr& e, F&& f) {
  expr out = 0;
  for (const monomial& m : e.terms()) {
    expr term = m.coeff;
    for (const factor& fa : m.factors) {
      expr base;
      if (fa.base.is_symbol()) {
        std::optional<expr> r = f(fa.base.sym);
        if (r)
          base = std::move(*r);
        else
          base = expr(fa.base.sym);
      } else {
        base = apply(fa.base.op, substitute(fa.base.args[0], f), substitute(fa.base.args[1], f));
      }
      term = term * pow(base, fa.exp);
    }
    out += term;
  }
  return out;
}

//! @brief Replaces one symbol: `substitute(2*s0 + 1, s0, s1 - 1)` is `2*s1 - 1`.
constexpr expr substitute(const expr& e, symbol s, const expr& by) {
  return substitute(e, [&](symbol x) -> std::optional<expr> {
    if (x == s) return by;
    return std::nullopt;
  });
}

//! @brief Evaluates `e` given `value(s) -> std::int64_t` for each of its symbols, with
//! Python semantics for `//` and `%`.
//!
//! `evaluate(2*s0 + 1, [](symbol) { return 5; })` is `11`.
//! @throws value_error on division by zero or int64 overflow; whatever `value` throws
//! for an unbound symbol.
template <class F>
constexpr std::int64_t evaluate(const expr& e, F&& value) {
  std::int64_t total = 0;
  for (const monomial& m : e.terms()) {
    std::int64_t term = m.coeff;
    for (const factor& fa : m.factors) {
      std::int64_t base = 0;
      if (fa.base.is_symbol()) {
        base = value(fa.base.sym);
      } else {
        const std::int64_t x = evaluate(fa.base.args[0], value);
        const std::int64_t y = evaluate(fa.base.args[1], value);
        switch (fa.base.op) {
        case op_kind::floordiv:
          if (y == 0) detail::throw_division_by_zero("floor division by 0");
          base = detail::py_floordiv(x, y);
          break;
        case op_kind::mod:
          if (y == 0) detail::throw_division_by_zero("modulo by 0");
          base = detail::py_mod(x, y);
          break;
        case op_kind::min:
          base = x < y ? x : y;
          break;
        case op_kind::max:
          base = x < y ? y : x;
          break;
        }
      }
      for (std::uint32_t i = 0; i < fa.exp; ++i)
        term = detail::checked_mul(term, base);
    }
    total = detail::checked_add(total, term);
  }
  return total;
}

//! @brief Fixed symbol values for `evaluate`: a small list of (symbol, value) pairs.
//!
//! `bindings{{s0, 4}, {s1, 7}}` binds `s0 = 4`, `s1 = 7`; looking up an unbound symbol
//! throws `value_error` naming it.
struct bindings {
  std::vector<std::pair<symbol, std::int64_t>> values; //!< The bound symbols.

  //! @brief The value bound to `s`. @throws value_error if `s` is unbound.
  constexpr std::int64_t operator()(symbol s) const {
    for (const auto& [k, v] : values)
      if (k == s) return v;
    throw value_error("symbol " + to_string(s) + " has no value");
  }
};

//! @brief The distinct symbols of `e`, in order (including those inside atoms):
//! `free_symbols(s1*(s0//2))` is `{s0, s1}`.
constexpr std::vector<symbol> free_symbols(const expr& e) {
  std::vector<symbol> out;
  const auto visit = [&](const auto& self, const expr& x) -> void {
    for (const monomial& m : x.terms())
      for (const factor& f : m.factors) {
        if (f.base.is_symbol())
          out.push_back(f.base.sym);
        else
          for (const expr& arg : f.base.args)
            self(self, arg);
      }
  };
  visit(visit, e);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

//! @brief True iff `s` occurs in `e`.
constexpr bool has_symbol(const expr& e, symbol s) {
  for (const symbol& x : free_symbols(e))
    if (x == s) return true;
  return false;
}

//! @brief True iff `e` is a polynomial in symbols only (no floordiv/mod/min/max atom).
constexpr bool is_polynomial(const expr& e) noexcept {
  for (const monomial& m : e.terms())
    for (const factor& f : m.factors)
      if (!f.base.is_symbol()) return false;
  return true;
}

//! @brief An affine form `a*s + b` in one symbol, with `a != 0`.
struct affine_form {
  std::int64_t a = 1; //!< The coefficient of `s`, nonzero.
  symbol s{};         //!< The symbol.
  std::int64_t b = 0; //!< The constant.

  //! @brief Equal coefficients, symbol and constant.
  friend constexpr bool operator==(const affine_form&, const affine_form&) = default;
  //! @brief As an expression: `affine_form{2, s0, 1}.to_expr()` is `2*s0 + 1`.
  constexpr expr to_expr() const { return expr(a) * expr(s) + expr(b); }
};

//! @brief Recognises `a*s + b` (`a != 0`): `as_affine(2*s0 + 1)` is `{2, s0, 1}`;
//! `as_affine(s0 - 3)` is `{1, s0, -3}`; constants, products, several symbols or atoms give
//! nullopt.
constexpr std::optional<affine_form> as_affine(const expr& e) noexcept {
  const auto& t = e.terms();
  if (t.empty() || t.size() > 2) return std::nullopt;
  const monomial& lead = t[0];
  if (lead.factors.size() != 1 || lead.factors[0].exp != 1 || !lead.factors[0].base.is_symbol())
    return std::nullopt;
  if (t.size() == 2 && !t[1].factors.empty()) return std::nullopt;
  return affine_form{lead.coeff, lead.factors[0].base.sym, t.size() == 2 ? t[1].coeff : 0};
}

namespace detail {

template <class Namer>
void print(std::string& out, const expr& e, Namer& name);

template <class Namer>
void print_operand(std::string& out, const expr& e, Namer& name) {
  // An operand of `//` needs parentheses unless it is a lone symbol or a non-negative
  // constant.
  const bool bare = e.as_symbol() || (e.constant() && *e.constant() >= 0);
  if (!bare) out += '(';
  print(out, e, name);
  if (!bare) out += ')';
}

template <class Namer>
void print_atom(std::string& out, const atom& a, bool in_product, Namer& name) {
  if (a.is_symbol()) {
    out += name(a.sym);
    return;
  }
  switch (a.op) {
  case op_kind::floordiv:
    if (in_product) out += '(';
    print_operand(out, a.args[0], name);
    out += "//";
    print_operand(out, a.args[1], name);
    if (in_product) out += ')';
    return;
  case op_kind::mod:
    out += "Mod(";
    break;
  case op_kind::min:
    out += "Min(";
    break;
  case op_kind::max:
    out += "Max(";
    break;
  }
  print(out, a.args[0], name);
  out += ", ";
  print(out, a.args[1], name);
  out += ')';
}

template <class Namer>
void print(std::string& out, const expr& e, Namer& name) {
  if (e.terms().empty()) {
    out += '0';
    return;
  }
  bool first = true;
  for (const monomial& m : e.terms()) {
    // Print |coeff| as unsigned so that INT64_MIN has a magnitude.
    const bool negative = m.coeff < 0;
    const std::uint64_t c =
        negative ? 0 - static_cast<std::uint64_t>(m.coeff) : static_cast<std::uint64_t>(m.coeff);
    // A unary minus binds tighter than `//`, so `-(s0//4)` needs its parentheses.
    const bool unary_minus = first && negative;
    if (!first)
      out += negative ? " - " : " + ";
    else if (negative)
      out += '-';
    first = false;
    if (m.factors.empty()) {
      out += std::to_string(c);
      continue;
    }
    const bool product = unary_minus || c != 1 || m.factors.size() > 1 || m.factors[0].exp > 1;
    if (c != 1) out += std::to_string(c) + '*';
    for (std::size_t i = 0; i < m.factors.size(); ++i) {
      if (i > 0) out += '*';
      print_atom(out, m.factors[i].base, product, name);
      if (m.factors[i].exp > 1) out += "**" + std::to_string(m.factors[i].exp);
    }
  }
}

} // namespace detail

//! @brief Prints `e` in PyTorch's style, naming symbols with `name(symbol) -> std::string`:
//! `2*s0 + 1`, `s0//4`, `2*(s0//4)`, `Mod(s0, 4)`, `Max(s0, s1)`, `s0**2 - 1`.
template <class Namer>
std::string to_string(const expr& e, Namer&& name) {
  std::string out;
  detail::print(out, e, name);
  return out;
}

//! @brief Prints `e` with the default symbol names (`s0`, `u1`): `2*s0 + 1`.
inline std::string to_string(const expr& e) {
  return to_string(e, [](symbol s) { return to_string(s); });
}

//! @brief Streams `to_string(e)`.
inline std::ostream& operator<<(std::ostream& os, const expr& e) {
  return os << to_string(e);
}

} // namespace xport::sym
