//! @file
//! `tree_value`: a pytree whose structure is known only at run time, as the outputs of a
//! loaded program are.
#pragma once

#include <xport/core/error.hpp>
#include <xport/trace/leaf.hpp>
#include <xport/trace/tree_spec.hpp>

#include <cstddef>
#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace xport {

//! @brief A pytree built at run time: `None`, a leaf, or a tuple, list, dict or dataclass
//! node of `tree_value` children.
//!
//! Why it exists: typed `unflatten<T>` needs the C++ type at compile time, but a program
//! loaded from a file returns outputs whose structure is only known from its `out_spec`.
//! `unflatten<tree_value>(leaves, spec)` rebuilds any spec, and the result can be walked
//! (`operator[]`, `at`, `get`), printed as Python prints it, flattened again, or turned
//! into a typed value with `unflatten<T>(flatten(v))`. Its node kinds are those of
//! `tree_spec`, so every spec has exactly one `tree_value` shape and back.
//!
//! A default-constructed `tree_value` is `None`; one made from a leaf holding `none`
//! is `None` too (a None leaf and a None node are one value, as in Python).
class tree_value {
public:
  //! @brief `None`.
  tree_value() = default;
  //! @brief A leaf; `None` when `value` holds `none`.
  tree_value(leaf value) // NOLINT(google-explicit-constructor): leaves read as values
      : kind_(xport::is_none(value) ? node_kind::none_node : node_kind::leaf_node),
        leaf_(std::move(value)) {}
  //! @brief A tensor leaf.
  tree_value(Tensor t) : tree_value(leaf(std::move(t))) {}
  //! @brief An integer leaf (held as int64).
  tree_value(std::int64_t v) : tree_value(leaf(v)) {}
  //! @brief An integer leaf.
  tree_value(int v) : tree_value(leaf(std::int64_t{v})) {}
  //! @brief A float leaf.
  tree_value(double v) : tree_value(leaf(v)) {}
  //! @brief A bool leaf.
  tree_value(bool v) : tree_value(leaf(v)) {}
  //! @brief A string leaf.
  tree_value(std::string v) : tree_value(leaf(std::move(v))) {}
  //! @brief A string leaf.
  tree_value(char const* v) : tree_value(leaf(std::string(v))) {}
  //! @brief `None`.
  tree_value(none_t) {}

  //! @brief A tuple: `tree_value::tuple({t, 3})` prints `(tensor(...), 3)`.
  static tree_value tuple(std::vector<tree_value> children) {
    return tree_value(node_kind::tuple, {}, {}, std::move(children));
  }
  //! @brief A list: `tree_value::list({1, 2})` prints `[1, 2]`.
  static tree_value list(std::vector<tree_value> children) {
    return tree_value(node_kind::list, {}, {}, std::move(children));
  }
  //! @brief A dict with entries in the given order: `tree_value::dict({{"b", 1}, {"a",
  //! 2}})` prints `{'b': 1, 'a': 2}` and flattens `b` first, as a Python dict keeps
  //! insertion order.
  //! @throws value_error when a key repeats.
  static tree_value dict(std::vector<std::pair<std::string, tree_value>> entries) {
    std::vector<std::string> keys;
    std::vector<tree_value> children;
    for (auto& [key, child] : entries) {
      keys.push_back(std::move(key));
      children.push_back(std::move(child));
    }
    detail::check_names(keys, children.size(), "tree_value::dict");
    return tree_value(node_kind::dict, {}, std::move(keys), std::move(children));
  }
  //! @brief A reflected struct named `type_name` with the given fields in order:
  //! `tree_value::dataclass("Point", {{"x", 1}, {"y", none}})` prints `Point(x=1,
  //! y=None)`.
  //! @throws value_error when the name is empty or a field repeats.
  static tree_value dataclass(std::string type_name,
                              std::vector<std::pair<std::string, tree_value>> fields) {
    if (type_name.empty()) throw value_error("tree_value::dataclass: the type name is empty");
    tree_value v = dict(std::move(fields));
    v.kind_ = node_kind::dataclass;
    v.type_name_ = std::move(type_name);
    return v;
  }

