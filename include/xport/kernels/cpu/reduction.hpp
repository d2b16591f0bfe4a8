//! @file
//! CPU kernels of the reduction ops (ops/reduction.hpp, ops/reduction_stats.hpp), all
//! built on the one strided loop of `reduction_loops.hpp` and the accumulators of
//! `reduction_functors.hpp` (floating math accumulates in double; see there).
#pragma once

#include <xport/kernels/cpu/loops.hpp>
#include <xport/kernels/cpu/reduction_loops.hpp>
#include <xport/kernels/dispatch.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/kernels/reduction_functors.hpp>
#include <xport/ops/reduction.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <span>
#include <type_traits>

namespace xport {

namespace kernels::cpu::detail {

template <class T>
inline constexpr bool is_floating_element =
    std::is_floating_point_v<T> || std::is_same_v<T, half> || std::is_same_v<T, bfloat16>;

// The dim mask of a concrete tensor for any of the dim forms the ops take.
template <class Dims>
ops::dim_mask mask_of(Tensor const& t, Dims const& dims) {
  return ops::reduction_mask(ops::tensor_meta::of(t), dims);
}

inline ops::dim_mask all_dims_mask(Tensor const& t) {
  return ops::dim_mask(static_cast<std::size_t>(t.dim()), true);
}

// Floating elements narrower than double: summed in plain double (`lane_sum`); float64
// keeps the compensated sum.
template <class T>
inline constexpr bool narrow_floating = is_floating_element<T> && sizeof(T) < sizeof(double);

// out[o] = sum (or, with `mean`, the mean) of `src` over `mask`; `src` has out's dtype.
template <class Op>
void sum_into(Tensor const& src, ops::dim_mask const& mask, Tensor const& out, bool mean) {
  std::int64_t const count = kernels::cpu::reduction_layout::of(src, mask).reduced_numel();
  visit_declared<Op>(out.dtype(), [&]<class T>() {
    T* const result = out.data_ptr<T>();
    auto const store = [&](std::int64_t o, double total) {
      result[o] = convert<T>(mean ? total / static_cast<double>(count) : total);
    };
    if constexpr (narrow_floating<T>) {
      kernels::cpu::reduce_rows<T>(
          src, mask, 0.0, [](double& acc, T x, std::int64_t) { acc += convert<double>(x); }, store,
          [&](std::int64_t o, T const* x, std::int64_t n) {
            store(o, lane_sum(x, n, std::identity{}));
          });
    } else if constexpr (is_floating_element<T>) {
      kernels::cpu::reduce<T>(
          src, mask, kernels::compensated_sum{},
          [](kernels::compensated_sum& acc, T x, std::int64_t) { acc.add(convert<double>(x)); },
          [&](std::int64_t o, kernels::compensated_sum const& acc) { store(o, acc.result()); });
    } else {
      kernels::cpu::reduce<T>(
          src, mask, kernels::wrapping_sum{},
          [](kernels::wrapping_sum& acc, T x, std::int64_t) { acc.add(convert<std::int64_t>(x)); },
          [&](std::int64_t o, kernels::wrapping_sum const& acc) {
            result[o] = convert<T>(acc.result());
          });
    }
  });
}

// out[o] = product of `src` over `mask`; `src` has out's dtype.
template <class Op>
void prod_into(Tensor const& src, ops::dim_mask const& mask, Tensor const& out) {
  visit_declared<Op>(out.dtype(), [&]<class T>() {
    T* const result = out.data_ptr<T>();
    using acc_t = std::conditional_t<is_floating_element<T>, kernels::floating_product,
                                     kernels::wrapping_product>;
    using wide = std::conditional_t<is_floating_element<T>, double, std::int64_t>;
    kernels::cpu::reduce<T>(
        src, mask, acc_t{}, [](acc_t& acc, T x, std::int64_t) { acc.add(convert<wide>(x)); },
        [&](std::int64_t o, acc_t const& acc) { result[o] = convert<T>(acc.result()); });
  });
}

// The extreme values (into `values`, if defined) and their positions (into `indices`, if
// defined) of `in` over `mask`.
template <class Op, bool Greater>
void extremum_into(Tensor const& in, ops::dim_mask const& mask, Tensor const& values,
                   Tensor const& indices) {
  visit_declared<Op>(in.dtype(), [&]<class T>() {
    using math = kernels::cpu::opmath_t<T>;
    using acc_t = kernels::extremum<math, Greater>;
    T* const value_out = values.defined() ? values.data_ptr<T>() : nullptr;
    std::int64_t* const index_out = indices.defined() ? indices.data_ptr<std::int64_t>() : nullptr;
    kernels::cpu::reduce<T>(
        in, mask, acc_t{}, [](acc_t& acc, T x, std::int64_t k) { acc.add(convert<math>(x), k); },
        [&](std::int64_t o, acc_t const& acc) {
          if (value_out) value_out[o] = convert<T>(acc.value);
          if (index_out) index_out[o] = acc.index;
        });
  });
}

// Welford over `mask`: variance (square-rooted with `root`) into `variance`, the mean into
// `mean` when defined.
template <class Op>
void variance_into(Tensor const& in, ops::dim_mask const& mask,
                   std::optional<Scalar> const& correction, bool root, Tensor const& variance,
                   Tensor const& mean) {
  double const c = correction ? correction->to<double>() : 1.0;
  visit_declared<Op>(in.dtype(), [&]<class T>() {
    T* const var_out = variance.data_ptr<T>();
    T* const mean_out = mean.defined() ? mean.data_ptr<T>() : nullptr;
    auto const store = [&](std::int64_t o, double v, double m) {
      var_out[o] = convert<T>(root ? std::sqrt(v) : v);
      if (mean_out) mean_out[o] = convert<T>(m);
    };
    // A contiguous run takes two passes (the mean, then the squared deviations from it),
    // as stable as Welford's update and without its division per element.
    kernels::cpu::reduce_rows<T>(
        in, mask, kernels::welford{},
        [](kernels::welford& acc, T x, std::int64_t) { acc.add(convert<double>(x)); },
        [&](std::int64_t o, kernels::welford const& acc) {
          store(o, acc.variance(c), acc.result_mean());
        },
        [&](std::int64_t o, T const* x, std::int64_t n) {
          kernels::welford acc{.count = n, .mean = NAN, .m2 = 0.0};
          if (n > 0) {
            double const m = lane_sum(x, n, std::identity{}) / static_cast<double>(n);
            acc.mean = m;
            acc.m2 = lane_sum(x, n, [m](double v) { return (v - m) * (v - m); });
          }
          store(o, acc.variance(c), acc.result_mean());
        });
  });
}

// Whether any (`Any`) or every element of `in` over `mask` is nonzero, into `out` (bool,
// or uint8 for a uint8 input).
template <class Op, bool Any>
void logical_into(Tensor const& in, ops::dim_mask const& mask, Tensor const& out) {
  visit_declared<Op>(in.dtype(), [&]<class T>() {
    using out_t = std::conditional_t<std::is_same_v<T, std::uint8_t>, std::uint8_t, bool>;
    out_t* const result = out.data_ptr<out_t>();
    kernels::cpu::reduce<T>(
        in, mask, !Any,
        [](bool& acc, T x, std::int64_t) {
          acc = Any ? (acc || convert<bool>(x)) : (acc && convert<bool>(x));
        },
        [&](std::int64_t o, bool acc) { result[o] = static_cast<out_t>(acc); });
  });
}

// softmax (or log_softmax) of `src` along `dim` into `out`; both have out's dtype, which
// is the op's dispatch dtype (or float32 for `half_to_float`). Each lane is shifted by its
// maximum (so every exp() is in (0, 1]) and carried in double: exp'ed on SLEEF's double
// vectors where available (`vec::exp_in_place`), summed (compensated for double results;
// in four partial double sums for the others, whose rounding to float hides the
// difference), and each weight divided by the sum, so it is rounded once. A lane of up to
// `kept` elements is exp'ed once, on the stack; a longer one in blocks, exp'ed again for
// the division.
template <class Op>
void softmax_into(Tensor const& src, std::int64_t dim, Tensor const& out, bool log) {
  visit_declared<Op>(out.dtype(), [&]<class T>() {
    constexpr bool wide = std::is_same_v<T, double>;
    auto const* const x = static_cast<T const*>(src.storage().data());
    auto* const y = static_cast<T*>(out.storage().data());
    kernels::cpu::for_each_lane(
        src, out, dim,
        [&](std::int64_t in_base, std::int64_t out_base, std::int64_t size, std::int64_t in_step,
            std::int64_t out_step) {
          // NaN compares false, so it is skipped here as std::fmax skips it; it still makes
          // the whole lane NaN through its own exp and the sum.
          double shift = -INFINITY;
          for (std::int64_t j = 0; j < size; ++j) {
            double const v = convert<double>(x[in_base + j * in_step]);
            shift = v > shift ? v : shift;
          }
          constexpr std::int64_t kept = 512;
          std::array<double, kept> e; // each element written before it is read
          bool const once = size <= kept;
          std::int64_t const block = once ? kept : 64;
          // e[0, m) = the lane's centered values from `start`, exp'ed when `exp` is true.
          auto centered = [&](std::int64_t start, std::int64_t m, bool exp) {
            for (std::int64_t i = 0; i < m; ++i)
              e[static_cast<std::size_t>(i)] =
                  convert<double>(x[in_base + (start + i) * in_step]) - shift;
            if (exp) vec::exp_in_place(e.data(), m);
          };
          kernels::compensated_sum compensated;
          std::array<double, 4> part{};
          for (std::int64_t start = 0; start < size; start += block) {
            std::int64_t const m = std::min(block, size - start);
            centered(start, m, true);
            for (std::int64_t i = 0; i < m; ++i) {
              double const v = e[static_cast<std::size_t>(i)];
              if constexpr (wide)
                compensated.add(v);
              else
                part[static_cast<std::size_t>(i % 4)] += v;
            }
          }
          double const denominator =
              wide ? compensated.result() : (part[0] + part[1]) + (part[2] + part[3]);
          double const log_denominator = std::log(denominator);
          for (std::int64_t start = 0; start < size; start += block) {
            std::int64_t const m = std::min(block, size - start);
            if (!once || log) centered(start, m, !log);
            for (std::int64_t i = 0; i < m; ++i) {
              double const v = e[static_cast<std::size_t>(i)];
              y[out_base + (start + i) * out_step] =
                  convert<T>(log ? v - log_denominator : v / denominator);
            }
          }
        });
  });
}

} // namespace kernels::cpu::detail

//! @brief `sum` on CPU: the input converted to the result dtype, then summed
//! (compensated, in double, for floating types; wrapping int64 for integers).
template <>
struct kernel<ops::sum, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::sum::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    Tensor const src = in[0].to(out[0].dtype());
    kernels::cpu::detail::sum_into<ops::sum>(src, kernels::cpu::detail::mask_of(src, a.dim), out[0],
                                             false);
  }
};

