// nonzero, item, masked_select and bincount on real tensors: values against hand-computed
// references, dtypes, non-contiguous and broadcast inputs, empty inputs, and error paths.
#include <xport/api/data_dependent.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <vector>

using namespace xport;

namespace {
std::vector<std::int64_t> sizes_of_data_dependent(Tensor const& t) {
  return {t.sizes().begin(), t.sizes().end()};
}
} // namespace

TEST_CASE("nonzero gives row-major coordinates, for every dtype") {
  for (dtype type : all_dtypes) {
    CAPTURE(type);
    Tensor const x = from<float>({{0, 2, 0}, {1, 0, 3}}).to(type);
    Tensor const nz = nonzero(x);
    CHECK(nz.dtype() == dtype::int64);
    CHECK(equal(nz, from<std::int64_t>({{0, 1}, {1, 0}, {1, 2}})));
  }
  // NaN is nonzero, -0.0 is zero.
  Tensor const f = from<float>({-0.f, std::numeric_limits<float>::quiet_NaN(), 0.f});
  CHECK(equal(nonzero(f), from<std::int64_t>({{1}})));
}

TEST_CASE("nonzero on non-contiguous, empty and 0-dim inputs") {
  Tensor const t = from<std::int32_t>({{0, 1}, {2, 0}, {0, 0}}).t(); // [[0, 2, 0], [1, 0, 0]]
  CHECK(equal(nonzero(t), from<std::int64_t>({{0, 1}, {1, 0}})));
  Tensor const empty = nonzero(zeros({4, 0, 2}));
  CHECK(sizes_of_data_dependent(empty) == std::vector<std::int64_t>{0, 3});
  CHECK(sizes_of_data_dependent(nonzero(zeros({2, 2}))) == std::vector<std::int64_t>{0, 2});
  CHECK(sizes_of_data_dependent(nonzero(full({}, 3.0))) == std::vector<std::int64_t>{1, 0});
  CHECK(sizes_of_data_dependent(nonzero(full({}, 0.0))) == std::vector<std::int64_t>{0, 0});
}

TEST_CASE("item returns a Scalar of the tensor's category") {
  Scalar const f = item(full({1, 1}, 2.5));
  CHECK(f.is_floating_point());
  CHECK(f.to<double>() == 2.5);
  Scalar const i = item(from<std::int32_t>({-7}));
  CHECK(i.type() == dtype::int64);
  CHECK(i.to<std::int64_t>() == -7);
  Scalar const b = item(full({}, true));
  CHECK(b.is_bool());
  CHECK(b.to<bool>());
  // One element of a strided view.
  CHECK(item(from<float>({{1, 2}, {3, 4}}).t().slice(0, 1, 2).slice(1, 0, 1)).to<float>() == 2.f);
  CHECK_THROWS_WITH_AS(item(zeros({2})),
                       doctest::Contains("a Tensor with 2 elements cannot be converted to Scalar"),
                       shape_error);
  CHECK_THROWS_WITH_AS(item(zeros({0, 3})),
                       doctest::Contains("a Tensor with 0 elements cannot be converted to Scalar"),
                       shape_error);
}

TEST_CASE("masked_select broadcasts self and mask, every dtype") {
  Tensor const mask = from<bool>({{true, false, true}, {false, false, true}});
  for (dtype type : all_dtypes) {
    CAPTURE(type);
    Tensor const x = from<float>({{1, 2, 3}, {4, 5, 6}}).to(type);
    Tensor const s = masked_select(x, mask);
    CHECK(s.dtype() == type);
    CHECK(equal(s.to(dtype::float32), from<float>({1, 3, 6}).to(type).to(dtype::float32)));
  }
  // A row mask broadcast over a column vector: [3, 1] with [2] -> [3, 2].
  Tensor const column = from<float>({{10}, {20}, {30}});
  CHECK(equal(masked_select(column, from<bool>({false, true})), from<float>({10, 20, 30})));
  // Non-contiguous self.
  Tensor const t = from<float>({{1, 2}, {3, 4}}).t(); // [[1, 3], [2, 4]]
  CHECK(equal(masked_select(t, from<bool>({{true, true}, {false, true}})), from<float>({1, 3, 4})));
  CHECK(masked_select(zeros({0, 3}), from<bool>({true, true, true})).numel() == 0);
  CHECK(masked_select(zeros({2}), zeros({2}, {.dtype = dtype::bool_})).numel() == 0);
}

