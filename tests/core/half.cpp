#include <xport/core/half.hpp>

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

using xport::bfloat16;
using xport::half;

namespace {

bool is_nan_half(std::uint16_t bits) {
  return (bits & 0x7c00u) == 0x7c00u && (bits & 0x3ffu) != 0;
}
bool is_nan_bf16(std::uint16_t bits) {
  return (bits & 0x7f80u) == 0x7f80u && (bits & 0x7fu) != 0;
}

// For every pair of neighbouring finite values of a 16-bit type, the float midpoint must
// round to the one with an even encoding, and the floats just beside it to the nearer
// neighbour: this pins round-to-nearest-even independently of the implementation.
template <class T, class IsFinite>
void check_rounding_between_neighbours(std::uint16_t last_finite, IsFinite is_finite_bits) {
  for (std::uint32_t bits = 0; bits < last_finite; ++bits) {
    auto const lower = static_cast<std::uint16_t>(bits);
    auto const upper = static_cast<std::uint16_t>(bits + 1);
    if (!is_finite_bits(upper) && upper != 0x7c00u && upper != 0x7f80u) continue;
    float const a = T::from_bits(lower);
    float const b = T::from_bits(upper); // may be infinity for the last pair
    float const midpoint =
        std::isinf(b) ? a + (a - static_cast<float>(T::from_bits(lower - 1))) / 2 : a + (b - a) / 2;
    std::uint16_t const even = (lower & 1u) == 0 ? lower : upper;
    INFO("lower bits " << lower);
    REQUIRE(T(midpoint).bits == even);
    REQUIRE(T(std::nextafter(midpoint, -INFINITY)).bits == lower);
    REQUIRE(T(std::nextafter(midpoint, INFINITY)).bits == upper);
    // The same holds for the negative values.
    REQUIRE(T(-std::nextafter(midpoint, INFINITY)).bits == (upper | 0x8000u));
  }
}

} // namespace

TEST_CASE("half round-trips every binary16 value through float") {
  for (std::uint32_t bits = 0; bits <= 0xffffu; ++bits) {
    auto const h = half::from_bits(static_cast<std::uint16_t>(bits));
    float const f = h;
    if (is_nan_half(h.bits)) {
      REQUIRE(std::isnan(f));
      REQUIRE(is_nan_half(half(f).bits));
    } else {
      REQUIRE(half(f).bits == h.bits);
    }
  }
}

TEST_CASE("half has the documented special values") {
  CHECK(half(1.0f).bits == 0x3c00u);
  CHECK(half(-2.0f).bits == 0xc000u);
  CHECK(half(65504.0f).bits == 0x7bffu);
  CHECK(half(65519.99f).bits == 0x7bffu);
  CHECK(half(65520.0f).bits == 0x7c00u); // the tie between 65504 and 65536 goes to infinity
  CHECK(half(1e9f).bits == 0x7c00u);
  CHECK(half(-INFINITY).bits == 0xfc00u);
  CHECK(static_cast<float>(half::from_bits(0x0001u))
        == std::ldexp(1.0f, -24));                    // smallest subnormal
  CHECK(half(std::ldexp(1.0f, -25)).bits == 0x0000u); // tie to even: zero
  CHECK(half(std::nextafter(std::ldexp(1.0f, -25), 1.0f)).bits == 0x0001u);
  CHECK(half(-0.0f).bits == 0x8000u);
  CHECK(is_nan_half(half(std::numeric_limits<float>::quiet_NaN()).bits));
  CHECK(static_cast<float>(half(1.0f / 3.0f)) == 0.333251953125f);
}

TEST_CASE("half rounds to nearest even between all neighbours, subnormals and overflow included") {
  check_rounding_between_neighbours<half>(0x7bff,
                                          [](std::uint16_t b) { return (b & 0x7c00u) != 0x7c00u; });
}

#if defined(__FLT16_MAX__) && !defined(__clang__)
TEST_CASE("half agrees with the compiler's _Float16 conversion on random floats") {
  std::mt19937 engine(7);
  for (int i = 0; i < 200000; ++i) {
    auto const f = std::bit_cast<float>(static_cast<std::uint32_t>(engine()));
    auto const reference = std::bit_cast<std::uint16_t>(static_cast<_Float16>(f));
    if (std::isnan(f)) continue;
    REQUIRE(half(f).bits == reference);
  }
}
#endif

TEST_CASE("bfloat16 round-trips every value and rounds to nearest even") {
  for (std::uint32_t bits = 0; bits <= 0xffffu; ++bits) {
    auto const b = bfloat16::from_bits(static_cast<std::uint16_t>(bits));
    float const f = b;
    if (is_nan_bf16(b.bits)) {
      REQUIRE(is_nan_bf16(bfloat16(f).bits));
    } else {
      REQUIRE(bfloat16(f).bits == b.bits);
    }
  }
  check_rounding_between_neighbours<bfloat16>(
      0x7f7f, [](std::uint16_t b) { return (b & 0x7f80u) != 0x7f80u; });
  CHECK(bfloat16(1.0f).bits == 0x3f80u);
  CHECK(bfloat16(3.0e38f).bits == 0x7f62u);
  CHECK(bfloat16(std::numeric_limits<float>::max()).bits == 0x7f80u); // rounds up to infinity
  CHECK(is_nan_bf16(bfloat16(std::numeric_limits<float>::quiet_NaN()).bits));
  CHECK(is_nan_bf16(bfloat16(std::bit_cast<float>(0x7f800001u)).bits)); // payload only in low bits
}
