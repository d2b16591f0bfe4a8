//! @file
//! Elementwise math as small functors, shared by CPU and (later) CUDA kernels. Each is
//! `XPORT_HOST_DEVICE` and works on the op-math type (`float` for half and bfloat16).
//!
//! Integer semantics are PyTorch's, without undefined behaviour: `+ - *` wrap modulo
//! 2^n (computed in unsigned arithmetic), `/` and `%` on integers round like PyTorch's
//! `'trunc'`, `'floor'` and Python's `%`, `INT_MIN / -1` wraps. A zero integer divisor
//! yields 0 here; the CPU kernels check for it first and raise, as PyTorch does.
//! This header must stay parseable by nvcc: standard headers and core/config only.
#pragma once

#include <xport/core/config.hpp>

#include <cmath>
#include <cstdint>
#include <type_traits>

namespace xport::kernels {

namespace detail {

// Integers other than bool: the types whose arithmetic wraps.
template <class T>
inline constexpr bool wraps = std::is_integral_v<T> && !std::is_same_v<T, bool>;

template <class T>
XPORT_HOST_DEVICE constexpr T wrapping_add(T a, T b) {
  if constexpr (wraps<T>)
    return static_cast<T>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
  else
    return static_cast<T>(a + b);
}
template <class T>
XPORT_HOST_DEVICE constexpr T wrapping_sub(T a, T b) {
  if constexpr (wraps<T>)
    return static_cast<T>(static_cast<std::uint64_t>(a) - static_cast<std::uint64_t>(b));
  else
    return static_cast<T>(a - b);
}
template <class T>
XPORT_HOST_DEVICE constexpr T wrapping_mul(T a, T b) {
  if constexpr (wraps<T>)
    return static_cast<T>(static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(b));
  else if constexpr (std::is_same_v<T, bool>)
    return a && b;
  else
    return a * b;
}
// NaN test that is false for integers (x != x is never true for them).
template <class T>
XPORT_HOST_DEVICE constexpr bool is_nan(T x) {
  return x != x;
}

} // namespace detail

//! @brief `a + alpha * b`; integers wrap, two bools give their logical or.
template <class T>
struct add_fn {
  T alpha; //!< scale of the second operand
  //! @brief Applies it.
  XPORT_HOST_DEVICE constexpr T operator()(T a, T b) const {
    return detail::wrapping_add(a, detail::wrapping_mul(alpha, b));
  }
};

//! @brief `a - alpha * b`; integers wrap.
template <class T>
struct sub_fn {
  T alpha; //!< scale of the second operand
  //! @brief Applies it.
  XPORT_HOST_DEVICE constexpr T operator()(T a, T b) const {
    return detail::wrapping_sub(a, detail::wrapping_mul(alpha, b));
  }
};

//! @brief `a * b`; integers wrap, two bools give their logical and.
struct mul_fn {
  //! @brief Applies it.
  template <class T>
  XPORT_HOST_DEVICE constexpr T operator()(T a, T b) const {
    return detail::wrapping_mul(a, b);
  }
};

//! @brief True division `a / b` (floating types: IEEE, so `1 / 0 == inf`).
struct div_true_fn {
  //! @brief Applies it.
  template <class T>
  XPORT_HOST_DEVICE T operator()(T a, T b) const {
    return a / b;
  }
};

//! @brief Division rounded toward zero (`'trunc'`).
struct div_trunc_fn {
  //! @brief Applies it; an integer `b == 0` gives 0 (checked by the caller).
  template <class T>
  XPORT_HOST_DEVICE T operator()(T a, T b) const {
    if constexpr (detail::wraps<T>) {
      if (b == T(0)) return T(0);
      if constexpr (std::is_signed_v<T>) {
        if (b == T(-1)) return detail::wrapping_sub(T(0), a); // INT_MIN / -1 wraps
      }
      return static_cast<T>(a / b);
    } else {
      return std::trunc(a / b);
    }
  }
};

//! @brief Division rounded toward -inf (`'floor'`, Python's `//`). For floating types
//! the quotient is formed from `fmod` as PyTorch does, so `floor(a / b)` is not spoiled
//! by the rounding of `a / b`.
struct div_floor_fn {
  //! @brief Applies it; an integer `b == 0` gives 0 (checked by the caller).
  template <class T>
  XPORT_HOST_DEVICE T operator()(T a, T b) const {
    if constexpr (detail::wraps<T>) {
      if (b == T(0)) return T(0);
      if constexpr (std::is_signed_v<T>) {
        if (b == T(-1)) return detail::wrapping_sub(T(0), a);
        auto const quotient = static_cast<T>(a / b);
        bool const inexact = static_cast<T>(a % b) != T(0);
        return inexact && ((a < T(0)) != (b < T(0))) ? static_cast<T>(quotient - 1) : quotient;
      } else {
        return static_cast<T>(a / b);
      }
    } else {
      if (b == T(0)) return a / b;
      T const mod = std::fmod(a, b);
      T quotient = (a - mod) / b;
      if (mod != T(0) && ((b < T(0)) != (mod < T(0)))) quotient -= T(1);
      if (quotient == T(0)) return std::copysign(T(0), a / b);
      T floored = std::floor(quotient);
      if (quotient - floored > T(0.5)) floored += T(1);
      return floored;
    }
  }
};

//! @brief Python's `%`: the remainder takes the divisor's sign (`-7 % 3 == 2`).
struct remainder_fn {
  //! @brief Applies it; an integer `b == 0` gives 0 (checked by the caller).
  template <class T>
  XPORT_HOST_DEVICE T operator()(T a, T b) const {
    if constexpr (detail::wraps<T>) {
      if (b == T(0)) return T(0);
      if constexpr (std::is_signed_v<T>) {
        if (b == T(-1)) return T(0); // avoids INT_MIN % -1
        auto r = static_cast<T>(a % b);
        if (r != T(0) && ((r < T(0)) != (b < T(0)))) r = static_cast<T>(r + b);
        return r;
      } else {
        return static_cast<T>(a % b);
      }
    } else {
      T mod = std::fmod(a, b);
      if (mod != T(0) && ((b < T(0)) != (mod < T(0)))) mod += b;
      return mod;
    }
  }
};

//! @brief `a ** b`. Integer powers wrap; a negative integer exponent gives 1 for
//! `a == 1`, ±1 for `a == -1`, and 0 otherwise (PyTorch's rule).
struct pow_fn {
  //! @brief Applies it.
  template <class T>
  XPORT_HOST_DEVICE T operator()(T a, T b) const {
    if constexpr (detail::wraps<T>) {
      auto exponent = static_cast<std::int64_t>(b);
      if (exponent < 0) {
        if (a == T(1)) return T(1);
        if constexpr (std::is_signed_v<T>) {
          if (a == T(-1)) return (exponent & 1) != 0 ? T(-1) : T(1);
        }
        return T(0);
      }
      T result = T(1);
      T base = a;
      while (exponent != 0) {
        if ((exponent & 1) != 0) result = detail::wrapping_mul(result, base);
        base = detail::wrapping_mul(base, base);
        exponent >>= 1;
      }
      return result;
    } else {
      return std::pow(a, b);
    }
  }
};

//! @brief Elementwise max; NaN in either operand gives NaN.
struct maximum_fn {
  //! @brief Applies it.
  template <class T>
  XPORT_HOST_DEVICE constexpr T operator()(T a, T b) const {
    if (detail::is_nan(a)) return a;
    if (detail::is_nan(b)) return b;
    return a > b ? a : b;
  }
};

//! @brief Elementwise min; NaN in either operand gives NaN.
struct minimum_fn {
  //! @brief Applies it.
  template <class T>
  XPORT_HOST_DEVICE constexpr T operator()(T a, T b) const {
    if (detail::is_nan(a)) return a;
    if (detail::is_nan(b)) return b;
    return a < b ? a : b;
  }
};

// clang-format off
//! @brief `a == b`.
struct eq_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE constexpr bool operator()(T a, T b) const { return a == b; } };
//! @brief `a != b`.
struct ne_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE constexpr bool operator()(T a, T b) const { return a != b; } };
//! @brief `a < b`.
struct lt_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE constexpr bool operator()(T a, T b) const { return a < b; } };
//! @brief `a <= b`.
struct le_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE constexpr bool operator()(T a, T b) const { return a <= b; } };
//! @brief `a > b`.
struct gt_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE constexpr bool operator()(T a, T b) const { return a > b; } };
//! @brief `a >= b`.
struct ge_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE constexpr bool operator()(T a, T b) const { return a >= b; } };
//! @brief Logical and of two bools.
struct logical_and_fn { /*! @brief Applies it. */ XPORT_HOST_DEVICE constexpr bool operator()(bool a, bool b) const { return a && b; } };
//! @brief Logical or of two bools.
struct logical_or_fn { /*! @brief Applies it. */ XPORT_HOST_DEVICE constexpr bool operator()(bool a, bool b) const { return a || b; } };
//! @brief Logical xor of two bools.
struct logical_xor_fn { /*! @brief Applies it. */ XPORT_HOST_DEVICE constexpr bool operator()(bool a, bool b) const { return a != b; } };
//! @brief Logical not of a bool.
struct logical_not_fn { /*! @brief Applies it. */ XPORT_HOST_DEVICE constexpr bool operator()(bool a) const { return !a; } };
//! @brief `a & b` (integers and bool).
struct bitwise_and_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE constexpr T operator()(T a, T b) const { return static_cast<T>(a & b); } };
//! @brief `a | b` (integers and bool).
struct bitwise_or_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE constexpr T operator()(T a, T b) const { return static_cast<T>(a | b); } };
//! @brief `a ^ b` (integers and bool).
struct bitwise_xor_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE constexpr T operator()(T a, T b) const { return static_cast<T>(a ^ b); } };
// clang-format on

