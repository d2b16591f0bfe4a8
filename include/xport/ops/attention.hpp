//! @file
//! The attention op node type: `scaled_dot_product_attention`, with its shape rule over
//! broadcast batch dimensions and its mask, causal, scale, dropout and grouped-query
//! options.
#pragma once

#include <xport/core/dtype.hpp>
#include <xport/ops/dropout.hpp>
#include <xport/ops/op.hpp>
#include <xport/ops/op_set.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace xport::ops {

//! @brief `aten::scaled_dot_product_attention`:
//! `softmax(q @ k^T * scale + mask) @ v`, with dropout on the attention weights.
//!
//! Inputs `(query (..., L, E), key (..., S, E), value (..., S, Ev), attn_mask?)`; the
//! batch dimensions `...` broadcast, and the output is `(..., L, Ev)`. A bool mask keeps
//! the positions where it is true; a float mask (the query's dtype) is added. `is_causal`
//! keeps `j <= i` (the top-left aligned `tril(ones(L, S))`). `scale` defaults to
//! `1 / sqrt(E)`. With `enable_gqa`, key and value may have fewer heads (dimension -3)
//! than the query, which are repeated to match. A row with every position masked gives
//! zeros, as PyTorch's math backend (`_safe_softmax`) does since 2.5 (older releases gave
//! NaN). Half and bfloat16 are computed in float32, like PyTorch's math backend. The
//! dropout mask (for `dropout_p > 0`) is a function of `seed` alone.
struct scaled_dot_product_attention {
  static constexpr std::string_view name = "aten::scaled_dot_product_attention"; //!< ATen
  static constexpr op_kind kind = op_kind::composite;       //!< decomposed later
  static constexpr op_tag tags = op_tag::random;            //!< draws a dropout mask
  static constexpr dtype_set dtypes = dtype_sets::floating; //!< supported dtypes
  static constexpr bool optional_inputs = true;             //!< attn_mask may be absent
  //! @brief Dropout on the attention weights, the causal mask, the score scale, grouped
  //! query attention, and the dropout mask's seed (0 when no mask is drawn).
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (double, dropout_p), (bool, is_causal),
                             (std::optional<double>, scale), (bool, enable_gqa),
                             (std::int64_t, seed));
  };
  //! @brief `q: f32[s0, 8, s1, 64]`, `k: f32[s0, 8, s2, 64]`, `v: f32[s0, 8, s2, 32]` ->
  //! `f32[s0, 8, s1, 32]`; deciding that E of query and key agree, that key and value
  //! have the same S, and that the batch dimensions broadcast may guard.
  //! @throws shape_error for ranks below 2, mismatched E or S, batch dimensions that do not
  //! broadcast, or a mask that does not broadcast to (..., L, S); dtype_error for
  //! non-floating or mixed dtypes, or a mask neither bool nor the query's dtype;
  //! value_error for a mask with `is_causal`, or `dropout_p` outside [0, 1].
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    if (in.size() != 4) {
      throw value_error("scaled_dot_product_attention: expected the tensor inputs (query, key, "
                        "value, attn_mask), with an undefined tensor for no mask, but got "
                        + std::to_string(in.size()));
    }
    tensor_meta const& q = in[0];
    tensor_meta const& k = in[1];
    tensor_meta const& v = in[2];
    tensor_meta const& mask = in[3];
    static constexpr std::string_view names[] = {"query", "key", "value"};
    for (std::size_t i = 0; i < 3; ++i) {
      if (in[i].dim() < 2) {
        throw shape_error("scaled_dot_product_attention: expected " + std::string(names[i])
                          + " to have at least 2 dimensions (..., L or S, E), but got a tensor "
                            "of size "
                          + format_sym_sizes(in[i].sizes));
      }
    }
    if (q.dtype != k.dtype || q.dtype != v.dtype) {
      throw dtype_error("Expected query, key, and value to have the same dtype, but got "
                        "query.dtype: "
                        + torch_name(q.dtype) + " key.dtype: " + torch_name(k.dtype)
                        + " and value.dtype: " + torch_name(v.dtype) + " instead.");
    }
    if (!is_floating_point(q.dtype)) {
      throw dtype_error("scaled_dot_product_attention: expected floating-point query, key and "
                        "value, but got "
                        + torch_name(q.dtype) + "; convert them with .to()");
    }
    if (mask.defined && mask.dtype != dtype::bool_ && mask.dtype != q.dtype) {
      throw dtype_error("Expected attn_mask dtype to be bool or float or to match query dtype, "
                        "but got attn_mask.dtype: "
                        + torch_name(mask.dtype) + " and  query.dtype: " + torch_name(q.dtype)
                        + " instead.");
    }
    if (a.is_causal && mask.defined) {
      throw value_error("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                        "when is_causal=True");
    }
    detail::check_dropout_probability(a.dropout_p, "dropout_p");
    expect_same_device(mask.defined ? in : in.first(3), "scaled_dot_product_attention");

    std::string const shapes = " (query " + format_sym_sizes(q.sizes) + ", key "
                               + format_sym_sizes(k.sizes) + ", value " + format_sym_sizes(v.sizes)
                               + ")";
    SymInt const L = q.sizes[q.sizes.size() - 2];
    SymInt const E = q.sizes.back();
    SymInt const S = k.sizes[k.sizes.size() - 2];
    if (!static_cast<bool>(E == k.sizes.back())) {
      throw shape_error("scaled_dot_product_attention: query and key must have the same "
                        "embedding size E (last dimension), but got "
                        + E.str() + " and " + k.sizes.back().str() + shapes);
    }
    if (!static_cast<bool>(S == v.sizes[v.sizes.size() - 2])) {
      throw shape_error("scaled_dot_product_attention: key and value must have the same "
                        "sequence length S (dimension -2), but got "
                        + S.str() + " and " + v.sizes[v.sizes.size() - 2].str() + shapes);
    }
    sym_sizes qb(q.sizes.begin(), q.sizes.end() - 2);
    sym_sizes kb(k.sizes.begin(), k.sizes.end() - 2);
    sym_sizes vb(v.sizes.begin(), v.sizes.end() - 2);
    if (a.enable_gqa && !qb.empty() && !kb.empty() && !vb.empty()) {
      SymInt const heads = qb.back();
      for (sym_sizes* kv : {&kb, &vb}) {
        if (!static_cast<bool>(mod(heads, kv->back()) == 0)) {
          throw shape_error("scaled_dot_product_attention: with enable_gqa, the number of "
                            "heads of key and value (dimension -3) must divide the query's "
                            "("
                            + heads.str() + ")" + shapes);
        }
        kv->back() = heads;
      }
    }
    sym_sizes batch;
    try {
      batch = broadcast_sizes(broadcast_sizes(qb, kb), vb);
    } catch (shape_error const& e) {
      throw shape_error("scaled_dot_product_attention: the batch dimensions of query, key and "
                        "value must broadcast"
                        + shapes + ": " + e.what());
    }
    if (mask.defined) {
      sym_sizes weights = batch;
      weights.push_back(L);
      weights.push_back(S);
      bool fits = mask.sizes.size() <= weights.size();
      for (std::size_t i = 1; fits && i <= mask.sizes.size(); ++i) {
        SymInt const& m = mask.sizes[mask.sizes.size() - i];
        SymInt const& w = weights[weights.size() - i];
        fits = static_cast<bool>(m == 1) || static_cast<bool>(m == w);
      }
      if (!fits) {
        throw shape_error("scaled_dot_product_attention: attn_mask of size "
                          + format_sym_sizes(mask.sizes)
                          + " does not broadcast to the attention weights' size "
                          + format_sym_sizes(weights) + " (..., L, S)" + shapes);
      }
    }
    tensor_meta out{q.dtype, q.device, batch};
    out.sizes.push_back(L);
    out.sizes.push_back(v.sizes.back());
    return {out};
  }
};

//! @brief The attention op.
using attention_ops = op_set<scaled_dot_product_attention>;

} // namespace xport::ops
