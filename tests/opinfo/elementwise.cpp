// OpInfo samples of the elementwise family (ops/elementwise.hpp): unary math and
// activations, binary arithmetic, comparisons, logical and bitwise ops, where,
// masked_fill, clamp and the in-place forms; and the family's sweep.
#include "opinfo/opinfo.hpp"

#include <xport/api/elementwise.hpp>
#include <xport/ops/elementwise.hpp>

#include <doctest/doctest.h>

namespace opinfo {
namespace {

namespace ops = xport::ops;
using xport::Scalar;

// The shapes every one-input sample set covers.
template <class Op>
std::vector<sample> unary(dtype d, typename Op::attributes a = {}, bool positive = false) {
  maker m(d);
  auto in = [&](sizes const& s) { return positive ? m.positive(s) : m(s); };
  return {make<Op>("[3, 4]", a, {in({3, 4})}), make<Op>("0-dim", a, {in({})}),
          make<Op>("[0, 3]", a, {in({0, 3})}), make<Op>("strided [3, 2]", a, {m.strided({3, 2})}),
          make<Op>("[2, 1, 3]", a, {in({2, 1, 3})})};
}

// Tensor-tensor samples (the second operand positive when it divides or is a power).
template <class Op>
std::vector<sample> binary(dtype d, typename Op::attributes a = {}, bool divisor = false) {
  maker m(d);
  auto rhs = [&](sizes const& s) { return divisor ? m.divisor(s) : m(s); };
  return {make<Op>("[3, 4] op [3, 4]", a, {m({3, 4}), rhs({3, 4})}),
          make<Op>("broadcast [3, 1] op [4]", a, {m({3, 1}), rhs({4})}),
          make<Op>("0-dim op [3]", a, {m({}), rhs({3})}),
          make<Op>("[2, 0] op [1]", a, {m({2, 0}), rhs({1})}),
          make<Op>("strided [3, 2] op [3, 2]", a, {m.strided({3, 2}), rhs({3, 2})})};
}

// Tensor-scalar samples: `with(scalar)` gives the attributes.
template <class Op, class With>
std::vector<sample> with_scalar(dtype d, With with, Scalar scalar) {
  maker m(d);
  return {make<Op>("[3, 4] op scalar", with(scalar), {m({3, 4})}),
          make<Op>("0-dim op scalar", with(scalar), {m({})}),
          make<Op>("[0, 2] op scalar", with(scalar), {m({0, 2})}),
          make<Op>("strided [2, 3] op scalar", with(scalar), {m.strided({2, 3})})};
}

// The exponent of integer powers: 0 .. 3, so no power overflows or is negative.
Tensor small_exponent(maker& m, sizes const& s, dtype d) {
  return d == dtype::bool_ ? m.mask(s) : m.index(s, 4).to(d);
}

} // namespace

// ---- unary ------------------------------------------------------------------------------

#define XPORT_OPINFO_UNARY(op, positive)                                                           \
  template <>                                                                                      \
  struct samples<ops::op> {                                                                        \
    static constexpr bool defined = true;                                                          \
    static std::vector<sample> make(dtype d) { return unary<ops::op>(d, {}, positive); }           \
  };
XPORT_OPINFO_UNARY(neg, false)
XPORT_OPINFO_UNARY(abs, false)
XPORT_OPINFO_UNARY(exp, false)
XPORT_OPINFO_UNARY(log, true)
XPORT_OPINFO_UNARY(log1p, true)
XPORT_OPINFO_UNARY(sqrt, true)
XPORT_OPINFO_UNARY(rsqrt, true)
XPORT_OPINFO_UNARY(reciprocal, true)
XPORT_OPINFO_UNARY(sin, false)
XPORT_OPINFO_UNARY(cos, false)
XPORT_OPINFO_UNARY(tanh, false)
XPORT_OPINFO_UNARY(sigmoid, false)
XPORT_OPINFO_UNARY(erf, false)
XPORT_OPINFO_UNARY(floor, false)
XPORT_OPINFO_UNARY(ceil, false)
XPORT_OPINFO_UNARY(round, false)
XPORT_OPINFO_UNARY(sign, false)
XPORT_OPINFO_UNARY(relu, false)
XPORT_OPINFO_UNARY(isnan, false)
XPORT_OPINFO_UNARY(logical_not, false)
XPORT_OPINFO_UNARY(bitwise_not, false)
XPORT_OPINFO_UNARY(silu, false)
#undef XPORT_OPINFO_UNARY

template <>
struct samples<ops::round_decimals> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    std::vector<sample> out = unary<ops::round_decimals>(d, {1});
    maker m(d);
    out.push_back(opinfo::make<ops::round_decimals>("decimals=-1", {-1}, {m.scaled(m({4}), 10)}));
    out.push_back(opinfo::make<ops::round_decimals>("decimals=0", {0}, {m({4})}));
    return out;
  }
};

