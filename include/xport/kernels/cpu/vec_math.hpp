//! @file
//! Vectorized math for the CPU kernels: exp, log, log1p, sin, cos, tanh, erf and the
//! activations built from them (sigmoid, SiLU, GELU) over contiguous `float` and `double`
//! arrays, on SLEEF (the vectorized math library PyTorch uses, Debian's `libsleef-dev`).
//!
//! SLEEF is opt-in, like OpenBLAS: a translation unit compiled with `XPORT_HAS_SLEEF=1`
//! (the `xport::sleef` CMake target, which `xport::cpu_kernels` links when SLEEF is
//! installed) gets the vector loops; without it `vectorized<F, T>` is false and the
//! kernels keep their scalar loops over `std::exp` and friends. The vector width follows
//! the compiler's target: 8 floats (4 doubles) when AVX is enabled (`-mavx2`,
//! `-march=native`), else SSE2's 4 floats (2 doubles), which every x86-64 CPU has. SLEEF's
//! `_u10` functions are accurate to 1.0 ULP (`_u35` to 3.5 ULP, used for none of these);
//! tests/kernels/cpu/vec_math.cpp checks the bounds against double-precision references.
//!
//! Why SLEEF rather than Highway or xsimd: it is a library of exactly these functions with
//! stated ULP bounds (Highway's and xsimd's math are secondary parts of general SIMD
//! libraries), it is what PyTorch's CPU kernels use, so results agree with torch's to the
//! same bounds, and Debian ships it as a plain C library that needs no code generation in
//! the user's build. The arithmetic around its calls uses GCC/clang vector extensions,
//! which need no intrinsics header.
#pragma once

#include <xport/kernels/elementwise_functors.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if defined(XPORT_HAS_SLEEF) && XPORT_HAS_SLEEF && defined(__SSE2__)
#include <immintrin.h>
#include <sleef.h>
//! @cond
#ifdef __AVX__
#define XPORT_DETAIL_VEC_BACKEND sleef_avx
#else
#define XPORT_DETAIL_VEC_BACKEND sleef_sse2
#endif
//! @endcond
//! @brief 1 when this translation unit runs vector math on SLEEF (`XPORT_HAS_SLEEF` on an
//! x86-64 target), 0 when its kernels use scalar loops.
#define XPORT_VEC_MATH 1
#else
//! @brief 1 when this translation unit runs vector math on SLEEF (`XPORT_HAS_SLEEF` on an
//! x86-64 target), 0 when its kernels use scalar loops.
#define XPORT_VEC_MATH 0
//! @cond
#define XPORT_DETAIL_VEC_BACKEND scalar
//! @endcond
#endif

