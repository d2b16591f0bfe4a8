//! @file
//! An `ExportedProgram` written as the program JSON of a PyTorch `.pt2` archive (schema
//! 8.20), the inverse of pt2_program.hpp: each node under PyTorch's op schema, symbolic
//! sizes as sympy expressions with the `sym_size` / `_operator` nodes that compute the
//! symbolic arguments, the graph signature, the tree specs and the range constraints; and
//! the weights and constants configs with their payloads.
#pragma once

#include <xport/export/program.hpp>
#include <xport/serde/detail/pt2_arguments.hpp>
#include <xport/serde/detail/pt2_higher_order.hpp>
#include <xport/serde/detail/pt2_program.hpp>
#include <xport/serde/detail/pt2_provenance.hpp>
#include <xport/serde/detail/pt2_schema.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace xport::serde::detail {

//! The schema minor version `save_pt2` writes (PyTorch 2.15's).
inline constexpr std::int64_t pt2_schema_minor = 20;

// ---- the writer ---------------------------------------------------------------------

//! What `pt2_writer` produces: the three JSON files and the payloads (archive path and
//! storage, each storage once).
struct pt2_files {
  std::string model;
  std::string weights_config;
  std::string constants_config;
  std::vector<std::pair<std::string, Storage>> payloads;
};

//! Writes one program. Every op or feature PyTorch's format cannot carry is collected,
//! and `write` then fails with one error listing them all.
class pt2_writer {
public:
  explicit pt2_writer(ExportedProgram const& ep) : ep_(ep) {
    for (range_constraint const& r : ep.range_constraints)
      constrained_.insert(r.symbol);
    if (ep.shape_env)
      for (sym::symbol_info const& info : ep.shape_env->symbols())
        if (info.hint) hints_.emplace(info.sym, *info.hint);
    for (graph::node const& n : ep.graph.nodes())
      if (n.op == graph::node_op::placeholder && n.scalar)
        if (auto const s = bare_symbol(expr_of(*n.scalar))) integer_symbols_.insert(*s);
  }

  pt2_files write() {
    ep_.check_state("xport::save_pt2"); // never write a file that disagrees with its graph
    ep_.check_contract("xport::save_pt2");
    out_json graph = write_graph(ep_.graph, top_);
    out_json signature = write_signature();
    out_json calls = write_module_call_graph();
    unsupported_.throw_if_any();

    out_json gm = out_json::object();
    gm["graph"] = std::move(graph);
    gm["signature"] = std::move(signature);
    gm["module_call_graph"] = std::move(calls);
    gm["metadata"] = out_json::object();
    gm["treespec_namedtuple_fields"] = out_json::object();

    out_json root = out_json::object();
    root["graph_module"] = std::move(gm);
    root["opset_version"] = {{"aten", 10}};
    root["range_constraints"] = write_ranges();
    root["schema_version"] = {{"major", pt2_schema_major}, {"minor", pt2_schema_minor}};
    root["verifiers"] = out_json::array({"TRAINING"});
    root["torch_version"] = "";
    root["guards_code"] = out_json::array();

    pt2_files files;
    files.model = root.dump();
    files.weights_config = write_state(ep_.state_dict, "data/weights/", "weight_", files).dump();
    files.constants_config = write_state(ep_.constants, "data/constants/", "tensor_", files).dump();
    return files;
  }

private:
  // A tensor's size `a*s + b` from which symbol `s` is computed: `(size - b) // a`.
  struct symbol_size {
    std::string tensor;
    std::int64_t dim = 0;
    std::int64_t a = 1;
    std::int64_t b = 0;
  };

  // One graph being written: its JSON tables and the names of its values.
  struct graph_state {
    out_json nodes = out_json::array();
    out_json tensor_values = out_json::object();
    out_json sym_int_values = out_json::object();
    out_json sym_bool_values = out_json::object();
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::string> values; // (node, k) -> name
    std::map<sym::symbol, symbol_size> sizes; // a size that gives the symbol
    std::map<std::string, std::pair<sym::expr, symbol_size>> symbolic_sizes; // by srepr text
    std::map<std::string, out_json> expressions;     // computed expressions, by their text
    std::set<std::string> names;                     // every name the graph uses
    std::set<std::string> reserved;                  // its nodes' names, not yet used
    std::map<std::string, out_json> input_arguments; // integer inputs, by placeholder
  };

  ExportedProgram const& ep_;
  std::map<sym::symbol, std::int64_t> hints_;
  pt2_unsupported unsupported_{"xport::save_pt2", "nothing was written", {}};
  out_json top_outputs_ = out_json::array(); // the program's outputs (top_output_arguments)
  graph_state top_;

  std::set<std::string> constrained_; // the symbols with a range constraint

  // Integer inputs' symbols are not positive; sizes are.
  std::set<sym::symbol> integer_symbols_;

  template <class T>
  std::string srepr(T const& value) const {
    return pt2_srepr(value, [this](sym::symbol s) {
      return s.kind == sym::symbol_kind::backed && !integer_symbols_.contains(s);
    });
  }

  // A name of `g` not used yet, from `base`. The graph's own node names are reserved
  // up front, so that a name made for a new node (`sym_size_int`) never displaces them.
  static std::string fresh_name(graph_state& g, std::string const& base) {
    std::string name = base;
    for (std::size_t k = 1; g.names.contains(name) || g.reserved.contains(name); ++k)
      name = base + "_" + std::to_string(k);
    g.names.insert(name);
    return name;
  }

  // The name of node `n` itself (reserved for it), made unique only if it was taken.
  static std::string own_name(graph_state& g, graph::node const& n) {
    g.reserved.erase(n.name);
    return fresh_name(g, n.name);
  }

  // ---- sizes ------------------------------------------------------------------------

  // The expression of `v` in the program's independent symbols: an equality the program
  // relies on (`s2 == s0`, two inputs of one size) is a replacement in its ShapeEnv, which
  // PyTorch's format expresses by naming the same symbol.
  sym::expr expr_of(SymInt const& v) const { return replaced(sym::expr_of(v)); }

