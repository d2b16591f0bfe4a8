// index_select, gather, scatter (tensor and scalar source) and scatter_add: values against
// hand-computed references, every dtype, int32 and int64 indices, non-contiguous operands,
// empty indices, and the error paths with PyTorch's messages.
#include <xport/api/indexing.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>

#include <doctest/doctest.h>

#include <cstdint>

using namespace xport;

namespace {
// [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]] in dtype `type`.
Tensor grid(dtype type = dtype::float32) {
  return arange(12, {.dtype = dtype::int64}).view({3, 4}).to(type);
}
} // namespace

TEST_CASE_TEMPLATE("index_select picks slices along a dim, for int32 and int64 indices", I,
                   std::int32_t, std::int64_t) {
  Tensor const x = grid();
  Tensor const rows = index_select(x, 0, from<I>({2, 0, 2}));
  CHECK(rows.dtype() == dtype::float32);
  CHECK(equal(rows, from<float>({{8, 9, 10, 11}, {0, 1, 2, 3}, {8, 9, 10, 11}})));
  Tensor const cols = index_select(x, -1, from<I>({3, 1}));
  CHECK(equal(cols, from<float>({{3, 1}, {7, 5}, {11, 9}})));
}

TEST_CASE("index_select: every dtype keeps its dtype and values") {
  for (dtype type : all_dtypes) {
    CAPTURE(type);
    Tensor const y = index_select(grid(type), 1, from<std::int64_t>({1}));
    CHECK(y.dtype() == type);
    CHECK(equal(y.to(dtype::float32), grid().narrow(1, 1, 1).to(type).to(dtype::float32)));
  }
}

TEST_CASE("index_select on non-contiguous self and index, empty and 0-dim cases") {
  Tensor const xt = grid().t(); // [4, 3], strides [1, 4]
  Tensor const strided_index = from<std::int64_t>({0, 9, 3, 9}).slice(0, 0, 4, 2); // {0, 3}
  CHECK(equal(index_select(xt, 0, strided_index), from<float>({{0, 4, 8}, {3, 7, 11}})));
  Tensor const none = index_select(grid(), 0, empty({0}, {.dtype = dtype::int64}));
  CHECK(none.sizes()[0] == 0);
  CHECK(none.sizes()[1] == 4);
  Tensor const scalar = full({}, 7.0);
  Tensor const picked = index_select(scalar, 0, from<std::int64_t>({0}));
  CHECK(picked.dim() == 0);
  CHECK(picked.item<double>() == 7.0);
  // A 0-dim index picks one slice and keeps the dim.
  CHECK(index_select(grid(), 0, full({}, std::int64_t{1})).size(0) == 1);
}

TEST_CASE("index_select errors") {
  Tensor const x = grid();
  CHECK_THROWS_WITH_AS(index_select(x, 0, from<std::int64_t>({0, 3})),
                       doctest::Contains("index out of range in self: index 3 is out of bounds "
                                         "for dimension 0 with size 3"),
                       index_error);
  CHECK_THROWS_WITH_AS(index_select(x, 1, from<std::int32_t>({-1})),
                       doctest::Contains("index out of range in self"), index_error);
  CHECK_THROWS_WITH_AS(index_select(x, 0, from<std::int64_t>({{0}})),
                       doctest::Contains("Index is supposed to be a vector"), index_error);
  CHECK_THROWS_WITH_AS(index_select(x, 0, from<float>({0.f})),
                       doctest::Contains("Expected dtype int32 or int64 for index"), dtype_error);
  CHECK_THROWS_AS(index_select(x, 2, from<std::int64_t>({0})), index_error);
  CHECK_THROWS_WITH_AS(index_select(full({}, 1.0), 0, from<std::int64_t>({0, 0})),
                       doctest::Contains("Index to scalar can have only 1 value, got 2"),
                       index_error);
}

TEST_CASE_TEMPLATE("gather along each dim, int32 and int64 indices", I, std::int32_t,
                   std::int64_t) {
  Tensor const x = grid();
  // dim 0: out[i][j] = x[index[i][j]][j]
  Tensor const g0 = gather(x, 0, from<I>({{2, 0, 1, 2}, {0, 0, 0, 1}}));
  CHECK(equal(g0, from<float>({{8, 1, 6, 11}, {0, 1, 2, 7}})));
  // dim 1 with a narrower index: out[i][j] = x[i][index[i][j]]
  Tensor const g1 = gather(x, -1, from<I>({{3, 3}, {0, 1}}));
  CHECK(equal(g1, from<float>({{3, 3}, {4, 5}})));
}

