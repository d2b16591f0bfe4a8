#include <xport/api/shape.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>

#include "support/tensors.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

using namespace xport;

namespace {
using test::iota;
} // namespace

TEST_CASE("cat joins, promotes, skips legacy empties, reads non-contiguous inputs") {
  Tensor a = from<std::int32_t>({{1, 2}, {3, 4}});
  Tensor b = xport::t(from<float>({{5.5f, 6.5f}, {7.5f, 8.5f}}));
  Tensor c = xport::cat({a, b, empty({0}, {.dtype = dtype::float64})}, 1);
  CHECK(c.dtype() == dtype::float64);
  CHECK(equal(c, from<double>({{1, 2, 5.5, 7.5}, {3, 4, 6.5, 8.5}})));
  CHECK(equal(xport::cat({a, a}), from<std::int32_t>({{1, 2}, {3, 4}, {1, 2}, {3, 4}})));
  CHECK(xport::cat({empty({0}), empty({0})}).size(0) == 0);
  CHECK(xport::cat({empty({0, 2}), from<float>({{1.f, 2.f}})}).size(0) == 1);
  CHECK_THROWS_WITH_AS(xport::cat({iota({2, 2}), iota({3, 2})}, 1),
                       "Sizes of tensors must match except in dimension 1. Expected size 2 but got "
                       "size 3 for tensor number 1 in the list.",
                       shape_error);
  CHECK_THROWS_AS(xport::cat(std::span<Tensor const>{}), value_error);
}

TEST_CASE("stack adds a dimension") {
  Tensor a = from<float>({1.f, 2.f});
  Tensor b = from<float>({3.f, 4.f});
  CHECK(equal(xport::stack({a, b}), from<float>({{1, 2}, {3, 4}})));
  CHECK(equal(xport::stack({a, b}, -1), from<float>({{1, 3}, {2, 4}})));
  CHECK_THROWS_WITH_AS(xport::stack({a, from<float>({1.f})}),
                       "stack expects each tensor to be equal size, but got [2] at entry 0 and [1] "
                       "at entry 1",
                       shape_error);
}

TEST_CASE("split, split_with_sizes and chunk return views") {
  Tensor x = iota({7, 2});
  auto pieces = xport::split(x, 3);
  REQUIRE(pieces.size() == 3);
  CHECK(pieces[2].size(0) == 1);
  CHECK(pieces[1].storage().is_alias_of(x.storage()));
  CHECK(equal(pieces[2], from<float>({{12, 13}})));
  auto sized = xport::split(x, {5, 2});
  REQUIRE(sized.size() == 2);
  CHECK(sized[0].size(0) == 5);
  CHECK(equal(sized[1], from<float>({{10, 11}, {12, 13}})));
  CHECK_THROWS_WITH_AS(xport::split(x, {2, 3}),
                       doctest::Contains("expects split_sizes to sum exactly to 7"), shape_error);
  auto chunks = xport::chunk(x, 3); // ceil(7 / 3) = 3: 3, 3, 1
  REQUIRE(chunks.size() == 3);
  CHECK(chunks[2].size(0) == 1);
  CHECK(xport::chunk(iota({6}), 4).size() == 3); // pieces of 2: only 3 of them
  auto empties = xport::chunk(empty({0, 2}), 3);
  CHECK(empties.size() == 3);
  CHECK(xport::chunk(xport::t(x), 2, 1)[1].size(1) == 3);
}

TEST_CASE("repeat tiles, with new leading dimensions") {
  Tensor x = from<std::int64_t>({{1, 2}, {3, 4}});
  Tensor r = xport::repeat(x, {2, 1, 2});
  CHECK(r.dim() == 3);
  CHECK(equal(r.select(0, 1), from<std::int64_t>({{1, 2, 1, 2}, {3, 4, 3, 4}})));
  CHECK(
      equal(xport::repeat(xport::t(x), {1, 2}), from<std::int64_t>({{1, 3, 1, 3}, {2, 4, 2, 4}})));
  CHECK(xport::repeat(x, {0, 2}).numel() == 0);
  CHECK_THROWS_AS(xport::repeat(x, {2}), shape_error);
}