  // `e` with the ShapeEnv's replacements. A symbol replaced by a constant stays a symbol
  // where a range constraint of its own pins it (`s0: VR[2, 2]`), as the program has it.
  // `keep_unbacked`: data-dependent symbols stay (what defines them, and the asserts that
  // justify their replacements, read the value itself).
  sym::expr replaced(sym::expr const& e, bool keep_unbacked = false) const {
    if (!ep_.shape_env || ep_.shape_env->replacements().empty()) return e;
    auto const& replacements = ep_.shape_env->replacements();
    return sym::substitute(e, [&](sym::symbol s) -> std::optional<sym::expr> {
      if (keep_unbacked && s.kind == sym::symbol_kind::unbacked) return std::nullopt;
      auto const it = replacements.find(s);
      if (it == replacements.end()) return std::nullopt;
      if (it->second.is_constant() && constrained_.contains(sym::to_string(s))) return std::nullopt;
      return it->second;
    });
  }

  // The example value of `e`; none when it names a data-dependent symbol (or the
  // arithmetic fails, as a division by zero would).
  std::optional<std::int64_t> hint_of(sym::expr const& e) const {
    for (sym::symbol const s : sym::free_symbols(e))
      if (!hints_.contains(s)) return std::nullopt;
    try {
      return sym::evaluate(e, [&](sym::symbol s) { return hints_.at(s); });
    } catch (error const&) {
      return std::nullopt;
    }
  }

  // A size of a tensor meta: `{"as_int": 3}` or `{"as_expr": {"expr_str", "hint"}}`.
  out_json size_json(sym::expr const& e) const {
    if (auto const c = e.constant()) return {{"as_int", *c}};
    std::optional<std::int64_t> const hint = hint_of(e);
    return {{"as_expr",
             {{"expr_str", srepr(e)},
              {"hint", hint ? out_json{{"as_int", *hint}} : out_json(nullptr)}}}};
  }

  out_json meta_json(ops::tensor_meta const& m, bool requires_grad) const {
    out_json sizes = out_json::array();
    std::vector<sym::expr> extents;
    for (SymInt const& s : m.sizes) {
      extents.push_back(expr_of(s));
      sizes.push_back(size_json(extents.back()));
    }
    // Contiguous strides, as PyTorch computes them (a dimension of size 0 counts as 1).
    std::vector<out_json> strides(extents.size());
    sym::expr stride = 1;
    for (std::size_t d = extents.size(); d-- > 0;) {
      strides[d] = size_json(stride);
      auto const c = extents[d].constant();
      stride = stride * (c && *c == 0 ? sym::expr(1) : extents[d]);
    }
    return meta_object(m.dtype, std::move(sizes), strides, {{"as_int", 0}}, requires_grad);
  }

  // A TensorMeta of a CPU tensor with a strided layout (7).
  static out_json meta_object(dtype type, out_json sizes, out_json strides, out_json offset,
                              bool requires_grad) {
    return {{"dtype", pt2_scalar_type(type)},
            {"sizes", std::move(sizes)},
            {"requires_grad", requires_grad},
            {"device", {{"type", "cpu"}, {"index", nullptr}}},
            {"strides", std::move(strides)},
            {"storage_offset", std::move(offset)},
            {"layout", 7}};
  }

  // ---- symbolic arguments -----------------------------------------------------------

  // A node computing a symbolic integer (`sym_size.int`, `_operator.mul`) or, when
  // `boolean`, a comparison of them: the node, its value in `sym_int_values` (or
  // `sym_bool_values`), and the name (`{"as_name": n}`) consumers read.
  out_json symbolic_call(graph_state& g, std::string const& target, std::string const& base,
                         std::vector<std::pair<char const*, out_json>> args,
                         std::string const& expr_text, bool boolean,
                         std::optional<std::int64_t> hint) {
    std::string const name = fresh_name(g, base);
    out_json inputs = out_json::array();
    for (auto& [arg_name, arg] : args)
      inputs.push_back({{"name", arg_name}, {"arg", std::move(arg)}, {"kind", 1}});
    char const* const kind = boolean ? "as_sym_bool" : "as_sym_int";
    g.nodes.push_back({{"target", target},
                       {"inputs", std::move(inputs)},
                       {"outputs", out_json::array({{{kind, {{"as_name", name}}}}})},
                       {"metadata", out_json::object()},
                       {"is_hop_single_tensor_return", nullptr},
                       {"name", name}});
    (boolean ? g.sym_bool_values : g.sym_int_values)[name] = {
        {"as_expr",
         {{"expr_str", expr_text},
          {"hint", hint ? out_json{{"as_int", *hint}} : out_json(nullptr)}}}};
    return {{"as_name", name}};
  }

  // `sym_size.int(tensor, dim)`, whose value is `size`.
  out_json size_node(graph_state& g, symbol_size const& where, sym::expr const& size) {
    return symbolic_call(
        g, "torch.ops.aten.sym_size.int", "sym_size_int",
        {{"self", tensor_argument(where.tensor)}, {"dim", {{"as_int", where.dim}}}}, srepr(size),
        false, hint_of(size));
  }

  // `{"as_int": c}` or `{"as_name": n}` (a SymIntArgument) for `e`, emitting the nodes
  // that compute it; null when the graph cannot compute it (a symbol no value of this
  // graph has as a size).
  std::optional<out_json> sym_int_argument(graph_state& g, sym::expr const& e) {
    if (auto const c = e.constant()) return out_json{{"as_int", *c}};
    std::string const text = srepr(e);
    if (auto const it = g.expressions.find(text); it != g.expressions.end()) return it->second;
    std::optional<out_json> out = size_plus_constant(g, e);
    if (!out) {
      std::optional<sym::symbol> const s = bare_symbol(e);
      out = s ? read_symbol(g, *s) : sum_of(g, e);
    }
    if (out) g.expressions.emplace(text, *out);
    return out;
  }

  // `e` as a tensor's size plus a constant (`x.size(0) - 1`), as PyTorch computes it.
  std::optional<out_json> size_plus_constant(graph_state& g, sym::expr const& e) {
    for (auto const& [text, entry] : g.symbolic_sizes) {
      auto const& [size, where] = entry;
      std::optional<std::int64_t> const offset = (e - size).constant();
      if (!offset) continue;
      out_json out = size_node(g, where, size);
      if (*offset != 0) out = binary(g, "_operator.add", out, {{"as_int", *offset}}, e);
      return out;
    }
    return std::nullopt;
  }

