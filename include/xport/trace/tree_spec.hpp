//! @file
//! `tree_spec`: the structure of a pytree without its leaves (PyTorch's `TreeSpec`), with
//! key paths to its leaves and the error raised when a value does not match a spec.
#pragma once

#include <xport/core/error.hpp>
#include <xport/trace/leaf.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace xport {

namespace detail {
// Python's repr of a list of strings: ['a', 'b'].
inline std::string python_list(std::vector<std::string> const& names) {
  std::string out = "[";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ", ";
    out += python_repr(names[i]);
  }
  return out + ']';
}
} // namespace detail

//! @brief The kinds of pytree node, named as PyTorch's `TreeSpec` names them.
//!
//! C++ types map onto them as follows: `std::tuple` and `std::pair` are tuples;
//! `std::vector` and `std::array` are lists; `std::map<std::string, T>` is a dict; an
//! empty `std::optional` (or `xport::none`) is None; a struct reflected with Boost.Hana is
//! a dataclass (PyTorch's `register_dataclass`). The first two carry a suffix because
//! `xport::leaf` and `xport::none` already name the values.
enum class node_kind : std::uint8_t {
  leaf_node, //!< one value (printed `*`)
  none_node, //!< `None`: a node with no children and no leaves
  tuple,     //!< fixed-arity sequence
  list,      //!< sequence
  dict,      //!< string keys to children, in the spec's key order
  dataclass  //!< a reflected struct: a type name and field names
};

namespace detail {
// Writes a container node as Python prints it — (a, b), (a,), [a, b], {'k': a},
// Type(f=a) — with `child(out, i)` writing the i-th element.
template <class Child>
void append_python_container(std::string& out, node_kind kind, std::string const& type_name,
                             std::vector<std::string> const& keys, std::size_t count,
                             Child&& child) {
  bool const sequence = kind == node_kind::tuple || kind == node_kind::list;
  if (sequence) {
    out += kind == node_kind::tuple ? '(' : '[';
  } else {
    out += kind == node_kind::dict ? "{" : type_name + "(";
  }
  for (std::size_t i = 0; i < count; ++i) {
    if (i) out += ", ";
    if (kind == node_kind::dict) out += python_repr(keys[i]) + ": ";
    if (kind == node_kind::dataclass) out += keys[i] + "=";
    child(out, i);
  }
  if (kind == node_kind::tuple && count == 1) out += ',';
  if (sequence) {
    out += kind == node_kind::tuple ? ')' : ']';
  } else {
    out += kind == node_kind::dict ? '}' : ')';
  }
}
} // namespace detail

//! @brief The structure of a pytree: node kinds, dict keys, struct type and field names,
//! but no leaf values.
//!
//! Specs are values: copyable, comparable with `==` (kind, type name, keys in order and
//! children all equal, as PyTorch's `TreeSpec.__eq__`), hashable (`std::hash`), and
//! printable (`operator<<` prints PyTorch's `TreeSpec` repr; `pretty()` prints the tree
//! with `*` for leaves). Build them with `flatten(value)`, or by hand with `leaf_spec()`,
//! `none_spec()`, `tuple_spec()`, `list_spec()`, `dict_spec()` and `dataclass_spec()`.
//! A default-constructed spec is a leaf.
class tree_spec {
public:
  //! @brief A leaf spec (`*`).
  tree_spec() = default;

  //! @brief The kind of the root node.
  node_kind kind() const noexcept { return kind_; }
  //! @brief Whether the root is a leaf.
  bool is_leaf() const noexcept { return kind_ == node_kind::leaf_node; }
  //! @brief Whether the root is `None`.
  bool is_none() const noexcept { return kind_ == node_kind::none_node; }
  //! @brief The struct's type name for a dataclass (`geo::Point`), else empty.
  std::string const& type_name() const noexcept { return type_name_; }
  //! @brief The keys of a dict (in the spec's order) or the field names of a dataclass
  //! (in declaration order); empty for other kinds.
  std::vector<std::string> const& keys() const noexcept { return keys_; }
  //! @brief The child specs, in leaf order.
  std::vector<tree_spec> const& children() const noexcept { return children_; }
  //! @brief The number of children of the root (0 for a leaf or None).
  std::size_t num_children() const noexcept { return children_.size(); }
  //! @brief The number of leaves in the tree.
  std::size_t num_leaves() const noexcept { return num_leaves_; }
  //! @brief The number of nodes in the tree, leaves and the root included (PyTorch's
  //! `num_nodes`).
  std::size_t num_nodes() const noexcept { return num_nodes_; }

