//! @file
//! A PyTorch `.pt2` archive read into an `ExportedProgram` (see pt2_read.hpp for how
//! nodes map onto ops): symbols and their ranges, placeholders, nodes, outputs, the graph
//! signature, weights and constants, the tree specs and the input contract.
#pragma once

#include <xport/serde/detail/pt2_higher_order.hpp>
#include <xport/serde/detail/pt2_provenance.hpp>
#include <xport/serde/detail/pt2_read.hpp>
#include <xport/serde/detail/pt2_tree.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace xport::serde::detail {

//! The schema major version of `.pt2` programs that `load_pt2` reads and `save_pt2` writes.
inline constexpr std::int64_t pt2_schema_major = 8;

//! What `read_pt2` collects about nodes it cannot read, by op: how many and the first.
struct pt2_unsupported {
  struct entry {
    std::size_t count = 0;
    std::string first_node;
    std::string reason;
  };
  std::string who = "xport::load_pt2";        //!< the entry point, for messages
  std::string outcome = "nothing was loaded"; //!< what became of the call
  std::map<std::string, entry> by_op;

  void add(std::string const& op, std::string const& node, std::string const& reason) {
    entry& e = by_op[op];
    if (e.count++ == 0) {
      e.first_node = node;
      e.reason = reason;
    }
  }

  //! Throws one error listing every unsupported op, if any.
  void throw_if_any() const {
    if (by_op.empty()) return;
    std::string msg = who + ": the program uses " + std::to_string(by_op.size()) + " unsupported op"
                      + (by_op.size() == 1 ? "" : "s") + " (" + outcome + "):";
    for (auto const& [op, e] : by_op) {
      msg += "\n  " + op + ": " + std::to_string(e.count) + " node" + (e.count == 1 ? "" : "s")
             + ", first '" + e.first_node + "'";
      if (!e.reason.empty()) msg += " (" + e.reason + ")";
    }
    throw unsupported_error(msg);
  }
};

//! Reads the `.pt2` program JSON `root` with its weights and constants into a program.
template <class OpSet>
class pt2_reader {
public:
  using storage_lookup = std::function<Storage(std::string const& config, std::string const& path,
                                               std::string const& where)>;

  pt2_reader(in_json const& root, in_json const* weights, in_json const* constants,
             storage_lookup storages)
      : root_(root), weights_(weights), constants_(constants), storages_(std::move(storages)) {}

  ExportedProgram read() {
    in_json const& gm = field(root_, "graph_module", "model");
    in_json const& graph_json = field(gm, "graph", "graph_module");
    top_ = graph_scope{&ep_.graph, &graph_json, "graph_module.graph", {}, {}};
    in_json const& ranges = field(root_, "range_constraints", "model");
    if (!ranges.is_object()) fail("range_constraints", "expected an object");
    ranges_ = &ranges;
    in_json const& signature = field(gm, "signature", "graph_module");

    env_ = std::make_shared<sym::ShapeEnv>();
    scope_.env = env_.get();
    scope_.sym_int = [this](std::string const& name, std::string const& where) {
      return named_sym_int(name, where);
    };
    read_user_input_symbols(signature);
    collect_size_like(graph_json, "graph_module.graph", 0);
    read_graph(top_, 0);
    unsupported_.throw_if_any();
    refuse_unstated_guards();
    read_signature(signature);
    read_state();
    read_specs(gm);
    make_contract();
    ep_.shape_env = env_;
    try {
      validate(ep_, [](std::string_view name) { return OpSet::find(name); });
      ep_.check_state("xport::load_pt2");
    } catch (error const& e) {
      throw serialization_error(std::string("xport::load_pt2: the program is inconsistent: ")
                                + e.what());
    }
    return std::move(ep_);
  }

private:
  in_json const& root_;
  in_json const* weights_;
  in_json const* constants_;
  storage_lookup storages_;
  in_json const* ranges_ = nullptr;
  std::shared_ptr<sym::ShapeEnv> env_;
  pt2_scope scope_;
  ExportedProgram ep_;
  std::map<std::string, sym::symbol> symbols_; // PyTorch's name -> xport's symbol
  std::vector<std::string> user_inputs_;       // user input placeholder names
  std::map<std::size_t, std::pair<std::string, std::int64_t>> constant_inputs_; // by spec index
  // Specialized float, bool and string inputs: no placeholder in xport's graph, a
  // constant leaf of the inputs (ExportedProgram::input_constants). By spec index: the
  // user input's index among user_inputs_, and the value.
  std::map<std::size_t, std::pair<std::size_t, leaf>> constant_leaves_;
  std::map<std::string, std::uint32_t> integer_inputs_; // integer placeholders' nodes
  std::set<std::string> size_like_;                     // unbacked symbols that size tensors
  std::map<std::size_t, SymInt> top_sizes_; // sizes among the program's outputs, by index
  pt2_unsupported unsupported_;

  // One graph being read (the program's, or a sub-graph of `cond`): its JSON and the
  // values its names stand for.
  struct graph_scope {
    graph::Graph* graph = nullptr;
    in_json const* json = nullptr;
    std::string path;                               // JSON path, for messages
    std::map<std::string, graph::value_ref> values; // tensor name -> graph value
    std::map<std::string, std::string> missing;     // outputs xport does not compute
  };
  graph_scope top_;
  graph_scope* current_ = &top_; // the scope that meta and symbol lookups read

  // ---- symbols --------------------------------------------------------------------

  sym::value_range range_of(std::string const& name) const {
    sym::value_range r = sym::value_range::unbounded();
    auto const it = ranges_->find(name);
    if (it == ranges_->end()) return r;
    std::string const w = dot("range_constraints", name);
    if (auto const* lo = optional_field(*it, "min_val", w); lo && !lo->is_null())
      r.lo = as_int(*lo, dot(w, "min_val"));
    if (auto const* hi = optional_field(*it, "max_val", w); hi && !hi->is_null())
      r.hi = as_int(*hi, dot(w, "max_val"));
    if (r.lo > r.hi) fail(w, "the range is empty");
    return r;
  }

