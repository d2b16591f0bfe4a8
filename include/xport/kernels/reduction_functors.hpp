//! @file
//! Reduction math as small accumulators, shared by CPU and (later) CUDA kernels: each has
//! an `XPORT_HOST_DEVICE` `add` (fold one element) and `result`. This header must stay
//! parseable by nvcc: core/ only.
//!
//! Precision: floating sums, products, means, variances and log-sum-exps accumulate in
//! `double` whatever the input (half, bfloat16, float or double). Sums additionally
//! carry a Neumaier compensation term, so a float64 sum is as good as a double-double
//! summation for all practical inputs; a float32 sum is then exact before its final
//! rounding far beyond what PyTorch's float cascade sum gives.
#pragma once

#include <xport/core/config.hpp>

#include <cmath>
#include <cstdint>

namespace xport::kernels {

//! @brief A floating sum with Neumaier (improved Kahan) compensation, in double.
struct compensated_sum {
  double sum = 0.0;          //!< running sum
  double compensation = 0.0; //!< low-order bits lost by `sum`
  //! @brief Adds `x`.
  XPORT_HOST_DEVICE void add(double x) {
    double const t = sum + x;
    if (std::fabs(sum) >= std::fabs(x))
      compensation += (sum - t) + x;
    else
      compensation += (x - t) + sum;
    sum = t;
  }
  //! @brief The sum; an infinite or NaN running sum is returned as is (its compensation
  //! is meaningless then).
  XPORT_HOST_DEVICE double result() const { return std::isfinite(sum) ? sum + compensation : sum; }
};

//! @brief An integer sum that wraps modulo 2^64 (computed unsigned, so no undefined
//! behaviour), as PyTorch's integer sums wrap.
struct wrapping_sum {
  std::uint64_t sum = 0; //!< running sum, modulo 2^64
  //! @brief Adds `x`.
  XPORT_HOST_DEVICE void add(std::int64_t x) { sum += static_cast<std::uint64_t>(x); }
  //! @brief The sum as a (two's complement) int64.
  XPORT_HOST_DEVICE std::int64_t result() const { return static_cast<std::int64_t>(sum); }
};

//! @brief An integer product that wraps modulo 2^64.
struct wrapping_product {
  std::uint64_t product = 1; //!< running product, modulo 2^64
  //! @brief Multiplies by `x`.
  XPORT_HOST_DEVICE void add(std::int64_t x) { product *= static_cast<std::uint64_t>(x); }
  //! @brief The product as a (two's complement) int64.
  XPORT_HOST_DEVICE std::int64_t result() const { return static_cast<std::int64_t>(product); }
};

//! @brief A floating product in double.
struct floating_product {
  double product = 1.0; //!< running product
  //! @brief Multiplies by `x`.
  XPORT_HOST_DEVICE void add(double x) { product *= x; }
  //! @brief The product.
  XPORT_HOST_DEVICE double result() const { return product; }
};

//! @brief The extreme value of a sequence and the position of its first occurrence,
//! with PyTorch's NaN rule: the first NaN wins over every number and stays.
//! `Greater` selects the maximum; otherwise the minimum.
template <class T, bool Greater>
struct extremum {
  T value{};               //!< the extreme so far (meaningless before the first `add`)
  std::int64_t index = -1; //!< its position, -1 before the first `add`
  //! @brief Folds `x`, found at position `at`.
  XPORT_HOST_DEVICE void add(T x, std::int64_t at) {
    if (index < 0 || (!is_nan(value) && (is_nan(x) || better(x, value)))) {
      value = x;
      index = at;
    }
  }

private:
  XPORT_HOST_DEVICE static bool is_nan(T x) { return x != x; }
  XPORT_HOST_DEVICE static bool better(T x, T than) {
    if constexpr (Greater)
      return than < x;
    else
      return x < than;
  }
};

//! @brief Mean and sum of squared deviations by Welford's update, in double (stable
//! where the textbook `E[x^2] - E[x]^2` cancels).
struct welford {
  std::int64_t count = 0; //!< elements folded
  double mean = 0.0;      //!< running mean
  double m2 = 0.0;        //!< sum of squared deviations from `mean`
  //! @brief Folds `x`.
  XPORT_HOST_DEVICE void add(double x) {
    ++count;
    double const delta = x - mean;
    mean += delta / static_cast<double>(count);
    m2 += delta * (x - mean);
  }
  //! @brief `m2 / max(0, count - correction)`: inf for a zero divisor, NaN when `m2` is
  //! also 0 or for no elements — PyTorch's results.
  XPORT_HOST_DEVICE double variance(double correction) const {
    double const divisor = static_cast<double>(count) - correction;
    return m2 / (divisor > 0.0 ? divisor : 0.0);
  }
  //! @brief The mean; NaN for no elements.
  XPORT_HOST_DEVICE double result_mean() const { return count == 0 ? NAN : mean; }
};

//! @brief `log(sum(exp(x)))` in one pass: a running maximum `m` and `sum(exp(x - m))`,
//! rescaled when the maximum grows, so no `exp` overflows.
//!
//! `-inf` elements contribute nothing (and never meet `-inf - -inf`); `inf` elements
//! make the result `inf`; a NaN makes it NaN; no elements (or only `-inf`) give `-inf`.
struct log_sum_exp {
  double max = -INFINITY; //!< largest element so far
  double scaled = 0.0;    //!< sum of exp(x - max)
  bool nan = false;       //!< a NaN was folded
  //! @brief Folds `x`.
  XPORT_HOST_DEVICE void add(double x) {
    if (x != x) {
      nan = true;
    } else if (x == -INFINITY) {
      return;
    } else if (x > max) {
      scaled = scaled * std::exp(max - x) + 1.0; // exp(-inf) == 0 for the first element
      max = x;
    } else if (x == max) {
      scaled += 1.0; // also covers x == max == inf, where exp(inf - inf) would be NaN
    } else {
      scaled += std::exp(x - max);
    }
  }
  //! @brief The log-sum-exp.
  XPORT_HOST_DEVICE double result() const {
    if (nan) return NAN;
    if (std::isinf(max)) return max;
    return max + std::log(scaled);
  }
};

} // namespace xport::kernels