//! @brief `mean` on CPU: the compensated sum divided by the count (NaN for none).
template <>
struct kernel<ops::mean, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::mean::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    Tensor const src = in[0].to(out[0].dtype());
    kernels::cpu::detail::sum_into<ops::mean>(src, kernels::cpu::detail::mask_of(src, a.dim),
                                              out[0], true);
  }
};

//! @brief `prod` (every element) on CPU.
template <>
struct kernel<ops::prod, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::prod::attributes const&, std::span<Tensor const> in, std::span<Tensor> out) {
    Tensor const src = in[0].to(out[0].dtype());
    kernels::cpu::detail::prod_into<ops::prod>(src, kernels::cpu::detail::all_dims_mask(src),
                                               out[0]);
  }
};

//! @brief `prod.dim_int` on CPU.
template <>
struct kernel<ops::prod_dim, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::prod_dim::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    Tensor const src = in[0].to(out[0].dtype());
    kernels::cpu::detail::prod_into<ops::prod_dim>(src, kernels::cpu::detail::mask_of(src, a.dim),
                                                   out[0]);
  }
};

//! @brief `amax` on CPU.
template <>
struct kernel<ops::amax, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::amax::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::extremum_into<ops::amax, true>(
        in[0], kernels::cpu::detail::mask_of(in[0], std::span(a.dim)), out[0], {});
  }
};

