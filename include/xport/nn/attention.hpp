//! @file
//! `nn::MultiheadAttention`: attention over `num_heads` heads with learned input and output
//! projections (PyTorch's `nn.MultiheadAttention`).
#pragma once

#include <xport/core/dtype.hpp>
#include <xport/core/error.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/core/tensor.hpp>
#include <xport/nn/detail/layer_args.hpp>
#include <xport/nn/init.hpp>
#include <xport/nn/linear.hpp>
#include <xport/nn/module.hpp>

#include <cstdint>
#include <string>

namespace xport::nn {

//! @brief The keyword arguments of `MultiheadAttention` (PyTorch's `dropout=0.0,
//! bias=True, batch_first`, `dtype=None`).
//!
//! Unlike PyTorch, `batch_first` defaults to true: inputs are `[batch, sequence, feature]`.
struct multihead_attention_options {
  double dropout = 0.0;                //!< dropout on the attention weights (training only)
  bool bias = true;                    //!< learn `in_proj_bias` and `out_proj.bias`
  bool batch_first = true;             //!< `[batch, seq, feature]` (else `[seq, batch, feature]`)
  xport::dtype dtype = dtype::float32; //!< element type of the parameters
};

//! @brief The result of `MultiheadAttention`: the attended values and, when asked for,
//! the attention weights.
struct attention_output {
  Tensor output;  //!< `[batch, target length, embed_dim]` (batch first)
  Tensor weights; //!< `[batch, target length, source length]` averaged over heads, or
                  //!< `[batch, heads, L, S]`; undefined unless `need_weights`
};

//! @brief Multi-head attention with packed input projections (PyTorch's
//! `nn.MultiheadAttention`, `kdim = vdim = embed_dim`).
//!
//! State, in state-dict order: `in_proj_weight` `[3E, E]` (query, key and value projections
//! stacked), `in_proj_bias` `[3E]`, `out_proj.weight` `[E, E]`, `out_proj.bias` `[E]`.
//! Initialisation is PyTorch's: `out_proj` as a `Linear` (drawn first), then
//! `in_proj_weight` by `xavier_uniform_`; both biases zero.
//! @code
//! xport::nn::MultiheadAttention attn{64, 8, gen};
//! auto [y, w] = attn(x, x, x);    // x: [batch, seq, 64]; w: [batch, seq, seq]
//! @endcode
class MultiheadAttention : public Module<MultiheadAttention> {
public:
  Parameter in_proj_weight;            //!< `[3 * embed_dim, embed_dim]`
  Parameter in_proj_bias;              //!< `[3 * embed_dim]`, zeros (with `bias`)
  Linear out_proj;                     //!< `embed_dim -> embed_dim`, bias zeroed
  std::int64_t embed_dim = 0;          //!< `E`, the model's feature size
  std::int64_t num_heads = 0;          //!< heads `E` is split into
  std::int64_t head_dim = 0;           //!< `E / num_heads`
  multihead_attention_options options; //!< dropout, bias, batch_first

  //! @brief Attention over `num_heads_` heads of `embed_dim_ / num_heads_` features,
  //! initialised from `gen`.
  //! @throws value_error when a size is not positive, `embed_dim_` is not divisible by
  //! `num_heads_` ("embed_dim must be divisible by num_heads"), or `dropout` is outside
  //! [0, 1].
  MultiheadAttention(std::int64_t embed_dim_, std::int64_t num_heads_, Generator& gen,
                     multihead_attention_options options_ = {})
      : out_proj(checked_embed_dim(embed_dim_, num_heads_), embed_dim_, gen,
                 {.bias = options_.bias, .dtype = options_.dtype}),
        embed_dim(embed_dim_), num_heads(num_heads_), head_dim(embed_dim_ / num_heads_),
        options(options_) {
    detail::expect_probability(options.dropout);
    in_proj_weight = empty({3 * embed_dim, embed_dim}, {options.dtype});
    init::xavier_uniform_(in_proj_weight, gen);
    if (options.bias) {
      in_proj_bias = zeros({3 * embed_dim}, {options.dtype});
      init::zeros_(out_proj.bias);
    }
  }

private:
  // Runs before out_proj is built, so a bad size is reported as PyTorch words it.
  static std::int64_t checked_embed_dim(std::int64_t embed_dim_, std::int64_t num_heads_) {
    detail::expect_positive("MultiheadAttention", "embed_dim", embed_dim_);
    detail::expect_positive("MultiheadAttention", "num_heads", num_heads_);
    if (embed_dim_ % num_heads_ != 0)
      throw value_error("embed_dim must be divisible by num_heads (embed_dim="
                        + std::to_string(embed_dim_) + ", num_heads=" + std::to_string(num_heads_)
                        + ")");
    return embed_dim_;
  }
};

} // namespace xport::nn

BOOST_HANA_ADAPT_STRUCT(xport::nn::MultiheadAttention, in_proj_weight, in_proj_bias, out_proj);
