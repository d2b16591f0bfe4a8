//! @file
//! `fuse_attention`: finds attention written out as ops and makes it one
//! `scaled_dot_product_attention` call, whose kernel never materializes the scores.
//!
//! The pattern is the one PyTorch's decomposition of `scaled_dot_product_attention`
//! leaves (its math backend with `_safe_softmax`), on 3-D batched products:
//!
//!     scores  = bmm(q, k)                        q: [N, L, E], k: [N, E, S]
//!     x       = view(scores, [..., L, S])         (optional: splits N into batch, heads;
//!                                                  `reshape` does as well)
//!     weights = where(logical_not(any(logical_not(eq(x, -inf)), -1, keepdim)),
//!                     full_like(_softmax(x, -1), 0), _softmax(x, -1))
//!     out     = bmm(view(weights, [N, L, S]), v)  v: [N, S, Ev]
//!
//! It becomes `scaled_dot_product_attention(q, transpose(k, 1, 2), v, scale=1)`: q and k
//! already carry the scale (the decomposition multiplies them), and a row whose scores
//! are all -inf gives zeros in both forms. Where q and k are scalar multiples
//! (`q0 * a`, `k0 * b`, as the decomposition scales them), the attention reads q0 and k0
//! with `scale=a*b`, saving the two multiplications. A plain `_softmax` (without the `where`) is
//! not rewritten: on such a row it gives NaN where the fused op gives zeros.
//!
//! Where q, k and v are each a tensor of rank 4 or more folded to three dims — `view`
//! (or `reshape`) of it, maybe of its `clone`, maybe of its `expand` to its own sizes,
//! as the decomposition of `matmul` folds the batch and head dims — the attention reads
//! those tensors instead, so the copies that made them foldable are left unused, and its
//! result is viewed back to [N, L, Ev].
#pragma once

#include <xport/ops/attention.hpp>
#include <xport/ops/creation.hpp>
#include <xport/ops/elementwise_binary.hpp>
#include <xport/ops/elementwise_select.hpp>
#include <xport/ops/elementwise_unary.hpp>
#include <xport/ops/linalg.hpp>
#include <xport/ops/reduction.hpp>
#include <xport/ops/reduction_stats.hpp>
#include <xport/passes/noops.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace xport::passes {

//! @cond
namespace detail {

// `v`, or the input of the `view` or `reshape` that makes it (loaded programs read
// `aten::view` as `reshape`: the same elements in the same order either way).
inline graph::argument through_view(graph::Graph const& g, graph::argument const& v) {
  graph::node const* view = made_by<ops::view>(g, v);
  if (!view) view = made_by<ops::reshape>(g, v);
  return view ? view->args[0] : v;
}

// The last two sizes of `a` and `b` are the same.
inline bool same_matrices(ops::tensor_meta const& a, ops::tensor_meta const& b) {
  if (a.sizes.size() < 2 || b.sizes.size() < 2) return false;
  ops::tensor_meta x = a;
  ops::tensor_meta y = b;
  x.sizes.erase(x.sizes.begin(), x.sizes.end() - 2);
  y.sizes.erase(y.sizes.begin(), y.sizes.end() - 2);
  x.dtype = y.dtype;
  return same_sizes(x, y);
}

inline bool is_last(std::int64_t dim, std::size_t rank) {
  return dim == -1 || dim == static_cast<std::int64_t>(rank) - 1;
}

struct attention_match {
  graph::value_ref q, k, v;
};

// The tensor of rank 4 or more that the 3-D operand `v` ([N, a, b]) folds (see the file
// comment), else `v`.
inline graph::value_ref unfolded(graph::Graph const& g, graph::value_ref v) {
  graph::argument x = through_view(g, v);
  if (x == graph::argument(v)) return v;
  if (graph::node const* copy = made_by<ops::clone>(g, x)) x = copy->args[0];
  if (graph::node const* wide = made_by<ops::expand>(g, x))
    if (same_sizes(g.meta(*wide->args[0]), wide->values[0])) x = wide->args[0];
  ops::sym_sizes const& folded = g.meta(v).sizes;
  ops::sym_sizes const& sizes = g.meta(*x).sizes;
  if (sizes.size() < 4 || folded.size() != 3) return v;
  SymInt batch = 1;
  for (std::size_t d = 0; d + 2 < sizes.size(); ++d)
    batch = batch * sizes[d];
  bool const same = same_size(batch, folded[0]) && same_size(sizes[sizes.size() - 2], folded[1])
                    && same_size(sizes.back(), folded[2]);
  return same ? *x : v;
}

// `v` as `x * c` for a finite number `c` (a scalar `mul` that keeps the dtype): x and c;
// otherwise `v` and 1.
inline std::pair<graph::value_ref, double> unscaled(graph::Graph const& g, graph::value_ref v) {
  graph::node const* m = made_by<ops::mul>(g, v);
  if (!m || m->args.size() != 1 || !m->args[0]) return {v, 1.0};
  std::optional<Scalar> const& c = m->target->get<ops::mul>().other;
  if (!c || g.meta(*m->args[0]).dtype != g.meta(v).dtype) return {v, 1.0};
  std::optional<double> const value = known(*c);
  if (!value || !std::isfinite(*value)) return {v, 1.0};
  return {*m->args[0], *value};
}

// Whether `a` and `b` have the same sizes but for the last two.
inline bool same_batch(ops::tensor_meta const& a, ops::tensor_meta const& b) {
  return a.sizes.size() == b.sizes.size()
         && std::equal(a.sizes.begin(), a.sizes.end() - 2, b.sizes.begin(), same_size);
}

// Whether node `n` is the second product of the pattern in the file comment, and its
// q, k (as [N, E, S]) and v.
inline std::optional<attention_match> match_attention(graph::Graph const& g, graph::node const& n) {
  if (!is<ops::bmm>(n) || !n.args[0] || !n.args[1]) return std::nullopt;
  graph::argument const weights = through_view(g, n.args[0]);
  graph::node const* where = made_by<ops::where>(g, weights);
  if (!where || !same_matrices(where->values[0], g.meta(*n.args[0]))) return std::nullopt;
  graph::node const* softmax = made_by<ops::_softmax>(g, where->args[2]);
  graph::node const* zeros = made_by<ops::full_like>(g, where->args[1]);
  graph::node const* none = made_by<ops::logical_not>(g, where->args[0]);
  if (!softmax || !zeros || !none || zeros->args[0] != where->args[2]) return std::nullopt;
  auto const& fill = zeros->target->get<ops::full_like>();
  if (known(fill.fill_value) != 0.0 || (fill.dtype && *fill.dtype != softmax->values[0].dtype))
    return std::nullopt;
  graph::argument const x = softmax->args[0];
  std::size_t const rank = g.meta(*x).sizes.size();
  auto const& sm = softmax->target->get<ops::_softmax>();
  if (!is_last(sm.dim, rank) || sm.half_to_float) return std::nullopt;
  graph::node const* any = made_by<ops::any_dims>(g, none->args[0]);
  if (!any) return std::nullopt;
  auto const& reduce = any->target->get<ops::any_dims>();
  if (!reduce.keepdim || !reduce.dim || reduce.dim->size() != 1
      || !is_last(reduce.dim->front(), rank))
    return std::nullopt;
  graph::node const* kept = made_by<ops::logical_not>(g, any->args[0]);
  graph::node const* masked = kept ? made_by<ops::eq_scalar>(g, kept->args[0]) : nullptr;
  if (!masked || masked->args[0] != x) return std::nullopt;
  std::optional<double> const other = known(masked->target->get<ops::eq_scalar>().other);
  if (!other || !(std::isinf(*other) && *other < 0)) return std::nullopt;
  graph::node const* scores = made_by<ops::bmm>(g, through_view(g, x));
  if (!scores || !same_matrices(scores->values[0], g.meta(*x))) return std::nullopt;
  dtype const type = n.values[0].dtype;
  if (type != dtype::float32 && type != dtype::float64) return std::nullopt;
  return attention_match{*scores->args[0], *scores->args[1], *n.args[1]};
}

} // namespace detail
//! @endcond

