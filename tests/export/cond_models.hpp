// Modules with xport::cond, shared by the export, decomposition and serialization tests:
// a data-dependent predicate, a predicate over sizes, branches that read parameters and
// outside values, several outputs with a nested cond.
#pragma once

#include <xport/api/control_flow.hpp>
#include <xport/api/creation.hpp>
#include <xport/api/data_dependent.hpp>
#include <xport/api/elementwise.hpp>
#include <xport/api/reduction.hpp>
#include <xport/nn/layers.hpp>

#include <tuple>

namespace models {

//! [signed]
// cos where the sum is positive, sin elsewhere: a data-dependent predicate.
struct Signed : xport::Module<Signed> {
  BOOST_HANA_DEFINE_STRUCT(Signed);
  xport::Tensor forward(xport::Tensor const& x) const {
    return xport::cond(
        xport::sum(x) > 0.0, [](xport::Tensor const& v) { return xport::cos(v); },
        [](xport::Tensor const& v) { return xport::sin(v); }, x);
  }
};
//! [signed]

//! [by_size]
// Doubles long batches, shifts short ones: a predicate over the batch size.
struct BySize : xport::Module<BySize> {
  BOOST_HANA_DEFINE_STRUCT(BySize);
  xport::Tensor forward(xport::Tensor const& x) const {
    return xport::cond(
        x.sym_size(0) > 4, [](xport::Tensor const& v) { return v * 2.0; },
        [](xport::Tensor const& v) { return v + 1.0; }, x);
  }
};
//! [by_size]

// The true branch reads the layer's parameters and a value computed before the cond;
// the false branch reads neither: both get them as operands.
struct Gate : xport::Module<Gate> {
  BOOST_HANA_DEFINE_STRUCT(Gate, (xport::nn::Linear, fc));
  explicit Gate(xport::Generator& gen) : fc(4, 4, gen) {}
  xport::Tensor forward(xport::Tensor const& x, xport::Tensor const& flag) const {
    xport::Tensor const h = xport::relu(x);
    return xport::cond(
        flag, [&](xport::Tensor const& v) { return fc(v) + h; },
        [](xport::Tensor const& v) { return v * 0.5; }, x);
  }
};

// Two outputs, two operands, and a cond inside a branch.
struct Nested : xport::Module<Nested> {
  BOOST_HANA_DEFINE_STRUCT(Nested);
  std::tuple<xport::Tensor, xport::Tensor> forward(xport::Tensor const& x,
                                                   xport::Tensor const& y) const {
    return xport::cond(
        xport::sum(x) > 0.0,
        [](xport::Tensor const& a, xport::Tensor const& b) {
          xport::Tensor const inner = xport::cond(
              xport::sum(b) > 0.0, [](xport::Tensor const& v) { return v * 3.0; },
              [](xport::Tensor const& v) { return v - 3.0; }, a);
          return std::tuple<xport::Tensor, xport::Tensor>(inner, a + b);
        },
        [](xport::Tensor const& a, xport::Tensor const& b) {
          return std::tuple<xport::Tensor, xport::Tensor>(b, a * b);
        },
        std::tuple<xport::Tensor, xport::Tensor>(x, y));
  }
};

// Branches that compute data-dependent sizes (nonzero) and reduce them away: the
// indices of the positive elements summed, or of the negative ones.
struct Counting : xport::Module<Counting> {
  BOOST_HANA_DEFINE_STRUCT(Counting);
  xport::Tensor forward(xport::Tensor const& x) const {
    return xport::cond(
        xport::sum(x) > 0.0,
        [](xport::Tensor const& v) { return xport::sum(xport::nonzero(xport::relu(v))); },
        [](xport::Tensor const& v) { return xport::sum(xport::nonzero(xport::relu(-v))); }, x);
  }
};

// A one-element bool tensor: cond's predicate.
inline xport::Tensor flag(bool value) {
  return xport::scalar_tensor(value, {.dtype = xport::dtype::bool_});
}

} // namespace models
