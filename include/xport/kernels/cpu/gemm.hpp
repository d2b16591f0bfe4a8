//! @file
//! `xport::kernels::cpu::gemm` and `gemm_batched`: `out = alpha * a @ b + beta * out` on CPU
//! tensors, through OpenBLAS when the consumer links `xport::blas`, otherwise through a
//! portable loop.
//!
//! The backend is chosen per translation unit by the macro `XPORT_HAS_CBLAS`, which the
//! `xport::blas` CMake target defines (together with OpenBLAS's include directory and
//! library). The public functions live in an inline namespace named after the backend,
//! so translation units built with and without BLAS can share one program without an
//! ODR violation. See docs/gemm.md for why OpenBLAS rather than Eigen.
#pragma once

#include <xport/core/dtype.hpp>
#include <xport/core/error.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/scalar.hpp>
#include <xport/core/tensor.hpp>
#include <xport/kernels/parallel.hpp>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

//! @cond
#if defined(XPORT_HAS_CBLAS) && XPORT_HAS_CBLAS
#include <cblas.h>
#define XPORT_DETAIL_GEMM_BACKEND cblas_backend
#else
#define XPORT_DETAIL_GEMM_BACKEND portable_backend
#endif
//! @endcond

namespace xport::kernels::cpu {
// Everything that depends on the backend, internals included, is in the inline namespace,
// so a BLAS and a portable translation unit never define one inline function twice.
inline namespace XPORT_DETAIL_GEMM_BACKEND {
// Not `detail`: an inline namespace's `detail` would make `kernels::cpu::detail` ambiguous
// for every other kernel header.
namespace gemm_detail {

// One matrix of a (possibly batched) operand: element (i, j) of batch b is at
// data[b * batch_stride + i * row_stride + j * col_stride].
template <class T>
struct strided_matrix {
  T* data;
  std::int64_t batch_stride;
  std::int64_t row_stride;
  std::int64_t col_stride;
};

template <class T>
strided_matrix<T> matrix_of(Tensor const& t) {
  std::int64_t const batch_stride = t.dim() == 3 ? t.stride(0) : 0;
  return {t.data_ptr<std::remove_const_t<T>>(), batch_stride, t.stride(-2), t.stride(-1)};
}

// Integers are multiplied and summed modulo 2^64 and then narrowed, which is exactly the
// wrap-around that PyTorch's integer mm produces, without signed-overflow UB.
template <class T>
using accumulator_t = std::conditional_t<std::is_floating_point_v<T>, T, std::uint64_t>;

// c = alpha * a @ b + beta * c for one matrix, any strides. The row of a @ b is summed
// in `row` first so that beta == 0 ignores (does not propagate NaN from) the old c, as
// BLAS does, and alpha scales the sum rather than each product.
template <class T>
void portable_matrix(std::int64_t m, std::int64_t n, std::int64_t k, accumulator_t<T> alpha,
                     T const* a, std::int64_t a_rs, std::int64_t a_cs, T const* b,
                     std::int64_t b_rs, std::int64_t b_cs, accumulator_t<T> beta, T* c,
                     std::int64_t c_rs, std::int64_t c_cs,
                     xport::detail::scratch_vector<accumulator_t<T>>& row) {
  using acc = accumulator_t<T>;
  row.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < m; ++i) {
    std::fill(row.begin(), row.end(), acc{0});
    for (std::int64_t p = 0; p < k; ++p) {
      acc const a_ip = static_cast<acc>(a[i * a_rs + p * a_cs]);
      T const* b_p = b + p * b_rs;
      if (b_cs == 1) { // unit stride: the loop the compiler vectorizes
        for (std::int64_t j = 0; j < n; ++j)
          row[static_cast<std::size_t>(j)] += a_ip * static_cast<acc>(b_p[j]);
      } else {
        for (std::int64_t j = 0; j < n; ++j)
          row[static_cast<std::size_t>(j)] += a_ip * static_cast<acc>(b_p[j * b_cs]);
      }
    }
    T* c_i = c + i * c_rs;
    for (std::int64_t j = 0; j < n; ++j) {
      acc const product = alpha * row[static_cast<std::size_t>(j)];
      T& target = c_i[j * c_cs];
      target = static_cast<T>(beta == acc{0} ? product : product + beta * static_cast<acc>(target));
    }
  }
}

template <class T>
void portable_gemm(std::int64_t batch, std::int64_t m, std::int64_t n, std::int64_t k,
                   accumulator_t<T> alpha, strided_matrix<T const> a, strided_matrix<T const> b,
                   accumulator_t<T> beta, strided_matrix<T> c) {
  xport::detail::scratch_vector<accumulator_t<T>> row;
  for (std::int64_t i = 0; i < batch; ++i) {
    portable_matrix<T>(m, n, k, alpha, a.data + i * a.batch_stride, a.row_stride, a.col_stride,
                       b.data + i * b.batch_stride, b.row_stride, b.col_stride, beta,
                       c.data + i * c.batch_stride, c.row_stride, c.col_stride, row);
  }
}

// out = beta * out, where beta == 0 writes zeros (NaN in out does not survive): the
// whole result when k == 0 or alpha == 0.
template <class T>
void scale_in_place(Tensor const& out, accumulator_t<T> beta) {
  if (beta == accumulator_t<T>{0}) {
    out.copy_(xport::zeros({}, {.dtype = out.dtype()}));
    return;
  }
  Tensor const dense = out.contiguous();
  T* data = dense.data_ptr<T>();
  for (std::int64_t i = 0; i < dense.numel(); ++i)
    data[i] = static_cast<T>(beta * static_cast<accumulator_t<T>>(data[i]));
  if (!dense.is_same(out)) out.copy_(dense);
}

inline bool overlaps(Tensor const& a, Tensor const& b) {
  if (a.numel() == 0 || b.numel() == 0 || !a.storage().is_alias_of(b.storage())) return false;
  auto const [a_first, a_last] = xport::detail::storage_span(a);
  auto const [b_first, b_last] = xport::detail::storage_span(b);
  return a_first <= b_last && b_first <= a_last;
}

#if defined(XPORT_HAS_CBLAS) && XPORT_HAS_CBLAS

// How BLAS can read a rows x cols matrix with the given strides: row-major (unit column
// stride) or column-major (unit row stride) with a leading dimension that BLAS accepts
// (>= the other extent, fits in its int). A stride of a size-1 dimension never matters.
struct blas_layout {
  bool row_major;
  int ld;
};

inline std::optional<blas_layout> blas_layout_of(std::int64_t rows, std::int64_t cols,
                                                 std::int64_t row_stride, std::int64_t col_stride) {
  auto const fits = [](std::int64_t value) { return value >= 1 && value <= INT_MAX; };
  if (!fits(rows) || !fits(cols)) return std::nullopt;
  if (col_stride == 1 || cols == 1) {
    std::int64_t const ld = rows == 1 ? cols : row_stride;
    if (ld >= cols && fits(ld)) return blas_layout{true, static_cast<int>(ld)};
  }
  if (row_stride == 1 || rows == 1) {
    std::int64_t const ld = cols == 1 ? rows : col_stride;
    if (ld >= rows && fits(ld)) return blas_layout{false, static_cast<int>(ld)};
  }
  return std::nullopt;
}

inline bool blas_accepts(Tensor const& t) {
  return blas_layout_of(t.size(-2), t.size(-1), t.stride(-2), t.stride(-1)).has_value();
}

// OpenBLAS runs on threads of its own, which spin between calls as xport's pool does, so
// the two took cores from each other (the transformer of benchmarks/run_models ran 1.5x
// slower at 2 threads than at 1): xport keeps OpenBLAS at one thread and splits large
// products on its own pool instead (`blas_gemm`). Told again only when someone changed it.
inline void keep_blas_single_threaded() {
#if defined(OPENBLAS_VERSION)
  if (openblas_get_num_threads() != 1) openblas_set_num_threads(1);
#endif
}

inline double gemm_work(int m, int n, int k) {
  return static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k);
}

inline void blas_gemm_call(CBLAS_ORDER order, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n,
                           int k, float alpha, float const* a, int lda, float const* b, int ldb,
                           float beta, float* c, int ldc) {
  keep_blas_single_threaded();
  cblas_sgemm(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
inline void blas_gemm_call(CBLAS_ORDER order, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n,
                           int k, double alpha, double const* a, int lda, double const* b, int ldb,
                           double beta, double* c, int ldc) {
  keep_blas_single_threaded();
  cblas_dgemm(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
inline void blas_gemv_call(CBLAS_ORDER order, CBLAS_TRANSPOSE t, int m, int n, float alpha,
                           float const* a, int lda, float const* x, int incx, float beta, float* y,
                           int incy) {
  keep_blas_single_threaded();
  cblas_sgemv(order, t, m, n, alpha, a, lda, x, incx, beta, y, incy);
}
inline void blas_gemv_call(CBLAS_ORDER order, CBLAS_TRANSPOSE t, int m, int n, double alpha,
                           double const* a, int lda, double const* x, int incx, double beta,
                           double* y, int incy) {
  keep_blas_single_threaded();
  cblas_dgemv(order, t, m, n, alpha, a, lda, x, incx, beta, y, incy);
}

// A vector increment for BLAS: any non-zero stride that fits; 1 when the length is 1.
inline std::optional<int> blas_increment(std::int64_t length, std::int64_t stride) {
  if (length <= 1) return 1;
  if (stride == 0 || stride > INT_MAX) return std::nullopt;
  return static_cast<int>(stride);
}

// One matrix product through BLAS. A single row or column of output goes to gemv:
// OpenBLAS 0.3.21's gemm does not forward these shapes and is several times slower than
// its gemv on them (docs/gemm.md has the numbers). A vector stride that gemv cannot take
// (0 on an expanded operand) goes to gemm instead.
template <class T>
void blas_matrix(int m, int n, int k, T alpha, T const* a, blas_layout la, std::int64_t a_cs,
                 T const* b, blas_layout lb, std::int64_t b_rs, T beta, T* c, blas_layout lc,
                 std::int64_t c_rs, std::int64_t c_cs) {
  if (n == 1 || m == 1) {
    // out[:, 0] = A @ b[:, 0]   or   out[0, :] = B^T @ a[0, :]
    bool const column = n == 1;
    auto const incx = column ? blas_increment(k, b_rs) : blas_increment(k, a_cs);
    auto const incy = column ? blas_increment(m, c_rs) : blas_increment(n, c_cs);
    if (incx && incy) {
      blas_layout const lm = column ? la : lb;
      T const* matrix = column ? a : b;
      T const* x = column ? b : a;
      int const length = column ? m : n;
      if (beta == T{0}) { // gemv's beta == 0 must not depend on the old (maybe NaN) y
        for (int i = 0; i < length; ++i)
          c[static_cast<std::int64_t>(i) * (column ? c_rs : c_cs)] = T{0};
      }
      CBLAS_ORDER const order = lm.row_major ? CblasRowMajor : CblasColMajor;
      // The stored matrix is m x k (column case, no transpose) or k x n (row case,
      // transposed); gemv takes its extents as stored in `order`.
      int const rows = column ? m : k;
      int const cols = column ? k : n;
      blas_gemv_call(order, column ? CblasNoTrans : CblasTrans, rows, cols, alpha, matrix, lm.ld, x,
                     *incx, beta, c, *incy);
      return;
    }
  }
  CBLAS_ORDER const order = lc.row_major ? CblasRowMajor : CblasColMajor;
  auto const trans = [&](blas_layout l) {
    return l.row_major == lc.row_major ? CblasNoTrans : CblasTrans;
  };
  blas_gemm_call(order, trans(la), trans(lb), m, n, k, alpha, a, la.ld, b, lb.ld, beta, c, lc.ld);
}

// The fewest multiply-adds a piece of a product split on the pool gets: about 20 us of
// one core, far above what handing work to a worker costs, and above OpenBLAS's
// small-matrix limit (10^6 on Skylake-X), so every piece takes the same kernel as the
// whole product and the result has the same bits at every thread count.
inline constexpr double pool_piece_work = 1024.0 * 1024;

// Rows or columns of out per panel when one product is split: a multiple of every register
// block of OpenBLAS's kernels along the dimension split (12 on Haswell and Zen, 16 on
// Skylake-X, 4 to 24 elsewhere), so that pieces keep whole blocks.
inline constexpr std::int64_t split_panel = 48;

// A batch whose matrices all multiply the same b (batch stride 0: an expanded weight, as
// PyTorch's decomposition of matmul writes a linear layer on a 3-D input) computes each
// row of out from the row of a alone, so the rows may be grouped into products any way:
// the batch and row indices trade places when that makes fewer, taller products, and
// when the rows of consecutive matrices then continue one another, the batch is one
// product (the decomposed transformer at batch 1 made 32 one-row products, now one).
// Kept only where BLAS reads the regrouped matrices as they are.
template <class T>
void group_shared_rhs(std::int64_t& batch, std::int64_t& m, std::int64_t n, std::int64_t k,
                      strided_matrix<T const>& a, std::int64_t b_batch_stride,
                      strided_matrix<T>& c) {
  if (batch <= 1 || b_batch_stride != 0) return;
  auto const readable = [&](std::int64_t rows, strided_matrix<T const> const& x,
                            strided_matrix<T> const& y) {
    return blas_layout_of(rows, k, x.row_stride, x.col_stride)
           && blas_layout_of(rows, n, y.row_stride, y.col_stride);
  };
  // The whole batch as one product of batch * m rows, when each matrix's rows continue
  // the previous one's (a single row continues at the batch stride).
  auto const merge = [&] {
    auto const continues = [&](std::int64_t batch_stride, std::int64_t row_stride) {
      return m == 1 || batch_stride == m * row_stride;
    };
    if (!continues(a.batch_stride, a.row_stride) || !continues(c.batch_stride, c.row_stride))
      return false;
    strided_matrix<T const> const merged_a{a.data, 0, m == 1 ? a.batch_stride : a.row_stride,
                                           a.col_stride};
    strided_matrix<T> const merged_c{c.data, 0, m == 1 ? c.batch_stride : c.row_stride,
                                     c.col_stride};
    if (!readable(batch * m, merged_a, merged_c)) return false;
    a = merged_a;
    c = merged_c;
    m *= batch;
    batch = 1;
    return true;
  };
  if (merge() || m >= batch) return;
  strided_matrix<T const> const swapped_a{a.data, a.row_stride, a.batch_stride, a.col_stride};
  strided_matrix<T> const swapped_c{c.data, c.row_stride, c.batch_stride, c.col_stride};
  if (!readable(batch, swapped_a, swapped_c)) return;
  a = swapped_a;
  c = swapped_c;
  std::swap(batch, m);
  merge();
}

template <class T>
void blas_gemm(std::int64_t batch, std::int64_t m, std::int64_t n, std::int64_t k, T alpha,
               strided_matrix<T const> a, strided_matrix<T const> b, T beta, strided_matrix<T> c) {
  group_shared_rhs(batch, m, n, k, a, b.batch_stride, c);
  auto const la = blas_layout_of(m, k, a.row_stride, a.col_stride);
  auto const lb = blas_layout_of(k, n, b.row_stride, b.col_stride);
  auto const lc = blas_layout_of(m, n, c.row_stride, c.col_stride);
  if (!la || !lb || !lc) { // only past BLAS's int range: the callers copy other layouts
    portable_gemm<T>(batch, m, n, k, alpha, a, b, beta, c);
    return;
  }
  // Rows [row, row + rows) and columns [col, col + cols) of out for matrix i: the same
  // layouts, with the operands' pointers moved (a piece of a valid layout is valid).
  auto const piece = [&](std::int64_t i, std::int64_t row, std::int64_t rows, std::int64_t col,
                         std::int64_t cols) {
    blas_matrix<T>(static_cast<int>(rows), static_cast<int>(cols), static_cast<int>(k), alpha,
                   a.data + i * a.batch_stride + row * a.row_stride, *la, a.col_stride,
                   b.data + i * b.batch_stride + col * b.col_stride, *lb, b.row_stride, beta,
                   c.data + i * c.batch_stride + row * c.row_stride + col * c.col_stride, *lc,
                   c.row_stride, c.col_stride);
  };
  // Told here, on the calling thread: the pieces below must not set it concurrently.
  keep_blas_single_threaded();
  double const work = gemm_work(static_cast<int>(m), static_cast<int>(n), static_cast<int>(k));
  auto const grain = [](double unit) {
    return static_cast<std::int64_t>(std::max(1.0, std::ceil(pool_piece_work / unit)));
  };
  if (batch > 1) {
    parallel_for(batch, grain(work), [&](std::int64_t first, std::int64_t last) {
      for (std::int64_t i = first; i < last; ++i)
        piece(i, 0, m, 0, n);
    });
    return;
  }
  // One matrix: panels of out along the dimension that BLAS's column-major view of the
  // call makes its N (rows of a row-major out, columns of a column-major one), at least
  // two panels a piece, so that no piece is a single row or column (gemv rounds
  // differently from gemm). Pieces of the other dimension change the bits: OpenBLAS's
  // Haswell and Zen kernels sum an element of out differently when its M range differs.
  // The last panel takes the rows left over (up to 95), so that no piece is smaller than
  // `grain` whole panels, the size that keeps OpenBLAS on its ordinary kernel.
  bool const by_rows = lc->row_major;
  std::int64_t const extent = by_rows ? m : n;
  std::int64_t const panels = std::max<std::int64_t>(1, extent / split_panel);
  double const panel_work = work * static_cast<double>(split_panel) / static_cast<double>(extent);
  parallel_for(panels, std::max<std::int64_t>(2, grain(panel_work)),
               [&](std::int64_t first, std::int64_t last) {
                 std::int64_t const begin = first * split_panel;
                 std::int64_t const size = (last == panels ? extent : last * split_panel) - begin;
                 if (by_rows) {
                   piece(0, begin, size, 0, n);
                 } else {
                   piece(0, 0, m, begin, size);
                 }
               });
}

#endif

// alpha and beta as the accumulator type of dtype T. PyTorch refuses floating-point
// alpha/beta for integer tensors rather than truncating them.
template <class T>
accumulator_t<T> gemm_scalar(Scalar value, char const* what) {
  if constexpr (std::is_floating_point_v<T>) {
    return value.to<T>();
  } else {
    if (value.is_floating_point()) {
      throw dtype_error(std::string("For integral input tensors, argument ") + what
                        + " must not be a floating point number.");
    }
    return static_cast<std::uint64_t>(value.to<std::int64_t>());
  }
}

// The product on tensors already validated: 2-D (batch 1) or 3-D, same dtype, CPU, out
// not overlapping the inputs, k > 0 and m, n > 0.
template <class T>
void gemm_dense(Tensor const& a, Tensor const& b, Tensor const& out, Scalar alpha, Scalar beta) {
  std::int64_t const batch = out.dim() == 3 ? out.size(0) : 1;
  std::int64_t const m = out.size(-2);
  std::int64_t const n = out.size(-1);
  std::int64_t const k = a.size(-1);
  accumulator_t<T> const alpha_value = gemm_scalar<T>(alpha, "alpha");
  accumulator_t<T> const beta_value = gemm_scalar<T>(beta, "beta");
  if (alpha_value == accumulator_t<T>{0}) {
    scale_in_place<T>(out, beta_value);
    return;
  }
#if defined(XPORT_HAS_CBLAS) && XPORT_HAS_CBLAS
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    // BLAS takes one unit stride per matrix; other layouts are copied, only then (and
    // only then is a tensor handle made: copying one costs atomic operations).
    Tensor copies[3];
    Tensor const& lhs = blas_accepts(a) ? a : (copies[0] = a.contiguous());
    Tensor const& rhs = blas_accepts(b) ? b : (copies[1] = b.contiguous());
    Tensor const& target = blas_accepts(out) ? out : (copies[2] = out.contiguous());
    blas_gemm<T>(batch, m, n, k, alpha_value, matrix_of<T const>(lhs), matrix_of<T const>(rhs),
                 beta_value, matrix_of<T>(target));
    if (!target.is_same(out)) out.copy_(target);
    return;
  }
#endif
  // The portable loop streams rows of b: give it unit column stride.
  Tensor copy;
  Tensor const& rows = b.stride(-1) != 1 && n > 1 ? (copy = b.contiguous()) : b;
  portable_gemm<T>(batch, m, n, k, alpha_value, matrix_of<T const>(a), matrix_of<T const>(rows),
                   beta_value, matrix_of<T>(out));
}

inline void check_gemm_dtypes(Tensor const& a, Tensor const& b, Tensor const& out,
                              char const* a_name, char const* b_name) {
  if (a.dtype() != b.dtype()) {
    throw dtype_error(std::string("expected ") + a_name + " and " + b_name
                      + " to have the same dtype, but got: " + torch_name(a.dtype())
                      + " != " + torch_name(b.dtype()));
  }
  if (out.dtype() != a.dtype()) {
    throw dtype_error(std::string("expected out to have the same dtype as ") + a_name + " and "
                      + b_name + " (" + torch_name(a.dtype()) + "), but got "
                      + torch_name(out.dtype()));
  }
  if (a.dtype() == dtype::bool_) {
    throw dtype_error("\"addmm_impl_cpu_\" not implemented for 'Bool': matrix products of "
                      "torch.bool tensors are not supported; convert them to an integer dtype");
  }
  auto const on_cpu = [](Tensor const& t, char const* name) {
    if (!t.device().is_cpu()) {
      throw device_error(std::string("cpu::gemm expects tensors on the CPU, but ") + name
                         + " is on " + t.device().str());
    }
  };
  on_cpu(a, a_name);
  on_cpu(b, b_name);
  on_cpu(out, "out");
}

inline void check_out_writable(Tensor const& out) {
  for (std::int64_t d = 0; d < out.dim(); ++d) {
    if (out.stride(d) == 0 && out.size(d) > 1) {
      throw value_error("unsupported operation: more than one element of the written-to "
                        "tensor refers to a single memory location. Please clone() the tensor "
                        "before performing the operation.");
    }
  }
}

inline std::string matrix_shape(Tensor const& t) {
  return std::to_string(t.size(-2)) + "x" + std::to_string(t.size(-1));
}

// Runs the validated product for every dtype: float16/bfloat16 through float32, integers
// through the exact modular loop, float32/float64 through the backend.
inline void gemm_any(Tensor const& lhs, Tensor const& rhs, Tensor const& out, Scalar alpha,
                     Scalar beta) {
  check_out_writable(out);
  if (out.numel() == 0) return;
  Tensor copies[2];
  Tensor const& a = overlaps(out, lhs) ? (copies[0] = lhs.clone()) : lhs;
  Tensor const& b = overlaps(out, rhs) ? (copies[1] = rhs.clone()) : rhs;
  dtype const type = out.dtype();
  if (type == dtype::float16 || type == dtype::bfloat16) {
    // Like PyTorch on CPU, reduced-precision products accumulate in float32 and round
    // once when stored.
    bool const reads_out =
        !(beta.is_floating_point() ? beta.to<double>() == 0.0 : beta.to<std::int64_t>() == 0);
    Tensor const wide = reads_out ? out.to(dtype::float32) : xport::empty(out.sizes());
    gemm_any(a.to(dtype::float32), b.to(dtype::float32), wide, alpha, beta);
    out.copy_(wide);
    return;
  }
  // bool is refused by check_gemm_dtypes, float16/bfloat16 went through float32 above.
  constexpr dtype_set dense = dtype_sets::numeric - dtype::float16 - dtype::bfloat16;
  visit_dtype_in<dense>(
      type,
      [&]<class T>() {
        if (a.size(-1) == 0) {
          scale_in_place<T>(out, gemm_scalar<T>(beta, "beta"));
        } else {
          gemm_dense<T>(a, b, out, alpha, beta);
        }
      },
      [&] {
        throw dtype_error("\"addmm_impl_cpu_\" not implemented for '"
                          + std::string(scalar_type_name(type)) + "'");
      });
}

// `out = a @ op(b) + beta * out` (op(b) = b, or its transpose when `transposed_b`) run on
// the matrices straight away, for what a plan's steps pass on every call: 2-D float32 or
// float64 operands of one dtype on the CPU whose sizes chain, that BLAS reads as they
// are, none of them empty and `out` overlapping neither input. No view or copy is made,
// and nothing is validated twice. Returns false and does nothing for anything else; then
// `gemm` does the work (with its copies, its other dtypes and its messages).
inline bool gemm_direct(Tensor const& a, Tensor const& b, bool transposed_b, Tensor const& out,
                        Scalar const& beta) {
#if defined(XPORT_HAS_CBLAS) && XPORT_HAS_CBLAS
  if (a.dim() != 2 || b.dim() != 2 || out.dim() != 2) return false;
  dtype const type = out.dtype();
  if ((type != dtype::float32 && type != dtype::float64) || a.dtype() != type || b.dtype() != type
      || !a.device().is_cpu() || !b.device().is_cpu() || !out.device().is_cpu())
    return false;
  std::int64_t const m = a.size(0), k = a.size(1), n = out.size(1);
  std::int64_t const b_rs = b.stride(transposed_b ? 1 : 0), b_cs = b.stride(transposed_b ? 0 : 1);
  if (b.size(transposed_b ? 1 : 0) != k || b.size(transposed_b ? 0 : 1) != n || out.size(0) != m
      || m == 0 || n == 0 || k == 0)
    return false;
  if (!blas_layout_of(m, k, a.stride(0), a.stride(1)) || !blas_layout_of(k, n, b_rs, b_cs)
      || !blas_layout_of(m, n, out.stride(0), out.stride(1)) || overlaps(out, a)
      || overlaps(out, b))
    return false;
  auto const run = [&]<class T>() {
    blas_gemm<T>(1, m, n, k, T{1}, matrix_of<T const>(a), {b.data_ptr<T>(), 0, b_rs, b_cs},
                 gemm_scalar<T>(beta, "beta"), matrix_of<T>(out));
  };
  if (type == dtype::float32) {
    run.template operator()<float>();
  } else {
    run.template operator()<double>();
  }
  return true;
#else
  (void)a, (void)b, (void)transposed_b, (void)out, (void)beta;
  return false;
#endif
}

} // namespace gemm_detail

//! @brief The library behind `gemm` in this translation unit: `"openblas"` when built
//! with `XPORT_HAS_CBLAS` (the `xport::blas` CMake target), otherwise `"portable"`.
inline constexpr std::string_view gemm_backend =
#if defined(XPORT_HAS_CBLAS) && XPORT_HAS_CBLAS
    "openblas";
#else
    "portable";
#endif

//! @brief `out = alpha * a @ b + beta * out` for matrices (BLAS's GEMM, PyTorch's
//! `addmm(out, a, b, beta=beta, alpha=alpha, out=out)`).
//!
//! Shape rule: `a` is m x k, `b` is k x n, `out` is m x n. Transposes are views: pass
//! `a.t()` for op(A) = A^T; row-major, column-major (transposed) and sliced views go to
//! BLAS without a copy, and an operand is copied only when neither of its two strides
//! is 1. `beta == 0` ignores the old contents of `out` (NaN included); `k == 0` gives
//! `beta * out`. float32/float64 run in the backend (`gemm_backend`); float16/bfloat16
//! accumulate in float32 and round once; integer dtypes are exact modulo 2^bits (they
//! wrap like PyTorch's); `out` may overlap `a` or `b` (they are copied first).
//! @code
//! // a = [[1, 2], [3, 4]], b = [[1, 0], [0, 1]] -> out = [[1, 2], [3, 4]]
//! xport::kernels::cpu::gemm(a, b, out);
//! xport::kernels::cpu::gemm(x, w.t(), y, 1, 1); // y += x @ w^T, as nn.Linear with y = bias
//! @endcode
//! @throws shape_error when a rank is not 2 or the sizes do not chain
//!   ("mat1 and mat2 shapes cannot be multiplied (3x4 and 5x6)"), or out is not m x n;
//!   dtype_error when the dtypes differ, for torch.bool, or for a floating-point
//!   alpha/beta with integer tensors; device_error for non-CPU tensors; value_error when
//!   `out` has several elements in one memory location (an expanded view).
inline void gemm(Tensor const& a, Tensor const& b, Tensor const& out, Scalar alpha = 1,
                 Scalar beta = 0) {
  auto const matrix = [](Tensor const& t, char const* name) {
    if (t.dim() != 2) {
      throw shape_error(std::string(name) + " must be a matrix, got " + std::to_string(t.dim())
                        + "-D tensor");
    }
  };
  matrix(a, "mat1");
  matrix(b, "mat2");
  matrix(out, "out");
  if (a.size(1) != b.size(0)) {
    throw shape_error("mat1 and mat2 shapes cannot be multiplied (" + gemm_detail::matrix_shape(a)
                      + " and " + gemm_detail::matrix_shape(b) + ")");
  }
  if (out.size(0) != a.size(0) || out.size(1) != b.size(1)) {
    throw shape_error("expected out to have size [" + std::to_string(a.size(0)) + ", "
                      + std::to_string(b.size(1)) + "] (mat1 @ mat2), but got "
                      + format_sizes(out.sizes()));
  }
  gemm_detail::check_gemm_dtypes(a, b, out, "mat1", "mat2");
  gemm_detail::gemm_any(a, b, out, alpha, beta);
}

//! @brief `out[i] = alpha * a[i] @ b[i] + beta * out[i]` for every batch index `i`
//! (PyTorch's `baddbmm(out, a, b, beta=beta, alpha=alpha, out=out)`).
//!
//! Shape rule: `a` is B x m x k, `b` is B x k x n, `out` is B x m x n. Any batch stride
//! works, 0 included (an expanded operand is not copied); each matrix follows the rules
//! of `gemm`. The batch runs as a loop of library calls (OpenBLAS 0.3.21 has no batched
//! GEMM), split on the thread pool; when `b` is one matrix for the whole batch (batch
//! stride 0), the rows of `a` are regrouped into fewer, taller products where the strides
//! allow, down to one.
//! @code
//! // a: [64, 64, 32], b: [64, 32, 16] -> out: [64, 64, 16]
//! xport::kernels::cpu::gemm_batched(a, b, out);
//! @endcode
//! @throws shape_error when a rank is not 3 or the sizes do not match ("Expected size
//!   for first two dimensions of batch2 tensor to be: [64, 32] but got: [64, 33]."),
//!   and otherwise what `gemm` throws.
inline void gemm_batched(Tensor const& a, Tensor const& b, Tensor const& out, Scalar alpha = 1,
                         Scalar beta = 0) {
  auto const batched = [](Tensor const& t, char const* name) {
    if (t.dim() != 3) {
      throw shape_error(std::string(name) + " must be a 3D tensor, got " + std::to_string(t.dim())
                        + "-D tensor");
    }
  };
  batched(a, "batch1");
  batched(b, "batch2");
  batched(out, "out");
  if (b.size(0) != a.size(0) || b.size(1) != a.size(2)) {
    throw shape_error("Expected size for first two dimensions of batch2 tensor to be: ["
                      + std::to_string(a.size(0)) + ", " + std::to_string(a.size(2))
                      + "] but got: [" + std::to_string(b.size(0)) + ", "
                      + std::to_string(b.size(1)) + "].");
  }
  if (out.size(0) != a.size(0) || out.size(1) != a.size(1) || out.size(2) != b.size(2)) {
    throw shape_error("expected out to have size [" + std::to_string(a.size(0)) + ", "
                      + std::to_string(a.size(1)) + ", " + std::to_string(b.size(2))
                      + "] (batch1 @ batch2), but got " + format_sizes(out.sizes()));
  }
  gemm_detail::check_gemm_dtypes(a, b, out, "batch1", "batch2");
  gemm_detail::gemm_any(a, b, out, alpha, beta);
}

} // namespace XPORT_DETAIL_GEMM_BACKEND
} // namespace xport::kernels::cpu

#undef XPORT_DETAIL_GEMM_BACKEND
