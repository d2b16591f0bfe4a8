// Module machinery overhead. Read as ratios: a forward through operator() (module-stack
// frames, paths found by reflection) against the same forward calling `forward` directly,
// for a model of `range(0)` blocks; and the reflection walks per tensor.
#include <xport/core/factories.hpp>
#include <xport/nn/module.hpp>

#include <benchmark/benchmark.h>

#include <vector>

namespace bench {

struct Leaf : xport::Module<Leaf> {
  xport::Parameter weight = xport::zeros({1});
  xport::Parameter bias = xport::zeros({1});
  xport::Tensor forward(xport::Tensor const& x) const { return x; }
};

struct Block : xport::Module<Block> {
  Leaf fc1, fc2;
  xport::Buffer running = xport::zeros({1});
  xport::Tensor forward(xport::Tensor const& x) const { return fc2(fc1(x)); }
  xport::Tensor forward_direct(xport::Tensor const& x) const { return fc2.forward(fc1.forward(x)); }
};

struct Stack : xport::Module<Stack> {
  std::vector<Block> layers;
  xport::Tensor forward(xport::Tensor x) const {
    for (auto const& layer : layers)
      x = layer(x);
    return x;
  }
  xport::Tensor forward_direct(xport::Tensor x) const {
    for (auto const& layer : layers)
      x = layer.forward_direct(x);
    return x;
  }
};

} // namespace bench

BOOST_HANA_ADAPT_STRUCT(bench::Leaf, weight, bias);
BOOST_HANA_ADAPT_STRUCT(bench::Block, fc1, fc2, running);
BOOST_HANA_ADAPT_STRUCT(bench::Stack, layers);

namespace {

bench::Stack make_stack(benchmark::State const& state) {
  bench::Stack stack;
  stack.layers.resize(static_cast<std::size_t>(state.range(0)));
  return stack;
}

void forward_with_frames(benchmark::State& state) {
  auto const stack = make_stack(state);
  auto const x = xport::zeros({1});
  for (auto _ : state)
    benchmark::DoNotOptimize(stack(x));
  state.SetItemsProcessed(state.iterations() * state.range(0) * 3);
}
BENCHMARK(forward_with_frames)->Arg(4)->Arg(32)->Arg(256);

void forward_direct(benchmark::State& state) {
  auto const stack = make_stack(state);
  auto const x = xport::zeros({1});
  for (auto _ : state)
    benchmark::DoNotOptimize(stack.forward_direct(x));
  state.SetItemsProcessed(state.iterations() * state.range(0) * 3);
}
BENCHMARK(forward_direct)->Arg(4)->Arg(32)->Arg(256);

void named_parameters(benchmark::State& state) {
  auto const stack = make_stack(state);
  for (auto _ : state)
    benchmark::DoNotOptimize(stack.named_parameters());
  state.SetItemsProcessed(state.iterations() * state.range(0) * 4);
}
BENCHMARK(named_parameters)->Arg(32)->Arg(256);

void state_dict(benchmark::State& state) {
  auto const stack = make_stack(state);
  for (auto _ : state)
    benchmark::DoNotOptimize(stack.state_dict());
  state.SetItemsProcessed(state.iterations() * state.range(0) * 5);
}
BENCHMARK(state_dict)->Arg(32)->Arg(256);

} // namespace
