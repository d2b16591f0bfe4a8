//! @file
//! The symbolic expressions of a PyTorch `.pt2` archive, both ways: read into `sym::expr`
//! and `sym::relation`, and written as sympy's `srepr` (`pt2_srepr`). PyTorch writes
//! `srepr` (`Mul(Integer(2), Symbol('s77', integer=True, positive=True))`); older versions
//! wrote infix text (`2*s77`). One small recursive-descent parser reads both: calls
//! `Name(args, key=value)`, integers, names, quoted strings, parentheses and the infix
//! operators `+ - * // %` and comparisons.
//!
//! Why by hand: the grammar is a few dozen lines, and a general expression library would
//! still need the mapping of sympy's and PyTorch's function names onto xport's algebra.
#pragma once

#include <xport/serde/detail/codec.hpp>
#include <xport/sym/relation.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace xport::serde::detail {

//! A `.pt2` expression: an integer expression or a comparison (`sym_bool_values`).
using pt2_value = std::variant<sym::expr, sym::relation>;

//! Resolves a symbol's name (`s77`, `u0`) to xport's symbol, or throws.
using pt2_symbol_lookup = std::function<sym::expr(std::string const& name)>;

class pt2_expr_parser {
public:
  pt2_expr_parser(std::string_view text, pt2_symbol_lookup lookup, std::string where)
      : text_(text), lookup_(std::move(lookup)), where_(std::move(where)) {}

  pt2_value parse() {
    if (text_.size() > 65536) error("longer than 65536 characters");
    pt2_value v = comparison();
    skip_space();
    if (pos_ != text_.size()) error("unexpected '" + std::string(text_.substr(pos_, 16)) + "'");
    return v;
  }

private:
  std::string_view text_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  pt2_symbol_lookup lookup_;
  std::string where_;

