// xport quick start: the first README command builds and runs this file. It exports a
// small model with a dynamic batch, prints the program and its lowering to the core op
// set, calls the program with valid and invalid inputs, saves and reloads it, and shows a
// spec violation with its suggested fixes.
#include <xport/xport.hpp>
// The CPU kernels come from the xport::cpu_kernels CMake target, which this example links;
// a program built without CMake includes <xport/kernels/cpu/all.hpp> in one of its files.

#include <filesystem>
#include <iostream>

//! [model]
struct MLP : xport::Module<MLP> {
  BOOST_HANA_DEFINE_STRUCT(MLP, (xport::nn::Linear, fc1), (xport::nn::Linear, fc2));

  explicit MLP(xport::Generator& gen) : fc1(8, 16, gen), fc2(16, 4, gen) {}

  xport::Tensor forward(xport::Tensor const& x) const { return fc2(xport::relu(fc1(x))); }
};
//! [model]

// The same model, but its forward splits the batch into pairs: a guard the spec must allow.
struct Pairs : xport::Module<Pairs> {
  BOOST_HANA_DEFINE_STRUCT(Pairs, (MLP, mlp));
  explicit Pairs(xport::Generator& gen) : mlp(gen) {}
  xport::Tensor forward(xport::Tensor const& x) const {
    return xport::sum(mlp(x).view({-1, 2, 4}), {1});
  }
};

int main() {
  xport::Generator gen{0};
  MLP model(gen);

  //! [export]
  auto batch = xport::Dim("batch", {.min = 1, .max = 1024});
  xport::Tensor const example = xport::randn({32, 8}, gen);
  xport::ExportedProgram ep =
      xport::export_program(model, std::tuple{example}, {{batch, 8}}, {.input_names = {"x"}});
  std::cout << ep << "\n";
  //! [export]

  //! [decompose]
  // Lowered to the core op set (linear becomes addmm over a transposed weight); a copy of
  // default_decompositions() with erase<xport::ops::linear>() would keep linear.
  std::cout << "Decomposed to core ops:\n" << ep.run_decompositions() << "\n";
  //! [decompose]

  //! [call]
  xport::ExportedModule run = ep.module();
  xport::Tensor const x = xport::randn({5, 8}, gen); // any batch in [1, 1024]
  xport::Tensor const y = run.call<xport::Tensor>(x);
  std::cout << "exported(x) == eager(x): " << std::boolalpha << xport::allclose(y, model(x))
            << "\n";
  try {
    run.call<xport::Tensor>(xport::randn({5, 7}, gen)); // wrong feature size
  } catch (xport::error const& e) {
    std::cout << "refused: " << e.what() << "\n";
  }
  //! [call]

  //! [save]
  // Export once, run elsewhere: the archive holds the program, its contract and weights.
  auto const path = std::filesystem::temp_directory_path() / "quickstart.xpt";
  xport::save(ep, path); // atomic: an interrupted save never leaves a half-written file
  xport::ExportedProgram const loaded = xport::load(path);
  std::cout << "reloaded(x) == exported(x): "
            << xport::equal(loaded.module().call<xport::Tensor>(x), y) << "\n";
  std::filesystem::remove(path);
  //! [save]

  //! [violation]
  Pairs pairs(gen);
  try {
    xport::export_program(pairs, std::tuple{example}, {{batch, 8}}, {.input_names = {"x"}});
  } catch (xport::spec_violation const& e) {
    std::cout << "\n" << e.what() << "\n";
    // The fixes apply to the spec: batch becomes 2 * _batch, and export passes.
    auto const fixed = xport::sym::refine(xport::dynamic_shapes({{batch, 8}}), e.fixes());
    std::cout << "refined spec: " << fixed.to_string() << "\n";
    xport::ExportedProgram ok =
        xport::export_program(pairs, std::tuple{example}, fixed, {.input_names = {"x"}});
    std::cout << "exported with " << ok.range_constraints.size()
              << " range constraint(s): " << ok.range_constraints[0].symbol << " in "
              << xport::sym::to_string(ok.range_constraints[0].range) << "\n";
  }
  //! [violation]
}