//! @brief `~a` for integers, `!a` for bool.
struct bitwise_not_fn {
  //! @brief Applies it.
  template <class T>
  XPORT_HOST_DEVICE constexpr T operator()(T a) const {
    if constexpr (std::is_same_v<T, bool>)
      return !a;
    else
      return static_cast<T>(~a);
  }
};

//! @brief `-x`; integers wrap.
struct neg_fn {
  //! @brief Applies it.
  template <class T>
  XPORT_HOST_DEVICE constexpr T operator()(T x) const {
    if constexpr (detail::wraps<T>)
      return detail::wrapping_sub(T(0), x);
    else
      return -x;
  }
};

//! @brief `|x|`; the minimum of a signed integer type stays itself (wraps).
struct abs_fn {
  //! @brief Applies it.
  template <class T>
  XPORT_HOST_DEVICE T operator()(T x) const {
    if constexpr (detail::wraps<T>) {
      if constexpr (std::is_signed_v<T>)
        return x < T(0) ? detail::wrapping_sub(T(0), x) : x;
      else
        return x;
    } else {
      return std::fabs(x);
    }
  }
};

// clang-format off
//! @brief `e^x`.
struct exp_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE T operator()(T x) const { return std::exp(x); } };
//! @brief Natural logarithm.
struct log_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE T operator()(T x) const { return std::log(x); } };
//! @brief `log(1 + x)`.
struct log1p_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE T operator()(T x) const { return std::log1p(x); } };
//! @brief Square root.
struct sqrt_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE T operator()(T x) const { return std::sqrt(x); } };
//! @brief `1 / sqrt(x)`.
struct rsqrt_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE T operator()(T x) const { return T(1) / std::sqrt(x); } };
//! @brief `1 / x`.
struct reciprocal_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE T operator()(T x) const { return T(1) / x; } };
//! @brief Sine.
struct sin_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE T operator()(T x) const { return std::sin(x); } };
//! @brief Cosine.
struct cos_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE T operator()(T x) const { return std::cos(x); } };
//! @brief Hyperbolic tangent.
struct tanh_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE T operator()(T x) const { return std::tanh(x); } };
//! @brief `1 / (1 + e^-x)`.
struct sigmoid_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE T operator()(T x) const { return T(1) / (T(1) + std::exp(-x)); } };
//! @brief The error function.
struct erf_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE T operator()(T x) const { return std::erf(x); } };
//! @brief `isnan(x)` (false for integers).
struct isnan_fn { /*! @brief Applies it. */ template <class T> XPORT_HOST_DEVICE constexpr bool operator()(T x) const { return detail::is_nan(x); } };
// clang-format on

