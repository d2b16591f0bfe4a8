//! @file
//! CPU kernel of `scaled_dot_product_attention` (ops/attention.hpp), in two forms:
//! - PyTorch's math backend: the weights materialized, both matrix products through
//!   `kernels::cpu::gemm_batched` (so through OpenBLAS where linked), the softmax rows
//!   shared among the pool's threads. Used with dropout (its mask is drawn in the
//!   weights' row-major order) and while the weights are small.
//! - One fused kernel (`detail::fused_attention`): q, k and v read in place through
//!   their strides, scores computed a tile at a time with an online softmax, batch
//!   indices shared among the pool's threads. Its memory does not grow with L * S, but
//!   its products are plain loops: at a model's head sizes (E = 8: 32 queries x 32 keys x
//!   64 heads) it measured 1.8x slower than the BLAS products in benchmarks/run_models
//!   (transformer, batch 32), so it runs only when the weights would take more than
//!   `fused_attention_min_bytes`.
#pragma once

#include <xport/core/factories.hpp>
#include <xport/kernels/cpu/dropout.hpp>
#include <xport/kernels/cpu/gemm.hpp>
#include <xport/kernels/cpu/vec_rows.hpp>
#include <xport/kernels/dispatch.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/kernels/parallel.hpp>
#include <xport/kernels/tuning.hpp>
#include <xport/ops/attention.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>
#include <vector>

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

// Fused attention: one flattened batch index at a time, queries in blocks of
// `query_block` rows against keys in blocks of `key_block`, with the softmax taken online
// (a running maximum and sum per row, the output accumulator rescaled when the maximum
// grows, as FlashAttention does). q, k, v and the mask are read through their strides
// (broadcast batch dimensions included) and only tiles are packed, so nothing the size of
// the inputs is copied and at most `query_block x key_block` scores exist at a time.
template <class T>
struct fused_attention {
  static constexpr std::int64_t query_block = 32;
  static constexpr std::int64_t key_block = 128;

  // An operand's layout: the offset of each flattened batch index, and the strides of
  // its last two dimensions (rows, columns).
  struct operand {
    void const* data = nullptr;
    xport::detail::scratch_vector<std::int64_t> at;
    std::int64_t row = 0, col = 0;
  };

  std::int64_t L, S, E, Ev;
  T scale;
  bool causal;
  bool bool_mask;
  operand q, k, v, mask;
  T* out; // contiguous [count, L, Ev]

  // `t` broadcast to `batch + [rows, cols]`, its batch offsets in row-major order.
  static operand layout_of(Tensor const& t, int_list batch, std::int64_t rows, std::int64_t cols) {
    operand o;
    if (!t.defined()) return o;
    dim_vector full(batch.begin(), batch.end());
    full.push_back(rows);
    full.push_back(cols);
    dim_vector const strides = broadcast_strides(t.sizes(), t.strides(), full);
    o.data = t.storage().data();
    o.row = strides[strides.size() - 2];
    o.col = strides[strides.size() - 1];
    std::array<std::span<std::int64_t const>, 1> const batch_strides{
        std::span<std::int64_t const>(strides.data(), batch.size())};
    for_each_offset<1>(batch, batch_strides, {t.storage_offset()},
                       [&](std::array<std::int64_t, 1> const& at) { o.at.push_back(at[0]); });
    return o;
  }

  // The scratch tiles of one thread, kept between calls (resized, never shrunk).
  struct tiles {
    xport::detail::scratch_vector<T> q, k, v, scores, acc, top, sum;
    void fit(std::int64_t width, std::int64_t value_width) {
      auto const n = [](std::int64_t x) { return static_cast<std::size_t>(x); };
      q.resize(n(query_block * width));
      k.resize(n(width * key_block));
      v.resize(n(key_block * value_width));
      scores.resize(n(query_block * key_block));
      acc.resize(n(query_block * value_width));
      top.resize(n(query_block));
      sum.resize(n(query_block));
    }
  };

