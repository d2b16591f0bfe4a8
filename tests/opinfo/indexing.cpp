// OpInfo samples of indexing (ops/indexing.hpp), the ops whose results depend on data
// (ops/data_dependent.hpp) and control flow (ops/control_flow.hpp); and their sweep.
#include "opinfo/opinfo.hpp"

#include <xport/api/control_flow.hpp>
#include <xport/api/elementwise.hpp>
#include <xport/api/reduction.hpp>
#include <xport/ops/control_flow.hpp>
#include <xport/ops/data_dependent.hpp>
#include <xport/ops/indexing.hpp>

#include <doctest/doctest.h>

namespace opinfo {
namespace {
namespace ops = xport::ops;
using xport::Scalar;

} // namespace

// ---- indexing ---------------------------------------------------------------------------

template <>
struct samples<ops::index_select> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::index_select>("dim 0", {0}, {m({4, 3}), m.index({5}, 4)}),
            opinfo::make<ops::index_select>("dim -1, strided", {-1},
                                            {m.strided({3, 2}), m.index({3}, 2)}),
            opinfo::make<ops::index_select>("no indices", {0}, {m({3}), m.index({0}, 3)}),
            opinfo::make<ops::index_select>("0-dim input", {0}, {m({}), m.index({1}, 1)})};
  }
};

template <>
struct samples<ops::gather> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {
        opinfo::make<ops::gather>("dim 1", {1}, {m({3, 4}), m.index({3, 2}, 4)}),
        opinfo::make<ops::gather>("dim 0, strided", {0}, {m.strided({3, 2}), m.index({2, 2}, 3)})};
  }
};

template <>
struct samples<ops::scatter> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    // Distinct target positions: the result does not depend on the order of writes.
    Tensor const index = maker::from({2, 0, 1, 1, 2, 0}, {2, 3}, dtype::int64);
    return {opinfo::make<ops::scatter>("dim 0", {0}, {m({3, 3}), index, m({2, 3})})};
  }
};

template <>
struct samples<ops::scatter_value> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::scatter_value>("dim 1", {1, scalar_of(d, 9.5, 9)},
                                             {m({2, 4}), m.index({2, 2}, 4)})};
  }
};

template <>
struct samples<ops::scatter_add> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::scatter_add>("dim 0, repeated positions", {0},
                                           {m({3, 2}), m.index({4, 2}, 3), m({4, 2})})};
  }
};

template <>
struct samples<ops::index> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::index>("x[i]", {}, {m({4, 3}), m.index({2}, 4)}),
            opinfo::make<ops::index>("x[:, i]", {}, {m({3, 4}), Tensor(), m.index({2, 2}, 4)}),
            opinfo::make<ops::index>("x[i, j] broadcast", {},
                                     {m({3, 4}), m.index({2, 1}, 3), m.index({3}, 4)}),
            opinfo::make<ops::index>("x[mask]", {}, {m({3, 2}), m.mask({3, 2})})};
  }
};

template <>
struct samples<ops::index_put> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    Tensor const rows = maker::from({2, 0}, {2}, dtype::int64);
    return {opinfo::make<ops::index_put>("x[i] = v", {false}, {m({3, 2}), rows, m({2, 2})}),
            opinfo::make<ops::index_put>("x[i] += v, broadcast", {true},
                                         {m({3, 2}), m.index({4}, 3), m({2})})};
  }
};

template <>
struct samples<ops::index_put_> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    Tensor const rows = maker::from({2, 0}, {2}, dtype::int64);
    return {opinfo::make<ops::index_put_>("x[i] = v", {false}, {m({3, 2}), rows, m({2, 2})}),
            opinfo::make<ops::index_put_>("x[:, i] += v, strided", {true},
                                          {m.strided({3, 2}), Tensor(), m.index({3}, 2), m({3})})};
  }
};

// ---- data-dependent ---------------------------------------------------------------------

template <>
struct samples<ops::nonzero> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::nonzero>("[3, 4]", {}, {m({3, 4})}),
            opinfo::make<ops::nonzero>("strided", {}, {m.strided({2, 3})}),
            opinfo::make<ops::nonzero>("[0]", {}, {m({0})})};
  }
};

