// Runtime behaviour of include/xport/sym/static_shape.hpp: the shape rules on values the
// types leave open, and binding observed sizes.
#include <xport/sym/static_shape.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <sstream>

namespace {

using namespace xport::literals;
using xport::sym::derived;
using xport::sym::dim;
using xport::sym::fixed;
using xport::sym::shape;

using batch = dim<"batch", 1, 1024>;
using seq = dim<"seq", 2, 512>;

std::int64_t opaque(std::int64_t v) {
  volatile std::int64_t x = v;
  return x;
}

} // namespace

TEST_CASE("a shape holds one value per root") {
  const batch b{opaque(8)};
  const shape s{b, 784_c, 2_c * b + 1_c};
  CHECK(s.sizes() == std::array<std::int64_t, 3>{8, 784, 17});
  CHECK(decltype(s)::form() == "[batch, 784, 2*batch + 1]");
  CHECK(to_string(s) == "[8, 784, 17]");
  std::ostringstream os;
  os << s;
  CHECK(os.str() == "[8, 784, 17]");
  CHECK_THROWS_WITH_AS((shape{b, 2_c * batch{opaque(9)}}),
                       "Expected one value of batch in a shape, but shape[0] gives batch = 8 and "
                       "shape[1] gives batch = 9",
                       xport::constraint_violation);
}

TEST_CASE("from_sizes binds observed sizes in PyTorch's words") {
  using x_shape = shape<batch, fixed<784>, derived<batch, 2, 1>, std::int64_t>;
  const std::array<std::int64_t, 4> ok{8, 784, 17, 5};
  CHECK(x_shape::from_sizes(ok).sizes() == ok);
  CHECK_THROWS_WITH_AS(x_shape::from_sizes(std::array<std::int64_t, 2>{8, 784}),
                       "Expected a shape of rank 4, but got rank 2", xport::shape_error);
  CHECK_THROWS_WITH_AS(x_shape::from_sizes(std::array<std::int64_t, 4>{2000, 784, 4001, 5}),
                       "Expected shape[0] to be <= 1024, but got 2000",
                       xport::constraint_violation);
  CHECK_THROWS_WITH_AS(x_shape::from_sizes(std::array<std::int64_t, 4>{8, 785, 17, 5}),
                       "Expected shape[1] to be equal to 784, but got 785",
                       xport::constraint_violation);
  CHECK_THROWS_WITH_AS(x_shape::from_sizes(std::array<std::int64_t, 4>{8, 784, 16, 5}),
                       "Expected shape[2] = 16 to be of the form 2*batch + 1, where batch is an "
                       "integer",
                       xport::constraint_violation);
  CHECK_THROWS_WITH_AS(x_shape::from_sizes(std::array<std::int64_t, 4>{8, 784, 19, 5}),
                       "Expected one value of batch in a shape, but shape[0] gives batch = 8 and "
                       "shape[2] gives batch = 9",
                       xport::constraint_violation);
}

TEST_CASE("broadcast checks what the types leave open") {
  const batch b{opaque(8)};
  CHECK(broadcast(shape{b, 1_c}, shape{1_c, 784_c}).sizes() == std::array<std::int64_t, 2>{8, 784});
  CHECK(broadcast(shape{batch{opaque(1)}}, shape{8_c}).get<0>().value == 8);
  CHECK(broadcast(shape{b}, shape{8_c}).get<0>().value == 8);
  CHECK_THROWS_WITH_AS(broadcast(shape{b, 3_c}, shape{6_c, 3_c}),
                       "The size of tensor a (8) must match the size of tensor b (6) at "
                       "non-singleton dimension 0",
                       xport::shape_error);
  CHECK(broadcast(shape{b}, shape{opaque(1)}).get<0>() == 8);
  CHECK(broadcast(shape{batch{opaque(1)}}, shape{opaque(5)}).get<0>() == 5);
  CHECK_THROWS_AS(broadcast(shape{b}, shape{opaque(5)}), xport::shape_error);
  // Each axis is fine alone, but the result would hold two values of seq.
  CHECK_THROWS_AS(broadcast(shape{seq{opaque(4)}, 1_c}, shape{1_c, seq{opaque(5)}}),
                  xport::constraint_violation);
  CHECK_THROWS_WITH_AS(broadcast(shape{seq{opaque(4)}, 1_c}, shape{opaque(5), 7_c}),
                       doctest::Contains("(4) must match the size of tensor b (5)"),
                       xport::shape_error);
}

TEST_CASE("matmul checks the inner sizes at run time when the types cannot") {
  const batch b{opaque(3)};
  const seq s{opaque(4)};
  CHECK(matmul(shape{b, s}, shape{s, 6_c}).sizes() == std::array<std::int64_t, 2>{3, 6});
  CHECK(matmul(shape{b, 4_c}, shape{s, 6_c}).sizes() == std::array<std::int64_t, 2>{3, 6});
  CHECK_THROWS_WITH_AS(matmul(shape{b, 4_c}, shape{opaque(5), 6_c}),
                       "mat1 and mat2 shapes cannot be multiplied (3x4 and 5x6)",
                       xport::shape_error);
  // One dim type is one symbol: two values of it are a contract violation, not a shape
  // mismatch.
  CHECK_THROWS_WITH_AS(matmul(shape{b, s}, shape{seq{opaque(5)}, 6_c}),
                       "Expected one value of seq, but got 4 and 5", xport::constraint_violation);
  CHECK_THROWS_AS(matmul(shape{b, 5_c, 4_c}, shape{opaque(2), 4_c, 6_c}), xport::shape_error);
}

TEST_CASE("concat adds the axis and checks the others") {
  const batch b{opaque(3)};
  const auto c = xport::sym::concat<1>(shape{b, 3_c}, shape{b, b});
  CHECK(c.sizes() == std::array<std::int64_t, 2>{3, 6});
  CHECK(c.get<1>().value() == 6);
  CHECK_THROWS_WITH_AS(xport::sym::concat<1>(shape{b, 3_c}, shape{opaque(4), 3_c}),
                       "Sizes of tensors must match except in dimension 1. Expected size 3 but "
                       "got size 4 for tensor number 1 in the list.",
                       xport::shape_error);
}
