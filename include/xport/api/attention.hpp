//! @file
//! The attention front end: `xport::scaled_dot_product_attention` (PyTorch's
//! `F.scaled_dot_product_attention`).
#pragma once

#include <xport/api/call.hpp>
#include <xport/api/dropout.hpp>
#include <xport/core/generator.hpp>
#include <xport/core/source_location.hpp>
#include <xport/ops/attention.hpp>

#include <optional>

namespace xport {

//! @brief Options of `scaled_dot_product_attention` beyond the tensors, with PyTorch's
//! defaults (designated initializers read like its keyword arguments).
struct attention_options {
  double dropout_p = 0.0;           //!< dropout on the attention weights (applied whenever > 0)
  bool is_causal = false;           //!< keep only `j <= i` (top-left aligned); no mask allowed
  std::optional<double> scale = {}; //!< score scale; `1 / sqrt(E)` when empty
  bool enable_gqa = false;          //!< repeat key/value heads (dimension -3) to the query's
  Generator* generator = nullptr;   //!< draws the dropout mask's seed (needed for dropout_p > 0)
};

//! @brief `F.scaled_dot_product_attention(q, k, v, attn_mask, ...)`:
//! `softmax(q @ k^T * scale + mask) @ v`.
//!
//! Shapes `q (..., L, E)`, `k (..., S, E)`, `v (..., S, Ev)` with broadcasting batch
//! dimensions give `(..., L, Ev)`. A bool `attn_mask` keeps positions where it is true;
//! a float one (the query's dtype) is added to the scores; it broadcasts to
//! `(..., L, S)`. Fully masked rows give zeros (PyTorch's math backend since 2.5).
//! @code
//! auto y = xport::scaled_dot_product_attention(q, k, v, {}, {.is_causal = true});
//! @endcode
//! @throws shape_error naming the three shapes when E or S disagree or batch dimensions do
//! not broadcast; value_error for a mask with `is_causal`, a bad `dropout_p`, or dropout
//! without a generator; dtype_error for mixed or non-floating dtypes.
inline Tensor
scaled_dot_product_attention(Tensor const& query, Tensor const& key, Tensor const& value,
                             Tensor const& attn_mask = {}, attention_options const& options = {},
                             source_location const& where = source_location::current()) {
  ops::detail::check_dropout_probability(options.dropout_p, "dropout_p");
  std::int64_t const seed = detail::draw_dropout_seed(options.dropout_p, true, options.generator,
                                                      "scaled_dot_product_attention");
  return ops::call1<ops::scaled_dot_product_attention>(
      {options.dropout_p, options.is_causal, options.scale, options.enable_gqa, seed},
      {query, key, value, attn_mask}, where);
}

} // namespace xport
