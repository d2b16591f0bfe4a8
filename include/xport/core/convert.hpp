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
//! for nonzero. Floating to integer truncates toward zero to int64 and then wraps to the
//! target type, as PyTorch's CPU conversions do (`-1.75` becomes 255 in uint8, `300.0`
//! becomes 44 in int8); where C++ leaves the result undefined xport defines it: NaN
//! becomes 0, and values beyond int64 saturate there before wrapping.
//! @code
//! xport::convert<std::int8_t>(300.0f) == 44;  xport::convert<std::uint8_t>(-1.75f) == 255
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
    // Truncate to int64 (2^63 compared in the floating type: exact, unlike INT64_MAX),
    // saturating beyond it, then wrap modulo 2^n as integer conversions do.
    constexpr auto upper =
        static_cast<wide_from>(std::numeric_limits<std::int64_t>::max() / 2 + 1) * wide_from{2};
    std::int64_t whole;
    if (wide >= upper)
      whole = std::numeric_limits<std::int64_t>::max();
    else if (wide < static_cast<wide_from>(std::numeric_limits<std::int64_t>::min()))
      whole = std::numeric_limits<std::int64_t>::min();
    else
      whole = static_cast<std::int64_t>(wide);
    return static_cast<To>(static_cast<std::uint64_t>(whole));
  } else {
    return static_cast<To>(wide);
  }
}

} // namespace xport
