//! @file
//! `ExportedProgram`: what `export_program` returns — the graph, its signature (which
//! placeholder is a parameter, buffer, constant or user input; which output is a user
//! output or a mutation), the state and constants, the range constraints of its symbols,
//! the input contract checked on every call, and the input/output tree specs.
#pragma once

#include <xport/core/print.hpp>
#include <xport/graph/graph.hpp>
#include <xport/sym/input_check.hpp>
#include <xport/sym/shape_env.hpp>
#include <xport/sym/sym_node.hpp>
#include <xport/trace/pytree.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xport {

class ExportedModule;
namespace runtime {
struct plan_options;
} // namespace runtime
namespace decomp {
class decomposition_table;
} // namespace decomp

//! @brief What a placeholder of an exported program stands for (PyTorch's `InputKind`).
enum class input_kind : std::uint8_t {
  parameter,       //!< a parameter of the module (`p_fc_weight`)
  buffer,          //!< a buffer, persistent or not (`b_running_mean`)
  constant_tensor, //!< a tensor constant: a plain tensor member, or one lifted from forward
  user_input       //!< an input the caller passes
};

//! @brief `PARAMETER`, `BUFFER`, `CONSTANT_TENSOR` or `USER_INPUT`.
constexpr std::string_view name(input_kind kind) noexcept {
  constexpr std::string_view names[] = {"PARAMETER", "BUFFER", "CONSTANT_TENSOR", "USER_INPUT"};
  return names[static_cast<std::size_t>(kind)];
}

//! @brief What an output of an exported program is (PyTorch's `OutputKind`).
enum class output_kind : std::uint8_t {
  buffer_mutation,     //!< the new value of a buffer the program mutated
  user_input_mutation, //!< the new value of a user input the program mutated
  user_output          //!< a value returned to the caller
};

//! @brief `BUFFER_MUTATION`, `USER_INPUT_MUTATION` or `USER_OUTPUT`.
constexpr std::string_view name(output_kind kind) noexcept {
  constexpr std::string_view names[] = {"BUFFER_MUTATION", "USER_INPUT_MUTATION", "USER_OUTPUT"};
  return names[static_cast<std::size_t>(kind)];
}

//! @brief One input of the signature: its kind, its placeholder's name, and for state the
//! dotted name in the module (`fc1.weight`) or in `constants`.
struct input_spec {
  input_kind kind = input_kind::user_input; //!< what it is
  std::string name;                         //!< the placeholder (`p_fc1_weight`)
  std::string target;                       //!< state name (`fc1.weight`); empty for inputs
  bool persistent = true; //!< for buffers: saved in `state_dict` (else in `constants`)
  //! @brief Equal when every field is.
  friend bool operator==(input_spec const&, input_spec const&) = default;
};

//! @brief One output of the signature: its kind, the graph value it returns, and for
//! mutations what it writes (a buffer's name, or a user input's placeholder). A user
//! output that is not a tensor (an int returned by forward) has no value but a constant.
struct output_spec {
  output_kind kind = output_kind::user_output; //!< what it is
  std::optional<graph::value_ref> value;       //!< the graph value; empty for a constant
  //! @brief A non-tensor output's value; a symbolic `SymInt` (a size forward returned)
  //! is evaluated with each call's sizes.
  std::optional<leaf> constant;
  std::string target; //!< mutated buffer or input placeholder; empty for user outputs
};

//! @brief The signature: the inputs in placeholder order (parameters, buffers, constants,
//! user inputs) and the outputs (mutations first, then user outputs), as PyTorch orders
//! them.
struct graph_signature {
  std::vector<input_spec> inputs;   //!< one per placeholder
  std::vector<output_spec> outputs; //!< one per output

  //! @brief The user inputs' positions among `inputs`.
  std::vector<std::size_t> user_inputs() const {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < inputs.size(); ++i)
      if (inputs[i].kind == input_kind::user_input) out.push_back(i);
    return out;
  }
};