//! @brief `amin` on CPU.
template <>
struct kernel<ops::amin, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::amin::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::extremum_into<ops::amin, false>(
        in[0], kernels::cpu::detail::mask_of(in[0], std::span(a.dim)), out[0], {});
  }
};

//! @brief `max` (every element) on CPU.
template <>
struct kernel<ops::max, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::max::attributes const&, std::span<Tensor const> in, std::span<Tensor> out) {
    kernels::cpu::detail::extremum_into<ops::max, true>(
        in[0], kernels::cpu::detail::all_dims_mask(in[0]), out[0], {});
  }
};

//! @brief `min` (every element) on CPU.
template <>
struct kernel<ops::min, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::min::attributes const&, std::span<Tensor const> in, std::span<Tensor> out) {
    kernels::cpu::detail::extremum_into<ops::min, false>(
        in[0], kernels::cpu::detail::all_dims_mask(in[0]), out[0], {});
  }
};

//! @brief `max.dim` on CPU: values and indices in one pass.
template <>
struct kernel<ops::max_dim, cpu_t> {
  //! @brief Writes `out[0]` (values) and `out[1]` (indices).
  static void run(ops::max_dim::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::extremum_into<ops::max_dim, true>(
        in[0], kernels::cpu::detail::mask_of(in[0], a.dim), out[0], out[1]);
  }
};