  //! @brief Structural equality: kinds, type names, keys (in order) and children.
  friend bool operator==(tree_spec const& a, tree_spec const& b) {
    return a.kind_ == b.kind_ && a.num_leaves_ == b.num_leaves_ && a.num_nodes_ == b.num_nodes_
           && a.type_name_ == b.type_name_ && a.keys_ == b.keys_ && a.children_ == b.children_;
  }

  //! @brief PyTorch's `TreeSpec` repr, over several lines for nested nodes:
  //! `TreeSpec(tuple, None, [*,\n  TreeSpec(dict, ['a'], [*])])`.
  std::string repr() const {
    std::string out;
    append_repr(out, 0);
    return out;
  }

  //! @brief The tree with `*` at each leaf, as PyTorch's `treespec_pprint` shows it:
  //! `(*, {'a': *, 'b': [*, *]}, None, geo::Point(x=*, y=*))`.
  std::string pretty() const {
    std::string out;
    append_pretty(out);
    return out;
  }

  //! @brief Prints `repr()`.
  friend std::ostream& operator<<(std::ostream& out, tree_spec const& spec) {
    return out << spec.repr();
  }

private:
  friend tree_spec none_spec();
  friend tree_spec tuple_spec(std::vector<tree_spec>);
  friend tree_spec list_spec(std::vector<tree_spec>);
  friend tree_spec dict_spec(std::vector<std::string>, std::vector<tree_spec>);
  friend tree_spec dataclass_spec(std::string, std::vector<std::string>, std::vector<tree_spec>);

  tree_spec(node_kind kind, std::string type_name, std::vector<std::string> keys,
            std::vector<tree_spec> children)
      : kind_(kind), type_name_(std::move(type_name)), keys_(std::move(keys)),
        children_(std::move(children)), num_leaves_(0), num_nodes_(1) {
    for (tree_spec const& child : children_) {
      num_leaves_ += child.num_leaves_;
      num_nodes_ += child.num_nodes_;
    }
  }

  // PyTorch's dataclass flatten drops None fields from the children and lists them
  // apart: the context is [flat_names, none_names]. xport keeps None fields as children
  // (so every field has a place), and only the printing follows PyTorch.
  void append_repr(std::string& out, std::size_t indent) const {
    if (kind_ == node_kind::leaf_node) {
      out += '*';
      return;
    }
    std::vector<tree_spec const*> shown;
    out += "TreeSpec(";
    switch (kind_) {
    case node_kind::none_node:
      out += "NoneType, None, [";
      break;
    case node_kind::tuple:
    case node_kind::list:
      out += kind_ == node_kind::tuple ? "tuple, None, [" : "list, None, [";
      break;
    case node_kind::dict:
      out += "dict, ";
      out += detail::python_list(keys_);
      out += ", [";
      break;
    case node_kind::dataclass: {
      std::vector<std::string> flat_names, none_names;
      for (std::size_t i = 0; i < children_.size(); ++i)
        (children_[i].is_none() ? none_names : flat_names).push_back(keys_[i]);
      out += type_name_ + ", [";
      out += detail::python_list(flat_names);
      out += ", ";
      out += detail::python_list(none_names);
      out += "], [";
      break;
    }
    case node_kind::leaf_node:
      break;
    }
    for (tree_spec const& child : children_)
      if (kind_ != node_kind::dataclass || !child.is_none()) shown.push_back(&child);
    for (std::size_t i = 0; i < shown.size(); ++i) {
      if (i) out += ",\n" + std::string(indent + 2, ' ');
      shown[i]->append_repr(out, indent + 2);
    }
    out += "])";
  }

  void append_pretty(std::string& out) const {
    switch (kind_) {
    case node_kind::leaf_node:
      out += '*';
      return;
    case node_kind::none_node:
      out += "None";
      return;
    case node_kind::tuple:
    case node_kind::list:
    case node_kind::dict:
    case node_kind::dataclass:
      detail::append_python_container(
          out, kind_, type_name_, keys_, children_.size(),
          [&](std::string& text, std::size_t i) { children_[i].append_pretty(text); });
      return;
    }
  }

  node_kind kind_ = node_kind::leaf_node;
  std::string type_name_;
  std::vector<std::string> keys_;
  std::vector<tree_spec> children_;
  std::size_t num_leaves_ = 1;
  std::size_t num_nodes_ = 1;
};

//! @brief The spec of one leaf: `*`.
inline tree_spec leaf_spec() {
  return {};
}

//! @brief The spec of `None`: `TreeSpec(NoneType, None, [])`, no leaves.
inline tree_spec none_spec() {
  return tree_spec(node_kind::none_node, {}, {}, {});
}

