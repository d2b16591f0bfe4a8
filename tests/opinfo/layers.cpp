// OpInfo samples of the layer ops: matrix products (ops/linalg.hpp), convolution
// (ops/conv.hpp), pooling (ops/pool.hpp), normalization (ops/norm.hpp), embedding,
// dropout and attention; and their sweep.
#include "opinfo/opinfo.hpp"

#include <xport/ops/attention.hpp>
#include <xport/ops/conv.hpp>
#include <xport/ops/dropout.hpp>
#include <xport/ops/embedding.hpp>
#include <xport/ops/linalg.hpp>
#include <xport/ops/norm.hpp>
#include <xport/ops/pool.hpp>

#include <doctest/doctest.h>

namespace opinfo {
namespace {
namespace ops = xport::ops;
using xport::Scalar;
using ints = std::vector<std::int64_t>;

} // namespace

// ---- linear algebra ---------------------------------------------------------------------

template <>
struct samples<ops::mm> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {
        opinfo::make<ops::mm>("[3, 4] @ [4, 2]", {}, {m({3, 4}), m({4, 2})}),
        opinfo::make<ops::mm>("transposed operands", {}, {m.strided({3, 4}), m.strided({4, 2})}),
        opinfo::make<ops::mm>("k = 0", {}, {m({2, 0}), m({0, 3})}),
        opinfo::make<ops::mm>("[0, 2] @ [2, 3]", {}, {m({0, 2}), m({2, 3})})};
  }
};

template <>
struct samples<ops::bmm> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::bmm>("[2, 3, 4] @ [2, 4, 2]", {}, {m({2, 3, 4}), m({2, 4, 2})}),
            opinfo::make<ops::bmm>("strided", {}, {m.strided({2, 3, 4}), m({2, 4, 1})}),
            opinfo::make<ops::bmm>("batch 0", {}, {m({0, 3, 4}), m({0, 4, 2})})};
  }
};

template <>
struct samples<ops::matmul> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::matmul>("vector . vector", {}, {m({4}), m({4})}),
            opinfo::make<ops::matmul>("matrix @ vector", {}, {m({3, 4}), m({4})}),
            opinfo::make<ops::matmul>("vector @ matrix", {}, {m({4}), m({4, 2})}),
            opinfo::make<ops::matmul>("[3, 4] @ [4, 2]", {}, {m({3, 4}), m({4, 2})}),
            opinfo::make<ops::matmul>("broadcast batches", {}, {m({2, 1, 3, 4}), m({3, 4, 2})})};
  }
};

template <>
struct samples<ops::addmm> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::addmm>("bias [2]", {1, 1}, {m({2}), m({3, 4}), m({4, 2})}),
            opinfo::make<ops::addmm>("beta, alpha", {scalar_of(d, 0.5, 2), scalar_of(d, -1.5, 3)},
                                     {m({3, 2}), m({3, 4}), m.strided({4, 2})})};
  }
};

template <>
struct samples<ops::baddbmm> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::baddbmm>("[2, 3, 2] + bmm", {1, 1},
                                       {m({2, 3, 2}), m({2, 3, 4}), m({2, 4, 2})}),
            opinfo::make<ops::baddbmm>("broadcast self, beta, alpha",
                                       {scalar_of(d, 0.5, 2), scalar_of(d, 2.0, 2)},
                                       {m({2}), m({2, 3, 4}), m({2, 4, 2})})};
  }
};

template <>
struct samples<ops::linear> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {
        opinfo::make<ops::linear>("[3, 4] x [2, 4]^T + [2]", {}, {m({3, 4}), m({2, 4}), m({2})}),
        opinfo::make<ops::linear>("no bias, batched", {}, {m({2, 3, 4}), m({2, 4}), Tensor()}),
        opinfo::make<ops::linear>("vector input", {}, {m({4}), m({2, 4}), m({2})})};
  }
};

// ---- convolution ------------------------------------------------------------------------

template <>
struct samples<ops::convolution> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::convolution>("2-d, stride 2, padding 1",
                                           {{2}, {1}, {1}, false, {0}, 1},
                                           {m({1, 2, 5, 5}), m({3, 2, 3, 3}), m({3})}),
            opinfo::make<ops::convolution>("2-d, groups 2, dilation 2, no bias",
                                           {{1}, {0}, {2}, false, {0}, 2},
                                           {m({2, 4, 6, 6}), m({2, 2, 2, 2}), Tensor()}),
            opinfo::make<ops::convolution>("1-d", {{1}, {1}, {1}, false, {0}, 1},
                                           {m({2, 3, 7}), m({4, 3, 3}), m({4})}),
            opinfo::make<ops::convolution>("empty batch", {{1}, {0}, {1}, false, {0}, 1},
                                           {m({0, 2, 4, 4}), m({3, 2, 3, 3}), m({3})})};
  }
};