template <>
struct samples<ops::local_scalar_dense> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::local_scalar_dense>("0-dim", {}, {m({})}),
            opinfo::make<ops::local_scalar_dense>("[1, 1]", {}, {m({1, 1})})};
  }
};

template <>
struct samples<ops::masked_select> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::masked_select>("[3, 4]", {}, {m({3, 4}), m.mask({3, 4})}),
            opinfo::make<ops::masked_select>("mask broadcast, strided", {},
                                             {m.strided({3, 2}), m.mask({2})})};
  }
};

template <>
struct samples<ops::bincount> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    Tensor const values = d == dtype::bool_ ? m.mask({6}) : m.index({6}, 4).to(d);
    return {opinfo::make<ops::bincount>("counts", {0}, {values, Tensor()}),
            opinfo::make<ops::bincount>("minlength 6, float weights", {6},
                                        {values, m.values({6}, dtype::float32)}),
            opinfo::make<ops::bincount>("empty", {3}, {values.slice(0, 0, 0), Tensor()})};
  }
};

template <>
struct samples<ops::assert_scalar> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    if (d != dtype::float32) return {}; // no tensors: one set of samples
    sample s = opinfo::make<ops::assert_scalar>("3 <= 4", {3, ops::comparison::le, 4, "fits"}, {});
    s.values = false;
    s.reference = [](std::span<Tensor const>) { return ops::tensor_list{}; };
    s.exportable = false; // a program of constants asserts nothing about its inputs
    return {s};
  }
};

// ---- control flow -----------------------------------------------------------------------

template <>
struct samples<ops::cond> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    sample s = opinfo::make<ops::cond>("x.sum() > 0 ? x * 2 : x * 0", {}, {m({3, 2})});
    auto on_true = [](Tensor const& x) { return x * Scalar(2); };
    auto on_false = [](Tensor const& x) { return x * Scalar(0); };
    s.call = [=](std::span<Tensor const> in) {
      return ops::tensor_list{
          xport::cond(xport::sum(in[0].to(dtype::float32)) > 0.0, on_true, on_false, in[0])};
    };
    s.reference = [=](std::span<Tensor const> in) {
      bool const holds = xport::sum(in[0].to(dtype::float32)).item<double>() > 0;
      return ops::tensor_list{holds ? on_true(in[0]) : on_false(in[0])};
    };
    return {s};
  }
};

template <>
struct samples<ops::while_loop> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    sample s = opinfo::make<ops::while_loop>("count to 3, x + x", {2}, {m({2, 3})});
    s.inputs.insert(s.inputs.begin(), maker::from({0}, {}, dtype::int64));
    auto condition = [](Tensor const& k, Tensor const&) { return k < Scalar(3); };
    auto body = [](Tensor const& k, Tensor const& x) { return std::tuple(k + Scalar(1), x + x); };
    s.call = [=](std::span<Tensor const> in) {
      auto [k, x] = xport::while_loop(condition, body, std::tuple(in[0], in[1]));
      return ops::tensor_list{k, x};
    };
    s.reference = [](std::span<Tensor const> in) { // three steps
      Tensor x = in[1];
      for (int k = 0; k < 3; ++k)
        x = x + x;
      return ops::tensor_list{in[0] + Scalar(3), x};
    };
    return {s};
  }
};

template <>
struct samples<ops::map_impl> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    sample s = opinfo::make<ops::map_impl>("rows: r * y", {1}, {m({3, 2}), m({2})});
    s.call = [](std::span<Tensor const> in) {
      return ops::tensor_list{xport::map([](Tensor const& r, Tensor const& y) { return r * y; },
                                         std::tuple(in[0]), std::tuple(in[1]))};
    };
    s.reference = [](std::span<Tensor const> in) { return ops::tensor_list{in[0] * in[1]}; };
    return {s};
  }
};

using indexing_family =
    ops::indexing_ops::join<ops::data_dependent_ops>::join<ops::control_flow_ops>;
static_assert(covers<indexing_family>,
              "every indexing, data-dependent and control-flow op has samples");

TEST_CASE("opinfo: indexing, data-dependent and control-flow ops, every dtype and sample") {
  sweep<indexing_family>("indexing");
}

} // namespace opinfo