//! @brief A tuple of the given children: `tuple_spec({leaf_spec(), none_spec()})` prints
//! `TreeSpec(tuple, None, [*,\n  TreeSpec(NoneType, None, [])])`.
inline tree_spec tuple_spec(std::vector<tree_spec> children) {
  return tree_spec(node_kind::tuple, {}, {}, std::move(children));
}

//! @brief A list of the given children: `list_spec({leaf_spec(), leaf_spec()})` prints
//! `TreeSpec(list, None, [*,\n  *])`.
inline tree_spec list_spec(std::vector<tree_spec> children) {
  return tree_spec(node_kind::list, {}, {}, std::move(children));
}

namespace detail {
inline void check_names(std::vector<std::string> const& names, std::size_t children,
                        char const* what) {
  if (names.size() != children) {
    throw value_error(std::string(what) + ": " + std::to_string(names.size()) + " names for "
                      + std::to_string(children) + " children");
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (names[i] == names[j])
        throw value_error(std::string(what) + ": duplicate name " + python_repr(names[i]));
    }
  }
}
} // namespace detail

//! @brief A dict with `keys[i]` mapping to `children[i]`; the order of `keys` is the leaf
//! order. `dict_spec({"a"}, {leaf_spec()})` prints `TreeSpec(dict, ['a'], [*])`.
//! @throws value_error when the counts differ or a key repeats.
inline tree_spec dict_spec(std::vector<std::string> keys, std::vector<tree_spec> children) {
  detail::check_names(keys, children.size(), "dict_spec");
  return tree_spec(node_kind::dict, {}, std::move(keys), std::move(children));
}

//! @brief A reflected struct named `type_name` with `fields[i]` holding `children[i]`.
//! `dataclass_spec("Point", {"x", "y"}, {leaf_spec(), none_spec()})` prints
//! `TreeSpec(Point, [['x'], ['y']], [*])` (PyTorch lists None fields apart).
//! @throws value_error when the counts differ, a field repeats or the name is empty.
inline tree_spec dataclass_spec(std::string type_name, std::vector<std::string> fields,
                                std::vector<tree_spec> children) {
  if (type_name.empty()) throw value_error("dataclass_spec: the type name is empty");
  detail::check_names(fields, children.size(), "dataclass_spec");
  return tree_spec(node_kind::dataclass, std::move(type_name), std::move(fields),
                   std::move(children));
}

//! @brief The hash of `spec`, consistent with `==`.
inline std::size_t hash_value(tree_spec const& spec) noexcept {
  auto mix = [](std::size_t seed, std::size_t value) {
    return seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
  };
  std::size_t seed = static_cast<std::size_t>(spec.kind());
  seed = mix(seed, std::hash<std::string>{}(spec.type_name()));
  for (std::string const& key : spec.keys())
    seed = mix(seed, std::hash<std::string>{}(key));
  for (tree_spec const& child : spec.children())
    seed = mix(seed, hash_value(child));
  return mix(seed, spec.num_children());
}

//! @brief The name of a node kind as messages print it: `"leaf"`, `"None"`, `"tuple"`,
//! `"list"`, `"dict"`, `"dataclass"`.
inline std::string_view kind_name(node_kind kind) noexcept {
  constexpr std::string_view names[] = {"leaf", "None", "tuple", "list", "dict", "dataclass"};
  return names[static_cast<std::size_t>(kind)];
}

//! @brief A position in a sequence (tuple or list); renders as `[0]`.
struct sequence_key {
  std::size_t index = 0; //!< the position
  //! @brief Equal positions.
  friend bool operator==(sequence_key const&, sequence_key const&) = default;
};

//! @brief A key of a dict; renders as Python renders a dict key, `['k']`.
struct mapping_key {
  std::string key; //!< the key
  //! @brief Equal keys.
  friend bool operator==(mapping_key const&, mapping_key const&) = default;
};

//! @brief A field of a struct; renders as `.name`.
struct attr_key {
  std::string name; //!< the field name
  //! @brief Equal names.
  friend bool operator==(attr_key const&, attr_key const&) = default;
};

//! @brief One step from a node to a child (PyTorch's `KeyEntry`).
using key_entry = std::variant<sequence_key, mapping_key, attr_key>;

//! @brief The steps from the root to a node (PyTorch's `KeyPath`).
using key_path = std::vector<key_entry>;

//! @brief A key entry as PyTorch's `keystr` renders it: `[0]`, `['k']`, `.weight`.
inline std::string keystr(key_entry const& entry) {
  if (auto const* s = std::get_if<sequence_key>(&entry))
    return '[' + std::to_string(s->index) + ']';
  if (auto const* m = std::get_if<mapping_key>(&entry)) return '[' + python_repr(m->key) + ']';
  return '.' + std::get<attr_key>(entry).name;
}

