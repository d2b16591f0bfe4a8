//! @file
//! `xport::source_location`: `std::source_location` where the standard library provides
//! it, otherwise an equivalent built on the compiler's `__builtin_FILE()` family.
#pragma once

#include <version>

#if defined(__cpp_lib_source_location)
#include <source_location>
#endif

namespace xport {

#if defined(__cpp_lib_source_location)

//! @brief The call site recorded with guards and asserts: `std::source_location`.
using source_location = std::source_location;

#else

//! @brief The call site recorded with guards and asserts.
//!
//! This toolchain's standard library has no usable `std::source_location` (clang 14 with
//! libstdc++ 12 lacks `__builtin_source_location`), so this type offers the same
//! interface from the builtins every supported compiler has. Take it as a defaulted
//! parameter, `xport::source_location where = xport::source_location::current()`.
class source_location {
public:
  //! @brief The location of the caller, when used as a default argument.
  static constexpr source_location current(const char* file = __builtin_FILE(),
                                           const char* function = __builtin_FUNCTION(),
                                           unsigned line = __builtin_LINE(),
                                           unsigned column = __builtin_COLUMN()) noexcept {
    source_location l;
    l.file_ = file;
    l.function_ = function;
    l.line_ = line;
    l.column_ = column;
    return l;
  }
  //! @brief An unknown location: empty names, line 0.
  constexpr source_location() noexcept = default;
  //! @brief The source file's name.
  constexpr const char* file_name() const noexcept { return file_; }
  //! @brief The enclosing function's name.
  constexpr const char* function_name() const noexcept { return function_; }
  //! @brief The line, from 1; 0 when unknown.
  constexpr unsigned line() const noexcept { return line_; }
  //! @brief The column, from 1; 0 when unknown.
  constexpr unsigned column() const noexcept { return column_; }

private:
  const char* file_ = "";
  const char* function_ = "";
  unsigned line_ = 0;
  unsigned column_ = 0;
};

#endif

} // namespace xport
