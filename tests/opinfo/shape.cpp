// OpInfo samples of the shape ops (ops/shape.hpp, ops/shape_join.hpp): views, reshapes,
// slicing, concatenation, splitting, repeat, flip, pad and tril/triu; and their sweep.
#include "opinfo/opinfo.hpp"

#include <xport/ops/shape_join.hpp>

#include <doctest/doctest.h>

#include <climits>

namespace opinfo {
namespace {
namespace ops = xport::ops;
using xport::SymInt;
using syms = std::vector<SymInt>;
using ints = std::vector<std::int64_t>;
} // namespace

template <>
struct samples<ops::view> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {
        opinfo::make<ops::view>("[3, 4] -> [2, 6]", {syms{2, 6}}, {m({3, 4})}),
        opinfo::make<ops::view>("-1", {syms{-1, 2}}, {m({2, 3, 2})}),
        opinfo::make<ops::view>("0-dim -> [1]", {syms{1}}, {m({})}),
        opinfo::make<ops::view>("[0, 3] -> [3, 0]", {syms{3, 0}}, {m({0, 3})}),
        opinfo::make<ops::view>("strided, splitting a dim", {syms{2, 2, 3}}, {m.strided({4, 3})})};
  }
};

template <>
struct samples<ops::reshape> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::reshape>("[3, 4] -> [4, 3]", {syms{4, 3}}, {m({3, 4})}),
            opinfo::make<ops::reshape>("strided (copies)", {syms{-1}}, {m.strided({3, 2})}),
            opinfo::make<ops::reshape>("0-dim", {syms{}}, {m({1})})};
  }
};

template <>
struct samples<ops::flatten> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::flatten>("all", {0, -1}, {m({2, 3, 2})}),
            opinfo::make<ops::flatten>("middle, strided", {1, 2}, {m.strided({2, 3, 2})}),
            opinfo::make<ops::flatten>("0-dim", {0, -1}, {m({})})};
  }
};

template <>
struct samples<ops::unflatten> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    std::vector<sample> out = {
        opinfo::make<ops::unflatten>("[6, 2] dim 0 -> 2, 3", {0, syms{2, 3}}, {m({6, 2})}),
        opinfo::make<ops::unflatten>("-1", {-1, syms{-1, 2}}, {m({2, 4})})};
    // The unflattened dim divides by 2: a static size.
    out.back().static_inputs = {0};
    return out;
  }
};

template <>
struct samples<ops::squeeze> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::squeeze>("every 1", {}, {m({1, 3, 1, 2})}),
            opinfo::make<ops::squeeze>("0-dim", {}, {m({})})};
  }
};

template <>
struct samples<ops::squeeze_dims> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::squeeze_dims>("dims 0, 2", {ints{0, 2}}, {m({1, 3, 1, 2})}),
            opinfo::make<ops::squeeze_dims>("a dim that is not 1", {ints{1}}, {m({1, 3})})};
  }
};

template <>
struct samples<ops::unsqueeze> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::unsqueeze>("dim 1", {1}, {m({3, 4})}),
            opinfo::make<ops::unsqueeze>("dim -1, strided", {-1}, {m.strided({3, 2})}),
            opinfo::make<ops::unsqueeze>("0-dim", {0}, {m({})})};
  }
};

template <>
struct samples<ops::permute> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {
        opinfo::make<ops::permute>("(2, 0, 1)", {ints{2, 0, 1}}, {m({2, 3, 4})}),
        opinfo::make<ops::permute>("negative dims, strided", {ints{-1, 0}}, {m.strided({3, 2})}),
        opinfo::make<ops::permute>("0-dim", {ints{}}, {m({})})};
  }
};

template <>
struct samples<ops::transpose> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::transpose>("(0, 2)", {0, 2}, {m({2, 3, 4})}),
            opinfo::make<ops::transpose>("(-1, 0), strided", {-1, 0}, {m.strided({3, 2})})};
  }
};

template <>
struct samples<ops::t> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::t>("[3, 4]", {}, {m({3, 4})}),
            opinfo::make<ops::t>("[3]", {}, {m({3})}), opinfo::make<ops::t>("0-dim", {}, {m({})})};
  }
};

template <>
struct samples<ops::expand> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::expand>("[3, 1] -> [3, 4]", {syms{3, 4}}, {m({3, 1})}),
            opinfo::make<ops::expand>("new leading dims, -1", {syms{2, -1, 2}}, {m({3, 1})}),
            opinfo::make<ops::expand>("0-dim -> [2]", {syms{2}}, {m({})})};
  }
};

template <>
struct samples<ops::contiguous> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::contiguous>("strided", {}, {m.strided({3, 2})}),
            opinfo::make<ops::contiguous>("already", {}, {m({2, 2})})};
  }
};

template <>
struct samples<ops::slice> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::slice>("[1:3]", {0, 1, 3, 1}, {m({4, 3})}),
            opinfo::make<ops::slice>("[::2] of dim 1", {1, 0, INT64_MAX, 2}, {m({2, 5})}),
            opinfo::make<ops::slice>("negative bounds", {0, -3, -1, 1}, {m({5})}),
            opinfo::make<ops::slice>("out of range, empty", {0, 7, 9, 1}, {m({5})}),
            opinfo::make<ops::slice>("strided input", {0, 1, INT64_MAX, 1}, {m.strided({3, 2})})};
  }
};

template <>
struct samples<ops::select> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::select>("dim 0, index 1", {0, 1}, {m({3, 4})}),
            opinfo::make<ops::select>("dim -1, index -1", {-1, -1}, {m.strided({3, 2})})};
  }
};

