//! @file
//! PyTorch's serialized pytree specs (`in_spec` and `out_spec` of a `.pt2` program's
//! module call graph) read into xport's `tree_spec`: tuples, lists, dicts and None.
#pragma once

#include <xport/serde/detail/codec.hpp>
#include <xport/trace/tree_spec.hpp>

#include <string>
#include <vector>

namespace xport::serde::detail {

//! One node of a serialized TreeSpec: `{"type": "builtins.tuple", "context": ...,
//! "children_spec": [...]}`; a leaf has type null.
inline tree_spec read_pt2_tree_node(in_json const& j, std::string const& where, int depth) {
  if (depth > max_depth) fail(where, "tree specs nest deeper than 32 levels");
  in_json const& type = field(j, "type", where);
  std::vector<tree_spec> children;
  in_json const& c = as_array(field(j, "children_spec", where), dot(where, "children_spec"));
  for (std::size_t i = 0; i < c.size(); ++i)
    children.push_back(read_pt2_tree_node(c[i], at(dot(where, "children_spec"), i), depth + 1));
  if (type.is_null()) return leaf_spec();
  std::string const& t = as_string(type, dot(where, "type"));
  if (t == "builtins.tuple") return tuple_spec(std::move(children));
  if (t == "builtins.list") return list_spec(std::move(children));
  if (t == "builtins.NoneType") return none_spec();
  if (t == "builtins.dict") {
    // The context is JSON text: the list of keys.
    in_json keys_json;
    try {
      keys_json = in_json::parse(as_string(field(j, "context", where), dot(where, "context")));
    } catch (in_json::exception const&) {
      fail(dot(where, "context"), "the dict's keys are not valid JSON");
    }
    std::vector<std::string> keys;
    as_array(keys_json, dot(where, "context"));
    for (std::size_t i = 0; i < keys_json.size(); ++i)
      keys.push_back(as_string(keys_json[i], at(dot(where, "context"), i)));
    if (keys.size() != children.size())
      fail(where, std::to_string(keys.size()) + " keys for " + std::to_string(children.size())
                      + " children");
    return dict_spec(std::move(keys), std::move(children));
  }
  fail(dot(where, "type"),
       "the container type '" + t + "' is not supported (tuple, list, dict and None are)");
}

//! A tree spec as PyTorch serializes it: JSON text `[1, {"type": ..., "context": ...,
//! "children_spec": [...]}]` (version 1).
inline tree_spec read_pt2_tree_spec(in_json const& text, std::string const& where) {
  in_json j;
  try {
    j = in_json::parse(as_string(text, where));
  } catch (in_json::exception const&) {
    fail(where, "the tree spec is not valid JSON");
  }
  as_array(j, where);
  if (j.size() != 2 || as_int(j[0], at(where, 0)) != 1)
    fail(where, "expected [1, {...}] (tree spec version 1)");
  return read_pt2_tree_node(j[1], at(where, 1), 0);
}

} // namespace xport::serde::detail
