// OpInfo samples of the tensor factories and copies (ops/creation.hpp); and their sweep.
#include "opinfo/opinfo.hpp"

#include <xport/ops/creation.hpp>

#include <doctest/doctest.h>

namespace opinfo {
namespace {
namespace ops = xport::ops;
using xport::Scalar;
using xport::SymInt;
using syms = std::vector<SymInt>;

// Factories of `size` in dtype `d`: a matrix, a 0-dim tensor and an empty one.
template <class Op>
std::vector<sample> sized(dtype d) {
  std::vector<sample> out;
  for (auto const& [label, size] : {std::pair{"[2, 3]", syms{2, 3}}, std::pair{"0-dim", syms{}},
                                    std::pair{"[0, 2]", syms{0, 2}}})
    out.push_back(opinfo::make<Op>(label, {size, d, "cpu"}, {}));
  return out;
}

// `*_like` ops: the input's dtype, or another one given.
template <class Op>
std::vector<sample> like(dtype d, typename Op::attributes same, typename Op::attributes other) {
  maker m(d);
  return {opinfo::make<Op>("[2, 3]", same, {m({2, 3})}),
          opinfo::make<Op>("strided, another dtype", other, {m.strided({3, 2})}),
          opinfo::make<Op>("0-dim", same, {m({})})};
}
} // namespace

template <>
struct samples<ops::zeros> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) { return sized<ops::zeros>(d); }
};

template <>
struct samples<ops::ones> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) { return sized<ops::ones>(d); }
};

template <>
struct samples<ops::empty> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    std::vector<sample> out = sized<ops::empty>(d);
    for (sample& s : out)
      s.values = false; // uninitialized
    return out;
  }
};

template <>
struct samples<ops::full> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    Scalar const v = scalar_of(d, 2.5, 3);
    return {opinfo::make<ops::full>("[2, 3]", {syms{2, 3}, v, d, "cpu"}, {}),
            opinfo::make<ops::full>("0-dim", {syms{}, v, d, "cpu"}, {})};
  }
};

template <>
struct samples<ops::arange> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    return {opinfo::make<ops::arange>("0 .. 5", {0, 5, 1, d, "cpu"}, {}),
            opinfo::make<ops::arange>("1 .. 8 step 3", {1, 8, 3, d, "cpu"}, {}),
            opinfo::make<ops::arange>("5 .. -1 step -2", {5, -1, -2, d, "cpu"}, {}),
            opinfo::make<ops::arange>("empty", {2, 2, 1, d, "cpu"}, {})};
  }
};

template <>
struct samples<ops::zeros_like> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    return like<ops::zeros_like>(d, {std::nullopt, std::nullopt}, {dtype::int64, std::nullopt});
  }
};

template <>
struct samples<ops::ones_like> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    return like<ops::ones_like>(d, {std::nullopt, std::nullopt}, {dtype::float64, "cpu"});
  }
};

template <>
struct samples<ops::empty_like> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    std::vector<sample> out =
        like<ops::empty_like>(d, {std::nullopt, std::nullopt}, {dtype::bool_, std::nullopt});
    for (sample& s : out)
      s.values = false; // uninitialized
    return out;
  }
};

template <>
struct samples<ops::full_like> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    return like<ops::full_like>(d, {scalar_of(d, -1.5, 2), std::nullopt, std::nullopt},
                                {Scalar(3), dtype::int32, std::nullopt});
  }
};

template <>
struct samples<ops::scalar_tensor> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    return {opinfo::make<ops::scalar_tensor>("value", {scalar_of(d, 0.75, 4), d, "cpu"}, {})};
  }
};

template <>
struct samples<ops::to_copy> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::to_copy>("to float32", {dtype::float32}, {m({2, 3})}),
            opinfo::make<ops::to_copy>("to int64, strided", {dtype::int64}, {m.strided({3, 2})}),
            opinfo::make<ops::to_copy>("to bool", {dtype::bool_}, {m({4})}),
            opinfo::make<ops::to_copy>("same dtype, 0-dim", {std::nullopt}, {m({})})};
  }
};

template <>
struct samples<ops::clone> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::clone>("[2, 3]", {}, {m({2, 3})}),
            opinfo::make<ops::clone>("strided", {}, {m.strided({3, 2})}),
            opinfo::make<ops::clone>("[0]", {}, {m({0})})};
  }
};

static_assert(covers<ops::creation_ops>, "every factory has OpInfo samples");

TEST_CASE("opinfo: factories and copies, every dtype and sample") {
  sweep<ops::creation_ops>("creation");
}

} // namespace opinfo
