//! @file
//! `Module<Derived>`: the CRTP base of every module. It finds parameters, buffers and
//! sub-modules by Boost.Hana reflection and gives dotted names, `state_dict`,
//! `load_state_dict`, train/eval mode, `to()`, and the call path that tracing records.
#pragma once

#include <xport/core/device.hpp>
#include <xport/core/dtype.hpp>
#include <xport/core/error.hpp>
#include <xport/core/tensor.hpp>
#include <xport/nn/detail/reflect.hpp>
#include <xport/nn/module_stack.hpp>
#include <xport/nn/parameter.hpp>
#include <xport/nn/state_dict.hpp>
#include <xport/nn/type_name.hpp>

#include <boost/hana/adapt_struct.hpp>
#include <boost/hana/define_struct.hpp>

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace xport {

namespace detail {
struct module_access;
} // namespace detail

//! @brief The part of every module that does not depend on its type: the training flag.
//! `named_modules()` hands out sub-modules as `module_base` because they differ in type.
class module_base {
public:
  //! @brief True in training mode (the default), false after `eval()`; modules such as
  //! dropout and batch norm read it in `forward`.
  bool is_training() const noexcept { return training_; }

private:
  friend struct detail::module_access;
  bool training_ = true;
};

//! @brief A dotted tensor name and the tensor, as listed by `named_parameters()`,
//! `named_buffers()` and `named_constants()`.
using named_tensor = std::pair<std::string, Tensor>;

//! @brief One module of a tree as listed by `named_modules()`: its dotted name (`""` for
//! the root), its type name and the module itself.
struct module_entry {
  std::string name;          //!< dotted path from the module `named_modules` was called on
  std::string_view type;     //!< `xport::type_name` of the module's type
  module_base const* module; //!< the module (never null)
};

namespace detail {

struct module_access {
  static void set_training(module_base& module, bool mode) noexcept { module.training_ = mode; }
};

// A set of tensor roles.
using role_set = unsigned;
constexpr role_set roles(std::initializer_list<tensor_role> members) noexcept {
  role_set set = 0;
  for (tensor_role const role : members)
    set |= 1u << static_cast<unsigned>(role);
  return set;
}

// Visits every defined tensor member of a module tree in PyTorch's order: a module's own
// tensors group by group (a group is a role set; within a group, declaration order), then
// each sub-module recursively. f(full_name, tensor_member&, role).
template <class Self, class F>
void walk_tensors(Self& self, std::string const& prefix, std::initializer_list<role_set> groups,
                  F& f) {
  for (role_set const group : groups) {
    for_each_child(self, [&](name_part const& part, auto& member) {
      using M = member_type<decltype(member)>;
      if constexpr (tensor_member<M>::value) {
        constexpr tensor_role role = tensor_member<M>::role;
        if ((group & roles({role})) != 0 && member.defined()) f(render(prefix, part), member, role);
      }
    });
  }
  for_each_child(self, [&](name_part const& part, auto& member) {
    using M = member_type<decltype(member)>;
    if constexpr (is_module_v<M>) walk_tensors(member, render(prefix, part), groups, f);
  });
}

// Visits every module of a tree, root first, depth first. f(full_name, module&).
template <class Self, class F>
void walk_modules(Self& self, std::string const& name, F& f) {
  f(name, self);
  for_each_child(self, [&](name_part const& part, auto& member) {
    using M = member_type<decltype(member)>;
    if constexpr (is_module_v<M>) walk_modules(member, render(name, part), f);
  });
}

// Remembers tensors by identity (`Tensor::is_same`), bucketed by storage address so that
// a model with thousands of tensors is not a quadratic scan.
class tensor_identity_map {
public:
  // The slot of `t` when it was seen before; otherwise remembers it under `slot`.
  std::optional<std::size_t> find_or_insert(Tensor const& t, std::size_t slot) {
    auto [first, last] = buckets_.equal_range(t.storage().data());
    for (auto it = first; it != last; ++it)
      if (it->second.first.is_same(t)) return it->second.second;
    buckets_.emplace(t.storage().data(), std::pair<Tensor, std::size_t>(t, slot));
    return std::nullopt;
  }

private:
  std::unordered_multimap<void const*, std::pair<Tensor, std::size_t>> buckets_;
};

// Searches the sub-modules below `module` (of type D) for the object at `target` of type
// `target_type`: direct children first, then each child's subtree, so the common case (a
// parent calling its own member) costs one pass over the parent's members.
template <class D>
bool find_descendant(void const* module, void const* target, void const* target_type,
                     std::string& path) {
  D const& self = *static_cast<D const*>(module);
  bool found = false;
  for_each_member(self, [&](name_part const& part, auto const& member) {
    if (!found) found = find_leaf(member, part, target, target_type, path);
  });
  if (found) return true;
  for_each_child(self, [&](name_part const& part, auto const& member) {
    using M = member_type<decltype(member)>;
    if constexpr (is_module_v<M>) {
      std::string inner;
      if (!found && find_descendant<M>(std::addressof(member), target, target_type, inner)) {
        path = join_path(render({}, part), inner);
        found = true;
      }
    }
  });
  return found;
}

template <class>
inline constexpr bool always_false = false;

inline std::string quoted_list(std::vector<std::string> const& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += '"' + names[i] + '"';
  }
  return out;
}

} // namespace detail

