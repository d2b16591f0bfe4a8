//! @file
//! CPU kernel of the embedding op (ops/embedding.hpp).
#pragma once

#include <xport/core/factories.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/ops/embedding.hpp>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>

namespace xport {

//! @brief `embedding` on CPU: copies one weight row per index.
template <>
struct kernel<ops::embedding, cpu_t> {
  //! @brief Writes `out[i..., :] = weight[indices[i...], :]`.
  //! @throws index_error "index out of range in self" naming the index and the number of
  //! rows, for an index outside `[0, num_embeddings)` (negative indices included, as in
  //! PyTorch).
  static void run(ops::embedding::attributes const&, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    Tensor const weight = in[0].contiguous();
    Tensor const indices = in[1].to(dtype::int64).contiguous();
    std::int64_t const rows = weight.size(0);
    std::size_t const row_bytes = static_cast<std::size_t>(weight.size(1)) * weight.element_size();
    auto const* table = static_cast<std::byte const*>(weight.data());
    auto* result = static_cast<std::byte*>(out[0].data());
    std::int64_t const* index = indices.data_ptr<std::int64_t>();
    for (std::int64_t i = 0; i < indices.numel(); ++i) {
      std::int64_t const row = index[i];
      if (row < 0 || row >= rows) {
        throw index_error("index out of range in self: index " + std::to_string(row)
                          + " is out of bounds for an embedding weight of " + std::to_string(rows)
                          + " rows (size " + format_sizes(weight.sizes())
                          + "); valid indices are 0 to " + std::to_string(rows - 1));
      }
      if (row_bytes != 0) {
        std::memcpy(result + static_cast<std::size_t>(i) * row_bytes,
                    table + static_cast<std::size_t>(row) * row_bytes, row_bytes);
      }
    }
  }
};

} // namespace xport
