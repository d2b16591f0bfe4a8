// Running exported models: PyTorch's archives of tests/fixtures/pt2/ loaded with load_pt2
// and called through ep.module() (its runtime::plan), at a small and a large batch.
// benchmarks/peer/run.py runs this program beside the same models in PyTorch eager and
// prints the ratios; read the numbers as ratios within one run.
// - BM_run/<model>/<batch>: one call on random inputs (sizes in the fixture's contract).
// - BM_run_into/<model>/<batch>: the same call through run_into, the outputs copied into a
//   tensor allocated once (no heap allocation per call).
// - BM_run_frozen/<model>/<batch>: BM_run with the state frozen (runtime::plan_options::
//   freeze: weights read as constants, product operands laid out once).
// With XPORT_PEER_OUT=<dir> set, each benchmark first writes its input and its output as
// raw float32 (<model>_<batch>[_frozen].input and .output) for the script to compare.
#include <xport/core/factories.hpp>
#include <xport/export/exported_module.hpp>
#include <xport/serde/load_pt2.hpp>

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace bench {

struct model_case {
  char const* fixture;              // tests/fixtures/pt2/<fixture>.pt2
  std::vector<std::int64_t> sample; // input sizes without the batch
};

model_case const cases[] = {
    {"mlp", {8}},
    {"cnn", {3, 8, 8}},
    {"cnn_decomposed", {3, 8, 8}},
    {"transformer", {32, 16}},
    {"transformer_decomposed", {32, 16}},
};

std::filesystem::path pt2(std::string const& name) {
  return std::filesystem::path(__FILE__).parent_path().parent_path() / "tests" / "fixtures" / "pt2"
         / (name + ".pt2");
}

void write_raw(std::filesystem::path const& path, xport::Tensor const& t) {
  xport::Tensor const dense = t.contiguous();
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<char const*>(dense.storage().data())
                + dense.storage_offset() * static_cast<std::int64_t>(sizeof(float)),
            static_cast<std::streamsize>(dense.numel() * static_cast<std::int64_t>(sizeof(float))));
}

enum class call_kind { run, into, frozen };

void BM_run(benchmark::State& state, model_case const& c, std::int64_t batch, call_kind how) {
  xport::ExportedModule run =
      xport::load_pt2(pt2(c.fixture)).module({.freeze = how == call_kind::frozen});
  std::vector<std::int64_t> sizes{batch};
  sizes.insert(sizes.end(), c.sample.begin(), c.sample.end());
  xport::Generator gen(7);
  xport::Tensor const x = xport::randn(sizes, gen);
  xport::Tensor const first = run.call<xport::Tensor>(x);
  if (char const* dir = std::getenv("XPORT_PEER_OUT")) {
    std::string const stem = std::string(c.fixture) + "_" + std::to_string(batch)
                             + (how == call_kind::frozen ? "_frozen" : "");
    write_raw(std::filesystem::path(dir) / (stem + ".input"), x);
    write_raw(std::filesystem::path(dir) / (stem + ".output"), first);
  }
  if (how == call_kind::into) {
    xport::Tensor const out = xport::empty(first.sizes());
    std::vector<xport::leaf> const in{x};
    for (auto _ : state)
      run.run_into(in, {&out, 1});
  } else {
    for (auto _ : state)
      benchmark::DoNotOptimize(run.call<xport::Tensor>(x));
  }
  state.counters["batch"] = static_cast<double>(batch);
}

[[maybe_unused]] bool const registered = [] {
  for (model_case const& c : cases) {
    for (std::int64_t const batch : {1, 32}) {
      for (auto const& kind : {std::pair{call_kind::run, "BM_run/"},
                               {call_kind::into, "BM_run_into/"},
                               {call_kind::frozen, "BM_run_frozen/"}}) {
        call_kind const how = kind.first; // (clang 14 cannot capture structured bindings)
        benchmark::RegisterBenchmark(
            (kind.second + std::string(c.fixture) + "/" + std::to_string(batch)).c_str(),
            [&c, batch, how](benchmark::State& state) { BM_run(state, c, batch, how); })
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
  return true;
}();

} // namespace bench
