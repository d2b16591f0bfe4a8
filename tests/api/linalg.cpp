#include <xport/api/linalg.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>

#include "support/tensors.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

using namespace xport;

namespace {

// The product of a and b with matmul's rank rules, by explicit loops in double over
// every output element: independent of the kernels (no gemm, no views but select).
Tensor reference_matmul(Tensor const& a_in, Tensor const& b_in) {
  Tensor const a = a_in.to(dtype::float64).contiguous();
  Tensor const b = b_in.to(dtype::float64).contiguous();
  Tensor const a2 = a.dim() == 1 ? a.reshape({1, a.size(0)}) : a;
  Tensor const b2 = b.dim() == 1 ? b.reshape({b.size(0), 1}) : b;
  std::vector<std::int64_t> batch_a(a2.sizes().begin(), a2.sizes().end() - 2);
  std::vector<std::int64_t> batch_b(b2.sizes().begin(), b2.sizes().end() - 2);
  dim_vector const batch = broadcast_shapes(batch_a, batch_b);
  std::int64_t const n = a2.size(-2), k = a2.size(-1), p = b2.size(-1);
  dim_vector out_sizes = batch;
  out_sizes.push_back(n);
  out_sizes.push_back(p);
  Tensor out = zeros(out_sizes, {.dtype = dtype::float64});
  std::int64_t count = 1;
  for (auto s : batch)
    count *= s;
  for (std::int64_t flat = 0; flat < count; ++flat) {
    dim_vector idx(batch.size());
    std::int64_t rest = flat;
    for (std::size_t d = batch.size(); d-- > 0;) {
      idx[d] = rest % batch[d];
      rest /= batch[d];
    }
    auto index_into = [&](std::vector<std::int64_t> const& own, std::int64_t i, std::int64_t j) {
      dim_vector at;
      std::size_t const lead = batch.size() - own.size();
      for (std::size_t d = 0; d < own.size(); ++d)
        at.push_back(own[d] == 1 ? 0 : idx[lead + d]);
      at.push_back(i);
      at.push_back(j);
      return at;
    };
    for (std::int64_t i = 0; i < n; ++i) {
      for (std::int64_t j = 0; j < p; ++j) {
        double sum = 0;
        for (std::int64_t q = 0; q < k; ++q)
          sum +=
              a2.at<double>(index_into(batch_a, i, q)) * b2.at<double>(index_into(batch_b, q, j));
        dim_vector at(idx.begin(), idx.end());
        at.push_back(i);
        at.push_back(j);
        std::int64_t offset = 0;
        for (std::size_t d = 0; d < at.size(); ++d)
          offset += at[d] * out.stride(static_cast<std::int64_t>(d));
        out.data_ptr<double>()[offset] = sum;
      }
    }
  }
  dim_vector final_sizes(batch.begin(), batch.end());
  if (a.dim() > 1) final_sizes.push_back(n);
  if (b.dim() > 1) final_sizes.push_back(p);
  return out.reshape(final_sizes);
}

using test::sizes_are;

} // namespace

TEST_CASE_TEMPLATE("mm of hand-computed matrices in every dtype", T, float, double, xport::half,
                   xport::bfloat16, std::int64_t, std::int32_t, std::int16_t, std::int8_t,
                   std::uint8_t) {
  Tensor const a = from<T>({{T(1), T(2)}, {T(3), T(4)}});
  Tensor const b = from<T>({{T(5), T(6)}, {T(7), T(8)}});
  Tensor const c = mm(a, b);
  CHECK(c.dtype() == dtype_of<T>);
  CHECK(equal(c, from<std::int64_t>({{19, 22}, {43, 50}})));
  // b^T as a view: [[5, 7], [6, 8]]
  CHECK(equal(mm(a, b.t()), from<std::int64_t>({{17, 23}, {39, 53}})));
}

TEST_CASE("integer mm wraps like PyTorch's") {
  Tensor const a = from<std::int8_t>({{100, 100}});
  Tensor const b = from<std::int8_t>({{1}, {1}});
  CHECK(mm(a, b).at<std::int8_t>({0, 0}) == -56);
}