  // Symbol `s` read from a size that gives it: `sym_size.int(tensor, dim)`, less the
  // size's constant, divided by its coefficient.
  std::optional<out_json> read_symbol(graph_state& g, sym::symbol s) {
    auto const found = g.sizes.find(s);
    if (found == g.sizes.end()) return std::nullopt;
    symbol_size const& size = found->second;
    sym::expr value = size.a * sym::expr(s) + size.b;
    out_json out = size_node(g, size, value);
    if (size.b != 0) {
      value = value - size.b;
      out = binary(g, "_operator.sub", out, {{"as_int", size.b}}, value);
    }
    if (size.a != 1) out = binary(g, "_operator.floordiv", out, {{"as_int", size.a}}, s);
    return out;
  }

  // A binary operator node on two SymIntArguments.
  out_json binary(graph_state& g, std::string_view op, out_json const& a, out_json const& b,
                  sym::expr const& result) {
    auto const dot_at = op.rfind('.');
    std::string const base(op.substr(dot_at + 1));
    return symbolic_call(g, std::string(op), base, {{"a", argument_of(a)}, {"b", argument_of(b)}},
                         srepr(result), false, hint_of(result));
  }

  // A SymIntArgument as an Argument of a node (`{"as_sym_int": {"as_name": n}}`).
  static out_json argument_of(out_json const& sym_int) {
    if (sym_int.contains("as_int")) return sym_int;
    return {{"as_sym_int", sym_int}};
  }

  std::optional<out_json> atom_value(graph_state& g, sym::atom const& a) {
    if (a.is_symbol()) return sym_int_argument(g, sym::expr(a.sym));
    auto const x = sym_int_argument(g, a.args.at(0));
    auto const y = sym_int_argument(g, a.args.at(1));
    if (!x || !y) return std::nullopt;
    static constexpr std::string_view targets[] = {"_operator.floordiv", "_operator.mod",
                                                   "torch.sym_min", "torch.sym_max"};
    return binary(g, targets[static_cast<std::size_t>(a.op)], *x, *y, expr_of_atom(a));
  }

  // A polynomial: each monomial a product, then their sum.
  std::optional<out_json> sum_of(graph_state& g, sym::expr const& e) {
    std::optional<out_json> total;
    sym::expr partial;
    for (sym::monomial const& m : e.terms()) {
      std::optional<out_json> value;
      sym::expr product = 1;
      for (sym::factor const& f : m.factors) {
        for (std::uint32_t k = 0; k < f.exp; ++k) {
          std::optional<out_json> const v = atom_value(g, f.base);
          if (!v) return std::nullopt;
          product = product * expr_of_atom(f.base);
          value = value ? binary(g, "_operator.mul", *value, *v, product) : v;
        }
      }
      if (!value) {
        value = out_json{{"as_int", m.coeff}};
        product = m.coeff;
      } else if (m.coeff != 1) {
        product = product * m.coeff;
        value = binary(g, "_operator.mul", *value, {{"as_int", m.coeff}}, product);
      }
      partial = partial + product;
      total = total ? binary(g, "_operator.add", *total, *value, partial) : value;
    }
    return total;
  }

  static sym::expr expr_of_atom(sym::atom const& a) {
    if (a.is_symbol()) return a.sym;
    return sym::apply(a.op, a.args.at(0), a.args.at(1));
  }

  // ---- arguments ----------------------------------------------------------------------

  // The attribute `v` as an Argument for the schema type `type`; null when it has no
  // such form (the caller records why).
  std::optional<out_json> argument(graph_state& g, ops::attribute_value const& v,
                                   std::string_view type, std::string& why) {
    using kind = ops::attribute_value::kind;
    auto scalar = [](Scalar const& s) -> out_json {
      if (s.is_bool()) return {{"as_bool", s.to<bool>()}};
      if (s.is_floating_point()) return {{"as_float", float_json(s.to<double>())}};
      return {{"as_int", s.to<std::int64_t>()}};
    };
    switch (v.what) {
    case kind::none:
      return out_json{{"as_none", true}};
    case kind::boolean:
      return out_json{{"as_bool", v.flag}};
    case kind::integer:
      if (type.find('[') != std::string_view::npos) // `int[1] dim` given one integer
        return out_json{{"as_ints", out_json::array({v.integer})}};
      return out_json{{"as_int", v.integer}};
    case kind::floating:
      return out_json{{"as_float", float_json(v.floating)}};
    case kind::string:
      if (type.starts_with("Device")) {
        Device const d{std::string_view(v.text)};
        if (d != Device(cpu_t{})) {
          why = "a device other than the CPU";
          return std::nullopt;
        }
        return out_json{{"as_device", {{"type", "cpu"}, {"index", nullptr}}}};
      }
      return out_json{{"as_string", v.text}};
    case kind::dtype:
      for (dtype d : all_dtypes)
        if (name(d) == v.text) return out_json{{"as_scalar_type", pt2_scalar_type(d)}};
      why = "the dtype '" + v.text + "'";
      return std::nullopt;
    case kind::enumerator:
      if (type.starts_with("str")) return out_json{{"as_string", v.text}};
      why = "the enumerator '" + v.text + "' where PyTorch has " + std::string(type);
      return std::nullopt;
    case kind::symint: {
      auto const value = sym_int_argument(g, expr_of(v.size));
      if (!value) {
        why = "the size " + v.size.str() + ", which no tensor of the graph has";
        return std::nullopt;
      }
      return argument_of(*value);
    }
    case kind::scalar:
      if (v.number.is_symbolic()) {
        auto const value = sym_int_argument(g, expr_of(v.number.sym_int()));
        if (!value) {
          why = "the integer " + v.number.str() + ", which no tensor of the graph has";
          return std::nullopt;
        }
        return argument_of(*value);
      }
      return scalar(v.number);
    case kind::list:
      return list_argument(g, v, why);
    case kind::record:
      break;
    }
    why = "a record attribute";
    return std::nullopt;
  }

  std::optional<out_json> list_argument(graph_state& g, ops::attribute_value const& v,
                                        std::string& why) {
    using kind = ops::attribute_value::kind;
    bool symbolic = false, floating = false, boolean = false;
    for (ops::attribute_value const& item : v.items) {
      symbolic = symbolic || (item.what == kind::symint && item.size.is_symbolic());
      floating = floating || item.what == kind::floating;
      boolean = boolean || item.what == kind::boolean;
    }
    out_json items = out_json::array();
    for (ops::attribute_value const& item : v.items) {
      if (floating) {
        items.push_back(float_json(item.floating));
      } else if (boolean) {
        items.push_back(item.flag);
      } else if (item.what == kind::integer) {
        items.push_back(symbolic ? out_json{{"as_int", item.integer}} : out_json(item.integer));
      } else if (item.what == kind::symint) {
        sym::expr const e = expr_of(item.size);
        if (!symbolic) {
          items.push_back(*e.constant());
          continue;
        }
        auto const value = sym_int_argument(g, e);
        if (!value) {
          why = "the size " + item.size.str() + ", which no tensor of the graph has";
          return std::nullopt;
        }
        items.push_back(*value);
      } else {
        why = "a list of this kind";
        return std::nullopt;
      }
    }
    if (floating) return out_json{{"as_floats", std::move(items)}};
    if (boolean) return out_json{{"as_bools", std::move(items)}};
    return out_json{{symbolic ? "as_sym_ints" : "as_ints", std::move(items)}};
  }