  void run(std::int64_t b, tiles& t) const {
    auto const at = [](auto const& offsets, std::int64_t i) {
      return offsets[static_cast<std::size_t>(i)];
    };
    T const* qd = static_cast<T const*>(q.data) + at(q.at, b);
    T const* kd = static_cast<T const*>(k.data) + at(k.at, b);
    T const* vd = static_cast<T const*>(v.data) + at(v.at, b);
    T* const qt = t.q.data();
    T* const kt = t.k.data();
    T* const vt = t.v.data();
    T* const top = t.top.data();
    T* const sum = t.sum.data();
    T* const acc = t.acc.data();
    T const neg_inf = -std::numeric_limits<T>::infinity();
    for (std::int64_t i0 = 0; i0 < L; i0 += query_block) {
      std::int64_t const lb = std::min(query_block, L - i0);
      for (std::int64_t i = 0; i < lb; ++i)
        for (std::int64_t e = 0; e < E; ++e)
          qt[i * E + e] = qd[(i0 + i) * q.row + e * q.col];
      std::fill(t.top.begin(), t.top.end(), neg_inf);
      std::fill(t.sum.begin(), t.sum.end(), T(0));
      std::fill(t.acc.begin(), t.acc.end(), T(0));
      // A causal row i sees keys j <= i: the block's last row sees up to i0 + lb - 1.
      std::int64_t const keys = causal ? std::min(S, i0 + lb) : S;
      for (std::int64_t j0 = 0; j0 < keys; j0 += key_block) {
        std::int64_t const sb = std::min(key_block, keys - j0);
        for (std::int64_t e = 0; e < E; ++e)
          for (std::int64_t j = 0; j < sb; ++j)
            kt[e * key_block + j] = kd[(j0 + j) * k.row + e * k.col];
        for (std::int64_t j = 0; j < sb; ++j)
          for (std::int64_t c = 0; c < Ev; ++c)
            vt[j * Ev + c] = vd[(j0 + j) * v.row + c * v.col];
        for (std::int64_t i = 0; i < lb; ++i)
          accumulate_row(b, i0 + i, j0, sb, qt + i * E, kt, vt, t.scores.data() + i * key_block,
                         acc + i * Ev, top[i], sum[i]);
      }
      T* o = out + (b * L + i0) * Ev;
      for (std::int64_t i = 0; i < lb; ++i) {
        // No key counted (all masked): zeros, as `_safe_softmax` gives; NaN stays NaN.
        bool const none = top[i] == neg_inf && sum[i] == T(0);
        for (std::int64_t c = 0; c < Ev; ++c)
          o[i * Ev + c] = none ? T(0) : acc[i * Ev + c] / sum[i];
      }
    }
  }