  // A symbol named in an expression: backed ones were made from the user inputs; an
  // unbacked one (`u0`) is made when first seen.
  sym::expr symbol_named(std::string const& name, std::string const& where) {
    if (auto const it = symbols_.find(name); it != symbols_.end()) return it->second;
    if (name.empty() || name[0] != 'u')
      fail(where, "the symbol '" + name + "' is not a size of any user input");
    // A data-dependent value that sizes a tensor is size-like (PyTorch's rule): guards
    // such as broadcasting's `u0 == 1` are decided as for a size that is not 0 or 1.
    sym::symbol const s = size_like_.contains(name)
                              ? env_->create_unbacked_size(range_of(name), name)
                              : env_->create_unbacked_symbol(range_of(name), name);
    symbols_.emplace(name, s);
    return s;
  }

  sym::expr parse_expr(std::string const& text, std::string const& where) {
    pt2_value v = parse_pt2_expr(
        text, [&](std::string const& name) { return symbol_named(name, where); }, where);
    if (auto* e = std::get_if<sym::expr>(&v)) return std::move(*e);
    fail(where, "expected an integer expression, got a comparison");
  }

  // A `.pt2` SymInt of a meta: `{"as_int": 3}` or `{"as_expr": {"expr_str": ...}}`.
  SymInt read_size(in_json const& j, std::string const& where) {
    auto const [key, value] = union_of(j, where);
    if (key == "as_int") return SymInt(as_int(*value, dot(where, key)));
    if (key != "as_expr") fail(where, "expected as_int or as_expr, got '" + key + "'");
    std::string const w = dot(where, "as_expr");
    return sym::expr_node::make(
        *env_, parse_expr(as_string(field(*value, "expr_str", w), dot(w, "expr_str")),
                          dot(w, "expr_str")));
  }

  // A value of the graph's `sym_int_values` / `sym_bool_values` (the program's when the
  // sub-graph being read does not have it).
  in_json const& symbolic_value(char const* table, std::string const& name,
                                std::string const& where) const {
    for (graph_scope const* scope : std::array<graph_scope const*, 2>{current_, &top_}) {
      if (auto const* t = optional_field(*scope->json, table, scope->path)) {
        auto const it = t->find(name);
        if (it != t->end()) return *it;
      }
    }
    fail(where, "the symbolic value '" + name + "' is not in graph." + table);
  }

  SymInt named_sym_int(std::string const& name, std::string const& where) {
    return read_size(symbolic_value("sym_int_values", name, where),
                     dot(std::string("graph.sym_int_values"), name));
  }

  sym::relation named_sym_bool(std::string const& name, std::string const& where) {
    in_json const& value = symbolic_value("sym_bool_values", name, where);
    std::string const w = dot(std::string("graph.sym_bool_values"), name);
    auto const [key, v] = union_of(value, w);
    if (key != "as_expr") fail(w, "expected as_expr, got '" + key + "'");
    std::string const& text =
        as_string(field(*v, "expr_str", dot(w, key)), dot(w, "as_expr.expr_str"));
    pt2_value parsed = parse_pt2_expr(
        text, [&](std::string const& symbol) { return symbol_named(symbol, w); }, w);
    if (auto* r = std::get_if<sym::relation>(&parsed)) return std::move(*r);
    fail(w, "expected a comparison, got an integer expression");
  }

  in_json const& tensor_meta_json(std::string const& name, std::string const& where) const {
    for (graph_scope const* scope : std::array<graph_scope const*, 2>{current_, &top_}) {
      in_json const& table = field(*scope->json, "tensor_values", scope->path);
      auto const it = table.find(name);
      if (it != table.end()) return *it;
    }
    fail(where, "the tensor '" + name + "' is not in graph.tensor_values");
  }

  // The data-dependent symbols that some tensor's sizes name, in this graph and its
  // sub-graphs.
  void collect_size_like(in_json const& graph, std::string const& path, std::size_t depth) {
    if (depth > max_graph_depth) return; // read_graph reports it
    if (auto const* values = optional_field(graph, "tensor_values", path);
        values && values->is_object()) {
      for (auto const& [name, meta] : values->items()) {
        std::string const w = dot(path + ".tensor_values", name);
        auto const* sizes = meta.is_object() ? optional_field(meta, "sizes", w) : nullptr;
        if (sizes == nullptr || !sizes->is_array()) continue;
        for (in_json const& size : *sizes) {
          if (!size.is_object() || !size.contains("as_expr") || !size["as_expr"].is_object()
              || !size["as_expr"].contains("expr_str"))
            continue;
          in_json const& text = size["as_expr"]["expr_str"];
          if (!text.is_string()) continue;
          for (std::string const& symbol : names_in(text.get<std::string>(), w).names)
            if (symbol.starts_with('u')) size_like_.insert(symbol);
        }
      }
    }
    if (auto const* nodes = optional_field(graph, "nodes", path); nodes && nodes->is_array()) {
      for (in_json const& node : *nodes) {
        if (!node.is_object() || !node.contains("inputs") || !node["inputs"].is_array()) continue;
        for (in_json const& input : node["inputs"]) {
          if (!input.is_object() || !input.contains("arg") || !input["arg"].is_object()) continue;
          in_json const& arg = input["arg"];
          if (arg.contains("as_graph") && arg["as_graph"].is_object()
              && arg["as_graph"].contains("graph"))
            collect_size_like(arg["as_graph"]["graph"], path + ".<sub-graph>", depth + 1);
        }
      }
    }
  }

