//! @file
//! `leaf`: the closed set of values a pytree holds at its leaves (None, Tensor, int, float,
//! bool, str, SymInt), with their PyTorch kind names and Python-style printing.
#pragma once

#include <xport/core/print.hpp>
#include <xport/core/tensor.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace xport {

//! @brief Python's `None` as a value: what an empty `std::optional` becomes, and what a
//! leaf holds when a tree is rebuilt with "nothing here" at some positions (for example
//! a dynamic-shapes tree with `None` for a static input).
struct none_t {
  //! @brief All `None`s are equal.
  friend constexpr bool operator==(none_t, none_t) noexcept { return true; }
};

//! @brief The `None` value.
inline constexpr none_t none{};

//! @brief One leaf of a pytree: `None`, a `Tensor`, an integer, a floating-point number,
//! a bool, a string or a `SymInt`.
//!
//! The set is closed on purpose: it is exactly what a torch.export program can take and
//! return at a leaf (Tensor, int, float, bool, str, None, and SymInt for an integer input
//! that may be dynamic: a `SymInt` argument of forward), so every consumer (export,
//! serialization, the runtime) handles every case with one `std::visit` and no
//! registration. Integers of every width are held as `int64` and floating-point numbers
//! as `double`, as Python holds them.
//!
//! `flatten` never produces a `None` leaf: like PyTorch, it flattens `None` (an empty
//! `std::optional`) to a node with no children. `None` leaves appear only in leaf lists
//! built by hand or by `tree_map`, and `unflatten` turns them back into `None`.
//! A default-constructed leaf is `None`.
using leaf = std::variant<none_t, Tensor, std::int64_t, double, bool, std::string, SymInt>;

//! @brief PyTorch's name for the kind of value `l` holds: `"None"`, `"Tensor"`, `"int"`,
//! `"float"`, `"bool"`, `"str"` or `"SymInt"`.
inline std::string_view kind_name(leaf const& l) noexcept {
  constexpr std::string_view names[] = {"None", "Tensor", "int", "float", "bool", "str", "SymInt"};
  return names[l.index()];
}

//! @brief Whether `l` holds `None`.
inline bool is_none(leaf const& l) noexcept {
  return std::holds_alternative<none_t>(l);
}

//! @brief Python's `repr` of a string: single-quoted unless the text holds a single quote
//! and no double quote; backslashes, quotes and control characters escaped.
//! `python_repr("it's") == "\"it's\""`, `python_repr("a\nb") == "'a\\nb'"`.
inline std::string python_repr(std::string_view text) {
  bool const use_double =
      text.find('\'') != std::string_view::npos && text.find('"') == std::string_view::npos;
  char const quote = use_double ? '"' : '\'';
  std::string out(1, quote);
  for (char const c : text) {
    auto const byte = static_cast<unsigned char>(c);
    if (c == quote || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (byte < 0x20 || byte == 0x7f) {
      constexpr char digits[] = "0123456789abcdef";
      out += "\\x";
      out += digits[byte >> 4];
      out += digits[byte & 0xf];
    } else {
      out += c; // bytes >= 0x80 pass through: UTF-8 text prints as itself, as in Python 3
    }
  }
  out += quote;
  return out;
}

//! @brief Python's `repr` of a float: the shortest text that reads back to the same
//! double, with `.0` added to whole numbers; `inf`, `-inf`, `nan`.
//! `python_repr(2.0) == "2.0"`, `python_repr(0.1) == "0.1"`, `python_repr(1e300) == "1e+300"`.
inline std::string python_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  char buffer[32];
  auto const result = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string text(buffer, result.ptr);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

//! @brief The leaf as Python prints it: `None`, `3`, `2.5`, `True`, `'abc'`, `s0 + 1`, and tensors
//! as `operator<<(std::ostream&, Tensor const&)` prints them (`tensor([1., 2.])`).
inline std::string repr(leaf const& l) {
  struct printer {
    std::string operator()(none_t) const { return "None"; }
    std::string operator()(Tensor const& t) const { return to_string(t); }
    std::string operator()(std::int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return python_repr(v); }
    std::string operator()(bool v) const { return v ? "True" : "False"; }
    std::string operator()(std::string const& v) const { return python_repr(v); }
    std::string operator()(SymInt const& v) const { return v.str(); }
  };
  return std::visit(printer{}, l);
}

//! @brief Whether two leaves are the same value: tensors by identity (`Tensor::is_same`,
//! as Python's `is`, since a tree holds handles), everything else by value and kind (the
//! int `1`, the float `1.0` and `True` are different leaves); symbolic `SymInt`s by
//! identity of their node.
inline bool same_leaf(leaf const& a, leaf const& b) noexcept {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&b](auto const& x) {
        using held = std::remove_cvref_t<decltype(x)>;
        auto const& y = std::get<held>(b);
        if constexpr (std::is_same_v<held, Tensor>)
          return x.is_same(y);
        else if constexpr (std::is_same_v<held, SymInt>)
          return x.is_symbolic() ? x.node() == y.node() : x.maybe_int() == y.maybe_int();
        else
          return x == y;
      },
      a);
}

} // namespace xport
