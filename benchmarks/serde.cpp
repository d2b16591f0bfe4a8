// Saving and loading a program with large weights. Read as ratios within one run, per
// weight size (range(0) = MiB of weights; items are bytes):
// - BM_memcpy: allocate and copy that many bytes — the baseline a copying load can
//   approach (it allocates each storage and copies the file's bytes into it).
// - BM_load_copy / BM_load_copy_unchecked: xport::load with weights copied, with and
//   without the CRC-32 check of every weight byte (the file is in the page cache).
// - BM_load_mapped: xport::load with map_weights; should stay about constant in size.
// - BM_save: xport::save, including the fsync that makes it durable (disk-bound).
#include <xport/api/linalg.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/export/export.hpp>
#include <xport/nn/parameter.hpp>
#include <xport/serde/serde.hpp>

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>

namespace bench {

// Four square weight matrices chained: 4 * dim^2 floats.
struct Big : xport::Module<Big> {
  BOOST_HANA_DEFINE_STRUCT(Big, (xport::Parameter, w1), (xport::Parameter, w2),
                           (xport::Parameter, w3), (xport::Parameter, w4));
  Big(std::int64_t dim, xport::Generator& gen)
      : w1(xport::randn({dim, dim}, gen)), w2(xport::randn({dim, dim}, gen)),
        w3(xport::randn({dim, dim}, gen)), w4(xport::randn({dim, dim}, gen)) {}
  xport::Tensor forward(xport::Tensor const& x) const {
    return xport::linear(xport::linear(xport::linear(xport::linear(x, w1), w2), w3), w4);
  }
};

// The archive for `mib` MiB of weights, written once per size.
std::filesystem::path const& archive(std::int64_t mib) {
  static std::map<std::int64_t, std::filesystem::path> files;
  auto& path = files[mib];
  if (path.empty()) {
    auto const dim = static_cast<std::int64_t>(std::sqrt(double(mib) * 1024 * 1024 / 16));
    xport::Generator gen{1};
    Big m(dim, gen);
    auto batch = xport::Dim("batch", {.min = 1, .max = 64});
    xport::ExportedProgram const ep =
        xport::export_program(m, std::tuple{xport::zeros({2, dim})}, {{batch, dim}});
    path = std::filesystem::temp_directory_path()
           / ("xport_bench_serde_" + std::to_string(mib) + ".xpt");
    xport::save(ep, path);
  }
  return path;
}

std::int64_t weight_bytes(std::int64_t mib) {
  auto const dim = static_cast<std::int64_t>(std::sqrt(double(mib) * 1024 * 1024 / 16));
  return 4 * dim * dim * 4;
}

void BM_memcpy(benchmark::State& state) {
  auto const n = static_cast<std::size_t>(weight_bytes(state.range(0)));
  std::vector<char> source(n, 1);
  for (auto _ : state) {
    auto target = std::unique_ptr<char[]>(new char[n]);
    std::memcpy(target.get(), source.data(), n);
    benchmark::DoNotOptimize(target.get());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

void load_with(benchmark::State& state, xport::load_options options) {
  auto const& path = archive(state.range(0));
  for (auto _ : state)
    benchmark::DoNotOptimize(xport::load(path, options));
  state.SetBytesProcessed(state.iterations() * weight_bytes(state.range(0)));
}

void BM_load_copy(benchmark::State& state) {
  load_with(state, {});
}
void BM_load_copy_unchecked(benchmark::State& state) {
  load_with(state, {.verify_checksums = false});
}
void BM_load_mapped(benchmark::State& state) {
  load_with(state, {.map_weights = true});
}

void BM_save(benchmark::State& state) {
  xport::ExportedProgram const ep = xport::load(archive(state.range(0)));
  auto const path = std::filesystem::temp_directory_path() / "xport_bench_serde_save.xpt";
  for (auto _ : state)
    xport::save(ep, path);
  state.SetBytesProcessed(state.iterations() * weight_bytes(state.range(0)));
  std::filesystem::remove(path);
}

BENCHMARK(BM_memcpy)->Arg(25)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_load_copy)->Arg(25)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_load_copy_unchecked)->Arg(25)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_load_mapped)->Arg(25)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_save)->Arg(25)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace bench
