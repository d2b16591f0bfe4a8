#include <xport/api/creation.hpp>
#include <xport/api/shape.hpp>
#include <xport/core/compare.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace xport;

namespace {
struct recorder_creation final : ops::op_interceptor {
  std::vector<std::string> calls;
  ops::tensor_list intercept(ops::boxed_attributes const& a, std::span<Tensor const> in,
                             source_location const&) override {
    calls.push_back(std::string(a.schema().name) + "(" + a.str() + ")");
    return xport::kernels::eager_call(a, in);
  }
};
} // namespace

TEST_CASE("int literals pick the core factories; a SymInt picks the ops") {
  recorder_creation r;
  ops::interceptor_scope scope(r);
  Tensor core_zeros = zeros({2, 3});
  Tensor core_full = full({2}, 1.5);
  Tensor core_arange = arange(5);
  Tensor core_arange3 = arange(0, 6, 2);
  Tensor core_like = zeros_like(core_zeros);
  CHECK(r.calls.empty());
  SymInt const n = 2;
  Tensor op_zeros = zeros({n, 3});
  Tensor op_vector = ones(std::vector<SymInt>{2, 3}, {.dtype = dtype::int32});
  Tensor op_full = full({n}, 1.5);
  Tensor op_empty = empty({n, 0});
  Tensor op_arange = arange(SymInt(5));
  Tensor op_arange3 = arange(0, SymInt(6), 2);
  Tensor op_like = zeros_like(core_zeros, {.dtype = dtype::int64});
  CHECK(r.calls
        == std::vector<std::string>{"aten::zeros(size=[2, 3], device='cpu')",
                                    "aten::ones(size=[2, 3], dtype=torch.int32, device='cpu')",
                                    "aten::full(size=[2], fill_value=1.5, device='cpu')",
                                    "aten::empty.memory_format(size=[2, 0], device='cpu')",
                                    "aten::arange.start_step(start=0, end=5, step=1, device='cpu')",
                                    "aten::arange.start_step(start=0, end=6, step=2, device='cpu')",
                                    "aten::zeros_like(dtype=torch.int64)"});
  // Both routes compute the same tensors.
  CHECK(equal(core_zeros, op_zeros));
  CHECK(equal(core_full, op_full));
  CHECK(equal(core_arange, op_arange));
  CHECK(equal(core_arange3, op_arange3));
  CHECK(equal(core_like.to(dtype::int64), op_like));
  CHECK(op_vector.dtype() == dtype::int32);
  CHECK(op_empty.numel() == 0);
}

TEST_CASE("factories infer dtypes like PyTorch") {
  SymInt const n = 3;
  CHECK(zeros({n}).dtype() == dtype::float32);
  CHECK(full({n}, 7).dtype() == dtype::int64);
  CHECK(full({n}, true).dtype() == dtype::bool_);
  CHECK(full({n}, 2.5).dtype() == dtype::float32);
  CHECK(full({n}, 2.5, {.dtype = dtype::float64}).at<double>({2}) == 2.5);
  CHECK(arange(n).dtype() == dtype::int64);
  CHECK(equal(arange(n, {.dtype = dtype::float32}), from<float>({0, 1, 2})));
  CHECK(equal(arange(SymInt(5), 0, -2), from<std::int64_t>({5, 3, 1})));
  CHECK(equal(arange(SymInt(1), 4, 2), from<std::int64_t>({1, 3})));
  CHECK(arange(SymInt(3), 3).numel() == 0);
  CHECK(scalar_tensor(3).dtype() == dtype::float32);
  CHECK(scalar_tensor(3).dim() == 0);
  CHECK(scalar_tensor(3, {.dtype = dtype::int64}).item<std::int64_t>() == 3);
}

TEST_CASE("factories refuse bad input") {
  SymInt const n = -1;
  CHECK_THROWS_WITH_AS(zeros({n, 2}), doctest::Contains("negative dimension -1"), shape_error);
  CHECK_THROWS_WITH_AS(arange(SymInt(0), 5, 0), "arange: step must be nonzero", value_error);
  CHECK_THROWS_WITH_AS(
      arange(SymInt(5), 0, 1),
      doctest::Contains("upper bound and larger bound inconsistent with step sign"), value_error);
  CHECK_THROWS_AS(full({SymInt(2)}, 300, {.dtype = dtype::uint8}), value_error);
  CHECK_THROWS_AS(scalar_tensor(1e300, {.dtype = dtype::float16}), value_error);
  CHECK_THROWS_AS(arange(SymInt(3), {.dtype = dtype::bool_}), dtype_error);
}

TEST_CASE_TEMPLATE("_like factories keep sizes and take overrides", T, float, double, std::int32_t,
                   std::int64_t, std::uint8_t, bool) {
  Tensor x = xport::t(ones({2, 3}, {.dtype = dtype_of<T>})); // non-contiguous [3, 2]
  Tensor o = ones_like(x, {});
  CHECK(o.dtype() == dtype_of<T>);
  CHECK(o.size(0) == 3);
  CHECK(o.is_contiguous());
  CHECK(equal(o, x));
  Tensor z = zeros_like(x, {.dtype = dtype::float64});
  CHECK(z.dtype() == dtype::float64);
  CHECK(z.at<double>({2, 1}) == 0.0);
  Tensor f = full_like(x, 1, {});
  CHECK(equal(f, x));
  CHECK(empty_like(x, {}).size(1) == 2);
}

TEST_CASE_TEMPLATE("to and clone copy, converting; same dtype aliases", T, float, double,
                   std::int32_t, std::int64_t, std::int8_t, std::uint8_t, bool) {
  Tensor x = xport::t(from<float>({{0.f, 1.f, 2.f}, {3.f, 4.f, 0.f}}));
  Tensor y = xport::to(x, dtype_of<T>);
  CHECK(y.dtype() == dtype_of<T>);
  CHECK(y.is_contiguous() == (dtype_of<T> != dtype::float32)); // a copy unless the same dtype
  CHECK(y.at<T>({1, 1}) == convert<T>(4.f));
  CHECK(y.at<T>({2, 1}) == convert<T>(0.f));
  CHECK(xport::to(x, dtype::float32).is_same(x));
  Tensor c = xport::clone(y);
  CHECK(equal(c, y));
  CHECK_FALSE(c.storage().is_alias_of(y.storage()));
}

TEST_CASE("clone of an expanded tensor materializes every element") {
  Tensor e = xport::expand(from<std::int16_t>({1, 2}), {3, 2});
  Tensor c = xport::clone(e);
  CHECK(c.stride(0) == 2);
  c.copy_(zeros({3, 2}));
  CHECK(e.at<std::int16_t>({0, 1}) == 2);
  CHECK(xport::clone(empty({0, 3})).numel() == 0);
}
