// sum, mean, prod, any, all and cumsum: values against an independent reference (index
// arithmetic on a flat vector), dtypes, dim lists, keepdim, non-contiguous inputs,
// empty tensors and the errors PyTorch raises.
#include <xport/api/reduction.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

using namespace xport;

namespace {

// The [2, 3, 4] test input as doubles: small values that every dtype represents exactly.
std::vector<double> sample_reduction(bool non_negative) {
  std::vector<double> v(24);
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<double>((i * 7) % 11) - (non_negative ? 0.0 : 5.0);
  return v;
}

// Sums of a dense [2, 3, 4] vector over `mask`, by direct index arithmetic.
std::vector<double> reference_sum(std::vector<double> const& v, std::array<bool, 3> mask) {
  std::array<std::int64_t, 3> const shape{2, 3, 4};
  std::int64_t count = 1;
  for (std::size_t d = 0; d < 3; ++d)
    count *= mask[d] ? 1 : shape[d];
  std::vector<double> out(static_cast<std::size_t>(count), 0.0);
  for (std::int64_t i = 0; i < 2; ++i)
    for (std::int64_t j = 0; j < 3; ++j)
      for (std::int64_t k = 0; k < 4; ++k) {
        std::array<std::int64_t, 3> const at{i, j, k};
        std::int64_t o = 0;
        for (std::size_t d = 0; d < 3; ++d)
          if (!mask[d]) o = o * shape[d] + at[d];
        out[static_cast<std::size_t>(o)] += v[static_cast<std::size_t>((i * 3 + j) * 4 + k)];
      }
  return out;
}

} // namespace

TEST_CASE_TEMPLATE("sum over dim lists matches the reference for every dtype", T, float, double,
                   half, bfloat16, std::int64_t, std::int32_t, std::int16_t, std::int8_t,
                   std::uint8_t) {
  std::vector<double> const values = sample_reduction(std::is_same_v<T, std::uint8_t>);
  Tensor const x = from(values, {2, 3, 4}).to(dtype_of<T>);
  dtype const expected = is_floating_point(dtype_of<T>) ? dtype_of<T> : dtype::int64;

  Tensor const s1 = sum(x, {1});
  CHECK(s1.dtype() == expected);
  CHECK(std::ranges::equal(s1.sizes(), std::vector<std::int64_t>{2, 4}));
  CHECK(equal(s1.to(dtype::float64), from(reference_sum(values, {false, true, false}), {2, 4})));

  Tensor const s02 = sum(x, {-1, 0}, true);
  CHECK(std::ranges::equal(s02.sizes(), std::vector<std::int64_t>{1, 3, 1}));
  CHECK(equal(s02.to(dtype::float64).view({3}),
              from(reference_sum(values, {true, false, true}), {3})));

  Tensor const all_dims = sum(x);
  CHECK(all_dims.dim() == 0);
  CHECK(equal(all_dims.to(dtype::float64), from(reference_sum(values, {true, true, true}), {})));
  CHECK(equal(sum(x, {0, 1, 2}), all_dims));
}

TEST_CASE("sum of non-contiguous inputs: transposed, sliced with a step, expanded") {
  std::vector<double> const values = sample_reduction(false);
  Tensor const x = from(values, {2, 3, 4});
  Tensor const t = x.transpose(0, 2); // [4, 3, 2]
  CHECK_FALSE(t.is_contiguous());
  CHECK(equal(sum(t, {2}), sum(x, {0}).t()));
  Tensor const sliced = x.slice(2, 0, 4, 2); // [2, 3, 2], columns 0 and 2
  CHECK(equal(sum(sliced, {2}), sum(sliced.contiguous(), {2})));
  CHECK(sum(sliced).item<float>() == doctest::Approx(sum(sliced.contiguous()).item<float>()));
  Tensor const expanded = from<float>({1.f, 2.f}).unsqueeze(0).expand({5, 2});
  CHECK(equal(sum(expanded, {0}), from<float>({5.f, 10.f})));
}