TEST_CASE("flip reverses along dims, non-contiguous input included") {
  Tensor x = iota({2, 3}, dtype::int32);
  CHECK(equal(xport::flip(x, {1}), from<std::int32_t>({{2, 1, 0}, {5, 4, 3}})));
  CHECK(equal(xport::flip(x, {0, 1}), from<std::int32_t>({{5, 4, 3}, {2, 1, 0}})));
  CHECK(equal(xport::flip(xport::t(x), {0}), from<std::int32_t>({{2, 5}, {1, 4}, {0, 3}})));
  CHECK(xport::flip(empty({0, 3}), {0}).numel() == 0);
  CHECK_FALSE(xport::flip(x, {}).storage().is_alias_of(x.storage()));
}

TEST_CASE("pad: constant (with crops), reflect, replicate, circular") {
  Tensor x = from<float>({{1, 2, 3}}); // [1, 3]
  CHECK(equal(xport::pad(x, {1, 2}), from<float>({{0, 1, 2, 3, 0, 0}})));
  CHECK(equal(xport::pad(x, {1, 0, 1, 0}, "constant", 9.0),
              from<float>({{9, 9, 9, 9}, {9, 1, 2, 3}})));
  CHECK(equal(xport::pad(x, {-1, 1}), from<float>({{2, 3, 0}})));
  CHECK(equal(xport::pad(x, {2, 2}, "reflect"), from<float>({{3, 2, 1, 2, 3, 2, 1}})));
  CHECK(equal(xport::pad(x, {2, 1}, "replicate"), from<float>({{1, 1, 1, 2, 3, 3}})));
  CHECK(equal(xport::pad(x, {1, 2}, "circular"), from<float>({{3, 1, 2, 3, 1, 2}})));
  CHECK(equal(xport::pad(x, {-1, -1}, "reflect"), from<float>({{2}})));
  Tensor xi = from<std::int64_t>({{1, 2}, {3, 4}});
  CHECK(equal(xport::pad(xport::t(xi), {0, 1}, "constant", 7.0),
              from<std::int64_t>({{1, 3, 7}, {2, 4, 7}})));
  CHECK_THROWS_WITH_AS(xport::pad(x, {3, 3}, "reflect"),
                       doctest::Contains("Padding size should be less than the corresponding input "
                                         "dimension, but got: padding (3, 3) at dimension 1 of "
                                         "input [1, 3]"),
                       shape_error);
  CHECK(xport::pad(empty({2, 0}), {1, 1}).size(1) == 2);
}

TEST_CASE_TEMPLATE("tril and triu keep triangles", T, float, double, std::int32_t, std::int64_t,
                   std::uint8_t, bool) {
  Tensor x = ones({2, 3}, {.dtype = dtype_of<T>});
  Tensor lower = xport::tril(x);
  CHECK(lower.dtype() == dtype_of<T>);
  CHECK(equal(lower.to(dtype::int64), from<std::int64_t>({{1, 0, 0}, {1, 1, 0}})));
  CHECK(equal(xport::triu(x, 1).to(dtype::int64), from<std::int64_t>({{0, 1, 1}, {0, 0, 1}})));
  CHECK(equal(xport::tril(x, -1).to(dtype::int64), from<std::int64_t>({{0, 0, 0}, {1, 0, 0}})));
}

TEST_CASE("tril on batches and non-contiguous input") {
  Tensor x = xport::t(iota({3, 3})); // [[0, 3, 6], [1, 4, 7], [2, 5, 8]]
  CHECK(equal(xport::tril(x), from<float>({{0, 0, 0}, {1, 4, 0}, {2, 5, 8}})));
  Tensor b = ones({2, 2, 2});
  CHECK(xport::triu(b).at<float>({1, 1, 0}) == 0.f);
  CHECK(xport::triu(b).at<float>({1, 0, 1}) == 1.f);
  CHECK_THROWS_AS(xport::tril(ones({3})), shape_error);
}