//! @brief The CRTP base of a module: derive `struct M : xport::Module<M>`, give it a
//! `forward`, and list its members for Boost.Hana.
//!
//! @code
//! struct Block : xport::Module<Block> {
//!   xport::Parameter weight = xport::ones({4, 4});
//!   xport::Buffer steps = xport::zeros({1}, {.dtype = xport::dtype::int64});
//!   xport::Tensor forward(xport::Tensor const& x) const { return x.view({-1}); }
//! };
//! BOOST_HANA_ADAPT_STRUCT(Block, weight, steps);
//!
//! struct Model : xport::Module<Model> {
//!   std::vector<Block> layers = std::vector<Block>(3);
//!   xport::Tensor forward(xport::Tensor x) const {
//!     for (auto const& layer : layers) x = layer(x);
//!     return x;
//!   }
//! };
//! BOOST_HANA_ADAPT_STRUCT(Model, layers);
//! // Model{}.state_dict().keys() == {"layers.0.weight", "layers.0.steps", "layers.1.weight", ...}
//! @endcode
//!
//! **Members.** Reflection visits the members listed in `BOOST_HANA_ADAPT_STRUCT` (outside
//! the struct) or declared with `BOOST_HANA_DEFINE_STRUCT` (inside), in that order, and
//! classifies each by type: `Parameter`, `Buffer`, `NonPersistentBuffer` and plain
//! `Tensor` (a constant) by their `tensor_role`; modules (anything deriving from
//! `Module<T>`) as sub-modules; `std::vector`, `std::array` (elements named `.0`, `.1`,
//! ...), `std::map<std::string, T>` (elements named by key), `std::optional`,
//! `std::shared_ptr` and `std::unique_ptr` (the pointee under the member's own name; absent
//! when empty) of any of these. Every other listed member (sizes, flags) is ignored. A
//! module without Hana reflection has no members (fine for stateless modules such as an
//! activation). Undefined tensors are skipped, like PyTorch's `bias=None`.
//!
//! **Calls.** Call a module as `m(args...)`, not `m.forward(args...)`: `operator()` pushes a
//! frame {dotted path, type name} on this thread's module stack
//! (`current_module_stack()`), calls `Derived::forward` and pops the frame, also when
//! `forward` throws. The path is found by reflection at call time, so users never write
//! names and copies or moves of modules cannot carry stale ones.
//!
//! **Sharing.** Like `Tensor`, copying a module copies tensor handles: the copy shares its
//! weights with the original (so `std::vector<Block>(3, Block{})` holds three views of one
//! block, while `std::vector<Block>(3)` holds three blocks). Use `clone()` for an
//! independent copy. A tensor reachable under two names (tied weights:
//! `head.weight = embedding.weight;`) is listed once by `named_parameters()` and
//! `named_buffers()`, under its first name, and under every name by `state_dict()`, as in
//! PyTorch.
//!
//! @tparam Derived the module type itself (CRTP); its `forward` must be public.
template <class Derived>
class Module : public module_base {
public:
  //! @brief Calls `forward(args...)` inside a module-stack frame for this module.
  //! @throws whatever `forward` throws (the frame is popped first).
  template <class... Args>
  decltype(auto) operator()(Args&&... args) {
    return call(derived(), std::forward<Args>(args)...);
  }

