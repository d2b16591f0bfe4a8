// docs/ops.md, the op reference, is generated here from the op declarations: one table
// per family with each op's kind, tags, dtypes, attributes and CPU kernel, and the
// counts. The test fails when the committed page is stale (XPORT_UPDATE_GOLDEN=1
// rewrites it), so no page keeps a hand-written list or count of ops.
#include <xport/ops/default_op_set.hpp>

#include "support/op_docs.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

using namespace xport;

namespace {

// `all`, `floating`, ... for the named sets, else the dtypes' short names.
std::string dtypes_text(dtype_set set) {
  if (set == dtype_sets::all) return "all";
  if (set == dtype_sets::floating) return "floating";
  if (set == dtype_sets::numeric) return "all but bool";
  if (set == dtype_sets::integral) return "integers";
  if (set == dtype_sets::integral_and_bool) return "integers, bool";
  std::string out;
  for (dtype d : all_dtypes)
    if (set.contains(d)) out += (out.empty() ? "" : ", ") + std::string(short_name(d));
  return out;
}

template <class OpSet>
std::string family_table() {
  std::string out =
      "\n| op | kind | tags | dtypes | attributes | CPU kernel |\n|---|---|---|---|---|---|\n";
  OpSet::for_each([&]<class Op>() {
    std::string const tags = ops::format_tags(ops::tags_of<Op>);
    std::string const kernel = ops::higher_order_op<Op> ? "— (runs its sub-graphs)"
                               : ops::kernels_of<Op>.cpu.call != nullptr ? "yes"
                                                                         : "**missing**";
    out += "| `" + std::string(Op::name) + "` | " + std::string(ops::name(Op::kind)) + " | "
           + (tags.empty() ? "—" : tags) + " | " + dtypes_text(ops::dtypes_of<Op>) + " | "
           + docs::attributes_text<Op>() + " | " + kernel + " |\n";
  });
  return out;
}

} // namespace

TEST_CASE("docs/ops.md lists every op as its declaration has it") {
  std::string const path = "docs/ops.md";
  std::size_t core = 0, tagged_view = 0;
  ops::default_op_set::for_each([&]<class Op>() {
    core += Op::kind == ops::op_kind::core ? 1 : 0;
    tagged_view += ops::has_tag(ops::tags_of<Op>, ops::op_tag::view) ? 1 : 0;
    // Every op but the higher-order ones has a CPU kernel.
    CHECK_MESSAGE((ops::higher_order_op<Op> || ops::kernels_of<Op>.cpu.call != nullptr), Op::name);
  });
  CHECK(tagged_view > 0);
  docs::check_section(path, "summary",
                      "\n**" + std::to_string(ops::default_op_set::size) + " ops**, "
                          + std::to_string(core) + " of them in the core set and "
                          + std::to_string(ops::default_op_set::size - core)
                          + " composite (lowered by a decomposition rule).\n");
  docs::check_section(path, "elementwise", family_table<ops::elementwise_ops>());
  docs::check_section(path, "reduction", family_table<ops::reduction_ops>());
  docs::check_section(path, "linalg", family_table<ops::linalg_ops>());
  docs::check_section(path, "conv", family_table<ops::conv_ops>());
  docs::check_section(path, "pool", family_table<ops::pool_ops>());
  docs::check_section(path, "norm", family_table<ops::norm_ops>());
  docs::check_section(path, "embedding", family_table<ops::embedding_ops>());
  docs::check_section(path, "dropout", family_table<ops::dropout_ops>());
  docs::check_section(path, "attention", family_table<ops::attention_ops>());
  docs::check_section(path, "shape", family_table<ops::shape_ops>());
  docs::check_section(path, "creation", family_table<ops::creation_ops>());
  docs::check_section(path, "indexing", family_table<ops::indexing_ops>());
  docs::check_section(path, "data_dependent", family_table<ops::data_dependent_ops>());
  docs::check_section(path, "control_flow", family_table<ops::control_flow_ops>());
}
