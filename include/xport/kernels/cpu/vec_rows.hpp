//! @file
//! Row kernels on SLEEF's vectors: softmax of contiguous rows and layer norm of contiguous
//! rows, for `float` and `double`, on raw pointers.
//!
//! Like vec_math.hpp, everything lives in the inline namespace of the vector backend, and
//! each entry point first asks `vec::wide` for the same kernel compiled for a wider vector
//! unit (cmake/cpu_kernels/vec_avx2.cpp, vec_avx512.cpp). The wide translation units must
//! not emit an out-of-line copy of any function shared with other translation units, so
//! the loops here use plain arrays and loops, never `std::` algorithms or containers
//! (scripts/check_wide_objects.sh checks the objects). Sums run in eight lanes whatever
//! the vector width, so every unit gives the same sums; the wide units are built with
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

inline constexpr std::int64_t lanes = 8;

// Eight elements as one vector (two or four registers where the unit is narrower): the
// loops below are written on these, so that they run on vectors at every optimization
// level the user builds with, not only where the compiler's vectorizer steps in. Vectors
// never pass by value between functions (GCC warns that their ABI depends on the target).
template <class T>
using lanes_of [[gnu::vector_size(sizeof(T) * lanes)]] = T;
using doubles = lanes_of<double>;

template <class T, class V>
void load(V& v, T const* p) {
  static_assert(sizeof(V) == sizeof(lanes_of<T>));
  std::memcpy(&v, p, sizeof v);
}

template <class T, class V>
void store(T* p, V const& v) {
  static_assert(sizeof(V) == sizeof(lanes_of<T>));
  std::memcpy(p, &v, sizeof v);
}

template <class T>
void widen(doubles& d, T const* p) {
  lanes_of<T> v;
  load(v, p);
  d = __builtin_convertvector(v, doubles);
}

