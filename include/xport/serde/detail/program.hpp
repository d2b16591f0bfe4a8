//! @file
//! The program JSON of an archive (docs/format.md), written: an `ExportedProgram` encoded
//! field by field, attributes through each node's schema (so saving instantiates nothing
//! per op). Reading it back is `decode.hpp`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>
#include <xport/export/program.hpp>
#include <xport/serde/detail/codec.hpp>
#include <xport/serde/version.hpp>

namespace xport::serde::detail {

inline constexpr std::string_view input_kind_names[] = {"PARAMETER", "BUFFER", "CONSTANT_TENSOR",
                                                        "USER_INPUT"};
inline constexpr std::string_view output_kind_names[] = {"BUFFER_MUTATION", "USER_INPUT_MUTATION",
                                                         "USER_OUTPUT"};

// Storages already written, by their first byte (a storage shared by several tensors is
// written once).
struct storage_table {
  std::vector<Storage> storages;
  std::map<void const*, std::size_t> index;

  std::size_t add(Storage const& s) {
    if (s.nbytes() == 0) { // empty storages have no address to share by
      storages.push_back(s);
      return storages.size() - 1;
    }
    auto const [it, fresh] = index.try_emplace(s.data(), storages.size());
    if (fresh) storages.push_back(s);
    return it->second;
  }
};

inline std::string storage_entry(std::size_t i) {
  return "data/storage_" + std::to_string(i);
}

//! Throws unless the state tensor `name` has CPU data to write.
inline void check_savable(std::string_view who, std::string const& name, Tensor const& t) {
  if (!t.defined() || t.is_fake())
    throw serialization_error(std::string(who) + ": the state '" + name
                              + "' is not a tensor with data (undefined or fake)");
  if (t.device() != Device(cpu_t{}))
    throw serialization_error(std::string(who) + ": the state '" + name + "' is on "
                              + t.device().str()
                              + "; move the program's state to the CPU before saving");
}

inline out_json encode_tensor(std::string const& name, Tensor const& t, storage_table& table) {
  check_savable("xport::save", name, t);
  out_json obj = out_json::object();
  obj["name"] = name;
  obj["storage"] = table.add(t.storage());
  obj["dtype"] = std::string(xport::name(t.dtype()));
  obj["sizes"] = std::vector<std::int64_t>(t.sizes().begin(), t.sizes().end());
  obj["strides"] = std::vector<std::int64_t>(t.strides().begin(), t.strides().end());
  obj["offset"] = t.storage_offset();
  return obj;
}

inline out_json encode_ref(graph::Graph const& g, graph::value_ref v) {
  out_json r = out_json::object();
  r["node"] = g.at(v.node).name;
  r["output"] = v.index;
  return r;
}

// `{"nodes": [...]}` for `g`; a call's sub-graphs are nested in it (`subgraphs`).
inline out_json encode_graph(graph::Graph const& g) {
  auto ref = [&](graph::value_ref v) { return encode_ref(g, v); };
  out_json nodes = out_json::array();
  for (graph::node const& n : g.nodes()) {
    out_json o = out_json::object();
    o["name"] = n.name;
    switch (n.op) {
    case graph::node_op::placeholder:
      o["op"] = "placeholder";
      break;
    case graph::node_op::call_function: {
      o["op"] = "call_function";
      o["target"] = std::string(n.target->schema().name);
      o["attributes"] = encode_value(n.target->value());
      break;
    }
    case graph::node_op::output:
      o["op"] = "output";
      break;
    }
    if (n.op != graph::node_op::placeholder) {
      out_json args = out_json::array();
      for (graph::argument const& a : n.args)
        args.push_back(a ? ref(*a) : out_json(nullptr));
      o["args"] = std::move(args);
    }
    if (n.op != graph::node_op::output) {
      out_json values = out_json::array();
      for (ops::tensor_meta const& m : n.values)
        values.push_back(encode_meta(m));
      o["values"] = std::move(values);
    }
    if (n.op == graph::node_op::placeholder && n.scalar) // an integer input: Sym(s1)
      o["scalar"] = encode_symint(*n.scalar);
    if (n.op == graph::node_op::call_function) {
      if (n.where)
        o["where"] = {{"file", xport::detail::file_base(n.where->file)}, {"line", n.where->line}};
      else
        o["where"] = nullptr;
      out_json stack = out_json::array();
      for (graph::stack_entry const& e : n.module_stack) {
        out_json entry = {{"path", e.path}, {"type", e.type}};
        if (e.call != 0) entry["call"] = e.call; // a later call of the module (`n@1`)
        stack.push_back(std::move(entry));
      }
      o["module_stack"] = std::move(stack);
      o["scalar"] = n.scalar ? encode_symint(*n.scalar) : out_json(nullptr);
      o["from"] = n.from;
      if (!n.subgraphs.empty()) {
        out_json branches = out_json::array();
        for (graph::subgraph const& b : n.subgraphs)
          branches.push_back({{"name", b.name}, {"graph", encode_graph(*b.graph)}});
        o["subgraphs"] = std::move(branches);
      }
    }
    nodes.push_back(std::move(o));
  }
  return {{"nodes", std::move(nodes)}};
}

inline out_json encode_program(ExportedProgram const& ep, storage_table& table) {
  graph::Graph const& g = ep.graph;
  auto ref = [&](graph::value_ref v) { return encode_ref(g, v); };

  out_json root = out_json::object();
  root["format"] = "xport.exported_program";
  root["schema_version"] = {{"major", current_schema_version.major},
                            {"minor", current_schema_version.minor}};
  root["byteorder"] = "little";

  out_json env = out_json::object();
  env["specialize_zero_one"] = ep.shape_env ? ep.shape_env->settings().specialize_zero_one : true;
  out_json symbols = out_json::array();
  if (ep.shape_env) {
    for (sym::symbol_info const& s : ep.shape_env->symbols()) {
      out_json o = out_json::object();
      o["name"] = sym::to_string(s.sym);
      o["hint"] = s.hint ? out_json(*s.hint) : out_json(nullptr);
      encode_range(o, s.range); // as refined by guards and checks: what later metas rely on
      o["source"] = s.source;
      o["size_like"] = s.size_like;
      symbols.push_back(std::move(o));
    }
  }
  env["symbols"] = std::move(symbols);
  root["shape_env"] = std::move(env);

  root["graph"] = encode_graph(g);

  out_json inputs = out_json::array();
  for (input_spec const& in : ep.signature.inputs)
    inputs.push_back({{"kind", input_kind_names[static_cast<std::size_t>(in.kind)]},
                      {"name", in.name},
                      {"target", in.target},
                      {"persistent", in.persistent}});
  out_json outputs = out_json::array();
  for (output_spec const& o : ep.signature.outputs) {
    out_json j = out_json::object();
    j["kind"] = output_kind_names[static_cast<std::size_t>(o.kind)];
    j["value"] = o.value ? ref(*o.value) : out_json(nullptr);
    j["constant"] = o.constant ? encode_leaf(*o.constant, true) : out_json(nullptr);
    j["target"] = o.target;
    outputs.push_back(std::move(j));
  }
  root["signature"] = {{"inputs", std::move(inputs)}, {"outputs", std::move(outputs)}};

  out_json ranges = out_json::array();
  for (range_constraint const& r : ep.range_constraints) {
    out_json o = out_json::object();
    o["symbol"] = r.symbol;
    encode_range(o, r.range);
    ranges.push_back(std::move(o));
  }
  root["range_constraints"] = std::move(ranges);

  sym::input_contract const& c = ep.contract;
  out_json contract = out_json::object();
  contract["zero_one_policy"] =
      c.policy() == sym::zero_one_policy::enforce ? "enforce" : "accept_at_runtime";
  out_json csyms = out_json::array();
  for (std::size_t i = 0; i < c.num_symbols(); ++i) {
    out_json o = out_json::object();
    o["name"] = c.symbol_name(i);
    encode_range(o, c.range(sym::symbol{sym::symbol_kind::backed, static_cast<std::uint32_t>(i)}));
    csyms.push_back(std::move(o));
  }
  contract["symbols"] = std::move(csyms);
  out_json cinputs = out_json::array();
  for (std::size_t i = 0; i < c.num_inputs(); ++i) {
    out_json dims = out_json::array();
    for (sym::expr const& e : c.input_dims(i))
      dims.push_back(encode_expr(e));
    cinputs.push_back(
        {{"path", c.input_path(i)}, {"dims", std::move(dims)}, {"scalar", c.input_is_scalar(i)}});
  }
  contract["inputs"] = std::move(cinputs);
  out_json guards = out_json::array();
  for (sym::relation const& r : c.guards())
    guards.push_back(encode_relation(r));
  contract["guards"] = std::move(guards);
  root["contract"] = std::move(contract);

  root["in_spec"] = encode_tree(ep.in_spec);
  root["out_spec"] = encode_tree(ep.out_spec);
  root["input_paths"] = ep.input_paths;
  out_json constants = out_json::array();
  for (leaf const& l : ep.input_constants)
    constants.push_back(encode_leaf(l));
  root["input_constants"] = std::move(constants);
  out_json calls = out_json::array();
  for (module_call_entry const& m : ep.module_call_graph)
    calls.push_back({{"fqn", m.fqn}, {"type", m.type}});
  root["module_call_graph"] = std::move(calls);

  out_json state = out_json::array();
  for (auto const& [name, t] : ep.state_dict)
    state.push_back(encode_tensor(name, t, table));
  root["state_dict"] = std::move(state);
  out_json consts = out_json::array();
  for (auto const& [name, t] : ep.constants)
    consts.push_back(encode_tensor(name, t, table));
  root["constants"] = std::move(consts);

  out_json storages = out_json::array();
  for (std::size_t i = 0; i < table.storages.size(); ++i)
    storages.push_back({{"entry", storage_entry(i)}, {"nbytes", table.storages[i].nbytes()}});
  root["storages"] = std::move(storages);
  return root;
}

} // namespace xport::serde::detail
