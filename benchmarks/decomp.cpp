// run_decompositions time per node. Read as ratios within one run:
// - BM_decompose_chain: the default table on a generated chain of `range(0)` composite
//   nodes (linear + silu pairs over one 4x4 layer, dynamic batch); items/s is source
//   nodes/s. Each linear becomes permute + addmm, each silu sigmoid + mul.
// - BM_copy_chain: the same program through an empty table (every node copied): the
//   replay's baseline cost per node, without rules.
// - BM_export_chain: exporting the same chain, for scale.
// - BM_decompose_transformer: the default table on a TransformerEncoderLayer (d_model 16,
//   4 heads, dynamic batch and sequence); items are its source call nodes.
#include <xport/api/elementwise.hpp>
#include <xport/core/factories.hpp>
#include <xport/decomp/decomp.hpp>
#include <xport/export/export.hpp>
#include <xport/nn/linear.hpp>
#include <xport/nn/transformer.hpp>

#include <benchmark/benchmark.h>

namespace bench {

struct Chain : xport::Module<Chain> {
  BOOST_HANA_DEFINE_STRUCT(Chain, (xport::nn::Linear, fc));
  std::int64_t pairs = 1;
  explicit Chain(xport::Generator& gen) : fc(4, 4, gen) {}
  xport::Tensor forward(xport::Tensor x) const {
    for (std::int64_t i = 0; i < pairs; ++i)
      x = xport::silu(fc(x));
    return x;
  }
};

xport::ExportedProgram export_chain(Chain& m) {
  auto batch = xport::Dim("batch", {.min = 1, .max = 1024});
  return xport::export_program(m, std::tuple{xport::zeros({8, 4})}, {{batch, 4}});
}

std::int64_t call_nodes(xport::ExportedProgram const& ep) {
  std::int64_t nodes = 0;
  for (auto const& n : ep.graph.nodes())
    nodes += n.op == xport::graph::node_op::call_function;
  return nodes;
}

void BM_decompose_chain(benchmark::State& state) {
  xport::Generator gen(0);
  Chain m(gen);
  m.pairs = state.range(0) / 2;
  xport::ExportedProgram const ep = export_chain(m);
  xport::decomp::decomposition_table const table = xport::decomp::default_decompositions();
  for (auto _ : state)
    benchmark::DoNotOptimize(ep.run_decompositions(table));
  state.SetItemsProcessed(state.iterations() * call_nodes(ep));
}
BENCHMARK(BM_decompose_chain)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_copy_chain(benchmark::State& state) {
  xport::Generator gen(0);
  Chain m(gen);
  m.pairs = state.range(0) / 2;
  xport::ExportedProgram const ep = export_chain(m);
  xport::decomp::decomposition_table const empty;
  for (auto _ : state)
    benchmark::DoNotOptimize(ep.run_decompositions(empty));
  state.SetItemsProcessed(state.iterations() * call_nodes(ep));
}
BENCHMARK(BM_copy_chain)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_export_chain(benchmark::State& state) {
  xport::Generator gen(0);
  Chain m(gen);
  m.pairs = state.range(0) / 2;
  for (auto _ : state)
    benchmark::DoNotOptimize(export_chain(m));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_export_chain)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_decompose_transformer(benchmark::State& state) {
  xport::Generator gen(0);
  xport::nn::TransformerEncoderLayer layer(16, 4, gen, {.dim_feedforward = 32});
  layer.eval();
  auto batch = xport::Dim("batch", {.min = 2, .max = 64});
  auto seq = xport::Dim("seq", {.min = 2, .max = 512});
  xport::ExportedProgram const ep =
      xport::export_program(layer, std::tuple{xport::zeros({3, 5, 16})}, {{batch, seq, 16}});
  xport::decomp::decomposition_table const table = xport::decomp::default_decompositions();
  for (auto _ : state)
    benchmark::DoNotOptimize(ep.run_decompositions(table));
  state.SetItemsProcessed(state.iterations() * call_nodes(ep));
  state.counters["nodes"] = static_cast<double>(call_nodes(ep));
  state.counters["core_nodes"] = static_cast<double>(call_nodes(ep.run_decompositions(table)));
}
BENCHMARK(BM_decompose_transformer)->Unit(benchmark::kMillisecond);

} // namespace bench