template <>
struct samples<ops::leaky_relu> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) { return unary<ops::leaky_relu>(d, {0.25}); }
};

template <>
struct samples<ops::hardtanh> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    return unary<ops::hardtanh>(d, {scalar_of(d, -1.5, -2), scalar_of(d, 1.25, 3)});
  }
};

template <>
struct samples<ops::gelu> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    std::vector<sample> out = unary<ops::gelu>(d, {"none"});
    maker m(d);
    out.push_back(opinfo::make<ops::gelu>("tanh", {"tanh"}, {m({3, 4})}));
    return out;
  }
};

template <>
struct samples<ops::softplus> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    std::vector<sample> out = unary<ops::softplus>(d, {1, 20});
    maker m(d);
    out.push_back(opinfo::make<ops::softplus>("beta=2, threshold=1", {2, 1}, {m({3, 4})}));
    return out;
  }
};

// ---- binary -----------------------------------------------------------------------------

template <>
struct samples<ops::add> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    std::vector<sample> out = binary<ops::add>(d, {std::nullopt, 1});
    maker m(d);
    out.push_back(opinfo::make<ops::add>("alpha", {std::nullopt, scalar_of(d, 0.5, 2)},
                                         {m({2, 3}), m({2, 3})}));
    for (sample& s : with_scalar<ops::add>(
             d,
             [](Scalar s) {
               return ops::add::attributes{s, 1};
             },
             scalar_of(d, 1.5, 2)))
      out.push_back(std::move(s));
    return out;
  }
};

template <>
struct samples<ops::sub> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    std::vector<sample> out = binary<ops::sub>(d, {std::nullopt, 1});
    for (sample& s : with_scalar<ops::sub>(
             d,
             [](Scalar s) {
               return ops::sub::attributes{s, 2};
             },
             scalar_of(d, 1.5, 2)))
      out.push_back(std::move(s));
    return out;
  }
};

template <>
struct samples<ops::rsub> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    return with_scalar<ops::rsub>(
        d,
        [](Scalar s) {
          return ops::rsub::attributes{s, 1};
        },
        scalar_of(d, 1.5, 2));
  }
};

template <>
struct samples<ops::mul> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    std::vector<sample> out = binary<ops::mul>(d, {std::nullopt});
    for (sample& s : with_scalar<ops::mul>(
             d, [](Scalar s) { return ops::mul::attributes{s}; }, scalar_of(d, -1.5, 3)))
      out.push_back(std::move(s));
    return out;
  }
};

template <>
struct samples<ops::div> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    std::vector<sample> out = binary<ops::div>(d, {std::nullopt}, true);
    for (sample& s : with_scalar<ops::div>(
             d, [](Scalar s) { return ops::div::attributes{s}; }, scalar_of(d, 0.5, 2)))
      out.push_back(std::move(s));
    return out;
  }
};

