// Toy modules for the nn/ module tests. Their forward uses only what core/ offers (views
// and copies), so the tests exercise the module machinery, not ops.
#pragma once

#include <xport/core/factories.hpp>
#include <xport/core/tensor.hpp>
#include <xport/nn/module.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace toy {

using xport::Tensor;

// The module stacks seen inside forward calls, in call order.
inline std::vector<std::vector<xport::module_frame>>& recorded_stacks() {
  static std::vector<std::vector<xport::module_frame>> stacks;
  return stacks;
}

inline void record_stack() {
  auto const stack = xport::current_module_stack();
  recorded_stacks().emplace_back(stack.begin(), stack.end());
}

// Shaped like a Linear: weight [out, in] holding 0, 1, 2, ... and an optional bias of zeros.
// forward records the module stack and returns its input.
struct Affine : xport::Module<Affine> {
  xport::Parameter weight;
  xport::Parameter bias;
  std::int64_t in_features = 0; // listed for reflection, but not a tensor: ignored

  Affine() = default;
  Affine(std::int64_t in, std::int64_t out, bool with_bias = true)
      : weight(xport::arange(0, in * out, 1, {.dtype = xport::dtype::float32}).view({out, in})),
        bias(with_bias ? xport::zeros({out}) : Tensor()), in_features(in) {}

  Tensor forward(Tensor const& x) const {
    record_stack();
    return x;
  }
};

// Two Affines, a persistent buffer, a non-persistent one and an integer counter.
struct Block : xport::Module<Block> {
  Affine fc1{4, 3};
  Affine fc2{3, 2};
  xport::Buffer running_mean = xport::zeros({2});
  xport::NonPersistentBuffer cache = xport::zeros({1});
  xport::Buffer steps = xport::zeros({1}, {.dtype = xport::dtype::int64});

  Tensor forward(Tensor const& x) const {
    record_stack();
    return fc2(fc1(x));
  }
};

struct Encoder : xport::Module<Encoder> {
  std::vector<Block> layers = std::vector<Block>(2);
  xport::Parameter scale = xport::ones({1});

  Tensor forward(Tensor x) const {
    record_stack();
    for (auto const& layer : layers)
      x = layer(x);
    return x;
  }
};

struct Model : xport::Module<Model> {
  Encoder encoder;
  std::array<Affine, 2> heads{Affine(2, 2), Affine(2, 1, false)};
  Tensor mask = xport::ones({2}); // a plain tensor member: a constant

  Tensor forward(Tensor const& x) const {
    record_stack();
    return heads[1](heads[0](encoder(x)));
  }
};

} // namespace toy

BOOST_HANA_ADAPT_STRUCT(toy::Affine, weight, bias, in_features);
BOOST_HANA_ADAPT_STRUCT(toy::Block, fc1, fc2, running_mean, cache, steps);
BOOST_HANA_ADAPT_STRUCT(toy::Encoder, layers, scale);
BOOST_HANA_ADAPT_STRUCT(toy::Model, encoder, heads, mask);