  [[noreturn]] void error(std::string const& what) const {
    fail(where_, "cannot read the expression '" + std::string(text_.substr(0, 200)) + "': " + what
                     + " (at character " + std::to_string(pos_) + ")");
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_])) != 0)
      ++pos_;
  }
  bool accept(std::string_view token) {
    skip_space();
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }
  void expect(std::string_view token) {
    if (!accept(token)) error("expected '" + std::string(token) + "'");
  }

  struct depth_guard {
    pt2_expr_parser& p;
    explicit depth_guard(pt2_expr_parser& parser) : p(parser) {
      if (++p.depth_ > max_depth) p.error("nested deeper than " + std::to_string(max_depth));
    }
    ~depth_guard() { --p.depth_; }
    depth_guard(depth_guard const&) = delete;
    depth_guard& operator=(depth_guard const&) = delete;
  };

  sym::expr integer_expr(pt2_value const& v) const {
    if (auto const* e = std::get_if<sym::expr>(&v)) return *e;
    error("a comparison where an integer expression is expected");
  }

  // comparison := sum (('<=' | '<' | '>=' | '>' | '==' | '!=') sum)?
  pt2_value comparison() {
    pt2_value lhs = sum();
    static constexpr std::pair<std::string_view, sym::rel_op> ops[] = {
        {"<=", sym::rel_op::le}, {">=", sym::rel_op::ge}, {"==", sym::rel_op::eq},
        {"!=", sym::rel_op::ne}, {"<", sym::rel_op::lt},  {">", sym::rel_op::gt}};
    for (auto const& [token, op] : ops) {
      if (accept(token)) {
        sym::expr const l = integer_expr(lhs);
        return sym::relation{op, l, integer_expr(sum())};
      }
    }
    return lhs;
  }

  // sum := product (('+' | '-') product)*
  pt2_value sum() {
    pt2_value first = product();
    skip_space();
    if (pos_ >= text_.size() || (text_[pos_] != '+' && text_[pos_] != '-')) return first;
    sym::expr total = integer_expr(first);
    while (true) {
      if (accept("+"))
        total = total + integer_expr(product());
      else if (accept("-"))
        total = total - integer_expr(product());
      else
        return total;
    }
  }

  // product := unary (('*' | '//' | '%') unary)*
  pt2_value product() {
    pt2_value first = unary();
    skip_space();
    if (pos_ >= text_.size() || (text_[pos_] != '*' && text_[pos_] != '/' && text_[pos_] != '%'))
      return first;
    sym::expr total = integer_expr(first);
    while (true) {
      if (accept("**")) {
        total = power(total, integer_expr(unary()));
      } else if (accept("*")) {
        total = total * integer_expr(unary());
      } else if (accept("//")) {
        total = divide(sym::op_kind::floordiv, total, integer_expr(unary()));
      } else if (accept("%")) {
        total = divide(sym::op_kind::mod, total, integer_expr(unary()));
      } else if (accept("/")) {
        error("true division '/' (only floor division '//' has an integer result)");
      } else {
        return total;
      }
    }
  }

  pt2_value unary() {
    depth_guard const guard(*this);
    if (accept("-")) return -integer_expr(unary());
    if (accept("+")) return unary();
    return primary();
  }

  // primary := integer | name | name '(' arguments ')' | '(' comparison ')' | string
  pt2_value primary() {
    skip_space();
    if (pos_ >= text_.size()) error("the expression ends early");
    char const c = text_[pos_];
    if (c == '(') {
      ++pos_;
      pt2_value inner = comparison();
      expect(")");
      return inner;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) return sym::expr(integer());
    if (std::isalpha(static_cast<unsigned char>(c)) == 0 && c != '_')
      error(std::string("unexpected '") + c + "'");
    std::string const name = identifier();
    if (!accept("(")) return lookup(name);
    return call(name);
  }

  std::int64_t integer() {
    skip_space();
    std::size_t const start = pos_;
    std::int64_t value = 0;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_])) != 0) {
      if (__builtin_mul_overflow(value, 10, &value)
          || __builtin_add_overflow(value, text_[pos_] - '0', &value))
        error("the integer does not fit in 64 bits");
      ++pos_;
    }
    if (pos_ == start) error("expected an integer");
    return value;
  }

  std::string identifier() {
    skip_space();
    std::size_t const start = pos_;
    while (pos_ < text_.size()
           && (std::isalnum(static_cast<unsigned char>(text_[pos_])) != 0 || text_[pos_] == '_'))
      ++pos_;
    if (pos_ == start) error("expected a name");
    return std::string(text_.substr(start, pos_ - start));
  }

  std::string quoted() {
    skip_space();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"'))
      error("expected a quoted name");
    char const quote = text_[pos_++];
    std::size_t const end = text_.find(quote, pos_);
    if (end == std::string_view::npos) error("the quoted name is not closed");
    std::string out(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return out;
  }

  sym::expr lookup(std::string const& name) const {
    if (name == "oo" || name == "int_oo" || name == "zoo" || name == "nan")
      error("'" + name + "' (an unbounded value) inside an expression");
    return lookup_(name);
  }

  // The positional arguments of a call whose '(' was read; `key=value` arguments (sympy's
  // assumptions: `integer=True`) are skipped.
  std::vector<pt2_value> arguments() {
    std::vector<pt2_value> out;
    if (accept(")")) return out;
    while (true) {
      skip_space();
      std::size_t const mark = pos_;
      bool keyword = false;
      if (pos_ < text_.size() && (std::isalpha(static_cast<unsigned char>(text_[pos_])) != 0)) {
        identifier();
        keyword = accept("=") && !accept("=");
        if (!keyword) pos_ = mark;
      }
      if (keyword)
        identifier(); // True / False
      else
        out.push_back(comparison());
      if (accept(")")) return out;
      expect(",");
      if (out.size() > max_expr_items) error("too many arguments");
    }
  }

  sym::expr divide(sym::op_kind op, sym::expr const& a, sym::expr const& b) const {
    if (auto const k = b.constant(); k && *k == 0) error("division by zero");
    return sym::apply(op, a, b);
  }

  sym::expr power(sym::expr const& base, sym::expr const& exponent) const {
    auto const k = exponent.constant();
    if (!k || *k < 0 || *k > max_exponent)
      error("only powers with a constant exponent from 0 to " + std::to_string(max_exponent)
            + " are supported");
    return sym::pow(base, static_cast<unsigned>(*k));
  }

  pt2_value call(std::string const& name) {
    depth_guard const guard(*this);
    if (name == "Symbol") {
      std::string const symbol = quoted();
      std::vector<pt2_value> const rest =
          accept(",") ? arguments() : (expect(")"), std::vector<pt2_value>{});
      if (!rest.empty()) error("Symbol takes one name");
      return lookup(symbol);
    }
    if (name == "Integer") {
      bool const negative = accept("-");
      std::int64_t const v = integer();
      expect(")");
      return sym::expr(negative ? -v : v);
    }
    std::vector<pt2_value> const args = arguments();
    auto count = [&](std::size_t n) {
      if (args.size() != n)
        error(name + " takes " + std::to_string(n) + " arguments, got "
              + std::to_string(args.size()));
    };
    auto arg = [&](std::size_t i) { return integer_expr(args[i]); };
    auto fold = [&](auto&& f) {
      if (args.empty()) error(name + " needs at least one argument");
      sym::expr total = arg(0);
      for (std::size_t i = 1; i < args.size(); ++i)
        total = f(total, arg(i));
      return total;
    };
    if (name == "Add") return fold([](sym::expr const& a, sym::expr const& b) { return a + b; });
    if (name == "Mul") return fold([](sym::expr const& a, sym::expr const& b) { return a * b; });
    if (name == "Max")
      return fold([](sym::expr const& a, sym::expr const& b) { return sym::max(a, b); });
    if (name == "Min")
      return fold([](sym::expr const& a, sym::expr const& b) { return sym::min(a, b); });
    if (name == "Pow") return count(2), power(arg(0), arg(1));
    if (name == "FloorDiv" || name == "CleanDiv")
      return count(2), divide(sym::op_kind::floordiv, arg(0), arg(1));
    if (name == "Mod" || name == "PythonMod")
      return count(2), divide(sym::op_kind::mod, arg(0), arg(1));
    if (name == "CeilDiv") {
      count(2);
      if (auto const k = arg(1).constant(); k && *k == 0) error("division by zero");
      return sym::ceildiv(arg(0), arg(1));
    }
    if (name == "Rational") {
      count(2);
      auto const q = arg(1).constant();
      if (!q || *q != 1) error("a fraction (Rational) is not an integer expression");
      return arg(0);
    }
    static constexpr std::pair<std::string_view, sym::rel_op> relations[] = {
        {"Eq", sym::rel_op::eq}, {"Equality", sym::rel_op::eq},
        {"Ne", sym::rel_op::ne}, {"Unequality", sym::rel_op::ne},
        {"Lt", sym::rel_op::lt}, {"StrictLessThan", sym::rel_op::lt},
        {"Le", sym::rel_op::le}, {"LessThan", sym::rel_op::le},
        {"Gt", sym::rel_op::gt}, {"StrictGreaterThan", sym::rel_op::gt},
        {"Ge", sym::rel_op::ge}, {"GreaterThan", sym::rel_op::ge}};
    for (auto const& [spelling, op] : relations) {
      if (name == spelling) {
        count(2);
        return sym::relation{op, arg(0), arg(1)};
      }
    }
    error("the function '" + name
          + "' is not supported (xport reads Add, Mul, Pow, FloorDiv, CeilDiv, CleanDiv, Mod, "
            "PythonMod, Min, Max, Integer, Symbol and comparisons)");
  }
};

