// The example models through export with dynamic sizes, compared to eager execution on
// random inputs drawn inside the range constraints (a property test).
#include "models.hpp"

#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/export/export.hpp>
#include <xport/export/inspect.hpp>

#include <doctest/doctest.h>

#include <random>

using namespace xport;
using models::draw_sizes;
namespace nn = xport::nn;

TEST_CASE("MLP: dynamic batch, equal to eager for random batches") {
  Generator gen{1};
  models::MLP m(gen);
  auto batch = Dim("batch", {.min = 1, .max = 64});
  ExportedProgram ep =
      export_program(m, std::tuple{randn({8, 16}, gen)}, {{batch, 16}}, {.input_names = {"x"}});
  INFO(ep.str());
  CHECK(ep.str().find("aten::linear(x, p_fc1_weight, p_fc1_bias)") != std::string::npos);
  CHECK(ep.str().find("Range constraints: {s0: VR[2, 64]}") != std::string::npos);
  ExportedModule run = ep.module();
  for (std::int64_t b : draw_sizes(1, 64, 6, 7)) {
    Tensor const x = randn({b, 16}, gen);
    CHECK(allclose(run.call<Tensor>(x), m(x)));
  }
}

TEST_CASE("CNN (eval): dynamic batch and image size") {
  Generator gen{2};
  auto cnn = models::make_cnn(gen);
  cnn.eval();
  auto batch = Dim("batch", {.min = 1, .max = 16});
  auto side = Dim("side", {.min = 4, .max = 40});
  ExportedProgram ep = export_program(cnn, std::tuple{randn({3, 1, 12, 12}, gen)},
                                      {{batch, 1, side, side}}, {.input_names = {"x"}});
  INFO(ep.str());
  ExportedModule run = ep.module();
  for (std::int64_t b : draw_sizes(1, 16, 4, 3)) {
    for (std::int64_t s : draw_sizes(4, 40, 2, static_cast<unsigned>(b))) {
      Tensor const x = randn({b, 1, s, s}, gen);
      CHECK(allclose(run.call<Tensor>(x), cnn(x), {.rtol = 1e-4, .atol = 1e-5}));
    }
  }
}

TEST_CASE("Transformer encoder layer (eval): dynamic batch and sequence length") {
  Generator gen{3};
  auto layer = models::make_transformer(gen);
  layer.eval();
  auto batch = Dim("batch", {.min = 1, .max = 8});
  auto seq = Dim("seq", {.min = 1, .max = 32});
  ExportedProgram ep = export_program(layer, std::tuple{randn({2, 5, 16}, gen)}, {{batch, seq, 16}},
                                      {.input_names = {"src"}});
  INFO(ep.str());
  ExportedModule run = ep.module();
  for (std::int64_t b : draw_sizes(1, 8, 3, 5)) {
    for (std::int64_t s : draw_sizes(1, 32, 3, static_cast<unsigned>(b + 10))) {
      Tensor const x = randn({b, s, 16}, gen);
      CHECK(allclose(run.call<Tensor>(x), layer(x), {.rtol = 1e-4, .atol = 1e-5}));
    }
  }
}

TEST_CASE("BatchNorm in training mode: running statistics become buffer mutations") {
  Generator gen{4};
  nn::BatchNorm1d bn(3);
  Tensor const x = randn({6, 3}, gen);
  auto batch = Dim("batch", {.min = 2, .max = 64});
  ExportedProgram ep = export_program(bn, std::tuple{x}, {{batch, 3}}, {.input_names = {"input"}});
  std::string const text = ep.str();
  INFO(text);
  CHECK(text.find("aten::_native_batch_norm_legit_functional") != std::string::npos);
  CHECK(text.find("BUFFER_MUTATION target='running_mean'") != std::string::npos);
  CHECK(text.find("BUFFER_MUTATION target='running_var'") != std::string::npos);
  CHECK(text.find("BUFFER_MUTATION target='num_batches_tracked'") != std::string::npos);
  CHECK(bn.running_mean.at<float>({0}) == 0.f); // export left the module alone

  // Calling the program updates its buffers exactly as eager training updates the module's.
  ExportedModule run = ep.module();
  nn::BatchNorm1d eager(3);
  for (std::int64_t b : {4, 9}) {
    Tensor const input = randn({b, 3}, gen);
    CHECK(allclose(run.call<Tensor>(input), eager(input)));
  }
  CHECK(allclose(ep.state_dict.at("running_mean"), eager.running_mean));
  CHECK(allclose(ep.state_dict.at("running_var"), eager.running_var));
  CHECK(ep.state_dict.at("num_batches_tracked").item<std::int64_t>() == 2);
}