// row[i] = exp(row[i] - shift) for `width` contiguous elements.
template <class T>
void exp_shifted(T* row, std::int64_t width, T shift) {
  std::int64_t i = 0;
  for (; i + lanes <= width; i += lanes) {
    lanes_of<T> v;
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
  using V = lanes_of<T>;
  using mask = decltype(V{} < V{});
  // Constants, not calls: no copy of numeric_limits' functions may be emitted here.
  constexpr T infinity = std::numeric_limits<T>::infinity();
  constexpr T nan_value = std::numeric_limits<T>::quiet_NaN();
  for (std::int64_t r = 0; r < count; ++r) {
    T* row = scores + r * width;
    // Eight partial maxima and sums, so that the loops run on vectors (and the sum does
    // not wait on one add per element). NaN is looked for apart: it decides the row.
    V top = V{} - infinity;
    mask nan{};
    std::int64_t j = 0;
    for (; j + lanes <= width; j += lanes) {
      V v;
      load(v, row + j);
      nan |= v != v;
      mask const greater = v > top;
      top = reinterpret_cast<V>((reinterpret_cast<mask>(v) & greater)
                                | (reinterpret_cast<mask>(top) & ~greater));
    }
    bool any_nan = false;
    for (; j < width; ++j) {
      any_nan |= row[j] != row[j];
      top[0] = row[j] > top[0] ? row[j] : top[0];
    }
    T highest = top[0];
    for (std::int64_t k = 0; k < lanes; ++k) {
      any_nan |= nan[k] != 0;
      highest = top[k] > highest ? top[k] : highest;
    }
    if (any_nan || highest == -infinity) {
      T const fill = any_nan ? nan_value : T(0);
      for (std::int64_t i = 0; i < width; ++i)
        row[i] = fill;
      continue;
    }
    // The largest term is exp(0): no overflow.
    exp_shifted(row, width, highest);
    V part{};
    for (j = 0; j + lanes <= width; j += lanes) {
      V v;
      load(v, row + j);
      part += v;
    }
    for (; j < width; ++j)
      part[0] += row[j];
    T sum = 0;
    for (std::int64_t k = 0; k < lanes; ++k)
      sum += part[k];
    for (j = 0; j + lanes <= width; j += lanes) {
      V v;
      load(v, row + j);
      v /= sum;
      store(row + j, v);
    }
    for (; j < width; ++j)
      row[j] /= sum;
  }
}

// The mean and the variance of a row, in double: two passes, each summed in eight lanes,
// then the tail, then the lanes in order (the order of lane_sum in reduction_loops.hpp).
template <class T>
void moments(T const* x, std::int64_t n, double& mean, double& var) {
  auto const count = static_cast<double>(n);
  doubles part{};
  doubles d;
  std::int64_t k = 0;
  for (; k + lanes <= n; k += lanes) {
    widen(d, x + k);
    part += d;
  }
  double total = 0;
  for (std::int64_t i = k; i < n; ++i)
    total += static_cast<double>(x[i]);
  for (std::int64_t j = 0; j < lanes; ++j)
    total += part[j];
  mean = total / count;
  part = doubles{};
  for (k = 0; k + lanes <= n; k += lanes) {
    widen(d, x + k);
    d -= mean;
    part += d * d;
  }
  total = 0;
  for (std::int64_t i = k; i < n; ++i)
    total += (static_cast<double>(x[i]) - mean) * (static_cast<double>(x[i]) - mean);
  for (std::int64_t j = 0; j < lanes; ++j)
    total += part[j];
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
    for (; i + lanes <= n; i += lanes) {
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
      lanes_of<T> const out = __builtin_convertvector(v, lanes_of<T>);
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
#if XPORT_VEC_MATH
  if constexpr (detail::dispatches) {
    if (wide_kernels<T> const* const w = wider_than<T>(detail::bytes)) {
      w->softmax_rows(rows, count, width);
      return;
    }
  }
#endif
  rows_detail::softmax_rows(rows, count, width);
}

//! @brief Layer norm of `rows` contiguous rows of `n` elements into `dst`, with weight
//! and bias of `n` elements each (or null): mean and variance of each row in double, two
//! passes, each output rounded once.
template <class T>
requires std::is_same_v<T, float> || std::is_same_v<T, double>
void layer_norm_rows(T const* src, T* dst, std::int64_t rows, std::int64_t n, double eps,
                     T const* weight, T const* bias) {
#if XPORT_VEC_MATH
  if constexpr (detail::dispatches) {
    if (wide_kernels<T> const* const w = wider_than<T>(detail::bytes)) {
      w->layer_norm_rows(src, dst, rows, n, eps, weight, bias);
      return;
    }
  }
#endif
  rows_detail::layer_norm_rows(src, dst, rows, n, eps, weight, bias);
}

#if XPORT_VEC_MATH
//! @brief The kernels of this translation unit's vector backend as a `wide_table` named
//! `name` (used by the wide translation units of `xport::cpu_kernels`).
consteval wide_table table_of(char const* name) {
  wide_table t{.name = name, .bytes = detail::bytes, .f32 = {}, .f64 = {}};
  auto const fill = []<class T>(wide_kernels<T>& k) {
    auto const unary = []<class F>(F) {
      return +[](T const* in, T* out, std::int64_t n) { apply(F{}, in, out, n); };
    };
    k.unary[0] = unary(exp_fn{});
    k.unary[1] = unary(log_fn{});
    k.unary[2] = unary(log1p_fn{});
    k.unary[3] = unary(sin_fn{});
    k.unary[4] = unary(cos_fn{});
    k.unary[5] = unary(tanh_fn{});
    k.unary[6] = unary(erf_fn{});
    k.unary[7] = unary(sigmoid_fn{});
    k.unary[8] = unary(silu_fn{});
    k.unary[9] = +[](T const* in, T* out, std::int64_t n) { apply(gelu_fn{false}, in, out, n); };
    k.unary[10] = +[](T const* in, T* out, std::int64_t n) { apply(gelu_fn{true}, in, out, n); };
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
