//! @file
//! The linear-algebra front end: `xport::mm`, `bmm`, `matmul`, `addmm`, `baddbmm`,
//! `linear`. Every function ends in `ops::call`, so it runs eagerly on real tensors and is
//! recorded when traced.
#pragma once

#include <xport/api/call.hpp>
#include <xport/core/source_location.hpp>
#include <xport/ops/linalg.hpp>

namespace xport {

//! @brief `torch.mm`: `[n, k] @ [k, p] -> [n, p]`, no broadcasting; every dtype but bool
//! (integers wrap like PyTorch's).
//! @throws shape_error "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)";
//! dtype_error "expected m1 and m2 to have the same dtype, but got: float != double".
inline Tensor mm(Tensor const& self, Tensor const& mat2,
                 source_location const& where = source_location::current()) {
  return ops::call1<ops::mm>({}, {self, mat2}, where);
}

//! @brief `torch.bmm`: `[b, n, k] @ [b, k, p] -> [b, n, p]`, no broadcasting.
//! @throws shape_error naming the expected and actual batch2 sizes; dtype_error as `mm`.
inline Tensor bmm(Tensor const& self, Tensor const& mat2,
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::bmm>({}, {self, mat2}, where);
}

//! @brief `torch.matmul` (`a @ b`): dot product of vectors (0-D result), matrix-vector,
//! vector-matrix, matrix product, and batched products with broadcast batch dimensions
//! (a 1-D operand gets a dimension prepended or appended, removed from the result).
//! @code
//! matmul(ones({2, 1, 3, 4}), ones({5, 4, 6})).sizes() // [2, 5, 3, 6]
//! matmul(ones({3}), ones({3}))                         // 0-D tensor 3
//! @endcode
//! @throws shape_error for 0-D operands, unequal inner sizes, or batch dims that do not
//! broadcast; dtype_error as `mm`.
inline Tensor matmul(Tensor const& self, Tensor const& other,
                     source_location const& where = source_location::current()) {
  return ops::call1<ops::matmul>({}, {self, other}, where);
}

//! @brief `torch.addmm`: `beta * self + alpha * (mat1 @ mat2)`, `self` broadcast to
//! `[n, p]`; with `beta == 0`, `self` is ignored (NaN in it does not propagate).
//! @throws as `mm`; shape_error when `self` does not expand to `[n, p]`; dtype_error for
//! a floating-point beta/alpha with integer tensors.
inline Tensor addmm(Tensor const& self, Tensor const& mat1, Tensor const& mat2, Scalar beta = 1,
                    Scalar alpha = 1, source_location const& where = source_location::current()) {
  return ops::call1<ops::addmm>({beta, alpha}, {self, mat1, mat2}, where);
}

//! @brief `torch.baddbmm`: `beta * self + alpha * (batch1 @ batch2)`, `self` broadcast
//! to `[b, n, p]`; `beta == 0` ignores `self`.
//! @throws as `bmm` and `addmm`.
inline Tensor baddbmm(Tensor const& self, Tensor const& batch1, Tensor const& batch2,
                      Scalar beta = 1, Scalar alpha = 1,
                      source_location const& where = source_location::current()) {
  return ops::call1<ops::baddbmm>({beta, alpha}, {self, batch1, batch2}, where);
}

//! @brief `torch.nn.functional.linear`: `input @ weight^T + bias` for input `[*, in]`,
//! weight `[out, in]`, bias `[out]` (or anything expanding to `[*, out]`), or no bias
//! when `bias` is undefined.
//! @code
//! linear(ones({8, 16, 32}), ones({64, 32}), zeros({64})).sizes() // [8, 16, 64]
//! @endcode
//! @throws shape_error "mat1 and mat2 shapes cannot be multiplied (128x32 and 31x64)";
//! dtype_error for mixed dtypes.
inline Tensor linear(Tensor const& input, Tensor const& weight, Tensor const& bias = {},
                     source_location const& where = source_location::current()) {
  return ops::call1<ops::linear>({}, {input, weight, bias}, where);
}

} // namespace xport
