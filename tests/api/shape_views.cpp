#include <xport/api/shape.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>

#include "support/tensors.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace xport;

namespace {
using test::iota;
bool shares_storage(Tensor const& a, Tensor const& b) {
  return a.storage().is_alias_of(b.storage());
}
} // namespace

TEST_CASE("view and reshape share storage where PyTorch views") {
  Tensor x = iota({3, 4});
  Tensor v = xport::view(x, {-1, 6});
  CHECK(v.sizes()[0] == 2);
  CHECK(shares_storage(v, x));
  CHECK(equal(v, from<float>({{0, 1, 2, 3, 4, 5}, {6, 7, 8, 9, 10, 11}})));
  Tensor r = xport::reshape(x, {12});
  CHECK(shares_storage(r, x));
  // A transposed tensor cannot be viewed flat: view refuses, reshape copies.
  Tensor xt = xport::t(x);
  CHECK_THROWS_WITH_AS(xport::view(xt, {12}),
                       doctest::Contains("view size is not compatible with input tensor's size and "
                                         "stride"),
                       shape_error);
  CHECK_THROWS_WITH_AS(xport::view(xt, {12}), doctest::Contains("Use .reshape(...) instead."),
                       shape_error);
  Tensor flat = xport::reshape(xt, {-1});
  CHECK_FALSE(shares_storage(flat, x));
  CHECK(equal(flat, from<float>({0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11})));
  CHECK_THROWS_WITH_AS(xport::view(x, {3, 5}), "shape '[3, 5]' is invalid for input of size 12",
                       shape_error);
  // Zero-size dims: -1 infers against 0 elements when the rest is non-zero.
  Tensor e = empty({0, 4});
  CHECK(xport::view(e, {-1, 2}).size(0) == 0);
  CHECK_THROWS_AS(xport::view(e, {0, -1}), shape_error);
}

TEST_CASE("flatten, unflatten, squeeze and unsqueeze") {
  Tensor x = iota({2, 3, 4}, dtype::int64);
  Tensor f = xport::flatten(x, 1);
  CHECK(f.dim() == 2);
  CHECK(f.size(1) == 12);
  CHECK(shares_storage(f, x));
  CHECK(xport::flatten(from<float>({1.f}).view({})).size(0) == 1);
  Tensor p = xport::flatten(xport::permute(x, {2, 0, 1}), 0, 1); // copies: dims not mergeable
  CHECK_FALSE(shares_storage(p, x));
  CHECK(p.at<std::int64_t>({1, 0}) == 12); // [4, 2, 3] -> [8, 3]: row 1 is x[1, 0, :] strided
  Tensor u = xport::unflatten(f, 1, {3, -1});
  CHECK(equal(u, x));
  CHECK(shares_storage(u, x));
  Tensor s = iota({1, 3, 1});
  CHECK(xport::squeeze(s).dim() == 1);
  CHECK(xport::squeeze(s, 0).dim() == 2);
  CHECK(xport::squeeze(s, 1).dim() == 3);
  CHECK(xport::squeeze(s, {0, 2}).dim() == 1);
  CHECK(shares_storage(xport::squeeze(s), s));
  Tensor un = xport::unsqueeze(s, -1);
  CHECK(un.dim() == 4);
  CHECK(un.size(3) == 1);
  CHECK_THROWS_AS(xport::unsqueeze(s, 5), index_error);
}

TEST_CASE("permute, transpose and t are views with moved strides") {
  Tensor x = iota({2, 3, 4});
  Tensor p = xport::permute(x, {2, 0, 1});
  CHECK(p.size(0) == 4);
  CHECK(p.stride(0) == 1);
  CHECK(shares_storage(p, x));
  CHECK(p.at<float>({3, 1, 2}) == x.at<float>({1, 2, 3}));
  Tensor tr = xport::transpose(x, 0, 2);
  CHECK(tr.at<float>({3, 2, 1}) == x.at<float>({1, 2, 3}));
  CHECK_FALSE(tr.is_contiguous());
  Tensor m = iota({2, 3});
  CHECK(equal(xport::t(m), from<float>({{0, 3}, {1, 4}, {2, 5}})));
  CHECK(xport::t(from<float>({1.f, 2.f})).size(0) == 2);
  CHECK(xport::transpose(from<float>({1.f}).view({}), 0, -1).dim() == 0);
  CHECK_THROWS_AS(xport::t(x), shape_error);
  CHECK_THROWS_AS(xport::permute(x, {0, 1}), index_error);
}

