//! @file
//! Reading a PyTorch `.pt2` archive (schema major version 8, archive version "0") into an
//! `ExportedProgram`: the zip and its headers, the program JSON (graph, signature, range
//! constraints, tree specs), the weights and constants, and the input contract.
//!
//! Nodes map onto xport's ops by name (`torch.ops.aten.addmm.default` is `aten::addmm`);
//! PyTorch's schema of the op (`pt2_schemas`) orders the tensor arguments and supplies the
//! defaults the archive leaves out, and the non-tensor arguments fill the op's attributes
//! by name. Every node's outputs are recomputed by xport's meta rule and compared with
//! the sizes and dtypes the archive records. Every op or feature that cannot be read is
//! collected, and the load fails with one error listing them all.
#pragma once

#include <xport/export/inspect.hpp>
#include <xport/serde/detail/decode.hpp>
#include <xport/serde/detail/pt2_arguments.hpp>
#include <xport/serde/detail/pt2_rules.hpp>
#include <xport/serde/detail/pt2_schema.hpp>
#include <xport/serde/detail/zip.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace xport::serde::detail {

//! The node targets that compute symbolic integers (`sym_size`, `_operator.mul`): their
//! values are recorded in `sym_int_values`, so they need no node of their own.
inline bool is_symbolic_int_target(std::string_view target) {
  return target == "torch.ops.aten.sym_size.int" || target == "torch.ops.aten.sym_numel.default"
         || target.starts_with("_operator.") || target.starts_with("torch.sym_")
         || target.starts_with("math.");
}

//! `torch.ops.aten.add.Tensor` -> `aten::add.Tensor`; `torch.ops.aten.relu.default` ->
//! `aten::relu`. Empty when the target is not an ATen op.
inline std::string aten_name_of(std::string_view target) {
  constexpr std::string_view prefix = "torch.ops.aten.";
  if (!target.starts_with(prefix)) return {};
  target.remove_prefix(prefix.size());
  std::size_t const dot_at = target.find('.');
  std::string name = "aten::" + std::string(target.substr(0, dot_at));
  if (dot_at != std::string_view::npos && target.substr(dot_at + 1) != "default")
    name += "." + std::string(target.substr(dot_at + 1));
  return name;
}

//! One node converted: the op's boxed attributes and its tensor inputs, or why not.
struct pt2_call {
  std::optional<ops::boxed_attributes> attributes; // set when the node converts
  std::vector<in_json const*> inputs; // TensorArguments ({"name": ...}); null for an absent one
  std::string unsupported;            // non-empty: why the node cannot be read
};

//! Schema arguments that xport's ops do not model and that change nothing for a CPU
//! program when they hold these values.
inline bool is_ignorable_argument(pt2_argument_schema const& arg, in_json const& value) {
  auto const [key, v_ptr] = union_of(value, "argument");
  in_json const& v = *v_ptr;
  if (key == "as_none") return true;
  if (arg.name == "pin_memory") return key == "as_bool" && v == false;
  if (arg.name == "device")
    return key == "as_device" && v.is_object() && v.contains("type") && v["type"] == "cpu";
  if (arg.name == "layout") return key == "as_layout" && v == 7; // strided
  if (arg.name == "memory_format")                               // contiguous or preserve
    return key == "as_memory_format" && (v == 1 || v == 4);
  if (arg.name == "cudnn_enable") return true;
  return false;
}

