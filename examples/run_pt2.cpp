// Runs a program exported by PyTorch, without libtorch:
//
//   # Python
//   ep = torch.export.export(model.eval(), (x,), dynamic_shapes={"x": {0: Dim("batch")}})
//   torch.export.save(ep, "model.pt2")
//
//   ./example_run_pt2 model.pt2 [calls]
//
// prints the program with its input contract, draws random inputs inside the contract,
// and prints the output shapes and how long loading, the first call and later calls take.
// Without arguments it runs the transformer encoder layer of xport's test fixtures.
#include <xport/api/elementwise.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/core/print.hpp>
#include <xport/export/exported_module.hpp>
#include <xport/serde/load_pt2.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

double milliseconds_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

// A value of every contract symbol inside its range (at most 16 for unbounded ones, so
// the inputs stay small), then each input's sizes from its dims.
std::vector<std::vector<std::int64_t>> draw_sizes(xport::sym::input_contract const& contract,
                                                  std::mt19937_64& gen) {
  std::vector<std::int64_t> values;
  for (std::size_t i = 0; i < contract.num_symbols(); ++i) {
    xport::sym::value_range const r = contract.range(
        xport::sym::symbol{xport::sym::symbol_kind::backed, static_cast<std::uint32_t>(i)});
    std::int64_t const lo = std::max<std::int64_t>(r.lo, 1);
    std::int64_t const hi = std::max(lo, std::min<std::int64_t>(r.hi, 16));
    values.push_back(std::uniform_int_distribution<std::int64_t>(lo, hi)(gen));
  }
  std::vector<std::vector<std::int64_t>> out;
  for (std::size_t k = 0; k < contract.num_inputs(); ++k) {
    std::vector<std::int64_t> sizes;
    for (xport::sym::expr const& dim : contract.input_dims(k))
      sizes.push_back(
          xport::sym::evaluate(dim, [&](xport::sym::symbol s) { return values.at(s.index); }));
    out.push_back(std::move(sizes));
  }
  return out;
}

// Random values of the input placeholder's dtype: normal floats, small integers
// (indices of embeddings stay in range for tables of 4 or more rows), random bools.
xport::Tensor draw_tensor(std::vector<std::int64_t> const& sizes, xport::dtype type,
                          xport::Generator& gen) {
  if (xport::is_floating_point(type))
    return xport::randn(sizes, gen, {.dtype = xport::dtype::float32}).to(type);
  xport::Tensor const t = xport::rand(sizes, gen) * 4;
  return type == xport::dtype::bool_ ? xport::gt(t, 2) : xport::floor(t).to(type);
}

} // namespace

int main(int argc, char** argv) {
  std::filesystem::path const path = argc > 1
                                         ? std::filesystem::path(argv[1])
                                         : std::filesystem::path(__FILE__).parent_path() / ".."
                                               / "tests" / "fixtures" / "pt2" / "transformer.pt2";
  int const calls = argc > 2 ? std::max(1, std::atoi(argv[2])) : 20;
  try {
    auto start = clock_type::now();
    xport::ExportedProgram const ep = xport::load_pt2(path);
    double const load_ms = milliseconds_since(start);
    std::cout << ep << "\n";

    std::mt19937_64 size_gen{0};
    xport::Generator gen{0};
    std::vector<std::vector<std::int64_t>> const sizes = draw_sizes(ep.contract, size_gen);
    std::vector<xport::leaf> inputs;
    std::size_t k = 0;
    for (xport::input_spec const& in : ep.signature.inputs) {
      if (in.kind != xport::input_kind::user_input) continue;
      xport::dtype type = xport::dtype::float32;
      for (xport::graph::node const& n : ep.graph.nodes())
        if (n.op == xport::graph::node_op::placeholder && n.name == in.name)
          type = n.values.at(0).dtype;
      inputs.emplace_back(draw_tensor(sizes.at(k++), type, gen));
    }
    xport::ExportedModule module = ep.module();
    start = clock_type::now();
    std::vector<xport::leaf> outputs = module.run(inputs);
    double const first_ms = milliseconds_since(start);
    std::vector<double> times;
    for (int i = 0; i < calls; ++i) {
      start = clock_type::now();
      outputs = module.run(inputs);
      times.push_back(milliseconds_since(start));
    }
    std::sort(times.begin(), times.end());

    std::cout << "inputs:";
    for (xport::leaf const& l : inputs)
      std::cout << ' ' << xport::format_sizes(std::get<xport::Tensor>(l).sizes());
    std::cout << "\noutputs:";
    for (xport::leaf const& l : outputs)
      if (auto const* t = std::get_if<xport::Tensor>(&l))
        std::cout << ' ' << xport::format_sizes(t->sizes());
    std::cout << "\nload " << load_ms << " ms, first call " << first_ms << " ms, median of "
              << calls << " calls " << times[times.size() / 2] << " ms\n";
  } catch (xport::error const& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}
