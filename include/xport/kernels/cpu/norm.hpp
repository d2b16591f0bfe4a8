//! @file
//! CPU kernels of the normalization ops (ops/norm.hpp): batch norm, layer norm, group
//! norm.
//!
//! Statistics are accumulated in double with two passes (mean, then squared deviations),
//! so they are at least as accurate as PyTorch's for every dtype; half and bfloat16
//! inputs are read and written in their own type.
#pragma once

#include <xport/core/convert.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/half.hpp>
#include <xport/kernels/cpu/vec_rows.hpp>
#include <xport/kernels/dispatch.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/kernels/parallel.hpp>
#include <xport/ops/norm.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

namespace xport::detail {

template <class T>
inline constexpr bool is_float_element =
    std::is_floating_point_v<T> || std::is_same_v<T, half> || std::is_same_v<T, bfloat16>;

// The values of a small (per-channel or per-feature) tensor in row-major order, widened to
// double; empty for an undefined tensor.
inline scratch_vector<double> norm_values(Tensor const& t) {
  if (!t.defined()) return {};
  Tensor const dense = t.to(dtype::float64).contiguous();
  double const* data = dense.data_ptr<double>();
  return scratch_vector<double>(data, data + dense.numel());
}

// Writes `values` into `out` (contiguous, any floating dtype).
inline void norm_store(Tensor const& out, scratch_vector<double> const& values) {
  kernels::visit_computed<dtype_sets::floating>(out.dtype(), "native_norm", [&]<class T>() {
    T* data = out.data_ptr<T>();
    for (std::size_t i = 0; i < values.size(); ++i)
      data[i] = convert<T>(values[i]);
  });
}

// Mean and biased variance of `count` elements of `x`, the k-th at
// x[start(k)], visited through `at(k)`.
struct moments {
  double mean = 0;
  double var = 0;
};

template <class At>
moments norm_moments(std::int64_t count, At&& at) {
  moments m;
  if (count == 0) return {std::nan(""), std::nan("")};
  for (std::int64_t k = 0; k < count; ++k)
    m.mean += at(k);
  m.mean /= static_cast<double>(count);
  for (std::int64_t k = 0; k < count; ++k) {
    double const d = at(k) - m.mean;
    m.var += d * d;
  }
  m.var /= static_cast<double>(count);
  return m;
}

// Batch norm on (N, C, inner) data: normalizes channel c with mean[c] and rstd[c], given
// or computed (then written into the vectors, with the unbiased variance in `unbiased`).
inline void batch_norm_cpu(Tensor const& input, Tensor const& weight, Tensor const& bias,
                           bool use_batch_stats, scratch_vector<double>& mean,
                           scratch_vector<double>& rstd, scratch_vector<double>& unbiased,
                           double eps, Tensor const& out) {
  Tensor const x = input.contiguous();
  std::int64_t const n = x.size(0);
  std::int64_t const c = x.size(1);
  std::int64_t const inner = n * c == 0 ? 0 : x.numel() / (n * c);
  scratch_vector<double> const w = norm_values(weight);
  scratch_vector<double> const b = norm_values(bias);
  kernels::visit_computed<dtype_sets::floating>(x.dtype(), "native_norm", [&]<class T>() {
    T const* src = x.data_ptr<T>();
    T* dst = out.data_ptr<T>();
    for (std::int64_t ch = 0; ch < c; ++ch) {
      auto const uc = static_cast<std::size_t>(ch);
      auto const at = [&](std::int64_t k) {
        return convert<double>(src[((k / inner) * c + ch) * inner + k % inner]);
      };
      if (use_batch_stats) {
        std::int64_t const count = n * inner;
        moments const m = norm_moments(count, at);
        mean[uc] = m.mean;
        rstd[uc] = 1.0 / std::sqrt(m.var + eps);
        unbiased[uc] = m.var * static_cast<double>(count) / static_cast<double>(count - 1);
      }
      double const scale = rstd[uc] * (w.empty() ? 1.0 : w[uc]);
      double const shift = (b.empty() ? 0.0 : b[uc]) - mean[uc] * scale;
      for (std::int64_t s = 0; s < n; ++s) {
        std::int64_t const base = (s * c + ch) * inner;
        for (std::int64_t i = 0; i < inner; ++i)
          dst[base + i] = convert<T>(convert<double>(src[base + i]) * scale + shift);
      }
    }
  });
}

// Normalizes `groups` contiguous blocks of `block` elements each; the affine parameter of
// element i of a block is w[affine(block index, i)].
template <class Affine>
void block_norm_cpu(Tensor const& input, std::int64_t groups, std::int64_t block, double eps,
                    Tensor const& weight, Tensor const& bias, Affine&& affine, Tensor const& out) {
  Tensor const x = input.contiguous();
  scratch_vector<double> const w = norm_values(weight);
  scratch_vector<double> const b = norm_values(bias);
  kernels::visit_computed<dtype_sets::floating>(x.dtype(), "native_norm", [&]<class T>() {
    T const* src = x.data_ptr<T>();
    T* dst = out.data_ptr<T>();
    for (std::int64_t g = 0; g < groups; ++g) {
      T const* row = src + g * block;
      moments const m =
          norm_moments(block, [&](std::int64_t k) { return convert<double>(row[k]); });
      double const rstd = 1.0 / std::sqrt(m.var + eps);
      for (std::int64_t i = 0; i < block; ++i) {
        auto const p = static_cast<std::size_t>(affine(g, i));
        double y = (convert<double>(row[i]) - m.mean) * rstd;
        if (!w.empty()) y *= w[p];
        if (!b.empty()) y += b[p];
        dst[g * block + i] = convert<T>(y);
      }
    }
  });
}

} // namespace xport::detail

