// The default rules lower everything they reach to the core op set: every emitted op is
// core or has a rule, no two rules share an op, and no rule reaches its own op again.
#include <xport/decomp/core_op_set.hpp>
#include <xport/decomp/rules.hpp>

namespace {

using namespace xport;

static_assert(decomp::closed<decomp::default_rules>);
static_assert(decomp::assert_closed<decomp::default_rules>());
// The core set and the rules partition the default op set: no hand-kept counts.
static_assert(decomp::default_rules::size + decomp::core_op_set::size == ops::default_op_set::size);
static_assert(decomp::core_op_set::contains<ops::addmm>);
static_assert(!decomp::core_op_set::contains<ops::linear>);
static_assert(decomp::default_rules::decomposes<ops::linear>);
static_assert(decomp::core_op_set::contains<ops::masked_select>); // data-dependent size

// A rule that emits a composite op without a rule breaks the closure.
struct linear_via_matmul {
  using op = ops::linear;
  using emits = ops::op_set<ops::matmul, ops::add>;
  static ops::tensor_list apply(op::attributes const&, std::span<Tensor const> in) {
    return {in[0]};
  }
};
static_assert(!decomp::closed<decomp::rule_list<linear_via_matmul>>);
static_assert(decomp::closed<decomp::rule_list<linear_via_matmul, decomp::rules::matmul_rule>>);

// Two rules that emit each other's op form a cycle.
struct t_via_transpose {
  using op = ops::t;
  using emits = ops::op_set<ops::transpose>;
  static ops::tensor_list apply(op::attributes const&, std::span<Tensor const> in) {
    return {in[0]};
  }
};
struct transpose_via_t {
  using op = ops::transpose;
  using emits = ops::op_set<ops::t>;
  static ops::tensor_list apply(op::attributes const&, std::span<Tensor const> in) {
    return {in[0]};
  }
};
static_assert(!decomp::closed<decomp::rule_list<t_via_transpose, transpose_via_t>>);
// The same op twice.
static_assert(!decomp::closed<decomp::rule_list<decomp::rules::t_rule, t_via_transpose>>);

} // namespace