template <>
struct samples<ops::div_mode> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    // Rounding modes take no bool: bool samples divide truly.
    std::optional<std::string> const floor =
        d == dtype::bool_ ? std::nullopt : std::optional<std::string>("floor");
    std::vector<sample> out = binary<ops::div_mode>(d, {std::nullopt, floor}, true);
    maker m(d);
    if (d != dtype::bool_) {
      out.push_back(opinfo::make<ops::div_mode>("trunc", {std::nullopt, "trunc"},
                                                {m({3, 4}), m.divisor({3, 4})}));
      out.push_back(opinfo::make<ops::div_mode>("floor by scalar",
                                                {scalar_of(d, -1.5, -2), "floor"}, {m({3, 4})}));
    }
    out.push_back(opinfo::make<ops::div_mode>("true", {std::nullopt, std::nullopt},
                                              {m({3, 4}), m.positive({3, 4})}));
    return out;
  }
};

template <>
struct samples<ops::pow_tensor> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    auto exponent = [&](sizes const& s) {
      return xport::is_floating_point(d) ? m(s) : small_exponent(m, s, d);
    };
    return {opinfo::make<ops::pow_tensor>("[3, 4] ** [3, 4]", {},
                                          {m.positive({3, 4}), exponent({3, 4})}),
            opinfo::make<ops::pow_tensor>("broadcast [3, 1] ** [4]", {},
                                          {m.positive({3, 1}), exponent({4})}),
            opinfo::make<ops::pow_tensor>("0-dim ** [3]", {}, {m.positive({}), exponent({3})}),
            opinfo::make<ops::pow_tensor>("[0] ** [1]", {}, {m({0}), exponent({1})})};
  }
};

template <>
struct samples<ops::pow_tensor_scalar> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    std::vector<sample> out = with_scalar<ops::pow_tensor_scalar>(
        d, [](Scalar s) { return ops::pow_tensor_scalar::attributes{s}; }, scalar_of(d, 2.0, 2));
    if (xport::is_floating_point(d)) {
      maker m(d);
      out.push_back(opinfo::make<ops::pow_tensor_scalar>("** 0.5", {0.5}, {m.positive({5})}));
    }
    return out;
  }
};

template <>
struct samples<ops::pow_scalar> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    Scalar const base = scalar_of(d, 1.5, 2);
    auto exponent = [&](sizes const& s) {
      return xport::is_floating_point(d) ? m(s) : small_exponent(m, s, d);
    };
    return {opinfo::make<ops::pow_scalar>("scalar ** [3, 4]", {base}, {exponent({3, 4})}),
            opinfo::make<ops::pow_scalar>("scalar ** 0-dim", {base}, {exponent({})}),
            opinfo::make<ops::pow_scalar>("scalar ** [0]", {base}, {exponent({0})})};
  }
};

template <>
struct samples<ops::remainder> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    auto divisor = [&](sizes const& s) {
      return xport::is_floating_point(d) ? m.shifted(m.positive(s), -1.5) : m.divisor(s);
    };
    return {opinfo::make<ops::remainder>("[3, 4] % [3, 4]", {}, {m({3, 4}), divisor({3, 4})}),
            opinfo::make<ops::remainder>("broadcast [3, 1] % [4]", {}, {m({3, 1}), divisor({4})}),
            opinfo::make<ops::remainder>("strided % 0-dim", {}, {m.strided({3, 2}), divisor({})}),
            opinfo::make<ops::remainder>("[0] % [1]", {}, {m({0}), divisor({1})})};
  }
};

template <>
struct samples<ops::remainder_scalar> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    return with_scalar<ops::remainder_scalar>(
        d, [](Scalar s) { return ops::remainder_scalar::attributes{s}; }, scalar_of(d, -1.5, -3));
  }
};

template <>
struct samples<ops::remainder_scalar_tensor> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    Tensor const divisor = m.divisor({3, 4});
    return {opinfo::make<ops::remainder_scalar_tensor>("scalar % [3, 4]", {scalar_of(d, 7.5, 7)},
                                                       {divisor})};
  }
};