  // The backed symbols, made in the order the user inputs' sizes name them, so that
  // `s<k>` of the program is symbol k of the input contract. Each one's example value is
  // the hint of the size that names it alone.
  void read_user_input_symbols(in_json const& signature) {
    in_json const& specs =
        as_array(field(signature, "input_specs", "signature"), "signature.input_specs");
    std::map<std::string, std::int64_t> hints;
    std::vector<std::string> order;
    // The symbols a size names (`{"as_expr": ...}`), and the example value of one it
    // names alone.
    auto note = [&](in_json const& size_json, std::string const& sw) {
      auto const [size_kind, size] = union_of(size_json, sw);
      if (size_kind != "as_expr") return;
      std::string const ew = dot(sw, "as_expr");
      std::string const& text = as_string(field(*size, "expr_str", ew), dot(ew, "expr_str"));
      pt2_names const found = names_in(text, dot(ew, "expr_str"));
      for (std::string const& symbol : found.names)
        if (std::find(order.begin(), order.end(), symbol) == order.end()) order.push_back(symbol);
      in_json const* hint = optional_field(*size, "hint", ew);
      if (found.bare && hint != nullptr && !hint->is_null()) {
        auto const [hint_kind, hint_value] = union_of(*hint, dot(ew, "hint"));
        if (hint_kind == "as_int")
          hints.emplace(found.names[0], as_int(*hint_value, dot(ew, "hint")));
      }
    };
    for (std::size_t i = 0; i < specs.size(); ++i) {
      std::string const w = at("signature.input_specs", i);
      auto const [kind, spec] = union_of(specs[i], w);
      if (kind == "constant_input") { // a specialized integer: an input all the same
        std::string const& name =
            as_string(field(*spec, "name", dot(w, kind)), dot(w, "constant_input.name"));
        auto const [value_kind, value] =
            union_of(field(*spec, "value", dot(w, kind)), dot(w, "constant_input.value"));
        std::string const vw = dot(w, "constant_input.value." + value_kind);
        std::optional<leaf> constant;
        if (value_kind == "as_float") {
          if (!value->is_number()) fail(vw, "expected a number");
          constant = leaf{value->get<double>()};
        } else if (value_kind == "as_bool") {
          constant = leaf{as_bool(*value, vw)};
        } else if (value_kind == "as_string") {
          constant = leaf{as_string(*value, vw)};
        } else if (value_kind != "as_int") {
          unsupported_.add("constant input of kind '" + value_kind + "'", name,
                           "integer, float, bool and string constants are read");
          continue;
        }
        user_inputs_.push_back(name);
        if (constant)
          constant_leaves_[i] = {user_inputs_.size() - 1, std::move(*constant)};
        else
          constant_inputs_[i] = {name, as_int(*value, vw)};
        continue;
      }
      if (kind != "user_input") continue;
      in_json const& arg = field(*spec, "arg", dot(w, kind));
      auto const [arg_kind, arg_value] = union_of(arg, dot(w, "user_input.arg"));
      if (arg_kind == "as_sym_int") { // an integer input: its value is a symbol
        auto const [ref_kind, ref] = union_of(*arg_value, dot(w, "user_input.arg.as_sym_int"));
        if (ref_kind != "as_name") fail(dot(w, "user_input.arg.as_sym_int"), "expected as_name");
        std::string const& name = as_string(*ref, dot(w, "user_input.arg.as_sym_int.as_name"));
        user_inputs_.push_back(name);
        note(symbolic_value("sym_int_values", name, w), dot("graph.sym_int_values", name));
        continue;
      }
      if (arg_kind != "as_tensor") {
        unsupported_.add("user input of kind '" + arg_kind + "'", w,
                         "only tensor and integer user inputs are supported");
        continue;
      }
      std::string const& name =
          as_string(field(*arg_value, "name", w), dot(w, "user_input.arg.as_tensor.name"));
      user_inputs_.push_back(name);
      std::string const mw = dot("graph_module.graph.tensor_values", name);
      in_json const& sizes =
          as_array(field(tensor_meta_json(name, w), "sizes", mw), dot(mw, "sizes"));
      for (std::size_t d = 0; d < sizes.size(); ++d)
        note(sizes[d], at(dot(mw, "sizes"), d));
    }
    for (std::string const& name : order) {
      if (name.empty() || name[0] != 's')
        fail("signature.input_specs",
             "the user input sizes name '" + name + "', which is not a backed size symbol (s<k>)");
      sym::value_range const range = range_of(name);
      auto const it = hints.find(name);
      // A symbol named only inside derived sizes has no example of its own: its least
      // value serves (hints guide nothing once a program is exported).
      std::int64_t const hint =
          it != hints.end() ? it->second : std::max<std::int64_t>(range.lo, 2);
      sym::symbol const s = env_->create_backed_symbol(hint, name, range);
      symbols_.emplace(name, s);
    }
  }

  // ---- graph ----------------------------------------------------------------------

  ops::tensor_meta read_meta(std::string const& name, std::string const& where) {
    in_json const& m = tensor_meta_json(name, where);
    std::string const w = dot(current_->path + ".tensor_values", name);
    ops::tensor_meta meta;
    meta.dtype = pt2_dtype(field(m, "dtype", w), dot(w, "dtype"));
    in_json const& device = field(m, "device", w);
    std::string const& type =
        as_string(field(device, "type", dot(w, "device")), dot(w, "device.type"));
    if (type != "cpu") {
      unsupported_.add("tensors on '" + type + "'", name, "only CPU programs load");
    }
    in_json const& sizes = as_array(field(m, "sizes", w), dot(w, "sizes"));
    if (sizes.size() > 64) fail(dot(w, "sizes"), "more than 64 dimensions");
    for (std::size_t d = 0; d < sizes.size(); ++d)
      meta.sizes.push_back(read_size(sizes[d], at(dot(w, "sizes"), d)));
    return meta;
  }

