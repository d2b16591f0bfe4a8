//! @file
//! `fuse_product_bias`: a matrix product and the addition after it become one call,
//!
//!     p = mm(a, b);   y = add(p, bias, alpha)   ->   y = addmm(bias, a, b, beta=alpha)
//!     p = bmm(a, b);  y = add(bias, p, alpha)   ->   y = baddbmm(bias, a, b, alpha=alpha)
//!
//! PyTorch's decomposition of `linear` on a 3-D input writes `bmm` of an expanded weight
//! and an `add` of the bias: one more pass over the product, which the fused call saves
//! (its kernel writes the bias into the output and lets the product add to it, as
//! `linear`'s does). Joined only when the product has no other reader and is not
//! returned, the bias broadcasts to the product's sizes without widening it, and the
//! three values have one floating-point dtype (the fused call rounds once where the two
//! calls rounded twice: the result is as close to exact or closer).
#pragma once

#include <xport/ops/elementwise_binary.hpp>
#include <xport/ops/linalg.hpp>
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

// Whether `bias` broadcasts to `sizes` (each of its trailing sizes is 1 or equal).
inline bool broadcasts_to(ops::sym_sizes const& bias, ops::sym_sizes const& sizes) {
  if (bias.size() > sizes.size()) return false;
  auto const offset = static_cast<std::ptrdiff_t>(sizes.size() - bias.size());
  return std::equal(
      bias.begin(), bias.end(), sizes.begin() + offset,
      [](SymInt const& b, SymInt const& s) { return b.maybe_int() == 1 || same_size(b, s); });
}

struct product_bias {
  std::uint32_t add = 0;             // the add node
  ops::boxed_attributes fused;       // addmm or baddbmm, with its scales
  std::vector<graph::argument> args; // bias, a, b
};

// Whether node `i` is `add(product, bias)` or `add(bias, product)` as in the file comment.
inline std::optional<product_bias> match_product_bias(graph::Graph const& g, std::uint32_t i,
                                                      readers_of const& r) {
  graph::node const& n = g.at(i);
  if (!is<ops::add>(n) || n.args.size() != 2 || !n.args[0] || !n.args[1]
      || n.target->get<ops::add>().other)
    return std::nullopt;
  Scalar const alpha = n.target->get<ops::add>().alpha;
  ops::tensor_meta const& sum = n.values[0];
  if (!is_floating_point(sum.dtype)) return std::nullopt;
  for (std::size_t side : {0U, 1U}) {
    graph::argument const product = n.args[side];
    graph::argument const bias = n.args[1 - side];
    graph::node const* p = made_by<ops::bmm>(g, product);
    bool const batched = p != nullptr;
    if (!batched) p = made_by<ops::mm>(g, product);
    if (!p || r.count[product->node] != 1 || r.returned[product->node] || !p->args[0]
        || !p->args[1])
      continue;
    ops::tensor_meta const& made = g.meta(*product);
    ops::tensor_meta const& added = g.meta(*bias);
    if (made.dtype != sum.dtype || added.dtype != sum.dtype || made.sizes.size() != sum.sizes.size()
        || !std::equal(made.sizes.begin(), made.sizes.end(), sum.sizes.begin(), same_size)
        || !broadcasts_to(added.sizes, made.sizes))
      continue;
    // add(p, bias, alpha) = alpha * bias + p;  add(bias, p, alpha) = bias + alpha * p.
    Scalar const beta = side == 0 ? alpha : Scalar(1);
    Scalar const scale = side == 0 ? Scalar(1) : alpha;
    return product_bias{
        i,
        batched ? ops::boxed_attributes::of<ops::baddbmm>({.beta = beta, .alpha = scale})
                : ops::boxed_attributes::of<ops::addmm>({.beta = beta, .alpha = scale}),
        {bias, p->args[0], p->args[1]}};
  }
  return std::nullopt;
}

} // namespace detail
//! @endcond

//! @brief Rewrites each `mm` or `bmm` followed by the addition of a bias into one
//! `addmm` or `baddbmm` (see the file comment); returns what it rewrote. The replaced
//! nodes stay, unused: `graph::Graph::eliminate_dead_code` removes them.
inline rewrites fuse_product_bias(graph::Graph& g) {
  rewrites out;
  detail::readers_of const readers(g);
  std::vector<detail::product_bias> found;
  for (std::uint32_t i = 0; i < g.nodes().size(); ++i)
    if (auto m = detail::match_product_bias(g, i, readers)) found.push_back(std::move(*m));
  // Last first: an insertion moves only the nodes after it.
  for (auto it = found.rbegin(); it != found.rend(); ++it) {
    graph::node const like = g.at(it->add);
    std::uint32_t const made = detail::insert_call(g, it->add, std::move(it->fused),
                                                   std::move(it->args), like.values[0], like);
    detail::replace_node(g, made + 1, {made, 0},
                         "a matrix product and the bias added to it are one call", out);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

} // namespace xport::passes
