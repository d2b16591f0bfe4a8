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
//! are all -inf gives zeros in both forms. A plain `_softmax` (without the `where`) is not
//! rewritten: on such a row it gives NaN where the fused op gives zeros.
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

#include <cmath>
#include <cstdint>
#include <numeric>
#include <optional>
#include <vector>

namespace xport::passes {

//! @cond
namespace detail {

// The node that makes `v` as the only output of a call of `Op`, else null.
template <ops::op Op>
graph::node const* made_by(graph::Graph const& g, graph::argument const& v) {
  if (!v || v->index != 0) return nullptr;
  graph::node const& n = g.at(v->node);
  return is<Op>(n) && n.values.size() == 1 ? &n : nullptr;
}

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
  if (fill.fill_value.to<double>() != 0.0
      || (fill.dtype && *fill.dtype != softmax->values[0].dtype))
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
  double const other = masked->target->get<ops::eq_scalar>().other.to<double>();
  if (!(std::isinf(other) && other < 0)) return std::nullopt;
  graph::node const* scores = made_by<ops::bmm>(g, through_view(g, x));
  if (!scores || !same_matrices(scores->values[0], g.meta(*x))) return std::nullopt;
  dtype const type = n.values[0].dtype;
  if (type != dtype::float32 && type != dtype::float64) return std::nullopt;
  return attention_match{*scores->args[0], *scores->args[1], *n.args[1]};
}

// Inserts `target` on `args` as node `at` (the nodes from `at` on move one place up).
inline std::uint32_t insert_call(graph::Graph& g, std::uint32_t at, ops::boxed_attributes target,
                                 std::vector<graph::argument> args, ops::tensor_meta meta,
                                 graph::node const& like) {
  auto const size = static_cast<std::uint32_t>(g.nodes().size());
  std::uint32_t const added = g.add_call(std::move(target), std::move(args), {std::move(meta)},
                                         like.where, like.module_stack);
  g.set_from(added, like.from.empty() ? like.name : like.from);
  std::vector<std::uint32_t> order(size);
  std::iota(order.begin(), order.end(), 0U);
  order.insert(order.begin() + at, added);
  g.reorder(order);
  return at;
}

} // namespace detail
//! @endcond

//! @brief Rewrites each attention written out as PyTorch's decomposition writes it (see
//! the file comment) into one `scaled_dot_product_attention`; returns what it rewrote.
//! The replaced ops stay, unused: `graph::Graph::eliminate_dead_code` removes them.
inline rewrites fuse_attention(graph::Graph& g) {
  rewrites out;
  for (std::uint32_t i = 0; i < g.nodes().size(); ++i) {
    std::optional<detail::attention_match> const m = detail::match_attention(g, g.at(i));
    if (!m) continue;
    graph::node const product = g.at(i);
    ops::tensor_meta key = g.meta(m->k);
    std::swap(key.sizes[key.sizes.size() - 1], key.sizes[key.sizes.size() - 2]);
    std::uint32_t const keys = detail::insert_call(
        g, i, ops::boxed_attributes::of<ops::transpose>({1, 2}), {m->k}, key, product);
    std::uint32_t const fused = detail::insert_call(
        g, i + 1,
        ops::boxed_attributes::of<ops::scaled_dot_product_attention>(
            {.dropout_p = 0.0, .is_causal = false, .scale = 1.0, .enable_gqa = false, .seed = 0}),
        {m->q, graph::value_ref{keys, 0}, m->v, std::nullopt}, product.values[0], product);
    i += 2; // the product, moved up two places
    detail::replace_node(g, i, {fused, 0},
                         "softmax(q @ k) @ v with PyTorch's safe softmax is one attention", out);
  }
  return out;
}

} // namespace xport::passes
