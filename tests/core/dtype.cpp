#include <xport/core/dtype.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/tensor.hpp>

#include <doctest/doctest.h>

#include <sstream>

using xport::dtype;
using xport::operand_kind;

TEST_CASE("dtype names follow PyTorch") {
  CHECK(xport::name(dtype::float32) == "float32");
  CHECK(xport::short_name(dtype::bfloat16) == "bf16");
  CHECK(xport::short_name(dtype::bool_) == "b8");
  CHECK(xport::torch_name(dtype::bool_) == "torch.bool");
  std::ostringstream out;
  out << dtype::uint8;
  CHECK(out.str() == "torch.uint8");
  for (dtype type : xport::all_dtypes) {
    CHECK(xport::parse_dtype(xport::name(type)) == type);
    CHECK(xport::parse_dtype(xport::short_name(type)) == type);
    CHECK(xport::parse_dtype(xport::torch_name(type)) == type);
  }
  CHECK(xport::parse_dtype("torch.long") == dtype::int64);
  CHECK(xport::parse_dtype("half") == dtype::float16);
  CHECK_THROWS_WITH_AS(xport::parse_dtype("float128"),
                       doctest::Contains("unknown dtype 'float128'"), xport::dtype_error);
}

TEST_CASE("dtype sizes and categories") {
  CHECK(xport::element_size(dtype::float64) == 8);
  CHECK(xport::element_size(dtype::bfloat16) == 2);
  CHECK(xport::element_size(dtype::bool_) == 1);
  CHECK(xport::is_floating_point(dtype::float16));
  CHECK_FALSE(xport::is_floating_point(dtype::int8));
  CHECK(xport::is_integral(dtype::uint8));
  CHECK_FALSE(xport::is_integral(dtype::bool_));
  CHECK(xport::is_integral(dtype::bool_, true));
  CHECK_FALSE(xport::is_signed(dtype::uint8));
  CHECK(xport::visit_dtype(dtype::int16, []<class T>() { return sizeof(T); }) == 2);
}

// Expected values are PyTorch's torch.promote_types for each pair.
TEST_CASE("promote_types matches PyTorch's table") {
  struct row {
    dtype a, b, expected;
  };
  row const table[] = {
      {dtype::uint8, dtype::int8, dtype::int16},
      {dtype::uint8, dtype::int16, dtype::int16},
      {dtype::uint8, dtype::int64, dtype::int64},
      {dtype::int8, dtype::int32, dtype::int32},
      {dtype::bool_, dtype::uint8, dtype::uint8},
      {dtype::bool_, dtype::float16, dtype::float16},
      {dtype::int64, dtype::float16, dtype::float16},
      {dtype::int64, dtype::bfloat16, dtype::bfloat16},
      {dtype::float16, dtype::bfloat16, dtype::float32},
      {dtype::float16, dtype::float32, dtype::float32},
      {dtype::bfloat16, dtype::float64, dtype::float64},
      {dtype::uint8, dtype::float32, dtype::float32},
      {dtype::int32, dtype::int32, dtype::int32},
  };
  for (row const& r : table) {
    CAPTURE(r.a);
    CAPTURE(r.b);
    CHECK(xport::promote_types(r.a, r.b) == r.expected);
    CHECK(xport::promote_types(r.b, r.a) == r.expected);
  }
}

TEST_CASE("result_type ranks tensors above zero-dim tensors above wrapped numbers") {
  auto const ints = xport::zeros({2}, {.dtype = dtype::int32});
  auto const halves = xport::zeros({2}, {.dtype = dtype::float16});
  auto const bytes = xport::zeros({2}, {.dtype = dtype::uint8});
  auto const bools = xport::zeros({2}, {.dtype = dtype::bool_});
  auto const zero_dim_double = xport::zeros({}, {.dtype = dtype::float64});
  auto const zero_dim_long = xport::zeros({}, {.dtype = dtype::int64});

  CHECK(xport::result_type(ints, 2.5) == dtype::float32);   // float scalar -> default dtype
  CHECK(xport::result_type(halves, 2.5) == dtype::float16); // same category: tensor wins
  CHECK(xport::result_type(bytes, 1000) == dtype::uint8);   // same category: tensor wins
  CHECK(xport::result_type(bools, 1) == dtype::int64);      // bool is lowest
  CHECK(xport::result_type(bools, true) == dtype::bool_);
  CHECK(xport::result_type(ints, zero_dim_double) == dtype::float64); // higher category promotes
  CHECK(xport::result_type(ints, zero_dim_long) == dtype::int32);     // same category: ignored
  CHECK(xport::result_type(zero_dim_long, 2.5) == dtype::float32);
  CHECK(xport::result_type(halves, ints) == dtype::float16);

  xport::promotion_operand const three[] = {{dtype::int8, operand_kind::dimensioned},
                                            {dtype::uint8, operand_kind::dimensioned},
                                            {dtype::float64, operand_kind::wrapped_number}};
  CHECK(xport::result_type(three) == dtype::float32);
}
