// xport::kernels::cpu::gemm and gemm_batched against a naive triple loop in double precision.
// Built twice: "kernels/cpu/gemm" (portable loop) and, where OpenBLAS is installed,
// "kernels/cpu/gemm.blas" (the same cases through OpenBLAS).
#include <xport/kernels/cpu/gemm.hpp>
#include <xport/kernels/cpu/linalg.hpp>

#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace {

using xport::dtype;
using xport::Tensor;

// alpha * a @ b + beta * out0 in double, for 2-D or 3-D operands of any layout; beta == 0
// ignores out0 entirely (BLAS's rule).
std::vector<double> reference(Tensor const& a, Tensor const& b, Tensor const& out0, double alpha,
                              double beta) {
  Tensor const a3 = a.dim() == 2 ? a.unsqueeze(0) : a;
  Tensor const b3 = b.dim() == 2 ? b.unsqueeze(0) : b;
  Tensor const c3 = out0.dim() == 2 ? out0.unsqueeze(0) : out0;
  Tensor const ad = a3.to(dtype::float64).contiguous();
  Tensor const bd = b3.to(dtype::float64).contiguous();
  Tensor const cd = c3.to(dtype::float64).contiguous();
  std::int64_t const batch = a3.size(0), m = a3.size(1), k = a3.size(2), n = b3.size(2);
  double const* pa = ad.data_ptr<double>();
  double const* pb = bd.data_ptr<double>();
  double const* pc = cd.data_ptr<double>();
  std::vector<double> result(static_cast<std::size_t>(batch * m * n));
  for (std::int64_t t = 0; t < batch; ++t)
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (std::int64_t p = 0; p < k; ++p)
          sum += pa[(t * m + i) * k + p] * pb[(t * k + p) * n + j];
        std::int64_t const at = (t * m + i) * n + j;
        result[static_cast<std::size_t>(at)] = alpha * sum + (beta == 0 ? 0.0 : beta * pc[at]);
      }
  return result;
}

std::vector<double> values_of(Tensor const& t) {
  Tensor const d = t.to(dtype::float64).contiguous();
  return {d.data_ptr<double>(), d.data_ptr<double>() + d.numel()};
}

double tolerance(dtype type) {
  switch (type) {
  case dtype::float32:
    return 1e-5;
  case dtype::float64:
    return 1e-12;
  case dtype::float16:
    return 2e-3;
  case dtype::bfloat16:
    return 1.6e-2;
  default:
    return 0.0;
  }
}

// Relative to the size of the terms, not of the (possibly cancelling) result.
void check_close(Tensor const& actual, std::vector<double> const& expected, double scale,
                 dtype type) {
  std::vector<double> const got = values_of(actual);
  REQUIRE(got.size() == expected.size());
  double worst = 0;
  for (std::size_t i = 0; i < got.size(); ++i)
    worst = std::max(worst, std::abs(got[i] - expected[i]));
  CHECK(worst <= tolerance(type) * scale);
}

// A rows x cols view of `type` with a chosen layout, filled from `gen`; each layout lives
// in a bigger storage so that strides and offsets are not the trivial ones.
enum class layout { row_major, column_major, row_step, both_steps, expanded_rows };

Tensor make(std::int64_t rows, std::int64_t cols, layout kind, xport::Generator& gen, dtype type) {
  auto const fill = [&](xport::int_list sizes) { return xport::randn(sizes, gen).to(type); };
  switch (kind) {
  case layout::row_major:
    return fill({rows, cols});
  case layout::column_major:
    return fill({cols, rows}).t();
  case layout::row_step: // lda = 2 * cols + 1: BLAS takes it without a copy
    return fill({2 * rows, 2 * cols + 1}).slice(0, 0, 2 * rows, 2).narrow(1, 1, cols);
  case layout::both_steps: // no unit stride at all, storage offset 1 row + 2 columns
    return fill({2 * rows + 1, 3 * cols + 2})
        .slice(0, 1, std::nullopt, 2)
        .slice(1, 2, std::nullopt, 3);
  case layout::expanded_rows: // row stride 0
    return fill({1, cols}).expand({rows, cols});
  }
  return {};
}

