// The example models (an MLP, a small CNN, a transformer encoder layer) and small modules
// that exercise one part of the input contract each, shared by the export, decomposition
// and serialization tests; and the size draws of their property tests.
#pragma once

#include <xport/api/elementwise.hpp>
#include <xport/api/item.hpp>
#include <xport/api/reduction.hpp>
#include <xport/api/shape.hpp>
#include <xport/nn/layers.hpp>

#include <cstdint>
#include <random>
#include <vector>

namespace models {

// Draws `count` sizes uniformly from [lo, hi] with a fixed seed.
inline std::vector<std::int64_t> draw_sizes(std::int64_t lo, std::int64_t hi, int count,
                                            unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::int64_t> pick(lo, hi);
  std::vector<std::int64_t> out;
  for (int i = 0; i < count; ++i)
    out.push_back(pick(rng));
  return out;
}

// Takes the first `n` rows, where `n` is data: item_int + checks bound it.
struct Head : xport::Module<Head> {
  BOOST_HANA_DEFINE_STRUCT(Head);
  xport::Tensor forward(xport::Tensor const& x, xport::Tensor const& count) const {
    xport::SymInt const n = xport::item_int(count);
    xport::check(n >= 0);
    xport::check(n <= 4);
    return xport::slice(x, 0, 0, n);
  }
};

// forward takes a SymInt: the int input may be dynamic.
struct Tile : xport::Module<Tile> {
  BOOST_HANA_DEFINE_STRUCT(Tile);
  xport::Tensor forward(xport::Tensor const& x, xport::SymInt const& n) const {
    return xport::repeat(x, {n, 1}) * 2.0;
  }
};

// y has one more row than x (a derived dim): y[1:] + x.
struct Shifted : xport::Module<Shifted> {
  BOOST_HANA_DEFINE_STRUCT(Shifted);
  xport::Tensor forward(xport::Tensor const& x, xport::Tensor const& y) const {
    return xport::slice(y, 0, 1, y.sym_size(0)) + x;
  }
};

// Rows of four: needs the batch to be a multiple of 4.
struct Rows : xport::Module<Rows> {
  BOOST_HANA_DEFINE_STRUCT(Rows);
  xport::Tensor forward(xport::Tensor const& x) const {
    return xport::relu(xport::reshape(x, {-1, 4}));
  }
};

// Two inputs of the same shape: their dims are equal.
struct Twice : xport::Module<Twice> {
  BOOST_HANA_DEFINE_STRUCT(Twice);
  xport::Tensor forward(xport::Tensor const& x, xport::Tensor const& y) const {
    return x * 2.0 + y;
  }
};

struct MLP : xport::Module<MLP> {
  BOOST_HANA_DEFINE_STRUCT(MLP, (xport::nn::Linear, fc1), (xport::nn::Linear, fc2),
                           (xport::nn::Linear, fc3));
  explicit MLP(xport::Generator& gen) : fc1(16, 32, gen), fc2(32, 32, gen), fc3(32, 4, gen) {}
  xport::Tensor forward(xport::Tensor const& x) const {
    return fc3(xport::relu(fc2(xport::gelu(fc1(x)))));
  }
};

// quickstart.cpp's second model: the MLP's outputs summed in pairs of rows, so the batch
// must be even.
struct Pairs : xport::Module<Pairs> {
  BOOST_HANA_DEFINE_STRUCT(Pairs, (MLP, mlp));
  explicit Pairs(xport::Generator& gen) : mlp(gen) {}
  xport::Tensor forward(xport::Tensor const& x) const {
    return xport::sum(mlp(x).view({-1, 2, 4}), {1});
  }
};

inline auto make_cnn(xport::Generator& gen) {
  namespace nn = xport::nn;
  return nn::Sequential{nn::Conv2d(1, 4, 3, gen, {.padding = 1}),
                        nn::BatchNorm2d(4),
                        nn::ReLU{},
                        nn::MaxPool2d(2),
                        nn::Conv2d(4, 8, 3, gen, {.padding = 1}),
                        nn::BatchNorm2d(8),
                        nn::ReLU{},
                        nn::AdaptiveAvgPool2d(1),
                        nn::Flatten{},
                        nn::Linear(8, 10, gen)};
}

inline xport::nn::TransformerEncoderLayer make_transformer(xport::Generator& gen) {
  return xport::nn::TransformerEncoderLayer(16, 4, gen, {.dim_feedforward = 32});
}

// x [2*h] -> its outer product, flattened to [4*h*h].
struct Square : xport::Module<Square> {
  BOOST_HANA_DEFINE_STRUCT(Square);
  xport::Tensor forward(xport::Tensor const& x) const {
    xport::SymInt const n = x.sym_size(0);
    return xport::reshape(xport::reshape(x, {-1, 1}) * xport::reshape(x, {1, -1}), {n * n});
  }
};

// x[:len(y)] + y: y may not have more rows than x, a guard of the contract.
struct Prefix : xport::Module<Prefix> {
  BOOST_HANA_DEFINE_STRUCT(Prefix);
  xport::Tensor forward(xport::Tensor const& x, xport::Tensor const& y) const {
    return xport::slice(x, 0, 0, y.sym_size(0)) + y;
  }
};

// x * scale, with scale a float input (specialized at export).
struct Scaled : xport::Module<Scaled> {
  BOOST_HANA_DEFINE_STRUCT(Scaled);
  xport::Tensor forward(xport::Tensor const& x, double scale) const { return x * scale; }
};

// A struct input, which PyTorch reads only as a dataclass registered in Python.
struct Fields {
  BOOST_HANA_DEFINE_STRUCT(Fields, (xport::Tensor, a), (xport::Tensor, b));
};
struct SumFields : xport::Module<SumFields> {
  BOOST_HANA_DEFINE_STRUCT(SumFields);
  xport::Tensor forward(Fields const& f) const { return f.a + f.b; }
};

} // namespace models