//! @brief `min.dim` on CPU: values and indices in one pass.
template <>
struct kernel<ops::min_dim, cpu_t> {
  //! @brief Writes `out[0]` (values) and `out[1]` (indices).
  static void run(ops::min_dim::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::extremum_into<ops::min_dim, false>(
        in[0], kernels::cpu::detail::mask_of(in[0], a.dim), out[0], out[1]);
  }
};

//! @brief `argmax` on CPU.
template <>
struct kernel<ops::argmax, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::argmax::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    ops::dim_mask const mask = a.dim ? kernels::cpu::detail::mask_of(in[0], *a.dim)
                                     : kernels::cpu::detail::all_dims_mask(in[0]);
    kernels::cpu::detail::extremum_into<ops::argmax, true>(in[0], mask, {}, out[0]);
  }
};

//! @brief `argmin` on CPU.
template <>
struct kernel<ops::argmin, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::argmin::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    ops::dim_mask const mask = a.dim ? kernels::cpu::detail::mask_of(in[0], *a.dim)
                                     : kernels::cpu::detail::all_dims_mask(in[0]);
    kernels::cpu::detail::extremum_into<ops::argmin, false>(in[0], mask, {}, out[0]);
  }
};

//! @brief `var.correction` on CPU (Welford, in double).
template <>
struct kernel<ops::var, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::var::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::variance_into<ops::var>(
        in[0], kernels::cpu::detail::mask_of(in[0], a.dim), a.correction, false, out[0], {});
  }
};

//! @brief `std.correction` on CPU (Welford, in double).
template <>
struct kernel<ops::std_dev, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::std_dev::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::variance_into<ops::std_dev>(
        in[0], kernels::cpu::detail::mask_of(in[0], a.dim), a.correction, true, out[0], {});
  }
};

//! @brief `var_mean.correction` on CPU: both from one Welford pass.
template <>
struct kernel<ops::var_mean, cpu_t> {
  //! @brief Writes `out[0]` (variance) and `out[1]` (mean).
  static void run(ops::var_mean::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::variance_into<ops::var_mean>(
        in[0], kernels::cpu::detail::mask_of(in[0], a.dim), a.correction, false, out[0], out[1]);
  }
};

//! @brief `any` (every element) on CPU.
template <>
struct kernel<ops::any, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::any::attributes const&, std::span<Tensor const> in, std::span<Tensor> out) {
    kernels::cpu::detail::logical_into<ops::any, true>(
        in[0], kernels::cpu::detail::all_dims_mask(in[0]), out[0]);
  }
};

