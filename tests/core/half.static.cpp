// The 16-bit float conversions are constexpr: the same code runs at compile time.
#include <xport/core/half.hpp>

static_assert(xport::half(1.0f).bits == 0x3c00);
static_assert(xport::half(0.1f).bits == 0x2e66);
static_assert(static_cast<float>(xport::half::from_bits(0x3555)) == 0.333251953125f);
static_assert(xport::bfloat16(1.0f).bits == 0x3f80);
static_assert(static_cast<float>(xport::bfloat16::from_bits(0x4049)) == 3.140625f);
