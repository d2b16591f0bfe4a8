// Guard decision + solve: a program with 1,000 guards, and chains of 100 / 1,000 / 10,000
// derived-dim guards (each dim found equal to the previous one plus 1). Reported per solve;
// read the chain numbers as a curve (linear growth is the target).
#include <xport/sym/solver.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using namespace xport::sym;

struct traced {
  ShapeEnv env;
  spec_binding binding;
};

// n inputs of one dim each, spec Dim("d<i>"), example sizes 10 + i.
void bind_n(traced& t, std::int64_t n, std::vector<std::vector<std::int64_t>>& sizes) {
  std::vector<shape_spec> shapes;
  std::vector<example_input> inputs;
  sizes.assign(static_cast<std::size_t>(n), {});
  for (std::int64_t i = 0; i < n; ++i) {
    shapes.push_back(shape_spec{Dim("d" + std::to_string(i))});
    sizes[static_cast<std::size_t>(i)] = {10 + i};
  }
  for (std::int64_t i = 0; i < n; ++i)
    inputs.push_back({"x" + std::to_string(i), sizes[static_cast<std::size_t>(i)]});
  t.binding = bind_spec(dynamic_shapes(std::move(shapes)), inputs, symbol_factory_for(t.env));
}

// 1,000 guards over 100 dims: 900 decided by ranges (no guard), 100 recorded and violated.
void decide_and_solve_1000_guards(benchmark::State& state) {
  std::vector<std::vector<std::int64_t>> sizes;
  for (auto _ : state) {
    traced t;
    bind_n(t, 100, sizes);
    for (int g = 0; g < 1000; ++g) {
      const expr& s = t.binding.dims[static_cast<std::size_t>(g % 100)].value;
      t.env.evaluate(g < 100 ? le(s, 4096) : ge(s, 1), "op");
    }
    const solve_result r = solve(t.binding, trace_facts_of(t.env));
    benchmark::DoNotOptimize(r.fixes.size());
  }
}
BENCHMARK(decide_and_solve_1000_guards)->Unit(benchmark::kMicrosecond);

// A chain d_i = d_{i-1} + 1 discovered by tracing, against a spec of independent Dims:
// n - 1 violations and n - 1 `relate` fixes. Only the solve is timed.
void solve_chain(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  std::vector<std::vector<std::int64_t>> sizes;
  traced t;
  bind_n(t, n, sizes);
  for (std::int64_t i = 1; i < n; ++i)
    t.env.evaluate(eq(t.binding.dims[static_cast<std::size_t>(i)].value,
                      t.binding.dims[static_cast<std::size_t>(i - 1)].value + 1),
                   "cat");
  const trace_facts facts = trace_facts_of(t.env);
  for (auto _ : state) {
    const solve_result r = solve(t.binding, facts);
    benchmark::DoNotOptimize(r.fixes.size());
  }
  state.SetComplexityN(n);
}
BENCHMARK(solve_chain)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMicrosecond)
    ->Complexity();

} // namespace