//! @brief One symbol of a program with its range: `s0: VR[2, 1024]`.
struct range_constraint {
  std::string symbol;     //!< as printed in shapes (`s0`)
  sym::value_range range; //!< the values inputs may give it
};

//! @brief A user-input dim tied to others beyond its range: an equality with an earlier
//! input's dim (`y.shape[0] == x.shape[0]`, the same symbol) or a derived dim
//! (`z.shape[0] == 2*s0 + 1`).
struct dim_relation {
  std::string dim;      //!< the input dim (`y.shape[0]`)
  std::string equals;   //!< the earlier dim (equality) or the expression (derived)
  bool derived = false; //!< an expression rather than another dim's symbol
  //! @brief Equal when every field is.
  friend bool operator==(dim_relation const&, dim_relation const&) = default;
};

//! @brief A module of the exported tree with its dotted path and type (PyTorch's
//! `module_call_graph` entries, without signatures).
struct module_call_entry {
  std::string fqn;  //!< dotted path; `""` for the exported module
  std::string type; //!< the C++ type
};

//! @brief The result of `export_program`: a functional graph over fake values and what
//! is needed to call it. Call it through `module()`.
class ExportedProgram {
public:
  graph::Graph graph;                              //!< the program
  graph_signature signature;                       //!< what the placeholders and outputs are
  std::map<std::string, Tensor> state_dict;        //!< parameters and persistent buffers
  std::map<std::string, Tensor> constants;         //!< non-persistent buffers and constants
  std::vector<range_constraint> range_constraints; //!< every symbol's range
  sym::input_contract contract;                    //!< what every call's tensor sizes must satisfy
  tree_spec in_spec;                               //!< the structure of the inputs
  tree_spec out_spec;                              //!< the structure of the outputs
  std::vector<std::string> input_paths; //!< each user input leaf's path (`x`, `args[1]['k']`)
  std::vector<leaf> input_constants;    //!< non-tensor user inputs: specialized values
  std::vector<module_call_entry> module_call_graph; //!< the modules of the exported tree
  std::shared_ptr<sym::ShapeEnv const> shape_env;   //!< owns the symbols in the metas

  //! @brief The tensor behind input `spec` (a parameter, buffer or constant).
  //! @throws value_error when the signature names state the program does not have.
  Tensor const& state_of(input_spec const& spec) const {
    auto const& table =
        spec.kind == input_kind::parameter || (spec.kind == input_kind::buffer && spec.persistent)
            ? state_dict
            : constants;
    auto const it = table.find(spec.target);
    if (it == table.end())
      throw value_error("the program has no state named '" + spec.target + "' for placeholder "
                        + spec.name);
    return it->second;
  }

  //! @brief Checks every parameter, buffer and constant the signature names against its
  //! placeholder: present, a tensor with data, and the dtype, sizes and device the
  //! program was traced with. State replaced in `state_dict` must keep all three; a
  //! weight of other sizes would otherwise broadcast silently (a `[1]` bias where `[16]`
  //! was traced). `module()`, `save` and `load` call it; `who` starts the message.
  //! @throws value_error for missing, undefined or fake state; dtype_error, shape_error or
  //! device_error naming the state, its placeholder and both values.
  void check_state(std::string_view who) const;

  //! @brief Checks the input contract against the placeholders: input k of the contract
  //! is the k-th user input, its dims are that placeholder's sizes (an integer input's one
  //! "dim" is its value), over the program's symbols. A contract that says otherwise would
  //! let calls through that the graph was never traced for (a `[2, 2]` contract on a
  //! `[5, 2]` placeholder makes a three-way split return one tensor). `validate`,
  //! `module()`, `save` and `save_pt2` call it; `who` starts the message.
  //! @throws value_error naming the placeholder, the dim and both sizes, or the symbol the
  //! graph does not have.
  void check_contract(std::string_view who) const;

  //! @brief The program as a callable module (inputs checked, mutations applied).
  //! @throws as `check_state` and `check_contract` when the state or the input contract
  //! disagrees with the graph.
  ExportedModule module() const;
  //! @brief The program as a callable module whose plan is compiled as `options` says
  //! (`runtime::plan_options::freeze` to read the state as constants).
  //! @throws as `module()`.
  ExportedModule module(runtime::plan_options options) const;

