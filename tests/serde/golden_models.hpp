// The programs the golden archives in tests/serde/golden/ hold. Their source lines are
// part of the archives: editing this file changes them (regenerate as the golden test
// says).
#pragma once

#include <xport/api/control_flow.hpp>
#include <xport/api/data_dependent.hpp>
#include <xport/api/elementwise.hpp>
#include <xport/api/item.hpp>
#include <xport/api/reduction.hpp>
#include <xport/api/shape.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/export/export.hpp>
#include <xport/nn/layers.hpp>

namespace golden {

// Linear + ReLU, with a dynamic batch.
struct LinearRelu : xport::Module<LinearRelu> {
  BOOST_HANA_DEFINE_STRUCT(LinearRelu, (xport::nn::Linear, fc));
  explicit LinearRelu(xport::Generator& gen) : fc(4, 3, gen) {}
  xport::Tensor forward(xport::Tensor const& x) const { return xport::relu(fc(x)); }
};

// The first `count` rows: a data-dependent size bound by runtime asserts.
struct Head : xport::Module<Head> {
  BOOST_HANA_DEFINE_STRUCT(Head);
  xport::Tensor forward(xport::Tensor const& x, xport::Tensor const& count) const {
    xport::SymInt const n = xport::item_int(count);
    xport::check(n >= 0);
    xport::check(n <= 4);
    return xport::slice(x, 0, 0, n);
  }
};

inline xport::ExportedProgram linear_relu() {
  xport::Generator gen{11};
  LinearRelu m(gen);
  auto batch = xport::Dim("batch", {.min = 1, .max = 32});
  return xport::export_program(m, std::tuple{xport::randn({5, 4}, gen)}, {{batch, 4}},
                               {.input_names = {"x"}});
}

inline xport::ExportedProgram head() {
  Head m;
  xport::Tensor const x = xport::arange(0, 12, 1).to(xport::dtype::float32).reshape({6, 2});
  return xport::export_program(
      m, std::tuple{x, xport::scalar_tensor(3, {.dtype = xport::dtype::int64})}, {},
      {.input_names = {"x", "count"}});
}

// A branch picked by the data (cos or a scaled copy), the true one reading a parameter:
// sub-graphs in the archive.
struct Branches : xport::Module<Branches> {
  BOOST_HANA_DEFINE_STRUCT(Branches, (xport::Tensor, scale));
  Branches() : scale(xport::full({3}, 0.5)) {}
  xport::Tensor forward(xport::Tensor const& x) const {
    return xport::cond(
        xport::sum(x) > 0.0, [&](xport::Tensor const& v) { return xport::cos(v) * scale; },
        [](xport::Tensor const& v) { return v * 2.0; }, x);
  }
};

inline xport::ExportedProgram branches() {
  Branches m;
  auto rows = xport::Dim("rows", {.min = 2, .max = 8});
  return xport::export_program(m, std::tuple{xport::ones({4, 3})}, {{rows, 3}},
                               {.input_names = {"x"}});
}

// A loop whose trip count is data (doubling until the sum reaches a limit) whose body
// reads a buffer, and a map over the rows: while_loop and map_impl nodes in the archive.
struct Loops : xport::Module<Loops> {
  BOOST_HANA_DEFINE_STRUCT(Loops, (xport::Tensor, step));
  Loops() : step(xport::full({3}, 2.0)) {}
  xport::Tensor forward(xport::Tensor const& x, xport::Tensor const& limit) const {
    xport::Tensor const grown =
        xport::while_loop([&](xport::Tensor const& v) { return xport::sum(v) < limit; },
                          [&](xport::Tensor const& v) { return v * step; }, x);
    return xport::map([](xport::Tensor const& row) { return xport::softmax(row, 0); }, grown);
  }
};

inline xport::ExportedProgram loops() {
  Loops m;
  auto rows = xport::Dim("rows", {.min = 2, .max = 8});
  return xport::export_program(m, std::tuple{xport::ones({4, 3}), xport::scalar_tensor(50.0)},
                               {{rows, 3}, {}}, {.input_names = {"x", "limit"}});
}

} // namespace golden