TEST_CASE("gather: every dtype, non-contiguous operands, 0-dim and empty index") {
  for (dtype type : all_dtypes) {
    CAPTURE(type);
    Tensor const g = gather(grid(type), 1, from<std::int64_t>({{1}, {2}, {0}}));
    CHECK(g.dtype() == type);
    CHECK(equal(g.to(dtype::float32), from<float>({{1}, {6}, {8}}).to(type).to(dtype::float32)));
  }
  Tensor const xt = grid().t();                                            // [4, 3]
  Tensor const idx = from<std::int64_t>({{0, 1, 2, 0}, {2, 2, 1, 1}}).t(); // [4, 2]
  CHECK(equal(gather(xt, 1, idx), from<float>({{0, 8}, {5, 9}, {10, 6}, {3, 7}})));
  Tensor const s = gather(full({}, 5.0), 0, full({}, std::int64_t{0}));
  CHECK(s.dim() == 0);
  CHECK(s.item<double>() == 5.0);
  Tensor const none = gather(grid(), 0, empty({0, 4}, {.dtype = dtype::int64}));
  CHECK(none.numel() == 0);
  CHECK(none.size(1) == 4);
}

TEST_CASE("gather errors name the shapes") {
  Tensor const x = grid();
  CHECK_THROWS_WITH_AS(gather(x, 0, from<std::int64_t>({{3, 0, 0, 0}})),
                       doctest::Contains("index 3 is out of bounds for dimension 0 with size 3"),
                       index_error);
  CHECK_THROWS_WITH_AS(gather(x, 1, from<std::int64_t>({{-1}})),
                       doctest::Contains("index -1 is out of bounds for dimension 1 with size 4"),
                       index_error);
  CHECK_THROWS_WITH_AS(gather(x, 0, from<std::int64_t>({0, 1})),
                       doctest::Contains("Index tensor must have the same number of dimensions "
                                         "as input tensor"),
                       shape_error);
  CHECK_THROWS_WITH_AS(gather(x, 0, zeros({1, 5}, {.dtype = dtype::int64})),
                       doctest::Contains("Size does not match at dimension 1 expected index "
                                         "[1, 5] to be smaller than self [3, 4] apart from "
                                         "dimension 0"),
                       shape_error);
  CHECK_THROWS_WITH_AS(gather(x, 0, zeros({1, 4}, {.dtype = dtype::int16})),
                       doctest::Contains("gather(): Expected dtype int32/int64 for index"),
                       dtype_error);
}

TEST_CASE_TEMPLATE("scatter writes src, last write wins for repeated indices", I, std::int32_t,
                   std::int64_t) {
  Tensor const self = zeros({3, 4});
  Tensor const src = from<float>({{1, 2, 3, 4}, {5, 6, 7, 8}});
  Tensor const out = scatter(self, 0, from<I>({{0, 1, 2, 0}, {2, 0, 0, 0}}), src);
  CHECK(equal(out, from<float>({{1, 6, 7, 8}, {0, 2, 0, 0}, {5, 0, 3, 0}})));
  CHECK(equal(self, zeros({3, 4}))); // functional: self is untouched
  // Along dim 1, with an index narrower than src.
  Tensor const out1 = scatter(self, 1, from<I>({{3}, {0}}), src);
  CHECK(equal(out1, from<float>({{0, 0, 0, 1}, {5, 0, 0, 0}, {0, 0, 0, 0}})));
}

TEST_CASE("scatter with a scalar value, every dtype") {
  for (dtype type : all_dtypes) {
    CAPTURE(type);
    Tensor const out =
        scatter(zeros({2, 3}, {.dtype = type}), 1, from<std::int64_t>({{2}, {0}}), Scalar(true));
    CHECK(out.dtype() == type);
    CHECK(equal(out.to(dtype::float32), from<float>({{0, 0, 1}, {1, 0, 0}})));
  }
  // A float value into an integer tensor truncates, as PyTorch's conversion does.
  Tensor const ints =
      scatter(zeros({3}, {.dtype = dtype::int32}), 0, from<std::int64_t>({1}), 2.75);
  CHECK(equal(ints, from<std::int32_t>({0, 2, 0})));
  CHECK_THROWS_AS(scatter(zeros({3}, {.dtype = dtype::uint8}), 0, from<std::int64_t>({1}), 300),
                  value_error);
}

