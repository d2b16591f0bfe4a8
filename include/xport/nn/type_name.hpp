//! @file
//! `type_name<T>()`: the qualified C++ name of a type as a compile-time string.
#pragma once

#include <string_view>

namespace xport {

namespace detail {

// The compiler spells the template argument inside the function's signature. Where it
// sits is learned once from a probe type, so no compiler-specific text is hard-coded.
template <class T>
constexpr std::string_view raw_type_name() noexcept {
#if defined(__clang__) || defined(__GNUC__)
  return __PRETTY_FUNCTION__;
#elif defined(_MSC_VER)
  return __FUNCSIG__;
#else
#error "xport::type_name needs __PRETTY_FUNCTION__ or __FUNCSIG__"
#endif
}

inline constexpr std::string_view type_name_probe = raw_type_name<double>();
inline constexpr std::size_t type_name_prefix = type_name_probe.find("double");
inline constexpr std::size_t type_name_suffix =
    type_name_probe.size() - type_name_prefix - std::string_view("double").size();

} // namespace detail

//! @brief The qualified name of `T` as the compiler spells it, usable in constant
//! expressions; modules report it as the type of each frame of the module stack.
//!
//! `type_name<xport::Tensor>() == "xport::Tensor"`,
//! `type_name<std::array<int, 3>>() == "std::array<int, 3>"`. Spelling details of
//! templates (spaces, default arguments) follow the compiler.
template <class T>
constexpr std::string_view type_name() noexcept {
  constexpr std::string_view raw = detail::raw_type_name<T>();
  return raw.substr(detail::type_name_prefix,
                    raw.size() - detail::type_name_prefix - detail::type_name_suffix);
}

} // namespace xport