//! Parses `text` (at JSON path `where`), resolving names with `lookup`.
inline pt2_value parse_pt2_expr(std::string_view text, pt2_symbol_lookup lookup,
                                std::string const& where) {
  return pt2_expr_parser(text, std::move(lookup), where).parse();
}

//! The symbol names of an expression, in order of first appearance, and whether the
//! expression is one of them alone (`Symbol('s77', positive=True)`).
struct pt2_names {
  std::vector<std::string> names;
  bool bare = false;
};

//! The names in `text` (at JSON path `where`), without resolving them.
inline pt2_names names_in(std::string_view text, std::string const& where) {
  pt2_names out;
  pt2_value const v = parse_pt2_expr(
      text,
      [&](std::string const& name) -> sym::expr {
        auto const it = std::find(out.names.begin(), out.names.end(), name);
        auto const index = static_cast<std::uint32_t>(it - out.names.begin());
        if (it == out.names.end()) out.names.push_back(name);
        return sym::symbol{sym::symbol_kind::backed, index};
      },
      where);
  auto const* e = std::get_if<sym::expr>(&v);
  out.bare = e != nullptr && e->as_symbol().has_value();
  return out;
}

// ---- writing: sympy's srepr ----------------------------------------------------------

//! Which symbols are known positive (sizes); others (integer inputs, data-dependent
//! values) print as mere integers.
using pt2_positive = std::function<bool(sym::symbol)>;

