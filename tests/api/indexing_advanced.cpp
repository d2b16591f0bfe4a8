// Advanced indexing (index.Tensor) and index_put: broadcasting index tensors, the placement
// rule for adjacent and separated indices, bool masks, negative indices, accumulation of
// duplicates, and the error paths with PyTorch's messages.
#include <xport/api/indexing.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <vector>

using namespace xport;

namespace {
// x[i][j][k] = 100 i + 10 j + k, of size [2, 3, 4].
Tensor cube() {
  std::vector<float> values;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k)
        values.push_back(static_cast<float>(100 * i + 10 * j + k));
  return from(values, {2, 3, 4});
}
std::vector<std::int64_t> sizes_of_indexing_advanced(Tensor const& t) {
  return {t.sizes().begin(), t.sizes().end()};
}
} // namespace

TEST_CASE_TEMPLATE("index with one integer tensor, int32 and int64, negative values wrap", I,
                   std::int32_t, std::int64_t) {
  Tensor const x = cube();
  Tensor const a = index(x, {from<I>({1, -2})});
  CHECK(sizes_of_indexing_advanced(a) == std::vector<std::int64_t>{2, 3, 4});
  CHECK(equal(a.select(0, 0), x.select(0, 1)));
  CHECK(equal(a.select(0, 1), x.select(0, 0)));
  // A 2-D index into dim 1 keeps the dims around it: [2, 2x1, 4].
  Tensor const b = index(x, {std::nullopt, from<I>({{2}, {-1}})});
  CHECK(sizes_of_indexing_advanced(b) == std::vector<std::int64_t>{2, 2, 1, 4});
  CHECK(b.at<float>({1, 0, 0, 3}) == 123.f);
  CHECK(b.at<float>({0, 1, 0, 1}) == 21.f);
}

TEST_CASE("index: adjacent indices broadcast in place, separated ones go first") {
  Tensor const x = cube();
  // Adjacent (dims 1 and 2), broadcast [2] with [1] -> [2]: result [2, 2].
  Tensor const adjacent =
      index(x, {std::nullopt, from<std::int64_t>({0, 2}), from<std::int64_t>({3})});
  CHECK(equal(adjacent, from<float>({{3, 23}, {103, 123}})));
  // Separated (dims 0 and 2): the broadcast dim [2] goes first, then dim 1: [2, 3].
  Tensor const separated =
      index(x, {from<std::int64_t>({1, 0}), std::nullopt, from<std::int64_t>({0, 3})});
  CHECK(equal(separated, from<float>({{100, 110, 120}, {3, 13, 23}})));
  // Index tensors broadcast against each other: [2, 1] with [3] -> [2, 3].
  Tensor const grid = index(x, {from<std::int64_t>({{0}, {1}}), from<std::int64_t>({0, 1, 2})});
  CHECK(sizes_of_indexing_advanced(grid) == std::vector<std::int64_t>{2, 3, 4});
  CHECK(grid.at<float>({1, 2, 3}) == 123.f);
  // Every dim indexed: a gather of single elements.
  Tensor const points = index(
      x, {from<std::int64_t>({1, 0}), from<std::int64_t>({2, 1}), from<std::int64_t>({3, 0})});
  CHECK(equal(points, from<float>({123, 10})));
}