TEST_CASE("mm and bmm on non-contiguous and empty operands") {
  Generator gen(1);
  Tensor const big = randn({6, 8}, gen);
  Tensor const a = big.narrow(0, 1, 4).narrow(1, 2, 5); // sliced: 4 x 5, row stride 8
  Tensor const b = randn({3, 5}, gen).t();              // transposed: 5 x 3
  CHECK(
      allclose(mm(a, b), reference_matmul(a, b).to(dtype::float32), {.rtol = 1e-5, .atol = 1e-5}));
  Tensor const x = randn({4, 3, 2}, gen).transpose(1, 2); // [4, 2, 3], non-contiguous
  Tensor const y = randn({4, 3, 5}, gen);
  CHECK(
      allclose(bmm(x, y), reference_matmul(x, y).to(dtype::float32), {.rtol = 1e-5, .atol = 1e-5}));
  CHECK(sizes_are(mm(zeros({0, 3}), zeros({3, 4})), {0, 4}));
  CHECK(sizes_are(bmm(zeros({0, 2, 3}), zeros({0, 3, 4})), {0, 2, 4}));
  // k == 0: the sum over nothing is 0
  CHECK(equal(mm(zeros({2, 0}), zeros({0, 3})), zeros({2, 3})));
}

TEST_CASE("matmul: every rank case against the loop reference") {
  Generator gen(7);
  struct shapes {
    std::vector<std::int64_t> a, b, out;
  };
  std::vector<shapes> const cases = {
      {{3}, {3}, {}},                          // dot -> 0-D
      {{2, 3}, {3}, {2}},                      // matrix-vector
      {{3}, {3, 4}, {4}},                      // vector-matrix
      {{2, 3}, {3, 4}, {2, 4}},                // matrix product
      {{5, 2, 3}, {3}, {5, 2}},                // batched matrix-vector (folded)
      {{3}, {5, 3, 4}, {5, 4}},                // vector @ batch: prepend, squeeze
      {{5, 2, 3}, {3, 4}, {5, 2, 4}},          // batch @ matrix (folded)
      {{2, 3}, {5, 3, 4}, {5, 2, 4}},          // matrix @ batch (broadcast)
      {{2, 1, 2, 3}, {5, 3, 4}, {2, 5, 2, 4}}, // batch dims broadcast
      {{7, 1, 2, 3}, {1, 3, 3, 2}, {7, 3, 2, 2}},
      {{0, 2, 3}, {3, 4}, {0, 2, 4}}, // empty batch
      {{0, 2, 3}, {1, 3, 4}, {0, 2, 4}},
  };
  for (auto const& c : cases) {
    CAPTURE(c.a.size());
    CAPTURE(c.b.size());
    Tensor const a = randn(c.a, gen);
    Tensor const b = randn(c.b, gen);
    Tensor const got = matmul(a, b);
    REQUIRE(sizes_are(got, c.out));
    CHECK(allclose(got, reference_matmul(a, b).to(dtype::float32), {.rtol = 1e-5, .atol = 1e-5}));
  }
  // dot product by hand: 1*4 + 2*5 + 3*6
  Tensor const dot = matmul(from<double>({1, 2, 3}), from<double>({4, 5, 6}));
  CHECK(dot.dim() == 0);
  CHECK(dot.item<double>() == 32.0);
}

TEST_CASE_TEMPLATE("matmul in reduced precision and integers", T, xport::half, xport::bfloat16,
                   std::int64_t) {
  Tensor const a = arange(0, 12, 1, {.dtype = dtype_of<T>}).reshape({2, 2, 3});
  Tensor const b = arange(0, 3, 1, {.dtype = dtype_of<T>});
  Tensor const got = matmul(a, b); // rows of a dotted with [0, 1, 2]
  CHECK(got.dtype() == dtype_of<T>);
  CHECK(equal(got, from<std::int64_t>({{5, 14}, {23, 32}})));
}