//! @brief Rounding toward -inf; integers unchanged.
struct floor_fn {
  //! @brief Applies it.
  template <class T>
  XPORT_HOST_DEVICE T operator()(T x) const {
    if constexpr (std::is_integral_v<T>)
      return x;
    else
      return std::floor(x);
  }
};

//! @brief Rounding toward +inf; integers unchanged.
struct ceil_fn {
  //! @brief Applies it.
  template <class T>
  XPORT_HOST_DEVICE T operator()(T x) const {
    if constexpr (std::is_integral_v<T>)
      return x;
    else
      return std::ceil(x);
  }
};

//! @brief Rounding half to even (`nearbyint` in the default rounding mode); integers
//! unchanged.
struct round_fn {
  //! @brief Applies it.
  template <class T>
  XPORT_HOST_DEVICE T operator()(T x) const {
    if constexpr (std::is_integral_v<T>)
      return x;
    else
      return std::nearbyint(x);
  }
};

//! @brief Rounding half to even at `decimals` decimal digits:
//! `nearbyint(x * 10^d) / 10^d`, or `nearbyint(x / 10^-d) * 10^-d` for negative `d`.
template <class T>
struct round_decimals_fn {
  std::int64_t decimals; //!< digits after the point (negative: before it)
  //! @brief Applies it.
  XPORT_HOST_DEVICE T operator()(T x) const {
    T const scale = std::pow(T(10), static_cast<T>(decimals < 0 ? -decimals : decimals));
    return decimals < 0 ? std::nearbyint(x / scale) * scale : std::nearbyint(x * scale) / scale;
  }
};

