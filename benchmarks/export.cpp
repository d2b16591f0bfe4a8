// Export and exported-call overheads. Read as ratios within one run:
// - BM_export_chain: export_program time for a generated chain of `range(0)` nodes
//   (add + relu pairs over one parameter); items/s is nodes/s, so 1/items is s per node.
// - BM_export_transformer: the same for a TransformerEncoderLayer (d_model 16, 4 heads)
//   with dynamic batch and sequence length; items are its graph's call nodes.
// - BM_eager_chain vs BM_exported_call vs BM_kernels_chain: the same chain on tiny
//   tensors, eagerly, through ep.module() (its runtime::plan), and as its kernels alone
//   writing into two preallocated buffers; (exported - kernels) / nodes is the plan's
//   overhead per node, and BM_contract_check is the guard check alone.
// - BM_transformer_call/<form>: a TransformerEncoderLayer (d_model 16, 4 heads, batch 32,
//   sequence 32) through ep.module(): 0 exported as traced, 1 decomposed to the core set
//   with the plan's passes off, 2 decomposed with them on. A decomposed program should
//   cost no more than the traced one (2 <= 0), and the passes should not slow anything.
// - BM_fused_chain/<fuse>/<rows>: 16 elementwise nodes (add + relu pairs) on [rows, 1024]
//   float32 through ep.module(), with the plan's fusion off (0) and on (1): at 1024 rows
//   each value is 4 MiB (runtime::fusion_min_elements), at 4096 rows 16 MiB, so unfused
//   every node streams memory.
// - BM_eager_cond vs BM_exported_cond: the chain inside the branch a cond picks (a
//   data-dependent predicate), eagerly and through ep.module(); compared with the plain
//   chain, the extra is what running a branch as a sub-graph costs.
#include <xport/api/control_flow.hpp>
#include <xport/api/elementwise.hpp>
#include <xport/api/reduction.hpp>
#include <xport/core/factories.hpp>
#include <xport/decomp/run_decompositions.hpp>
#include <xport/export/export.hpp>
#include <xport/nn/transformer.hpp>
#include <xport/ops/elementwise.hpp>

#include <benchmark/benchmark.h>

