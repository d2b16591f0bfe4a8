//! @file
//! The embedding front end: `xport::embedding` (PyTorch's `F.embedding`).
#pragma once

#include <xport/api/call.hpp>
#include <xport/core/source_location.hpp>
#include <xport/ops/embedding.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace xport {

//! @brief `F.embedding(indices, weight, padding_idx)`: the rows of `weight`
//! (num_embeddings, embedding_dim) at `indices` (int32/int64, any shape), giving
//! `indices.shape + [embedding_dim]`.
//!
//! `padding_idx` only matters for gradients; as in PyTorch a negative value counts from
//! the end and is recorded wrapped (`-1` of 10 rows is recorded as 9; none as -1).
//! @code
//! auto e = xport::embedding(table, tokens); // table: [1000, 64], tokens: [2, 7] -> [2, 7, 64]
//! @endcode
//! @throws index_error "index out of range in self" (with the index and the number of
//! rows) for an index outside `[0, num_embeddings)`; value_error for a `padding_idx`
//! outside `[-num_embeddings, num_embeddings)`; dtype_error for non-integer indices.
inline Tensor embedding(Tensor const& weight, Tensor const& indices,
                        std::optional<std::int64_t> padding_idx = std::nullopt,
                        source_location const& where = source_location::current()) {
  std::int64_t recorded = -1;
  if (padding_idx) {
    std::int64_t const rows = weight.dim() >= 1 ? weight.size(0) : 0;
    if (*padding_idx >= rows || *padding_idx < -rows) {
      throw value_error("Padding_idx must be within num_embeddings: got padding_idx="
                        + std::to_string(*padding_idx) + " for a weight of " + std::to_string(rows)
                        + " rows");
    }
    recorded = *padding_idx < 0 ? *padding_idx + rows : *padding_idx;
  }
  return ops::call1<ops::embedding>({recorded, false, false}, {weight, indices}, where);
}

} // namespace xport
