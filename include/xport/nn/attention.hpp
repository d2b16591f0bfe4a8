//! @file
//! `nn::MultiheadAttention`: attention over `num_heads` heads with learned input and output
//! projections (PyTorch's `nn.MultiheadAttention`).
#pragma once

#include <xport/api/attention.hpp>
#include <xport/api/dropout.hpp>
#include <xport/api/elementwise.hpp>
#include <xport/api/linalg.hpp>
#include <xport/api/reduction.hpp>
#include <xport/api/shape.hpp>
#include <xport/core/dtype.hpp>
#include <xport/core/error.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/core/tensor.hpp>
#include <xport/nn/detail/layer_args.hpp>
#include <xport/nn/init.hpp>
#include <xport/nn/linear.hpp>
#include <xport/nn/module.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

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
    generator_.manual_seed(gen.next_bits());
  }

  //! @brief Attends from `query` to `key`/`value` (PyTorch's `forward`, same argument
  //! order).
  //!
  //! Shapes (batch first): `query` `[B, L, E]`, `key` and `value` `[B, S, E]` (unbatched:
  //! without `B`); output `[B, L, E]`. The heads' scores `q k^T / sqrt(head_dim)` get the
  //! masks, a softmax over `S`, dropout in training mode, and weigh `v`; the heads are
  //! concatenated and projected by `out_proj`.
  //! @param query `[B, L, E]`, the positions that attend
  //! @param key `[B, S, E]`, what they are matched against
  //! @param value `[B, S, E]`, what is averaged
  //! @param key_padding_mask `[B, S]`: bool, true where a key is padding (ignored), or float,
  //! added to the scores
  //! @param need_weights also return the attention weights (computed explicitly); without,
  //! the heads go through `scaled_dot_product_attention`, as in PyTorch
  //! @param attn_mask `[L, S]` or `[B * num_heads, L, S]`: bool, true where attention is
  //! not allowed, or float, added to the scores
  //! @param average_attn_weights average the returned weights over heads (`[B, L, S]`)
  //! instead of `[B, num_heads, L, S]`
  //! @param is_causal a hint that `attn_mask` is the causal mask (the mask is still used)
  //! @throws shape_error for inputs or masks of the wrong shapes; dtype_error for a mask
  //! neither bool nor floating; value_error for `is_causal` without `attn_mask`.
  attention_output forward(Tensor const& query, Tensor const& key, Tensor const& value,
                           Tensor const& key_padding_mask = {}, bool need_weights = true,
                           Tensor const& attn_mask = {}, bool average_attn_weights = true,
                           bool is_causal = false) const {
    bool const batched = check_inputs(query, key, value);
    if (is_causal && !attn_mask.defined())
      throw value_error("Need attn_mask if specifying the is_causal hint. You may build the "
                        "causal mask with triu and pass it as attn_mask.");
    // Everything below is [B, L, E]-shaped.
    auto const batch_major = [&](Tensor const& t) {
      if (!batched) return unsqueeze(t, 0);
      return options.batch_first ? t : transpose(t, 0, 1);
    };
    Tensor const q = batch_major(query);
    Tensor const k = query.is_same(key) ? q : batch_major(key);
    Tensor const v = key.is_same(value) ? k : batch_major(value);
    // symbolic under export: batch and sequence lengths stay dynamic
    SymInt const B = q.sym_size(0), L = q.sym_size(1), S = k.sym_size(1);

    auto [qp, kp, vp] = project(q, k, v, query.is_same(key) && key.is_same(value));
    auto const split_heads = [&](Tensor const& t, SymInt const& length) {
      return transpose(reshape(t, {B, length, num_heads, head_dim}), 1, 2); // [B, H, len, D]
    };
    Tensor const qh = split_heads(qp, L), kh = split_heads(kp, S), vh = split_heads(vp, S);

    auto [additive, blocked] = masks(attn_mask, key_padding_mask, q.dtype(), B, L, S, batched);
    double const p = this->is_training() ? options.dropout : 0.0;
    Tensor heads, weights;
    if (need_weights) {
      double const scale = 1.0 / std::sqrt(static_cast<double>(head_dim));
      Tensor scores = matmul(mul(qh, scale), transpose(kh, -2, -1)); // [B, H, L, S]
      if (additive.defined()) scores = add(scores, additive);
      if (blocked.defined())
        scores = masked_fill(scores, blocked, -std::numeric_limits<double>::infinity());
      weights = softmax(scores, -1);
      Tensor const used = p > 0.0 ? dropout(weights, p, true, &generator_) : weights;
      heads = matmul(used, vh);
      if (average_attn_weights) weights = mean(weights, {1});
      if (!batched) weights = squeeze(weights, 0);
    } else {
      Tensor mask = additive;
      if (blocked.defined()) {
        mask = additive.defined()
                   ? masked_fill(expand(additive, {B, num_heads, L, S}), blocked,
                                 -std::numeric_limits<double>::infinity())
                   : logical_not(blocked); // scaled_dot_product_attention keeps true entries
      }
      heads = scaled_dot_product_attention(qh, kh, vh, mask,
                                           {.dropout_p = p, .generator = &generator_});
    }
    Tensor output = out_proj(reshape(transpose(heads, 1, 2), {B, L, embed_dim}));
    if (!batched)
      output = squeeze(output, 0);
    else if (!options.batch_first)
      output = transpose(output, 0, 1);
    return {output, weights};
  }

  //! @brief The generator attention dropout draws from (seeded from the construction
  //! generator).
  Generator& generator() const noexcept { return generator_; }