//! @brief A key path as PyTorch's `keystr` renders it, after `root`:
//! `keystr({sequence_key{0}, mapping_key{"k"}, sequence_key{1}}, "inputs")` is
//! `inputs[0]['k'][1]`; `keystr({sequence_key{1}, attr_key{"weight"}}, "args")` is
//! `args[1].weight`.
inline std::string keystr(key_path const& path, std::string_view root = {}) {
  std::string out(root);
  for (key_entry const& entry : path)
    out += keystr(entry);
  return out;
}

//! @brief The key entry that leads from a node of `spec`'s kind to its child `i`.
//! @pre `i < spec.num_children()`.
inline key_entry child_key(tree_spec const& spec, std::size_t i) {
  switch (spec.kind()) {
  case node_kind::dict:
    return mapping_key{spec.keys()[i]};
  case node_kind::dataclass:
    return attr_key{spec.keys()[i]};
  default:
    return sequence_key{i};
  }
}

namespace detail {
inline void collect_key_paths(tree_spec const& spec, key_path& here, std::vector<key_path>& out) {
  if (spec.is_leaf()) {
    out.push_back(here);
    return;
  }
  for (std::size_t i = 0; i < spec.num_children(); ++i) {
    here.push_back(child_key(spec, i));
    collect_key_paths(spec.children()[i], here, out);
    here.pop_back();
  }
}
} // namespace detail

//! @brief The key path of every leaf of `spec`, in leaf order (PyTorch's
//! `tree_flatten_with_path` without the leaves).
inline std::vector<key_path> leaf_key_paths(tree_spec const& spec) {
  std::vector<key_path> out;
  out.reserve(spec.num_leaves());
  key_path here;
  detail::collect_key_paths(spec, here, out);
  return out;
}

namespace detail {
//! @brief The path of every leaf of `spec` (an input tree: a tuple of arguments), the
//! top-level arguments named by `names` where given (`x`, `pair[1]`) and `args[i]`
//! otherwise: `input_paths(spec, {"x"})` is `{"x", "args[1]['k']"}` for `(x, {"k": y})`.
inline std::vector<std::string> input_paths(tree_spec const& spec,
                                            std::vector<std::string> const& names) {
  std::vector<std::string> out;
  for (key_path const& path : leaf_key_paths(spec)) {
    std::string text;
    auto const* first = path.empty() ? nullptr : std::get_if<sequence_key>(&path.front());
    if (first != nullptr && first->index < names.size()) {
      key_path const rest(path.begin() + 1, path.end());
      text = keystr(rest, names[first->index]);
    } else {
      text = keystr(path, "args");
    }
    out.push_back(std::move(text));
  }
  return out;
}
} // namespace detail

//! @brief The rendered path of every leaf of `spec`, in leaf order, each starting with
//! `root`: for the spec of `std::tuple{t, std::map<std::string, Tensor>{{"k", u}}}`,
//! `leaf_paths(spec, "inputs")` is `{"inputs[0]", "inputs[1]['k']"}`.
inline std::vector<std::string> leaf_paths(tree_spec const& spec, std::string_view root = {}) {
  std::vector<std::string> out;
  out.reserve(spec.num_leaves());
  for (key_path const& path : leaf_key_paths(spec))
    out.push_back(keystr(path, root));
  return out;
}

//! @brief A value's structure does not match a tree spec (a different node kind, length,
//! set of keys, struct type or field names, or leaf type), or a leaf list does not fit a
//! spec.
//!
//! A subclass of `value_error` (PyTorch raises `ValueError` here) that also carries the
//! rendered path of the mismatching node, so that export code can name the input in its
//! own words without parsing the message.
class structure_error : public value_error {
public:
  //! @brief An error at `path` (rendered, e.g. `inputs[0]['k']`) with the full `message`.
  structure_error(std::string path, std::string const& message)
      : value_error(message), path_(std::move(path)) {}
  //! @brief The rendered path of the node that does not match.
  std::string const& path() const noexcept { return path_; }

private:
  std::string path_;
};

} // namespace xport

//! @brief Hashes a `tree_spec` with `xport::hash_value`, so specs can key unordered
//! containers (for example a cache of compiled programs by input structure).
template <>
struct std::hash<xport::tree_spec> {
  //! @brief `xport::hash_value(spec)`.
  std::size_t operator()(xport::tree_spec const& spec) const noexcept {
    return xport::hash_value(spec);
  }
};
