//! @file
//! Which C++ types are pytrees (`is_pytree_v`), the names reflected structs record
//! (`dataclass_name`), and `flat_tree`, the result of flattening.
#pragma once

#include <xport/core/error.hpp>
#include <xport/core/tensor.hpp>
#include <xport/trace/leaf.hpp>
#include <xport/trace/tree_spec.hpp>
#include <xport/trace/tree_value.hpp>

#include <boost/hana/accessors.hpp>
#include <boost/hana/concept/struct.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/second.hpp>
#include <boost/hana/string.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/unpack.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace xport {

namespace detail {

// The type's name as the compiler spells it, read from the function signature at compile
// time ("geo::Point"). Spellings differ between compilers for templates and unnamed
// namespaces; `dataclass_name` is the customization point where that matters.
template <class T>
constexpr std::string_view type_name() {
#if defined(__clang__)
  std::string_view const text = __PRETTY_FUNCTION__;
  std::string_view const open = "[T = ";
#elif defined(__GNUC__)
  std::string_view const text = __PRETTY_FUNCTION__;
  std::string_view const open = "[with T = ";
#else
  std::string_view const text = __FUNCSIG__;
  std::string_view const open = "type_name<";
#endif
  std::size_t const begin = text.find(open) + open.size();
  std::size_t end = begin;
  int depth = 0;
  for (; end < text.size(); ++end) {
    char const c = text[end];
    if (c == '<' || c == '(' || c == '[') ++depth;
    if (c == '>' || c == ')' || c == ']') {
      if (depth == 0) break;
      --depth;
    }
    if (c == ';' && depth == 0) break;
  }
#if !defined(__clang__) && !defined(__GNUC__)
  --end; // MSVC: "type_name<geo::Point>(void)" ends the name at the closing '>'
#endif
  return text.substr(begin, end - begin);
}

template <class T>
concept hana_struct = boost::hana::Struct<T>::value;

} // namespace detail

//! @brief The type name a reflected struct's spec records and prints (PyTorch's
//! `serialized_type_name`): by default the qualified name the compiler gives,
//! `"geo::Point"`.
//!
//! Specialize it for a stable name across compilers, for example when specs are saved:
//! `template <> inline constexpr std::string_view xport::dataclass_name<geo::Point> =
//! "geo.Point";`
template <class T>
inline constexpr std::string_view dataclass_name = detail::type_name<T>();

namespace detail {

// Which part of a type is not a pytree: void when every part is. Naming the innermost
// offending type lets the static_assert's instantiation context show it.
template <class T>
struct first_unsupported {
  using type = T;
};

template <class T>
concept integer_leaf =
    std::integral<T> && !std::same_as<
        T,
        bool> && !std::same_as<T, char> && !std::same_as<T, wchar_t> && !std::same_as<T, char8_t> && !std::same_as<T, char16_t> && !std::same_as<T, char32_t>;

template <class T>
concept scalar_leaf = integer_leaf<T> || std::floating_point<T> || std::same_as<
    T, bool> || std::same_as<T, std::string> || std::same_as<T, Tensor> || std::same_as<T, SymInt>;

template <class T>
concept dynamic_tree =
    std::same_as<T, leaf> || std::same_as<T, tree_value> || std::same_as<T, none_t>;

template <class... Ts>
struct first_void_or {
  using type = void;
};
template <class T, class... Ts>
struct first_void_or<T, Ts...> {
  using head = typename first_unsupported<T>::type;
  using type = std::conditional_t<std::is_void_v<head>, typename first_void_or<Ts...>::type, head>;
};

template <class T>
requires scalar_leaf<T> || dynamic_tree<T>
struct first_unsupported<T> {
  using type = void;
};
template <class T>
struct first_unsupported<T const> : first_unsupported<T> {};
template <class T>
struct first_unsupported<std::vector<T>> : first_unsupported<T> {};
template <class T, std::size_t N>
struct first_unsupported<std::array<T, N>> : first_unsupported<T> {};
template <class T>
struct first_unsupported<std::optional<T>> : first_unsupported<T> {};
template <class T>
struct first_unsupported<std::map<std::string, T>> : first_unsupported<T> {};
template <class... Ts>
struct first_unsupported<std::tuple<Ts...>> : first_void_or<Ts...> {};
template <class A, class B>
struct first_unsupported<std::pair<A, B>> : first_void_or<A, B> {};

template <class T, class Accessor>
using member_t = std::remove_cvref_t<decltype(boost::hana::second(std::declval<Accessor>())(
    std::declval<T const&>()))>;

template <class T, class Accessors>
struct first_unsupported_field;
template <class T, class... Accessors>
struct first_unsupported_field<T, boost::hana::tuple<Accessors...>>
    : first_void_or<member_t<T, Accessors>...> {};

template <class T>
requires hana_struct<T> &&(!scalar_leaf<T>)&&(!dynamic_tree<T>)struct first_unsupported<T>
    : first_unsupported_field<T, std::remove_cvref_t<decltype(boost::hana::accessors<T>())>> {
};

} // namespace detail

//! @brief Whether `T` is a pytree: a leaf type (`Tensor`, an integer type other than the
//! character types, `float`/`double`/`long double`, `bool`, `std::string`), `xport::leaf`,
//! `xport::none_t`, `xport::tree_value`, or `std::tuple`, `std::pair`, `std::array`,
//! `std::vector`, `std::optional`, `std::map<std::string, V>` or a Boost.Hana-reflected
//! struct (`BOOST_HANA_DEFINE_STRUCT` / `BOOST_HANA_ADAPT_STRUCT`) of pytrees.
template <class T>
inline constexpr bool is_pytree_v = std::is_void_v<typename detail::first_unsupported<T>::type>;

//! @brief The leaves of a value in PyTorch's order and its structure.
struct flat_tree {
  std::vector<leaf> leaves; //!< depth-first, children in order (see `flatten`)
  tree_spec spec;           //!< the structure
};

} // namespace xport