  //! @brief This program with every op the table has a rule for rewritten by that rule
  //! (`decomp::default_decompositions()` lowers to the core op set); same signature,
  //! state, constants and range constraints. Defined in `<xport/decomp/decomp.hpp>`.
  //! @throws decomp::decomposition_error naming the rule when a rule would add a guard.
  ExportedProgram run_decompositions(decomp::decomposition_table const& table) const;
  //! @brief `run_decompositions(decomp::default_decompositions())`.
  ExportedProgram run_decompositions() const;

  //! @brief The equalities and derived dims among the user inputs' sizes, read from the
  //! placeholders' symbolic shapes: a dim whose symbol an earlier dim already has is an
  //! equality; a dim that is an expression of symbols (`2*s0 + 1`) is derived.
  std::vector<dim_relation> dim_relations() const;

  //! @brief The graph as code, the signature and the range constraints, as PyTorch
  //! prints an ExportedProgram:
  //!
  //!     ExportedProgram:
  //!         def forward(self, p_fc_weight: "f32[8, 4]", p_fc_bias: "f32[8]", x: "f32[s0, 4]"):
  //!             linear: "f32[s0, 8]" = aten::linear(x, p_fc_weight, p_fc_bias)  # model.cpp:12 fc
  //!             (Linear) return (linear,)
  //!
  //!     Graph signature:
  //!         # inputs
  //!         p_fc_weight: PARAMETER target='fc.weight'
  //!         ...
  //!     Range constraints: {s0: VR[2, 1024]}
  //!
  //! Then, when there are any, the equalities and derived dims among the inputs' sizes
  //! (`Equalities: {...}`, `Derived dims: {...}`) and the guards every call checks that
  //! the ranges do not imply (`Guards: {Eq(Mod(s0*s1, 4), 0)}`).
  std::string str() const;
  //! @brief Prints `str()`.
  friend std::ostream& operator<<(std::ostream& out, ExportedProgram const& ep) {
    return out << ep.str();
  }
};

