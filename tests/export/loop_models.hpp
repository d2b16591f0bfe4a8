// Modules with xport::while_loop and xport::map, shared by the export, decomposition and
// serialization tests: loops whose trip count depends on the data, bodies that read
// parameters, maps over one or several tensors with extra arguments.
#pragma once

#include <xport/api/control_flow.hpp>
#include <xport/api/creation.hpp>
#include <xport/api/elementwise.hpp>
#include <xport/api/linalg.hpp>
#include <xport/api/reduction.hpp>
#include <xport/nn/layers.hpp>

#include <tuple>

namespace models {

//! [while_loop]
// Doubles x until its sum reaches the limit: as many steps as the data needs.
struct Doubling : xport::Module<Doubling> {
  BOOST_HANA_DEFINE_STRUCT(Doubling);
  xport::Tensor forward(xport::Tensor const& x, xport::Tensor const& limit) const {
    auto [steps, y] = xport::while_loop(
        [&](xport::Tensor const&, xport::Tensor const& v) { return xport::sum(v) < limit; },
        [](xport::Tensor const& n, xport::Tensor const& v) { return std::tuple(n + 1.0, v * 2.0); },
        std::tuple(xport::zeros({}), x));
    return y + steps;
  }
};
//! [while_loop]

// `steps` applications of a linear layer: the body reads the layer's parameters, which
// the loop takes as additional inputs.
struct Repeated : xport::Module<Repeated> {
  BOOST_HANA_DEFINE_STRUCT(Repeated, (xport::nn::Linear, fc));
  explicit Repeated(xport::Generator& gen) : fc(4, 4, gen) {}
  xport::Tensor forward(xport::Tensor const& x, xport::Tensor const& steps) const {
    auto [i, y] =
        xport::while_loop([&](xport::Tensor const& k, xport::Tensor const&) { return k < steps; },
                          [&](xport::Tensor const& k, xport::Tensor const& v) {
                            return std::tuple(k + 1, xport::tanh(fc(v)));
                          },
                          std::tuple(xport::zeros({}, {.dtype = xport::dtype::int64}), x));
    return y;
  }
};

// A body that doubles the carried tensor's length: refused (carried sizes are fixed).
struct Growing : xport::Module<Growing> {
  BOOST_HANA_DEFINE_STRUCT(Growing);
  xport::Tensor forward(xport::Tensor const& x) const {
    return xport::while_loop([](xport::Tensor const& v) { return xport::sum(v) < 10.0; },
                             [](xport::Tensor const& v) {
                               return xport::cat({v, v}, 0);
                             },
                             x);
  }
};

// A condition that is not a boolean scalar: refused.
struct WideCondition : xport::Module<WideCondition> {
  BOOST_HANA_DEFINE_STRUCT(WideCondition);
  xport::Tensor forward(xport::Tensor const& x) const {
    return xport::while_loop([](xport::Tensor const& v) { return v < 10.0; },
                             [](xport::Tensor const& v) { return v + 1.0; }, x);
  }
};

//! [map]
// Each row scaled by its own maximum, then shifted by `bias`: map over the rows.
struct RowScale : xport::Module<RowScale> {
  BOOST_HANA_DEFINE_STRUCT(RowScale);
  xport::Tensor forward(xport::Tensor const& x, xport::Tensor const& bias) const {
    return xport::map(
        [](xport::Tensor const& row, xport::Tensor const& b) { return row / xport::amax(row) + b; },
        std::tuple(x), std::tuple(bias));
  }
};
//! [map]

// Two mapped tensors, two outputs, and a body that reads a parameter.
struct PairMap : xport::Module<PairMap> {
  BOOST_HANA_DEFINE_STRUCT(PairMap, (xport::nn::Linear, fc));
  explicit PairMap(xport::Generator& gen) : fc(3, 2, gen) {}
  std::tuple<xport::Tensor, xport::Tensor> forward(xport::Tensor const& a,
                                                   xport::Tensor const& b) const {
    return xport::map(
        [&](xport::Tensor const& u, xport::Tensor const& v) {
          return std::tuple(fc(u * v), xport::sum(u - v));
        },
        std::tuple(a, b));
  }
};

} // namespace models
