//! @file
//! `convert<To>(value)`: the one element conversion every copy and cast uses.
#pragma once

#include <xport/core/config.hpp>
#include <xport/core/dtype.hpp>

#include <concepts>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace xport {

//! @brief Converts one element between any two element types, without undefined
//! behaviour.
//!
//! Follows C++ (and PyTorch) conversions where those are defined: floating to floating
//! rounds to nearest-even, integer to integer wraps modulo 2^n, anything to bool tests
//! for nonzero. Floating to integer truncates toward zero; where C++ leaves the result
//! undefined (NaN, or out of range) xport saturates instead: NaN becomes 0, too-large
//! values the type's maximum, too-small values its minimum. (PyTorch returns whatever
//! the CPU's conversion instruction gives there, e.g. INT32_MIN on x86.)
//! @code
//! xport::convert<std::int8_t>(300.0f) == 127;  xport::convert<float>(xport::half(2.5f)) == 2.5f
//! @endcode
template <element_type To, element_type From>
XPORT_HOST_DEVICE constexpr To convert(From value) {
  using wide_from =
      std::conditional_t<std::is_same_v<From, half> || std::is_same_v<From, bfloat16>, float, From>;
  auto const wide = static_cast<wide_from>(value);
  if constexpr (std::is_same_v<To, bool>) {
    return wide != wide_from{0};
  } else if constexpr (std::is_same_v<To, half> || std::is_same_v<To, bfloat16>) {
    return To(static_cast<float>(wide));
  } else if constexpr (std::is_floating_point_v<wide_from> && std::is_integral_v<To>) {
    if (!(wide == wide)) return To{0};
    // Compare in the floating type against 2^(digits): exact, unlike comparing to max().
    constexpr auto upper =
        static_cast<wide_from>(std::numeric_limits<To>::max() / 2 + 1) * wide_from{2};
    if (wide >= upper) return std::numeric_limits<To>::max();
    if (wide < static_cast<wide_from>(std::numeric_limits<To>::min())) {
      return std::numeric_limits<To>::min();
    }
    return static_cast<To>(wide);
  } else {
    return static_cast<To>(wide);
  }
}

} // namespace xport