constexpr layout all_layouts[] = {layout::row_major, layout::column_major, layout::row_step,
                                  layout::both_steps, layout::expanded_rows};
constexpr layout out_layouts[] = {layout::row_major, layout::column_major, layout::row_step,
                                  layout::both_steps};

struct mnk {
  std::int64_t m, k, n;
};
// Square, skinny, and the single row / single column shapes that go to gemv.
constexpr mnk shapes[] = {{5, 7, 3}, {1, 9, 6}, {6, 9, 1}, {1, 1, 1}, {4, 1, 5}, {1, 8, 1}};

} // namespace

TEST_CASE("gemm backend is the one the build asked for") {
#if defined(XPORT_HAS_CBLAS) && XPORT_HAS_CBLAS
  CHECK(xport::kernels::cpu::gemm_backend == "openblas");
#else
  CHECK(xport::kernels::cpu::gemm_backend == "portable");
#endif
}

TEST_CASE_TEMPLATE("gemm matches the naive product for every layout of a, b and out", T, float,
                   double) {
  dtype const type = xport::dtype_of<T>;
  xport::Generator gen(7);
  struct scaling {
    double alpha, beta;
  };
  for (mnk const s : shapes)
    for (layout const la : all_layouts)
      for (layout const lb : all_layouts)
        for (layout const lc : out_layouts)
          for (scaling const ab : {scaling{1, 0}, scaling{0.5, -2}}) {
            CAPTURE(s.m);
            CAPTURE(s.k);
            CAPTURE(s.n);
            CAPTURE(static_cast<int>(la));
            CAPTURE(static_cast<int>(lb));
            CAPTURE(static_cast<int>(lc));
            CAPTURE(ab.beta);
            Tensor const a = make(s.m, s.k, la, gen, type);
            Tensor const b = make(s.k, s.n, lb, gen, type);
            Tensor const out = make(s.m, s.n, lc, gen, type);
            auto const expected = reference(a, b, out, ab.alpha, ab.beta);
            auto const strides_before =
                std::vector<std::int64_t>(out.strides().begin(), out.strides().end());
            xport::kernels::cpu::gemm(a, b, out, ab.alpha, ab.beta);
            check_close(out, expected, static_cast<double>(s.k) * 4, type);
            // out is written in place: the caller's view still holds the result.
            CHECK(std::vector<std::int64_t>(out.strides().begin(), out.strides().end())
                  == strides_before);
          }
}

TEST_CASE_TEMPLATE("gemm on shapes large enough for blocked kernels", T, float, double) {
  dtype const type = xport::dtype_of<T>;
  xport::Generator gen(11);
  Tensor const a = make(70, 130, layout::row_major, gen, type);
  Tensor const b = make(130, 90, layout::column_major, gen, type);
  Tensor const out = make(70, 90, layout::row_major, gen, type);
  auto const expected = reference(a, b, out, 1.5, 1);
  xport::kernels::cpu::gemm(a, b, out, 1.5, 1);
  check_close(out, expected, 130 * 4, type);
}

TEST_CASE("gemm computes a known product exactly") {
  Tensor const a = xport::from<float>({{1, 2, 3}, {4, 5, 6}});
  Tensor const b = xport::from<float>({{7, 8}, {9, 10}, {11, 12}});
  Tensor const out = xport::full({2, 2}, 1.0);
  xport::kernels::cpu::gemm(a, b, out, 2, 10);
  // [[58, 64], [139, 154]] * 2 + 10
  CHECK(values_of(out) == std::vector<double>{126, 138, 288, 318});
}

