//! @file
//! The program JSON of an archive (docs/format.md), read: every field checked, ops looked
//! up in an op set, the program verified (`validate`) before it is returned.
#pragma once

#include <xport/export/inspect.hpp>
#include <xport/serde/detail/program.hpp>

namespace xport::serde::detail {

// The schema and attribute decoder of every op of `OpSet`, by name (loading). Saving needs
// no table: it encodes each node's attributes through their schema (`attribute_value`).
template <class OpSet>
struct op_codecs {
  struct entry {
    ops::op_schema const* schema;
    ops::boxed_attributes (*decode)(in_json const&, decode_context const&, std::string const&);
  };

  static std::unordered_map<std::string_view, entry> const& by_name() {
    static auto const table = [] {
      std::unordered_map<std::string_view, entry> out;
      OpSet::for_each([&]<class Op>() {
        out.emplace(Op::name, entry{&ops::schema_of<Op>, &decode<Op>});
      });
      return out;
    }();
    return table;
  }

private:
  template <class Op>
  static ops::boxed_attributes decode(in_json const& j, decode_context const& ctx,
                                      std::string const& where) {
    return ops::boxed_attributes::of<Op>(decode_attribute<typename Op::attributes>(j, ctx, where));
  }
};

// ---- decoding ------------------------------------------------------------------------

// A view of `storage` (`label` in messages) checked before any tensor is made: no
// overflow, and the last element inside the storage. Sizes, strides and offset are
// non-negative (the callers read them so).
inline Tensor checked_view(Storage const& storage, std::string const& label, dtype type,
                           std::vector<std::int64_t> const& sizes,
                           std::vector<std::int64_t> const& strides, std::int64_t offset,
                           std::string const& where) {
  if (sizes.size() != strides.size())
    fail(where, std::to_string(sizes.size()) + " sizes but " + std::to_string(strides.size())
                    + " strides");
  std::uint64_t last = static_cast<std::uint64_t>(offset);
  std::uint64_t numel = 1;
  bool overflow = false;
  for (std::size_t d = 0; d < sizes.size(); ++d) {
    auto const size = static_cast<std::uint64_t>(sizes[d]);
    overflow = overflow || __builtin_mul_overflow(numel, size, &numel);
    if (size > 0) {
      std::uint64_t reach = 0;
      overflow = overflow
                 || __builtin_mul_overflow(size - 1, static_cast<std::uint64_t>(strides[d]), &reach)
                 || __builtin_add_overflow(last, reach, &last);
    }
  }
  std::uint64_t needed = 0;
  overflow = overflow || __builtin_add_overflow(last, 1, &needed)
             || __builtin_mul_overflow(needed, element_size(type), &needed)
             || numel > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::size_t const have = storage.nbytes();
  if (overflow || (numel != 0 && needed > have))
    fail(where, "the view (sizes " + format_sizes(sizes) + ", strides " + format_sizes(strides)
                    + ", offset " + std::to_string(offset) + ") reaches past the end of " + label
                    + " (" + std::to_string(have) + " bytes)");
  return Tensor(storage, type, sizes, strides, offset);
}

// A tensor of the archive: its storage, dtype and view, checked (`checked_view`).
inline Tensor decode_tensor(in_json const& j, std::vector<Storage> const& storages,
                            std::string const& where) {
  std::size_t const s = static_cast<std::size_t>(
      as_int_in(field(j, "storage", where), 0, static_cast<std::int64_t>(storages.size()) - 1,
                dot(where, "storage")));
  dtype const type = decode_dtype(field(j, "dtype", where), dot(where, "dtype"));
  auto read_list = [&](char const* key) {
    in_json const& a = as_array(field(j, key, where), dot(where, key));
    if (a.size() > 64) fail(dot(where, key), "more than 64 dimensions");
    std::vector<std::int64_t> out;
    for (std::size_t i = 0; i < a.size(); ++i)
      out.push_back(
          as_int_in(a[i], 0, std::numeric_limits<std::int64_t>::max(), at(dot(where, key), i)));
    return out;
  };
  std::vector<std::int64_t> const sizes = read_list("sizes");
  std::vector<std::int64_t> const strides = read_list("strides");
  std::int64_t const offset = as_int_in(
      field(j, "offset", where), 0, std::numeric_limits<std::int64_t>::max(), dot(where, "offset"));
  return checked_view(storages[s], "storage " + std::to_string(s), type, sizes, strides, offset,
                      where);
}

inline graph::value_ref decode_ref(in_json const& j,
                                   std::map<std::string, std::uint32_t> const& names,
                                   graph::Graph const& g, std::string const& where) {
  std::string const& node = as_string(field(j, "node", where), dot(where, "node"));
  auto const it = names.find(node);
  if (it == names.end())
    fail(where, "refers to '" + node
                    + "', which is not a node defined before this one (a cycle or a forward "
                      "reference)");
  std::int64_t const count = static_cast<std::int64_t>(g.at(it->second).values.size());
  std::int64_t const index = as_int(field(j, "output", where), dot(where, "output"));
  if (index < 0 || index >= count)
    fail(dot(where, "output"), "'" + node + "' has " + std::to_string(count)
                                   + " outputs, so output " + std::to_string(index)
                                   + " does not exist");
  return {it->second, static_cast<std::uint32_t>(index)};
}

// The nodes of `j` (`{"nodes": [...]}`, at `where`) into `g`, recording each node's
// index by name in `names`; sub-graphs recursively, each with names of its own. Every
// argument names an earlier node of the same graph, so cycles cannot be expressed.
template <class OpSet>
void decode_graph(in_json const& j, graph::Graph& g, std::map<std::string, std::uint32_t>& names,
                  decode_context& ctx, std::string const& path, std::size_t depth) {
  auto const& codecs = op_codecs<OpSet>::by_name();
  in_json const& nodes = as_array(field(j, "nodes", path), dot(path, "nodes"));
  bool have_output = false;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    in_json const& n = nodes[i];
    std::string const& name = as_string(field(n, "name", at(dot(path, "nodes"), i)),
                                        dot(at(dot(path, "nodes"), i), "name"));
    std::string const w = at(dot(path, "nodes"), i) + " ('" + name + "')";
    std::string const& op = as_string(field(n, "op", w), dot(w, "op"));
    if (have_output) fail(w, "comes after the output node, which must be last");
    if (names.contains(name) || name == "output")
      if (op != "output" || names.contains(name)) fail(w, "duplicate node name '" + name + "'");
    auto values = [&] {
      ops::meta_list out;
      in_json const& v = as_array(field(n, "values", w), dot(w, "values"));
      if (v.size() > 4096) fail(dot(w, "values"), "more than 4096 outputs");
      for (std::size_t k = 0; k < v.size(); ++k)
        out.push_back(decode_meta(v[k], ctx, at(dot(w, "values"), k)));
      return out;
    };
    auto args = [&] {
      std::vector<graph::argument> out;
      in_json const& a = as_array(field(n, "args", w), dot(w, "args"));
      for (std::size_t k = 0; k < a.size(); ++k) {
        if (a[k].is_null())
          out.emplace_back(std::nullopt);
        else
          out.emplace_back(decode_ref(a[k], names, g, at(dot(w, "args"), k)));
      }
      return out;
    };
    std::uint32_t index = 0;
    if (op == "placeholder") {
      ops::meta_list v = values();
      in_json const* scalar = optional_field(n, "scalar", w);
      if (scalar != nullptr) { // an integer input: no tensor value
        if (!v.empty()) fail(dot(w, "values"), "an integer placeholder has no tensor value");
        index = g.add_scalar_placeholder(name, decode_symint(*scalar, ctx, dot(w, "scalar")));
      } else {
        if (v.size() != 1) fail(dot(w, "values"), "a tensor placeholder has exactly one value");
        index = g.add_placeholder(name, std::move(v[0])).node;
      }
    } else if (op == "call_function") {
      std::string const& target = as_string(field(n, "target", w), dot(w, "target"));
      auto const it = codecs.find(target);
      if (it == codecs.end())
        fail(w, "unknown op '" + target
                    + "': it is not in the op set given to load. A custom op must be registered "
                      "by loading with an op set that has it: "
                      "xport::load<xport::ops::default_op_set::extend<my_op>>(path)");
      ops::boxed_attributes attributes =
          it->second.decode(field(n, "attributes", w), ctx, dot(w, "attributes"));
      std::vector<graph::argument> a = args();
      ops::meta_list v = values();
      std::vector<graph::stack_entry> stack;
      if (auto const* s = optional_field(n, "module_stack", w)) {
        as_array(*s, dot(w, "module_stack"));
        for (std::size_t k = 0; k < s->size(); ++k) {
          std::string const sw = at(dot(w, "module_stack"), k);
          std::uint32_t call = 0;
          if (auto const* c = optional_field((*s)[k], "call", sw))
            call = static_cast<std::uint32_t>(
                as_int_in(*c, 0, std::numeric_limits<std::uint32_t>::max(), dot(sw, "call")));
          stack.push_back({as_string(field((*s)[k], "path", sw), dot(sw, "path")),
                           as_string(field((*s)[k], "type", sw), dot(sw, "type")), call});
        }
      }
      std::optional<graph::source_line> line;
      if (auto const* where = optional_field(n, "where", w)) {
        std::string const& file =
            as_string(field(*where, "file", dot(w, "where")), dot(w, "where.file"));
        line = graph::source_line(
            g.intern(file), static_cast<std::uint32_t>(as_int_in(
                                field(*where, "line", dot(w, "where")), 0,
                                std::numeric_limits<std::uint32_t>::max(), dot(w, "where.line"))));
      }
      index = g.add_named_call(name, std::move(attributes), std::move(a), std::move(v), line,
                               std::move(stack));
      if (auto const* s = optional_field(n, "scalar", w))
        g.set_scalar(index, decode_symint(*s, ctx, dot(w, "scalar")));
      if (auto const* from = optional_field(n, "from", w))
        g.set_from(index, as_string(*from, dot(w, "from")));
      if (auto const* branches = optional_field(n, "subgraphs", w)) { // since 1.1
        as_array(*branches, dot(w, "subgraphs"));
        if (depth >= max_graph_depth)
          fail(dot(w, "subgraphs"),
               "sub-graphs nest deeper than " + std::to_string(max_graph_depth) + " levels");
        std::vector<graph::subgraph> subgraphs;
        for (std::size_t k = 0; k < branches->size(); ++k) {
          std::string const bw = at(dot(w, "subgraphs"), k);
          auto body = std::make_shared<graph::Graph>();
          std::map<std::string, std::uint32_t> inner;
          decode_graph<OpSet>(field((*branches)[k], "graph", bw), *body, inner, ctx,
                              dot(bw, "graph"), depth + 1);
          subgraphs.push_back(
              {as_string(field((*branches)[k], "name", bw), dot(bw, "name")), std::move(body)});
        }
        try {
          g.set_subgraphs(index, std::move(subgraphs));
        } catch (error const& e) {
          fail(dot(w, "subgraphs"), e.what());
        }
      }
    } else if (op == "output") {
      std::vector<graph::value_ref> outs;
      for (graph::argument const& a : args()) {
        if (!a) fail(dot(w, "args"), "the output node returns values, not None");
        outs.push_back(*a);
      }
      g.set_outputs(std::move(outs));
      have_output = true;
      continue;
    } else {
      fail(dot(w, "op"), "unknown node kind '" + op + "' (placeholder, call_function, output)");
    }
    if (g.at(index).name != name)
      fail(w, "'" + name + "' is not a valid node name or duplicates another node");
    names.emplace(name, index);
  }
  if (!have_output) fail(dot(path, "nodes"), "the graph has no output node");
}

