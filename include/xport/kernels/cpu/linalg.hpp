//! @file
//! CPU kernels of the linear-algebra ops (ops/linalg.hpp), all through
//! `kernels::cpu::gemm` / `gemm_batched`: OpenBLAS for float32/float64 when linked,
//! float32 accumulation for float16/bfloat16, an exact wrapping loop for integers.
#pragma once

#include <xport/kernels/cpu/gemm.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/ops/linalg.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <span>

namespace xport {

namespace kernels::cpu::detail {

// `t` with its leading `dims` dimensions merged into one of size `count` (a view when the
// strides allow; otherwise a copy, as reshape does). Spelled out so that a zero-size
// batch keeps its other sizes, which reshape with -1 cannot infer.
inline Tensor merge_leading(Tensor const& t, std::size_t dims, std::int64_t count) {
  dim_vector sizes{count};
  for (std::size_t i = dims; i < static_cast<std::size_t>(t.dim()); ++i)
    sizes.push_back(t.size(static_cast<std::int64_t>(i)));
  return t.reshape(sizes);
}

inline std::int64_t product(std::span<std::int64_t const> sizes) {
  std::int64_t n = 1;
  for (std::int64_t s : sizes)
    n *= s;
  return n;
}

// `out.copy_(bias)` for a bias that broadcasts along out's rows: when both are contiguous
// and of one dtype (the common bias of a linear layer; no view to make), the bias's bytes
// go into the first row, then the rows written so far are copied after themselves, so
// m rows take about log2(m) copies rather than m (each a library call) until a block of
// rows reaches `block_bytes`, which is then repeated; else copy_ with its broadcasting.
inline void broadcast_rows(Tensor const& bias, Tensor const& out) {
  std::int64_t const n = out.dim() == 0 ? 1 : out.size(-1);
  bool const plain = bias.dtype() == out.dtype() && bias.is_contiguous() && out.is_contiguous()
                     && bias.numel() == n && bias.dim() <= out.dim()
                     && (bias.dim() == 0 || bias.size(-1) == n) && n > 0
                     && !bias.storage().is_alias_of(out.storage());
  if (!plain) {
    out.copy_(bias);
    return;
  }
  constexpr std::size_t block_bytes = 16 * 1024; // copies stay within the L1 cache
  auto const row = static_cast<std::size_t>(n) * element_size(out.dtype());
  auto const rows = static_cast<std::size_t>(out.numel() / n);
  if (rows == 0) return;
  auto* to = static_cast<std::byte*>(out.data());
  std::memcpy(to, bias.data(), row);
  std::size_t done = 1;
  while (done < rows && done * row < block_bytes) {
    std::size_t const more = std::min(done, rows - done);
    std::memcpy(to + done * row, to, more * row);
    done += more;
  }
  for (std::size_t block = done; done < rows; done += block)
    std::memcpy(to + done * row, to, std::min(block, rows - done) * row);
}

// Writes self (broadcast) into out, where gemm's `beta * out` term picks it up. With
// beta == 0 gemm never reads out, so self is not copied and NaN in it is ignored.
inline void prepare_additive(Tensor const& self, Tensor const& out, Scalar const& beta) {
  bool const zero =
      beta.is_floating_point() ? beta.to<double>() == 0.0 : beta.to<std::int64_t>() == 0;
  if (!zero) broadcast_rows(self, out);
}

} // namespace kernels::cpu::detail

//! @brief `mm` on CPU.
template <>
struct kernel<ops::mm, cpu_t> {
  //! @brief `out[0] = in[0] @ in[1]`.
  static void run(ops::mm::attributes const&, std::span<Tensor const> in, std::span<Tensor> out) {
    if (!kernels::cpu::gemm_detail::gemm_direct(in[0], in[1], false, out[0], 0))
      kernels::cpu::gemm(in[0], in[1], out[0]);
  }
};

//! @brief `bmm` on CPU.
template <>
struct kernel<ops::bmm, cpu_t> {
  //! @brief `out[0][i] = in[0][i] @ in[1][i]`.
  static void run(ops::bmm::attributes const&, std::span<Tensor const> in, std::span<Tensor> out) {
    kernels::cpu::gemm_batched(in[0], in[1], out[0]);
  }
};

//! @brief `matmul` on CPU: each rank case is reduced to one `gemm` or `gemm_batched`
//! call on views (a folded or batch-broadcast operand is copied only when its strides
//! cannot be merged).
template <>
struct kernel<ops::matmul, cpu_t> {
  //! @brief `out[0] = in[0] @ in[1]` with PyTorch's rank rules.
  static void run(ops::matmul::attributes const&, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    using kernels::cpu::detail::merge_leading;
    Tensor const& a = in[0];
    Tensor const& b = in[1];
    Tensor const& result = out[0];
    std::int64_t const da = a.dim();
    std::int64_t const db = b.dim();
    // A vector operand is a 1 x k row (left) or a k x 1 column (right).
    Tensor const a2 = da == 1 ? a.unsqueeze(0) : a;
    Tensor const b2 = db == 1 ? b.unsqueeze(1) : b;
    std::int64_t const n = a2.size(-2);
    std::int64_t const k = a2.size(-1);
    std::int64_t const p = b2.size(-1);
    if (db <= 2) {
      // No batch on the right: fold every leading dim of a into the rows of one matrix.
      std::int64_t const rows =
          kernels::cpu::detail::product(a2.sizes().first(static_cast<std::size_t>(a2.dim() - 1)));
      Tensor const lhs = merge_leading(a2, static_cast<std::size_t>(a2.dim() - 1), rows);
      kernels::cpu::gemm(lhs, b2, result.view({rows, p}));
      return;
    }
    // Batched: broadcast the batch dims of both operands, then merge them into one.
    auto const batch_of = [](Tensor const& t) {
      return t.sizes().first(static_cast<std::size_t>(t.dim() - 2));
    };
    dim_vector batch = broadcast_shapes(batch_of(a2), batch_of(b2));
    std::int64_t const count =
        kernels::cpu::detail::product(std::span<std::int64_t const>(batch.data(), batch.size()));
    dim_vector a_sizes = batch;
    a_sizes.push_back(n);
    a_sizes.push_back(k);
    dim_vector b_sizes = batch;
    b_sizes.push_back(k);
    b_sizes.push_back(p);
    Tensor const lhs = merge_leading(a2.expand(a_sizes), batch.size(), count);
    Tensor const rhs = merge_leading(b2.expand(b_sizes), batch.size(), count);
    kernels::cpu::gemm_batched(lhs, rhs, result.view({count, n, p}));
  }
};

//! @brief `addmm` on CPU.
template <>
struct kernel<ops::addmm, cpu_t> {
  //! @brief `out[0] = beta * in[0] + alpha * in[1] @ in[2]`.
  static void run(ops::addmm::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::prepare_additive(in[0], out[0], a.beta);
    bool const direct =
        a.alpha.to<double>() == 1.0
        && kernels::cpu::gemm_detail::gemm_direct(in[1], in[2], false, out[0], a.beta);
    if (!direct) kernels::cpu::gemm(in[1], in[2], out[0], a.alpha, a.beta);
  }
};

//! @brief `baddbmm` on CPU.
template <>
struct kernel<ops::baddbmm, cpu_t> {
  //! @brief `out[0][i] = beta * in[0][i] + alpha * in[1][i] @ in[2][i]`.
  static void run(ops::baddbmm::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::prepare_additive(in[0], out[0], a.beta);
    kernels::cpu::gemm_batched(in[1], in[2], out[0], a.alpha, a.beta);
  }
};

//! @brief `linear` on CPU: one `gemm` with the weight's transpose as a view (BLAS reads
//! it column-major, no copy) and the bias as the initial value of the output.
template <>
struct kernel<ops::linear, cpu_t> {
  //! @brief `out[0] = in[0] @ in[1]^T (+ in[2])`.
  static void run(ops::linear::attributes const&, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    Tensor const& x = in[0];
    Tensor const& weight = in[1];
    bool const has_bias = in.size() > 2 && in[2].defined();
    std::int64_t const rows =
        kernels::cpu::detail::product(x.sizes().first(static_cast<std::size_t>(x.dim() - 1)));
    // Views only where the ranks differ (making one costs a handle's atomic operations).
    Tensor views[2];
    Tensor const& lhs = x.dim() == 2
                            ? x
                            : (views[0] = kernels::cpu::detail::merge_leading(
                                   x.dim() == 1 ? x.unsqueeze(0) : x,
                                   x.dim() == 1 ? 1 : static_cast<std::size_t>(x.dim() - 1), rows));
    Tensor const& result =
        out[0].dim() == 2 ? out[0] : (views[1] = out[0].view({rows, weight.size(0)}));
    if (has_bias) kernels::cpu::detail::broadcast_rows(in[2], out[0]); // result views them
    int const beta = has_bias ? 1 : 0; // an int: integer products refuse a float beta
    if (!kernels::cpu::gemm_detail::gemm_direct(lhs, weight, true, result, beta))
      kernels::cpu::gemm(lhs, weight.t(), result, 1, beta);
  }
};

} // namespace xport