  //! @brief Calls a `const` `forward(args...)` inside a module-stack frame.
  template <class... Args>
  decltype(auto) operator()(Args&&... args) const {
    return call(derived(), std::forward<Args>(args)...);
  }

  //! @name Reflection
  //! @{

  //! @brief Every parameter of the tree with its dotted name: a module's own parameters,
  //! then its sub-modules' recursively (PyTorch's order). With `remove_duplicate`, a
  //! tensor reachable under several names is listed once, under the first.
  std::vector<named_tensor> named_parameters(bool remove_duplicate = true) const {
    return collect(detail::roles({tensor_role::parameter}), remove_duplicate);
  }

  //! @brief The tensors of `named_parameters()`, without names.
  std::vector<Tensor> parameters(bool remove_duplicate = true) const {
    return tensors_of(named_parameters(remove_duplicate));
  }

  //! @brief Every buffer of the tree, persistent or not, with its dotted name; order and
  //! duplicates as in `named_parameters()`.
  std::vector<named_tensor> named_buffers(bool remove_duplicate = true) const {
    return collect(detail::roles({tensor_role::buffer, tensor_role::non_persistent_buffer}),
                   remove_duplicate);
  }

  //! @brief The tensors of `named_buffers()`, without names.
  std::vector<Tensor> buffers(bool remove_duplicate = true) const {
    return tensors_of(named_buffers(remove_duplicate));
  }

  //! @brief The plain `Tensor` members of the tree (neither parameter nor buffer), which
  //! export lifts as constants; order and duplicates as in `named_parameters()`.
  std::vector<named_tensor> named_constants(bool remove_duplicate = true) const {
    return collect(detail::roles({tensor_role::constant}), remove_duplicate);
  }

  //! @brief Every module of the tree, this one first (named `""`), depth first in member
  //! order. With `remove_duplicate`, a module reachable twice (a shared `std::shared_ptr`)
  //! is listed once.
  std::vector<module_entry> named_modules(bool remove_duplicate = true) const {
    std::vector<module_entry> out;
    std::set<std::pair<void const*, void const*>> seen;
    auto visit = [&]<class M>(std::string const& name, M const& module) {
      if (remove_duplicate && !seen.emplace(std::addressof(module), detail::type_id<M>()).second)
        return;
      out.push_back(module_entry{name, type_name<M>(), &module});
    };
    detail::walk_modules(derived(), std::string(), visit);
    return out;
  }

  //! @}

  //! @name State dict
  //! @{

  //! @brief Parameters and persistent buffers by dotted name, in PyTorch's order (for each
  //! module: its parameters, its buffers, then its sub-modules). Tied tensors appear under
  //! every name. The entries share data with the module.
  StateDict state_dict() const {
    StateDict out;
    auto visit = [&](std::string name, Tensor const& tensor, tensor_role) {
      out.insert_or_assign(std::move(name), tensor);
    };
    detail::walk_tensors(
        derived(), std::string(),
        {detail::roles({tensor_role::parameter}), detail::roles({tensor_role::buffer})}, visit);
    return out;
  }