//! @brief Rewrites each attention written out as PyTorch's decomposition writes it (see
//! the file comment) into one `scaled_dot_product_attention`; returns what it rewrote.
//! The replaced ops stay, unused: `graph::Graph::eliminate_dead_code` removes them.
inline rewrites fuse_attention(graph::Graph& g) {
  rewrites out;
  for (std::uint32_t i = 0; i < g.nodes().size(); ++i) {
    std::optional<detail::attention_match> m = detail::match_attention(g, g.at(i));
    if (!m) continue;
    graph::node const product = g.at(i);
    // The operands unfolded when all three are; q, k ([..., E, S]) and v otherwise.
    detail::attention_match const wide{detail::unfolded(g, m->q), detail::unfolded(g, m->k),
                                       detail::unfolded(g, m->v)};
    bool const unfold = wide.q != m->q && wide.k != m->k && wide.v != m->v
                        && detail::same_batch(g.meta(wide.q), g.meta(wide.k))
                        && detail::same_batch(g.meta(wide.q), g.meta(wide.v));
    if (unfold) m = wide;
    // The scale the decomposition put on q and k goes into the attention's own.
    auto const [q, q_scale] = detail::unscaled(g, m->q);
    auto const [k, k_scale] = detail::unscaled(g, m->k);
    m->q = q;
    m->k = k;
    ops::tensor_meta key = g.meta(m->k);
    auto const rank = static_cast<std::int64_t>(key.sizes.size());
    std::swap(key.sizes[key.sizes.size() - 1], key.sizes[key.sizes.size() - 2]);
    std::uint32_t at = i;
    std::uint32_t const keys = detail::insert_call(
        g, at++, ops::boxed_attributes::of<ops::transpose>({rank - 2, rank - 1}), {m->k}, key,
        product);
    ops::tensor_meta result = product.values[0];
    if (unfold) {
      result.sizes = g.meta(m->q).sizes;
      result.sizes.back() = g.meta(m->v).sizes.back();
    }
    graph::value_ref fused{
        detail::insert_call(g, at++,
                            ops::boxed_attributes::of<ops::scaled_dot_product_attention>(
                                {.dropout_p = 0.0,
                                 .is_causal = false,
                                 .scale = q_scale * k_scale,
                                 .enable_gqa = false,
                                 .seed = 0}),
                            {m->q, graph::value_ref{keys, 0}, m->v, std::nullopt}, result, product),
        0};
    if (unfold) {
      std::vector<SymInt> sizes(product.values[0].sizes.begin(), product.values[0].sizes.end());
      fused = {detail::insert_call(g, at++, ops::boxed_attributes::of<ops::view>({sizes}), {fused},
                                   product.values[0], product),
               0};
    }
    i = at; // the product, moved up
    detail::replace_node(g, i, fused,
                         "softmax(q @ k) @ v with PyTorch's safe softmax is one attention", out);
  }
  return out;
}

} // namespace xport::passes
