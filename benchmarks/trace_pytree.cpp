// Per-call pytree cost on a program's input path: checking and flattening inputs against an
// in_spec (flatten_like), against flattening without a spec and rebuilding outputs. Read the
// numbers as ratios to one tensor handle copy.
#include <xport/core/factories.hpp>
#include <xport/trace/pytree.hpp>

#include <benchmark/benchmark.h>

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace {

using xport::Tensor;
using inputs_t = std::tuple<Tensor, std::map<std::string, Tensor>, std::optional<Tensor>,
                            std::vector<Tensor>, std::int64_t>;

inputs_t make_inputs() {
  Tensor const t = xport::zeros({2, 3});
  return {t, {{"mask", t}, {"bias", t}}, std::nullopt, {t, t, t}, 4};
}

void copy_one_tensor_handle(benchmark::State& state) {
  Tensor const t = xport::zeros({2, 3});
  for (auto _ : state) {
    Tensor copy = t;
    benchmark::DoNotOptimize(copy);
  }
}
BENCHMARK(copy_one_tensor_handle);

void flatten_inputs(benchmark::State& state) {
  inputs_t const inputs = make_inputs();
  for (auto _ : state)
    benchmark::DoNotOptimize(xport::flatten(inputs));
}
BENCHMARK(flatten_inputs);

void flatten_like_in_spec(benchmark::State& state) {
  inputs_t const inputs = make_inputs();
  xport::tree_spec const in_spec = xport::flatten(inputs).spec;
  for (auto _ : state)
    benchmark::DoNotOptimize(xport::flatten_like(inputs, in_spec, "inputs"));
}
BENCHMARK(flatten_like_in_spec);

void unflatten_typed(benchmark::State& state) {
  auto const [leaves, spec] = xport::flatten(make_inputs());
  for (auto _ : state)
    benchmark::DoNotOptimize(xport::unflatten<inputs_t>(leaves, spec));
}
BENCHMARK(unflatten_typed);

void unflatten_tree_value(benchmark::State& state) {
  auto const [leaves, spec] = xport::flatten(make_inputs());
  for (auto _ : state)
    benchmark::DoNotOptimize(xport::unflatten(leaves, spec));
}
BENCHMARK(unflatten_tree_value);

} // namespace