template <>
struct samples<ops::narrow> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::narrow>("dim 1, 1 + 2", {1, 1, 2}, {m({3, 4})}),
            opinfo::make<ops::narrow>("length 0", {0, 2, 0}, {m({3, 4})})};
  }
};

template <>
struct samples<ops::cat> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::cat>("dim 0", {0}, {m({2, 3}), m({1, 3}), m.strided({2, 3})}),
            opinfo::make<ops::cat>("dim -1", {-1}, {m({2, 1}), m({2, 3})}),
            opinfo::make<ops::cat>("with an empty part", {0}, {m({0, 3}), m({2, 3})})};
  }
};

template <>
struct samples<ops::stack> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::stack>("dim 0", {0}, {m({2, 3}), m.strided({2, 3})}),
            opinfo::make<ops::stack>("dim -1", {-1}, {m({3}), m({3}), m({3})}),
            opinfo::make<ops::stack>("0-dim parts", {0}, {m({}), m({})})};
  }
};

template <>
struct samples<ops::split> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    // As many outputs as the size says: the split tensor's sizes are static.
    std::vector<sample> out = {
        opinfo::make<ops::split>("size 2 of 5", {2, 0}, {m({5, 2})}),
        opinfo::make<ops::split>("size 3 of dim 1, strided", {3, 1}, {m.strided({2, 3})})};
    for (sample& s : out)
      s.static_inputs = {0};
    return out;
  }
};

template <>
struct samples<ops::split_with_sizes> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::split_with_sizes>("1, 3, 0", {syms{1, 3, 0}, 0}, {m({4, 2})}),
            opinfo::make<ops::split_with_sizes>("dim -1", {syms{2, 1}, -1}, {m.strided({2, 3})})};
  }
};

template <>
struct samples<ops::chunk> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    // As many outputs as the size says: the chunked tensor's sizes are static.
    std::vector<sample> out = {opinfo::make<ops::chunk>("3 of 7", {3, 0}, {m({7, 2})}),
                               opinfo::make<ops::chunk>("2 of dim 1", {2, 1}, {m({2, 4})})};
    for (sample& s : out)
      s.static_inputs = {0};
    return out;
  }
};

template <>
struct samples<ops::repeat> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {
        opinfo::make<ops::repeat>("(2, 1)", {syms{2, 1}}, {m({2, 3})}),
        opinfo::make<ops::repeat>("new leading dim, strided", {syms{2, 1, 2}}, {m.strided({2, 2})}),
        opinfo::make<ops::repeat>("0-dim", {syms{3}}, {m({})})};
  }
};

template <>
struct samples<ops::flip> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::flip>("dims 0, 1", {ints{0, 1}}, {m({2, 3})}),
            opinfo::make<ops::flip>("dim -1, strided", {ints{-1}}, {m.strided({3, 2})})};
  }
};

template <>
struct samples<ops::pad> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    std::vector<sample> out = {
        opinfo::make<ops::pad>("constant (1, 2)", {syms{1, 2}, "constant", 0.0}, {m({2, 3})}),
        opinfo::make<ops::pad>("constant crop (-1, 1, 1, 0)",
                               {syms{-1, 1, 1, 0}, "constant", std::nullopt}, {m({2, 3})})};
    if (d != dtype::bool_) {
      out.push_back(
          opinfo::make<ops::pad>("reflect", {syms{2, 1}, "reflect", std::nullopt}, {m({1, 2, 4})}));
      out.push_back(opinfo::make<ops::pad>(
          "replicate", {syms{1, 1, 2, 0}, "replicate", std::nullopt}, {m({1, 2, 3})}));
      out.push_back(opinfo::make<ops::pad>("circular", {syms{1, 2}, "circular", std::nullopt},
                                           {m({1, 1, 3})}));
    }
    return out;
  }
};

template <>
struct samples<ops::tril> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::tril>("main", {0}, {m({3, 4})}),
            opinfo::make<ops::tril>("-1, batched", {-1}, {m({2, 3, 3})})};
  }
};

template <>
struct samples<ops::triu> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::triu>("main", {0}, {m({3, 4})}),
            opinfo::make<ops::triu>("1, strided", {1}, {m.strided({3, 3})})};
  }
};

template <>
struct samples<ops::slice_scatter> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::slice_scatter>("[1:3]", {0, 1, 3, 1}, {m({4, 3}), m({2, 3})}),
            opinfo::make<ops::slice_scatter>("[::2] of dim 1, strided", {1, 0, INT64_MAX, 2},
                                             {m.strided({3, 4}), m.strided({3, 2})}),
            opinfo::make<ops::slice_scatter>("negative bounds", {0, -3, -1, 1}, {m({5}), m({2})}),
            opinfo::make<ops::slice_scatter>("empty slice", {0, 7, 9, 1}, {m({5}), m({0})})};
  }
};

template <>
struct samples<ops::select_scatter> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::select_scatter>("dim 0, index 1", {0, 1}, {m({3, 4}), m({4})}),
            opinfo::make<ops::select_scatter>("dim -1, index -1, strided", {-1, -1},
                                              {m.strided({3, 2}), m({3})}),
            opinfo::make<ops::select_scatter>("0-dim source", {0, 2}, {m({3}), m({})})};
  }
};

static_assert(covers<ops::shape_ops>, "every shape op has OpInfo samples");

TEST_CASE("opinfo: shape ops, every dtype and sample") {
  sweep<ops::shape_ops>("shape");
}

} // namespace opinfo
