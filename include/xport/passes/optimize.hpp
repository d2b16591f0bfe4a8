//! @file
//! `optimize`: the passes a plan runs on its graph before compiling it — no-op removal,
//! attention and layer norm fusion, a product and its bias as one call, copies made only to be
//! viewed turned into reshapes, common-subexpression elimination, dead-code elimination — with one
//! report of what they changed. They keep the graph's values: every returned value is computed from
//! the same inputs as before, by the same kernels, by one kernel that computes the same function
//! (fused attention, layer norm, a product with its bias), or by a reshape that copies when a view
//! could not read the same elements.
#pragma once

#include <xport/passes/attention.hpp>
#include <xport/passes/copies.hpp>
#include <xport/passes/cse.hpp>
#include <xport/passes/layer_norm.hpp>
#include <xport/passes/noops.hpp>
#include <xport/passes/products.hpp>

#include <cstddef>
#include <string>
#include <utility>

namespace xport::passes {

//! @brief What `optimize` changed.
struct report {
  rewrites noops;          //!< nodes that returned their input unchanged
  rewrites fused;          //!< attention, layer norm or a product and its bias, now one op
  rewrites reshaped;       //!< views of copies made only for them, now reshapes
  rewrites merged;         //!< nodes that repeated an earlier node
  std::size_t removed = 0; //!< nodes removed as unused (the lists' included)

  //! @brief True when nothing changed.
  bool empty() const noexcept {
    return noops.empty() && fused.empty() && reshaped.empty() && merged.empty() && removed == 0;
  }

  //! @brief One line per rewrite (`dropout_1 -> relu: dropout in eval mode is the
  //! identity`), then the count removed; empty when nothing changed.
  std::string str() const {
    std::string out;
    for (rewrites const* list : {&noops, &fused, &reshaped, &merged})
      for (rewrite const& r : *list)
        out += r.node + " -> " + r.kept + ": " + r.reason + "\n";
    if (removed != 0) out += std::to_string(removed) + " unused nodes removed\n";
    return out;
  }
};

//! @brief Removes no-ops, fuses attention, layer norm and products with their bias, turns
//! copies made only to be viewed into reshapes, merges repeated calls, then removes every
//! call nothing uses (see `remove_noops`, `fuse_attention`, `fuse_layer_norm`,
//! `fuse_product_bias`, `reshape_copies`,
//! `eliminate_common_subexpressions`, `graph::Graph::eliminate_dead_code`). The graph's outputs
//! should be the values wanted: whatever they do not read is removed.
inline report optimize(graph::Graph& g) {
  report r;
  r.noops = remove_noops(g);
  r.removed = g.eliminate_dead_code(); // the fusions below count a value's readers
  r.fused = fuse_attention(g);
  for (rewrite& norm : fuse_layer_norm(g))
    r.fused.push_back(std::move(norm));
  for (rewrite& product : fuse_product_bias(g))
    r.fused.push_back(std::move(product));
  r.reshaped = reshape_copies(g);
  r.merged = eliminate_common_subexpressions(g);
  r.removed += g.eliminate_dead_code();
  return r;
}

} // namespace xport::passes