TEST_CASE_TEMPLATE("beta = 0 ignores NaN in out, for gemm and gemv shapes", T, float, double) {
  dtype const type = xport::dtype_of<T>;
  xport::Generator gen(3);
  for (mnk const s : shapes) {
    CAPTURE(s.m);
    CAPTURE(s.n);
    Tensor const a = make(s.m, s.k, layout::row_major, gen, type);
    Tensor const b = make(s.k, s.n, layout::row_major, gen, type);
    Tensor const out =
        xport::full({s.m, s.n}, std::numeric_limits<double>::quiet_NaN(), {.dtype = type});
    xport::kernels::cpu::gemm(a, b, out);
    check_close(out, reference(a, b, out, 1, 0), static_cast<double>(s.k) * 4, type);
  }
}

TEST_CASE("alpha = 0 gives beta * out without reading a or b") {
  Tensor const a = xport::full({2, 3}, std::numeric_limits<double>::quiet_NaN());
  Tensor const b = xport::ones({3, 2});
  Tensor const out = xport::full({2, 2}, 4.0);
  xport::kernels::cpu::gemm(a, b, out, 0, 0.5);
  CHECK(values_of(out) == std::vector<double>{2, 2, 2, 2});
}

TEST_CASE("empty dimensions: k = 0 gives beta * out; m = 0 or n = 0 writes nothing") {
  SUBCASE("k = 0, beta = 0 clears out, NaN included") {
    Tensor const out = xport::full({3, 4}, std::numeric_limits<double>::quiet_NaN());
    xport::kernels::cpu::gemm(xport::empty({3, 0}), xport::empty({0, 4}), out);
    CHECK(values_of(out) == std::vector<double>(12, 0.0));
  }
  SUBCASE("k = 0 scales a strided out") {
    Tensor const store = xport::full({3, 8}, 2.0, {.dtype = dtype::float64});
    Tensor const out = store.slice(1, 0, std::nullopt, 2);
    xport::kernels::cpu::gemm(xport::empty({3, 0}, {.dtype = dtype::float64}),
                              xport::empty({0, 4}, {.dtype = dtype::float64}), out, 1, 3);
    CHECK(values_of(out) == std::vector<double>(12, 6.0));
    CHECK(values_of(store.slice(1, 1, std::nullopt, 2)) == std::vector<double>(12, 2.0));
  }
  SUBCASE("k = 0 for integers") {
    Tensor const out = xport::full({2, 2}, 5, {.dtype = dtype::int32});
    xport::kernels::cpu::gemm(xport::empty({2, 0}, {.dtype = dtype::int32}),
                              xport::empty({0, 2}, {.dtype = dtype::int32}), out, 1, -2);
    CHECK(values_of(out) == std::vector<double>(4, -10.0));
  }
  SUBCASE("m = 0 and n = 0") {
    CHECK_NOTHROW(
        xport::kernels::cpu::gemm(xport::ones({0, 3}), xport::ones({3, 4}), xport::empty({0, 4})));
    CHECK_NOTHROW(
        xport::kernels::cpu::gemm(xport::ones({2, 3}), xport::ones({3, 0}), xport::empty({2, 0})));
    CHECK_NOTHROW(xport::kernels::cpu::gemm_batched(xport::ones({0, 2, 3}), xport::ones({0, 3, 4}),
                                                    xport::empty({0, 2, 4})));
  }
}

TEST_CASE("out may share storage with a and b") {
  Tensor const square = xport::from<double>({{1, 2}, {3, 4}});
  Tensor const before = square.clone();
  xport::kernels::cpu::gemm(square, square, square);
  CHECK(values_of(square) == std::vector<double>{7, 10, 15, 22});
  // out writes one half of a storage whose other half is b
  Tensor const store = xport::from<double>({{1, 2, 2, 1}, {3, 4, 3, 1}});
  xport::kernels::cpu::gemm(store.narrow(1, 2, 2), store.narrow(1, 0, 2).t(),
                            store.narrow(1, 0, 2));
  // [[2, 1], [3, 1]] @ [[1, 3], [2, 4]] = [[4, 10], [5, 13]]
  CHECK(values_of(store) == std::vector<double>{4, 10, 2, 1, 5, 13, 3, 1});
  CHECK(values_of(before) == std::vector<double>{1, 2, 3, 4});
}