TEST_CASE("expand broadcasts with stride 0; contiguous copies only when needed") {
  Tensor x = from<std::int32_t>({1, 2, 3}).view({3, 1});
  Tensor e = xport::expand(x, {2, -1, 4});
  CHECK(e.size(0) == 2);
  CHECK(e.stride(0) == 0);
  CHECK(e.stride(2) == 0);
  CHECK(shares_storage(e, x));
  CHECK(e.at<std::int32_t>({1, 2, 3}) == 3);
  CHECK_THROWS_WITH_AS(xport::expand(x, {2, 4}),
                       doctest::Contains("must match the existing size (3) at non-singleton "
                                         "dimension 0"),
                       shape_error);
  Tensor c = xport::contiguous(x);
  CHECK(c.is_same(x)); // already contiguous: the input itself, as in PyTorch
  Tensor ec = xport::contiguous(e);
  CHECK(ec.is_contiguous());
  CHECK_FALSE(shares_storage(ec, x));
  CHECK(equal(ec, e));
}

TEST_CASE("slice clamps like Python and shares storage") {
  Tensor x = iota({5, 2});
  Tensor s = xport::slice(x, 0, 1, 4, 2);
  CHECK(shares_storage(s, x));
  CHECK(equal(s, from<float>({{2, 3}, {6, 7}})));
  CHECK(xport::slice(x, 0, -2).size(0) == 2);
  CHECK(xport::slice(x, 0, -100, 100).size(0) == 5);
  CHECK(xport::slice(x, 0, 4, 1).size(0) == 0);
  CHECK(xport::slice(x, 1, 1).size(1) == 1);
  CHECK(xport::slice(x, 0, 7).size(0) == 0);
  CHECK(equal(xport::slice(x, 0, 1, {}, 2), from<float>({{2, 3}, {6, 7}}))); // x[1::2]
  CHECK(equal(xport::slice(x, 0, 0, std::nullopt, 3), from<float>({{0, 1}, {6, 7}})));
  Tensor writes = xport::slice(x, 1, 1);
  writes.copy_(full({5, 1}, -1.f));
  CHECK(x.at<float>({4, 1}) == -1.f); // a view: writes reach the input
  CHECK_THROWS_AS(xport::slice(x, 0, 0, 5, 0), value_error);
  CHECK_THROWS_AS(xport::slice(x, 2), index_error);
}

TEST_CASE("select and narrow on non-contiguous inputs") {
  Tensor x = xport::t(iota({3, 4})); // [4, 3], strides [1, 4]
  Tensor row = xport::select(x, 0, -1);
  CHECK(equal(row, from<float>({3, 7, 11})));
  CHECK(shares_storage(row, x));
  CHECK_THROWS_WITH_AS(xport::select(x, 1, 3),
                       "select(): index 3 out of range for tensor of size [4, 3] at dimension 1",
                       index_error);
  Tensor n = xport::narrow(x, 1, 1, 2);
  CHECK(equal(n, from<float>({{4, 8}, {5, 9}, {6, 10}, {7, 11}})));
  CHECK(equal(xport::narrow(x, 0, -2, 2), xport::slice(x, 0, 2)));
  CHECK_THROWS_WITH_AS(xport::narrow(x, 0, 3, 2),
                       "start (3) + length (2) exceeds dimension size (4).", index_error);
  CHECK(xport::narrow(x, 0, 4, 0).size(0) == 0);
}

struct recorder_shape_views final : ops::op_interceptor {
  std::vector<std::string> calls;
  ops::tensor_list intercept(ops::boxed_attributes const& a, std::span<Tensor const> in,
                             source_location const&) override {
    calls.push_back(std::string(a.schema().name) + "(" + a.str() + ")");
    return xport::kernels::eager_call(a, in);
  }
};

TEST_CASE("shape front ends record ATen names and attributes") {
  recorder_shape_views r;
  ops::interceptor_scope scope(r);
  Tensor x = iota({2, 6});
  (void)xport::reshape(x, {3, -1});
  (void)xport::slice(x, 1, 2);
  (void)xport::select(x, 0, 1);
  (void)xport::split(x, {2, 4}, 1);
  CHECK(r.calls
        == std::vector<std::string>{"aten::reshape(size=[3, -1])",
                                    "aten::slice.Tensor(dim=1, start=2, end=9223372036854775807, "
                                    "step=1)",
                                    "aten::select.int(dim=0, index=1)",
                                    "aten::split_with_sizes(split_sizes=[2, 4], dim=1)"});
}