TEST_CASE("sum dtypes: integers and bool widen to int64, dtype converts the input first") {
  CHECK(sum(from<bool>({true, true, false})).dtype() == dtype::int64);
  CHECK(sum(from<bool>({true, true, false})).item<std::int64_t>() == 2);
  Tensor const big = full({3}, 2'000'000'000, {.dtype = dtype::int32});
  CHECK(sum(big).item<std::int64_t>() == 6'000'000'000);
  CHECK(sum(big, {0}, false, dtype::float64).dtype() == dtype::float64);
  CHECK(sum(big, dtype::float64).item<double>() == 6e9);
  // int64 sums wrap modulo 2^64, as PyTorch's do, without undefined behaviour.
  Tensor const huge = full({2}, std::numeric_limits<std::int64_t>::max(), {.dtype = dtype::int64});
  CHECK(sum(huge).item<std::int64_t>() == -2);
}

TEST_CASE("floating sums accumulate in double with compensation") {
  // float inputs: 1e8 + 1 is exact in double, so the 1 survives.
  CHECK(sum(from<float>({1e8f, 1.f, -1e8f})).item<float>() == 1.f);
  // double inputs: the compensation term recovers what a plain double sum loses.
  CHECK(sum(from<double>({1e16, 1.0, -1e16})).item<double>() == 1.0);
  // half inputs: 4096 * 0.1 (as half) accumulates in double, rounded once at the end.
  Tensor const h = full({4096}, 0.1, {.dtype = dtype::float16});
  double const element = static_cast<double>(static_cast<float>(half(0.1f)));
  CHECK(sum(h).item<half>() == half(static_cast<float>(element * 4096)));
  // inf and NaN pass through the compensation unharmed.
  CHECK(std::isinf(sum(from<float>({INFINITY, 1.f})).item<float>()));
  CHECK(std::isnan(sum(from<float>({INFINITY, -INFINITY})).item<float>()));
}

TEST_CASE("dim lists: negative, out of range, repeated") {
  Tensor const x = ones({2, 3});
  CHECK(equal(sum(x, {-1}), full({2}, 3.0)));
  CHECK_THROWS_WITH_AS(sum(x, {0, -2}),
                       doctest::Contains("dim 0 appears multiple times in the list of dims"),
                       value_error);
  CHECK_THROWS_WITH_AS(sum(x, {2}), doctest::Contains("Dimension out of range"), index_error);
  // A 0-dim tensor accepts dim 0 and -1.
  Tensor const s = full({}, 4.0);
  CHECK(sum(s, {0}).item<float>() == 4.f);
  CHECK(sum(s, {-1}, true).dim() == 0);
}

TEST_CASE("empty tensors and zero-size dims") {
  Tensor const e = zeros({0, 3});
  CHECK(equal(sum(e, {0}), zeros({3})));
  CHECK(sum(e, {1}).numel() == 0);
  CHECK(sum(e).item<float>() == 0.f);
  CHECK(prod(e).item<float>() == 1.f);
  CHECK(equal(prod(e, 0), ones({3})));
  CHECK(std::isnan(mean(e).item<float>()));
  Tensor const m = mean(e, {0});
  CHECK(m.numel() == 3);
  CHECK(std::isnan(m.at<float>({2})));
  CHECK(any(e).item<bool>() == false);
  CHECK(all(e).item<bool>() == true);
  CHECK(cumsum(e, 0).numel() == 0);
}

TEST_CASE_TEMPLATE("mean over dims", T, float, double, half, bfloat16) {
  std::vector<double> const values = sample_reduction(false);
  Tensor const x = from(values, {2, 3, 4}).to(dtype_of<T>);
  Tensor const m = mean(x, {0, 2});
  CHECK(m.dtype() == dtype_of<T>);
  std::vector<double> expected = reference_sum(values, {true, false, true});
  for (double& e : expected)
    e /= 8.0;
  CHECK(allclose(m.to(dtype::float64), from(expected, {3}), {.rtol = 1e-2}));
  CHECK(mean(x).dim() == 0);
}

TEST_CASE("mean refuses integers like PyTorch, and accepts a floating dtype") {
  Tensor const i = from<std::int64_t>({1, 2, 4});
  CHECK_THROWS_WITH_AS(mean(i),
                       doctest::Contains("mean(): could not infer output dtype. Input dtype must "
                                         "be either a floating point or complex dtype. Got: Long"),
                       dtype_error);
  CHECK_THROWS_WITH_AS(
      mean(ones({2}), dtype::int32),
      doctest::Contains(
          "Optional dtype must be either a floating point or complex dtype. Got: Int"),
      dtype_error);
  Tensor const m = mean(i, {}, false, dtype::float64);
  CHECK(m.dtype() == dtype::float64);
  CHECK(m.item<double>() == doctest::Approx(7.0 / 3.0));
}

TEST_CASE("prod: full and over one dim, integer widening, wrapping") {
  Tensor const x = from<std::int32_t>({{1, 2, 3}, {4, 5, 6}});
  Tensor const p = prod(x);
  CHECK(p.dtype() == dtype::int64);
  CHECK(p.item<std::int64_t>() == 720);
  CHECK(equal(prod(x, 1), from<std::int64_t>({6, 120})));
  CHECK(equal(prod(x, 0, true), from<std::int64_t>({{4, 10, 18}})));
  CHECK(prod(x, -1, false, dtype::float64).dtype() == dtype::float64);
  CHECK(prod(from<float>({0.5f, 4.f, NAN})).item<float>()
        != prod(from<float>({0.5f, 4.f, NAN})).item<float>());
  CHECK(prod(from<half>({half(2.f), half(3.f)})).item<half>() == half(6.f));
  CHECK(equal(prod(x.t(), 0), from<std::int64_t>({6, 120})));
}

TEST_CASE_TEMPLATE("any and all over dims", T, float, half, std::int32_t, bool) {
  Tensor const x = from<double>({{0, 1, 0}, {0, 0, 0}}).to(dtype_of<T>);
  CHECK(any(x).item<bool>() == true);
  CHECK(all(x).item<bool>() == false);
  CHECK(equal(any(x, {1}), from<bool>({true, false})));
  CHECK(equal(all(x.t(), {1}, true), from<bool>({{false}, {false}, {false}})));
  CHECK(equal(any(x, {0}), from<bool>({false, true, false})));
  Tensor const filled = ones({2, 2}).to(dtype_of<T>);
  CHECK(all(filled).item<bool>() == true);
  CHECK(any(x, {1}).dtype() == dtype::bool_);
}

TEST_CASE("any/all: NaN counts as true, uint8 stays uint8") {
  CHECK(all(from<float>({NAN, 1.f})).item<bool>() == true);
  Tensor const u = from<std::uint8_t>({0, 3});
  CHECK(any(u).dtype() == dtype::uint8);
  CHECK(any(u).item<std::uint8_t>() == 1);
  CHECK(all(u, {0}).item<std::uint8_t>() == 0);
}

TEST_CASE_TEMPLATE("cumsum along each dim", T, float, double, half, std::int64_t, std::int8_t) {
  Tensor const x = from<double>({{1, 2, 3}, {4, 5, 6}}).to(dtype_of<T>);
  dtype const expected = is_floating_point(dtype_of<T>) ? dtype_of<T> : dtype::int64;
  Tensor const c1 = cumsum(x, 1);
  CHECK(c1.dtype() == expected);
  CHECK(equal(c1.to(dtype::float64), from<double>({{1, 3, 6}, {4, 9, 15}})));
  CHECK(equal(cumsum(x, -2).to(dtype::float64), from<double>({{1, 2, 3}, {5, 7, 9}})));
  // Transposed input: lanes are strided.
  CHECK(equal(cumsum(x.t(), 0).to(dtype::float64), from<double>({{1, 4}, {3, 9}, {6, 15}})));
}

TEST_CASE("cumsum: dtype argument, bool, 0-dim, bad dim") {
  CHECK(equal(cumsum(from<bool>({true, false, true}), 0), from<std::int64_t>({1, 1, 2})));
  Tensor const f = cumsum(from<std::int32_t>({1, 2}), 0, dtype::float32);
  CHECK(f.dtype() == dtype::float32);
  CHECK(equal(f, from<float>({1.f, 3.f})));
  CHECK(cumsum(full({}, 5.0), 0).item<float>() == 5.f);
  CHECK_THROWS_AS(cumsum(ones({2}), 1), index_error);
}

struct reduction_recorder final : ops::op_interceptor {
  std::vector<std::string> calls;
  ops::tensor_list intercept(ops::boxed_attributes const& a, std::span<Tensor const> in,
                             source_location const&) override {
    calls.push_back(std::string(a.schema().name) + "(" + a.str() + ")");
    return xport::kernels::eager_call(a, in);
  }
};

TEST_CASE("front ends record their ATen names and attributes") {
  reduction_recorder r;
  ops::interceptor_scope scope(r);
  Tensor const x = ones({2, 3});
  (void)sum(x, {1}, true);
  (void)sum(x);
  (void)mean(x, {0});
  (void)prod(x, 1);
  (void)any(x, {0});
  (void)cumsum(x, 0, dtype::float64);
  REQUIRE(r.calls.size() == 6);
  CHECK(r.calls[0] == "aten::sum.dim_IntList(dim=[1], keepdim=True)");
  CHECK(r.calls[1] == "aten::sum.dim_IntList(keepdim=False)");
  CHECK(r.calls[2] == "aten::mean.dim(dim=[0], keepdim=False)");
  CHECK(r.calls[3] == "aten::prod.dim_int(dim=1, keepdim=False)");
  CHECK(r.calls[4] == "aten::any.dims(dim=[0], keepdim=False)");
  CHECK(r.calls[5] == "aten::cumsum(dim=0, dtype=torch.float64)");
}