  //! @brief The kind of this node.
  node_kind kind() const noexcept { return kind_; }
  //! @brief Whether this is `None`.
  bool is_none() const noexcept { return kind_ == node_kind::none_node; }
  //! @brief Whether this is a leaf (not `None`).
  bool is_leaf() const noexcept { return kind_ == node_kind::leaf_node; }
  //! @brief The struct's type name for a dataclass, else empty.
  std::string const& type_name() const noexcept { return type_name_; }
  //! @brief Dict keys or dataclass field names, in order; empty for other kinds.
  std::vector<std::string> const& keys() const noexcept { return keys_; }
  //! @brief The children, in order.
  std::vector<tree_value> const& children() const noexcept { return children_; }
  //! @brief The number of children (0 for a leaf or None).
  std::size_t size() const noexcept { return children_.size(); }

  //! @brief The leaf held (`none` for None).
  //! @throws value_error when this is a container node.
  leaf const& as_leaf() const {
    if (kind_ != node_kind::leaf_node && kind_ != node_kind::none_node)
      throw value_error("tree_value::as_leaf: this is a " + std::string(kind_name(kind_))
                        + ", not a leaf");
    return leaf_;
  }

  //! @brief The leaf as `T`, one of `Tensor`, `std::int64_t`, `double`, `bool`,
  //! `std::string`: `tree_value(3).get<std::int64_t>() == 3`.
  //! @throws value_error naming both kinds when the node holds something else.
  template <class T>
  T const& get() const {
    leaf const& l = as_leaf();
    if (auto const* p = std::get_if<T>(&l)) return *p;
    throw value_error("tree_value::get: the leaf is " + std::string(kind_name(l))
                      + ", not the requested " + std::string(kind_name(leaf(T{}))));
  }

  //! @brief Child `i` of a tuple, list or dataclass (dataclass fields in declaration
  //! order).
  //! @throws value_error when this node has no positions or `i` is out of range.
  tree_value const& operator[](std::size_t i) const {
    if (kind_ == node_kind::leaf_node || kind_ == node_kind::none_node || kind_ == node_kind::dict)
      throw value_error("tree_value: cannot index a " + std::string(kind_name(kind_))
                        + " by position");
    if (i >= children_.size())
      throw value_error("tree_value: index " + std::to_string(i) + " is out of range for a "
                        + std::string(kind_name(kind_)) + " of length "
                        + std::to_string(children_.size()));
    return children_[i];
  }

  //! @brief The child under dict key or dataclass field `key`.
  //! @throws value_error when this node has no keys or `key` is not among them (the
  //! message lists the keys there are).
  tree_value const& at(std::string_view key) const {
    if (kind_ != node_kind::dict && kind_ != node_kind::dataclass)
      throw value_error("tree_value: cannot look up " + python_repr(key) + " in a "
                        + std::string(kind_name(kind_)));
    for (std::size_t i = 0; i < keys_.size(); ++i)
      if (keys_[i] == key) return children_[i];
    std::string known;
    for (std::string const& k : keys_)
      known += (known.empty() ? "" : ", ") + python_repr(k);
    throw value_error("tree_value: no key " + python_repr(key) + " among [" + known + "]");
  }

  //! @brief The value as Python prints it: `(tensor([1., 2.]), {'a': 3, 'b': None},
  //! [True, 'x'], Point(x=2.5))`.
  std::string repr() const {
    std::string out;
    append_repr(out);
    return out;
  }

  //! @brief Prints `repr()`.
  friend std::ostream& operator<<(std::ostream& out, tree_value const& v) {
    return out << v.repr();
  }

private:
  tree_value(node_kind kind, std::string type_name, std::vector<std::string> keys,
             std::vector<tree_value> children)
      : kind_(kind), type_name_(std::move(type_name)), keys_(std::move(keys)),
        children_(std::move(children)) {}

  void append_repr(std::string& out) const {
    switch (kind_) {
    case node_kind::leaf_node:
    case node_kind::none_node:
      out += xport::repr(leaf_);
      return;
    case node_kind::tuple:
    case node_kind::list:
    case node_kind::dict:
    case node_kind::dataclass:
      detail::append_python_container(
          out, kind_, type_name_, keys_, children_.size(),
          [&](std::string& text, std::size_t i) { children_[i].append_repr(text); });
      return;
    }
  }

  node_kind kind_ = node_kind::none_node;
  leaf leaf_;
  std::string type_name_;
  std::vector<std::string> keys_;
  std::vector<tree_value> children_;
};

} // namespace xport