TEST_CASE_TEMPLATE("gemm_batched matches the naive product, any batch stride", T, float, double) {
  dtype const type = xport::dtype_of<T>;
  xport::Generator gen(5);
  auto const fill = [&](xport::int_list sizes) { return xport::randn(sizes, gen).to(type); };
  SUBCASE("contiguous") {
    Tensor const a = fill({4, 5, 3}), b = fill({4, 3, 2}), out = fill({4, 5, 2});
    auto const expected = reference(a, b, out, 1, 0);
    xport::kernels::cpu::gemm_batched(a, b, out);
    check_close(out, expected, 12, type);
  }
  SUBCASE("transposed matrices, a broadcast (stride 0) batch, out batch in the middle") {
    Tensor const a = fill({4, 3, 5}).transpose(1, 2);
    Tensor const b = fill({3, 2}).expand({4, 3, 2});
    Tensor const out = fill({5, 4, 2}).permute({1, 0, 2});
    auto const expected = reference(a, b, out, -1, 0.25);
    xport::kernels::cpu::gemm_batched(a, b, out, -1, 0.25);
    check_close(out, expected, 12, type);
  }
  // One b for the whole batch (stride 0, as PyTorch's decomposed linear layers make): the
  // BLAS build regroups the rows into fewer, taller products.
  SUBCASE("one b for the batch: contiguous a and out, merged into one product") {
    Tensor const a = fill({6, 4, 3}), b = fill({3, 2}).expand({6, 3, 2}), out = fill({6, 4, 2});
    auto const expected = reference(a, b, out, 1, 0);
    xport::kernels::cpu::gemm_batched(a, b, out);
    check_close(out, expected, 12, type);
  }
  SUBCASE("one b for the batch: single-row matrices of a permuted a") {
    Tensor const a = fill({1, 6, 3}).permute({1, 0, 2}), b = fill({3, 2}).expand({6, 3, 2});
    Tensor const out = fill({6, 1, 2});
    auto const expected = reference(a, b, out, 1, 0.5);
    xport::kernels::cpu::gemm_batched(a, b, out, 1, 0.5);
    check_close(out, expected, 12, type);
  }
  SUBCASE("one b for the batch: batch and rows trade places, out permuted or not") {
    Tensor const a = fill({4, 6, 3}).permute({1, 0, 2}), b = fill({3, 2}).expand({6, 3, 2});
    for (Tensor const& out : {fill({6, 4, 2}), fill({4, 6, 2}).permute({1, 0, 2})}) {
      auto const expected = reference(a, b, out, 2, 0);
      xport::kernels::cpu::gemm_batched(a, b, out, 2);
      check_close(out, expected, 24, type);
    }
  }
  SUBCASE("stepped slices with offsets and single-row matrices") {
    Tensor const a = fill({9, 3, 8}).slice(0, 1, std::nullopt, 2).narrow(1, 1, 1);
    Tensor const b = fill({4, 8, 6}).slice(2, 0, std::nullopt, 2);
    Tensor const out = fill({4, 1, 3});
    auto const expected = reference(a, b, out, 1, 1);
    xport::kernels::cpu::gemm_batched(a, b, out, 1, 1);
    check_close(out, expected, 32, type);
  }
}