TEST_CASE("scatter_add accumulates duplicates, every dtype") {
  for (dtype type : all_dtypes) {
    if (type == dtype::bool_) continue;
    CAPTURE(type);
    Tensor const out = scatter_add(ones({4}, {.dtype = type}), 0, from<std::int64_t>({1, 1, 3, 1}),
                                   from<float>({1, 2, 3, 4}).to(type));
    CHECK(equal(out.to(dtype::float32), from<float>({1, 8, 1, 4})));
  }
  // bool adds as logical or.
  Tensor const b = scatter_add(zeros({3}, {.dtype = dtype::bool_}), 0, from<std::int64_t>({0, 0}),
                               ones({2}, {.dtype = dtype::bool_}));
  CHECK(equal(b.to(dtype::int64), from<std::int64_t>({1, 0, 0})));
  // Non-contiguous self, index and src (transposed views).
  Tensor const self = zeros({3, 2}).t();                                 // [2, 3]
  Tensor const index = from<std::int64_t>({{0, 0}, {2, 1}, {0, 2}}).t(); // [2, 3]
  Tensor const src = from<float>({{1, 2}, {3, 4}, {5, 6}}).t();          // [[1, 3, 5], [2, 4, 6]]
  CHECK(equal(scatter_add(self, 1, index, src), from<float>({{6, 0, 3}, {2, 4, 6}})));
}

TEST_CASE("scatter: empty index is a copy; errors") {
  Tensor const self = grid();
  Tensor const copy = scatter(self, 0, empty({0}, {.dtype = dtype::float32}),
                              empty({0}, {.dtype = dtype::float32}));
  CHECK(equal(copy, self));
  CHECK_FALSE(copy.is_same(self));
  CHECK_THROWS_WITH_AS(scatter(self, 0, from<std::int64_t>({{3}}), from<float>({{1}})),
                       doctest::Contains("index 3 is out of bounds for dimension 0 with size 3"),
                       index_error);
  CHECK_THROWS_WITH_AS(scatter(self, 0, from<std::int64_t>({{0}}), from<double>({{1}})),
                       doctest::Contains("scatter(): Expected self.dtype to be equal to src.dtype"),
                       dtype_error);
  CHECK_THROWS_WITH_AS(scatter_add(self, 0, zeros({2, 2}, {.dtype = dtype::int64}), zeros({1, 2})),
                       doctest::Contains("scatter_add(): Expected index [2, 2] to be smaller than "
                                         "self [3, 4] apart from dimension 0 and to be smaller "
                                         "size than src [1, 2]"),
                       shape_error);
  CHECK_THROWS_WITH_AS(scatter(self, 0, zeros({1, 5}, {.dtype = dtype::int64}), 1.0),
                       doctest::Contains("Expected index [1, 5] to be smaller than self [3, 4] "
                                         "apart from dimension 0"),
                       shape_error);
  // The scattered dim itself may be longer in the index than in self.
  CHECK(equal(scatter(self, 1, zeros({1, 5}, {.dtype = dtype::int64}), 1.0).select(0, 0),
              from<float>({1, 1, 2, 3})));
  CHECK_THROWS_WITH_AS(scatter(self, 0, zeros({2}, {.dtype = dtype::int64}), zeros({2})),
                       doctest::Contains("Index tensor must have the same number of dimensions "
                                         "as self tensor"),
                       shape_error);
}

TEST_CASE("boxed attributes of the gather family") {
  CHECK(ops::boxed_attributes::of<ops::index_select>({1}).str() == "dim=1");
  CHECK(ops::boxed_attributes::of<ops::gather>({-1}).str() == "dim=-1");
  CHECK(ops::boxed_attributes::of<ops::scatter_value>({0, Scalar(2.5)}).str()
        == "dim=0, value=2.5");
  CHECK(ops::boxed_attributes::of<ops::scatter_add>({2}).str() == "dim=2");
  CHECK(ops::indexing_ops::find("aten::scatter.value") == &ops::schema_of<ops::scatter_value>);
  CHECK(ops::indexing_ops::find("aten::scatter_add") == &ops::schema_of<ops::scatter_add>);
}
