// nn_layers_misc::Embedding, nn_layers_misc::Dropout and nn_layers_misc::Flatten forward; Dropout
// in training and evaluation.
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/nn/dropout.hpp>
#include <xport/nn/embedding.hpp>
#include <xport/nn/flatten.hpp>

#include <doctest/doctest.h>

#include <cstdint>

namespace {
namespace nn_layers_misc = xport::nn;
using xport::Tensor;
} // namespace

TEST_CASE("Embedding forward: rows of the table, indices of any shape") {
  xport::Generator gen{40};
  nn_layers_misc::Embedding emb{5, 3, gen, {.padding_idx = 0}};
  Tensor const idx = xport::from({{1, 0}, {4, 1}}).to(xport::dtype::int64);
  Tensor const y = emb(idx);
  CHECK(y.dim() == 3);
  CHECK(y.size(2) == 3);
  CHECK(xport::equal(y.select(0, 0).select(0, 0), emb.weight.select(0, 1)));
  CHECK(xport::equal(y.select(0, 0).select(0, 1), xport::zeros({3}))); // the padding row
  CHECK(xport::equal(y.select(0, 1).select(0, 0), emb.weight.select(0, 4)));
  CHECK_THROWS_AS(emb(xport::from({5}).to(xport::dtype::int64)), xport::index_error);
}

TEST_CASE("Dropout: identity in eval; in training, zeros or scaled by 1 / (1 - p)") {
  xport::Generator gen{41};
  Tensor const x = xport::ones({64, 64});
  nn_layers_misc::Dropout drop{0.25, gen};
  Tensor const y = drop(x);
  std::int64_t zeros = 0, scaled = 0;
  Tensor const flat = y.view({-1});
  for (std::int64_t i = 0; i < flat.numel(); ++i) {
    float const v = flat.at<float>({i});
    zeros += v == 0.f ? 1 : 0;
    scaled += v == static_cast<float>(1 / 0.75) ? 1 : 0;
  }
  CHECK(zeros + scaled == 4096);
  CHECK(static_cast<double>(zeros) / 4096.0 == doctest::Approx(0.25).epsilon(0.1));
  CHECK(!xport::equal(drop(x), y)); // a fresh mask per call

  // the masks are a function of the seed
  nn_layers_misc::Dropout same{0.25, 7};
  nn_layers_misc::Dropout again{0.25, 7};
  CHECK(xport::equal(same(x), again(x)));

  drop.eval();
  CHECK(xport::equal(drop(x), x));
  CHECK(!drop.is_training());
  nn_layers_misc::Dropout off{0.0};
  CHECK(xport::equal(off(x), x));
}

TEST_CASE("Flatten forward keeps the batch dimension by default") {
  Tensor const x = xport::arange(0, 24, 1, {.dtype = xport::dtype::float32}).view({2, 3, 4});
  nn_layers_misc::Flatten flatten;
  Tensor const y = flatten(x);
  CHECK(y.dim() == 2);
  CHECK(y.size(1) == 12);
  CHECK(xport::equal(y, x.reshape({2, 12})));
  CHECK(nn_layers_misc::Flatten{0}(x).dim() == 1);
  CHECK(nn_layers_misc::Flatten(1, 1)(x).dim() == 3);
  CHECK_THROWS_AS(nn_layers_misc::Flatten(3)(x), xport::index_error);
}