TEST_CASE_TEMPLATE("float16 and bfloat16 accumulate in float32", T, xport::half, xport::bfloat16) {
  dtype const type = xport::dtype_of<T>;
  xport::Generator gen(9);
  Tensor const a = make(6, 40, layout::column_major, gen, type);
  Tensor const b = make(40, 5, layout::both_steps, gen, type);
  Tensor const out = make(6, 5, layout::row_major, gen, type);
  // The reference reads the same rounded inputs; only the final rounding may differ.
  auto const expected = reference(a, b, out, 1, 1);
  xport::kernels::cpu::gemm(a, b, out, 1, 1);
  check_close(out, expected, 40 * 4, type);
  Tensor const batched = xport::zeros({2, 6, 5}, {.dtype = type});
  xport::kernels::cpu::gemm_batched(a.expand({2, 6, 40}), b.expand({2, 40, 5}), batched);
  check_close(batched.select(0, 1), reference(a, b, out, 1, 0), 40 * 4, type);
}

TEST_CASE_TEMPLATE("integer gemm is exact and wraps like PyTorch", T, std::int64_t, std::int32_t,
                   std::int16_t, std::int8_t, std::uint8_t) {
  dtype const type = xport::dtype_of<T>;
  Tensor const a = xport::arange(0, 12).to(type).view({3, 4});
  Tensor const b = xport::arange(0, 8).to(type).view({2, 4}).t(); // column-major
  Tensor const out = xport::full({3, 2}, 1, {.dtype = type});
  xport::kernels::cpu::gemm(a, b, out, 2, 3);
  // a @ b = [[14, 38], [38, 126], [62, 214]]; 255 and 431 wrap in 8 bits
  auto const wrap = [](std::int64_t v) { return static_cast<double>(static_cast<T>(v)); };
  CHECK(values_of(out)
        == std::vector<double>{wrap(31), wrap(79), wrap(79), wrap(255), wrap(127), wrap(431)});
}

TEST_CASE("integer overflow wraps modulo 2^bits") {
  Tensor const out8 = xport::zeros({1, 1}, {.dtype = dtype::int8});
  xport::kernels::cpu::gemm(xport::from<std::int8_t>({{100, 100}}),
                            xport::from<std::int8_t>({{1}, {1}}), out8);
  CHECK(out8.at<std::int8_t>({0, 0}) == -56);
  Tensor const out64 = xport::zeros({1, 1}, {.dtype = dtype::int64});
  std::int64_t const big = std::numeric_limits<std::int64_t>::max();
  xport::kernels::cpu::gemm(xport::from<std::int64_t>({{big}}), xport::from<std::int64_t>({{2}}),
                            out64);
  CHECK(out64.at<std::int64_t>({0, 0}) == -2);
}