namespace bench {

struct Chain : xport::Module<Chain> {
  BOOST_HANA_DEFINE_STRUCT(Chain, (xport::Parameter, weight));
  std::int64_t pairs = 1;
  Chain() : weight(xport::ones({4})) {}
  xport::Tensor forward(xport::Tensor x) const {
    for (std::int64_t i = 0; i < pairs; ++i)
      x = xport::relu(x + weight);
    return x;
  }
};

xport::ExportedProgram export_chain(Chain& m) {
  auto batch = xport::Dim("batch", {.min = 1, .max = 1024});
  return xport::export_program(m, std::tuple{xport::zeros({8, 4})}, {{batch, 4}});
}

void BM_export_chain(benchmark::State& state) {
  Chain m;
  m.pairs = state.range(0) / 2;
  for (auto _ : state)
    benchmark::DoNotOptimize(export_chain(m));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_export_chain)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_export_transformer(benchmark::State& state) {
  xport::Generator gen(0);
  xport::nn::TransformerEncoderLayer layer(16, 4, gen, {.dim_feedforward = 32});
  layer.eval();
  auto batch = xport::Dim("batch", {.min = 2, .max = 64});
  auto seq = xport::Dim("seq", {.min = 2, .max = 512});
  auto once = [&] {
    return xport::export_program(layer, std::tuple{xport::zeros({3, 5, 16})}, {{batch, seq, 16}});
  };
  std::int64_t nodes = 0;
  xport::ExportedProgram const sample = once();
  for (auto const& n : sample.graph.nodes())
    nodes += n.op == xport::graph::node_op::call_function;
  for (auto _ : state)
    benchmark::DoNotOptimize(once());
  state.SetItemsProcessed(state.iterations() * nodes);
  state.counters["nodes"] = static_cast<double>(nodes);
}
BENCHMARK(BM_export_transformer)->Unit(benchmark::kMillisecond);

void BM_eager_chain(benchmark::State& state) {
  Chain m;
  m.pairs = state.range(0) / 2;
  xport::Tensor const x = xport::ones({2, 4});
  for (auto _ : state)
    benchmark::DoNotOptimize(m(x));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_eager_chain)->Arg(10)->Arg(1000)->Unit(benchmark::kMicrosecond);

void BM_exported_call(benchmark::State& state) {
  Chain m;
  m.pairs = state.range(0) / 2;
  xport::ExportedModule run = export_chain(m).module();
  xport::Tensor const x = xport::ones({2, 4});
  for (auto _ : state)
    benchmark::DoNotOptimize(run.call<xport::Tensor>(x));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_exported_call)->Arg(10)->Arg(1000)->Unit(benchmark::kMicrosecond);

void BM_kernels_chain(benchmark::State& state) {
  using xport::Tensor;
  Tensor const x = xport::ones({2, 4});
  Tensor const w = xport::ones({4});
  Tensor buffers[2] = {xport::empty({2, 4}), xport::empty({2, 4})};
  xport::ops::add::attributes const add_attributes{};
  xport::ops::relu::attributes const relu_attributes{};
  xport::ops::boxed_out_kernel const add = xport::ops::kernels_of<xport::ops::add>.cpu.into;
  xport::ops::boxed_out_kernel const relu = xport::ops::kernels_of<xport::ops::relu>.cpu.into;
  if (add == nullptr || relu == nullptr) {
    state.SkipWithError("add or relu has no registered into-kernel");
    return;
  }
  for (auto _ : state) {
    Tensor value = x;
    for (std::int64_t i = 0; i < state.range(0) / 2; ++i) {
      Tensor const sum_args[] = {value, w};
      add(&add_attributes, std::span<Tensor const>(sum_args), std::span<Tensor>(&buffers[0], 1));
      Tensor const relu_args[] = {buffers[0]};
      relu(&relu_attributes, std::span<Tensor const>(relu_args), std::span<Tensor>(&buffers[1], 1));
      value = buffers[1];
    }
    benchmark::DoNotOptimize(value);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_kernels_chain)->Arg(10)->Arg(1000)->Unit(benchmark::kMicrosecond);

// The chain in both branches of a cond: relu(x + w) pairs where the sum is positive,
// relu(x - w) pairs elsewhere.
struct Gated : xport::Module<Gated> {
  BOOST_HANA_DEFINE_STRUCT(Gated, (xport::Parameter, weight));
  std::int64_t pairs = 1;
  Gated() : weight(xport::ones({4})) {}
  xport::Tensor chain(xport::Tensor x, double sign) const {
    for (std::int64_t i = 0; i < pairs; ++i)
      x = xport::relu(x + weight * sign);
    return x;
  }
  xport::Tensor forward(xport::Tensor const& x) const {
    return xport::cond(
        xport::sum(x) > 0.0, [this](xport::Tensor const& v) { return chain(v, 1.0); },
        [this](xport::Tensor const& v) { return chain(v, -1.0); }, x);
  }
};

void BM_eager_cond(benchmark::State& state) {
  Gated m;
  m.pairs = state.range(0) / 2;
  xport::Tensor const x = xport::ones({2, 4});
  for (auto _ : state)
    benchmark::DoNotOptimize(m(x));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_eager_cond)->Arg(10)->Arg(1000)->Unit(benchmark::kMicrosecond);

void BM_exported_cond(benchmark::State& state) {
  Gated m;
  m.pairs = state.range(0) / 2;
  auto batch = xport::Dim("batch", {.min = 1, .max = 1024});
  xport::ExportedModule run =
      xport::export_program(m, std::tuple{xport::zeros({8, 4})}, {{batch, 4}}).module();
  xport::Tensor const x = xport::ones({2, 4});
  for (auto _ : state)
    benchmark::DoNotOptimize(run.call<xport::Tensor>(x));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_exported_cond)->Arg(10)->Arg(1000)->Unit(benchmark::kMicrosecond);

void BM_transformer_call(benchmark::State& state) {
  xport::Generator gen(0);
  xport::nn::TransformerEncoderLayer layer(16, 4, gen, {.dim_feedforward = 32});
  layer.eval();
  auto batch = xport::Dim("batch", {.min = 2, .max = 64});
  auto seq = xport::Dim("seq", {.min = 2, .max = 512});
  xport::ExportedProgram ep =
      xport::export_program(layer, std::tuple{xport::zeros({3, 5, 16})}, {{batch, seq, 16}});
  if (state.range(0) > 0) ep = ep.run_decompositions();
  xport::ExportedModule run(std::move(ep), {.optimize = state.range(0) != 1});
  xport::Tensor const x = xport::randn({32, 32, 16}, gen);
  for (auto _ : state)
    benchmark::DoNotOptimize(run.call<xport::Tensor>(x));
  state.counters["removed"] = static_cast<double>(run.execution_plan().optimizations().removed);
}
BENCHMARK(BM_transformer_call)->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);

struct WideChain : xport::Module<WideChain> {
  BOOST_HANA_DEFINE_STRUCT(WideChain, (xport::Parameter, weight));
  WideChain() : weight(xport::full({1024}, -0.01)) {}
  xport::Tensor forward(xport::Tensor x) const {
    for (int i = 0; i < 8; ++i)
      x = xport::relu(x + weight);
    return x;
  }
};

void BM_fused_chain(benchmark::State& state) {
  WideChain m;
  auto rows = xport::Dim("rows", {.min = 1, .max = 8192});
  xport::ExportedModule run(
      xport::export_program(m, std::tuple{xport::zeros({8, 1024})}, {{rows, 1024}}),
      {.fuse = state.range(0) != 0});
  xport::Generator gen(1);
  xport::Tensor const x = xport::randn({state.range(1), 1024}, gen);
  for (auto _ : state)
    benchmark::DoNotOptimize(run.call<xport::Tensor>(x));
  state.SetBytesProcessed(state.iterations() * state.range(1) * 1024 * 4);
  state.counters["chains"] = static_cast<double>(run.execution_plan().fusions().size());
}
BENCHMARK(BM_fused_chain)->ArgsProduct({{0, 1}, {1024, 4096}})->Unit(benchmark::kMicrosecond);

void BM_contract_check(benchmark::State& state) {
  Chain m;
  xport::ExportedProgram const ep = export_chain(m);
  std::int64_t const sizes[] = {2, 4};
  for (auto _ : state)
    ep.contract.check({xport::sym::shape_view(sizes)});
}
BENCHMARK(BM_contract_check);

} // namespace bench
