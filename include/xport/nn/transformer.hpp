//! @file
//! `nn::TransformerEncoderLayer`: self-attention and a feed-forward block, each with a
//! residual connection and layer normalisation (PyTorch's `nn.TransformerEncoderLayer`).
#pragma once

#include <xport/api/elementwise.hpp>
#include <xport/core/dtype.hpp>
#include <xport/core/error.hpp>
#include <xport/core/generator.hpp>
#include <xport/core/tensor.hpp>
#include <xport/nn/attention.hpp>
#include <xport/nn/dropout.hpp>
#include <xport/nn/linear.hpp>
#include <xport/nn/module.hpp>
#include <xport/nn/norm.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace xport::nn {

//! @brief The activation of a transformer's feed-forward block.
enum class transformer_activation : std::uint8_t {
  relu, //!< `relu`
  gelu, //!< exact `gelu`
};

//! @brief The keyword arguments of `TransformerEncoderLayer` (PyTorch's
//! `dim_feedforward=2048, dropout=0.1, activation="relu", layer_norm_eps=1e-5,
//! batch_first, norm_first=False, bias=True, dtype=None`).
//!
//! Unlike PyTorch, `batch_first` defaults to true: inputs are `[batch, sequence, d_model]`.
struct transformer_encoder_layer_options {
  std::int64_t dim_feedforward = 2048;  //!< hidden size of the feed-forward block
  double dropout = 0.1;                 //!< dropout probability (training only)
  std::string_view activation = "relu"; //!< `"relu"` or `"gelu"`
  double layer_norm_eps = 1e-5;         //!< `eps` of both layer norms
  bool batch_first = true;              //!< `[batch, seq, feature]` (else `[seq, batch, feature]`)
  bool norm_first = false;              //!< pre-norm (`x + f(norm(x))`) instead of post-norm
  bool bias = true;                     //!< biases in the linear layers and layer norms
  xport::dtype dtype = dtype::float32;  //!< element type of the parameters
};

//! @brief One transformer encoder layer: self-attention then a feed-forward block, each
//! with dropout, a residual connection and layer normalisation (PyTorch's
//! `nn.TransformerEncoderLayer`).
//!
//! Post-norm (the default): `x = norm1(x + sa(x)); x = norm2(x + ff(x))`; with
//! `norm_first`: `x = x + sa(norm1(x)); x = x + ff(norm2(x))`, where
//! `sa(x) = dropout1(self_attn(x, x, x))` and
//! `ff(x) = dropout2(linear2(dropout(activation(linear1(x)))))`.
//!
//! State, in state-dict order: `self_attn.in_proj_weight` `[3E, E]`,
//! `self_attn.in_proj_bias` `[3E]`, `self_attn.out_proj.weight` `[E, E]`,
//! `self_attn.out_proj.bias` `[E]`, `linear1.weight` `[F, E]`, `linear1.bias` `[F]`,
//! `linear2.weight` `[E, F]`, `linear2.bias` `[E]`, `norm1.weight`, `norm1.bias`,
//! `norm2.weight`, `norm2.bias` `[E]`.
//! @code
//! xport::nn::TransformerEncoderLayer layer{512, 8, gen, {.dim_feedforward = 2048}};
//! auto y = layer.eval()(x);   // x: [batch, seq, 512]
//! @endcode
class TransformerEncoderLayer : public Module<TransformerEncoderLayer> {
public:
  MultiheadAttention self_attn; //!< the self-attention block
  Linear linear1;               //!< `d_model -> dim_feedforward`
  Dropout dropout;              //!< after the activation
  Linear linear2;               //!< `dim_feedforward -> d_model`
  LayerNorm norm1;              //!< around the attention block
  LayerNorm norm2;              //!< around the feed-forward block
  Dropout dropout1;             //!< on the attention block's output
  Dropout dropout2;             //!< on the feed-forward block's output
  transformer_activation activation = transformer_activation::relu; //!< of the feed-forward
  bool norm_first = false; //!< pre-norm instead of post-norm
  bool batch_first = true; //!< `[batch, seq, feature]` inputs

