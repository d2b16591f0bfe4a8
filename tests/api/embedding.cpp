#include <xport/api/embedding.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

using namespace xport;

TEST_CASE_TEMPLATE("embedding gathers rows for any index shape", I, std::int64_t, std::int32_t) {
  Tensor const weight = arange(0, 15).view({5, 3}).to(dtype::float32); // row r: 3r, 3r+1, 3r+2
  Tensor const indices = from<I>({{4, 0, 2}, {1, 1, 3}});
  Tensor const out = embedding(weight, indices);
  REQUIRE(out.sizes().size() == 3);
  CHECK(out.size(0) == 2);
  CHECK(out.size(1) == 3);
  CHECK(out.size(2) == 3);
  CHECK(out.dtype() == dtype::float32);
  for (std::int64_t i = 0; i < 2; ++i)
    for (std::int64_t j = 0; j < 3; ++j)
      for (std::int64_t d = 0; d < 3; ++d)
        CHECK(out.at<float>({i, j, d})
              == static_cast<float>(3 * static_cast<std::int64_t>(indices.at<I>({i, j})) + d));
}

TEST_CASE("embedding: scalar and empty indices, non-contiguous weight and indices, dtypes") {
  Tensor const weight = arange(0, 12).view({3, 4}).to(dtype::float64); // int64 -> float64
  Tensor const scalar = from<std::int64_t>({2}).view({});
  Tensor const row = embedding(weight, scalar);
  CHECK(row.dim() == 1);
  CHECK(equal(row, from<double>({8, 9, 10, 11})));
  CHECK(embedding(weight, zeros({0, 5}, {.dtype = dtype::int64})).numel() == 0);
  CHECK(embedding(weight, zeros({0, 5}, {.dtype = dtype::int64})).size(2) == 4);

  Tensor const wt = arange(0, 12).view({4, 3}).t(); // (3, 4), transposed
  REQUIRE_FALSE(wt.is_contiguous());
  Tensor const idx = from<std::int64_t>({{0, 1}, {2, 0}}).t(); // [[0, 2], [1, 0]]
  Tensor const out = embedding(wt, idx);
  CHECK(equal(out.select(0, 0), from<std::int64_t>({{0, 3, 6, 9}, {2, 5, 8, 11}})));
  CHECK(equal(out.select(0, 1), from<std::int64_t>({{1, 4, 7, 10}, {0, 3, 6, 9}})));
  CHECK(out.dtype() == dtype::int64);
  CHECK(embedding(weight.to(dtype::bfloat16), scalar).dtype() == dtype::bfloat16);
}

TEST_CASE("embedding rejects bad indices and weights") {
  Tensor const weight = zeros({5, 3});
  CHECK_THROWS_WITH_AS(embedding(weight, from<std::int64_t>({1, 7})),
                       doctest::Contains("index out of range in self: index 7"), index_error);
  CHECK_THROWS_WITH_AS(embedding(weight, from<std::int64_t>({1, 7})), doctest::Contains("5 rows"),
                       index_error);
  CHECK_THROWS_WITH_AS(embedding(weight, from<std::int32_t>({-1})), doctest::Contains("index -1"),
                       index_error);
  CHECK_THROWS_WITH_AS(embedding(weight, from<float>({1.f})),
                       doctest::Contains("'indices' to have one of the following scalar types: "
                                         "Long, Int; but got torch.float32"),
                       dtype_error);
  CHECK_THROWS_WITH_AS(embedding(zeros({5}), from<std::int64_t>({1})),
                       doctest::Contains("'weight' must be 2-D"), shape_error);
  CHECK_THROWS_WITH_AS(embedding(weight, from<std::int64_t>({1}), 5),
                       doctest::Contains("Padding_idx must be within num_embeddings"), value_error);
  CHECK_THROWS_AS(embedding(weight, from<std::int64_t>({1}), -6), value_error);
}

namespace {
struct recorder_embedding final : ops::op_interceptor {
  std::string attrs;
  ops::tensor_list intercept(ops::boxed_attributes const& a, std::span<Tensor const> in,
                             source_location const&) override {
    attrs = a.str();
    return xport::kernels::eager_call(a, in);
  }
};
} // namespace

TEST_CASE("embedding records a wrapped padding_idx") {
  recorder_embedding r;
  ops::interceptor_scope scope(r);
  Tensor const weight = ones({10, 2});
  embedding(weight, from<std::int64_t>({3}), -1);
  CHECK(r.attrs == "padding_idx=9, scale_grad_by_freq=False, sparse=False");
  embedding(weight, from<std::int64_t>({3}));
  CHECK(r.attrs == "padding_idx=-1, scale_grad_by_freq=False, sparse=False");
  CHECK(ops::embedding_ops::find("aten::embedding") == &ops::schema_of<ops::embedding>);
}