#define XPORT_OPINFO_BINARY(op)                                                                    \
  template <>                                                                                      \
  struct samples<ops::op> {                                                                        \
    static constexpr bool defined = true;                                                          \
    static std::vector<sample> make(dtype d) { return binary<ops::op>(d); }                        \
  };
XPORT_OPINFO_BINARY(maximum)
XPORT_OPINFO_BINARY(minimum)
XPORT_OPINFO_BINARY(eq)
XPORT_OPINFO_BINARY(ne)
XPORT_OPINFO_BINARY(lt)
XPORT_OPINFO_BINARY(le)
XPORT_OPINFO_BINARY(gt)
XPORT_OPINFO_BINARY(ge)
XPORT_OPINFO_BINARY(logical_and)
XPORT_OPINFO_BINARY(logical_or)
XPORT_OPINFO_BINARY(logical_xor)
XPORT_OPINFO_BINARY(bitwise_and)
XPORT_OPINFO_BINARY(bitwise_or)
XPORT_OPINFO_BINARY(bitwise_xor)
#undef XPORT_OPINFO_BINARY

#define XPORT_OPINFO_COMPARE_SCALAR(op)                                                            \
  template <>                                                                                      \
  struct samples<ops::op> {                                                                        \
    static constexpr bool defined = true;                                                          \
    static std::vector<sample> make(dtype d) {                                                     \
      return with_scalar<ops::op>(                                                                 \
          d, [](Scalar s) { return ops::op::attributes{s}; }, scalar_of(d, 0.25, 1));              \
    }                                                                                              \
  };
XPORT_OPINFO_COMPARE_SCALAR(eq_scalar)
XPORT_OPINFO_COMPARE_SCALAR(ne_scalar)
XPORT_OPINFO_COMPARE_SCALAR(lt_scalar)
XPORT_OPINFO_COMPARE_SCALAR(le_scalar)
XPORT_OPINFO_COMPARE_SCALAR(gt_scalar)
XPORT_OPINFO_COMPARE_SCALAR(ge_scalar)
#undef XPORT_OPINFO_COMPARE_SCALAR

// ---- where, masked_fill, clamp ----------------------------------------------------------

template <>
struct samples<ops::where> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {
        opinfo::make<ops::where>("[3, 4]", {}, {m.mask({3, 4}), m({3, 4}), m({3, 4})}),
        opinfo::make<ops::where>("broadcast", {}, {m.mask({3, 1}), m({4}), m({})}),
        opinfo::make<ops::where>("[0, 2]", {}, {m.mask({0, 2}), m({0, 2}), m({1})}),
        opinfo::make<ops::where>("strided", {}, {m.mask({3, 2}), m.strided({3, 2}), m({3, 2})})};
  }
};

template <>
struct samples<ops::masked_fill> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    Scalar const v = scalar_of(d, 1.5, 7);
    return {opinfo::make<ops::masked_fill>("[3, 4]", {v}, {m({3, 4}), m.mask({3, 4})}),
            opinfo::make<ops::masked_fill>("mask broadcast", {v}, {m({3, 4}), m.mask({4})}),
            opinfo::make<ops::masked_fill>("0-dim", {v}, {m({}), m.mask({})}),
            opinfo::make<ops::masked_fill>("strided", {v}, {m.strided({3, 2}), m.mask({3, 2})})};
  }
};

template <>
struct samples<ops::masked_fill_tensor> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::masked_fill_tensor>("[3, 4]", {}, {m({3, 4}), m.mask({3, 4}), m({})}),
            opinfo::make<ops::masked_fill_tensor>("[0]", {}, {m({0}), m.mask({0}), m({})})};
  }
};