  static out_json float_json(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
    return v;
  }

  static out_json tensor_argument(std::string const& name) {
    return {{"as_tensor", {{"name", name}}}};
  }

  // ---- nodes --------------------------------------------------------------------------

  static std::string const& value_name(graph_state const& g, graph::value_ref v) {
    return g.values.at({v.node, v.index});
  }

  // Symbols that a tensor's size gives become readable through `sym_size.int(tensor,
  // dim)`, emitted where first needed: a size that is the symbol alone (`[s0, 16]`,
  // `[u0]`) or linear in it (`[4*s0]`, `[s0 + 1]`), the symbol alone preferred.
  void define_symbols(graph_state& g, std::string const& tensor, ops::tensor_meta const& m) const {
    for (std::size_t d = 0; d < m.sizes.size(); ++d) {
      sym::expr const e = expr_of(m.sizes[d]);
      if (e.is_constant()) continue;
      symbol_size const where{tensor, static_cast<std::int64_t>(d), 1, 0};
      g.symbolic_sizes.try_emplace(srepr(e), e, where);
      auto const linear = sym::as_affine(e);
      if (!linear || linear->a <= 0) continue;
      symbol_size const size{tensor, where.dim, linear->a, linear->b};
      auto const [it, fresh] = g.sizes.try_emplace(linear->s, size);
      bool const bare = size.a == 1 && size.b == 0;
      if (!fresh && bare && (it->second.a != 1 || it->second.b != 0)) it->second = size;
    }
  }

  static std::optional<sym::symbol> bare_symbol(sym::expr const& e) {
    auto const l = sym::as_affine(e);
    if (!l || l->a != 1 || l->b != 0) return std::nullopt;
    return l->s;
  }

  // Names the tensor outputs of node `i`, records their metas and the symbols they
  // introduce. PyTorch names a node after its output when the op returns one tensor;
  // else the outputs (read through `getitem`) have names of their own.
  std::pair<std::string, out_json> name_outputs(graph_state& g, graph::node const& n,
                                                std::uint32_t i, bool single, bool list) {
    std::string const node_name = own_name(g, n);
    out_json outputs = out_json::array();
    out_json items = out_json::array();
    for (std::size_t k = 0; k < n.values.size(); ++k) {
      ops::tensor_meta const& m = n.values[k];
      std::string const name = single ? node_name : fresh_name(g, n.name + "_" + std::to_string(k));
      g.values[{i, static_cast<std::uint32_t>(k)}] = name;
      g.tensor_values[name] = meta_json(m, false);
      define_symbols(g, name, m);
      if (list)
        items.push_back({{"name", name}});
      else
        outputs.push_back(tensor_argument(name));
    }
    if (list) outputs.push_back({{"as_tensors", std::move(items)}});
    return {node_name, std::move(outputs)};
  }

  out_json node_json(std::string target, out_json inputs, out_json outputs, std::string const& name,
                     graph::node const& n) const {
    out_json metadata = pt2_provenance(n);
    return {{"target", std::move(target)},
            {"inputs", std::move(inputs)},
            {"outputs", std::move(outputs)},
            {"metadata", std::move(metadata)},
            {"is_hop_single_tensor_return", nullptr},
            {"name", name}};
  }

  // `torch.ops.aten.add.Tensor` for `aten::add.Tensor`, `...relu.default` for `aten::relu`.
  static std::string pt2_target(std::string_view op) {
    op.remove_prefix(std::string_view("aten::").size());
    if (op.find('.') == std::string_view::npos)
      return "torch.ops.aten." + std::string(op) + ".default";
    return "torch.ops.aten." + std::string(op);
  }

  // How many values an op of PyTorch returns: `Tensor` 1, `(Tensor, Tensor)` 2, `()` 0.
  static std::size_t return_count(std::string_view returns) {
    if (returns == "()") return 0;
    if (!returns.starts_with('(')) return 1;
    return split_top_level(returns.substr(1, returns.size() - 2)).size();
  }