namespace detail {

// A placeholder name from a key path: "args[1]['k']" -> "args_1_k".
inline std::string path_placeholder(std::string_view path) {
  std::string name;
  for (char c : path) {
    bool const word =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (word)
      name += c;
    else if (!name.empty() && name.back() != '_')
      name += '_';
  }
  while (!name.empty() && name.back() == '_')
    name.pop_back();
  return name;
}

inline std::string quoted_meta(ops::tensor_meta const& m) {
  return "\"" + m.str() + "\"";
}

inline std::string file_base(std::string_view p) {
  if (auto const slash = p.find_last_of("/\\"); slash != std::string_view::npos)
    p.remove_prefix(slash + 1);
  return std::string(p);
}

// `, x: "f32[s0, 4]", n: "Sym(s1)"` for the placeholders of `g`.
inline void print_parameters(std::ostringstream& out, graph::Graph const& g) {
  for (std::uint32_t i : g.placeholders()) {
    graph::node const& n = g.at(i);
    out << ", " << n.name << ": "
        << (n.values.empty() ? "\"Sym(" + n.scalar->str() + ")\"" : quoted_meta(n.values[0]));
  }
}

// The arguments of a call: `x, y, alpha=2`; a higher-order op's as its `format` prints
// them (`gt, true_graph_0, false_graph_0, (x, p_w)`).
inline void print_arguments(std::ostringstream& out, graph::Graph const& g, graph::node const& n) {
  auto name = [&](graph::argument const& a) { return a ? g.value_name(*a) : std::string("None"); };
  if (ops::higher_order_hooks const* hop = n.target->schema().higher_order) {
    std::vector<std::string> inputs, subgraphs;
    for (graph::argument const& a : n.args)
      inputs.push_back(name(a));
    for (graph::subgraph const& s : n.subgraphs)
      subgraphs.push_back(s.name);
    out << hop->format(n.target->get(), inputs, subgraphs);
    return;
  }
  bool first = true;
  for (graph::argument const& a : n.args) {
    out << (first ? "" : ", ") << name(a);
    first = false;
  }
  std::string const attributes = n.target->str();
  if (!attributes.empty()) out << (first ? "" : ", ") << attributes;
}

inline void print_call(std::ostringstream& out, graph::Graph const& g, graph::node const& n,
                       std::string_view indent) {
  out << indent << n.name;
  if (n.values.size() == 1) {
    out << ": " << quoted_meta(n.values[0]);
  } else if (!n.values.empty()) { // a tuple, read as name[i] (a runtime assert has none)
    out << ": \"(";
    for (std::size_t i = 0; i < n.values.size(); ++i)
      out << (i ? ", " : "") << n.values[i].str();
    out << ")\"";
  }
  out << " = " << n.target->schema().name << "(";
  print_arguments(out, g, n);
  out << ")";
  if (n.where || !n.module_stack.empty()) {
    out << "  #";
    if (n.where) out << " " << file_base(n.where->file) << ":" << n.where->line;
    if (!n.module_stack.empty()) {
      graph::stack_entry const& inner = n.module_stack.back();
      out << " " << (inner.path.empty() ? "<root>" : inner.path);
      if (inner.call != 0) out << "@" << inner.call; // a later call of the module
      out << " (" << inner.type << ")";
    }
  }
  out << "\n";
}

// The sub-graphs of `g`'s nodes as classes after its body (PyTorch's submodules):
//
//     class true_graph_0:
//         def forward(self, x: "f32[s0, 4]"):
//             cos: "f32[s0, 4]" = aten::cos(x)
//             return (cos,)
inline void print_subgraphs(std::ostringstream& out, graph::Graph const& g,
                            std::string const& indent) {
  for (graph::node const& n : g.nodes()) {
    for (graph::subgraph const& s : n.subgraphs) {
      out << "\n" << indent << "class " << s.name << ":\n" << indent << "    def forward(self";
      print_parameters(out, *s.graph);
      out << "):\n";
      for (graph::node const& inner : s.graph->nodes())
        if (inner.op == graph::node_op::call_function)
          print_call(out, *s.graph, inner, indent + "        ");
      std::vector<graph::value_ref> const outputs = s.graph->outputs();
      out << indent << "        return (";
      for (std::size_t k = 0; k < outputs.size(); ++k)
        out << (k ? ", " : "") << s.graph->value_name(outputs[k]);
      out << (outputs.size() == 1 ? ",)\n" : ")\n");
      print_subgraphs(out, *s.graph, indent + "    ");
    }
  }
}

} // namespace detail

inline std::string ExportedProgram::str() const {
  std::ostringstream out;
  out << "ExportedProgram:\n    def forward(self";
  detail::print_parameters(out, graph);
  out << "):\n";
  for (graph::node const& n : graph.nodes())
    if (n.op == graph::node_op::call_function) detail::print_call(out, graph, n, "        ");
  out << "        return (";
  for (std::size_t i = 0; i < signature.outputs.size(); ++i) {
    output_spec const& o = signature.outputs[i];
    out << (o.value ? graph.value_name(*o.value) : repr(*o.constant));
    if (signature.outputs.size() == 1 || i + 1 < signature.outputs.size()) out << ",";
    if (i + 1 < signature.outputs.size()) out << " ";
  }
  out << ")\n";
  detail::print_subgraphs(out, graph, "    ");
  out << "\nGraph signature:\n    # inputs\n";
  for (input_spec const& in : signature.inputs) {
    out << "    " << in.name << ": " << name(in.kind);
    if (!in.target.empty()) out << " target='" << in.target << "'";
    if (in.kind == input_kind::buffer) out << " persistent=" << (in.persistent ? "True" : "False");
    out << "\n";
  }
  out << "\n    # outputs\n";
  for (output_spec const& o : signature.outputs) {
    out << "    " << (o.value ? graph.value_name(*o.value) : repr(*o.constant)) << ": "
        << name(o.kind);
    if (!o.target.empty()) out << " target='" << o.target << "'";
    out << "\n";
  }
  out << "\nRange constraints: {";
  for (std::size_t i = 0; i < range_constraints.size(); ++i)
    out << (i ? ", " : "") << range_constraints[i].symbol << ": "
        << sym::to_string(range_constraints[i].range);
  out << "}\n";
  std::vector<dim_relation> const relations = dim_relations();
  for (bool const derived : {false, true}) {
    std::string line;
    for (dim_relation const& r : relations)
      if (r.derived == derived) line += (line.empty() ? "" : ", ") + r.dim + " == " + r.equals;
    if (!line.empty()) out << (derived ? "Derived dims: {" : "Equalities: {") << line << "}\n";
  }
  // Guards over several sizes that the ranges do not imply (`x.view(-1, 4)` on `[s0, s1]`
  // needs s0*s1 divisible by 4): checked on every call, so printed as part of the contract.
  if (!contract.guards().empty()) {
    out << "Guards: {";
    for (std::size_t i = 0; i < contract.guards().size(); ++i)
      out << (i ? ", " : "") << sym::to_string(contract.guards()[i], [&](sym::symbol s) {
        return contract.symbol_name(static_cast<std::size_t>(s.index));
      });
    out << "}\n";
  }
  return out.str();
}

