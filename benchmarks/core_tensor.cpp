// Tensor creation and view overhead. Read the numbers as ratios: a view against the
// allocation it avoids, a strided copy against a contiguous one of the same size.
#include <xport/core/factories.hpp>
#include <xport/core/tensor.hpp>

#include <benchmark/benchmark.h>

namespace {

void empty_small(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(xport::empty({8, 16}));
}
BENCHMARK(empty_small);

void zeros_1m(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(xport::zeros({1024, 1024}));
  state.SetBytesProcessed(state.iterations() * 1024 * 1024 * 4);
}
BENCHMARK(zeros_1m);

void view_reshape(benchmark::State& state) {
  auto const t = xport::empty({8, 16, 32});
  for (auto _ : state)
    benchmark::DoNotOptimize(t.view({128, -1}));
}
BENCHMARK(view_reshape);

void view_permute(benchmark::State& state) {
  auto const t = xport::empty({8, 16, 32});
  for (auto _ : state)
    benchmark::DoNotOptimize(t.permute({2, 0, 1}));
}
BENCHMARK(view_permute);

void view_slice(benchmark::State& state) {
  auto const t = xport::empty({8, 16, 32});
  for (auto _ : state)
    benchmark::DoNotOptimize(t.slice(2, 1, -1, 2));
}
BENCHMARK(view_slice);

void copy_contiguous_1m(benchmark::State& state) {
  auto const t = xport::zeros({1024, 1024});
  for (auto _ : state)
    benchmark::DoNotOptimize(t.clone());
  state.SetBytesProcessed(state.iterations() * 1024 * 1024 * 4);
}
BENCHMARK(copy_contiguous_1m);

void copy_transposed_1m(benchmark::State& state) {
  auto const t = xport::zeros({1024, 1024}).t();
  for (auto _ : state)
    benchmark::DoNotOptimize(t.contiguous());
  state.SetBytesProcessed(state.iterations() * 1024 * 1024 * 4);
}
BENCHMARK(copy_transposed_1m);

void convert_to_half_1m(benchmark::State& state) {
  auto const t = xport::zeros({1024, 1024});
  for (auto _ : state)
    benchmark::DoNotOptimize(t.to(xport::dtype::float16));
  state.SetBytesProcessed(state.iterations() * 1024 * 1024 * 4);
}
BENCHMARK(convert_to_half_1m);

void convert_transposed_to_double_1m(benchmark::State& state) {
  auto const t = xport::zeros({1024, 1024}).t();
  for (auto _ : state)
    benchmark::DoNotOptimize(t.to(xport::dtype::float64));
  state.SetBytesProcessed(state.iterations() * 1024 * 1024 * 4);
}
BENCHMARK(convert_transposed_to_double_1m);

void copy_small_rows(benchmark::State& state) { // [65536, 3] -> its transpose: rows of 3
  auto const t = xport::zeros({3, 65536}).t();
  for (auto _ : state)
    benchmark::DoNotOptimize(t.contiguous());
  state.SetBytesProcessed(state.iterations() * 65536 * 3 * 4);
}
BENCHMARK(copy_small_rows);

} // namespace