  void write_call(graph_state& g, graph::node const& n, std::uint32_t i) {
    std::string_view const op = n.target->schema().name;
    ops::attribute_value const attributes = n.target->value();
    if (op == "aten::_assert_scalar") return write_assert(g, n, attributes);
    if (pt2_higher_order const* layout = find_pt2_higher_order(&pt2_higher_order::op, op))
      return write_higher_order(*layout, g, n, i);
    pt2_op_schema const* schema = op.starts_with("aten::") ? find_pt2_schema(op) : nullptr;
    if (schema == nullptr) {
      unsupported_.add(std::string(op), n.name, "PyTorch has no such op");
      return;
    }
    auto attribute = [&](std::string_view argument) -> ops::attribute_value const* {
      for (std::size_t k = 0; k < attributes.names.size(); ++k)
        if (pt2_argument_name(op, attributes.names[k]) == argument) return &attributes.items[k];
      return nullptr;
    };
    // A tensor argument that a number fills (`x + 1`) takes no input of the node.
    auto wrapped = [&](pt2_argument_schema const& arg) {
      ops::attribute_value const* a = attribute(arg.name);
      return a != nullptr && a->what != ops::attribute_value::kind::none;
    };
    std::size_t singles = 0;
    for (pt2_argument_schema const& arg : schema->arguments)
      if ((arg.tensors == pt2_tensor_kind::tensor || arg.tensors == pt2_tensor_kind::optional)
          && !wrapped(arg))
        ++singles;
    std::size_t const listed = n.args.size() >= singles ? n.args.size() - singles : 0;

    out_json inputs = out_json::array();
    std::set<std::string_view> used;
    std::size_t next = 0;
    bool gap = false; // an argument left to PyTorch's default: the later ones go by name
    auto take = [&]() { return next < n.args.size() ? n.args[next++] : graph::argument(); };
    auto tensor_or_none = [&](graph::argument const& a) {
      return a ? tensor_argument(value_name(g, *a)) : out_json{{"as_none", true}};
    };
    for (pt2_argument_schema const& arg : schema->arguments) {
      std::optional<out_json> value;
      std::string why;
      if (arg.tensors != pt2_tensor_kind::none && wrapped(arg)) {
        used.insert(arg.name);
        value = argument(g, *attribute(arg.name), arg.type, why);
      } else if (arg.tensors == pt2_tensor_kind::tensor
                 || arg.tensors == pt2_tensor_kind::optional) {
        if (attribute(arg.name) != nullptr) used.insert(arg.name); // an empty wrapped number
        value = tensor_or_none(take());
      } else if (arg.tensors != pt2_tensor_kind::none) {
        out_json items = out_json::array();
        for (std::size_t k = 0; k < listed; ++k) {
          graph::argument const a = take();
          if (arg.tensors == pt2_tensor_kind::list)
            items.push_back({{"name", value_name(g, *a)}});
          else
            items.push_back(tensor_or_none(a));
        }
        value = out_json{
            {arg.tensors == pt2_tensor_kind::list ? "as_tensors" : "as_optional_tensors", items}};
      } else if (ops::attribute_value const* a = attribute(arg.name)) {
        used.insert(arg.name);
        value = argument(g, *a, arg.type, why);
      } else {
        gap = true; // xport's op has no such attribute: PyTorch's default holds
        continue;
      }
      if (!value) {
        unsupported_.add(std::string(op), n.name,
                         "argument '" + std::string(arg.name) + "': " + why);
        return;
      }
      inputs.push_back({{"name", arg.name},
                        {"arg", std::move(*value)},
                        {"kind", arg.keyword_only || gap ? 2 : 1}});
    }
    for (std::size_t k = 0; k < attributes.names.size(); ++k) {
      // The mask seed of dropout and attention: PyTorch draws from its own generator.
      if (used.contains(pt2_argument_name(op, attributes.names[k]))
          || attributes.names[k] == "seed")
        continue;
      unsupported_.add(std::string(op), n.name,
                       "xport's attribute '" + attributes.names[k]
                           + "' has no argument in PyTorch's schema");
      return;
    }
    if (n.scalar) { // `item`: a data-dependent integer
      // Its own symbol, not what a check replaced it by (`u1 == s0` makes u1 `s0`): the
      // asserts compare the value read from data with the size.
      std::string const name = own_name(g, n);
      sym::expr const e = replaced(sym::expr_of(*n.scalar), true);
      g.sym_int_values[name] = {{"as_expr", {{"expr_str", srepr(e)}, {"hint", nullptr}}}};
      if (bare_symbol(e)) g.expressions.emplace(srepr(e), out_json{{"as_name", name}});
      g.nodes.push_back(node_json(pt2_target(op), std::move(inputs),
                                  out_json::array({{{"as_sym_int", {{"as_name", name}}}}}), name,
                                  n));
      return;
    }
    std::size_t const returns = return_count(schema->returns);
    if (returns != n.values.size() && schema->returns != "Tensor[]") {
      unsupported_.add(std::string(op), n.name,
                       "PyTorch's op returns " + std::to_string(returns) + " values, xport's "
                           + std::to_string(n.values.size()));
      return;
    }
    bool const single = schema->returns == "Tensor" && n.values.size() == 1;
    auto [name, outputs] = name_outputs(g, n, i, single, schema->returns == "Tensor[]");
    g.nodes.push_back(node_json(pt2_target(op), std::move(inputs), std::move(outputs), name, n));
  }

  // `_assert_scalar(lhs op rhs)`: the comparison as an `_operator` node on the sizes.
  void write_assert(graph_state& g, graph::node const& n, ops::attribute_value const& a) {
    static constexpr std::string_view symbols[] = {"==", "!=", "<", "<=", ">", ">="};
    // The attributes: lhs, op, rhs, msg.
    std::size_t k = 0;
    while (k < std::size(symbols) && symbols[k] != a.items.at(1).text)
      ++k;
    if (k == std::size(symbols)) {
      unsupported_.add("aten::_assert_scalar", n.name, "the comparison " + a.items.at(1).text);
      return;
    }
    // As recorded: a replacement the assert establishes must not make it vacuous.
    sym::relation const r{static_cast<sym::rel_op>(k),
                          replaced(sym::expr_of(a.items.at(0).size), true),
                          replaced(sym::expr_of(a.items.at(2).size), true)};
    if (!emit_assert(g, r, a.items.at(3).text, own_name(g, n), pt2_provenance(n)))
      unsupported_.add("aten::_assert_scalar", n.name, "a relation of sizes no tensor has");
  }

  // `_assert_scalar(lhs op rhs, msg)`, the comparison an `_operator` node on the sizes
  // (false when the graph cannot compute them).
  bool emit_assert(graph_state& g, sym::relation const& r, std::string const& msg,
                   std::string const& name, out_json metadata) {
    static constexpr std::string_view operators[] = {"eq", "ne", "lt", "le", "gt", "ge"};
    std::optional<out_json> const x = sym_int_argument(g, r.lhs);
    std::optional<out_json> const y = sym_int_argument(g, r.rhs);
    if (!x || !y) return false;
    std::string const op(operators[static_cast<std::size_t>(r.op)]);
    out_json const flag =
        symbolic_call(g, "_operator." + op, op, {{"a", argument_of(*x)}, {"b", argument_of(*y)}},
                      srepr(r), true, std::nullopt);
    out_json inputs =
        out_json::array({{{"name", "self"}, {"arg", {{"as_sym_bool", flag}}}, {"kind", 1}},
                         {{"name", "assert_msg"}, {"arg", {{"as_string", msg}}}, {"kind", 1}}});
    g.nodes.push_back({{"target", "torch.ops.aten._assert_scalar.default"},
                       {"inputs", std::move(inputs)},
                       {"outputs", out_json::array()},
                       {"metadata", std::move(metadata)},
                       {"is_hop_single_tensor_return", nullptr},
                       {"name", name}});
    return true;
  }

