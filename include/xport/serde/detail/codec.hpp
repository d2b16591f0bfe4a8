//! @file
//! JSON encoding and strict decoding of the pieces of an exported program: symbolic
//! expressions (structured, never parsed from text), op attributes (generic over their
//! Hana structs), tensor metas, tree specs and leaves. See docs/format.md.
#pragma once

#include <xport/core/device.hpp>
#include <xport/core/dtype.hpp>
#include <xport/core/error.hpp>
#include <xport/core/scalar.hpp>
#include <xport/core/sym_int.hpp>
#include <xport/ops/attributes.hpp>
#include <xport/ops/meta.hpp>
#include <xport/sym/expr.hpp>
#include <xport/sym/range.hpp>
#include <xport/sym/relation.hpp>
#include <xport/sym/shape_env.hpp>
#include <xport/sym/sym_node.hpp>
#include <xport/trace/leaf.hpp>
#include <xport/trace/tree_spec.hpp>

#include <boost/hana/accessors.hpp>
#include <boost/hana/for_each.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace xport::serde::detail {

using out_json = nlohmann::ordered_json; // written in a stable, readable key order
using in_json = nlohmann::json;

// Limits that keep a hostile file from driving recursion or work without bound.
inline constexpr int max_depth = 32;                // nested expressions / tree specs
inline constexpr std::size_t max_graph_depth = 16;  // sub-graphs in sub-graphs
inline constexpr std::size_t max_expr_items = 4096; // terms, factors and atoms per expression
inline constexpr std::int64_t max_exponent = 64;

[[noreturn]] inline void fail(std::string const& where, std::string const& what) {
  throw serialization_error("xport::load: " + where + ": " + what);
}

inline std::string kind_of(in_json const& j) {
  return j.type_name();
}

// ---- strict readers -----------------------------------------------------------------

inline in_json const& field(in_json const& obj, char const* key, std::string const& where) {
  if (!obj.is_object()) fail(where, std::string("expected an object, got ") + kind_of(obj));
  auto const it = obj.find(key);
  if (it == obj.end()) fail(where, std::string("missing field '") + key + "'");
  return *it;
}

// The field, or null when absent (fields added by a later minor version are optional).
inline in_json const* optional_field(in_json const& obj, char const* key,
                                     std::string const& where) {
  if (!obj.is_object()) fail(where, std::string("expected an object, got ") + kind_of(obj));
  auto const it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

inline std::int64_t as_int(in_json const& j, std::string const& where) {
  if (j.is_number_unsigned()) {
    auto const v = j.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      fail(where, "the integer " + std::to_string(v) + " does not fit in int64");
    return static_cast<std::int64_t>(v);
  }
  if (!j.is_number_integer()) fail(where, "expected an integer, got " + kind_of(j));
  return j.get<std::int64_t>();
}

inline std::int64_t as_int_in(in_json const& j, std::int64_t lo, std::int64_t hi,
                              std::string const& where) {
  std::int64_t const v = as_int(j, where);
  if (v < lo || v > hi)
    fail(where, std::to_string(v) + " is outside [" + std::to_string(lo) + ", " + std::to_string(hi)
                    + "]");
  return v;
}

inline bool as_bool(in_json const& j, std::string const& where) {
  if (!j.is_boolean()) fail(where, "expected a boolean, got " + kind_of(j));
  return j.get<bool>();
}

inline std::string const& as_string(in_json const& j, std::string const& where) {
  if (!j.is_string()) fail(where, "expected a string, got " + kind_of(j));
  return j.get_ref<std::string const&>();
}

inline in_json const& as_array(in_json const& j, std::string const& where) {
  if (!j.is_array()) fail(where, "expected an array, got " + kind_of(j));
  return j;
}

inline std::string at(std::string const& where, std::size_t i) {
  return where + "[" + std::to_string(i) + "]";
}
inline std::string dot(std::string const& where, std::string_view key) {
  return where + "." + std::string(key);
}

// The position of `text` in the name table `names` (the enum value it names); fails at
// `where` with "unknown <what> '<text>'<hint>" for a name the table lacks.
template <std::size_t N>
std::size_t index_of_name(std::string_view const (&names)[N], std::string const& text,
                          std::string const& where, std::string_view what,
                          std::string_view hint = "") {
  for (std::size_t k = 0; k < N; ++k)
    if (names[k] == text) return k;
  fail(where, "unknown " + std::string(what) + " '" + text + "'" + std::string(hint));
}

// ---- numbers, ranges ---------------------------------------------------------------

inline out_json encode_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}