TEST_CASE("gemm refuses bad ranks, sizes, dtypes and outs with PyTorch's words") {
  Tensor const a = xport::ones({3, 4});
  Tensor const b = xport::ones({5, 6});
  CHECK_THROWS_WITH_AS(xport::kernels::cpu::gemm(a, b, xport::empty({3, 6})),
                       doctest::Contains("mat1 and mat2 shapes cannot be multiplied (3x4 and 5x6)"),
                       xport::shape_error);
  CHECK_THROWS_WITH_AS(xport::kernels::cpu::gemm(xport::ones({4}), b, xport::empty({3, 6})),
                       doctest::Contains("mat1 must be a matrix, got 1-D tensor"),
                       xport::shape_error);
  CHECK_THROWS_WITH_AS(xport::kernels::cpu::gemm(a, xport::ones({2, 4, 6}), xport::empty({3, 6})),
                       doctest::Contains("mat2 must be a matrix, got 3-D tensor"),
                       xport::shape_error);
  CHECK_THROWS_WITH_AS(
      xport::kernels::cpu::gemm(a, xport::ones({4, 6}), xport::empty({3, 5})),
      doctest::Contains("expected out to have size [3, 6] (mat1 @ mat2), but got [3, 5]"),
      xport::shape_error);
  CHECK_THROWS_WITH_AS(
      xport::kernels::cpu::gemm(a, xport::ones({4, 6}, {.dtype = dtype::float64}),
                                xport::empty({3, 6})),
      doctest::Contains("expected mat1 and mat2 to have the same dtype, but got: torch.float32 != "
                        "torch.float64"),
      xport::dtype_error);
  CHECK_THROWS_WITH_AS(xport::kernels::cpu::gemm(a, xport::ones({4, 6}),
                                                 xport::empty({3, 6}, {.dtype = dtype::float16})),
                       doctest::Contains("expected out to have the same dtype as mat1 and mat2 "
                                         "(torch.float32), but got torch.float16"),
                       xport::dtype_error);
  Tensor const flags = xport::ones({2, 2}, {.dtype = dtype::bool_});
  CHECK_THROWS_WITH_AS(xport::kernels::cpu::gemm(flags, flags, flags.clone()),
                       doctest::Contains("not implemented for 'Bool'"), xport::dtype_error);
  Tensor const ints = xport::ones({2, 2}, {.dtype = dtype::int32});
  CHECK_THROWS_WITH_AS(xport::kernels::cpu::gemm(ints, ints, ints.clone(), 0.5),
                       doctest::Contains("argument alpha must not be a floating point number"),
                       xport::dtype_error);
  CHECK_THROWS_WITH_AS(xport::kernels::cpu::gemm(ints, ints, ints.clone(), 1, 1.5),
                       doctest::Contains("argument beta must not be a floating point number"),
                       xport::dtype_error);
  CHECK_THROWS_WITH_AS(
      xport::kernels::cpu::gemm(a, xport::ones({4, 6}), xport::zeros({1, 6}).expand({3, 6})),
      doctest::Contains("more than one element of the written-to tensor"), xport::value_error);
  CHECK_THROWS_WITH_AS(
      xport::kernels::cpu::gemm(a, xport::ones({4, 6}), xport::empty({3, 6}), 1e300),
      doctest::Contains("cannot be converted to type float32"), xport::value_error);
}

TEST_CASE("gemm_batched refuses bad ranks and sizes with PyTorch's words") {
  CHECK_THROWS_WITH_AS(xport::kernels::cpu::gemm_batched(
                           xport::ones({2, 3}), xport::ones({2, 3, 4}), xport::empty({2, 3, 4})),
                       doctest::Contains("batch1 must be a 3D tensor, got 2-D tensor"),
                       xport::shape_error);
  CHECK_THROWS_WITH_AS(
      xport::kernels::cpu::gemm_batched(xport::ones({2, 3, 4}), xport::ones({2, 5, 6}),
                                        xport::empty({2, 3, 6})),
      doctest::Contains("Expected size for first two dimensions of batch2 tensor to be: [2, 4] but "
                        "got: [2, 5]."),
      xport::shape_error);
  CHECK_THROWS_WITH_AS(xport::kernels::cpu::gemm_batched(
                           xport::ones({2, 3, 4}), xport::ones({3, 4, 6}), xport::empty({2, 3, 6})),
                       doctest::Contains("to be: [2, 4] but got: [3, 4]."), xport::shape_error);
  CHECK_THROWS_WITH_AS(
      xport::kernels::cpu::gemm_batched(xport::ones({2, 3, 4}), xport::ones({2, 4, 6}),
                                        xport::empty({2, 6, 3})),
      doctest::Contains("expected out to have size [2, 3, 6] (batch1 @ batch2), but got [2, 6, 3]"),
      xport::shape_error);
}