  // An expression of the input contract in the graph's symbols: the contract numbers its
  // own symbols, each named after the graph's symbol it stands for (`s5`).
  sym::expr in_graph_symbols(sym::expr const& e) const {
    sym::input_contract const& c = ep_.contract;
    sym::expr const out = sym::substitute(e, [&](sym::symbol s) -> std::optional<sym::expr> {
      if (s.kind != sym::symbol_kind::backed || s.index >= c.num_symbols()) return std::nullopt;
      std::string const& name = c.symbol_name(s.index);
      if (name.size() < 2 || name.size() > 10 || name[0] != 's'
          || name.find_first_not_of("0123456789", 1) != std::string::npos)
        return std::nullopt;
      return sym::expr(sym::symbol{sym::symbol_kind::backed,
                                   static_cast<std::uint32_t>(std::stoul(name.substr(1)))});
    });
    return replaced(out);
  }

  // The guards of the input contract beyond ranges and equalities (`Eq(Mod(s0, 4), 0)`),
  // which PyTorch's format has no place for: runtime asserts at the top of the graph, so
  // that torch refuses the same inputs.
  void write_contract_guards(graph_state& g) {
    for (sym::relation const& guard : ep_.contract.guards()) {
      sym::relation const r{guard.op, in_graph_symbols(guard.lhs), in_graph_symbols(guard.rhs)};
      std::string const text = sym::to_string(r);
      if (!emit_assert(g, r, "Input contract violated: " + text, fresh_name(g, "_assert_scalar"),
                       out_json::object()))
        unsupported_.add("input contract guard", text, "a relation of sizes no input has");
    }
  }

  // A higher-order op (`cond`, `while_loop`, `map_impl`), its sub-graphs written inline.
  void write_higher_order(pt2_higher_order const& layout, graph_state& g, graph::node const& n,
                          std::uint32_t i) {
    out_json inputs = out_json::array();
    std::size_t arg = 0;
    std::size_t subgraph = 0;
    auto lists = static_cast<std::size_t>(std::count(
        layout.slots.begin(), layout.slots.begin() + static_cast<std::ptrdiff_t>(layout.slot_count),
        pt2_slot::tensors));
    for (std::size_t k = 0; k < layout.slot_count; ++k) {
      out_json value;
      switch (layout.slots[k]) {
      case pt2_slot::tensor:
        if (!n.args.at(arg)) { // cond's predicate held as a relation of sizes
          unsupported_.add(std::string(layout.target), n.name,
                           "a predicate that is a relation of sizes (cond on a SymBool)");
          return;
        }
        value = tensor_argument(value_name(g, *n.args.at(arg++)));
        break;
      case pt2_slot::graph:
      case pt2_slot::single_return_graph: {
        graph::subgraph const& body = n.subgraphs.at(subgraph++);
        graph_state inner;
        bool const single = layout.slots[k] == pt2_slot::single_return_graph;
        value = {{"as_graph",
                  {{"name", body.name}, {"graph", write_graph(*body.graph, inner, single)}}}};
        break;
      }
      case pt2_slot::tensors: {
        std::size_t const left = n.args.size() - arg;
        std::size_t const count = --lists > 0 ? std::min(layout.first_list(*n.target), left) : left;
        out_json names = out_json::array();
        for (std::size_t e = 0; e < count; ++e)
          names.push_back({{"name", value_name(g, *n.args.at(arg++))}});
        value = {{"as_tensors", std::move(names)}};
        break;
      }
      }
      inputs.push_back({{"name", ""}, {"arg", std::move(value)}, {"kind", 1}});
    }
    auto [name, outputs] = name_outputs(g, n, i, false, false);
    g.nodes.push_back(
        node_json(std::string(layout.target), std::move(inputs), std::move(outputs), name, n));
  }

  // The graph `graph` into `g` (the program's, or a sub-graph of a higher-order op).
  // `single_return`: the graph returns its one output as such, not as a 1-tuple.
  out_json write_graph(graph::Graph const& graph, graph_state& g, bool single_return = false) {
    for (graph::node const& n : graph.nodes())
      g.reserved.insert(n.name);
    bool guarded = false; // the contract's guards: after the placeholders, before the calls
    out_json inputs = out_json::array();
    std::size_t user_inputs = 0; // placeholders of user inputs so far (top graph)
    for (std::uint32_t i = 0; i < graph.nodes().size(); ++i) {
      graph::node const& n = graph.at(i);
      if (n.op == graph::node_op::placeholder) {
        if (&g == &top_ && is_input(n.name, input_kind::user_input))
          for (std::size_t leaf : constant_leaves_before(user_inputs++))
            if (auto value = constant_argument(leaf)) inputs.push_back(std::move(*value));
        std::string const name = own_name(g, n);
        if (n.scalar) { // an integer input: `{"as_sym_int": ...}`, or the constant it is
          sym::expr const value = expr_of(*n.scalar);
          out_json argument;
          if (auto const c = value.constant()) {
            argument = {{"as_int", *c}};
          } else {
            argument = {{"as_sym_int", {{"as_name", name}}}};
            g.sym_int_values[name] = size_json(value);
            g.expressions.emplace(srepr(value), out_json{{"as_name", name}});
          }
          g.input_arguments[name] = argument;
          inputs.push_back(std::move(argument));
          continue;
        }
        g.values[{i, 0}] = name;
        g.tensor_values[name] =
            meta_json(n.values.at(0), &g == &top_ && is_input(n.name, input_kind::parameter));
        define_symbols(g, name, n.values.at(0));
        inputs.push_back(tensor_argument(name));
      } else if (n.op == graph::node_op::call_function) {
        if (&g == &top_ && !guarded) guarded = (write_contract_guards(g), true);
        write_call(g, n, i);
        // A node that cannot be written: its outputs still get names, for the nodes that
        // read them (whose own problems are collected too).
        if (!n.values.empty() && !g.values.contains({i, 0})) name_outputs(g, n, i, false, false);
      }
    }
    if (&g == &top_ && !guarded) write_contract_guards(g);
    if (&g == &top_)
      for (std::size_t leaf : constant_leaves_before(user_inputs))
        if (auto value = constant_argument(leaf)) inputs.push_back(std::move(*value));
    out_json outputs = out_json::array();
    if (&g == &top_) {
      top_outputs_ = top_output_arguments(g);
      outputs = top_outputs_;
    } else if (unsupported_.by_op.empty()) {
      for (graph::value_ref const& v : graph.outputs())
        outputs.push_back(tensor_argument(value_name(g, v)));
    }
    return {{"inputs", std::move(inputs)},
            {"outputs", std::move(outputs)},
            {"nodes", std::move(g.nodes)},
            {"tensor_values", std::move(g.tensor_values)},
            {"sym_int_values", std::move(g.sym_int_values)},
            {"sym_bool_values", std::move(g.sym_bool_values)},
            {"is_single_tensor_return", single_return && graph.outputs().size() == 1},
            {"custom_obj_values", out_json::object()},
            {"sym_float_values", out_json::object()}};
  }

