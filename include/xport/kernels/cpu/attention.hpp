//! @file
//! CPU kernel of `scaled_dot_product_attention` (ops/attention.hpp): PyTorch's math
//! backend, with both matrix products through `kernels::cpu::gemm_batched`.
#pragma once

#include <xport/core/factories.hpp>
#include <xport/kernels/cpu/dropout.hpp>
#include <xport/kernels/cpu/gemm.hpp>
#include <xport/kernels/cpu/vec_math.hpp>
#include <xport/kernels/dispatch.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/ops/attention.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>

namespace xport::detail {

// key or value with `heads` heads at dimension -3, each of its own heads repeated
// consecutively (PyTorch's repeat_interleave for grouped-query attention).
inline Tensor repeat_heads(Tensor const& t, std::int64_t heads) {
  if (t.dim() < 3 || t.size(-3) == heads) return t;
  std::int64_t const groups = heads / t.size(-3);
  dim_vector expanded(t.sizes().begin(), t.sizes().end());
  expanded.insert(expanded.end() - 2, groups);
  dim_vector merged(t.sizes().begin(), t.sizes().end());
  merged[merged.size() - 3] = heads;
  return t.unsqueeze(-3).expand(expanded).reshape(merged);
}

// `t` broadcast to `batch + [rows, cols]` and flattened to (prod(batch), rows, cols),
// converted to `type` (a copy only where the layout needs one).
inline Tensor batch_matrices(Tensor const& t, int_list batch, std::int64_t rows, std::int64_t cols,
                             dtype type) {
  dim_vector sizes(batch.begin(), batch.end());
  sizes.push_back(rows);
  sizes.push_back(cols);
  std::int64_t count = 1;
  for (std::int64_t b : batch)
    count *= b;
  return t.to(type).expand(sizes).reshape({count, rows, cols});
}

// Turns each row of `scores` (count rows of `width`, contiguous) into softmax weights in
// place; a row whose scores are all -inf becomes zeros (`_safe_softmax`), a row holding
// NaN becomes NaN.
template <class T>
void safe_softmax_rows(T* scores, std::int64_t count, std::int64_t width) {
  // Eight partial maxima and sums, so that the loops run on vectors (and the sum does
  // not wait on one add per element).
  constexpr std::int64_t lanes = 8;
  for (std::int64_t r = 0; r < count; ++r) {
    T* row = scores + r * width;
    std::array<T, lanes> top;
    top.fill(-std::numeric_limits<T>::infinity());
    bool nan = false;
    auto take = [&](T v, T& t) {
      nan |= v != v;
      t = v > t ? v : t;
    };
    std::int64_t j = 0;
    for (; j + lanes <= width; j += lanes)
      for (std::size_t k = 0; k < lanes; ++k)
        take(row[j + static_cast<std::int64_t>(k)], top[k]);
    for (; j < width; ++j)
      take(row[j], top[0]);
    T const highest = *std::max_element(top.begin(), top.end());
    if (nan) {
      std::fill(row, row + width, std::numeric_limits<T>::quiet_NaN());
      continue;
    }
    if (highest == -std::numeric_limits<T>::infinity()) {
      std::fill(row, row + width, T(0));
      continue;
    }
    // The largest term is exp(0): no overflow.
    if constexpr (kernels::cpu::vec::vectorized<kernels::exp_fn, T>) {
      for (std::int64_t i = 0; i < width; ++i)
        row[i] -= highest;
      kernels::cpu::vec::apply(kernels::exp_fn{}, row, row, width);
    } else {
      for (std::int64_t i = 0; i < width; ++i)
        row[i] = std::exp(row[i] - highest);
    }
    std::array<T, lanes> part{};
    for (j = 0; j + lanes <= width; j += lanes)
      for (std::size_t k = 0; k < lanes; ++k)
        part[k] += row[j + static_cast<std::int64_t>(k)];
    for (; j < width; ++j)
      part[0] += row[j];
    T sum = 0;
    for (T p : part)
      sum += p;
    for (std::int64_t i = 0; i < width; ++i)
      row[i] /= sum;
  }
}

} // namespace xport::detail

