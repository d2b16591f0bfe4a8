//! @file
//! Reflection of module members: which members are tensors or sub-modules, how containers
//! of them are named, and the visit that every module operation is built on.
#pragma once

#include <xport/nn/parameter.hpp>

#include <boost/hana/accessors.hpp>
#include <boost/hana/concept/struct.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/second.hpp>
#include <boost/hana/string.hpp>

#include <array>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace xport {

class module_base;

namespace detail {

template <class T>
inline constexpr bool is_module_v = std::is_base_of_v<module_base, T>;

// The address of type_tag<T> identifies T (together with an object's address it tells a
// module apart from its first member, which may share the address).
template <class T>
inline constexpr char type_tag = 0;
template <class T>
constexpr void const* type_id() noexcept {
  return &type_tag<T>;
}

// One segment of a member's dotted name, chained to its parent on the stack so that a
// visit builds no string unless a visitor asks for one.
struct name_part {
  name_part const* parent;
  std::string_view text;
  std::size_t index;
  bool is_index;

  static name_part field(std::string_view text) noexcept { return {nullptr, text, 0, false}; }
  static name_part position(std::size_t index) noexcept { return {nullptr, {}, index, true}; }
  static name_part element(name_part const& parent, std::size_t index) noexcept {
    return {&parent, {}, index, true};
  }
  static name_part key(name_part const& parent, std::string_view text) noexcept {
    return {&parent, text, 0, false};
  }
};

inline void append_name(std::string& out, name_part const& part) {
  if (part.parent) {
    append_name(out, *part.parent);
    out += '.';
  }
  if (part.is_index)
    out += std::to_string(part.index);
  else
    out += part.text;
}

// "prefix.part" (or "part" at the root).
inline std::string render(std::string_view prefix, name_part const& part) {
  std::string out(prefix);
  if (!out.empty()) out += '.';
  append_name(out, part);
  return out;
}

// Containers whose elements are named by position (`layers.0`), by key (`heads.q`), or
// which hold zero or one element under their own name (optional, pointers).
template <class T>
struct container_traits {
  static constexpr bool indexed = false, keyed = false, indirect = false;
};
template <class T, class A>
struct container_traits<std::vector<T, A>> {
  using element = T;
  static constexpr bool indexed = true, keyed = false, indirect = false;
};
template <class T, std::size_t N>
struct container_traits<std::array<T, N>> {
  using element = T;
  static constexpr bool indexed = true, keyed = false, indirect = false;
};
template <class T, class C, class A>
struct container_traits<std::map<std::string, T, C, A>> {
  using element = T;
  static constexpr bool indexed = false, keyed = true, indirect = false;
};
template <class T>
struct container_traits<std::optional<T>> {
  using element = T;
  static constexpr bool indexed = false, keyed = false, indirect = true;
};
template <class T>
struct container_traits<std::shared_ptr<T>> {
  using element = T;
  static constexpr bool indexed = false, keyed = false, indirect = true;
};
template <class T, class D>
struct container_traits<std::unique_ptr<T, D>> {
  using element = T;
  static constexpr bool indexed = false, keyed = false, indirect = true;
};

template <class T>
constexpr bool reflectable() {
  using traits = container_traits<T>;
  if constexpr (tensor_member<T>::value || is_module_v<T>)
    return true;
  else if constexpr (traits::indexed || traits::keyed || traits::indirect)
    return reflectable<std::remove_const_t<typename traits::element>>();
  else
    return false;
}

// Modules that are not Hana structs name their members through this trait (Sequential).
template <class T>
struct custom_members {
  static constexpr bool enabled = false;
};

// Calls f(name, leaf) for every tensor member and direct sub-module inside `member`,
// looking through containers; other members (sizes, flags, options) are not reflected.
template <class M, class F>
void expand(M& member, name_part const& name, F& f) {
  using T = std::remove_const_t<M>;
  using traits = container_traits<T>;
  if constexpr (!reflectable<T>()) {
    return;
  } else if constexpr (tensor_member<T>::value || is_module_v<T>) {
    f(name, member);
  } else if constexpr (traits::indexed) {
    std::size_t index = 0;
    for (auto& element : member)
      expand(element, name_part::element(name, index++), f);
  } else if constexpr (traits::keyed) {
    for (auto& [key, element] : member)
      expand(element, name_part::key(name, key), f);
  } else {
    if (member) expand(*member, name, f);
  }
}

// The reflected members of a module as declared (a container is one member), in
// declaration order: f(name, member).
template <class Self, class F>
void for_each_member(Self& self, F&& f) {
  using D = std::remove_const_t<Self>;
  if constexpr (custom_members<D>::enabled) {
    custom_members<D>::for_each(self, f);
  } else if constexpr (boost::hana::Struct<D>::value) {
    boost::hana::for_each(boost::hana::accessors<D>(), [&](auto const& pair) {
      auto const name = name_part::field(boost::hana::to<char const*>(boost::hana::first(pair)));
      f(name, boost::hana::second(pair)(self));
    });
  }
}

// The direct tensors and sub-modules of a module (containers looked through), in
// declaration order: f(name, leaf).
template <class Self, class F>
void for_each_child(Self& self, F&& f) {
  for_each_member(self, [&](name_part const& name, auto& member) { expand(member, name, f); });
}

// Whether the module at `target` with type tag `type` is a leaf of `member`; if so, writes
// its name. Contiguous containers of modules are searched by address arithmetic, so a
// parent finds the child it calls in time independent of the container's length.
template <class M>
bool find_leaf(M& member, name_part const& name, void const* target, void const* type,
               std::string& path) {
  using T = std::remove_const_t<M>;
  using traits = container_traits<T>;
  if constexpr (!reflectable<T>() || tensor_member<T>::value) {
    return false;
  } else if constexpr (is_module_v<T>) {
    if (static_cast<void const*>(std::addressof(member)) != target || type_id<T>() != type)
      return false;
    path = render({}, name);
    return true;
  } else if constexpr (traits::indexed
                       && is_module_v<std::remove_const_t<typename traits::element>>) {
    using E = std::remove_const_t<typename traits::element>;
    if (type_id<E>() != type || member.empty()) return false;
    E const* const first = std::addressof(member[0]);
    E const* const wanted = static_cast<E const*>(target);
    if (std::less<>{}(wanted, first) || !std::less<>{}(wanted, first + member.size())) return false;
    path = render({}, name_part::element(name, static_cast<std::size_t>(wanted - first)));
    return true;
  } else if constexpr (traits::indexed) {
    std::size_t index = 0;
    for (auto& element : member)
      if (find_leaf(element, name_part::element(name, index++), target, type, path)) return true;
    return false;
  } else if constexpr (traits::keyed) {
    for (auto& [key, element] : member)
      if (find_leaf(element, name_part::key(name, key), target, type, path)) return true;
    return false;
  } else {
    return member && find_leaf(*member, name, target, type, path);
  }
}

template <class T>
using member_type = std::remove_const_t<std::remove_reference_t<T>>;

} // namespace detail

} // namespace xport