namespace xport {

//! @brief `_native_batch_norm_legit_functional` on CPU.
template <>
struct kernel<ops::batch_norm_functional, cpu_t> {
  //! @brief Writes the normalized input, the saved statistics and the new running
  //! statistics (an empty input leaves them unchanged, as PyTorch does).
  static void run(ops::batch_norm_functional::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    detail::scratch_vector<double> mean = detail::norm_values(in[3]);
    detail::scratch_vector<double> var = detail::norm_values(in[4]);
    detail::scratch_vector<double> rstd(var.size());
    detail::scratch_vector<double> unbiased(var.size());
    bool const batch_stats = a.training && in[0].numel() > 0;
    if (!batch_stats) {
      for (std::size_t c = 0; c < var.size(); ++c)
        rstd[c] = 1.0 / std::sqrt(var[c] + a.eps);
    }
    detail::scratch_vector<double> const running_mean = mean;
    detail::scratch_vector<double> const running_var = var;
    detail::batch_norm_cpu(in[0], in[1], in[2], batch_stats, mean, rstd, unbiased, a.eps, out[0]);
    if (a.training) {
      detail::scratch_vector<double> save_rstd = rstd;
      if (!batch_stats) std::fill(save_rstd.begin(), save_rstd.end(), 0.0);
      detail::norm_store(out[1],
                         batch_stats ? mean : detail::scratch_vector<double>(mean.size(), 0.0));
      detail::norm_store(out[2], save_rstd);
    }
    detail::scratch_vector<double> new_mean = running_mean;
    detail::scratch_vector<double> new_var = running_var;
    if (batch_stats) {
      for (std::size_t c = 0; c < new_mean.size(); ++c) {
        new_mean[c] = (1 - a.momentum) * running_mean[c] + a.momentum * mean[c];
        new_var[c] = (1 - a.momentum) * running_var[c] + a.momentum * unbiased[c];
      }
    }
    detail::norm_store(out[3], new_mean);
    detail::norm_store(out[4], new_var);
  }
};

//! @brief `_native_batch_norm_legit_no_training` on CPU.
template <>
struct kernel<ops::batch_norm_no_training, cpu_t> {
  //! @brief Normalizes with the running statistics; the saved statistics are empty.
  static void run(ops::batch_norm_no_training::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    detail::scratch_vector<double> mean = detail::norm_values(in[3]);
    detail::scratch_vector<double> const var = detail::norm_values(in[4]);
    detail::scratch_vector<double> rstd(var.size());
    for (std::size_t c = 0; c < var.size(); ++c)
      rstd[c] = 1.0 / std::sqrt(var[c] + a.eps);
    detail::scratch_vector<double> unused;
    detail::batch_norm_cpu(in[0], in[1], in[2], false, mean, rstd, unused, a.eps, out[0]);
  }
};

//! @brief `_native_batch_norm_legit.no_stats` on CPU.
template <>
struct kernel<ops::batch_norm_no_stats, cpu_t> {
  //! @brief Normalizes with batch statistics and saves them (zeros for an empty input).
  static void run(ops::batch_norm_no_stats::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    auto const channels = static_cast<std::size_t>(in[0].size(1));
    detail::scratch_vector<double> mean(channels, 0.0);
    detail::scratch_vector<double> rstd(channels, 0.0);
    detail::scratch_vector<double> unbiased(channels);
    if (in[0].numel() > 0)
      detail::batch_norm_cpu(in[0], in[1], in[2], true, mean, rstd, unbiased, a.eps, out[0]);
    detail::norm_store(out[1], mean);
    detail::norm_store(out[2], rstd);
  }
};

//! @cond
namespace detail {

// Layer norm of `rows` contiguous rows of `n` float or double elements, with weight and
// bias of the same dtype (or null): `vec::layer_norm_rows` (the two-pass double
// statistics of `block_norm_cpu`, on vectors), rows shared among the pool's threads.
template <class T>
void layer_norm_rows(T const* src, T* dst, std::int64_t rows, std::int64_t n, double eps,
                     T const* w, T const* b) {
  // A row costs several operations per element (two passes in double, then the
  // normalization), so rows are split at an eighth of the grain of a one-operation loop.
  kernels::parallel_for(
      rows, std::max<std::int64_t>(kernels::grain_size / 8 / std::max<std::int64_t>(n, 1), 1),
      [&](std::int64_t first, std::int64_t last) {
        kernels::cpu::vec::layer_norm_rows(src + first * n, dst + first * n, last - first, n, eps,
                                           w, b);
      });
}

// Runs `layer_norm_rows` when every tensor is contiguous float or double of one dtype;
// false (nothing done) otherwise.
inline bool layer_norm_dense(Tensor const& x, Tensor const& weight, Tensor const& bias,
                             std::int64_t rows, std::int64_t n, double eps, Tensor const& out) {
  auto const same = [&](Tensor const& t) {
    return !t.defined() || (t.dtype() == x.dtype() && t.is_contiguous() && t.device().is_cpu());
  };
  if ((x.dtype() != dtype::float32 && x.dtype() != dtype::float64) || !x.is_contiguous()
      || !out.is_contiguous() || out.dtype() != x.dtype() || !same(weight) || !same(bias))
    return false;
  auto const run = [&]<class T>() {
    layer_norm_rows<T>(x.data_ptr<T>(), out.data_ptr<T>(), rows, n, eps,
                       weight.defined() ? weight.data_ptr<T>() : nullptr,
                       bias.defined() ? bias.data_ptr<T>() : nullptr);
  };
  if (x.dtype() == dtype::float32)
    run.template operator()<float>();
  else
    run.template operator()<double>();
  return true;
}

} // namespace detail
//! @endcond

//! @brief `layer_norm` on CPU.
template <>
struct kernel<ops::layer_norm, cpu_t> {
  //! @brief Normalizes every row of `prod(normalized_shape)` trailing elements.
  static void run(ops::layer_norm::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    std::int64_t block = 1;
    for (SymInt const& s : a.normalized_shape)
      block *= s.expect_int();
    std::int64_t const rows = block == 0 ? 0 : in[0].numel() / block;
    if (detail::layer_norm_dense(in[0], in[1], in[2], rows, block, a.eps, out[0])) return;
    detail::block_norm_cpu(
        in[0], rows, block, a.eps, in[1], in[2], [](std::int64_t, std::int64_t i) { return i; },
        out[0]);
  }
};

//! @brief `group_norm` on CPU.
template <>
struct kernel<ops::group_norm, cpu_t> {
  //! @brief Normalizes every (sample, group) block of `C / num_groups * inner` elements.
  static void run(ops::group_norm::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    Tensor const& x = in[0];
    std::int64_t const n = x.size(0);
    std::int64_t const c = x.size(1);
    std::int64_t const inner = n * c == 0 ? 0 : x.numel() / (n * c);
    std::int64_t const per_group = c / a.num_groups;
    std::int64_t const groups = n * a.num_groups;
    detail::block_norm_cpu(
        x, groups, per_group * inner, a.eps, in[1], in[2],
        [&](std::int64_t g, std::int64_t i) {
          return (g % a.num_groups) * per_group + (inner == 0 ? 0 : i / inner);
        },
        out[0]);
  }
};

} // namespace xport