//! @brief `any.dims` on CPU.
template <>
struct kernel<ops::any_dims, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::any_dims::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::logical_into<ops::any_dims, true>(
        in[0], kernels::cpu::detail::mask_of(in[0], a.dim), out[0]);
  }
};

//! @brief `all` (every element) on CPU.
template <>
struct kernel<ops::all, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::all::attributes const&, std::span<Tensor const> in, std::span<Tensor> out) {
    kernels::cpu::detail::logical_into<ops::all, false>(
        in[0], kernels::cpu::detail::all_dims_mask(in[0]), out[0]);
  }
};

//! @brief `all.dims` on CPU.
template <>
struct kernel<ops::all_dims, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::all_dims::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::logical_into<ops::all_dims, false>(
        in[0], kernels::cpu::detail::mask_of(in[0], a.dim), out[0]);
  }
};

//! @brief `logsumexp` on CPU: one pass with a running maximum, in double.
template <>
struct kernel<ops::logsumexp, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::logsumexp::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    Tensor const src = in[0].to(out[0].dtype());
    ops::dim_mask const mask = kernels::cpu::detail::mask_of(src, std::span(a.dim));
    kernels::visit_computed<dtype_sets::floating>(out[0].dtype(), "logsumexp", [&]<class T>() {
      T* const result = out[0].data_ptr<T>();
      kernels::cpu::reduce<T>(
          src, mask, kernels::log_sum_exp{},
          [](kernels::log_sum_exp& acc, T x, std::int64_t) { acc.add(convert<double>(x)); },
          [&](std::int64_t o, kernels::log_sum_exp const& acc) {
            result[o] = convert<T>(acc.result());
          });
    });
  }
};

//! @brief `cumsum` on CPU: running sums along each lane (compensated in double for
//! floating types, wrapping int64 for integers).
template <>
struct kernel<ops::cumsum, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::cumsum::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    Tensor const src = in[0].to(out[0].dtype());
    kernels::visit_declared<ops::cumsum>(out[0].dtype(), [&]<class T>() {
      auto const* const x = static_cast<T const*>(src.storage().data());
      auto* const y = static_cast<T*>(out[0].storage().data());
      using acc_t = std::conditional_t<kernels::cpu::detail::is_floating_element<T>,
                                       kernels::compensated_sum, kernels::wrapping_sum>;
      using wide =
          std::conditional_t<kernels::cpu::detail::is_floating_element<T>, double, std::int64_t>;
      kernels::cpu::for_each_lane(src, out[0], a.dim,
                                  [&](std::int64_t in_base, std::int64_t out_base,
                                      std::int64_t size, std::int64_t in_step,
                                      std::int64_t out_step) {
                                    acc_t acc;
                                    for (std::int64_t j = 0; j < size; ++j) {
                                      acc.add(convert<wide>(x[in_base + j * in_step]));
                                      y[out_base + j * out_step] = convert<T>(acc.result());
                                    }
                                  });
    });
  }
};

//! @brief `softmax.int` on CPU (shifted by each lane's maximum, in double).
template <>
struct kernel<ops::softmax, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::softmax::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::softmax_into<ops::softmax>(in[0].to(out[0].dtype()), a.dim, out[0],
                                                     false);
  }
};

//! @brief `log_softmax.int` on CPU: `x - max - log(sum(exp(x - max)))`, in double.
template <>
struct kernel<ops::log_softmax, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::log_softmax::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::softmax_into<ops::log_softmax>(in[0].to(out[0].dtype()), a.dim, out[0],
                                                         true);
  }
};

//! @brief `_softmax` on CPU.
template <>
struct kernel<ops::_softmax, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::_softmax::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::softmax_into<ops::_softmax>(in[0].to(out[0].dtype()), a.dim, out[0],
                                                      false);
  }
};

//! @brief `_log_softmax` on CPU.
template <>
struct kernel<ops::_log_softmax, cpu_t> {
  //! @brief Writes `out[0]`.
  static void run(ops::_log_softmax::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::softmax_into<ops::_log_softmax>(in[0].to(out[0].dtype()), a.dim, out[0],
                                                          true);
  }
};

} // namespace xport