inline void ExportedProgram::check_state(std::string_view who) const {
  std::size_t k = 0;
  for (graph::node const& n : graph.nodes()) {
    if (n.op != graph::node_op::placeholder) continue;
    if (k == signature.inputs.size()) break; // validate() reports a signature this short
    input_spec const& spec = signature.inputs[k++];
    if (spec.kind == input_kind::user_input || n.values.size() != 1) continue;
    Tensor const& t = state_of(spec);
    std::string const what =
        std::string(who) + ": the state '" + spec.target + "' (placeholder " + spec.name + ")";
    if (!t.defined() || t.is_fake())
      throw value_error(what + " is not a tensor with data (undefined or fake)");
    ops::tensor_meta const& traced = n.values[0];
    if (t.dtype() != traced.dtype) {
      throw dtype_error(what + " has dtype " + std::string(name(t.dtype()))
                        + ", but the program was traced with " + std::string(name(traced.dtype))
                        + "; replaced state must keep its dtype, sizes and device");
    }
    bool same_sizes = static_cast<std::int64_t>(t.sizes().size()) == traced.dim();
    for (std::size_t d = 0; same_sizes && d < t.sizes().size(); ++d)
      same_sizes = traced.sizes[d].maybe_int() == t.sizes()[d];
    if (!same_sizes) {
      throw shape_error(what + " has size " + format_sizes(t.sizes())
                        + ", but the program was traced with " + ops::format_sym_sizes(traced.sizes)
                        + "; replaced state must keep its dtype, sizes and device");
    }
    if (t.device() != traced.device) {
      throw device_error(what + " is on " + t.device().str() + ", but the program was traced on "
                         + traced.device.str() + "; move it back with .to(device) or export again");
    }
  }
}

