//! @file
//! Row kernels on vectors: softmax of contiguous rows (exp on SLEEF) and layer norm of
//! contiguous rows, for `float` and `double`, on raw pointers.
//!
//! Like vec_math.hpp, everything lives in the inline namespace of the vector backend, and
//! each entry point first asks `vec::wide` for the same kernel compiled for a wider vector
//! unit (cmake/cpu_kernels/vec_avx2.cpp, vec_avx512.cpp). The wide translation units must
//! not emit an out-of-line copy of any function shared with other translation units, so
//! the loops here are plain loops on GNU vectors, never `std::` algorithms, containers or
//! `numeric_limits` calls (scripts/check_wide_objects.sh checks the objects). Sums run in the
//! unit's vector lanes, so units may differ in the last bits of a sum; the wide units are built
//! with
//! `-ffp-contract=off`, so no multiply-add is fused where SSE2 has none.
#pragma once

#include <xport/kernels/cpu/vec_math.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

namespace xport::kernels::cpu::vec {
inline namespace XPORT_DETAIL_VEC_BACKEND {
//! @cond
namespace rows_detail {

// The loops below are written on vectors of the unit's own width (GCC and clang compile
// their compares and selects to single instructions at that width, not at wider ones), so
// that they run on vectors at every optimization level the user builds with, not only
// where the compiler's vectorizer steps in. Vectors never pass by value between functions
// (GCC warns that their ABI depends on the target).
#if XPORT_VEC_MATH
template <class T>
using native = detail::vector<T>;
#else
template <class T>
using native [[gnu::vector_size(16)]] = T;
#endif
using doubles = native<double>;
inline constexpr std::int64_t double_lanes = sizeof(doubles) / sizeof(double);
// As many T as `doubles` has lanes, to be widened to them.
template <class T>
using narrow [[gnu::vector_size(double_lanes * sizeof(T))]] = T;

template <class T>
inline constexpr std::int64_t lanes = sizeof(native<T>) / sizeof(T);

template <class T, class V>
void load(V& v, T const* p) {
  std::memcpy(&v, p, sizeof v);
}

template <class T, class V>
void store(T* p, V const& v) {
  std::memcpy(p, &v, sizeof v);
}

// The lanes of `v` folded with `op` pairwise, halves onto halves (a dependency chain of
// log2(lanes) steps, not one step per lane: rows of a few vectors are common).
template <class T, class V, class Op>
T fold_lanes(V const& v, Op op) {
  constexpr std::int64_t count = sizeof(V) / sizeof(T);
  T lane[count];
  std::memcpy(lane, &v, sizeof v);
  for (std::int64_t half = count / 2; half >= 1; half /= 2)
    for (std::int64_t k = 0; k < half; ++k)
      lane[k] = op(lane[k], lane[k + half]);
  return lane[0];
}

template <class T>
void widen(doubles& d, T const* p) {
  narrow<T> v;
  load(v, p);
  d = __builtin_convertvector(v, doubles);
}

// row[i] = exp(row[i] - shift) for `width` contiguous elements.
template <class T>
void exp_shifted(T* row, std::int64_t width, T shift) {
  std::int64_t i = 0;
  for (; i + lanes<T> <= width; i += lanes<T>) {
    native<T> v;
    load(v, row + i);
    v -= shift;
    store(row + i, v);
  }
  for (; i < width; ++i)
    row[i] -= shift;
  if constexpr (vectorized<exp_fn, T>) {
    apply(exp_fn{}, row, row, width);
  } else { // only without SLEEF, never in a wide translation unit
    for (i = 0; i < width; ++i)
      row[i] = std::exp(row[i]);
  }
}

template <class T>
void softmax_rows(T* scores, std::int64_t count, std::int64_t width) {
  using V = native<T>;
  constexpr std::int64_t n = lanes<T>;
  // Constants, not calls: no copy of numeric_limits' functions may be emitted here.
  constexpr T infinity = std::numeric_limits<T>::infinity();
  constexpr T nan = std::numeric_limits<T>::quiet_NaN();
  for (std::int64_t r = 0; r < count; ++r) {
    T* row = scores + r * width;
    // The maximum, in vector lanes and then across them. NaN never wins a comparison; it
    // makes its term, the sum and so every weight NaN below.
    V top = V{} - infinity;
    std::int64_t j = 0;
    for (; j + n <= width; j += n) {
      V v;
      load(v, row + j);
      top = v > top ? v : top;
    }
    T highest = fold_lanes<T>(top, [](T a, T b) { return a > b ? a : b; });
    for (; j < width; ++j)
      highest = row[j] > highest ? row[j] : highest;
    if (highest == -infinity) { // every score -inf (masked out), or NaN among them
      bool any_nan = false;
      for (std::int64_t i = 0; i < width; ++i)
        any_nan |= row[i] != row[i];
      for (std::int64_t i = 0; i < width; ++i)
        row[i] = any_nan ? nan : T(0);
      continue;
    }
    // The largest term is exp(0): no overflow.
    exp_shifted(row, width, highest);
    V part{};
    for (j = 0; j + n <= width; j += n) {
      V v;
      load(v, row + j);
      part += v;
    }
    T sum = fold_lanes<T>(part, [](T a, T b) { return a + b; });
    for (; j < width; ++j)
      sum += row[j];
    for (j = 0; j + n <= width; j += n) {
      V v;
      load(v, row + j);
      v /= sum;
      store(row + j, v);
    }
    for (; j < width; ++j)
      row[j] /= sum;
  }
}

// The mean and the variance of a row, in double: two passes, each summed in vector lanes,
// then across them, then the tail.
template <class T>
void moments(T const* x, std::int64_t n, double& mean, double& var) {
  auto const count = static_cast<double>(n);
  doubles part{};
  doubles d;
  std::int64_t k = 0;
  for (; k + double_lanes <= n; k += double_lanes) {
    widen(d, x + k);
    part += d;
  }
  auto const plus = [](double a, double b) { return a + b; };
  double total = fold_lanes<double>(part, plus);
  for (std::int64_t i = k; i < n; ++i)
    total += static_cast<double>(x[i]);
  mean = total / count;
  part = doubles{};
  for (k = 0; k + double_lanes <= n; k += double_lanes) {
    widen(d, x + k);
    d -= mean;
    part += d * d;
  }
  total = fold_lanes<double>(part, plus);
  for (std::int64_t i = k; i < n; ++i)
    total += (static_cast<double>(x[i]) - mean) * (static_cast<double>(x[i]) - mean);
  var = total / count;
}

template <class T>
void layer_norm_rows(T const* src, T* dst, std::int64_t rows, std::int64_t n, double eps,
                     T const* w, T const* b) {
  for (std::int64_t r = 0; r < rows; ++r) {
    T const* x = src + r * n;
    T* y = dst + r * n;
    double mean = 0, var = 0;
    moments(x, n, mean, var);
    double const rstd = 1.0 / ::sqrt(var + eps);
    // y = ((x - mean) * rstd) * w + b in double, rounded once; w and b may be null.
    std::int64_t i = 0;
    for (; i + double_lanes <= n; i += double_lanes) {
      doubles v, factor;
      widen(v, x + i);
      v = (v - mean) * rstd;
      if (w != nullptr) {
        widen(factor, w + i);
        v *= factor;
      }
      if (b != nullptr) {
        widen(factor, b + i);
        v += factor;
      }
      narrow<T> const out = __builtin_convertvector(v, narrow<T>);
      store(y + i, out);
    }
    for (; i < n; ++i) {
      double v = (static_cast<double>(x[i]) - mean) * rstd;
      if (w != nullptr) v *= static_cast<double>(w[i]);
      if (b != nullptr) v += static_cast<double>(b[i]);
      y[i] = static_cast<T>(v);
    }
  }
}

} // namespace rows_detail
//! @endcond

//! @brief Turns each of `count` contiguous rows of `width` elements into softmax weights
//! in place: shifted by the row's maximum, exp on vectors, divided by the sum. A row of
//! only -inf becomes zeros (PyTorch's `_safe_softmax`), a row holding NaN becomes NaN.
template <class T>
requires std::is_same_v<T, float> || std::is_same_v<T, double>
void softmax_rows(T* rows, std::int64_t count, std::int64_t width) {
  if (wide_kernels<T> const* const w = wider<T>()) {
    w->softmax_rows(rows, count, width);
    return;
  }
  rows_detail::softmax_rows(rows, count, width);
}

//! @brief Layer norm of `rows` contiguous rows of `n` elements into `dst`, with weight
//! and bias of `n` elements each (or null): mean and variance of each row in double, two
//! passes, each output rounded once.
template <class T>
requires std::is_same_v<T, float> || std::is_same_v<T, double>
void layer_norm_rows(T const* src, T* dst, std::int64_t rows, std::int64_t n, double eps,
                     T const* weight, T const* bias) {
  if (wide_kernels<T> const* const w = wider<T>()) {
    w->layer_norm_rows(src, dst, rows, n, eps, weight, bias);
    return;
  }
  rows_detail::layer_norm_rows(src, dst, rows, n, eps, weight, bias);
}

#if XPORT_VEC_MATH
//! @brief The kernels of this translation unit's vector backend as a `wide_table` named
//! `name` (used by the wide translation units of `xport::cpu_kernels`).
consteval wide_table table_of(char const* name) {
  wide_table t{.name = name, .bytes = detail::bytes, .f32 = {}, .f64 = {}};
  auto const fill = []<class T>(wide_kernels<T>& k) {
    // Each functor's pointer in the slot unary_index gives it (gelu: one per form).
    auto const put = [&k]<class F>(F f) {
      k.unary[unary_index(f)] =
          +[](T const* in, T* out, std::int64_t n) { apply(F{}, in, out, n); };
    };
    put(exp_fn{});
    put(log_fn{});
    put(log1p_fn{});
    put(sin_fn{});
    put(cos_fn{});
    put(tanh_fn{});
    put(erf_fn{});
    put(sigmoid_fn{});
    put(silu_fn{});
    k.unary[unary_index(gelu_fn{false})] =
        +[](T const* in, T* out, std::int64_t n) { apply(gelu_fn{false}, in, out, n); };
    k.unary[unary_index(gelu_fn{true})] =
        +[](T const* in, T* out, std::int64_t n) { apply(gelu_fn{true}, in, out, n); };
    k.softmax_rows = &rows_detail::softmax_rows<T>;
    k.layer_norm_rows = &rows_detail::layer_norm_rows<T>;
  };
  fill(t.f32);
  fill(t.f64);
  return t;
}
#endif

} // namespace XPORT_DETAIL_VEC_BACKEND
} // namespace xport::kernels::cpu::vec