template <>
struct samples<ops::conv1d> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::conv1d>("stride 2", {{2}, {0}, {1}, 1},
                                      {m({2, 3, 7}), m({4, 3, 3}), m({4})}),
            opinfo::make<ops::conv1d>("unbatched, no bias", {{1}, {1}, {1}, 1},
                                      {m({3, 6}), m({2, 3, 2}), Tensor()})};
  }
};

template <>
struct samples<ops::conv2d> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::conv2d>("padding 1", {{1}, {1}, {1}, 1},
                                      {m({1, 2, 4, 4}), m({3, 2, 3, 3}), m({3})}),
            opinfo::make<ops::conv2d>("strided input, stride (2, 1)", {{2, 1}, {0}, {1}, 1},
                                      {m.strided({2, 1, 5, 4}), m({2, 1, 2, 2}), Tensor()})};
  }
};

template <>
struct samples<ops::conv1d_padding> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    // "same" padding is computed from the kernel's (static) size.
    std::vector<sample> out = {
        opinfo::make<ops::conv1d_padding>("same", {{1}, "same", {1}, 1},
                                          {m({2, 3, 7}), m({4, 3, 3}), m({4})}),
        opinfo::make<ops::conv1d_padding>("valid", {{1}, "valid", {2}, 1},
                                          {m({2, 3, 7}), m({4, 3, 2}), Tensor()})};
    for (sample& s : out)
      s.static_inputs = {1};
    return out;
  }
};

template <>
struct samples<ops::conv2d_padding> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    sample s = opinfo::make<ops::conv2d_padding>("same, even kernel", {{1}, "same", {1}, 1},
                                                 {m({1, 2, 5, 5}), m({3, 2, 2, 2}), m({3})});
    s.static_inputs = {1}; // "same" padding is computed from the kernel's (static) size
    return {s};
  }
};

// ---- pooling ----------------------------------------------------------------------------

template <>
struct samples<ops::max_pool2d> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::max_pool2d>("2x2", {{2}, {}, {0}, {1}, false}, {m({1, 2, 4, 4})}),
            opinfo::make<ops::max_pool2d>("3x3 stride 2 padding 1 ceil", {{3}, {2}, {1}, {1}, true},
                                          {m({2, 1, 5, 5})}),
            opinfo::make<ops::max_pool2d>("unbatched, dilation 2", {{2}, {1}, {0}, {2}, false},
                                          {m.strided({2, 5, 5})})};
  }
};

template <>
struct samples<ops::max_pool2d_with_indices> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    using op = ops::max_pool2d_with_indices;
    return {opinfo::make<op>("2x2", {{2}, {}, {0}, {1}, false}, {m({1, 2, 4, 4})}),
            opinfo::make<op>("3x3 stride 2 padding 1 ceil", {{3}, {2}, {1}, {1}, true},
                             {m({2, 1, 5, 5})}),
            opinfo::make<op>("unbatched, dilation 2", {{2}, {1}, {0}, {2}, false},
                             {m.strided({2, 5, 5})})};
  }
};

template <>
struct samples<ops::avg_pool2d> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::avg_pool2d>("2x2", {{2}, {}, {0}, false, true, std::nullopt},
                                          {m({1, 2, 4, 4})}),
            opinfo::make<ops::avg_pool2d>("3x3 padding 1, pads excluded",
                                          {{3}, {2}, {1}, true, false, std::nullopt},
                                          {m({2, 1, 5, 5})}),
            opinfo::make<ops::avg_pool2d>("divisor 3", {{2}, {2}, {0}, false, true, 3},
                                          {m.strided({2, 4, 4})})};
  }
};

template <>
struct samples<ops::adaptive_avg_pool2d> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    std::vector<sample> out = {
        opinfo::make<ops::adaptive_avg_pool2d>("to 1x1", {{1, 1}}, {m({2, 3, 4, 4})}),
        opinfo::make<ops::adaptive_avg_pool2d>("to 2x3, uneven", {{2, 3}}, {m({1, 2, 5, 7})})};
    // Uneven windows are laid out from the input's (static) size.
    out.back().static_inputs = {0};
    return out;
  }
};

// ---- normalization ----------------------------------------------------------------------

template <>
struct samples<ops::batch_norm_functional> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {
        opinfo::make<ops::batch_norm_functional>(
            "training", {true, 0.1, 1e-5}, {m({4, 3, 2}), m({3}), m({3}), m({3}), m.positive({3})}),
        opinfo::make<ops::batch_norm_functional>(
            "eval", {false, 0.1, 1e-5},
            {m({2, 3, 2, 2}), m({3}), m({3}), m({3}), m.positive({3})})};
  }
};

template <>
struct samples<ops::batch_norm_no_training> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::batch_norm_no_training>(
        "[2, 3, 4]", {0.1, 1e-5}, {m({2, 3, 4}), m({3}), m({3}), m({3}), m.positive({3})})};
  }
};