  //! @brief Copies the entries of `state_dict` into this module's parameters and persistent
  //! buffers (`Tensor::copy_`, converting dtype and device), so tensor handles held
  //! elsewhere stay valid and see the new values.
  //!
  //! All checks run before anything is copied: a refused load changes nothing.
  //! @param state_dict the entries to load, by dotted name (as `state_dict()` names them)
  //! @param strict when true, a module entry missing from `state_dict` or an entry of
  //! `state_dict` the module does not have is an error; when false they are returned.
  //! @returns the missing and unexpected keys (both empty when `strict`).
  //! @throws state_dict_error (a `value_error`) with PyTorch's message ("Error(s) in loading
  //! state_dict for M:", "Missing key(s) in state_dict: ...", "Unexpected key(s) in
  //! state_dict: ...", "size mismatch for fc1.weight: copying a param with shape [10, 5]
  //! from checkpoint, the shape in current model is [10, 4].") when, strict, keys are
  //! missing or unexpected, or, strict or not, a shape differs or an entry is undefined.
  load_result load_state_dict(StateDict const& state_dict, bool strict = true) {
    StateDict const own = this->state_dict();
    load_result keys;
    std::vector<std::string> mismatched;
    std::vector<std::string> mismatch_messages;
    std::vector<std::pair<Tensor, Tensor>> copies;
    for (auto const& [name, tensor] : own) {
      Tensor const* source = state_dict.find(name);
      if (source == nullptr) {
        keys.missing_keys.push_back(name);
      } else if (!source->defined()) {
        mismatched.push_back(name);
        mismatch_messages.push_back("undefined tensor for " + name + " in state_dict.");
      } else if (!std::ranges::equal(source->sizes(), tensor.sizes())) {
        mismatched.push_back(name);
        mismatch_messages.push_back("size mismatch for " + name + ": copying a param with shape "
                                    + format_sizes(source->sizes())
                                    + " from checkpoint, the shape in current model is "
                                    + format_sizes(tensor.sizes()) + ".");
      } else {
        copies.emplace_back(tensor, *source);
      }
    }
    for (auto const& [name, tensor] : state_dict)
      if (!own.contains(name)) keys.unexpected_keys.push_back(name);

    std::vector<std::string> errors;
    if (strict && !keys.missing_keys.empty())
      errors.push_back("Missing key(s) in state_dict: " + detail::quoted_list(keys.missing_keys)
                       + ".");
    if (strict && !keys.unexpected_keys.empty())
      errors.push_back(
          "Unexpected key(s) in state_dict: " + detail::quoted_list(keys.unexpected_keys) + ".");
    errors.insert(errors.end(), mismatch_messages.begin(), mismatch_messages.end());
    if (!errors.empty()) {
      std::string message =
          "Error(s) in loading state_dict for " + std::string(type_name<Derived>()) + ":";
      for (auto const& error : errors)
        message += "\n\t" + error;
      if (!strict) keys = {};
      throw state_dict_error(message, std::move(keys), std::move(mismatched));
    }
    for (auto const& [destination, source] : copies)
      destination.copy_(source);
    return keys;
  }

  //! @}

  //! @name Mode and placement
  //! @{

  //! @brief Sets training mode (`mode == true`) or evaluation mode on this module and
  //! every sub-module; returns this module.
  Derived& train(bool mode = true) {
    auto visit = [mode](std::string const&, module_base& module) {
      detail::module_access::set_training(module, mode);
    };
    detail::walk_modules(derived(), std::string(), visit);
    return derived();
  }

  //! @brief `train(false)`.
  Derived& eval() { return train(false); }