  // Reads `scope`'s graph: placeholders, nodes (unsupported ones collected), outputs.
  void read_graph(graph_scope& scope, std::size_t depth) {
    graph_scope* const outer = current_;
    current_ = &scope;
    in_json const& inputs =
        as_array(field(*scope.json, "inputs", scope.path), scope.path + ".inputs");
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      std::string const w = at(scope.path + ".inputs", i);
      auto const [kind, value] = union_of(inputs[i], w);
      if (kind == "as_sym_int" || kind == "as_int") { // an integer input (or its constant)
        read_integer_input(scope, *value, kind, i, w);
        continue;
      }
      if (&scope == &top_ && constant_leaves_.contains(i))
        continue; // a float, bool or string constant: no placeholder
      if (kind != "as_tensor") {
        unsupported_.add("graph input of kind '" + kind + "'", w, "");
        continue;
      }
      std::string const& name = as_string(field(*value, "name", w), dot(w, "as_tensor.name"));
      scope.values[name] = scope.graph->add_placeholder(name, read_meta(name, w));
    }
    in_json const& nodes = as_array(field(*scope.json, "nodes", scope.path), scope.path + ".nodes");
    for (std::size_t i = 0; i < nodes.size(); ++i)
      read_node(scope, nodes[i], at(scope.path + ".nodes", i), i, depth);
    if (unsupported_.by_op.empty()) {
      in_json const& outputs =
          as_array(field(*scope.json, "outputs", scope.path), scope.path + ".outputs");
      std::vector<graph::value_ref> refs;
      for (std::size_t i = 0; i < outputs.size(); ++i) {
        std::string const w = at(scope.path + ".outputs", i);
        auto const [kind, value] = union_of(outputs[i], w);
        if (kind == "as_sym_int" && &scope == &top_) { // a size forward returns
          auto const [ref_kind, ref] = union_of(*value, dot(w, kind));
          if (ref_kind != "as_name") fail(dot(w, kind), "expected as_name");
          top_sizes_.emplace(i, named_sym_int(as_string(*ref, dot(w, "as_sym_int.as_name")), w));
          continue;
        }
        if (kind != "as_tensor")
          fail(w, "an output of kind '" + kind
                      + "' is not supported (a program's outputs are tensors and sizes)");
        refs.push_back(tensor_ref(scope, *value, dot(w, kind)));
      }
      scope.graph->set_outputs(std::move(refs));
    }
    current_ = outer;
  }

  // The placeholder of an integer input of the program: `{"as_sym_int": {"as_name": n}}`
  // (its value a symbol of `sym_int_values`) or `{"as_int": 3}` (a constant input).
  void read_integer_input(graph_scope& scope, in_json const& value, std::string const& kind,
                          std::size_t i, std::string const& where) {
    if (&scope != &top_) {
      unsupported_.add("integer input of a sub-graph", where, "");
      return;
    }
    std::string name;
    SymInt v;
    if (kind == "as_int") {
      auto const constant = constant_inputs_.find(i);
      if (constant == constant_inputs_.end())
        fail(where, "a constant graph input without a constant_input spec");
      name = constant->second.first;
      v = SymInt(constant->second.second);
    } else {
      auto const [ref_kind, ref] = union_of(value, dot(where, kind));
      if (ref_kind != "as_name") fail(dot(where, kind), "expected as_name");
      name = as_string(*ref, dot(where, "as_sym_int.as_name"));
      v = named_sym_int(name, where);
    }
    integer_inputs_[name] = scope.graph->add_scalar_placeholder(name, v);
  }

  // The value of a TensorArgument (`{"name": "x"}`).
  static graph::value_ref tensor_ref(graph_scope const& scope, in_json const& tensor,
                                     std::string const& where) {
    std::string const& name = as_string(field(tensor, "name", where), dot(where, "name"));
    if (auto const m = scope.missing.find(name); m != scope.missing.end())
      throw unsupported_error("xport::load_pt2: " + where + " reads " + m->second);
    auto const it = scope.values.find(name);
    if (it == scope.values.end())
      fail(where, "refers to the tensor '" + name + "', which no earlier node or input defines");
    return it->second;
  }

  // The meta context of a node being read: the data-dependent sizes its outputs introduce
  // (`u0` of nonzero's `[u0, 2]`), in order, and its sub-graphs' outputs.
  class node_context final : public ops::meta_context {
  public:
    node_context(std::vector<SymInt> fresh, std::vector<ops::meta_list> subgraphs,
                 sym::ShapeEnv& env)
        : fresh_(std::move(fresh)), subgraphs_(std::move(subgraphs)), env_(env) {}
    SymInt unbacked_size() override {
      if (next_ < fresh_.size()) return fresh_[next_++];
      return sym::expr_node::make(env_, env_.create_unbacked_size());
    }
    ops::meta_list const* subgraph_outputs(std::size_t i) override {
      return i < subgraphs_.size() ? &subgraphs_[i] : nullptr;
    }

  private:
    std::vector<SymInt> fresh_;
    std::vector<ops::meta_list> subgraphs_;
    sym::ShapeEnv& env_;
    std::size_t next_ = 0;
  };

  // The data-dependent symbols that the outputs of `node` name first.
  std::vector<SymInt> fresh_symbols(in_json const& outputs, std::string const& label) {
    std::vector<SymInt> out;
    for (std::size_t k = 0; k < outputs.size(); ++k) {
      auto const [kind, value] = union_of(outputs[k], at(dot(label, "outputs"), k));
      if (kind != "as_tensor") continue;
      std::string const& name = as_string(field(*value, "name", label), dot(label, "outputs"));
      std::string const w = dot(current_->path + ".tensor_values", name);
      in_json const& sizes =
          as_array(field(tensor_meta_json(name, label), "sizes", w), dot(w, "sizes"));
      for (std::size_t d = 0; d < sizes.size(); ++d) {
        auto const [size_kind, size] = union_of(sizes[d], at(dot(w, "sizes"), d));
        if (size_kind != "as_expr") continue;
        std::string const& text =
            as_string(field(*size, "expr_str", w), at(dot(w, "sizes"), d) + ".as_expr.expr_str");
        pt2_names const found = names_in(text, w);
        if (found.bare && found.names[0].starts_with('u') && !symbols_.contains(found.names[0]))
          out.push_back(sym::expr_node::make(*env_, symbol_named(found.names[0], w)));
      }
    }
    return out;
  }

  void read_node(graph_scope& scope, in_json const& node, std::string const& w, std::size_t i,
                 std::size_t depth) {
    auto const& converters = pt2_converters<OpSet>::by_name();
    std::string const& target = as_string(field(node, "target", w), dot(w, "target"));
    in_json const& outputs = as_array(field(node, "outputs", w), dot(w, "outputs"));
    std::string name;
    if (auto const* n = optional_field(node, "name", w); n && n->is_string())
      name = n->get<std::string>();
    std::string const label = w + " ('" + (name.empty() ? target : name) + "')";
    in_json const* const metadata = optional_field(node, "metadata", w);
    if (is_symbolic_int_target(target) || target == "torch.ops.aten._assert_tensor_metadata.default"
        || target == "torch.ops.aten.sym_constrain_range_for_size.default")
      return; // sizes live in sym_int_values, ranges in range_constraints; metadata holds
    pt2_named_args named;
    in_json const& inputs = as_array(field(node, "inputs", label), dot(label, "inputs"));
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      std::string const iw = at(dot(label, "inputs"), k);
      named[as_string(field(inputs[k], "name", iw), dot(iw, "name"))] = field(inputs[k], "arg", iw);
    }
    if (name.empty()) name = "node_" + std::to_string(i);
    if (target == "torch.ops.aten._assert_scalar.default") {
      read_assert(scope, named, name, label, metadata);
      return;
    }
    if (pt2_higher_order const* layout = find_pt2_higher_order(&pt2_higher_order::target, target)) {
      read_higher_order(*layout, scope, inputs, outputs, name, label, depth, metadata);
      return;
    }
    std::string op = aten_name_of(target);
    std::size_t output_count = 0;
    if (pt2_rule const* rule = find_pt2_rule(op)) {
      pt2_rule_context const context{[&](std::string const& tensor) -> in_json const& {
        return tensor_meta_json(tensor, label);
      }};
      if (std::string why = rule->rewrite(named, context); !why.empty()) {
        unsupported_.add(target, name, why);
        return;
      }
      op = rule->to;
      output_count = rule->outputs;
    }
    auto const converter = converters.find(op);
    pt2_op_schema const* schema = op.empty() ? nullptr : find_pt2_schema(op);
    if (op.empty() || converter == converters.end() || schema == nullptr) {
      unsupported_.add(target, name, "");
      return;
    }
    pt2_call call = converter->second(named, *schema, scope_, label);
    if (!call.unsupported.empty()) {
      unsupported_.add(target, name, call.unsupported);
      return;
    }
    if (!unsupported_.by_op.empty()) return; // the inputs may come from unsupported nodes
    std::vector<graph::argument> args;
    for (in_json const* input : call.inputs)
      args.push_back(input == nullptr ? graph::argument()
                                      : tensor_ref(scope, *input, dot(label, "inputs")));
    add_call(scope, name, std::move(*call.attributes), std::move(args), {}, outputs, output_count,
             label, metadata);
  }

  // Adds a call node whose metas xport's meta rule computes, and names its outputs.
  void add_call(graph_scope& scope, std::string const& name, ops::boxed_attributes attributes,
                std::vector<graph::argument> args, std::vector<graph::subgraph> subgraphs,
                in_json const& outputs, std::size_t output_count, std::string const& label,
                in_json const* metadata) {
    std::vector<ops::tensor_meta> metas;
    for (graph::argument const& a : args)
      metas.push_back(a ? scope.graph->at(a->node).values.at(a->index)
                        : ops::tensor_meta{.sizes = {}, .defined = false});
    std::vector<ops::meta_list> branch_outputs;
    for (graph::subgraph const& g : subgraphs) {
      ops::meta_list out;
      for (graph::value_ref const& v : g.graph->outputs())
        out.push_back(g.graph->at(v.node).values.at(v.index));
      branch_outputs.push_back(std::move(out));
    }
    ops::meta_list values;
    try {
      node_context context(fresh_symbols(outputs, label), std::move(branch_outputs), *env_);
      values = attributes.schema().meta(attributes.get(), metas, context);
    } catch (error const& e) {
      fail(label, std::string("xport's meta rule refuses the node: ") + e.what());
    }
    auto [where, stack] = read_pt2_provenance(*scope.graph, metadata);
    std::uint32_t const index = scope.graph->add_named_call(
        name, std::move(attributes), std::move(args), values, where, std::move(stack));
    if (!subgraphs.empty()) scope.graph->set_subgraphs(index, std::move(subgraphs));
    bind_outputs(scope, outputs, index, values, output_count, label);
  }

  // `_assert_scalar(sym_bool, msg)`: xport's runtime assert of the relation.
  void read_assert(graph_scope& scope, pt2_named_args const& named, std::string const& name,
                   std::string const& label, in_json const* metadata) {
    auto const self = named.find("self");
    auto const msg = named.find("assert_msg");
    if (self == named.end() || msg == named.end())
      fail(label, "_assert_scalar takes self and assert_msg");
    auto const [kind, value] = union_of(self->second, dot(label, "self"));
    if (kind != "as_sym_bool") {
      unsupported_.add("torch.ops.aten._assert_scalar.default", name,
                       "an assert of '" + kind + "'");
      return;
    }
    auto const [bool_kind, bool_name] = union_of(*value, dot(label, "self.as_sym_bool"));
    if (bool_kind != "as_name") fail(dot(label, "self"), "expected a named symbolic bool");
    sym::relation const r = named_sym_bool(as_string(*bool_name, dot(label, "self")), label);
    ops::assert_scalar::attributes attributes{
        sym::expr_node::make(*env_, r.lhs), ops::comparison_of(r.op),
        sym::expr_node::make(*env_, r.rhs),
        read_pt2_argument<std::string>(msg->second, scope_, dot(label, "assert_msg"))};
    // What the program asserts, the shape logic of the nodes after it may use (as
    // `xport::check` does while tracing): `s1 <= s0` before a slice to `s1` rows.
    try {
      env_->check(r, "", {});
    } catch (error const& e) {
      fail(label, std::string("the assert cannot hold: ") + e.what());
    }
    auto [where, stack] = read_pt2_provenance(*scope.graph, metadata);
    scope.graph->add_named_call(
        name, ops::boxed_attributes::of<ops::assert_scalar>(std::move(attributes)), {}, {}, where,
        std::move(stack));
  }

  // A higher-order op (`cond`, `while_loop`, `map_impl`): its graphs are read as
  // sub-graphs, its tensors and lists of tensors become the node's inputs, in order.
  void read_higher_order(pt2_higher_order const& layout, graph_scope& scope, in_json const& inputs,
                         in_json const& outputs, std::string const& name, std::string const& label,
                         std::size_t depth, in_json const* metadata) {
    if (depth >= max_graph_depth)
      fail(label, "sub-graphs nest deeper than " + std::to_string(max_graph_depth) + " levels");
    std::string const target(layout.target);
    if (inputs.size() != layout.slot_count) {
      fail(dot(label, "inputs"),
           target.substr(target.rfind('.') + 1) + " takes " + std::string(layout.arguments));
    }
    std::vector<std::pair<in_json const*, std::string>> tensors; // with their JSON paths
    std::vector<graph::subgraph> subgraphs;
    std::optional<std::size_t> first_list;
    for (std::size_t k = 0; k < layout.slot_count; ++k) {
      std::string const w = at(dot(label, "inputs"), k);
      auto const [kind, value] = union_of(field(inputs[k], "arg", w), w);
      std::string const vw = dot(w, kind);
      switch (layout.slots[k]) {
      case pt2_slot::tensor:
        if (kind != "as_tensor") {
          unsupported_.add(target, name,
                           "argument " + std::to_string(k) + " of kind '" + kind + "'");
          return;
        }
        tensors.emplace_back(value, vw);
        break;
      case pt2_slot::graph:
      case pt2_slot::single_return_graph: {
        if (kind != "as_graph") fail(w, "expected a sub-graph (as_graph), got '" + kind + "'");
        auto body = std::make_shared<graph::Graph>();
        graph_scope inner{body.get(), &field(*value, "graph", vw), dot(vw, "graph"), {}, {}};
        read_graph(inner, depth + 1);
        subgraphs.push_back(
            {as_string(field(*value, "name", vw), dot(vw, "name")), std::move(body)});
        break;
      }
      case pt2_slot::tensors:
        if (kind != "as_tensors") {
          unsupported_.add(target, name,
                           "argument " + std::to_string(k) + " of kind '" + kind + "'");
          return;
        }
        as_array(*value, vw);
        if (!first_list) first_list = value->size();
        for (std::size_t e = 0; e < value->size(); ++e)
          tensors.emplace_back(&(*value)[e], at(vw, e));
        break;
      }
    }
    if (!unsupported_.by_op.empty()) return; // the inputs may come from unsupported nodes
    std::vector<graph::argument> args;
    for (auto const& [tensor, w] : tensors)
      args.emplace_back(tensor_ref(scope, *tensor, w));
    add_call(scope, name, layout.attributes(first_list.value_or(0)), std::move(args),
             std::move(subgraphs), outputs, 0, label, metadata);
  }

  // Names the node's outputs, checking each one's dtype and sizes against the archive.
  // `count`: how many of xport's outputs the archive's op has (0: all); the archive's
  // further outputs have no value, and a node that reads one cannot be read. A symbolic
  // integer output (`item`) names the node's data-dependent value.
  void bind_outputs(graph_scope& scope, in_json const& outputs, std::uint32_t node,
                    ops::meta_list const& values, std::size_t count, std::string const& label) {
    std::vector<std::string> names;
    for (std::size_t k = 0; k < outputs.size(); ++k) {
      std::string const w = at(dot(label, "outputs"), k);
      auto const [kind, value] = union_of(outputs[k], w);
      if (kind == "as_tensor") {
        names.push_back(as_string(field(*value, "name", w), dot(w, "as_tensor.name")));
      } else if (kind == "as_tensors") {
        as_array(*value, dot(w, kind));
        for (std::size_t j = 0; j < value->size(); ++j)
          names.push_back(as_string(field((*value)[j], "name", at(dot(w, kind), j)),
                                    dot(at(dot(w, kind), j), "name")));
      } else if (kind == "as_sym_int" && outputs.size() == 1 && values.size() == 1) {
        scope.graph->set_scalar(node, pt2_sym_int(*value, scope_, dot(w, kind)));
        return;
      } else if (kind == "as_none") {
        names.emplace_back();
      } else {
        fail(w, "an output of kind '" + kind + "' is not supported");
      }
    }
    if (count == 0 ? names.size() != values.size() : names.size() < count || count > values.size())
      fail(label, "the archive lists " + std::to_string(names.size())
                      + " outputs, but xport's op has " + std::to_string(values.size()));
    for (std::size_t k = 0; k < names.size(); ++k) {
      if (names[k].empty()) continue;
      if (count != 0 && k >= count) {
        scope.missing[names[k]] =
            "output " + std::to_string(k) + " of " + label + ", which xport does not compute";
        continue;
      }
      ops::tensor_meta const recorded = read_meta(names[k], label);
      bool same =
          recorded.dtype == values[k].dtype && recorded.sizes.size() == values[k].sizes.size();
      for (std::size_t d = 0; same && d < recorded.sizes.size(); ++d)
        same = env_->simplify(sym::expr_of(recorded.sizes[d]))
               == env_->simplify(sym::expr_of(values[k].sizes[d]));
      if (!same)
        fail(label, "output '" + names[k] + "' is recorded as " + format_meta(recorded)
                        + ", but xport computes " + format_meta(values[k]));
      scope.values[names[k]] = {node, static_cast<std::uint32_t>(k)};
    }
  }

  static std::string format_meta(ops::tensor_meta const& m) {
    return std::string(scalar_type_name(m.dtype)) + ops::format_sym_sizes(m.sizes);
  }

  // ---- signature and state --------------------------------------------------------

  static std::string arg_name(in_json const& spec, std::string const& where) {
    in_json const& arg = field(spec, "arg", where);
    if (auto const* t = optional_field(arg, "as_tensor", where))
      return as_string(field(*t, "name", where), dot(where, "arg.as_tensor.name"));
    if (auto const* n = optional_field(arg, "as_sym_int", where))
      return as_string(field(*n, "as_name", where), dot(where, "arg.as_sym_int.as_name"));
    return as_string(field(arg, "name", where), dot(where, "arg.name"));
  }

  void read_signature(in_json const& signature) {
    in_json const& ins =
        as_array(field(signature, "input_specs", "signature"), "signature.input_specs");
    for (std::size_t i = 0; i < ins.size(); ++i) {
      std::string const w = at("signature.input_specs", i);
      auto const [kind, spec] = union_of(ins[i], w);
      std::string const sw = dot(w, kind);
      input_spec in;
      if (kind == "constant_input") {               // a specialized input (read_user_input_symbols)
        if (constant_leaves_.contains(i)) continue; // not a placeholder: an input constant
        in.name = as_string(field(*spec, "name", sw), dot(sw, "name"));
        ep_.signature.inputs.push_back(std::move(in));
        continue;
      }
      in.name = arg_name(*spec, sw);
      if (kind == "user_input") {
        in.kind = input_kind::user_input;
      } else if (kind == "parameter") {
        in.kind = input_kind::parameter;
        in.target = as_string(field(*spec, "parameter_name", sw), dot(sw, "parameter_name"));
      } else if (kind == "buffer") {
        in.kind = input_kind::buffer;
        in.target = as_string(field(*spec, "buffer_name", sw), dot(sw, "buffer_name"));
        in.persistent = as_bool(field(*spec, "persistent", sw), dot(sw, "persistent"));
      } else if (kind == "tensor_constant") {
        in.kind = input_kind::constant_tensor;
        in.target =
            as_string(field(*spec, "tensor_constant_name", sw), dot(sw, "tensor_constant_name"));
      } else {
        fail(w, "input kind '" + kind
                    + "' is not supported (custom objects, tokens and "
                      "constant inputs have no xport equivalent)");
      }
      ep_.signature.inputs.push_back(std::move(in));
    }
    in_json const& outs =
        as_array(field(signature, "output_specs", "signature"), "signature.output_specs");
    std::size_t const graph_outputs = ep_.graph.outputs().size() + top_sizes_.size();
    if (outs.size() != graph_outputs)
      fail("signature.output_specs", std::to_string(outs.size()) + " output specs for "
                                         + std::to_string(graph_outputs) + " graph outputs");
    std::size_t next_value = 0;
    for (std::size_t i = 0; i < outs.size(); ++i) {
      std::string const w = at("signature.output_specs", i);
      auto const [kind, spec] = union_of(outs[i], w);
      std::string const sw = dot(w, kind);
      output_spec out;
      if (auto const size = top_sizes_.find(i); size != top_sizes_.end()) {
        if (kind != "user_output") fail(w, "a size output must be a user output");
        out.constant = size->second;
        ep_.signature.outputs.push_back(std::move(out));
        continue;
      }
      out.value = ep_.graph.outputs()[next_value++];
      if (kind == "user_output") {
        out.kind = output_kind::user_output;
      } else if (kind == "buffer_mutation") {
        out.kind = output_kind::buffer_mutation;
        out.target = as_string(field(*spec, "buffer_name", sw), dot(sw, "buffer_name"));
      } else if (kind == "user_input_mutation") {
        out.kind = output_kind::user_input_mutation;
        out.target = as_string(field(*spec, "user_input_name", sw), dot(sw, "user_input_name"));
      } else {
        fail(w, "output kind '" + kind
                    + "' is not supported (training outputs have no xport "
                      "equivalent)");
      }
      ep_.signature.outputs.push_back(std::move(out));
    }
  }

  // A tensor of the weights or constants config: its payload's bytes as a strided view.
  Tensor read_payload(in_json const& config, std::string const& config_name,
                      std::string const& fqn) {
    std::string const w = config_name + ".config['" + fqn + "']";
    in_json const& table = field(config, "config", config_name);
    auto const it = table.find(fqn);
    if (it == table.end()) fail(config_name, "has no entry for '" + fqn + "'");
    in_json const& entry = *it;
    if (auto const* pickle = optional_field(entry, "use_pickle", w);
        pickle && pickle->is_boolean() && pickle->get<bool>())
      fail(w, "the tensor is pickled (a tensor subclass); xport reads plain tensors only");
    std::string const& path = as_string(field(entry, "path_name", w), dot(w, "path_name"));
    in_json const& meta = field(entry, "tensor_meta", w);
    std::string const mw = dot(w, "tensor_meta");
    dtype const type = pt2_dtype(field(meta, "dtype", mw), dot(mw, "dtype"));
    auto ints = [&](char const* key) {
      std::vector<std::int64_t> out;
      in_json const& list = as_array(field(meta, key, mw), dot(mw, key));
      if (list.size() > 64) fail(dot(mw, key), "more than 64 dimensions");
      for (std::size_t d = 0; d < list.size(); ++d) {
        auto const [kind, v] = union_of(list[d], at(dot(mw, key), d));
        if (kind != "as_int") fail(at(dot(mw, key), d), "a stored tensor has integer sizes");
        out.push_back(
            as_int_in(*v, 0, std::numeric_limits<std::int64_t>::max(), at(dot(mw, key), d)));
      }
      return out;
    };
    std::vector<std::int64_t> const sizes = ints("sizes");
    std::vector<std::int64_t> const strides = ints("strides");
    auto const [offset_kind, offset] =
        union_of(field(meta, "storage_offset", mw), dot(mw, "storage_offset"));
    if (offset_kind != "as_int") fail(dot(mw, "storage_offset"), "expected as_int");
    std::int64_t const off =
        as_int_in(*offset, 0, std::numeric_limits<std::int64_t>::max(), dot(mw, "storage_offset"));
    Storage const storage = storages_(config_name, path, dot(w, "path_name"));
    if (storage.nbytes() % element_size(type) != 0)
      fail(w, "the payload '" + path + "' holds " + std::to_string(storage.nbytes())
                  + " bytes, not a whole number of " + std::string(scalar_type_name(type))
                  + " elements");
    return checked_view(storage, "payload '" + path + "'", type, sizes, strides, off, w);
  }

  void read_state() {
    for (input_spec const& in : ep_.signature.inputs) {
      if (in.kind == input_kind::user_input) continue;
      bool const is_constant = in.kind == input_kind::constant_tensor
                               || (in.kind == input_kind::buffer && !in.persistent);
      in_json const* config = is_constant ? constants_ : weights_;
      char const* config_name = is_constant ? "constants config" : "weights config";
      if (config == nullptr)
        fail(config_name,
             "the archive has no " + std::string(config_name) + " for '" + in.target + "'");
      Tensor t = read_payload(*config, config_name, in.target);
      (is_constant ? ep_.constants : ep_.state_dict).emplace(in.target, std::move(t));
    }
  }

  // ---- tree specs and the contract ------------------------------------------------

  void read_specs(in_json const& gm) {
    in_json const& calls =
        as_array(field(gm, "module_call_graph", "graph_module"), "graph_module.module_call_graph");
    if (calls.empty()) fail("graph_module.module_call_graph", "is empty");
    std::string const w = "graph_module.module_call_graph[0].signature";
    in_json const& sig = field(calls[0], "signature", "graph_module.module_call_graph[0]");
    tree_spec const in = read_pt2_tree_spec(field(sig, "in_spec", w), dot(w, "in_spec"));
    // (args, kwargs): xport's programs take positional arguments.
    if (in.kind() != node_kind::tuple || in.num_children() != 2
        || in.children()[1].kind() != node_kind::dict)
      fail(dot(w, "in_spec"), "expected the pair (args, kwargs)");
    if (in.children()[1].num_children() != 0)
      fail(dot(w, "in_spec"), "the program takes keyword arguments, which xport's programs do not");
    ep_.in_spec = in.children()[0];
    ep_.out_spec = read_pt2_tree_spec(field(sig, "out_spec", w), dot(w, "out_spec"));
    std::vector<std::string> names;
    if (auto const* n = optional_field(sig, "forward_arg_names", w); n && n->is_array())
      for (std::size_t i = 0; i < n->size(); ++i)
        names.push_back(as_string((*n)[i], at(dot(w, "forward_arg_names"), i)));
    ep_.input_paths = xport::detail::input_paths(ep_.in_spec, names);
    ep_.input_constants.assign(ep_.in_spec.num_leaves(), leaf{none});
    if (ep_.in_spec.num_leaves() != user_inputs_.size())
      fail(dot(w, "in_spec"), std::to_string(ep_.in_spec.num_leaves()) + " input leaves, but "
                                  + std::to_string(user_inputs_.size()) + " user inputs");
    for (auto const& [spec, constant] : constant_leaves_)
      ep_.input_constants[constant.first] = constant.second;
    for (std::size_t i = 0; i < calls.size(); ++i)
      ep_.module_call_graph.push_back(
          {as_string(field(calls[i], "fqn", at("graph_module.module_call_graph", i)),
                     dot(at("graph_module.module_call_graph", i), "fqn")),
           ""});
  }

  // The graph may rely only on what the archive states. A guard recorded while reading
  // it (a meta rule decided a comparison that the ranges and asserts do not imply:
  // `Eq(s1, s0)` for an `add` of [s0, 1] and [s1, 3]) is a contract the archive does not
  // carry, and inputs that break it would pass the contract and fail inside a kernel.
  // torch.export never writes such a program: each guard of its graph is a range, an
  // equality (one symbol) or a runtime assert.
  void refuse_unstated_guards() const {
    if (env_->guards().empty()) return;
    sym::guard const& g = env_->guards().front();
    auto const archive_name = [this](sym::symbol s) { // the archive's own name of `s`
      for (auto const& [name, symbol] : symbols_)
        if (symbol == s) return name;
      return sym::to_string(s);
    };
    fail("graph_module.graph",
         "the graph relies on " + sym::to_string(g.rel, archive_name)
             + (g.op.empty() ? "" : " (in the shape logic of " + g.op + ")")
             + ", which the archive's range_constraints and asserts do not state "
               "(torch.export states every guard of its graph there)");
  }

  // Symbol k of the contract is the program's backed symbol k; each user input's dims are
  // its placeholder's sizes.
  void make_contract() {
    sym::input_contract contract(sym::zero_one_policy::accept_at_runtime);
    for (sym::symbol_info const& info : env_->symbols()) {
      if (info.sym.kind != sym::symbol_kind::backed) continue;
      contract.add_symbol(sym::to_string(info.sym), env_->range_of(info.sym));
      ep_.range_constraints.push_back({sym::to_string(info.sym), env_->range_of(info.sym)});
    }
    for (sym::symbol_info const& info : env_->symbols())
      if (info.sym.kind == sym::symbol_kind::unbacked)
        ep_.range_constraints.push_back({sym::to_string(info.sym), env_->range_of(info.sym)});
    std::size_t placeholders = 0; // the contract's inputs: the user inputs with placeholders
    for (std::size_t i = 0; i < user_inputs_.size(); ++i) {
      if (!is_none(ep_.input_constants.at(i))) continue;
      if (auto const integer = integer_inputs_.find(user_inputs_[i]);
          integer != integer_inputs_.end()) { // its one "dim" is its value
        contract.add_input(ep_.input_paths.at(i),
                           {sym::expr_of(*ep_.graph.at(integer->second).scalar)});
        contract.set_scalar(placeholders++);
        continue;
      }
      ++placeholders;
      graph::value_ref const v = top_.values.at(user_inputs_[i]);
      std::vector<sym::expr> dims;
      for (SymInt const& size : ep_.graph.at(v.node).values.at(0).sizes)
        dims.push_back(sym::expr_of(size));
      contract.add_input(ep_.input_paths.at(i), std::move(dims));
    }
    ep_.contract = std::move(contract);
  }
};

} // namespace xport::serde::detail