TEST_CASE("matmul with a broadcast (stride 0) batch operand and a sliced one") {
  Generator gen(3);
  Tensor const a = randn({1, 2, 3}, gen).expand({4, 2, 3});
  Tensor const b = randn({4, 6, 5}, gen).narrow(1, 1, 3); // [4, 3, 5], offset and gaps
  CHECK(allclose(matmul(a, b), reference_matmul(a, b).to(dtype::float32),
                 {.rtol = 1e-5, .atol = 1e-5}));
}

TEST_CASE("addmm: beta and alpha, broadcast self, beta 0 ignores NaN") {
  Tensor const m1 = from<float>({{1, 2}, {3, 4}});
  Tensor const m2 = from<float>({{1, 0}, {0, 1}});
  Tensor const bias = from<float>({10, 20});
  CHECK(equal(addmm(bias, m1, m2), from<float>({{11, 22}, {13, 24}})));
  CHECK(equal(addmm(bias, m1, m2, 0.5, 2), from<float>({{7, 14}, {11, 18}})));
  Tensor const nan = full({2, 2}, std::numeric_limits<float>::quiet_NaN());
  CHECK(equal(addmm(nan, m1, m2, 0), m1));
  Tensor const inty = from<std::int64_t>({{1, 2}, {3, 4}});
  CHECK(equal(addmm(from<std::int64_t>({1}), inty, inty, 2, 3),
              from<std::int64_t>({{23, 32}, {47, 68}})));
  CHECK_THROWS_WITH_AS(addmm(from<std::int64_t>({1}), inty, inty, 0.5),
                       doctest::Contains("argument beta must not be a floating point number"),
                       dtype_error);
  CHECK_THROWS_WITH_AS(addmm(from<float>({1, 2, 3}), m1, m2),
                       doctest::Contains("The expanded size of the tensor (2) must match the "
                                         "existing size (3) at non-singleton dimension 1"),
                       shape_error);
}

TEST_CASE("baddbmm") {
  Generator gen(5);
  Tensor const self = randn({1, 2, 4}, gen);
  Tensor const b1 = randn({3, 2, 5}, gen);
  Tensor const b2 = randn({3, 5, 4}, gen);
  Tensor const expected = reference_matmul(b1, b2).to(dtype::float32);
  Tensor const got = baddbmm(self, b1, b2, 1, 2);
  for (std::int64_t i = 0; i < 3; ++i)
    for (std::int64_t j = 0; j < 2; ++j)
      for (std::int64_t q = 0; q < 4; ++q)
        CHECK(got.at<float>({i, j, q})
              == doctest::Approx(self.at<float>({0, j, q}) + 2 * expected.at<float>({i, j, q}))
                     .epsilon(1e-5));
  Tensor const nan = full({3, 2, 4}, std::numeric_limits<float>::quiet_NaN());
  CHECK(allclose(baddbmm(nan, b1, b2, 0), expected, {.rtol = 1e-5, .atol = 1e-5}));
}

TEST_CASE_TEMPLATE("linear over leading dims, with and without bias", T, float, double, xport::half,
                   xport::bfloat16) {
  Tensor const x = arange(0, 12, 1, {.dtype = dtype_of<T>}).reshape({2, 2, 3});
  Tensor const w = from<T>({{T(1), T(0), T(0)}, {T(0), T(1), T(1)}}); // [2, 3]
  Tensor const bias = from<T>({T(100), T(200)});
  Tensor const y = linear(x, w, bias);
  CHECK(y.dtype() == dtype_of<T>);
  CHECK(equal(y, from<float>({100, 203, 103, 209, 106, 215, 109, 221}).reshape({2, 2, 2})));
  CHECK(equal(linear(x, w), from<float>({0, 3, 3, 9, 6, 15, 9, 21}).reshape({2, 2, 2})));
  // 1-D input, and a weight stored transposed (non-contiguous)
  Tensor const wt = from<T>({{T(1), T(0)}, {T(0), T(1)}, {T(0), T(1)}}).t();
  CHECK(equal(linear(from<T>({T(1), T(2), T(3)}), wt, bias), from<float>({101, 205})));
}