namespace xport {

//! @brief `scaled_dot_product_attention` on CPU.
template <>
struct kernel<ops::scaled_dot_product_attention, cpu_t> {
  //! @brief Writes `softmax(q @ k^T * scale + mask) @ v` (dropout on the weights when
  //! `dropout_p > 0`), computed in float32 for half types and in the input dtype otherwise.
  static void run(ops::scaled_dot_product_attention::attributes const& a,
                  std::span<Tensor const> in, std::span<Tensor> out) {
    Tensor const& result = out[0];
    if (result.numel() == 0) return;
    dtype const type = result.dtype() == dtype::float64 ? dtype::float64 : dtype::float32;
    Tensor q = in[0], k = in[1], v = in[2];
    Tensor const& mask = in[3];
    std::int64_t const L = q.size(-2), E = q.size(-1), S = k.size(-2), Ev = v.size(-1);
    if (a.enable_gqa && q.dim() >= 3) {
      k = detail::repeat_heads(k, q.size(-3));
      v = detail::repeat_heads(v, q.size(-3));
    }
    int_list const batch = result.sizes().first(result.sizes().size() - 2);
    Tensor const q3 = detail::batch_matrices(q, batch, L, E, type);
    Tensor const k3 = detail::batch_matrices(k, batch, S, E, type);
    Tensor const v3 = detail::batch_matrices(v, batch, S, Ev, type);
    std::int64_t const count = q3.size(0);
    Tensor const weights = zeros({count, L, S}, {.dtype = type});
    double const scale = a.scale.value_or(1.0 / std::sqrt(static_cast<double>(E)));
    if (S > 0 && E > 0) kernels::cpu::gemm_batched(q3, k3.transpose(1, 2), weights, scale, 0);
    Tensor const mask3 = mask.defined()
                             ? detail::batch_matrices(mask, batch, L, S, mask.dtype())
                                   .to(mask.dtype() == dtype::bool_ ? dtype::bool_ : type)
                             : Tensor{};
    // The scores are computed in float32, or float64 for float64 inputs.
    kernels::visit_computed<dtype_set{dtype::float32} | dtype::float64>(
        type, "scaled_dot_product_attention", [&]<class T>() {
          T* w = weights.data_ptr<T>();
          T const neg_inf = -std::numeric_limits<T>::infinity();
          if (a.is_causal) {
            for (std::int64_t b = 0; b < count; ++b)
              for (std::int64_t i = 0; i < L; ++i)
                for (std::int64_t j = i + 1; j < S; ++j)
                  w[(b * L + i) * S + j] = neg_inf;
          } else if (mask3.defined() && mask3.dtype() == dtype::bool_) {
            Tensor const m = mask3.contiguous();
            bool const* keep = m.data_ptr<bool>();
            for (std::int64_t i = 0; i < weights.numel(); ++i)
              if (!keep[i]) w[i] = neg_inf;
          } else if (mask3.defined()) {
            Tensor const m = mask3.contiguous();
            T const* add = m.data_ptr<T>();
            for (std::int64_t i = 0; i < weights.numel(); ++i)
              w[i] += add[i];
          }
          detail::safe_softmax_rows(w, count * L, S);
          if (a.dropout_p == 1.0) {
            for (std::int64_t i = 0; i < weights.numel(); ++i)
              w[i] *= T(0);
          } else if (a.dropout_p > 0.0) {
            kernels::cpu::apply_dropout_mask(w, weights.numel(), a.dropout_p,
                                             static_cast<std::uint64_t>(a.seed));
          }
        });
    Tensor const product = zeros({count, L, Ev}, {.dtype = type});
    if (S > 0 && Ev > 0) kernels::cpu::gemm_batched(weights, v3, product);
    result.copy_(product.view(result.sizes()));
  }
};

} // namespace xport