inline bool pt2_backed_positive(sym::symbol s) {
  return s.kind == sym::symbol_kind::backed;
}

//! `Symbol('s0', integer=True, positive=True)`: how PyTorch prints a size symbol.
inline std::string pt2_srepr(sym::symbol s, pt2_positive const& positive = pt2_backed_positive) {
  return "Symbol('" + sym::to_string(s) + "', integer=True"
         + (positive(s) ? ", positive=True)" : ")");
}

inline std::string pt2_srepr(sym::expr const& e,
                             pt2_positive const& positive = pt2_backed_positive);

inline std::string pt2_srepr(sym::atom const& a, pt2_positive const& positive) {
  if (a.is_symbol()) return pt2_srepr(a.sym, positive);
  static constexpr std::string_view functions[] = {"FloorDiv", "PythonMod", "Min", "Max"};
  return std::string(functions[static_cast<std::size_t>(a.op)]) + "("
         + pt2_srepr(a.args.at(0), positive) + ", " + pt2_srepr(a.args.at(1), positive) + ")";
}

//! An expression in sympy's `srepr` form: `Add(Mul(Integer(2), Symbol('s0', ...)),
//! Integer(1))`.
inline std::string pt2_srepr(sym::expr const& e, pt2_positive const& positive) {
  auto integer = [](std::int64_t v) { return "Integer(" + std::to_string(v) + ")"; };
  auto call = [](std::string_view f, std::vector<std::string> const& args) {
    if (args.size() == 1) return args[0];
    std::string out = std::string(f) + "(";
    for (std::size_t i = 0; i < args.size(); ++i)
      out += (i == 0 ? "" : ", ") + args[i];
    return out + ")";
  };
  std::vector<std::string> terms;
  for (sym::monomial const& m : e.terms()) {
    std::vector<std::string> factors;
    if (m.coeff != 1 || m.factors.empty()) factors.push_back(integer(m.coeff));
    for (sym::factor const& f : m.factors)
      factors.push_back(f.exp == 1
                            ? pt2_srepr(f.base, positive)
                            : "Pow(" + pt2_srepr(f.base, positive) + ", " + integer(f.exp) + ")");
    terms.push_back(call("Mul", factors));
  }
  if (terms.empty()) return integer(0);
  return call("Add", terms);
}

//! A relation as sympy prints it: `GreaterThan(Symbol('u0', integer=True), Integer(0))`.
inline std::string pt2_srepr(sym::relation const& r,
                             pt2_positive const& positive = pt2_backed_positive) {
  static constexpr std::string_view names[] = {
      "Eq", "Ne", "StrictLessThan", "LessThan", "StrictGreaterThan", "GreaterThan"};
  return std::string(names[static_cast<std::size_t>(r.op)]) + "(" + pt2_srepr(r.lhs, positive)
         + ", " + pt2_srepr(r.rhs, positive) + ")";
}

} // namespace xport::serde::detail
