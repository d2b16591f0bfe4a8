// The solver on a real ShapeEnv: bind a spec, trace shape logic through ShapeEnv::evaluate
// the way an exporter will, solve, refine with the fixes, and trace again.
#include <xport/sym/solver.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

using namespace xport::sym;

namespace {

using program = std::function<void(ShapeEnv&, const std::vector<expr>&)>;

solve_result trace(const dynamic_shapes& spec, const std::vector<std::vector<std::int64_t>>& ex,
                   const program& prog) {
  ShapeEnv env;
  std::vector<example_input> inputs;
  for (std::size_t i = 0; i < ex.size(); ++i)
    inputs.push_back({"x" + std::to_string(i), ex[i]});
  const spec_binding b = bind_spec(spec, inputs, symbol_factory_for(env));
  std::vector<expr> sizes;
  for (const dim_binding& d : b.dims)
    sizes.push_back(d.value);
  prog(env, sizes);
  return solve(b, trace_facts_of(env));
}

} // namespace

TEST_CASE("ShapeEnv: a bound from a slice narrows the Dim, and the refined spec passes") {
  const Dim dx("dx");
  const dynamic_shapes spec({dx, 4});
  const program prog = [](ShapeEnv& env, const auto& s) { env.evaluate(le(s[0], 16), "slice"); };
  const solve_result r = trace(spec, {{8, 4}}, prog);
  CHECK(r.message().find("satisfy the generated guard x0.size(0) <= 16 (at 'slice', ")
        != std::string::npos);
  CHECK(r.fixes == std::vector{suggested_fix::narrow("dx", {.max = 16})});
  CHECK(trace(refine(spec, r.fixes), {{8, 4}}, prog).ok());
}

TEST_CASE("ShapeEnv: equal and related dims, and a specialization, fixed in one round trip") {
  const auto [dx, dy, dz, dw] = dims({"dx", "dy", "dz", "dw"});
  const dynamic_shapes spec({{dx, dw}, {dy, 3}, {dz, 3}});
  const program prog = [](ShapeEnv& env, const auto& s) {
    env.evaluate(eq(s[2], s[0]), "add");
    env.evaluate(eq(s[4], expr(s[0]) + 1), "cat");
    env.evaluate(eq(s[1], 5), "view");
  };
  const std::vector<std::vector<std::int64_t>> ex{{6, 5}, {6, 3}, {7, 3}};
  const solve_result r = trace(spec, ex, prog);
  CHECK(r.message().starts_with("Constraints violated ("));
  CHECK(r.message().find("must always be equal") != std::string::npos);
  CHECK(r.message().find("by dz = dx + 1") != std::string::npos);
  CHECK(r.message().find("specialized it to be a constant (5)") != std::string::npos);
  const dynamic_shapes refined = refine(spec, r.fixes);
  CHECK(refined.to_string() == "((dx, 5), (dx, 3), (dx + 1, 3))");
  CHECK(trace(refined, ex, prog).ok());
}

TEST_CASE("ShapeEnv: divisibility gives a new root, and the refined spec passes") {
  const Dim dx("dx", {.max = 64});
  const dynamic_shapes spec({dx});
  const program prog = [](ShapeEnv& env, const auto& s) {
    env.evaluate(eq(mod(s[0], 4), 0), "view");
  };
  const solve_result r = trace(spec, {{8}}, prog);
  CHECK(r.fixes
        == std::vector{suggested_fix::narrow("_dx", {.min = 1, .max = 16}),
                       suggested_fix::relate("dx", "_dx", 4, 0)});
  CHECK(trace(refine(spec, r.fixes), {{8}}, prog).ok());
}

TEST_CASE("ShapeEnv 0/1 policy: an example size of 1 specializes a named Dim") {
  const Dim batch("batch");
  const solve_result r = trace({batch, 3}, {{1, 3}}, [](ShapeEnv&, const auto&) {});
  CHECK(r.message()
        == "Constraints violated (batch)!\n  - You marked batch as dynamic but your code "
           "specialized it to be a constant (1).\nSuggested fixes:\n  batch = 1");
}