TEST_CASE("masked_select errors") {
  CHECK_THROWS_WITH_AS(masked_select(zeros({3}), zeros({3}, {.dtype = dtype::uint8})),
                       doctest::Contains("masked_select: expected BoolTensor for mask"),
                       dtype_error);
  CHECK_THROWS_WITH_AS(masked_select(zeros({3}), zeros({2}, {.dtype = dtype::bool_})),
                       doctest::Contains("must match the size of tensor b (2)"), shape_error);
}

TEST_CASE("bincount counts values, with minlength, for every integer dtype") {
  for (dtype type : {dtype::int64, dtype::int32, dtype::int16, dtype::int8, dtype::uint8}) {
    CAPTURE(type);
    Tensor const counts = bincount(from<std::int64_t>({1, 1, 3, 0, 1}).to(type));
    CHECK(counts.dtype() == dtype::int64);
    CHECK(equal(counts, from<std::int64_t>({1, 3, 0, 1})));
  }
  CHECK(equal(bincount(from<std::int64_t>({2}), {}, 5), from<std::int64_t>({0, 0, 1, 0, 0})));
  CHECK(equal(bincount(from<std::int64_t>({4, 0}), {}, 2), from<std::int64_t>({1, 0, 0, 0, 1})));
  // A strided input.
  CHECK(equal(bincount(from<std::int64_t>({2, 9, 2, 9, 0}).slice(0, 0, 5, 2)),
              from<std::int64_t>({1, 0, 2})));
}

TEST_CASE("bincount with weights: float32 stays float32, anything else sums in float64") {
  Tensor const x = from<std::int32_t>({0, 2, 2});
  Tensor const f = bincount(x, from<float>({0.5f, 1.f, 2.f}));
  CHECK(f.dtype() == dtype::float32);
  CHECK(equal(f, from<float>({0.5f, 0.f, 3.f})));
  Tensor const d = bincount(x, from<std::int64_t>({1, 2, 3}), 4);
  CHECK(d.dtype() == dtype::float64);
  CHECK(equal(d, from<double>({1, 0, 5, 0})));
  CHECK(bincount(x, from<float>({1, 1, 1}).to(dtype::float16)).dtype() == dtype::float64);
  // PyTorch's empty input: minlength int64 zeros, with or without weights.
  Tensor const empty_counts =
      bincount(empty({0}, {.dtype = dtype::int64}), empty({0}, {.dtype = dtype::float32}), 3);
  CHECK(empty_counts.dtype() == dtype::int64);
  CHECK(equal(empty_counts, zeros({3}, {.dtype = dtype::int64})));
}

TEST_CASE("bincount errors") {
  CHECK_THROWS_WITH_AS(bincount(from<std::int64_t>({1, -1})),
                       doctest::Contains("bincount only supports 1-d non-negative integral "
                                         "inputs."),
                       value_error);
  CHECK_THROWS_WITH_AS(bincount(zeros({2, 2}, {.dtype = dtype::int64})),
                       doctest::Contains("bincount only supports 1-d non-negative integral inputs"),
                       value_error);
  CHECK_THROWS_WITH_AS(bincount(from<float>({1.f})),
                       doctest::Contains("\"bincount_cpu\" not implemented for 'Float'"),
                       dtype_error);
  CHECK_THROWS_WITH_AS(bincount(from<std::int64_t>({std::numeric_limits<std::int64_t>::max()})),
                       doctest::Contains("needs more bins than a tensor can have"), value_error);
  CHECK_THROWS_WITH_AS(bincount(from<std::int64_t>({1}), {}, -1),
                       doctest::Contains("minlength should be >= 0"), value_error);
  CHECK_THROWS_WITH_AS(bincount(from<std::int64_t>({1, 2}), from<float>({1.f})),
                       doctest::Contains("weights should be 1-d and have the same length as input"),
                       shape_error);
}

TEST_CASE("boxed attributes and names of the data-dependent ops") {
  CHECK(ops::boxed_attributes::of<ops::bincount>({4}).str() == "minlength=4");
  CHECK(ops::boxed_attributes::of<ops::nonzero>({}).str().empty());
  CHECK(ops::data_dependent_ops::find("aten::_local_scalar_dense")
        == &ops::schema_of<ops::local_scalar_dense>);
  CHECK(ops::data_dependent_ops::find("aten::masked_select")
        == &ops::schema_of<ops::masked_select>);
  static_assert(ops::data_dependent_ops::contains<ops::nonzero>);
}
