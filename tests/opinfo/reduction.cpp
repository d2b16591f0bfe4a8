// OpInfo samples of the reductions (ops/reduction.hpp, ops/reduction_stats.hpp): sums,
// products, extrema, logical reductions, variance, logsumexp, cumsum and softmax; and
// the family's sweep.
#include "opinfo/opinfo.hpp"

#include <xport/ops/reduction.hpp>

#include <doctest/doctest.h>

namespace opinfo {
namespace {

namespace ops = xport::ops;
using dims = std::optional<std::vector<std::int64_t>>;
using ints = std::vector<std::int64_t>; // as in layers.cpp and shape.cpp (one unity file)

// Reductions over a dim list: one dim, several, none (every dim), keepdim, a negative
// dim, a 0-dim input, an empty reduced dim (when `empty_ok`) and a strided input.
template <class Op, class Attributes>
std::vector<sample> over_dims(dtype d, Attributes (*with)(dims, bool), bool empty_ok = true) {
  maker m(d);
  std::vector<sample> out = {
      make<Op>("[3, 4] dim=1", with(std::vector<std::int64_t>{1}, false), {m({3, 4})}),
      make<Op>("[2, 3, 4] dims=0,2 keepdim", with(std::vector<std::int64_t>{0, 2}, true),
               {m({2, 3, 4})}),
      make<Op>("[3, 4] every dim", with(std::nullopt, false), {m({3, 4})}),
      make<Op>("[3, 4] dim=-1 keepdim", with(std::vector<std::int64_t>{-1}, true), {m({3, 4})}),
      make<Op>("0-dim", with(std::nullopt, false), {m({})}),
      make<Op>("strided [3, 2] dim=0", with(std::vector<std::int64_t>{0}, false),
               {m.strided({3, 2})})};
  if (empty_ok)
    out.push_back(make<Op>("[0, 3] dim=0", with(std::vector<std::int64_t>{0}, false), {m({0, 3})}));
  return out;
}

// Reductions over one dim (with keepdim): max.dim, prod.dim_int, ...
template <class Op>
std::vector<sample> over_one_dim(dtype d, typename Op::attributes (*with)(std::int64_t, bool)) {
  maker m(d);
  return {make<Op>("[3, 4] dim=1", with(1, false), {m({3, 4})}),
          make<Op>("[2, 3, 4] dim=0 keepdim", with(0, true), {m({2, 3, 4})}),
          make<Op>("[3, 4] dim=-1", with(-1, false), {m({3, 4})}),
          make<Op>("strided [3, 2] dim=0", with(0, false), {m.strided({3, 2})}),
          make<Op>("0-dim dim=0", with(0, false), {m({})})};
}

// Ops on the whole tensor (max, min, any, all, prod).
template <class Op>
std::vector<sample> whole(dtype d, typename Op::attributes a = {}, bool empty_ok = true) {
  maker m(d);
  std::vector<sample> out = {make<Op>("[3, 4]", a, {m({3, 4})}), make<Op>("0-dim", a, {m({})}),
                             make<Op>("strided [3, 2]", a, {m.strided({3, 2})})};
  if (empty_ok) out.push_back(make<Op>("[0, 3]", a, {m({0, 3})}));
  return out;
}

} // namespace

template <>
struct samples<ops::sum> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    std::vector<sample> out = over_dims<ops::sum>(
        d, +[](dims x, bool k) {
          return ops::sum::attributes{x, k, std::nullopt};
        });
    maker m(d);
    out.push_back(opinfo::make<ops::sum>(
        "dtype=float64", {std::vector<std::int64_t>{0}, false, dtype::float64}, {m({3, 2})}));
    return out;
  }
};

template <>
struct samples<ops::mean> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    return over_dims<ops::mean>(
        d, +[](dims x, bool k) {
          return ops::mean::attributes{x, k, std::nullopt};
        });
  }
};

template <>
struct samples<ops::prod> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) { return whole<ops::prod>(d, {std::nullopt}); }
};

template <>
struct samples<ops::prod_dim> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    return over_one_dim<ops::prod_dim>(
        d, +[](std::int64_t x, bool k) {
          return ops::prod_dim::attributes{x, k, std::nullopt};
        });
  }
};

template <>
struct samples<ops::amax> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    return over_dims<ops::amax>(
        d,
        +[](dims x, bool k) {
          return ops::amax::attributes{x.value_or(std::vector<std::int64_t>{}), k};
        },
        false);
  }
};

template <>
struct samples<ops::amin> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    return over_dims<ops::amin>(
        d,
        +[](dims x, bool k) {
          return ops::amin::attributes{x.value_or(std::vector<std::int64_t>{}), k};
        },
        false);
  }
};

template <>
struct samples<ops::max> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) { return whole<ops::max>(d, {}, false); }
};

template <>
struct samples<ops::min> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) { return whole<ops::min>(d, {}, false); }
};

template <>
struct samples<ops::max_dim> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    return over_one_dim<ops::max_dim>(
        d, +[](std::int64_t x, bool k) {
          return ops::max_dim::attributes{x, k};
        });
  }
};

template <>
struct samples<ops::min_dim> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    return over_one_dim<ops::min_dim>(
        d, +[](std::int64_t x, bool k) {
          return ops::min_dim::attributes{x, k};
        });
  }
};

