//! @file
//! `StateDict` (an ordered map from dotted names to tensors), the result of
//! `load_state_dict` and the error it raises.
#pragma once

#include <xport/core/error.hpp>
#include <xport/core/tensor.hpp>

#include <cstddef>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xport {

//! @brief Dotted names to tensors, in insertion order (PyTorch's `OrderedDict` returned
//! by `state_dict()`): `{"fc1.weight": ..., "fc1.bias": ..., "fc2.weight": ...}`.
//!
//! The tensors are handles: a state dict from `Module::state_dict()` shares data with the
//! module, as in PyTorch; `clone()` the entries to keep a snapshot.
class StateDict {
public:
  //! @brief One entry: the dotted name and the tensor.
  using value_type = std::pair<std::string, Tensor>;
  //! @brief Iterates the entries in insertion order.
  using const_iterator = std::vector<value_type>::const_iterator;

  //! @brief An empty state dict.
  StateDict() = default;

  //! @brief The given entries, in order.
  //! @throws value_error when a name repeats.
  StateDict(std::initializer_list<value_type> entries) {
    for (auto const& [name, tensor] : entries)
      insert(name, tensor);
  }

  //! @brief Appends an entry.
  //! @throws value_error when `name` is already present (use `insert_or_assign`).
  void insert(std::string name, Tensor tensor) {
    if (contains(name)) throw value_error("state dict already has an entry \"" + name + "\"");
    insert_or_assign(std::move(name), std::move(tensor));
  }

  //! @brief Replaces the tensor of `name`, or appends the entry when `name` is new.
  void insert_or_assign(std::string name, Tensor tensor) {
    if (auto found = index_.find(name); found != index_.end()) {
      entries_[found->second].second = std::move(tensor);
      return;
    }
    index_.emplace(name, entries_.size());
    entries_.emplace_back(std::move(name), std::move(tensor));
  }

  //! @brief Removes the entry `name`; returns whether there was one.
  bool erase(std::string_view name) {
    auto found = index_.find(name);
    if (found == index_.end()) return false;
    std::size_t const position = found->second;
    index_.erase(found);
    entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(position));
    for (auto& [key, index] : index_)
      if (index > position) --index;
    return true;
  }

  //! @brief True when there is an entry `name`.
  bool contains(std::string_view name) const { return index_.find(name) != index_.end(); }

  //! @brief The tensor of `name`, or null when there is none.
  Tensor const* find(std::string_view name) const {
    auto found = index_.find(name);
    return found == index_.end() ? nullptr : &entries_[found->second].second;
  }

  //! @brief The tensor of `name`.
  //! @throws value_error when there is no such entry.
  Tensor const& at(std::string_view name) const {
    if (Tensor const* tensor = find(name)) return *tensor;
    throw value_error("state dict has no entry \"" + std::string(name) + "\"");
  }

  //! @brief The names, in order.
  std::vector<std::string> keys() const {
    std::vector<std::string> names;
    names.reserve(entries_.size());
    for (auto const& [name, tensor] : entries_)
      names.push_back(name);
    return names;
  }

  //! @brief The number of entries.
  std::size_t size() const noexcept { return entries_.size(); }
  //! @brief True when there are no entries.
  bool empty() const noexcept { return entries_.empty(); }
  //! @brief The first entry.
  const_iterator begin() const noexcept { return entries_.begin(); }
  //! @brief Past the last entry.
  const_iterator end() const noexcept { return entries_.end(); }

private:
  std::vector<value_type> entries_;
  std::map<std::string, std::size_t, std::less<>> index_;
};

//! @brief What a non-strict `load_state_dict` left out (PyTorch's `_IncompatibleKeys`):
//! the module's entries the state dict lacked, and the state dict's entries the module
//! does not have. Both are empty after a strict load.
struct load_result {
  std::vector<std::string> missing_keys;    //!< in the module, not in the state dict
  std::vector<std::string> unexpected_keys; //!< in the state dict, not in the module
};

//! @brief `load_state_dict` refused a state dict. The message is PyTorch's:
//! @code{.txt}
//! Error(s) in loading state_dict for MLP:
//!     Missing key(s) in state_dict: "fc2.weight", "fc2.bias".
//!     Unexpected key(s) in state_dict: "fc3.weight".
//!     size mismatch for fc1.weight: copying a param with shape [10, 5] from checkpoint, the shape
//!     in current model is [10, 4].
//! @endcode
//! and the keys are also available one by one.
//!
//! It is a `value_error`: the state dict is an argument whose *contents* do not fit the
//! module, and one load can fail for missing names and wrong shapes at once, so a single
//! kind reports all of them (as PyTorch's single `RuntimeError` does).
class state_dict_error : public value_error {
public:
  //! @brief An error with the full message and the offending keys.
  state_dict_error(std::string const& message, load_result keys,
                   std::vector<std::string> mismatched_keys)
      : value_error(message), keys_(std::move(keys)), mismatched_(std::move(mismatched_keys)) {}

  //! @brief Entries of the module that the state dict lacks (reported only when strict).
  std::vector<std::string> const& missing_keys() const noexcept { return keys_.missing_keys; }
  //! @brief Entries of the state dict the module does not have (reported only when strict).
  std::vector<std::string> const& unexpected_keys() const noexcept { return keys_.unexpected_keys; }
  //! @brief Entries whose shape differs between the state dict and the module (always
  //! reported, strict or not).
  std::vector<std::string> const& mismatched_keys() const noexcept { return mismatched_; }

private:
  load_result keys_;
  std::vector<std::string> mismatched_;
};

} // namespace xport
