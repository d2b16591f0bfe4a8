#include <xport/api/elementwise.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

using namespace xport;
using i64_elementwise_inplace = std::int64_t;

TEST_CASE("add_ and mul_ write into self and return it") {
  Tensor const x = from<float>({1.f, 2.f, 3.f});
  Tensor const r = add_(x, from<float>({1.f, 1.f, 1.f}), 2);
  CHECK(r.is_same(x));
  CHECK(equal(x, from<float>({3.f, 4.f, 5.f})));
  add_(x, 1);
  mul_(x, 2);
  CHECK(equal(x, from<float>({8.f, 10.f, 12.f})));
  mul_(x, from<i64_elementwise_inplace>({1, 0, -1})); // int64 into float32 is allowed
  CHECK(equal(x, from<float>({8.f, 0.f, -12.f})));
  Tensor const m = zeros({2, 3});
  add_(m, from<float>({1.f, 2.f, 3.f})); // other broadcasts to self
  CHECK(equal(m, from<float>({{1.f, 2.f, 3.f}, {1.f, 2.f, 3.f}})));
}

TEST_CASE("in-place ops write through views and read aliased operands before writing") {
  Tensor const base = zeros({2, 4});
  add_(base.slice(1, 0, 4, 2), 5); // columns 0 and 2
  CHECK(equal(base, from<float>({{5.f, 0.f, 5.f, 0.f}, {5.f, 0.f, 5.f, 0.f}})));
  Tensor const sq = from<float>({{1.f, 2.f}, {3.f, 4.f}});
  add_(sq, sq.t());
  CHECK(equal(sq, from<float>({{2.f, 5.f}, {5.f, 8.f}})));
}

TEST_CASE("in-place result dtypes must be castable to self") {
  Tensor const l = from<i64_elementwise_inplace>({1, 2});
  CHECK_THROWS_WITH_AS(add_(l, from<float>({0.5f, 0.5f})),
                       doctest::Contains("result type Float can't be cast to the desired output "
                                         "type Long"),
                       dtype_error);
  CHECK_THROWS_WITH_AS(mul_(l, 1.5), doctest::Contains("can't be cast"), dtype_error);
  CHECK_THROWS_WITH_AS(add_(from<bool>({true}), from<i64_elementwise_inplace>({1})),
                       doctest::Contains("result type Long can't be cast to the desired output "
                                         "type Bool"),
                       dtype_error);
  CHECK(equal(l, from<i64_elementwise_inplace>({1, 2}))); // untouched by the refused calls
  add_(l, 3);
  CHECK(equal(l, from<i64_elementwise_inplace>({4, 5})));
}

TEST_CASE("in-place broadcast shape must be self's shape") {
  CHECK_THROWS_WITH_AS(add_(ones({3}), ones({2, 3})),
                       doctest::Contains("output with shape [3] doesn't match the broadcast shape "
                                         "[2, 3]"),
                       shape_error);
  CHECK_THROWS_AS(mul_(ones({2}), ones({3})), shape_error);
  CHECK_THROWS_AS(copy_(ones({3}), ones({2, 3})), shape_error);
  CHECK_THROWS_WITH_AS(add_(ones({1}).expand({3}), ones({3})),
                       doctest::Contains("refers to a single memory location"), value_error);
}

TEST_CASE("fill_, zero_ and copy_") {
  Tensor const x = empty({2, 2}, {.dtype = dtype::int32});
  CHECK(fill_(x, 7).is_same(x));
  CHECK(equal(x, full({2, 2}, 7, {.dtype = dtype::int32})));
  fill_(x, 2.9); // converted like PyTorch's Scalar::to
  CHECK(equal(x, full({2, 2}, 2, {.dtype = dtype::int32})));
  fill_(x.select(0, 1), full({}, 4.0));
  CHECK(equal(x, from<std::int32_t>({{2, 2}, {4, 4}})));
  CHECK_THROWS_WITH_AS(fill_(x, from<std::int32_t>({1, 2})),
                       doctest::Contains("fill_ only supports 0-dimension value tensor but got "
                                         "tensor with 1 dimensions"),
                       shape_error);
  CHECK_THROWS_WITH_AS(fill_(empty({1}, {.dtype = dtype::uint8}), 256),
                       doctest::Contains("without overflow"), value_error);
  zero_(x);
  CHECK(equal(x, zeros({2, 2}, {.dtype = dtype::int32})));
  Tensor const f = zeros({2, 3});
  copy_(f, from<i64_elementwise_inplace>({1, 2, 3}));
  CHECK(equal(f, from<float>({{1.f, 2.f, 3.f}, {1.f, 2.f, 3.f}})));
  copy_(f.t(), from<double>({{9.0, 8.0}, {7.0, 6.0}, {5.0, 4.0}}));
  CHECK(equal(f, from<float>({{9.f, 7.f, 5.f}, {8.f, 6.f, 4.f}})));
  Tensor const e = zeros({0});
  CHECK(zero_(e).numel() == 0);
}

TEST_CASE("the functional forms of fill_, zero_ and copy_ make new tensors") {
  Tensor const x = from<std::int32_t>({{1, 2}, {3, 4}});
  auto run = [&]<class Op>(typename Op::attributes a, std::initializer_list<Tensor> in) {
    return ops::call1<Op>(std::move(a), in, source_location::current());
  };
  CHECK(equal(run.operator()<ops::fill>({7}, {x}), full({2, 2}, 7, {.dtype = dtype::int32})));
  CHECK(equal(run.operator()<ops::fill_tensor>({}, {x, full({}, 2.0)}),
              full({2, 2}, 2, {.dtype = dtype::int32})));
  CHECK(equal(run.operator()<ops::zero>({}, {x}), zeros({2, 2}, {.dtype = dtype::int32})));
  Tensor const c = run.operator()<ops::copy>({false}, {x, from<double>({5.9, -1.0})});
  CHECK(equal(c, from<std::int32_t>({{5, -1}, {5, -1}})));
  CHECK(equal(x, from<std::int32_t>({{1, 2}, {3, 4}}))); // self is untouched
  CHECK_THROWS_AS(run.operator()<ops::copy>({false}, {x, ones({3})}), shape_error);
}

TEST_CASE("in-place ops are recorded under their ATen names") {
  struct recorder final : ops::op_interceptor {
    std::string names;
    ops::tensor_list intercept(ops::boxed_attributes const& a, std::span<Tensor const> in,
                               source_location const&) override {
      names += std::string(a.schema().name) + "(" + a.str() + ") ";
      return xport::kernels::eager_call(a, in);
    }
  } r;
  ops::interceptor_scope scope(r);
  Tensor const x = zeros({2});
  add_(x, 1);
  mul_(x, x);
  fill_(x, 3);
  fill_(x, zeros({}));
  zero_(x);
  copy_(x, ones({2}));
  CHECK(r.names
        == "aten::add_.Tensor(other=1, alpha=1) aten::mul_.Tensor() "
           "aten::fill_.Scalar(value=3) aten::fill_.Tensor() aten::zero_() "
           "aten::copy_(non_blocking=False) ");
}
