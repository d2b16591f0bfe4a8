// Runtime input check of an exported program: 3 inputs, 6 symbols (target: < 200 ns).
#include <xport/sym/input_check.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using xport::sym::expr;
using xport::sym::input_contract;
using xport::sym::shape_view;
using xport::sym::symbol;

// a: [s0, s1], b: [s1, 2*s2 + 1, s3], c: [s4, s5 + 1, s0, 8]
input_contract three_inputs_six_symbols() {
  input_contract c;
  std::vector<symbol> s;
  for (int i = 0; i < 6; ++i)
    s.push_back(c.add_symbol("s" + std::to_string(i), {2, 4096}));
  c.add_input("args[0]", {s[0], s[1]});
  c.add_input("args[1]", {s[1], 2 * expr(s[2]) + 1, s[3]});
  c.add_input("args[2]", {s[4], expr(s[5]) + 1, s[0], 8});
  return c;
}

void input_check_3_inputs_6_symbols(benchmark::State& state) {
  const input_contract c = three_inputs_six_symbols();
  const std::int64_t a[] = {32, 128};
  const std::int64_t b[] = {128, 65, 7};
  const std::int64_t d[] = {9, 17, 32, 8};
  const shape_view inputs[] = {a, b, d};
  for (auto _ : state) {
    c.check(inputs);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(input_check_3_inputs_6_symbols);

// Baseline in the same run: reading the same 9 sizes and comparing each with a constant.
void baseline_compare_9_sizes(benchmark::State& state) {
  std::int64_t a[] = {32, 128};
  std::int64_t b[] = {128, 65, 7};
  std::int64_t d[] = {9, 17, 32, 8};
  for (auto _ : state) {
    benchmark::DoNotOptimize(a);
    benchmark::DoNotOptimize(b);
    benchmark::DoNotOptimize(d);
    bool ok = a[0] == d[2] && a[1] == b[0] && b[1] % 2 == 1 && d[3] == 8 && b[2] >= 2 && d[0] >= 2
              && d[1] >= 3 && a[0] <= 4096 && a[1] <= 4096;
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(baseline_compare_9_sizes);

} // namespace