inline double decode_double(in_json const& j, std::string const& where) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    std::string const& s = j.get_ref<std::string const&>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  fail(where, "expected a number (or \"inf\", \"-inf\", \"nan\"), got " + j.dump());
}

// A range bound: an integer, or null for -int_oo (lower) / int_oo (upper).
inline out_json encode_bound(std::int64_t v) {
  if (!sym::is_finite(v)) return nullptr;
  return v;
}

inline sym::value_range decode_range(in_json const& obj, std::string const& where) {
  in_json const& lo = field(obj, "min", where);
  in_json const& hi = field(obj, "max", where);
  std::int64_t const l = lo.is_null() ? sym::neg_int_oo : as_int(lo, dot(where, "min"));
  std::int64_t const h = hi.is_null() ? sym::int_oo : as_int(hi, dot(where, "max"));
  if (!lo.is_null() && !sym::is_finite(l)) fail(where, "min must be finite or null");
  if (!hi.is_null() && !sym::is_finite(h)) fail(where, "max must be finite or null");
  if (l > h) fail(where, "empty range [" + std::to_string(l) + ", " + std::to_string(h) + "]");
  return sym::value_range{l, h};
}

inline void encode_range(out_json& obj, sym::value_range r) {
  obj["min"] = encode_bound(r.lo);
  obj["max"] = encode_bound(r.hi);
}

// ---- symbolic expressions ----------------------------------------------------------

inline constexpr std::string_view op_names[] = {"floordiv", "mod", "min", "max"};
inline constexpr std::string_view rel_names[] = {"==", "!=", "<", "<=", ">", ">="};

inline out_json encode_expr(sym::expr const& e);

inline out_json encode_atom(sym::atom const& a) {
  if (a.is_symbol()) return sym::to_string(a.sym);
  out_json obj = out_json::object();
  obj["op"] = op_names[static_cast<std::size_t>(a.op)];
  obj["args"] = out_json::array({encode_expr(a.args.at(0)), encode_expr(a.args.at(1))});
  return obj;
}

// `2*s0 + 1` is [[2, [["s0", 1]]], [1, []]]: monomials of [coefficient, [[atom, power]]].
inline out_json encode_expr(sym::expr const& e) {
  out_json terms = out_json::array();
  for (sym::monomial const& m : e.terms()) {
    out_json factors = out_json::array();
    for (sym::factor const& f : m.factors)
      factors.push_back(out_json::array({encode_atom(f.base), f.exp}));
    terms.push_back(out_json::array({m.coeff, std::move(factors)}));
  }
  return terms;
}

// Which symbols an expression may name: `count(kind)` symbols of each kind.
struct symbol_scope {
  std::uint32_t backed = 0;
  std::uint32_t unbacked = 0;
};

inline sym::symbol decode_symbol(std::string const& text, symbol_scope scope,
                                 std::string const& where) {
  if (text.size() < 2 || text.size() > 11 || (text[0] != 's' && text[0] != 'u'))
    fail(where, "'" + text + "' is not a symbol name (s<k> or u<k>)");
  std::uint64_t index = 0;
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') fail(where, "'" + text + "' is not a symbol name");
    index = index * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  bool const backed = text[0] == 's';
  std::uint32_t const count = backed ? scope.backed : scope.unbacked;
  if (index >= count)
    fail(where, "the symbol " + text + " is not defined (the program has " + std::to_string(count)
                    + (backed ? " backed" : " unbacked") + " symbols)");
  return sym::symbol{backed ? sym::symbol_kind::backed : sym::symbol_kind::unbacked,
                     static_cast<std::uint32_t>(index)};
}

struct expr_budget {
  std::size_t items = 0;
  void spend(std::string const& where) {
    if (++items > max_expr_items)
      fail(where, "the expression has more than " + std::to_string(max_expr_items) + " parts");
  }
};

inline sym::expr decode_expr(in_json const& j, symbol_scope scope, std::string const& where,
                             int depth, expr_budget& budget);