  // The program's outputs as PyTorch lists them, one per signature output: a tensor, or a
  // size forward returned (`{"as_sym_int": {"as_name": n}}`, computed by sym_size and
  // operator nodes emitted here). Other constants have no place in the archive.
  out_json top_output_arguments(graph_state& g) {
    out_json out = out_json::array();
    for (output_spec const& o : ep_.signature.outputs) {
      if (o.value) {
        out.push_back(tensor_argument(value_name(g, *o.value)));
        continue;
      }
      auto const* n = std::get_if<SymInt>(&*o.constant);
      std::optional<out_json> computed;
      if (n != nullptr && n->is_symbolic()) computed = sym_int_argument(g, expr_of(*n));
      if (computed && computed->contains("as_name")) {
        out.push_back({{"as_sym_int", *computed}});
        continue;
      }
      unsupported_.add("non-tensor output", repr(*o.constant),
                       n != nullptr && n->is_symbolic()
                           ? "a size that no input's sizes compute"
                           : "a constant that forward returns; the archive keeps tensor and "
                             "size outputs only, xport::save keeps it");
      out.push_back(nullptr);
    }
    return out;
  }

  // Whether the top graph's placeholder `placeholder` is an input of kind `kind`.
  bool is_input(std::string const& placeholder, input_kind kind) const {
    for (input_spec const& in : ep_.signature.inputs)
      if (in.name == placeholder) return in.kind == kind;
    return false;
  }

  // ---- specialized non-tensor inputs ----------------------------------------------------
  // A float, bool, string or plain integer input that export specialized has no
  // placeholder in xport's graph (it is one of `input_constants`); PyTorch's graph has a
  // constant input for it, `{"as_float": 2.5}`, with a `constant_input` spec.

  // The constant leaves before the k-th user input that has a placeholder (k = their
  // count: the constants after the last one).
  std::vector<std::size_t> constant_leaves_before(std::size_t k) const {
    std::vector<std::size_t> out;
    std::size_t placeholders = 0;
    for (std::size_t i = 0; i < ep_.input_constants.size() && placeholders <= k; ++i) {
      if (is_none(ep_.input_constants[i]))
        ++placeholders;
      else if (placeholders == k)
        out.push_back(i);
    }
    return out;
  }

  // The constant of leaf `i` as a `.pt2` argument; null where PyTorch's format has no
  // such constant (a float that is not finite).
  std::optional<out_json> constant_argument(std::size_t i) const {
    leaf const& value = ep_.input_constants.at(i);
    if (auto const* d = std::get_if<double>(&value)) {
      if (!std::isfinite(*d)) return std::nullopt;
      return out_json{{"as_float", *d}};
    }
    if (auto const* b = std::get_if<bool>(&value)) return out_json{{"as_bool", *b}};
    if (auto const* text = std::get_if<std::string>(&value)) return out_json{{"as_string", *text}};
    if (auto const* integer = std::get_if<std::int64_t>(&value))
      return out_json{{"as_int", *integer}};
    return std::nullopt;
  }

  // The constant inputs' specs before the k-th user input with a placeholder.
  void write_constant_inputs(out_json& specs, std::size_t k) {
    for (std::size_t leaf : constant_leaves_before(k)) {
      std::optional<out_json> value = constant_argument(leaf);
      if (!value) {
        unsupported_.add("specialized non-tensor input", ep_.input_paths.at(leaf),
                         xport::repr(ep_.input_constants[leaf]) + " has no .pt2 constant");
        continue;
      }
      std::string const name =
          fresh_name(top_, xport::detail::path_placeholder(ep_.input_paths.at(leaf)));
      specs.push_back({{"constant_input", {{"name", name}, {"value", std::move(*value)}}}});
    }
  }

  // ---- signature, module call graph, ranges, state ------------------------------------

  out_json write_signature() {
    out_json ins = out_json::array();
    std::size_t user_inputs = 0;
    for (input_spec const& in : ep_.signature.inputs) {
      out_json const arg = {{"name", in.name}};
      switch (in.kind) {
      case input_kind::user_input: {
        write_constant_inputs(ins, user_inputs++);
        auto const integer = top_.input_arguments.find(in.name);
        if (integer == top_.input_arguments.end())
          ins.push_back({{"user_input", {{"arg", tensor_argument(in.name)}}}});
        else if (integer->second.contains("as_int")) // specialized: PyTorch's constant input
          ins.push_back({{"constant_input", {{"name", in.name}, {"value", integer->second}}}});
        else
          ins.push_back({{"user_input", {{"arg", integer->second}}}});
        break;
      }
      case input_kind::parameter:
        ins.push_back({{"parameter", {{"arg", arg}, {"parameter_name", in.target}}}});
        break;
      case input_kind::buffer:
        ins.push_back(
            {{"buffer",
              {{"arg", arg}, {"buffer_name", in.target}, {"persistent", in.persistent}}}});
        break;
      case input_kind::constant_tensor:
        ins.push_back({{"tensor_constant", {{"arg", arg}, {"tensor_constant_name", in.target}}}});
        break;
      }
    }
    write_constant_inputs(ins, user_inputs);
    out_json outs = out_json::array();
    for (std::size_t i = 0; i < ep_.signature.outputs.size(); ++i) {
      output_spec const& o = ep_.signature.outputs[i];
      if (!o.value) { // a size (its argument made with the graph), or refused there
        outs.push_back({{"user_output", {{"arg", top_outputs_.at(i)}}}});
        continue;
      }
      out_json const arg = {{"name", value_name(top_, *o.value)}};
      switch (o.kind) {
      case output_kind::user_output:
        outs.push_back({{"user_output", {{"arg", {{"as_tensor", arg}}}}}});
        break;
      case output_kind::buffer_mutation:
        outs.push_back({{"buffer_mutation", {{"arg", arg}, {"buffer_name", o.target}}}});
        break;
      case output_kind::user_input_mutation:
        outs.push_back({{"user_input_mutation", {{"arg", arg}, {"user_input_name", o.target}}}});
        break;
      }
    }
    return {{"input_specs", std::move(ins)}, {"output_specs", std::move(outs)}};
  }