// linear and addmm start from the bias copied into every row of out (then gemm adds to
// it): rows are copied after themselves in doubling blocks up to a cap, then the block is
// repeated. Counts of rows around each boundary, rows wider than the cap, a 1-D out.
TEST_CASE("broadcast_rows writes the bias into every row") {
  xport::Generator gen(5);
  for (std::int64_t const n : {1, 7, 5000}) {
    Tensor const bias = xport::randn({n}, gen);
    std::vector<float> const expected(bias.data_ptr<float>(), bias.data_ptr<float>() + n);
    for (std::int64_t const rows : {1, 2, 3, 64, 1000, 1024, 1025, 4099}) {
      CAPTURE(n);
      CAPTURE(rows);
      Tensor const out = xport::full({rows, n}, -1.0);
      xport::kernels::cpu::detail::broadcast_rows(bias, out);
      float const* p = out.data_ptr<float>();
      std::int64_t wrong = 0;
      for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t j = 0; j < n; ++j)
          wrong += p[r * n + j] != expected[static_cast<std::size_t>(j)];
      CHECK(wrong == 0);
    }
  }
  Tensor const vector_out = xport::zeros({4});
  xport::kernels::cpu::detail::broadcast_rows(xport::arange(4).to(dtype::float32), vector_out);
  CHECK(vector_out.data_ptr<float>()[3] == 3.0f);
  // No rows: nothing is written (the first row of the storage behind the view stays).
  Tensor const storage = xport::full({2, 3}, -1.0);
  xport::kernels::cpu::detail::broadcast_rows(xport::ones({3}), storage.narrow(0, 0, 0));
  CHECK(storage.data_ptr<float>()[0] == -1.0f);
}

// The products linear, mm and addmm run on the matrices straight away where BLAS takes
// them as they are, else through gemm: both agree with the naive product, for every beta.
TEST_CASE("linear, mm and addmm: direct and copied layouts, beta, empty batches") {
  xport::Generator gen(6);
  Tensor const x = xport::randn({5, 4}, gen);
  Tensor const w = xport::randn({3, 4}, gen); // linear's weight [n, k]
  Tensor const bias = xport::randn({3}, gen);
  std::vector<Tensor> const in{x, w, bias};
  for (bool const strided : {false, true}) {
    CAPTURE(strided);
    // Every other column: BLAS cannot write it as it lies, so gemm copies.
    Tensor const out = strided ? xport::empty({5, 6}).slice(1, 0, 6, 2) : xport::empty({5, 3});
    std::vector<Tensor> outs{out};
    xport::kernel<xport::ops::linear, xport::cpu_t>::run({}, in, outs);
    std::vector<double> const want = reference(x, w.t(), bias.expand({5, 3}), 1.0, 1.0);
    Tensor const got = out.contiguous();
    for (std::size_t i = 0; i < want.size(); ++i)
      CHECK(got.data_ptr<float>()[i] == doctest::Approx(want[i]).epsilon(1e-5));
  }
  // addmm with beta 0.5 and alpha 1 (direct), and with alpha 2 (through gemm).
  for (double const alpha : {1.0, 2.0}) {
    CAPTURE(alpha);
    Tensor const self = xport::randn({5, 3}, gen);
    Tensor const out = xport::empty({5, 3});
    std::vector<Tensor> outs{out};
    xport::kernel<xport::ops::addmm, xport::cpu_t>::run({.beta = 0.5, .alpha = alpha},
                                                        std::vector<Tensor>{self, x, w.t()}, outs);
    std::vector<double> const want = reference(x, w.t(), self, alpha, 0.5);
    for (std::size_t i = 0; i < want.size(); ++i)
      CHECK(out.data_ptr<float>()[i] == doctest::Approx(want[i]).epsilon(1e-5));
  }
  // A beta float32 cannot hold is refused, as by gemm.
  std::vector<Tensor> outs{xport::empty({5, 3})};
  CHECK_THROWS_WITH_AS(
      (xport::kernel<xport::ops::addmm, xport::cpu_t>::run(
          {.beta = 1e300, .alpha = 1}, std::vector<Tensor>{xport::zeros({5, 3}), x, w.t()}, outs)),
      "value 1e+300 cannot be converted to type float32 without overflow", xport::value_error);
  // An empty batch writes nothing.
  std::vector<Tensor> empty_out{xport::empty({0, 3})};
  xport::kernel<xport::ops::linear, xport::cpu_t>::run(
      {}, std::vector<Tensor>{xport::empty({0, 4}), w, bias}, empty_out);
  CHECK(empty_out[0].numel() == 0);
}