namespace xport::kernels::cpu::vec {
// Everything here depends on the backend (SLEEF or not, and the vector width), so it lives
// in an inline namespace named after it, as gemm.hpp does: translation units built with and
// without SLEEF never define one inline function twice.
inline namespace XPORT_DETAIL_VEC_BACKEND {

//! @brief True when `F` on contiguous `T` runs as a vector loop (`apply`) in this
//! translation unit: SLEEF is enabled and `F` and `T` are among those listed above.
template <class F, class T>
inline constexpr bool vectorized = false;

//! @brief `out[i] = f(in[i])` for `n` contiguous elements (`out == in` allowed), in
//! vectors; the last partial vector is padded with zeros, so that an element's result
//! does not depend on where it sits. Defined where `vectorized<F, T>` can hold.
template <class T, class F>
requires vectorized<F, T>
void apply(F const& f, T const* in, T* out, std::int64_t n);

#if XPORT_VEC_MATH

//! @cond
namespace detail {

#ifdef __AVX__
inline constexpr int bytes = 32;
#else
inline constexpr int bytes = 16;
#endif

template <class T>
using vector [[gnu::vector_size(bytes)]] = T;

// SLEEF's functions on vector<T>, by element type and width: `Sleef_expf8_u10` is exp on 8
// floats, 1.0 ULP.
template <class T>
struct sleef;

// NOLINTBEGIN(cppcoreguidelines-macro-usage): the same seven functions for each vector type.
#define XPORT_SLEEF_FUNCTIONS(T, suffix)                                                           \
  template <>                                                                                      \
  struct sleef<T> {                                                                                \
    static vector<T> exp(vector<T> x) { return Sleef_exp##suffix##_u10(x); }                       \
    static vector<T> log(vector<T> x) { return Sleef_log##suffix##_u10(x); }                       \
    static vector<T> log1p(vector<T> x) { return Sleef_log1p##suffix##_u10(x); }                   \
    static vector<T> sin(vector<T> x) { return Sleef_sin##suffix##_u10(x); }                       \
    static vector<T> cos(vector<T> x) { return Sleef_cos##suffix##_u10(x); }                       \
    static vector<T> tanh(vector<T> x) { return Sleef_tanh##suffix##_u10(x); }                     \
    static vector<T> erf(vector<T> x) { return Sleef_erf##suffix##_u10(x); }                       \
  };
#ifdef __AVX__
XPORT_SLEEF_FUNCTIONS(float, f8)
XPORT_SLEEF_FUNCTIONS(double, d4)
#else
XPORT_SLEEF_FUNCTIONS(float, f4)
XPORT_SLEEF_FUNCTIONS(double, d2)
#endif
#undef XPORT_SLEEF_FUNCTIONS

// The vector form of each functor: the scalar functor's formula on vector<T>.
template <class F>
struct form;

// The functors that are one SLEEF function.
#define XPORT_SLEEF_FORM(name)                                                                     \
  template <>                                                                                      \
  struct form<name##_fn> {                                                                         \
    template <class T>                                                                             \
    static vector<T> apply(name##_fn, vector<T> x) {                                               \
      return sleef<T>::name(x);                                                                    \
    }                                                                                              \
  };
XPORT_SLEEF_FORM(exp)
XPORT_SLEEF_FORM(log)
XPORT_SLEEF_FORM(log1p)
XPORT_SLEEF_FORM(sin)
XPORT_SLEEF_FORM(cos)
XPORT_SLEEF_FORM(tanh)
XPORT_SLEEF_FORM(erf)
#undef XPORT_SLEEF_FORM
// NOLINTEND(cppcoreguidelines-macro-usage)

template <>
struct form<sigmoid_fn> {
  template <class T>
  static vector<T> apply(sigmoid_fn, vector<T> x) {
    return T(1) / (T(1) + sleef<T>::exp(-x));
  }
};
template <>
struct form<silu_fn> {
  template <class T>
  static vector<T> apply(silu_fn, vector<T> x) {
    return x / (T(1) + sleef<T>::exp(-x));
  }
};
template <>
struct form<gelu_fn> {
  template <class T>
  static vector<T> apply(gelu_fn f, vector<T> x) {
    if (f.tanh_approximation) {
      vector<T> const inner = T(0.7978845608028654) * (x + T(0.044715) * x * x * x);
      return T(0.5) * x * (T(1) + sleef<T>::tanh(inner));
    }
    return x * T(0.5) * (T(1) + sleef<T>::erf(x * T(0.7071067811865476)));
  }
};

template <class F>
concept has_form = requires {
  sizeof(form<F>);
};

} // namespace detail
//! @endcond

template <class F, class T>
requires(std::is_same_v<T, float> || std::is_same_v<T, double>)
    && detail::has_form<F> inline constexpr bool vectorized<F, T> = true;

template <class T, class F>
requires vectorized<F, T>
void apply(F const& f, T const* in, T* out, std::int64_t n) {
  using V = detail::vector<T>;
  constexpr std::int64_t width = sizeof(V) / sizeof(T);
  std::int64_t i = 0;
  for (; i + width <= n; i += width) {
    V x;
    std::memcpy(&x, in + i, sizeof(V));
    V const y = detail::form<F>::template apply<T>(f, x);
    std::memcpy(out + i, &y, sizeof(V));
  }
  if (i < n) {
    auto const rest = static_cast<std::size_t>(n - i) * sizeof(T);
    V x{};
    std::memcpy(&x, in + i, rest);
    V const y = detail::form<F>::template apply<T>(f, x);
    std::memcpy(out + i, &y, rest);
  }
}

#endif // XPORT_VEC_MATH

//! @brief `x[i] = exp(x[i])` for `n` contiguous doubles: on SLEEF's vectors where this
//! translation unit has them (`apply`), with `std::exp` otherwise.
inline void exp_in_place(double* x, std::int64_t n) {
#if XPORT_VEC_MATH
  apply(exp_fn{}, x, x, n);
#else
  for (std::int64_t i = 0; i < n; ++i)
    x[i] = std::exp(x[i]);
#endif
}

} // namespace XPORT_DETAIL_VEC_BACKEND
} // namespace xport::kernels::cpu::vec
