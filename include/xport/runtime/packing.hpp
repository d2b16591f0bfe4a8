//! @file
//! Matrix-product operands laid out once, for plans that freeze the program's state
//! (`plan_options::freeze`): a product whose right-hand matrix is a frozen value reads a
//! copy of it laid out row by row instead.
//!
//! Why: `nn::Linear` keeps its weight as `[out, in]` and the product reads its transpose,
//! a column-major right-hand side. OpenBLAS 0.3.21 packs such an operand on every call,
//! and takes its small-matrix kernel only for row-major ones: a 64 x 64 x 64 product runs
//! in about half the time with the weight row-major (docs/gemm.md has the numbers).
//! Deployment runtimes do the same (ONNX Runtime and XNNPACK prepack constant weights).
#pragma once

#include <xport/core/tensor.hpp>

#include <cstddef>
#include <optional>
#include <string_view>

namespace xport::runtime {

//! @brief Which argument of a matrix-product op is its right-hand matrix, and whether
//! the product reads that argument transposed (`linear` reads `weight.t()`).
struct product_operand {
  std::size_t arg; //!< the argument's index
  bool transposed; //!< the product reads the argument's transpose
};

//! @brief The right-hand matrix of op `name` (`aten::linear`, `aten::mm`, `aten::addmm`,
//! `aten::matmul`, `aten::bmm`, `aten::baddbmm`), or nothing for any other op.
inline std::optional<product_operand> right_operand(std::string_view name) noexcept {
  if (name == "aten::linear") return product_operand{1, true};
  if (name == "aten::mm" || name == "aten::matmul" || name == "aten::bmm")
    return product_operand{1, false};
  if (name == "aten::addmm" || name == "aten::baddbmm") return product_operand{2, false};
  return std::nullopt;
}

//! @brief The value a product should read in place of `operand`, its right-hand matrix
//! (`where` says which argument that is): equal elements and sizes, laid out so that
//! the matrix `[..., k, n]` the product reads is row-major, with batch dimensions of
//! stride 0 (an expanded weight) still broadcast, so one matrix is stored. Undefined
//! when `operand` is row-major already, is not a float32 or float64 matrix (or batch of
//! them) on the CPU, or has no elements.
inline Tensor row_major_operand(Tensor const& operand, product_operand where) {
  if (!operand.defined() || !operand.device().is_cpu() || operand.numel() == 0
      || (operand.dtype() != dtype::float32 && operand.dtype() != dtype::float64))
    return {};
  if (where.transposed ? operand.dim() != 2 : operand.dim() < 2) return {};
  Tensor const b = where.transposed ? operand.t() : operand;
  if (b.stride(-1) == 1 && b.stride(-2) >= b.size(-1)) return {};
  Tensor one = b; // a single copy of what a zero batch stride repeats
  for (std::int64_t d = 0; d + 2 < b.dim(); ++d)
    if (b.stride(d) == 0) one = one.narrow(d, 0, 1);
  Tensor const packed = one.contiguous().expand(b.sizes());
  return where.transposed ? packed.t() : packed;
}

} // namespace xport::runtime
