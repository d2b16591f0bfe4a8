// XPORT_EXPECT_ERROR: emits an op that is neither core nor rewritten by a rule of the table
// A rule that emits a composite op no rule of the list rewrites (here matmul) is refused
// at compile time; the compiler's notes name the rule and the op.
#include <xport/decomp/rules.hpp>

namespace {

using namespace xport;

struct linear_via_matmul {
  using op = ops::linear;
#ifdef XPORT_TWIN
  using emits = ops::op_set<ops::mm, ops::add>;
#else
  using emits = ops::op_set<ops::matmul, ops::add>;
#endif
  static ops::tensor_list apply(op::attributes const&, std::span<Tensor const> in) {
    return {in[0]};
  }
};

static_assert(decomp::assert_closed<decomp::rule_list<linear_via_matmul>>());

} // namespace

int main() {}
