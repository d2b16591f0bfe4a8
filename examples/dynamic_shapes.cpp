// The dynamic-shapes tutorial (docs/dynamic_shapes.md) pulls its snippets from this file,
// which is built and run as a test: every snippet compiles and does what the text says.
#include <xport/sym/solver.hpp>

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

namespace sym = xport::sym;

namespace {

int failures = 0;
void expect(bool ok, const char* what) {
  if (!ok) {
    std::cerr << "example failed: " << what << "\n";
    ++failures;
  }
}

// Stands in for an exporter: binds the spec to example sizes in a ShapeEnv, runs the
// program's shape logic, and solves.
template <class Program>
sym::solve_result trace(const sym::dynamic_shapes& spec, std::vector<std::int64_t> x,
                        std::vector<std::int64_t> y, Program program) {
  sym::ShapeEnv env;
  const sym::example_input inputs[] = {{"x", x}, {"y", y}};
  const sym::spec_binding b = sym::bind_spec(spec, inputs, sym::symbol_factory_for(env));
  program(env, b.dims[0].value, b.dims[2].value);
  return sym::solve(b, sym::trace_facts_of(env));
}

} // namespace

int main() {
  //! [dims]
  auto batch = xport::Dim("batch", {.min = 1, .max = 1024});
  auto seq = xport::Dim("seq"); // min 0, no max: PyTorch's defaults
  auto seq_plus_1 = seq + 1;    // a derived dim, rooted on seq
  //! [dims]
  expect(seq_plus_1.name() == "seq + 1" && seq_plus_1.root_name() == "seq", "derived dim");

  //! [spec]
  // x: [batch, seq], y: [batch, seq + 1]; two inputs, one shape_spec each.
  xport::dynamic_shapes spec({{batch, seq}, {batch, seq_plus_1}});
  //! [spec]
  expect(spec.to_string() == "((batch, seq), (batch, seq + 1))", "spec");

  //! [hints]
  xport::dynamic_shapes hinted({{xport::Dim::Auto, 784}, {xport::Dim::Dynamic({.min = 4}), 784}});
  //! [hints]
  expect(hinted[1][0].hint()->range().min == 4, "hints");

  //! [violation]
  // The program slices x to 16 rows: a guard the spec's range (seq unbounded) does not imply.
  auto program = [](sym::ShapeEnv& env, const sym::expr& x_rows, const sym::expr&) {
    env.evaluate(sym::le(x_rows, 16), "slice");
  };
  sym::solve_result result = trace(spec, {8, 5}, {8, 6}, program);
  std::cout << result.message() << "\n";
  // Constraints violated (batch)!
  //   - Not all values of batch = x.size(0) in the specified range 2 <= batch <= 1024 satisfy
  //     the generated guard x.size(0) <= 16 (at 'slice', .../dynamic_shapes.cpp:NN).
  // Suggested fixes:
  //   batch = Dim('batch', min=1, max=16)
  //! [violation]
  expect(!result.ok(), "violation");
  expect(result.fixes.size() == 1
             && result.fixes[0].to_string() == "batch = Dim('batch', min=1, max=16)",
         "fix text");

  //! [refine]
  xport::dynamic_shapes refined = xport::refine(spec, result.fixes);
  expect(trace(refined, {8, 5}, {8, 6}, program).ok(), "refined spec passes");
  //! [refine]

  //! [input_check]
  sym::input_contract contract;
  sym::symbol s0 = contract.add_symbol("s0", {2, 16});
  contract.add_input("args[0]", {s0, 4});
  contract.add_input("args[1]", {2 * sym::expr(s0) + 1});
  const std::int64_t x[] = {17, 4}, y[] = {35};
  try {
    contract.check({sym::shape_view(x), sym::shape_view(y)});
  } catch (const xport::constraint_violation& e) {
    std::cout << e.what() << "\n"; // Expected input at args[0].shape[0] to be <= 16, but got 17
  }
  //! [input_check]
  return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