inline sym::expr decode_atom(in_json const& j, symbol_scope scope, std::string const& where,
                             int depth, expr_budget& budget) {
  budget.spend(where);
  if (j.is_string()) return sym::expr(decode_symbol(j.get_ref<std::string const&>(), scope, where));
  std::string const& op = as_string(field(j, "op", where), dot(where, "op"));
  std::size_t const k =
      index_of_name(op_names, op, dot(where, "op"), "operation", " (floordiv, mod, min, max)");
  in_json const& args = as_array(field(j, "args", where), dot(where, "args"));
  if (args.size() != 2) fail(dot(where, "args"), "expected 2 operands");
  sym::expr const a = decode_expr(args[0], scope, at(dot(where, "args"), 0), depth + 1, budget);
  sym::expr const b = decode_expr(args[1], scope, at(dot(where, "args"), 1), depth + 1, budget);
  if (auto const c = b.constant(); c && *c == 0 && k < 2) fail(where, "division by zero");
  return sym::apply(static_cast<sym::op_kind>(k), a, b);
}

inline sym::expr decode_expr(in_json const& j, symbol_scope scope, std::string const& where,
                             int depth, expr_budget& budget) {
  if (depth > max_depth)
    fail(where, "expressions nest deeper than " + std::to_string(max_depth) + " levels");
  in_json const& terms = as_array(j, where);
  sym::expr sum;
  try {
    for (std::size_t t = 0; t < terms.size(); ++t) {
      std::string const tw = at(where, t);
      budget.spend(tw);
      in_json const& term = as_array(terms[t], tw);
      if (term.size() != 2) fail(tw, "a term is [coefficient, factors]");
      sym::expr product = as_int(term[0], at(tw, 0));
      in_json const& factors = as_array(term[1], at(tw, 1));
      for (std::size_t f = 0; f < factors.size(); ++f) {
        std::string const fw = at(at(tw, 1), f);
        in_json const& factor = as_array(factors[f], fw);
        if (factor.size() != 2) fail(fw, "a factor is [atom, power]");
        auto const power = as_int_in(factor[1], 1, max_exponent, at(fw, 1));
        product = product
                  * sym::pow(decode_atom(factor[0], scope, at(fw, 0), depth, budget),
                             static_cast<unsigned>(power));
      }
      sum = sum + product;
    }
  } catch (serialization_error const&) {
    throw;
  } catch (error const& e) { // coefficient overflow and the like
    fail(where, std::string("invalid expression: ") + e.what());
  }
  return sum;
}

inline sym::expr decode_expr(in_json const& j, symbol_scope scope, std::string const& where) {
  expr_budget budget;
  return decode_expr(j, scope, where, 0, budget);
}

inline out_json encode_relation(sym::relation const& r) {
  out_json obj = out_json::object();
  obj["op"] = rel_names[static_cast<std::size_t>(r.op)];
  obj["lhs"] = encode_expr(r.lhs);
  obj["rhs"] = encode_expr(r.rhs);
  return obj;
}

inline sym::relation decode_relation(in_json const& j, symbol_scope scope,
                                     std::string const& where) {
  std::string const& op = as_string(field(j, "op", where), dot(where, "op"));
  sym::relation r;
  r.op = static_cast<sym::rel_op>(index_of_name(rel_names, op, dot(where, "op"), "comparison"));
  r.lhs = decode_expr(field(j, "lhs", where), scope, dot(where, "lhs"));
  r.rhs = decode_expr(field(j, "rhs", where), scope, dot(where, "rhs"));
  return r;
}

// ---- SymInt ------------------------------------------------------------------------

// What decoding symbolic values needs: the environment that owns the loaded symbols.
struct decode_context {
  sym::ShapeEnv* env = nullptr;
  symbol_scope scope;
};

inline out_json encode_symint(SymInt const& v) {
  if (!v.is_symbolic()) return *v.maybe_int();
  out_json obj = out_json::object();
  obj["expr"] = encode_expr(sym::expr_of(v));
  return obj;
}

inline SymInt decode_symint(in_json const& j, decode_context const& ctx, std::string const& where) {
  if (j.is_number()) return SymInt(as_int(j, where));
  if (!j.is_object()) fail(where, "expected an integer or {\"expr\": ...}, got " + kind_of(j));
  sym::expr e = decode_expr(field(j, "expr", where), ctx.scope, dot(where, "expr"));
  return sym::expr_node::make(*ctx.env, std::move(e));
}

// ---- dtypes, devices, metas ----------------------------------------------------------