  //! @brief A layer of `d_model` features and `nhead` heads, initialised from `gen` (in
  //! PyTorch's order: self_attn, linear1, linear2; dropout seeds from `gen` too).
  //! @throws value_error when `d_model` is not divisible by `nhead` ("embed_dim must be
  //! divisible by num_heads"), a size is not positive, `dropout` is outside [0, 1], or the
  //! activation is neither `"relu"` nor `"gelu"`.
  TransformerEncoderLayer(std::int64_t d_model, std::int64_t nhead, Generator& gen,
                          transformer_encoder_layer_options options = {})
      : self_attn(d_model, nhead, gen,
                  {.dropout = options.dropout,
                   .bias = options.bias,
                   .batch_first = options.batch_first,
                   .dtype = options.dtype}),
        linear1(d_model, options.dim_feedforward, gen,
                {.bias = options.bias, .dtype = options.dtype}),
        dropout(options.dropout, gen), linear2(options.dim_feedforward, d_model, gen,
                                               {.bias = options.bias, .dtype = options.dtype}),
        norm1(d_model,
              {.eps = options.layer_norm_eps, .bias = options.bias, .dtype = options.dtype}),
        norm2(d_model,
              {.eps = options.layer_norm_eps, .bias = options.bias, .dtype = options.dtype}),
        dropout1(options.dropout, gen), dropout2(options.dropout, gen),
        activation(parse_activation(options.activation)), norm_first(options.norm_first),
        batch_first(options.batch_first) {}

  //! @brief The layer on `src` `[batch, seq, d_model]` (`[seq, batch, d_model]` without
  //! `batch_first`; unbatched `[seq, d_model]`), giving the same shape (PyTorch's
  //! `forward(src, src_mask, src_key_padding_mask, is_causal)`).
  //! @param src the sequence, `[batch, seq, d_model]` with `batch_first`
  //! @param src_mask `[seq, seq]` or `[batch * nhead, seq, seq]`, bool (true = not allowed)
  //! or float (added to the attention scores)
  //! @param src_key_padding_mask `[batch, seq]`, bool (true = padding) or float
  //! @param is_causal a hint that `src_mask` is the causal mask
  //! @throws as `MultiheadAttention::forward`.
  Tensor forward(Tensor const& src, Tensor const& src_mask = {},
                 Tensor const& src_key_padding_mask = {}, bool is_causal = false) const {
    if (norm_first) {
      Tensor const x =
          add(src, attention_block(norm1(src), src_mask, src_key_padding_mask, is_causal));
      return add(x, feed_forward_block(norm2(x)));
    }
    Tensor const x =
        norm1(add(src, attention_block(src, src_mask, src_key_padding_mask, is_causal)));
    return norm2(add(x, feed_forward_block(x)));
  }

private:
  Tensor attention_block(Tensor const& x, Tensor const& mask, Tensor const& key_padding_mask,
                         bool is_causal) const {
    return dropout1(self_attn(x, x, x, key_padding_mask, false, mask, true, is_causal).output);
  }

  Tensor feed_forward_block(Tensor const& x) const {
    Tensor const hidden = linear1(x);
    Tensor const activated =
        activation == transformer_activation::relu ? relu(hidden) : gelu(hidden);
    return dropout2(linear2(dropout(activated)));
  }

  static transformer_activation parse_activation(std::string_view name) {
    if (name == "relu") return transformer_activation::relu;
    if (name == "gelu") return transformer_activation::gelu;
    throw value_error("activation should be relu/gelu, not " + std::string(name));
  }
};

} // namespace xport::nn

//! @cond INTERNAL
// Reflection: the tensors and sub-modules, in PyTorch's state-dict order.
BOOST_HANA_ADAPT_STRUCT(xport::nn::TransformerEncoderLayer, self_attn, linear1, dropout, linear2,
                        norm1, norm2, dropout1, dropout2);
//! @endcond
