// Reading PyTorch's .pt2 archives (tests/fixtures/pt2/). Read as ratios within one run:
// - BM_load_pt2/<fixture>: xport::load_pt2 of the archive torch.export.save wrote.
// - BM_load_xport/<fixture>: xport::load of the same program saved in xport's own format
//   (the baseline: the same graph and weights without PyTorch's JSON and schema mapping).
// - BM_first_result/<fixture>: load_pt2, then one call on the fixture's first input.
// - BM_save_pt2/<fixture>: xport::save_pt2 of the loaded program, into memory.
// benchmarks/pt2_vs_torch.py runs this program and torch.export.load side by side.
#include <xport/export/exported_module.hpp>
#include <xport/serde/load_pt2.hpp>
#include <xport/serde/save_pt2.hpp>
#include <xport/serde/serde.hpp>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace bench {

char const* const fixtures[] = {"mlp", "cnn", "transformer", "transformer_decomposed"};

std::filesystem::path pt2(std::string const& name) {
  return std::filesystem::path(__FILE__).parent_path().parent_path() / "tests" / "fixtures" / "pt2"
         / (name + ".pt2");
}

// The same program in xport's format, written once.
std::filesystem::path const& xpt(std::string const& name) {
  static std::map<std::string, std::filesystem::path> files;
  auto& path = files[name];
  if (path.empty()) {
    path = std::filesystem::temp_directory_path() / ("xport_bench_" + name + ".xpt");
    xport::save(xport::load_pt2(pt2(name)), path);
  }
  return path;
}

// The fixture's first input, as zeros of the recorded sizes and dtypes.
std::vector<xport::leaf> first_inputs(std::string const& name) {
  std::ifstream in(pt2(name).replace_extension(".json"));
  nlohmann::json const j = nlohmann::json::parse(in);
  std::vector<xport::leaf> out;
  for (nlohmann::json const& t : j.at("cases").at(0).at("inputs"))
    out.emplace_back(xport::zeros(t.at("sizes").get<std::vector<std::int64_t>>(),
                                  {.dtype = xport::parse_dtype(t.at("dtype").get<std::string>())}));
  return out;
}

void BM_load_pt2(benchmark::State& state, std::string const& name) {
  for (auto _ : state)
    benchmark::DoNotOptimize(xport::load_pt2(pt2(name)));
}

void BM_load_xport(benchmark::State& state, std::string const& name) {
  std::filesystem::path const& path = xpt(name);
  for (auto _ : state)
    benchmark::DoNotOptimize(xport::load(path));
}

void BM_first_result(benchmark::State& state, std::string const& name) {
  std::vector<xport::leaf> const inputs = first_inputs(name);
  for (auto _ : state) {
    xport::ExportedModule module = xport::load_pt2(pt2(name)).module();
    benchmark::DoNotOptimize(module.run(inputs));
  }
}

void BM_save_pt2(benchmark::State& state, std::string const& name) {
  xport::ExportedProgram const ep = xport::load_pt2(pt2(name));
  for (auto _ : state)
    benchmark::DoNotOptimize(xport::save_pt2_to_bytes(ep));
}

[[maybe_unused]] bool const registered = [] {
  for (char const* name : fixtures) {
    benchmark::RegisterBenchmark((std::string("BM_load_pt2/") + name).c_str(), BM_load_pt2, name);
    benchmark::RegisterBenchmark((std::string("BM_load_xport/") + name).c_str(), BM_load_xport,
                                 name);
    benchmark::RegisterBenchmark((std::string("BM_first_result/") + name).c_str(), BM_first_result,
                                 name);
    benchmark::RegisterBenchmark((std::string("BM_save_pt2/") + name).c_str(), BM_save_pt2, name);
  }
  return true;
}();

} // namespace bench
