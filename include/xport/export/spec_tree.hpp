//! @file
//! `spec_tree`: a dynamic-shapes spec that mirrors the structure of the inputs (PyTorch's
//! nested `dynamic_shapes`), flattened against the inputs' tree spec into one
//! `shape_spec` per tensor or `SymInt` leaf, with structure errors that name the path.
//!
//! @code
//! auto batch = xport::Dim("batch");
//! // forward(Pair{a, b}, std::map<std::string, Tensor>{{"w", w}})
//! auto spec = xport::spec_tree::tuple({
//!     xport::spec_tree::dict({{"a", xport::spec_tree::tensor({batch, 4})},
//!                             {"b", xport::spec_tree::dims({{0, batch}})}}),
//!     xport::spec_tree::dict({{"w", xport::spec_tree::none()}})});
//! @endcode
#pragma once

#include <xport/core/error.hpp>
#include <xport/sym/spec.hpp>
#include <xport/trace/leaf.hpp>
#include <xport/trace/tree_spec.hpp>

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace xport {

//! @brief A dynamic-shapes spec with the structure of the inputs: tensors get a full
//! list of dim specs or an index → dim map; containers mirror tuples, lists, dicts and
//! reflected structs (by field name); `none()` makes a whole subtree static.
class spec_tree {
public:
  //! @brief Every tensor in this subtree static (PyTorch's `None`); also the spec of a
  //! non-tensor input.
  static spec_tree none() { return spec_tree(node_kind::none_node); }
  //! @brief A tensor's spec, one entry per dim: `tensor({batch, 784})`.
  static spec_tree tensor(sym::shape_spec dims) {
    spec_tree t(node_kind::leaf_node);
    t.shape_ = std::move(dims);
    return t;
  }
  //! @brief The spec of a `SymInt` input: a `Dim`, a derived dim or a hint
  //! (`Dim::Auto`, `Dim::Dynamic`) makes it a symbol of the program; `Dim::Static` or a
  //! `spec_tree::none()` specializes it to its example value.
  static spec_tree integer(sym::dim_spec dim) { return tensor(sym::shape_spec{std::move(dim)}); }
  //! @brief A tensor's spec by dim index; dims not listed are static:
  //! `dims({{0, batch}})`.
  static spec_tree dims(std::map<std::size_t, sym::dim_spec> by_index) {
    spec_tree t(node_kind::leaf_node);
    t.by_index_ = std::move(by_index);
    return t;
  }
  //! @brief The specs of a tuple's elements (also `std::pair`, and the argument list).
  static spec_tree tuple(std::vector<spec_tree> children) {
    return sequence(node_kind::tuple, std::move(children));
  }
  //! @brief The specs of a list's elements (`std::vector`, `std::array`).
  static spec_tree list(std::vector<spec_tree> children) {
    return sequence(node_kind::list, std::move(children));
  }
  //! @brief The specs of a dict's values, or of a reflected struct's fields, by name.
  static spec_tree dict(std::map<std::string, spec_tree> children) {
    spec_tree t(node_kind::dict);
    for (auto& [key, child] : children) {
      t.keys_.push_back(key);
      t.children_.push_back(std::move(child));
    }
    return t;
  }

  //! @brief Flattens this spec against the inputs' structure `inputs` (with their
  //! example leaves, to know which leaves are tensors and their ranks), giving one
  //! `shape_spec` per tensor leaf, in leaf order.
  //! @throws value_error "Detected mismatch between the structure of `inputs` and
  //! `dynamic_shapes`: `inputs[0]['k']` is a dict, but `dynamic_shapes[0]['k']` is a
  //! tuple", or a dim index outside a tensor's rank.
  sym::dynamic_shapes flatten(tree_spec const& inputs, std::vector<leaf> const& leaves) const {
    std::vector<sym::shape_spec> out;
    std::size_t next_leaf = 0;
    collect(inputs, leaves, next_leaf, "", out);
    return sym::dynamic_shapes(std::move(out));
  }

private:
  explicit spec_tree(node_kind kind) : kind_(kind) {}
  // Tensors and SymInts have entries in the flat spec.
  static bool has_dims(leaf const& l) {
    return std::holds_alternative<Tensor>(l) || std::holds_alternative<SymInt>(l);
  }
  static spec_tree sequence(node_kind kind, std::vector<spec_tree> children) {
    spec_tree t(kind);
    t.children_ = std::move(children);
    return t;
  }

  static std::string describe(node_kind kind) {
    switch (kind) {
    case node_kind::leaf_node:
      return "a tensor spec";
    case node_kind::none_node:
      return "None";
    case node_kind::dict:
    case node_kind::dataclass:
      return "a dict";
    default:
      return "a " + std::string(kind_name(kind));
    }
  }

  [[noreturn]] void mismatch(std::string const& path, std::string const& what) const {
    throw value_error(
        "Detected mismatch between the structure of `inputs` and `dynamic_shapes`: `inputs" + path
        + "` " + what + ", but `dynamic_shapes" + path + "` is " + describe(kind_));
  }

  // Adds the specs of the tensor leaves under `node` (every one static if this is None).
  void collect(tree_spec const& node, std::vector<leaf> const& leaves, std::size_t& next_leaf,
               std::string const& path, std::vector<sym::shape_spec>& out) const {
    if (kind_ == node_kind::none_node) {
      for (std::size_t i = 0; i < node.num_leaves(); ++i)
        if (has_dims(leaves.at(next_leaf++))) out.emplace_back(sym::all_static);
      return;
    }
    switch (node.kind()) {
    case node_kind::leaf_node: {
      leaf const& value = leaves.at(next_leaf++);
      if (!has_dims(value)) {
        throw value_error("`dynamic_shapes" + path + "` gives dims for the "
                          + std::string(kind_name(value)) + " input `inputs" + path
                          + "`; only tensor and SymInt inputs have dims (use spec_tree::none() "
                            "for it, or take a SymInt to make it dynamic)");
      }
      auto const* t = std::get_if<Tensor>(&value);
      if (kind_ != node_kind::leaf_node) mismatch(path, t ? "is a Tensor" : "is a SymInt");
      if (shape_) {
        if (t == nullptr && !shape_->is_all_static() && shape_->size() != 1) {
          throw value_error("`dynamic_shapes" + path + "` gives " + std::to_string(shape_->size())
                            + " dims for the SymInt input `inputs" + path
                            + "`; give one (spec_tree::integer(dim))");
        }
        out.push_back(*shape_);
        return;
      }
      std::vector<sym::dim_spec> dims(t ? static_cast<std::size_t>(t->dim()) : 1,
                                      sym::dim_spec(sym::Dim::Static));
      for (auto const& [index, dim] : by_index_) {
        if (index >= dims.size()) {
          throw value_error("`dynamic_shapes" + path + "` names dim " + std::to_string(index)
                            + ", but `inputs" + path + "` has " + std::to_string(dims.size())
                            + " dims");
        }
        dims[index] = dim;
      }
      out.emplace_back(std::move(dims));
      return;
    }
    case node_kind::none_node:
      if (kind_ != node_kind::none_node) mismatch(path, "is None");
      return;
    case node_kind::tuple:
    case node_kind::list:
      if (kind_ != node.kind()) mismatch(path, "is a " + std::string(kind_name(node.kind())));
      if (children_.size() != node.num_children()) {
        throw value_error(
            "Detected mismatch between the structure of `inputs` and `dynamic_shapes`: `inputs"
            + path + "` has " + std::to_string(node.num_children())
            + " elements, but `dynamic_shapes" + path + "` has " + std::to_string(children_.size())
            + " elements");
      }
      for (std::size_t i = 0; i < children_.size(); ++i)
        children_[i].collect(node.children()[i], leaves, next_leaf,
                             path + "[" + std::to_string(i) + "]", out);
      return;
    case node_kind::dict:
    case node_kind::dataclass: {
      if (kind_ != node_kind::dict) mismatch(path, "is a dict");
      for (std::size_t i = 0; i < node.num_children(); ++i) {
        std::string const& key = node.keys()[i];
        std::string const child_path =
            path + (node.kind() == node_kind::dict ? "['" + key + "']" : "." + key);
        std::size_t k = 0;
        while (k < keys_.size() && keys_[k] != key)
          ++k;
        if (k == keys_.size()) {
          throw value_error(
              "Detected mismatch between the structure of `inputs` and `dynamic_shapes`: `inputs"
              + child_path + "` has no entry in `dynamic_shapes" + path + "`");
        }
        children_[k].collect(node.children()[i], leaves, next_leaf, child_path, out);
      }
      if (keys_.size() != node.num_children()) {
        throw value_error("Detected mismatch between the structure of `inputs` and "
                          "`dynamic_shapes`: `dynamic_shapes"
                          + path + "` has keys the inputs do not have");
      }
      return;
    }
    }
  }

  node_kind kind_;
  std::optional<sym::shape_spec> shape_;
  std::map<std::size_t, sym::dim_spec> by_index_;
  std::vector<std::string> keys_;
  std::vector<spec_tree> children_;
};

} // namespace xport