  // PyTorch's serialized tree spec (version 1): JSON text of `[1, node]`.
  out_json tree_json(tree_spec const& t) {
    out_json children = out_json::array();
    for (tree_spec const& c : t.children())
      children.push_back(tree_json(c));
    auto container = [&](char const* type, std::string context) -> out_json {
      return {{"type", type}, {"context", std::move(context)}, {"children_spec", children}};
    };
    switch (t.kind()) {
    case node_kind::leaf_node:
      return {{"type", nullptr}, {"context", nullptr}, {"children_spec", out_json::array()}};
    case node_kind::none_node:
      return container("builtins.NoneType", "null");
    case node_kind::tuple:
      return container("builtins.tuple", "null");
    case node_kind::list:
      return container("builtins.list", "null");
    case node_kind::dict:
      return container("builtins.dict", out_json(t.keys()).dump());
    case node_kind::dataclass:
      unsupported_.add("input or output of struct type", t.type_name(),
                       "PyTorch reads only the dataclasses registered in Python");
      break;
    }
    return nullptr;
  }

  std::string tree_text(tree_spec const& t) { return out_json::array({1, tree_json(t)}).dump(); }

  // The module call graph: the exported module's signature (its input spec is the pair
  // (args, kwargs), with no keyword arguments), then the submodules' names.
  out_json write_module_call_graph() {
    tree_spec const in = tuple_spec({ep_.in_spec, dict_spec({}, {})});
    // The names of the forward arguments: each top-level argument's first input path,
    // up to its first index (`pair` of `pair[0]`); none when the paths are positional
    // (`args[1]`), as PyTorch then names them.
    std::vector<std::string> names;
    std::size_t leaf = 0;
    for (std::size_t a = 0; a < ep_.in_spec.num_children(); ++a) {
      tree_spec const& child = ep_.in_spec.children()[a];
      std::string name = "arg" + std::to_string(a);
      if (child.num_leaves() > 0 && leaf < ep_.input_paths.size()) {
        std::string const& path = ep_.input_paths[leaf];
        name = path.substr(0, path.find_first_of("[."));
      }
      names.push_back(name);
      leaf += child.num_leaves();
    }
    bool const named = xport::detail::input_paths(ep_.in_spec, names) == ep_.input_paths
                       || xport::detail::input_paths(ep_.in_spec, {}) != ep_.input_paths;
    out_json calls = out_json::array();
    calls.push_back({{"fqn", ""},
                     {"signature",
                      {{"inputs", out_json::array()},
                       {"outputs", out_json::array()},
                       {"in_spec", tree_text(in)},
                       {"out_spec", tree_text(ep_.out_spec)},
                       {"forward_arg_names", named ? out_json(names) : out_json(nullptr)}}}});
    for (module_call_entry const& m : ep_.module_call_graph)
      if (!m.fqn.empty()) calls.push_back({{"fqn", m.fqn}, {"signature", nullptr}});
    return calls;
  }

  // Each symbol's range, and the range of each derived input dim (`2*s0 + 1`) under the
  // key sympy prints for it, as PyTorch writes them: torch checks an input's derived dim
  // against its own range.
  out_json write_ranges() const {
    out_json out = out_json::object();
    auto bound = [](std::int64_t v) { return sym::is_finite(v) ? out_json(v) : out_json(nullptr); };
    std::map<std::string, sym::value_range> ranges;
    for (range_constraint const& r : ep_.range_constraints) {
      out[r.symbol] = {{"min_val", bound(r.range.lo)}, {"max_val", bound(r.range.hi)}};
      ranges.emplace(r.symbol, r.range);
    }
    sym::input_contract const& c = ep_.contract;
    for (std::size_t i = 0; i < c.num_inputs(); ++i) {
      for (sym::expr const& dim : c.input_dims(i)) {
        auto const linear = sym::as_affine(in_graph_symbols(dim));
        if (!linear || (linear->a == 1 && linear->b == 0)) continue;
        auto const range = ranges.find(sym::to_string(linear->s));
        if (range == ranges.end()) continue;
        sym::value_range const r = range->second;
        auto map = [&](std::int64_t v) {
          return sym::is_finite(v) ? out_json(linear->a * v + linear->b) : out_json(nullptr);
        };
        std::string key =
            (linear->a == 1 ? "" : std::to_string(linear->a) + "*") + sym::to_string(linear->s);
        if (linear->b != 0)
          key += (linear->b > 0 ? " + " : " - ")
                 + std::to_string(linear->b > 0 ? linear->b : -linear->b);
        out[key] = {{"min_val", map(r.lo)}, {"max_val", map(r.hi)}};
      }
    }
    return out;
  }

  // A weights or constants config (`{"config": {fqn: {path_name, tensor_meta, ...}}}`);
  // each storage's bytes are one payload, shared by the tensors that view it.
  out_json write_state(std::map<std::string, Tensor> const& tensors, std::string const& folder,
                       std::string const& prefix, pt2_files& files) const {
    out_json config = out_json::object();
    std::map<void const*, std::string> paths;
    std::size_t count = 0;
    for (auto const& entry : tensors) {
      std::string const& fqn = entry.first; // not a structured binding: a lambda reads it
      Tensor const& t = entry.second;
      check_savable("xport::save_pt2", fqn, t);
      std::string path;
      auto const it = t.storage().nbytes() == 0 ? paths.end() : paths.find(t.storage().data());
      if (it != paths.end()) {
        path = it->second;
      } else {
        path = prefix + std::to_string(count++);
        if (t.storage().nbytes() != 0) paths.emplace(t.storage().data(), path);
        files.payloads.emplace_back(folder + path, t.storage());
      }
      auto ints = [](auto const& values) {
        out_json out = out_json::array();
        for (std::int64_t v : values)
          out.push_back({{"as_int", v}});
        return out;
      };
      out_json meta = meta_object(t.dtype(), ints(t.sizes()), ints(t.strides()),
                                  {{"as_int", t.storage_offset()}}, false);
      bool const parameter = std::any_of(
          ep_.signature.inputs.begin(), ep_.signature.inputs.end(), [&](input_spec const& in) {
            return in.kind == input_kind::parameter && in.target == fqn;
          });
      config[fqn] = {{"path_name", path},
                     {"is_param", parameter},
                     {"use_pickle", false},
                     {"tensor_meta", std::move(meta)}};
    }
    return {{"config", std::move(config)}};
  }
};

} // namespace xport::serde::detail