TEST_CASE("linear with an empty batch and a broadcast bias") {
  Tensor const y = linear(zeros({0, 5, 3}), ones({4, 3}), ones({4}));
  CHECK(sizes_are(y, {0, 5, 4}));
  Tensor const z = linear(ones({2, 3}), ones({4, 3}), from<float>({{1}, {2}})); // bias [2, 1]
  CHECK(equal(z, from<float>({{4, 4, 4, 4}, {5, 5, 5, 5}})));
}

TEST_CASE("bad inputs name both shapes in PyTorch's words") {
  CHECK_THROWS_WITH_AS(mm(zeros({2, 3}), zeros({4, 5})),
                       doctest::Contains("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"),
                       shape_error);
  CHECK_THROWS_WITH_AS(mm(zeros({2, 3}), zeros({3, 4}, {.dtype = dtype::float64})),
                       doctest::Contains("expected m1 and m2 to have the same dtype, but got: "
                                         "float != double"),
                       dtype_error);
  CHECK_THROWS_WITH_AS(mm(zeros({2, 3, 1}), zeros({3, 4})), doctest::Contains("must be a matrix"),
                       shape_error);
  CHECK_THROWS_WITH_AS(
      mm(zeros({2, 2}, {.dtype = dtype::bool_}), zeros({2, 2}, {.dtype = dtype::bool_})),
      doctest::Contains("not implemented for 'Bool'"), dtype_error);
  CHECK_THROWS_WITH_AS(bmm(zeros({2, 2, 3}), zeros({2, 4, 5})),
                       doctest::Contains("Expected size for first two dimensions of batch2 tensor "
                                         "to be: [2, 3] but got: [2, 4]"),
                       shape_error);
  CHECK_THROWS_WITH_AS(matmul(zeros({3}), zeros({4})),
                       doctest::Contains("expected tensor [3] and src [4]"), shape_error);
  CHECK_THROWS_WITH_AS(matmul(zeros({2, 3}), zeros({4})),
                       doctest::Contains("size mismatch, got input (2), mat (2x3), vec (4)"),
                       shape_error);
  CHECK_THROWS_WITH_AS(matmul(zeros({3}), zeros({4, 5})),
                       doctest::Contains("mat1 and mat2 shapes cannot be multiplied (1x3 and 4x5)"),
                       shape_error);
  CHECK_THROWS_WITH_AS(matmul(zeros({2, 2, 3}), zeros({4, 5})),
                       doctest::Contains("mat1 and mat2 shapes cannot be multiplied (4x3 and 4x5)"),
                       shape_error);
  CHECK_THROWS_WITH_AS(
      matmul(zeros({2, 2, 3}), zeros({3, 3, 5})),
      doctest::Contains("The size of tensor a (2) must match the size of tensor b (3)"),
      shape_error);
  CHECK_THROWS_WITH_AS(matmul(zeros({2, 2, 3}), zeros({2, 4, 5})),
                       doctest::Contains("[2, 3] but got: [2, 4]"), shape_error);
  CHECK_THROWS_WITH_AS(matmul(zeros({}), zeros({3})), doctest::Contains("0D and 1D"), shape_error);
  CHECK_THROWS_WITH_AS(linear(zeros({2, 3, 4}), zeros({5, 6})),
                       doctest::Contains("mat1 and mat2 shapes cannot be multiplied (6x4 and 6x5)"),
                       shape_error);
  CHECK_THROWS_WITH_AS(linear(zeros({2, 4}), zeros({5, 4}), zeros({4})),
                       doctest::Contains("Target sizes: [2, 5].  Tensor sizes: [4]"), shape_error);
  CHECK_THROWS_WITH_AS(linear(zeros({2, 4}), zeros({5, 4}), zeros({5}, {.dtype = dtype::float64})),
                       doctest::Contains("must have the same dtype, but got Double and Float"),
                       dtype_error);
}