inline void ExportedProgram::check_contract(std::string_view who) const {
  auto const fail = [&](std::string const& what) {
    throw value_error(std::string(who) + ": " + what);
  };
  std::map<std::string, sym::symbol, std::less<>> program_symbols;
  if (shape_env)
    for (sym::symbol_info const& info : shape_env->symbols())
      program_symbols.emplace(sym::to_string(info.sym), info.sym);
  std::vector<sym::expr> to_program; // contract symbol k -> the program's symbol of its name
  for (std::size_t k = 0; k < contract.num_symbols(); ++k) {
    auto const it = program_symbols.find(contract.symbol_name(k));
    if (it == program_symbols.end())
      fail("the input contract's symbol " + contract.symbol_name(k)
           + " is not a symbol of the graph");
    to_program.emplace_back(it->second);
  }
  // Equal as the program knows its symbols: a symbol tracing specialized (range [3, 3])
  // may stay in a placeholder's sizes while the contract states its value.
  auto const same = [&](sym::expr const& a, sym::expr const& b) {
    if (!shape_env) return a == b;
    sym::value_range const difference = shape_env->bound(a - b);
    return shape_env->simplify(a) == shape_env->simplify(b)
           || (difference.lo == 0 && difference.hi == 0);
  };
  std::vector<std::uint32_t> const placeholders = graph.placeholders();
  std::size_t input = 0;
  for (std::size_t k = 0; k < placeholders.size() && k < signature.inputs.size(); ++k) {
    if (signature.inputs[k].kind != input_kind::user_input) continue;
    graph::node const& n = graph.at(placeholders[k]);
    std::string const placeholder = "placeholder '" + n.name + "'";
    if (input >= contract.num_inputs())
      fail(placeholder + " is a user input the input contract does not list");
    std::vector<sym::expr> graph_dims;
    if (contract.input_is_scalar(input)) {
      if (!n.scalar) fail(placeholder + " is a tensor, but the input contract checks an integer");
      graph_dims.push_back(sym::expr_of(*n.scalar));
    } else {
      if (n.values.size() != 1 || !n.values[0].defined)
        fail(placeholder + " is not a tensor, but the input contract checks one");
      for (SymInt const& size : n.values[0].sizes)
        graph_dims.push_back(sym::expr_of(size));
    }
    std::vector<sym::expr> const& dims = contract.input_dims(input);
    std::string const& path = contract.input_path(input);
    if (dims.size() != graph_dims.size())
      fail(placeholder + " has " + std::to_string(graph_dims.size())
           + " dims, but the input contract gives " + path + " " + std::to_string(dims.size()));
    for (std::size_t d = 0; d < dims.size(); ++d) {
      sym::expr const stated =
          sym::substitute(dims[d], [&](sym::symbol s) -> std::optional<sym::expr> {
            return to_program.at(s.index);
          });
      if (!same(stated, graph_dims[d]))
        fail(placeholder + " has size " + sym::to_string(graph_dims[d]) + " in dim "
             + std::to_string(d) + ", but the input contract requires " + sym::to_string(stated)
             + " of " + path);
    }
    ++input;
  }
  if (input != contract.num_inputs())
    fail("the input contract lists " + std::to_string(contract.num_inputs())
         + " inputs, but the graph has " + std::to_string(input) + " user inputs");
}

inline std::vector<dim_relation> ExportedProgram::dim_relations() const {
  std::vector<dim_relation> out;
  std::map<std::string, std::string> first_dim; // symbol -> the first dim that has it
  std::size_t next_leaf = 0;
  std::vector<std::uint32_t> const placeholders = graph.placeholders();
  for (std::size_t k = 0; k < placeholders.size() && k < signature.inputs.size(); ++k) {
    if (signature.inputs[k].kind != input_kind::user_input) continue;
    graph::node const& n = graph.at(placeholders[k]);
    while (next_leaf < input_constants.size() && !is_none(input_constants[next_leaf]))
      ++next_leaf;
    std::string const path = next_leaf < input_paths.size() ? input_paths[next_leaf++] : n.name;
    bool const scalar = n.values.empty(); // an int input: its value is the one "dim"
    std::span<SymInt const> const sizes =
        scalar ? std::span<SymInt const>(&*n.scalar, 1)
               : std::span<SymInt const>(n.values[0].sizes.data(), n.values[0].sizes.size());
    for (std::size_t d = 0; d < sizes.size(); ++d) {
      if (!sizes[d].is_symbolic()) continue;
      std::string const dim = scalar ? path : path + ".shape[" + std::to_string(d) + "]";
      std::string const text = sizes[d].str();
      if (!sym::expr_of(sizes[d]).as_symbol()) {
        out.push_back({dim, text, true});
      } else if (auto const [it, fresh] = first_dim.try_emplace(text, dim); !fresh) {
        out.push_back({dim, it->second, false});
      }
    }
  }
  return out;
}

} // namespace xport

#include <xport/export/exported_module.hpp> // ExportedProgram::module()