template <>
struct samples<ops::clamp> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    Scalar const lo = scalar_of(d, -1.25, -2), hi = scalar_of(d, 1.5, 3);
    return {opinfo::make<ops::clamp>("[3, 4] both", {lo, hi}, {m({3, 4})}),
            opinfo::make<ops::clamp>("min only", {lo, std::nullopt}, {m({3, 4})}),
            opinfo::make<ops::clamp>("max only, strided", {std::nullopt, hi}, {m.strided({3, 2})}),
            opinfo::make<ops::clamp>("0-dim", {lo, hi}, {m({})}),
            opinfo::make<ops::clamp>("[0]", {lo, hi}, {m({0})})};
  }
};

template <>
struct samples<ops::clamp_tensor> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::clamp_tensor>(
                "[3, 4] both", {}, {m({3, 4}), m.shifted(m({3, 4}), -1), m.shifted(m({4}), 1)}),
            opinfo::make<ops::clamp_tensor>("min only", {}, {m({3, 4}), m({1}), Tensor()}),
            opinfo::make<ops::clamp_tensor>("max only, strided", {},
                                            {m.strided({3, 2}), Tensor(), m({2})})};
  }
};

// ---- fill, zero, copy and the in-place forms -------------------------------------------

template <>
struct samples<ops::fill> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) { return unary<ops::fill>(d, {scalar_of(d, 2.5, 4)}); }
};

template <>
struct samples<ops::fill_tensor> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::fill_tensor>("[3, 4]", {}, {m({3, 4}), m({})}),
            opinfo::make<ops::fill_tensor>("strided", {}, {m.strided({2, 3}), m({})})};
  }
};

template <>
struct samples<ops::zero> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) { return unary<ops::zero>(d); }
};

template <>
struct samples<ops::copy> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::copy>("[3, 4]", {false}, {m({3, 4}), m({3, 4})}),
            opinfo::make<ops::copy>("broadcast", {false}, {m({3, 4}), m({4})}),
            opinfo::make<ops::copy>("strided", {false}, {m.strided({3, 2}), m({3, 2})}),
            opinfo::make<ops::copy>("from float32", {false},
                                    {m({2, 2}), m.values({2, 2}, dtype::float32)})};
  }
};

template <>
struct samples<ops::add_> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::add_>("[3, 4] += [3, 4]", {std::nullopt, 1}, {m({3, 4}), m({3, 4})}),
            opinfo::make<ops::add_>("strided += broadcast", {std::nullopt, 1},
                                    {m.strided({3, 2}), m({2})}),
            opinfo::make<ops::add_>("+= scalar", {scalar_of(d, 1.5, 2), 1}, {m({4})})};
  }
};

template <>
struct samples<ops::mul_> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::mul_>("[3, 4] *= [3, 4]", {std::nullopt}, {m({3, 4}), m({3, 4})}),
            opinfo::make<ops::mul_>("strided *= 0-dim", {std::nullopt}, {m.strided({3, 2}), m({})}),
            opinfo::make<ops::mul_>("*= scalar", {scalar_of(d, -1.5, 3)}, {m({4})})};
  }
};

template <>
struct samples<ops::fill_> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) { return unary<ops::fill_>(d, {scalar_of(d, -0.5, 3)}); }
};

template <>
struct samples<ops::fill_tensor_> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::fill_tensor_>("[3, 4]", {}, {m({3, 4}), m({})})};
  }
};

template <>
struct samples<ops::zero_> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) { return unary<ops::zero_>(d); }
};

template <>
struct samples<ops::copy_> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::copy_>("[3, 4]", {false}, {m({3, 4}), m({3, 4})}),
            opinfo::make<ops::copy_>("strided <- broadcast", {false}, {m.strided({3, 2}), m({2})}),
            opinfo::make<ops::copy_>("from int64", {false},
                                     {m({2, 2}), m.values({2, 2}, dtype::int64)})};
  }
};

static_assert(covers<ops::elementwise_ops>, "every elementwise op has OpInfo samples");

TEST_CASE("opinfo: elementwise ops, every dtype and sample") {
  sweep<ops::elementwise_ops>("elementwise");
}

} // namespace opinfo