template <>
struct samples<ops::batch_norm_no_stats> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::batch_norm_no_stats>("[4, 3]", {true, 0.1, 1e-5},
                                                   {m({4, 3}), m({3}), m({3})}),
            opinfo::make<ops::batch_norm_no_stats>("no affine", {true, 0.1, 1e-5},
                                                   {m({2, 2, 3}), Tensor(), Tensor()})};
  }
};

template <>
struct samples<ops::layer_norm> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {
        opinfo::make<ops::layer_norm>("last dim", {{4}, 1e-5, true}, {m({3, 4}), m({4}), m({4})}),
        opinfo::make<ops::layer_norm>("last two dims, no affine", {{3, 4}, 1e-5, true},
                                      {m({2, 3, 4}), Tensor(), Tensor()}),
        opinfo::make<ops::layer_norm>("strided", {{3}, 1e-5, true},
                                      {m.strided({2, 3}), m({3}), Tensor()})};
  }
};

template <>
struct samples<ops::group_norm> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    std::vector<sample> out = {
        opinfo::make<ops::group_norm>("2 groups", {2, 1e-5, true}, {m({2, 4, 3}), m({4}), m({4})}),
        opinfo::make<ops::group_norm>("1 group, no affine", {1, 1e-5, true},
                                      {m({1, 3, 2, 2}), Tensor(), Tensor()})};
    // The channels must divide into the groups: a static channel count.
    for (sample& s : out)
      s.static_inputs = {0, 1, 2};
    return out;
  }
};

// ---- embedding, dropout, attention ------------------------------------------------------

template <>
struct samples<ops::embedding> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    return {opinfo::make<ops::embedding>("[5, 3] by [2, 3]", {-1, false, false},
                                         {m({5, 3}), m.index({2, 3}, 5)}),
            opinfo::make<ops::embedding>("0-dim index", {-1, false, false},
                                         {m({4, 2}), m.index({}, 4)}),
            opinfo::make<ops::embedding>("int32 indices", {0, false, false},
                                         {m.strided({6, 2}), m.index({4}, 6).to(dtype::int32)})};
  }
};

template <>
struct samples<ops::dropout> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    std::vector<sample> out = {opinfo::make<ops::dropout>("eval", {0.5, false, 0}, {m({3, 4})}),
                               opinfo::make<ops::dropout>("p = 0", {0.0, true, 0}, {m({3, 4})})};
    if (xport::is_floating_point(d)) {
      out.push_back(opinfo::make<ops::dropout>("training p = 0.5", {0.5, true, 7}, {m({3, 4})}));
      out.back().values = false;     // a random mask
      out.back().decomposes = false; // no core op draws one
    }
    return out;
  }
};

template <>
struct samples<ops::scaled_dot_product_attention> {
  static constexpr bool defined = true;
  static std::vector<sample> make(dtype d) {
    maker m(d);
    std::vector<sample> out = {opinfo::make<ops::scaled_dot_product_attention>(
                                   "[2, 3, 4]", {0.0, false, std::nullopt, false, 0},
                                   {m({2, 3, 4}), m({2, 5, 4}), m({2, 5, 2}), Tensor()}),
                               opinfo::make<ops::scaled_dot_product_attention>(
                                   "causal, scale", {0.0, true, 0.5, false, 0},
                                   {m({1, 2, 3, 4}), m({1, 2, 3, 4}), m({1, 2, 3, 4}), Tensor()}),
                               opinfo::make<ops::scaled_dot_product_attention>(
                                   "bool mask", {0.0, false, std::nullopt, false, 0},
                                   {m({2, 3, 4}), m({2, 3, 4}), m({2, 3, 4}), m.mask({3, 3})}),
                               opinfo::make<ops::scaled_dot_product_attention>(
                                   "additive mask", {0.0, false, std::nullopt, false, 0},
                                   {m({2, 3, 4}), m({2, 3, 4}), m({2, 3, 4}), m({2, 3, 3})})};
    // The default scale, 1 / sqrt(E), needs the query's last size as a number, and the
    // causal mask the query's and key's lengths.
    for (sample& s : out) {
      auto const& a = s.attributes.get<ops::scaled_dot_product_attention>();
      if (!a.scale || a.is_causal) s.static_inputs = {0, 1};
    }
    return out;
  }
};

using layer_ops = ops::linalg_ops::join<ops::conv_ops>::join<ops::pool_ops>::join<
    ops::norm_ops>::join<ops::embedding_ops>::join<ops::dropout_ops>::join<ops::attention_ops>;
static_assert(covers<layer_ops>, "every layer op has OpInfo samples");

TEST_CASE("opinfo: layer ops, every dtype and sample") {
  sweep<layer_ops>("layers");
}

} // namespace opinfo
