//! @file
//! Host representations of the 16-bit floating-point types `half` (IEEE binary16) and
//! `bfloat16`, with round-to-nearest-even conversion from `float`.
#pragma once

#include <xport/core/config.hpp>

#include <bit>
#include <cstdint>

namespace xport {

namespace detail {

// Rounds the integer `value >> shift` to nearest, ties to even, looking at the bits that
// the shift drops.
XPORT_HOST_DEVICE constexpr std::uint32_t shift_right_rne(std::uint32_t value, unsigned shift) {
  std::uint32_t const kept = value >> shift;
  std::uint32_t const dropped = value & ((std::uint32_t{1} << shift) - 1);
  std::uint32_t const halfway = std::uint32_t{1} << (shift - 1);
  bool const round_up = dropped > halfway || (dropped == halfway && (kept & 1) != 0);
  return kept + (round_up ? 1 : 0);
}

XPORT_HOST_DEVICE constexpr std::uint16_t float_to_half_bits(float value) {
  std::uint32_t const bits = std::bit_cast<std::uint32_t>(value);
  auto const sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000u);
  std::uint32_t const magnitude = bits & 0x7fffffffu;
  if (magnitude > 0x7f800000u) { // NaN: stay a quiet NaN, keep the top payload bits
    return static_cast<std::uint16_t>(sign | 0x7e00u | ((magnitude >> 13) & 0x3ffu));
  }
  if (magnitude >= 0x47800000u) { // >= 65536 (or inf): beyond every finite half
    return static_cast<std::uint16_t>(sign | 0x7c00u);
  }
  if (magnitude >= 0x38800000u) { // normal half: rebias the exponent from 127 to 15
    // A carry out of the mantissa correctly bumps the exponent, up to infinity.
    return static_cast<std::uint16_t>(sign | shift_right_rne(magnitude - (112u << 23), 13));
  }
  if (magnitude < 0x33000000u) { // below half the smallest subnormal (2^-25): zero
    return sign;
  }
  // Subnormal half: the value is mantissa * 2^(exponent - 150); count units of 2^-24.
  std::uint32_t const exponent = magnitude >> 23;
  std::uint32_t const mantissa = (magnitude & 0x7fffffu) | 0x800000u;
  return static_cast<std::uint16_t>(sign | shift_right_rne(mantissa, 126u - exponent));
}

XPORT_HOST_DEVICE constexpr float half_bits_to_float(std::uint16_t half_bits) {
  std::uint32_t const sign = static_cast<std::uint32_t>(half_bits & 0x8000u) << 16;
  std::uint32_t const exponent = (half_bits >> 10) & 0x1fu;
  std::uint32_t mantissa = half_bits & 0x3ffu;
  if (exponent == 0x1f) { // inf or NaN
    return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  }
  if (exponent != 0) {
    return std::bit_cast<float>(sign | ((exponent + 112u) << 23) | (mantissa << 13));
  }
  if (mantissa == 0) {
    return std::bit_cast<float>(sign);
  }
  // Subnormal half: normalise into a float, which has the range to hold it exactly.
  std::uint32_t float_exponent = 113; // 2^-14 with the implicit bit at position 10
  while ((mantissa & 0x400u) == 0) {
    mantissa <<= 1;
    --float_exponent;
  }
  return std::bit_cast<float>(sign | (float_exponent << 23) | ((mantissa & 0x3ffu) << 13));
}

XPORT_HOST_DEVICE constexpr std::uint16_t float_to_bfloat16_bits(float value) {
  std::uint32_t const bits = std::bit_cast<std::uint32_t>(value);
  if ((bits & 0x7fffffffu) > 0x7f800000u) { // NaN: keep it a quiet NaN
    return static_cast<std::uint16_t>((bits >> 16) | 0x0040u);
  }
  // bfloat16 is the top half of a float; overflow rounds into infinity as it should.
  return static_cast<std::uint16_t>(shift_right_rne(bits, 16));
}

} // namespace detail

//! @brief IEEE 754 binary16 ("float16", `torch.float16`) stored as its 16 bits.
//!
//! Converts implicitly to and from `float`, like PyTorch's `c10::Half`: arithmetic
//! happens in `float` and rounds back to nearest-even on assignment.
//! @code
//! xport::half h = 1.0f / 3.0f;   // bits 0x3555, value 0.333251953125
//! @endcode
struct half {
  std::uint16_t bits = 0; //!< The raw binary16 encoding.

  //! @brief Positive zero.
  constexpr half() = default;
  //! @brief Rounds `value` to the nearest binary16 value, ties to even; values beyond
  //! 65504 round to infinity (from 65520 on) and NaN stays NaN.
  XPORT_HOST_DEVICE constexpr half(float value) : bits(detail::float_to_half_bits(value)) {}
  //! @brief The exact `float` value of this half.
  XPORT_HOST_DEVICE constexpr operator float() const { return detail::half_bits_to_float(bits); }
  //! @brief The half whose encoding is `raw`.
  XPORT_HOST_DEVICE static constexpr half from_bits(std::uint16_t raw) {
    half result;
    result.bits = raw;
    return result;
  }
};

//! @brief Brain floating point ("bfloat16", `torch.bfloat16`): the upper 16 bits of a
//! `float`, stored as its 16 bits.
//!
//! Converts implicitly to and from `float` with round-to-nearest-even, like PyTorch's
//! `c10::BFloat16`.
struct bfloat16 {
  std::uint16_t bits = 0; //!< The raw encoding (sign, 8 exponent bits, 7 mantissa bits).

  //! @brief Positive zero.
  constexpr bfloat16() = default;
  //! @brief Rounds `value` to the nearest bfloat16 value, ties to even; NaN stays NaN.
  XPORT_HOST_DEVICE constexpr bfloat16(float value) : bits(detail::float_to_bfloat16_bits(value)) {}
  //! @brief The exact `float` value of this bfloat16.
  XPORT_HOST_DEVICE constexpr operator float() const {
    return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
  }
  //! @brief The bfloat16 whose encoding is `raw`.
  XPORT_HOST_DEVICE static constexpr bfloat16 from_bits(std::uint16_t raw) {
    bfloat16 result;
    result.bits = raw;
    return result;
  }
};

} // namespace xport