private:
  // Attention dropout advances it; forward is const like every forward.
  mutable Generator generator_;

  struct projections {
    Tensor q, k, v;
  };

  // The packed input projection: one linear for self-attention, three otherwise.
  projections project(Tensor const& q, Tensor const& k, Tensor const& v, bool self) const {
    if (self) {
      std::vector<Tensor> const parts = chunk(linear(q, in_proj_weight, in_proj_bias), 3, -1);
      return {parts[0], parts[1], parts[2]};
    }
    std::vector<Tensor> const w = chunk(in_proj_weight, 3, 0);
    std::vector<Tensor> b(3);
    if (in_proj_bias.defined()) b = chunk(in_proj_bias, 3, 0);
    return {linear(q, w[0], b[0]), linear(k, w[1], b[1]), linear(v, w[2], b[2])};
  }

  // Checks the ranks and sizes PyTorch checks; returns whether the inputs are batched.
  bool check_inputs(Tensor const& query, Tensor const& key, Tensor const& value) const {
    if (query.dim() != 2 && query.dim() != 3)
      throw shape_error("MultiheadAttention: query should be unbatched 2D or batched 3D tensor "
                        "but received "
                        + std::to_string(query.dim()) + "-D query tensor of size "
                        + format_sizes(query.sizes()));
    if (key.dim() != query.dim() || value.dim() != query.dim())
      throw shape_error("MultiheadAttention: for a " + std::to_string(query.dim())
                        + "-D query, expected key and value to be " + std::to_string(query.dim())
                        + "-D but found " + std::to_string(key.dim()) + "-D and "
                        + std::to_string(value.dim()) + "-D tensors (query "
                        + format_sizes(query.sizes()) + ", key " + format_sizes(key.sizes())
                        + ", value " + format_sizes(value.sizes()) + ")");
    if (query.sym_size(-1) != embed_dim || key.sym_size(-1) != embed_dim)
      throw shape_error("MultiheadAttention: was expecting embedding dimension of "
                        + std::to_string(embed_dim) + ", but got query "
                        + format_sizes(query.sizes()) + " and key " + format_sizes(key.sizes()));
    bool same_shape = true;
    for (std::int64_t d = 0; d < key.dim(); ++d)
      same_shape = same_shape && static_cast<bool>(key.sym_size(d) == value.sym_size(d));
    if (!same_shape)
      throw shape_error("MultiheadAttention: key shape " + format_sizes(key.sizes())
                        + " does not match value shape " + format_sizes(value.sizes()));
    bool const batched = query.dim() == 3;
    std::int64_t const batch_dim = batched && !options.batch_first ? 1 : 0;
    if (batched && query.sym_size(batch_dim) != key.sym_size(batch_dim))
      throw shape_error("MultiheadAttention: query " + format_sizes(query.sizes()) + " and key "
                        + format_sizes(key.sizes()) + " have different batch sizes");
    return batched;
  }

  struct mask_parts {
    Tensor additive; // float, added to the scores
    Tensor blocked;  // bool, true where attention is not allowed
  };

  // Both masks in [B, H, L, S]-broadcastable form, sorted into added and blocking parts.
  mask_parts masks(Tensor const& attn_mask, Tensor const& key_padding_mask, xport::dtype type,
                   SymInt const& B, SymInt const& L, SymInt const& S, bool batched) const {
    mask_parts parts;
    auto const absorb = [&](Tensor const& m, char const* name) {
      if (m.dtype() == dtype::bool_) {
        parts.blocked = parts.blocked.defined() ? logical_or(parts.blocked, m) : m;
      } else if (m.dtype() == type) {
        parts.additive = parts.additive.defined() ? add(parts.additive, m) : m;
      } else {
        throw dtype_error(std::string("MultiheadAttention: only bool and floating types of ") + name
                          + " are supported, and a float mask must have the query's dtype "
                          + torch_name(type) + " (got " + torch_name(m.dtype()) + ")");
      }
    };
    if (attn_mask.defined()) {
      if (attn_mask.dim() == 2) {
        if (attn_mask.sym_size(0) != L || attn_mask.sym_size(1) != S)
          throw shape_error("MultiheadAttention: the shape of the 2D attn_mask is "
                            + format_sizes(attn_mask.sizes()) + ", but should be [" + L.str() + ", "
                            + S.str() + "]");
        absorb(attn_mask, "attn_mask");
      } else if (attn_mask.dim() == 3) {
        if (attn_mask.sym_size(0) != B * num_heads || attn_mask.sym_size(1) != L
            || attn_mask.sym_size(2) != S)
          throw shape_error("MultiheadAttention: the shape of the 3D attn_mask is "
                            + format_sizes(attn_mask.sizes()) + ", but should be ["
                            + (B * num_heads).str() + ", " + L.str() + ", " + S.str() + "]");
        absorb(view(attn_mask, {B, num_heads, L, S}), "attn_mask");
      } else {
        throw shape_error("MultiheadAttention: attn_mask's dimension "
                          + std::to_string(attn_mask.dim()) + " is not supported (size "
                          + format_sizes(attn_mask.sizes()) + ")");
      }
    }
    if (key_padding_mask.defined()) {
      bool const ok = batched ? key_padding_mask.dim() == 2 && key_padding_mask.sym_size(0) == B
                                    && key_padding_mask.sym_size(1) == S
                              : key_padding_mask.dim() == 1 && key_padding_mask.sym_size(0) == S;
      if (!ok)
        throw shape_error("MultiheadAttention: expecting key_padding_mask shape of "
                          + (batched ? "[" + B.str() + ", " : std::string("[")) + S.str()
                          + "], but got " + format_sizes(key_padding_mask.sizes()));
      absorb(view(key_padding_mask, {B, 1, 1, S}), "key_padding_mask");
    }
    return parts;
  }

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

//! @cond INTERNAL
// Reflection: the tensors and sub-modules, in PyTorch's state-dict order.
BOOST_HANA_ADAPT_STRUCT(xport::nn::MultiheadAttention, in_proj_weight, in_proj_bias, out_proj);
//! @endcond