//! @brief -1, 0 or 1 (NaN gives 0, as in PyTorch's CPU kernel); bool unchanged.
struct sign_fn {
  //! @brief Applies it.
  template <class T>
  XPORT_HOST_DEVICE constexpr T operator()(T x) const {
    if constexpr (std::is_same_v<T, bool>)
      return x;
    else
      return static_cast<T>(static_cast<int>(T(0) < x) - static_cast<int>(x < T(0)));
  }
};

//! @brief `max(x, 0)`; NaN stays NaN.
struct relu_fn {
  //! @brief Applies it.
  template <class T>
  XPORT_HOST_DEVICE constexpr T operator()(T x) const {
    return x > T(0) ? x : (detail::is_nan(x) ? x : T(0));
  }
};

//! @brief `x` where positive, `slope * x` elsewhere (NaN stays NaN).
template <class T>
struct leaky_relu_fn {
  T slope; //!< the negative slope
  //! @brief Applies it.
  XPORT_HOST_DEVICE constexpr T operator()(T x) const { return x > T(0) ? x : x * slope; }
};

//! @brief `x` clamped to `[low, high]` (NaN stays NaN; `low > high` gives `high`).
template <class T>
struct hardtanh_fn {
  T low;  //!< lower bound
  T high; //!< upper bound
  //! @brief Applies it.
  XPORT_HOST_DEVICE constexpr T operator()(T x) const {
    T const raised = x < low ? low : x;
    return raised > high ? high : raised;
  }
};

//! @brief GELU: `x Φ(x)`, exactly through erf, or with PyTorch's tanh approximation.
struct gelu_fn {
  bool tanh_approximation; //!< `approximate == 'tanh'`
  //! @brief Applies it.
  template <class T>
  XPORT_HOST_DEVICE T operator()(T x) const {
    if (tanh_approximation) {
      T const sqrt_2_over_pi = T(0.7978845608028654);
      T const inner = sqrt_2_over_pi * (x + T(0.044715) * x * x * x);
      return T(0.5) * x * (T(1) + std::tanh(inner));
    }
    return x * T(0.5) * (T(1) + std::erf(x * T(0.7071067811865476)));
  }
};

//! @brief SiLU: `x / (1 + e^-x)`.
struct silu_fn {
  //! @brief Applies it.
  template <class T>
  XPORT_HOST_DEVICE T operator()(T x) const {
    return x / (T(1) + std::exp(-x));
  }
};

//! @brief Softplus: `log1p(e^(beta x)) / beta`, or `x` where `beta x > threshold`.
template <class T>
struct softplus_fn {
  T beta;      //!< sharpness
  T threshold; //!< above it the function is linear
  //! @brief Applies it.
  XPORT_HOST_DEVICE T operator()(T x) const {
    return x * beta > threshold ? x : std::log1p(std::exp(x * beta)) / beta;
  }
};

} // namespace xport::kernels
