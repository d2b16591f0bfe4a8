// The translation unit of an export-only user, measured by scripts/compile_cost.sh: it
// defines a two-layer MLP, exports it with a dynamic batch and saves the program. It runs
// no op eagerly, so it does not include <xport/kernels/cpu/all.hpp>; it is compiled (-c),
// never linked.
//
// The header is a macro so that a lighter one can be measured in its place:
//   g++ -std=c++20 -Iinclude -DXPORT_COST_HEADER='<xport/export_only.hpp>' -c export_mlp.cpp
#ifndef XPORT_COST_HEADER
#define XPORT_COST_HEADER <xport/xport.hpp>
#endif
#include XPORT_COST_HEADER

#include <tuple>

struct MLP : xport::Module<MLP> {
  BOOST_HANA_DEFINE_STRUCT(MLP, (xport::nn::Linear, fc1), (xport::nn::Linear, fc2));

  explicit MLP(xport::Generator& gen) : fc1(8, 16, gen), fc2(16, 4, gen) {}

  xport::Tensor forward(xport::Tensor const& x) const { return fc2(xport::relu(fc1(x))); }
};

int main(int argc, char** argv) {
  xport::Generator gen{0};
  MLP model(gen);
  auto batch = xport::Dim("batch", {.min = 1, .max = 1024});
  xport::ExportedProgram const ep = xport::export_program(
      model, std::tuple{xport::randn({32, 8}, gen)}, {{batch, 8}}, {.input_names = {"x"}});
  xport::save(ep, argc > 1 ? argv[1] : "mlp.xpt");
}