  //! @brief Converts the floating-point parameters and buffers to `type`, in place (the
  //! members get the converted tensors); integer and bool tensors, such as a step counter,
  //! keep their dtype, as in PyTorch. Tied tensors stay tied.
  //! @pre `type` is a floating-point dtype.
  //! @throws dtype_error when `type` is not floating point.
  Derived& to(xport::dtype type) {
    if (!is_floating_point(type))
      throw dtype_error("Module.to only accepts floating point dtypes, but got desired dtype="
                        + torch_name(type));
    transform(false,
              [type](Tensor const& t) { return is_floating_point(t.dtype()) ? t.to(type) : t; });
    return derived();
  }

  //! @brief Moves the parameters and buffers to `device`, in place; tied tensors stay
  //! tied. Either every tensor moves or, when one cannot, none does.
  //! @throws device_error when the device is unavailable.
  Derived& to(Device device) {
    transform(false, [device](Tensor const& t) { return t.to(device); });
    return derived();
  }

  //! @brief An independent copy: the module copied, then every reflected tensor (constants
  //! included) cloned, with ties inside the module preserved.
  Derived clone() const {
    Derived copy = derived();
    static_cast<Module&>(copy).transform(true, [](Tensor const& t) { return t.clone(); });
    return copy;
  }

  //! @}

private:
  Derived& derived() noexcept { return static_cast<Derived&>(*this); }
  Derived const& derived() const noexcept { return static_cast<Derived const&>(*this); }

  template <class Self, class... Args>
  static decltype(auto) call(Self& self, Args&&... args) {
    if constexpr (requires { self.forward(std::forward<Args>(args)...); }) {
      void const* address = std::addressof(self);
      detail::module_call_scope scope(detail::module_anchor{address, detail::type_id<Derived>(),
                                                            &detail::find_descendant<Derived>},
                                      type_name<Derived>());
      return self.forward(std::forward<Args>(args)...);
    } else {
      static_assert(detail::always_false<Self>,
                    "xport::Module: the module has no public forward() accepting these "
                    "arguments (a const module needs a const forward)");
    }
  }

  std::vector<named_tensor> collect(detail::role_set roles, bool remove_duplicate) const {
    std::vector<named_tensor> out;
    detail::tensor_identity_map seen;
    auto visit = [&](std::string name, Tensor const& tensor, tensor_role) {
      if (remove_duplicate && seen.find_or_insert(tensor, out.size())) return;
      out.emplace_back(std::move(name), tensor);
    };
    detail::walk_tensors(derived(), std::string(), {roles}, visit);
    return out;
  }

  static std::vector<Tensor> tensors_of(std::vector<named_tensor> const& named) {
    std::vector<Tensor> out;
    out.reserve(named.size());
    for (auto const& [name, tensor] : named)
      out.push_back(tensor);
    return out;
  }

  // Replaces every parameter and buffer (and constant, with `constants`) by fn(tensor),
  // mapping a tensor reached twice to one result so ties survive. All results are computed
  // before any member changes, so a throwing fn leaves the module as it was.
  template <class Fn>
  void transform(bool constants, Fn fn) {
    std::vector<Tensor*> members;
    std::vector<std::size_t> result_of;
    std::vector<Tensor> results;
    detail::tensor_identity_map seen;
    auto visit = [&](std::string const&, Tensor& member, tensor_role) {
      members.push_back(&member);
      if (auto slot = seen.find_or_insert(member, results.size())) {
        result_of.push_back(*slot);
      } else {
        result_of.push_back(results.size());
        results.push_back(fn(static_cast<Tensor const&>(member)));
      }
    };
    detail::role_set group = detail::roles(
        {tensor_role::parameter, tensor_role::buffer, tensor_role::non_persistent_buffer});
    if (constants) group |= detail::roles({tensor_role::constant});
    detail::walk_tensors(derived(), std::string(), {group}, visit);
    for (std::size_t i = 0; i < members.size(); ++i)
      *members[i] = results[result_of[i]];
  }

  template <class>
  friend class Module;
};

} // namespace xport
