// dtype mapping and promotion are constexpr and usable in static_assert.
#include <xport/core/dtype.hpp>

#include <cstdint>
#include <type_traits>

using xport::dtype;

static_assert(xport::dtype_of<float> == dtype::float32);
static_assert(xport::dtype_of<const std::uint8_t> == dtype::uint8);
static_assert(xport::dtype_of<xport::bfloat16> == dtype::bfloat16);
static_assert(std::is_same_v<xport::cpp_type<dtype::float16>, xport::half>);
static_assert(std::is_same_v<xport::cpp_type<dtype::bool_>, bool>);
static_assert(xport::element_type<std::int64_t>);
static_assert(!xport::element_type<long double>);
static_assert(!xport::element_type<char16_t>);
static_assert(xport::promote_types(dtype::uint8, dtype::int8) == dtype::int16);
static_assert(xport::promote_types(dtype::float16, dtype::bfloat16) == dtype::float32);
static_assert(xport::short_name(dtype::int64) == "i64");

constexpr xport::promotion_operand mixed[] = {
    {dtype::int32, xport::operand_kind::dimensioned},
    {dtype::float64, xport::operand_kind::wrapped_number}};
static_assert(xport::result_type(mixed) == dtype::float32);
