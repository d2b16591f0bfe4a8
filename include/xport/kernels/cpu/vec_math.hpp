//! @file
//! Vectorized math for the CPU kernels: exp, log, log1p, sin, cos, tanh, erf and the
//! activations built from them (sigmoid, SiLU, GELU) over contiguous `float` and `double`
//! arrays, on SLEEF (the vectorized math library PyTorch uses, Debian's `libsleef-dev`).
//!
//! SLEEF is opt-in, like OpenBLAS: a translation unit compiled with `XPORT_HAS_SLEEF=1`
//! (the `xport::sleef` CMake target, which `xport::cpu_kernels` links when SLEEF is
//! installed) gets the vector loops; without it `vectorized<F, T>` is false and the
//! kernels keep their scalar loops over `std::exp` and friends. The vector width follows
//! the compiler's target: 16 floats (8 doubles) with AVX-512, 8 (4) with AVX, else SSE2's
//! 4 (2), which every x86-64 CPU has. SLEEF's `_u10` functions are accurate to 1.0 ULP
//! (`_u35` to 3.5 ULP, used for none of these); tests/kernels/cpu/vec_math.cpp checks the
//! bounds against double-precision references.
//!
//! A translation unit built for SSE2 still runs the widest vectors the CPU has:
//! `xport::cpu_kernels` compiles the loops of this file and of vec_rows.hpp twice more,
//! for AVX2 and for AVX-512 (cmake/cpu_kernels/vec_avx2.cpp, vec_avx512.cpp), and at
//! startup publishes the table of the widest unit the CPU supports in `vec::wide`
//! (cmake/cpu_kernels/vec_dispatch.cpp; `XPORT_CPU_CAPABILITY=sse2|avx2|avx512` caps it,
//! as PyTorch's `ATEN_CPU_CAPABILITY` does). `apply` and the row kernels call through it.
//!
//! Why SLEEF rather than Highway or xsimd: it is a library of exactly these functions with
//! stated ULP bounds (Highway's and xsimd's math are secondary parts of general SIMD
//! libraries), it is what PyTorch's CPU kernels use, so results agree with torch's to the
//! same bounds, and Debian ships it as a plain C library that needs no code generation in
//! the user's build. The arithmetic around its calls uses GCC/clang vector extensions,
//! which need no intrinsics header.
#pragma once

#include <xport/kernels/elementwise_functors.hpp>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#if defined(XPORT_HAS_SLEEF) && XPORT_HAS_SLEEF && defined(__SSE2__)
#include <immintrin.h>
#include <sleef.h>
//! @cond
#if defined(__AVX512F__)
#define XPORT_DETAIL_VEC_BACKEND sleef_avx512
#elif defined(__AVX__)
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

//! @brief How many functors `wide_kernels::unary` holds (see `unary_index`).
inline constexpr int unary_count = 11;

//! @brief The vector functions of one instruction set for elements `T`, as plain function
//! pointers (see the file comment). Every pointer is set.
template <class T>
struct wide_kernels {
  //! @brief `out[i] = f(in[i])`, indexed by `unary_index`.
  void (*unary[unary_count])(T const* in, T* out, std::int64_t n);
  //! @brief `softmax_rows` of vec_rows.hpp.
  void (*softmax_rows)(T* rows, std::int64_t count, std::int64_t width);
  //! @brief `layer_norm_rows` of vec_rows.hpp.
  void (*layer_norm_rows)(T const* src, T* dst, std::int64_t rows, std::int64_t n, double eps,
                          T const* weight, T const* bias);
};

//! @brief The kernels compiled for one instruction set wider than the baseline.
struct wide_table {
  char const* name;         //!< `"avx2"` or `"avx512"`
  int bytes;                //!< its vector width
  wide_kernels<float> f32;  //!< the float32 kernels
  wide_kernels<double> f64; //!< the float64 kernels
};

//! @brief The table of the widest vector unit this CPU has, published at startup by
//! `xport::cpu_kernels` (null without it, on CPUs with only SSE2, and where
//! `XPORT_CPU_CAPABILITY=sse2`).
inline std::atomic<wide_table const*> wide{nullptr};

//! @brief `wide`'s kernels for `T`, when they are wider than `bytes` (this translation
//! unit's own vectors); else null.
template <class T>
wide_kernels<T> const* wider_than(int bytes) noexcept {
  wide_table const* const table = wide.load(std::memory_order_relaxed);
  if (table == nullptr || table->bytes <= bytes) return nullptr;
  if constexpr (std::is_same_v<T, float>) {
    return &table->f32;
  } else {
    return &table->f64;
  }
}

//! @brief The slot of functor `f` in `wide_kernels::unary`, or -1 for functors with no
//! vector form.
template <class F>
constexpr int unary_index([[maybe_unused]] F const& f) noexcept {
  using std::is_same_v;
  if constexpr (is_same_v<F, exp_fn>) return 0;
  if constexpr (is_same_v<F, log_fn>) return 1;
  if constexpr (is_same_v<F, log1p_fn>) return 2;
  if constexpr (is_same_v<F, sin_fn>) return 3;
  if constexpr (is_same_v<F, cos_fn>) return 4;
  if constexpr (is_same_v<F, tanh_fn>) return 5;
  if constexpr (is_same_v<F, erf_fn>) return 6;
  if constexpr (is_same_v<F, sigmoid_fn>) return 7;
  if constexpr (is_same_v<F, silu_fn>) return 8;
  if constexpr (is_same_v<F, gelu_fn>) return f.tanh_approximation ? 10 : 9;
  return -1;
}

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

#if defined(__AVX512F__)
inline constexpr int bytes = 64;
#elif defined(__AVX__)
inline constexpr int bytes = 32;
#else
inline constexpr int bytes = 16;
#endif

template <class T>
using vector [[gnu::vector_size(bytes)]] = T;

// Whether the loops here call through `vec::wide`: not in the wide translation units
// themselves (XPORT_DETAIL_WIDE_TU), which must use nothing outside their own inline
// namespace (an out-of-line copy of a shared inline function built for AVX-512 could be
// the one the linker keeps for everyone).
#ifdef XPORT_DETAIL_WIDE_TU
inline constexpr bool dispatches = false;
#else
inline constexpr bool dispatches = true;
#endif

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
#if defined(__AVX512F__)
XPORT_SLEEF_FUNCTIONS(float, f16)
XPORT_SLEEF_FUNCTIONS(double, d8)
#elif defined(__AVX__)
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

//! @brief The kernels of `vec::wide` for `T` where they are wider than this translation
//! unit's own vectors; null otherwise, in the wide units themselves and without SLEEF.
template <class T>
wide_kernels<T> const* wider() noexcept {
  if constexpr (detail::dispatches) {
    return wider_than<T>(detail::bytes);
  } else {
    return nullptr;
  }
}

template <class T, class F>
requires vectorized<F, T>
void apply(F const& f, T const* in, T* out, std::int64_t n) {
  if constexpr (detail::dispatches) { // unary_index is not the wide units' own to emit
    if (wide_kernels<T> const* const w = wider<T>()) {
      w->unary[unary_index(f)](in, out, n);
      return;
    }
  }
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

#else

//! @brief The kernels of `vec::wide` for `T` where they are wider than this translation
//! unit's own vectors; null otherwise, in the wide units themselves and without SLEEF.
template <class T>
wide_kernels<T> const* wider() noexcept {
  return nullptr;
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