TEST_CASE("index with bool masks, non-contiguous inputs, empty and all-None lists") {
  Tensor const x = cube();
  Tensor const row_mask = from<bool>({false, true, true});
  Tensor const m = index(x, {std::nullopt, row_mask});
  CHECK(sizes_of_indexing_advanced(m) == std::vector<std::int64_t>{2, 2, 4});
  CHECK(m.at<float>({1, 0, 2}) == 112.f);
  // A 2-D mask covers two dims: the result is [count, 4].
  Tensor mask2 = zeros({2, 3}, {.dtype = dtype::bool_});
  mask2 = index_put(mask2, {from<std::int64_t>({0, 1}), from<std::int64_t>({2, 0})},
                    ones({}, {.dtype = dtype::bool_}));
  Tensor const picked = index(x, {mask2});
  CHECK(sizes_of_indexing_advanced(picked) == std::vector<std::int64_t>{2, 4});
  CHECK(equal(picked.select(1, 1), from<float>({21, 101})));
  // A mask with an integer index: the mask's coordinates broadcast with it.
  Tensor const mixed = index(x, {from<bool>({true, false}), from<std::int64_t>({2})});
  CHECK(equal(mixed, from<float>({{20, 21, 22, 23}})));
  // Non-contiguous self and index.
  Tensor const xt = x.permute({2, 1, 0});                      // [4, 3, 2]
  Tensor const idx = from<std::int64_t>({{3, 0}, {1, 2}}).t(); // [[3, 1], [0, 2]]
  Tensor const nc = index(xt, {idx});
  CHECK(sizes_of_indexing_advanced(nc) == std::vector<std::int64_t>{2, 2, 3, 2});
  CHECK(nc.at<float>({0, 0, 2, 1}) == 123.f);
  CHECK(nc.at<float>({1, 1, 0, 0}) == 2.f);
  // An empty index gives an empty result; an all-false mask too.
  CHECK(index(x, {empty({0}, {.dtype = dtype::int64})}).numel() == 0);
  CHECK(sizes_of_indexing_advanced(index(x, {zeros({2}, {.dtype = dtype::bool_})}))
        == std::vector<std::int64_t>{0, 3, 4});
  // No index tensor at all: a copy.
  Tensor const copy = index(x, {std::nullopt});
  CHECK(equal(copy, x));
  CHECK_FALSE(copy.is_same(x));
  // Every dtype.
  for (dtype type : all_dtypes) {
    CAPTURE(type);
    Tensor const y = index(x.to(type), {std::nullopt, from<std::int64_t>({1})});
    CHECK(y.dtype() == type);
    CHECK(equal(y.to(dtype::float64), x.to(type).narrow(1, 1, 1).to(dtype::float64)));
  }
}

TEST_CASE("index errors") {
  Tensor const x = cube();
  CHECK_THROWS_WITH_AS(index(x, {from<std::int64_t>({2})}),
                       doctest::Contains("index 2 is out of bounds for dimension 0 with size 2"),
                       index_error);
  CHECK_THROWS_WITH_AS(index(x, {std::nullopt, std::nullopt, from<std::int32_t>({-5})}),
                       doctest::Contains("index -5 is out of bounds for dimension 2 with size 4"),
                       index_error);
  CHECK_THROWS_WITH_AS(
      index(x, {std::nullopt, std::nullopt, std::nullopt, from<std::int64_t>({0})}),
      doctest::Contains("too many indices for tensor of dimension 3 (got 4)"), index_error);
  CHECK_THROWS_WITH_AS(
      index(x, {std::nullopt, std::nullopt, zeros({4, 1}, {.dtype = dtype::bool_})}),
      doctest::Contains("too many indices for tensor of dimension 3 (got 4)"), index_error);
  CHECK_THROWS_WITH_AS(index(x, {from<float>({0.f})}),
                       doctest::Contains("tensors used as indices must be long, int, byte or bool "
                                         "tensors"),
                       index_error);
  CHECK_THROWS_WITH_AS(index(x, {from<std::int64_t>({0, 1}), from<std::int64_t>({0, 1, 2})}),
                       doctest::Contains("shape mismatch: indexing tensors could not be broadcast "
                                         "together with shapes [2], [3]"),
                       index_error);
  CHECK_THROWS_WITH_AS(index(x, {std::nullopt, from<bool>({true, false})}),
                       doctest::Contains("The shape of the mask [2] at index 0 does not match the "
                                         "shape of the indexed tensor [2, 3, 4] at index 1"),
                       index_error);
  // Mask count vs another index: checked by the kernel with the real count.
  CHECK_THROWS_WITH_AS(index(x, {from<bool>({true, true}), from<std::int64_t>({0, 1, 2})}),
                       doctest::Contains("shape mismatch"), index_error);
  CHECK_THROWS_WITH_AS(index(zeros({0, 3}), {from<std::int64_t>({0})}),
                       doctest::Contains("index is out of bounds for dimension with size 0"),
                       index_error);
}