inline dtype decode_dtype(in_json const& j, std::string const& where) {
  std::string const& text = as_string(j, where);
  for (dtype d : all_dtypes)
    if (name(d) == text) return d;
  fail(where, "unknown dtype '" + text + "'");
}

inline Device decode_device(in_json const& j, std::string const& where) {
  std::string const& text = as_string(j, where);
  try {
    return Device(std::string_view(text));
  } catch (error const& e) {
    fail(where, e.what());
  }
}

inline out_json encode_meta(ops::tensor_meta const& m) {
  out_json obj = out_json::object();
  obj["dtype"] = std::string(name(m.dtype));
  obj["device"] = m.device.str();
  out_json sizes = out_json::array();
  for (SymInt const& s : m.sizes)
    sizes.push_back(encode_symint(s));
  obj["sizes"] = std::move(sizes);
  obj["defined"] = m.defined;
  return obj;
}

inline ops::tensor_meta decode_meta(in_json const& j, decode_context const& ctx,
                                    std::string const& where) {
  ops::tensor_meta m;
  m.dtype = decode_dtype(field(j, "dtype", where), dot(where, "dtype"));
  m.device = decode_device(field(j, "device", where), dot(where, "device"));
  in_json const& sizes = as_array(field(j, "sizes", where), dot(where, "sizes"));
  if (sizes.size() > 64) fail(dot(where, "sizes"), "more than 64 dimensions");
  for (std::size_t d = 0; d < sizes.size(); ++d) {
    SymInt s = decode_symint(sizes[d], ctx, at(dot(where, "sizes"), d));
    if (auto const c = s.maybe_int(); c && *c < 0)
      fail(at(dot(where, "sizes"), d), "negative size " + std::to_string(*c));
    m.sizes.push_back(std::move(s));
  }
  m.defined = as_bool(field(j, "defined", where), dot(where, "defined"));
  return m;
}

// ---- attributes --------------------------------------------------------------------

// The attribute kinds' traits are the ones ops/attributes.hpp formats and hashes with.
using ops::detail::is_optional;
using ops::detail::is_vector;

// An enumerator index whose `name` (found by ADL) is a constant expression: how the
// decoder learns an enum's names without a list of its enumerators.
template <class E, std::size_t I>
concept named_enumerator = requires {
  typename std::integral_constant<std::size_t, name(static_cast<E>(I)).size()>;
};

template <class E, std::size_t I>
constexpr bool match_enumerator(std::string_view text, std::optional<E>& out) {
  if constexpr (named_enumerator<E, I>) {
    if (!out && name(static_cast<E>(I)) == text) out = static_cast<E>(I);
  }
  return out.has_value();
}

template <class E>
std::optional<E> enum_from_name(std::string_view text) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    std::optional<E> out;
    (void)(match_enumerator<E, I>(text, out) || ...);
    return out;
  }
  (std::make_index_sequence<256>{});
}

// A Scalar as `{"bool": ...}`, `{"float": ...}` or `{"int": ...}`; a symbolic integer's
// "int" is an expression, as a symbolic size is (`{"int": {"expr": ...}}`, schema 1.4).
inline out_json encode_scalar(Scalar const& value) {
  out_json obj = out_json::object();
  if (value.is_bool())
    obj["bool"] = value.to<bool>();
  else if (value.is_floating_point())
    obj["float"] = encode_double(value.to<double>());
  else
    obj["int"] = encode_symint(value.sym_int());
  return obj;
}

// An attribute value as JSON (a record is an object of its fields, in order).
inline out_json encode_value(ops::attribute_value const& v) {
  using kind = ops::attribute_value::kind;
  switch (v.what) {
  case kind::none:
    return nullptr;
  case kind::boolean:
    return v.flag;
  case kind::integer:
    return v.integer;
  case kind::floating:
    return encode_double(v.floating);
  case kind::string:
  case kind::dtype:
  case kind::enumerator:
    return v.text;
  case kind::symint:
    return encode_symint(v.size);
  case kind::scalar:
    return encode_scalar(v.number);
  case kind::list: {
    out_json arr = out_json::array();
    for (ops::attribute_value const& item : v.items)
      arr.push_back(encode_value(item));
    return arr;
  }
  case kind::record:
    break;
  }
  out_json obj = out_json::object();
  for (std::size_t i = 0; i < v.items.size(); ++i)
    obj[v.names[i]] = encode_value(v.items[i]);
  return obj;
}