template <class OpSet>
ExportedProgram decode_program(in_json const& root, std::vector<Storage> const& storages) {
  auto const& codecs = op_codecs<OpSet>::by_name();
  ExportedProgram ep;

  // Symbols, recreated in order so that s<k> and u<k> keep their indices.
  in_json const& env_json = field(root, "shape_env", "shape_env");
  sym::shape_env_settings settings;
  settings.specialize_zero_one =
      as_bool(field(env_json, "specialize_zero_one", "shape_env"), "shape_env.specialize_zero_one");
  auto env = std::make_shared<sym::ShapeEnv>(settings);
  decode_context ctx{env.get(), {}};
  in_json const& symbols = as_array(field(env_json, "symbols", "shape_env"), "shape_env.symbols");
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    std::string const w = at("shape_env.symbols", i);
    in_json const& s = symbols[i];
    std::string const& name = as_string(field(s, "name", w), dot(w, "name"));
    bool const backed = !name.empty() && name[0] == 's';
    std::string const expected =
        (backed ? "s" : "u") + std::to_string(backed ? ctx.scope.backed : ctx.scope.unbacked);
    if (name != expected)
      fail(dot(w, "name"), "symbols must be listed in creation order: expected '" + expected
                               + "', got '" + name + "'");
    sym::value_range const range = decode_range(s, w);
    std::string source = as_string(field(s, "source", w), dot(w, "source"));
    bool const size_like = as_bool(field(s, "size_like", w), dot(w, "size_like"));
    in_json const& hint = field(s, "hint", w);
    try {
      if (backed) {
        if (hint.is_null()) fail(dot(w, "hint"), "a backed symbol needs its example value");
        env->create_backed_symbol(as_int(hint, dot(w, "hint")), std::move(source), range);
        ++ctx.scope.backed;
      } else {
        if (!hint.is_null()) fail(dot(w, "hint"), "an unbacked symbol has no example value");
        if (size_like)
          env->create_unbacked_size(range, std::move(source));
        else
          env->create_unbacked_symbol(range, std::move(source));
        ++ctx.scope.unbacked;
      }
    } catch (serialization_error const&) {
      throw;
    } catch (error const& e) {
      fail(w, e.what());
    }
  }

  std::map<std::string, std::uint32_t> names;
  graph::Graph& g = ep.graph;
  decode_graph<OpSet>(field(root, "graph", "graph"), g, names, ctx, "graph", 0);

  // Signature.
  in_json const& sig = field(root, "signature", "signature");
  in_json const& sig_in = as_array(field(sig, "inputs", "signature"), "signature.inputs");
  for (std::size_t i = 0; i < sig_in.size(); ++i) {
    std::string const w = at("signature.inputs", i);
    input_spec spec;
    std::string const& kind = as_string(field(sig_in[i], "kind", w), dot(w, "kind"));
    spec.kind = static_cast<input_kind>(
        index_of_name(input_kind_names, kind, dot(w, "kind"), "input kind"));
    spec.name = as_string(field(sig_in[i], "name", w), dot(w, "name"));
    spec.target = as_string(field(sig_in[i], "target", w), dot(w, "target"));
    spec.persistent = as_bool(field(sig_in[i], "persistent", w), dot(w, "persistent"));
    ep.signature.inputs.push_back(std::move(spec));
  }
  in_json const& sig_out = as_array(field(sig, "outputs", "signature"), "signature.outputs");
  for (std::size_t i = 0; i < sig_out.size(); ++i) {
    std::string const w = at("signature.outputs", i);
    output_spec spec;
    std::string const& kind = as_string(field(sig_out[i], "kind", w), dot(w, "kind"));
    spec.kind = static_cast<output_kind>(
        index_of_name(output_kind_names, kind, dot(w, "kind"), "output kind"));
    if (auto const* v = optional_field(sig_out[i], "value", w))
      spec.value = decode_ref(*v, names, g, dot(w, "value"));
    else
      spec.constant = decode_leaf(field(sig_out[i], "constant", w), dot(w, "constant"), &ctx);
    spec.target = as_string(field(sig_out[i], "target", w), dot(w, "target"));
    ep.signature.outputs.push_back(std::move(spec));
  }

  in_json const& ranges =
      as_array(field(root, "range_constraints", "range_constraints"), "range_constraints");
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    std::string const w = at("range_constraints", i);
    ep.range_constraints.push_back(
        {as_string(field(ranges[i], "symbol", w), dot(w, "symbol")), decode_range(ranges[i], w)});
  }

  // The input contract, over its own symbols s0..s<n-1>.
  in_json const& c = field(root, "contract", "contract");
  std::string const& policy =
      as_string(field(c, "zero_one_policy", "contract"), "contract.zero_one_policy");
  if (policy != "enforce" && policy != "accept_at_runtime")
    fail("contract.zero_one_policy", "unknown policy '" + policy + "'");
  sym::input_contract contract(policy == "enforce" ? sym::zero_one_policy::enforce
                                                   : sym::zero_one_policy::accept_at_runtime);
  try {
    in_json const& cs = as_array(field(c, "symbols", "contract"), "contract.symbols");
    for (std::size_t i = 0; i < cs.size(); ++i) {
      std::string const w = at("contract.symbols", i);
      contract.add_symbol(as_string(field(cs[i], "name", w), dot(w, "name")),
                          decode_range(cs[i], w));
    }
    symbol_scope const scope{static_cast<std::uint32_t>(cs.size()), 0};
    in_json const& ci = as_array(field(c, "inputs", "contract"), "contract.inputs");
    for (std::size_t i = 0; i < ci.size(); ++i) {
      std::string const w = at("contract.inputs", i);
      std::vector<sym::expr> dims;
      in_json const& d = as_array(field(ci[i], "dims", w), dot(w, "dims"));
      if (d.size() > 64) fail(dot(w, "dims"), "more than 64 dimensions");
      for (std::size_t k = 0; k < d.size(); ++k)
        dims.push_back(decode_expr(d[k], scope, at(dot(w, "dims"), k)));
      contract.add_input(as_string(field(ci[i], "path", w), dot(w, "path")), std::move(dims));
      if (auto const* scalar = optional_field(ci[i], "scalar", w);
          scalar && as_bool(*scalar, dot(w, "scalar")))
        contract.set_scalar(i);
    }
    in_json const& cg = as_array(field(c, "guards", "contract"), "contract.guards");
    for (std::size_t i = 0; i < cg.size(); ++i)
      contract.add_guard(decode_relation(cg[i], scope, at("contract.guards", i)));
  } catch (serialization_error const&) {
    throw;
  } catch (error const& e) {
    fail("contract", e.what());
  }
  ep.contract = std::move(contract);

  ep.in_spec = decode_tree(field(root, "in_spec", "in_spec"), "in_spec");
  ep.out_spec = decode_tree(field(root, "out_spec", "out_spec"), "out_spec");
  in_json const& paths = as_array(field(root, "input_paths", "input_paths"), "input_paths");
  for (std::size_t i = 0; i < paths.size(); ++i)
    ep.input_paths.push_back(as_string(paths[i], at("input_paths", i)));
  in_json const& consts =
      as_array(field(root, "input_constants", "input_constants"), "input_constants");
  for (std::size_t i = 0; i < consts.size(); ++i)
    ep.input_constants.push_back(decode_leaf(consts[i], at("input_constants", i)));
  if (ep.input_paths.size() != ep.input_constants.size())
    fail("input_paths", std::to_string(ep.input_paths.size()) + " paths for "
                            + std::to_string(ep.input_constants.size()) + " input leaves");
  if (ep.input_constants.size() != ep.in_spec.num_leaves())
    fail("input_constants", std::to_string(ep.input_constants.size())
                                + " input leaves, but in_spec has "
                                + std::to_string(ep.in_spec.num_leaves()));
  if (auto const* calls = optional_field(root, "module_call_graph", "module_call_graph")) {
    as_array(*calls, "module_call_graph");
    for (std::size_t i = 0; i < calls->size(); ++i) {
      std::string const w = at("module_call_graph", i);
      ep.module_call_graph.push_back({as_string(field((*calls)[i], "fqn", w), dot(w, "fqn")),
                                      as_string(field((*calls)[i], "type", w), dot(w, "type"))});
    }
  }

  for (auto const& [key, table] :
       {std::pair{"state_dict", &ep.state_dict}, std::pair{"constants", &ep.constants}}) {
    in_json const& list = as_array(field(root, key, key), key);
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string const w = at(key, i);
      std::string const& name = as_string(field(list[i], "name", w), dot(w, "name"));
      if (!table->emplace(name, decode_tensor(list[i], storages, w)).second)
        fail(w, "duplicate state name '" + name + "'");
    }
  }
  ep.shape_env = env;

  // The whole program, as export leaves it: signature against placeholders, the contract
  // against their sizes, state present, arguments defined, and every node's metas what its
  // op's meta rule gives.
  try {
    validate(ep, [&](std::string_view name) -> ops::op_schema const* {
      auto const it = codecs.find(name);
      return it == codecs.end() ? nullptr : it->second.schema;
    });
    std::size_t user = 0; // (validate checked the contract's inputs against the placeholders)
    for (input_spec const& in : ep.signature.inputs)
      user += in.kind == input_kind::user_input ? 1 : 0;
    std::size_t tensor_leaves = 0;
    for (leaf const& l : ep.input_constants)
      tensor_leaves += is_none(l) ? 1 : 0;
    if (tensor_leaves != user)
      fail("input_constants", std::to_string(tensor_leaves) + " input leaves (null entries), but "
                                  + std::to_string(user) + " user inputs");
  } catch (serialization_error const&) {
    throw;
  } catch (error const& e) {
    throw serialization_error(std::string("xport::load: the program is inconsistent: ") + e.what());
  }
  return ep;
}

} // namespace xport::serde::detail