TEST_CASE_TEMPLATE("index_put writes values; last write wins; self is untouched", I, std::int32_t,
                   std::int64_t) {
  Tensor const self = zeros({3, 2});
  Tensor const out = index_put(self, {from<I>({0, -1, 0})}, from<float>({{1, 2}, {3, 4}, {5, 6}}));
  CHECK(equal(out, from<float>({{5, 6}, {0, 0}, {3, 4}})));
  CHECK(equal(self, zeros({3, 2})));
  // Values broadcast to the indexing result: a scalar, then a row.
  CHECK(equal(index_put(self, {std::nullopt, from<I>({1})}, full({}, 7.f)),
              from<float>({{0, 7}, {0, 7}, {0, 7}})));
  CHECK(equal(index_put(self, {from<I>({2, 1})}, from<float>({8, 9})),
              from<float>({{0, 0}, {8, 9}, {8, 9}})));
}

TEST_CASE("index_put with accumulate sums duplicates, for every dtype") {
  for (dtype type : all_dtypes) {
    if (type == dtype::bool_) continue;
    CAPTURE(type);
    Tensor const out = index_put(ones({4}, {.dtype = type}), {from<std::int64_t>({1, 3, 1, 1})},
                                 from<float>({1, 2, 3, 4}).to(type), true);
    CHECK(out.dtype() == type);
    CHECK(equal(out.to(dtype::float32), from<float>({1, 9, 1, 3})));
  }
  // Two index tensors, duplicate pairs, and a mask with accumulate.
  Tensor const twice =
      index_put(zeros({2, 2}), {from<std::int64_t>({0, 0, 1}), from<std::int64_t>({1, 1, 0})},
                from<float>({1, 2, 4}), true);
  CHECK(equal(twice, from<float>({{0, 3}, {4, 0}})));
  Tensor const masked = index_put(ones({2, 2}), {from<bool>({{true, false}, {true, true}})},
                                  from<float>({10, 20, 30}), true);
  CHECK(equal(masked, from<float>({{11, 1}, {21, 31}})));
  // A non-contiguous self: the result is a contiguous copy with the update.
  Tensor const t = from<float>({{1, 2}, {3, 4}}).t(); // [[1, 3], [2, 4]]
  CHECK(equal(index_put(t, {from<std::int64_t>({1}), from<std::int64_t>({0})}, full({}, 5.f), true),
              from<float>({{1, 3}, {7, 4}})));
  // Empty indices leave self as it is.
  CHECK(equal(index_put(t, {empty({0}, {.dtype = dtype::int64})}, full({}, 5.f), true), t));
}

TEST_CASE("index_put errors") {
  Tensor const self = zeros({3, 2});
  CHECK_THROWS_WITH_AS(index_put(self, {from<std::int64_t>({3})}, full({}, 1.f)),
                       doctest::Contains("index 3 is out of bounds for dimension 0 with size 3"),
                       index_error);
  CHECK_THROWS_WITH_AS(
      index_put(self, {from<std::int64_t>({0})}, full({}, 1.0, {.dtype = dtype::float64})),
      doctest::Contains("Index put requires the source and destination dtypes "
                        "match, got Float for the destination and Double for the "
                        "source"),
      dtype_error);
  CHECK_THROWS_WITH_AS(index_put(self, {from<std::int64_t>({0, 1})}, zeros({3, 2})),
                       doctest::Contains("shape mismatch: value tensor of shape [3, 2] cannot be "
                                         "broadcast to indexing result of shape [2, 2]"),
                       shape_error);
  // Against a mask, the count is only known to the kernel.
  CHECK_THROWS_WITH_AS(index_put(self, {from<bool>({true, false, true})}, zeros({3, 2})),
                       doctest::Contains("cannot be broadcast to indexing result of shape [2, 2]"),
                       shape_error);
}

TEST_CASE("boxed attributes and names of the advanced indexing ops") {
  CHECK(ops::boxed_attributes::of<ops::index>({}).str().empty());
  CHECK(ops::boxed_attributes::of<ops::index_put>({true}).str() == "accumulate=True");
  CHECK(ops::indexing_ops::find("aten::index.Tensor") == &ops::schema_of<ops::index>);
  CHECK(ops::indexing_ops::find("aten::index_put") == &ops::schema_of<ops::index_put>);
}