template <>
struct samples<ops::argmax> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    std::vector<sample> out = over_one_dim<ops::argmax>(
        d, +[](std::int64_t x, bool k) {
          return ops::argmax::attributes{x, k};
        });
    maker m(d);
    out.push_back(opinfo::make<ops::argmax>("flattened", {std::nullopt, false}, {m({3, 4})}));
    return out;
  }
};

template <>
struct samples<ops::argmin> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    std::vector<sample> out = over_one_dim<ops::argmin>(
        d, +[](std::int64_t x, bool k) {
          return ops::argmin::attributes{x, k};
        });
    maker m(d);
    out.push_back(
        opinfo::make<ops::argmin>("flattened keepdim", {std::nullopt, true}, {m({3, 4})}));
    return out;
  }
};

template <>
struct samples<ops::any> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) { return whole<ops::any>(d); }
};

template <>
struct samples<ops::all> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) { return whole<ops::all>(d); }
};

template <>
struct samples<ops::any_dims> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    return over_dims<ops::any_dims>(
        d, +[](dims x, bool k) {
          return ops::any_dims::attributes{x, k};
        });
  }
};

template <>
struct samples<ops::all_dims> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    return over_dims<ops::all_dims>(
        d, +[](dims x, bool k) {
          return ops::all_dims::attributes{x, k};
        });
  }
};

#define XPORT_OPINFO_VARIANCE(op)                                                                  \
  template <>                                                                                      \
  struct samples<ops::op> {                                                                        \
    static constexpr bool defined = true;                                                          \
    static std::vector<sample> make(dtype d) {                                                     \
      std::vector<sample> out = over_dims<ops::op>(                                                \
          d, +[](dims x, bool k) {                                                                 \
            return ops::op::attributes{x, std::nullopt, k};                                        \
          });                                                                                      \
      maker m(d);                                                                                  \
      out.push_back(opinfo::make<ops::op>("correction=0",                                          \
                                          {std::vector<std::int64_t>{1}, 0, false}, {m({3, 4})})); \
      return out;                                                                                  \
    }                                                                                              \
  };
XPORT_OPINFO_VARIANCE(var)
XPORT_OPINFO_VARIANCE(std_dev)
XPORT_OPINFO_VARIANCE(var_mean)
#undef XPORT_OPINFO_VARIANCE

template <>
struct samples<ops::logsumexp> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    // An empty dim list (xport: every dim) trips a PyTorch bug ("output with shape []
    // doesn't match the broadcast shape [1, 1]"): every dim is listed here instead.
    maker m(d);
    return {opinfo::make<ops::logsumexp>("[3, 4] dim=1", {ints{1}, false}, {m({3, 4})}),
            opinfo::make<ops::logsumexp>("[2, 3, 4] dims=0,2 keepdim", {ints{0, 2}, true},
                                         {m({2, 3, 4})}),
            opinfo::make<ops::logsumexp>("[3, 4] dims 0, 1", {ints{0, 1}, false}, {m({3, 4})}),
            opinfo::make<ops::logsumexp>("0-dim", {ints{0}, false}, {m({})}),
            opinfo::make<ops::logsumexp>("strided dim=0", {ints{0}, false}, {m.strided({3, 2})}),
            opinfo::make<ops::logsumexp>("[0, 3] dim=0", {ints{0}, false}, {m({0, 3})})};
  }
};

template <>
struct samples<ops::cumsum> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::cumsum>("[3, 4] dim=1", {1, std::nullopt}, {m({3, 4})}),
            opinfo::make<ops::cumsum>("[3, 4] dim=-2", {-2, std::nullopt}, {m({3, 4})}),
            opinfo::make<ops::cumsum>("strided dim=0", {0, std::nullopt}, {m.strided({3, 2})}),
            opinfo::make<ops::cumsum>("0-dim", {0, std::nullopt}, {m({})}),
            opinfo::make<ops::cumsum>("[0] dim=0", {0, std::nullopt}, {m({0})}),
            opinfo::make<ops::cumsum>("dtype=float64", {0, dtype::float64}, {m({4})})};
  }
};

#define XPORT_OPINFO_SOFTMAX(op, extra)                                                            \
  template <>                                                                                      \
  struct samples<ops::op> {                                                                        \
    static constexpr bool defined = true;                                                          \
    static std::vector<sample> make(dtype d) {                                                     \
      maker m(d);                                                                                  \
      return {opinfo::make<ops::op>("[3, 4] dim=1", {1, extra}, {m({3, 4})}),                      \
              opinfo::make<ops::op>("[2, 3, 4] dim=0", {0, extra}, {m({2, 3, 4})}),                \
              opinfo::make<ops::op>("strided dim=-1", {-1, extra}, {m.strided({3, 2})}),           \
              opinfo::make<ops::op>("0-dim", {0, extra}, {m({})}),                                 \
              opinfo::make<ops::op>("[0, 3] dim=1", {1, extra}, {m({0, 3})})};                     \
    }                                                                                              \
  };
XPORT_OPINFO_SOFTMAX(softmax, std::nullopt)
XPORT_OPINFO_SOFTMAX(log_softmax, std::nullopt)
XPORT_OPINFO_SOFTMAX(_softmax, false)
XPORT_OPINFO_SOFTMAX(_log_softmax, false)
#undef XPORT_OPINFO_SOFTMAX

static_assert(covers<ops::reduction_ops>, "every reduction has OpInfo samples");

TEST_CASE("opinfo: reductions, every dtype and sample") {
  sweep<ops::reduction_ops>("reduction");
}

} // namespace opinfo