  // Row `i`'s scores against keys [j0, j0 + sb), masked, folded into its running maximum
  // `top`, sum `sum` and output accumulator `acc`.
  void accumulate_row(std::int64_t b, std::int64_t i, std::int64_t j0, std::int64_t sb, T const* qi,
                      T const* kt, T const* vt, T* s, T* acc, T& top, T& sum) const {
    T const neg_inf = -std::numeric_limits<T>::infinity();
    std::fill(s, s + sb, T(0));
    for (std::int64_t e = 0; e < E; ++e) {
      T const x = qi[e];
      T const* row = kt + e * key_block;
      for (std::int64_t j = 0; j < sb; ++j)
        s[j] += x * row[j];
    }
    for (std::int64_t j = 0; j < sb; ++j)
      s[j] *= scale;
    if (causal) {
      for (std::int64_t j = std::max<std::int64_t>(i + 1 - j0, 0); j < sb; ++j)
        s[j] = neg_inf;
    } else if (mask.data) {
      std::int64_t const base = mask.at[static_cast<std::size_t>(b)] + i * mask.row + j0 * mask.col;
      if (bool_mask) {
        bool const* keep = static_cast<bool const*>(mask.data) + base;
        for (std::int64_t j = 0; j < sb; ++j)
          if (!keep[j * mask.col]) s[j] = neg_inf;
      } else {
        T const* add = static_cast<T const*>(mask.data) + base;
        for (std::int64_t j = 0; j < sb; ++j)
          s[j] += add[j * mask.col];
      }
    }
    T highest = top;
    bool nan = false;
    for (std::int64_t j = 0; j < sb; ++j) {
      nan |= s[j] != s[j];
      highest = s[j] > highest ? s[j] : highest;
    }
    if (nan) {
      sum = std::numeric_limits<T>::quiet_NaN();
      return;
    }
    if (highest == neg_inf) return; // nothing to count yet
    T const rescale = top == neg_inf ? T(0) : std::exp(top - highest);
    kernels::cpu::vec::rows_detail::exp_shifted(s, sb, highest);
    T block_sum = 0;
    for (std::int64_t j = 0; j < sb; ++j)
      block_sum += s[j];
    sum = sum * rescale + block_sum;
    for (std::int64_t c = 0; c < Ev; ++c)
      acc[c] *= rescale;
    for (std::int64_t j = 0; j < sb; ++j) {
      T const p = s[j];
      T const* row = vt + j * Ev;
      for (std::int64_t c = 0; c < Ev; ++c)
        acc[c] += p * row[c];
    }
    top = highest;
  }
};

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
    std::int64_t count = 1;
    for (std::int64_t b : batch)
      count *= b;
    if (a.dropout_p == 0.0
        && count * L * S * static_cast<std::int64_t>(element_size(type))
               >= kernels::cpu::fused_attention_min_bytes) {
      fused(q.to(type), k.to(type), v.to(type), mask, a, batch, type, result);
      return;
    }
    Tensor const q3 = detail::batch_matrices(q, batch, L, E, type);
    Tensor const k3 = detail::batch_matrices(k, batch, S, E, type);
    Tensor const v3 = detail::batch_matrices(v, batch, S, Ev, type);
    // Each product writes every element of its result (beta = 0) unless it is empty.
    auto const result_of = [&](bool product, int_list sizes) {
      return product ? empty(sizes, {.dtype = type}) : zeros(sizes, {.dtype = type});
    };
    Tensor const weights = result_of(S > 0 && E > 0, {count, L, S});
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
          kernels::parallel_for(
              count * L,
              std::max<std::int64_t>(kernels::grain_size / std::max<std::int64_t>(S, 1), 1),
              [&](std::int64_t begin, std::int64_t end) {
                kernels::cpu::vec::softmax_rows(w + begin * S, end - begin, S);
              });
          if (a.dropout_p == 1.0) {
            for (std::int64_t i = 0; i < weights.numel(); ++i)
              w[i] *= T(0);
          } else if (a.dropout_p > 0.0) {
            kernels::cpu::apply_dropout_mask(w, weights.numel(), a.dropout_p,
                                             static_cast<std::uint64_t>(a.seed));
          }
        });
    Tensor const product = result_of(S > 0 && Ev > 0, {count, L, Ev});
    if (S > 0 && Ev > 0) kernels::cpu::gemm_batched(weights, v3, product);
    result.copy_(product.view(result.sizes()));
  }

private:
  // Without dropout: `detail::fused_attention` over every flattened batch index, shared
  // among the pool's threads, written straight into `result` when it is contiguous in the
  // math dtype.
  static void fused(Tensor const& q, Tensor const& k, Tensor const& v, Tensor const& mask,
                    ops::scaled_dot_product_attention::attributes const& a, int_list batch,
                    dtype type, Tensor const& result) {
    std::int64_t const L = q.size(-2), E = q.size(-1), S = k.size(-2), Ev = v.size(-1);
    Tensor const target = result.dtype() == type && result.is_contiguous()
                              ? result
                              : empty(result.sizes(), {.dtype = type});
    bool const bool_mask = mask.defined() && mask.dtype() == dtype::bool_;
    Tensor const m = mask.defined() && !bool_mask ? mask.to(type) : mask;
    kernels::visit_computed<dtype_set{dtype::float32} | dtype::float64>(
        type, "scaled_dot_product_attention", [&]<class T>() {
          using fa = detail::fused_attention<T>;
          fa const plan{
              .L = L,
              .S = S,
              .E = E,
              .Ev = Ev,
              .scale = static_cast<T>(a.scale.value_or(1.0 / std::sqrt(static_cast<double>(E)))),
              .causal = a.is_causal,
              .bool_mask = bool_mask,
              .q = fa::layout_of(q, batch, L, E),
              .k = fa::layout_of(k, batch, S, E),
              .v = fa::layout_of(v, batch, S, Ev),
              .mask = fa::layout_of(m, batch, L, S),
              .out = target.data_ptr<T>()};
          std::int64_t const count = static_cast<std::int64_t>(plan.q.at.size());
          std::int64_t const work = std::max<std::int64_t>(L * S * (E + Ev), 1);
          kernels::parallel_for(count, std::max<std::int64_t>(kernels::grain_size * 4 / work, 1),
                                [&](std::int64_t begin, std::int64_t end) {
                                  thread_local typename fa::tiles t;
                                  t.fit(E, Ev);
                                  for (std::int64_t b = begin; b < end; ++b)
                                    plan.run(b, t);
                                });
        });
    if (!target.is_same(result)) result.copy_(target);
  }
};

} // namespace xport