//! Converts one node of the ATen op `Op` with PyTorch schema `schema`, given its named
//! arguments (the schema supplies the others' defaults).
template <class Op>
pt2_call convert_pt2_node(pt2_named_args const& args, pt2_op_schema const& schema,
                          pt2_scope const& scope, std::string const& where) {
  pt2_call out;
  std::vector<in_json> defaults; // kept alive while `values` points into it
  defaults.reserve(schema.arguments.size());
  std::map<std::string_view, in_json const*> values;
  std::size_t given = 0;
  for (pt2_argument_schema const& arg : schema.arguments) {
    auto const it = args.find(arg.name);
    if (it != args.end()) {
      values.emplace(arg.name, &it->second);
      ++given;
    } else if (arg.default_) {
      defaults.push_back(pt2_default_argument(arg));
      values.emplace(arg.name, &defaults.back());
    } else {
      fail(where, "the argument '" + std::string(arg.name) + "' of " + std::string(schema.name)
                      + " is missing, and it has no default");
    }
  }
  // Arguments PyTorch's schema lacks: xport's own attributes, supplied by a rule.
  if (given != args.size()) {
    for (auto const& arg : args) {
      std::string const& name = arg.first;
      if (values.contains(name)) continue;
      bool member = false;
      boost::hana::for_each(boost::hana::accessors<typename Op::attributes>(), [&](auto accessor) {
        member = member || name == boost::hana::to<char const*>(boost::hana::first(accessor));
      });
      if (!member) fail(where, "'" + name + "' is not an argument of " + std::string(schema.name));
      values.emplace(name, &arg.second);
    }
  }

  // Tensors, in schema order. A number where the schema has a tensor is a wrapped number
  // (`x + 1` is `add.Tensor(x, 1)`, `x * s` is `mul.Tensor(x, sym_size_int)`): xport's op holds
  // it as the attribute of that name.
  auto is_number = [](std::string const& key) {
    return key == "as_int" || key == "as_float" || key == "as_bool" || key == "as_sym_int";
  };
  std::set<std::string_view> wrapped_numbers;
  for (pt2_argument_schema const& arg : schema.arguments) {
    if (arg.tensors == pt2_tensor_kind::none) continue;
    in_json const& value = *values.at(arg.name);
    std::string const w = dot(where, arg.name);
    auto const [key, v] = union_of(value, w);
    if (key == "as_none") {
      out.inputs.push_back(nullptr);
    } else if (key == "as_tensor") {
      out.inputs.push_back(v);
    } else if (key == "as_optional_tensor") {
      auto const [inner, t] = union_of(*v, dot(w, key));
      out.inputs.push_back(inner == "as_none" ? nullptr : t);
    } else if (key == "as_tensors") {
      as_array(*v, dot(w, key));
      for (in_json const& item : *v)
        out.inputs.push_back(&item);
    } else if (key == "as_optional_tensors") {
      as_array(*v, dot(w, key));
      for (in_json const& item : *v) {
        auto const [inner, t] = union_of(item, dot(w, key));
        out.inputs.push_back(inner == "as_none" ? nullptr : t);
      }
    } else if (is_number(key)) {
      wrapped_numbers.insert(arg.name);
    } else {
      fail(w, "expected a tensor argument, got '" + key + "'");
    }
  }

  // Attributes, by name.
  typename Op::attributes attributes{};
  std::set<std::string_view> used;
  boost::hana::for_each(boost::hana::accessors<typename Op::attributes>(), [&](auto accessor) {
    std::string_view const member = boost::hana::to<char const*>(boost::hana::first(accessor));
    std::string_view const key = pt2_argument_name(Op::name, member);
    auto& slot = boost::hana::second(accessor)(attributes);
    using type = std::remove_cvref_t<decltype(slot)>;
    auto const it = values.find(key);
    if (it == values.end()) {
      out.unsupported = "xport's attribute '" + std::string(member) + "' has no argument in "
                        + "PyTorch's schema";
      return;
    }
    used.insert(key);
    auto const [kind, unused] = union_of(*it->second, dot(where, key));
    bool const tensor_argument = std::any_of(
        schema.arguments.begin(), schema.arguments.end(), [&](pt2_argument_schema const& arg) {
          return arg.name == key && arg.tensors != pt2_tensor_kind::none;
        });
    if (tensor_argument && !wrapped_numbers.contains(key)) {
      return; // a tensor input: the attribute (the wrapped-number form) stays empty
    }
    if (tensor_argument) wrapped_numbers.erase(key);
    if constexpr (!pt2_readable<type>) {
      out.unsupported = "xport's attribute '" + std::string(key) + "' is not read from arguments";
      return;
    } else if constexpr (std::same_as<type, std::string>) {
      // A factory's `Device? device=None`: the CPU.
      slot = kind == "as_none" && key == "device"
                 ? std::string("cpu")
                 : read_pt2_argument<type>(*it->second, scope, dot(where, key));
    } else {
      slot = read_pt2_argument<type>(*it->second, scope, dot(where, key));
    }
  });
  if (!out.unsupported.empty()) return out;
  if (!wrapped_numbers.empty()) {
    out.unsupported =
        "a number as the tensor argument '" + std::string(*wrapped_numbers.begin()) + "'";
    return out;
  }
  for (pt2_argument_schema const& arg : schema.arguments) {
    if (arg.tensors != pt2_tensor_kind::none || used.contains(arg.name)) continue;
    in_json const& value = *values.at(arg.name);
    bool const is_default = arg.default_ && value == pt2_default_argument(arg);
    if (!is_default && !is_ignorable_argument(arg, value)) {
      out.unsupported = "argument '" + std::string(arg.name) + "' = " + value.dump()
                        + " (xport's op has no such attribute)";
      return out;
    }
  }
  out.attributes = ops::boxed_attributes::of<Op>(std::move(attributes));
  return out;
}

//! The converters of every ATen op of `OpSet`, by xport name.
template <class OpSet>
struct pt2_converters {
  using convert_fn = pt2_call (*)(pt2_named_args const&, pt2_op_schema const&, pt2_scope const&,
                                  std::string const&);
  static std::map<std::string_view, convert_fn, std::less<>> const& by_name() {
    static auto const table = [] {
      std::map<std::string_view, convert_fn, std::less<>> out;
      OpSet::for_each([&]<class Op>() { out.emplace(Op::name, &convert_pt2_node<Op>); });
      return out;
    }();
    return table;
  }
};

} // namespace xport::serde::detail
