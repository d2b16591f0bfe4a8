//! @file
//! `nn::Embedding`: a learned lookup table of vectors indexed by integers (PyTorch's
//! `nn.Embedding`).
#pragma once

#include <xport/api/embedding.hpp>
#include <xport/core/dtype.hpp>
#include <xport/core/error.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/core/tensor.hpp>
#include <xport/nn/detail/layer_args.hpp>
#include <xport/nn/init.hpp>
#include <xport/nn/module.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace xport::nn {

//! @brief The keyword arguments of `Embedding` (PyTorch's `padding_idx=None, dtype=None`).
struct embedding_options {
  //! a row that stays zero at initialisation (PyTorch also keeps its gradient zero);
  //! negative counts from the end
  std::optional<std::int64_t> padding_idx = {};
  xport::dtype dtype = dtype::float32; //!< element type of the table
};

//! @brief A table of `num_embeddings` vectors of size `embedding_dim`; an index tensor of
//! sizes `[*]` gives vectors `[*, embedding_dim]` (PyTorch's `nn.Embedding`).
//!
//! State: `weight` `[num_embeddings, embedding_dim]`, initialised N(0, 1) from `gen`, with
//! the `padding_idx` row (if any) zeroed, as in PyTorch.
//! @code
//! xport::nn::Embedding tokens{32000, 512, gen, {.padding_idx = 0}};
//! @endcode
class Embedding : public Module<Embedding> {
public:
  Parameter weight;                        //!< `[num_embeddings, embedding_dim]`
  std::int64_t num_embeddings = 0;         //!< rows of the table
  std::int64_t embedding_dim = 0;          //!< size of each vector
  std::optional<std::int64_t> padding_idx; //!< the zeroed row, wrapped to [0, num_embeddings)

  //! @brief A table initialised N(0, 1) from `gen`.
  //! @throws value_error when a size is not positive or `padding_idx` is outside
  //! [-num_embeddings, num_embeddings).
  Embedding(std::int64_t num_embeddings_, std::int64_t embedding_dim_, Generator& gen,
            embedding_options options = {})
      : num_embeddings(num_embeddings_), embedding_dim(embedding_dim_) {
    detail::expect_positive("Embedding", "num_embeddings", num_embeddings);
    detail::expect_positive("Embedding", "embedding_dim", embedding_dim);
    if (options.padding_idx) {
      std::int64_t const index = *options.padding_idx;
      if (index >= num_embeddings || index < -num_embeddings)
        throw value_error("Padding_idx must be within num_embeddings (got padding_idx="
                          + std::to_string(index)
                          + " for num_embeddings=" + std::to_string(num_embeddings) + ")");
      padding_idx = index < 0 ? index + num_embeddings : index;
    }
    weight = empty({num_embeddings, embedding_dim}, {options.dtype});
    init::normal_(weight, gen);
    if (padding_idx) init::zeros_(weight.select(0, *padding_idx));
  }

  //! @brief `embedding(weight, indices, padding_idx)`: integer indices `[*]` -> vectors
  //! `[*, embedding_dim]`.
  //! @throws index_error for an index outside [0, num_embeddings); dtype_error for
  //! non-integer indices.
  Tensor forward(Tensor const& indices) const { return embedding(weight, indices, padding_idx); }
};

} // namespace xport::nn

//! @cond INTERNAL
// Reflection: the tensors and sub-modules, in PyTorch's state-dict order.
BOOST_HANA_ADAPT_STRUCT(xport::nn::Embedding, weight);
//! @endcond