template <class T>
T decode_attribute(in_json const& j, decode_context const& ctx, std::string const& where,
                   int depth = 0) {
  if (depth > max_depth) fail(where, "attributes nest too deeply");
  if constexpr (std::same_as<T, bool>) {
    return as_bool(j, where);
  } else if constexpr (std::same_as<T, std::int64_t>) {
    return as_int(j, where);
  } else if constexpr (std::same_as<T, std::string>) {
    return as_string(j, where);
  } else if constexpr (std::same_as<T, double>) {
    return decode_double(j, where);
  } else if constexpr (std::same_as<T, dtype>) {
    return decode_dtype(j, where);
  } else if constexpr (std::is_enum_v<T>) {
    std::string const& text = as_string(j, where);
    if (auto const e = enum_from_name<T>(text)) return *e;
    fail(where, "'" + text + "' is not a value of this attribute's enumeration");
  } else if constexpr (std::same_as<T, SymInt>) {
    return decode_symint(j, ctx, where);
  } else if constexpr (std::same_as<T, Scalar>) {
    if (!j.is_object() || j.size() != 1)
      fail(where, "a Scalar is {\"int\": n}, {\"float\": x} or {\"bool\": b}, got " + j.dump());
    if (auto const* v = optional_field(j, "int", where))
      return Scalar(decode_symint(*v, ctx, dot(where, "int")));
    if (auto const* v = optional_field(j, "float", where)) return Scalar(decode_double(*v, where));
    if (auto const* v = optional_field(j, "bool", where)) return Scalar(as_bool(*v, where));
    fail(where, "a Scalar is {\"int\": n}, {\"float\": x} or {\"bool\": b}, got " + j.dump());
  } else if constexpr (is_optional<T>::value) {
    if (j.is_null()) return T{};
    return T{decode_attribute<typename T::value_type>(j, ctx, where, depth + 1)};
  } else if constexpr (is_vector<T>::value) {
    as_array(j, where);
    T out;
    out.reserve(j.size());
    for (std::size_t i = 0; i < j.size(); ++i)
      out.push_back(decode_attribute<typename T::value_type>(j[i], ctx, at(where, i), depth + 1));
    return out;
  } else {
    static_assert(ops::hana_struct<T>, "xport::load: an attribute of a kind serde cannot decode");
    if (!j.is_object()) fail(where, "expected an object of attributes, got " + kind_of(j));
    T out{};
    std::size_t known = 0;
    boost::hana::for_each(boost::hana::accessors<T>(), [&](auto accessor) {
      char const* key = boost::hana::to<char const*>(boost::hana::first(accessor));
      auto& slot = boost::hana::second(accessor)(out);
      using field_type = std::remove_cvref_t<decltype(slot)>;
      auto const it = j.find(key);
      if (it == j.end()) {
        if constexpr (is_optional<field_type>::value) {
          return; // an absent optional reads as None
        } else {
          fail(where, std::string("missing attribute '") + key + "'");
        }
      } else {
        ++known;
        slot = decode_attribute<field_type>(*it, ctx, dot(where, key), depth + 1);
      }
    });
    if (known != j.size()) {
      std::string extra;
      for (auto it = j.begin(); it != j.end(); ++it) {
        bool found = false;
        boost::hana::for_each(boost::hana::accessors<T>(), [&](auto accessor) {
          found = found || it.key() == boost::hana::to<char const*>(boost::hana::first(accessor));
        });
        if (!found) extra += (extra.empty() ? "'" : ", '") + it.key() + "'";
      }
      fail(where, "unknown attribute " + extra + " (the op in this xport has no such attribute)");
    }
    return out;
  }
}

// ---- leaves and tree specs -----------------------------------------------------------

// `output`: the leaf is an output, where a symbolic integer (a size forward returned) may be.
inline out_json encode_leaf(leaf const& l, bool output = false) {
  out_json obj = out_json::object();
  if (auto const* v = std::get_if<std::int64_t>(&l)) {
    obj["int"] = *v;
  } else if (auto const* d = std::get_if<double>(&l)) {
    obj["float"] = encode_double(*d);
  } else if (auto const* b = std::get_if<bool>(&l)) {
    obj["bool"] = *b;
  } else if (auto const* s = std::get_if<std::string>(&l)) {
    obj["string"] = *s;
  } else if (auto const* n = std::get_if<SymInt>(&l)) {
    if (n->is_symbolic() && !output)
      throw serialization_error("xport::save: a symbolic integer (" + n->str()
                                + ") appears where the program keeps a constant value");
    obj["symint"] = encode_symint(*n);
  } else if (std::holds_alternative<Tensor>(l)) {
    throw serialization_error("xport::save: a tensor appears where the program keeps a constant "
                              "value (an input constant or a constant output); only None, int, "
                              "float, bool and str constants can be saved");
  } else {
    return nullptr;
  }
  return obj;
}

