//! @file
//! `fuse_layer_norm`: finds layer norm written out as ops — what the decomposition of
//! `layer_norm` emits — and makes it one `layer_norm` call, whose kernel normalizes each
//! row in one pass instead of eight kernels each reading the whole tensor:
//!
//!     mean = mean(x, dims, keepdim=True)                dims: the last k dims, in order
//!     var  = var(x, dims, correction=0, keepdim=True)
//!     y    = (x - mean) * rsqrt(var + eps)              eps: a scalar `add`
//!     y    = y * w                                      optional; w: x's last k sizes
//!     y    = y + b                                      optional; b: x's last k sizes
//!
//! It becomes `layer_norm(x, x's last k sizes, w, b, eps)`. The affine steps join only
//! when the value before each has no other reader; the statistics may have other readers
//! (they stay, computed for them).
#pragma once

#include <xport/ops/elementwise_binary.hpp>
#include <xport/ops/elementwise_unary.hpp>
#include <xport/ops/norm.hpp>
#include <xport/ops/reduction.hpp>
#include <xport/ops/reduction_stats.hpp>
#include <xport/passes/rewrite.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace xport::passes {

//! @cond
namespace detail {

// Whether `dims` (maybe negative) are the last dims of a rank-`rank` tensor, in order.
inline bool trailing_dims(std::optional<std::vector<std::int64_t>> const& dims, std::size_t rank) {
  if (!dims || dims->empty() || dims->size() > rank) return false;
  auto const r = static_cast<std::int64_t>(rank);
  auto first = r - static_cast<std::int64_t>(dims->size());
  for (std::int64_t d : *dims)
    if ((d < 0 ? d + r : d) != first++) return false;
  return true;
}

// Whether `v` has `x`'s dtype and the sizes of its last `count` dims.
inline bool is_row_vector(graph::Graph const& g, graph::value_ref v, ops::tensor_meta const& x,
                          std::size_t count) {
  ops::tensor_meta const& m = g.meta(v);
  if (m.dtype != x.dtype || m.sizes.size() != count) return false;
  return std::equal(m.sizes.begin(), m.sizes.end(),
                    x.sizes.end() - static_cast<std::ptrdiff_t>(count), same_size);
}

// A binary op of two tensors with alpha 1 (`add`, `sub`) or none (`mul`).
template <ops::op Op>
graph::node const* tensor_pair(graph::Graph const& g, graph::argument const& v) {
  graph::node const* n = made_by<Op>(g, v);
  if (!n || n->args.size() != 2 || !n->args[0] || !n->args[1]) return nullptr;
  auto const& a = n->target->get<Op>();
  if (a.other) return nullptr;
  if constexpr (requires { a.alpha; })
    if (known(a.alpha) != 1.0) return nullptr;
  return n;
}

struct layer_norm_match {
  graph::value_ref x;
  std::vector<SymInt> shape;
  double eps = 0;
};

// Whether node `n` is `(x - mean) * rsqrt(var + eps)` as in the file comment.
inline std::optional<layer_norm_match> match_layer_norm(graph::Graph const& g,
                                                        graph::node const& n) {
  if (!is<ops::mul>(n) || n.args.size() != 2 || !n.args[0] || !n.args[1]
      || n.target->get<ops::mul>().other)
    return std::nullopt;
  graph::node const* centered = tensor_pair<ops::sub>(g, n.args[0]);
  graph::node const* inverse = made_by<ops::rsqrt>(g, n.args[1]);
  if (!centered || !inverse) return std::nullopt;
  graph::node const* shifted = made_by<ops::add>(g, inverse->args[0]);
  if (!shifted || shifted->args.size() != 1 || !shifted->target->get<ops::add>().other
      || known(shifted->target->get<ops::add>().alpha) != 1.0
      || !known(*shifted->target->get<ops::add>().other))
    return std::nullopt;
  graph::node const* variance = made_by<ops::var>(g, shifted->args[0]);
  graph::node const* average = made_by<ops::mean>(g, centered->args[1]);
  graph::argument const x = centered->args[0];
  if (!variance || !average || variance->args[0] != x || average->args[0] != x) return std::nullopt;
  ops::tensor_meta const& input = g.meta(*x);
  auto const& v = variance->target->get<ops::var>();
  auto const& m = average->target->get<ops::mean>();
  if (!v.keepdim || !m.keepdim || !v.correction || known(*v.correction) != 0.0
      || (m.dtype && *m.dtype != input.dtype) || v.dim != m.dim
      || !trailing_dims(v.dim, input.sizes.size()))
    return std::nullopt;
  std::size_t const k = v.dim->size();
  return layer_norm_match{
      *x,
      std::vector<SymInt>(input.sizes.end() - static_cast<std::ptrdiff_t>(k), input.sizes.end()),
      *known(*shifted->target->get<ops::add>().other)};
}

// The node that takes node `i`'s value, as its only reader, into `Op(value, r)` with `r`
// of `x`'s last `k` sizes (a layer norm's affine step), if any.
template <ops::op Op>
std::optional<std::uint32_t> affine_step(graph::Graph const& g, readers_of const& r,
                                         std::uint32_t i, ops::tensor_meta const& x,
                                         std::size_t k) {
  if (r.count[i] != 1 || r.returned[i]) return std::nullopt;
  std::uint32_t const next = r.last[i];
  graph::node const* n = tensor_pair<Op>(g, graph::value_ref{next, 0});
  if (!n || n->args[0] != graph::argument(graph::value_ref{i, 0})
      || !is_row_vector(g, *n->args[1], x, k))
    return std::nullopt;
  return next;
}

} // namespace detail
//! @endcond

//! @brief Rewrites each layer norm written out as ops (see the file comment) into one
//! `layer_norm`; returns what it rewrote. The replaced ops stay, unused:
//! `graph::Graph::eliminate_dead_code` removes them.
inline rewrites fuse_layer_norm(graph::Graph& g) {
  rewrites out;
  detail::readers_of const readers(g);
  std::vector<std::pair<std::uint32_t, std::vector<graph::argument>>> found; // last node, args
  std::vector<detail::layer_norm_match> matches;
  for (std::uint32_t i = 0; i < g.nodes().size(); ++i) {
    std::optional<detail::layer_norm_match> m = detail::match_layer_norm(g, g.at(i));
    if (!m) continue;
    ops::tensor_meta const& x = g.meta(m->x);
    std::uint32_t last = i;
    graph::argument weight, bias;
    if (auto const w = detail::affine_step<ops::mul>(g, readers, last, x, m->shape.size())) {
      last = *w;
      weight = g.at(last).args[1];
      if (auto const b = detail::affine_step<ops::add>(g, readers, last, x, m->shape.size())) {
        last = *b;
        bias = g.at(last).args[1];
      }
    }
    found.push_back({last, {m->x, weight, bias}});
    matches.push_back(std::move(*m));
  }
  // Last first: an insertion moves only the nodes after it.
  for (std::size_t f = found.size(); f-- > 0;) {
    auto const& [last, args] = found[f];
    graph::node const like = g.at(last);
    std::uint32_t const made = detail::insert_call(
        g, last,
        ops::boxed_attributes::of<ops::layer_norm>(
            {.normalized_shape = matches[f].shape, .eps = matches[f].eps, .cudnn_enable = false}),
        args, like.values[0], like);
    detail::replace_node(g, made + 1, {made, 0}, "layer norm written out as ops is one layer norm",
                         out);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

} // namespace xport::passes