// `ctx`: where a symbolic integer may appear (an output), the symbols it is made of.
inline leaf decode_leaf(in_json const& j, std::string const& where,
                        decode_context const* ctx = nullptr) {
  if (j.is_null()) return none;
  if (!j.is_object() || j.size() != 1)
    fail(where, "a constant is null or one of {\"int\"|\"float\"|\"bool\"|\"string\"|\"symint\": "
                "value}");
  if (auto const* v = optional_field(j, "int", where)) return as_int(*v, where);
  if (auto const* v = optional_field(j, "float", where)) return decode_double(*v, where);
  if (auto const* v = optional_field(j, "bool", where)) return as_bool(*v, where);
  if (auto const* v = optional_field(j, "string", where)) return as_string(*v, where);
  if (auto const* v = optional_field(j, "symint", where)) {
    if (v->is_object() && ctx == nullptr)
      fail(dot(where, "symint"), "a symbolic integer can only be an output of the program");
    return v->is_object() ? decode_symint(*v, *ctx, dot(where, "symint"))
                          : SymInt(as_int(*v, where));
  }
  fail(where, "a constant is null or one of {\"int\"|\"float\"|\"bool\"|\"string\"|\"symint\": "
              "value}");
}

inline constexpr std::string_view tree_kind_names[] = {"leaf", "none", "tuple",
                                                       "list", "dict", "dataclass"};

inline out_json encode_tree(tree_spec const& spec) {
  out_json obj = out_json::object();
  obj["kind"] = tree_kind_names[static_cast<std::size_t>(spec.kind())];
  if (spec.kind() == node_kind::dataclass) obj["type"] = spec.type_name();
  if (spec.kind() == node_kind::dict || spec.kind() == node_kind::dataclass)
    obj["keys"] = spec.keys();
  if (spec.num_children() != 0) {
    out_json children = out_json::array();
    for (tree_spec const& c : spec.children())
      children.push_back(encode_tree(c));
    obj["children"] = std::move(children);
  }
  return obj;
}

inline tree_spec decode_tree(in_json const& j, std::string const& where, int depth = 0) {
  if (depth > max_depth) fail(where, "tree specs nest deeper than 32 levels");
  std::string const& kind = as_string(field(j, "kind", where), dot(where, "kind"));
  std::vector<tree_spec> children;
  if (auto const* c = optional_field(j, "children", where)) {
    as_array(*c, dot(where, "children"));
    for (std::size_t i = 0; i < c->size(); ++i)
      children.push_back(decode_tree((*c)[i], at(dot(where, "children"), i), depth + 1));
  }
  auto keys = [&] {
    std::vector<std::string> out;
    in_json const& k = as_array(field(j, "keys", where), dot(where, "keys"));
    for (std::size_t i = 0; i < k.size(); ++i)
      out.push_back(as_string(k[i], at(dot(where, "keys"), i)));
    if (out.size() != children.size())
      fail(where, std::to_string(out.size()) + " keys for " + std::to_string(children.size())
                      + " children");
    return out;
  };
  auto no_children = [&] {
    if (!children.empty()) fail(where, "a " + kind + " spec has no children");
  };
  if (kind == "leaf") {
    no_children();
    return leaf_spec();
  }
  if (kind == "none") {
    no_children();
    return none_spec();
  }
  if (kind == "tuple") return tuple_spec(std::move(children));
  if (kind == "list") return list_spec(std::move(children));
  try {
    if (kind == "dict") {
      auto k = keys();
      return dict_spec(std::move(k), std::move(children));
    }
    if (kind == "dataclass") {
      auto k = keys();
      return dataclass_spec(as_string(field(j, "type", where), dot(where, "type")), std::move(k),
                            std::move(children));
    }
  } catch (serialization_error const&) {
    throw;
  } catch (error const& e) {
    fail(where, e.what());
  }
  fail(dot(where, "kind"), "unknown tree node kind '" + kind + "'");
}

} // namespace xport::serde::detail
