#include <xport/api/norm.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

using namespace xport;

namespace {

std::vector<double> values_of(Tensor const& t) {
  Tensor const d = t.to(dtype::float64).contiguous();
  return {d.data_ptr<double>(), d.data_ptr<double>() + d.numel()};
}

Tensor tensor_of(std::vector<double> const& v, int_list sizes, dtype type = dtype::float64) {
  return from(v, sizes).to(type);
}

// Reference batch norm on (N, C, inner), written with explicit index loops.
struct bn_reference {
  std::vector<double> out, mean, var_biased, var_unbiased;
};

bn_reference reference_batch_norm(std::vector<double> const& x, std::int64_t n, std::int64_t c,
                                  std::int64_t inner, std::vector<double> const* mean,
                                  std::vector<double> const* var, std::vector<double> const& w,
                                  std::vector<double> const& b, double eps) {
  bn_reference r;
  r.out.resize(x.size());
  for (std::int64_t ch = 0; ch < c; ++ch) {
    double m = 0, v = 0;
    double const count = static_cast<double>(n * inner);
    if (mean) {
      m = (*mean)[static_cast<std::size_t>(ch)];
      v = (*var)[static_cast<std::size_t>(ch)];
    } else {
      for (std::int64_t s = 0; s < n; ++s)
        for (std::int64_t i = 0; i < inner; ++i)
          m += x[static_cast<std::size_t>((s * c + ch) * inner + i)];
      m /= count;
      for (std::int64_t s = 0; s < n; ++s)
        for (std::int64_t i = 0; i < inner; ++i) {
          double const d = x[static_cast<std::size_t>((s * c + ch) * inner + i)] - m;
          v += d * d;
        }
      r.var_unbiased.push_back(v / (count - 1));
      v /= count;
    }
    r.mean.push_back(m);
    r.var_biased.push_back(v);
    for (std::int64_t s = 0; s < n; ++s)
      for (std::int64_t i = 0; i < inner; ++i) {
        auto const k = static_cast<std::size_t>((s * c + ch) * inner + i);
        r.out[k] = (x[k] - m) / std::sqrt(v + eps) * w[static_cast<std::size_t>(ch)]
                   + b[static_cast<std::size_t>(ch)];
      }
  }
  return r;
}

template <class T>
tolerance tolerance_for_norm() {
  if constexpr (std::is_same_v<T, float>) return {1e-5, 1e-5};
  if constexpr (std::is_same_v<T, double>) return {1e-12, 1e-12};
  return {2e-2, 2e-2};
}

} // namespace

TEST_CASE_TEMPLATE("batch_norm in eval normalizes with the running statistics", T, float, double) {
  Generator gen{1};
  dtype const type = dtype_of<T>;
  Tensor const x = randn({2, 3, 4}, gen, {.dtype = type});
  std::vector<double> const rm{0.5, -1.0, 2.0}, rv{1.5, 0.25, 4.0}, w{2.0, -1.0, 0.5},
      b{0.1, 0.2, -0.3};
  Tensor const mean = tensor_of(rm, {3}, type);
  Tensor const var = tensor_of(rv, {3}, type);
  Tensor const y =
      batch_norm(x, mean, var, tensor_of(w, {3}, type), tensor_of(b, {3}, type), false, 0.1, 1e-5);
  auto const ref = reference_batch_norm(values_of(x), 2, 3, 4, &rm, &rv, w, b, 1e-5);
  CHECK(y.dtype() == type);
  CHECK(allclose(y, tensor_of(ref.out, {2, 3, 4}), tolerance_for_norm<T>()));
  CHECK(equal(mean, tensor_of(rm, {3}, type))); // eval leaves the running statistics
  CHECK(equal(var, tensor_of(rv, {3}, type)));
}

TEST_CASE_TEMPLATE("batch_norm in training uses batch statistics and updates the running ones", T,
                   float, double) {
  Generator gen{2};
  dtype const type = dtype_of<T>;
  Tensor const x = randn({4, 3, 5}, gen, {.dtype = type});
  std::vector<double> const rm{0.5, -1.0, 2.0}, rv{1.5, 0.25, 4.0}, ones3{1, 1, 1}, zeros3{0, 0, 0};
  Tensor const mean = tensor_of(rm, {3}, type);
  Tensor const var = tensor_of(rv, {3}, type);
  Tensor const y = batch_norm(x, mean, var, {}, {}, true, 0.3, 1e-5);
  auto const ref =
      reference_batch_norm(values_of(x), 4, 3, 5, nullptr, nullptr, ones3, zeros3, 1e-5);
  CHECK(allclose(y, tensor_of(ref.out, {4, 3, 5}), tolerance_for_norm<T>()));
  std::vector<double> expected_mean, expected_var;
  for (std::size_t c = 0; c < 3; ++c) {
    expected_mean.push_back(0.7 * rm[c] + 0.3 * ref.mean[c]);
    expected_var.push_back(0.7 * rv[c] + 0.3 * ref.var_unbiased[c]); // unbiased, n = 20
  }
  CHECK(allclose(mean, tensor_of(expected_mean, {3}), tolerance_for_norm<T>()));
  CHECK(allclose(var, tensor_of(expected_var, {3}), tolerance_for_norm<T>()));
}

TEST_CASE("batch_norm training: hand-computed values and the functional op's outputs") {
  // channel 0: {1, 3, 5, 7}: mean 4, biased var 5, unbiased var 20/3
  // channel 1: {2, 2, 4, 4}: mean 3, biased var 1, unbiased var 4/3
  Tensor const x = from<float>({{1.f, 2.f}, {3.f, 2.f}, {5.f, 4.f}, {7.f, 4.f}});
  Tensor const rm = zeros({2});
  Tensor const rv = ones({2});
  Tensor const inputs[] = {x, Tensor{}, Tensor{}, rm, rv};
  ops::tensor_list out =
      ops::call<ops::batch_norm_functional>({true, 0.1, 0.0}, inputs, source_location::current());
  REQUIRE(out.size() == 5);
  double const r = 1 / std::sqrt(5.0);
  CHECK(allclose(out[0].select(1, 0), from<double>({-3 * r, -r, r, 3 * r})));
  CHECK(allclose(out[0].select(1, 1), from<float>({-1.f, -1.f, 1.f, 1.f})));
  CHECK(allclose(out[1], from<float>({4.f, 3.f})));
  CHECK(allclose(out[2], from<double>({r, 1.0})));
  CHECK(allclose(out[3], from<double>({0.4, 0.3})));
  CHECK(allclose(out[4], from<double>({0.9 + 0.1 * 20.0 / 3.0, 0.9 + 0.1 * 4.0 / 3.0})));
  CHECK(equal(rm, zeros({2}))); // the functional op does not write its inputs
}

TEST_CASE("batch_norm on non-contiguous input, rank 2 and rank 4") {
  Generator gen{3};
  Tensor const base = randn({5, 3, 2}, gen);
  Tensor const x = base.permute({2, 1, 0}); // (2, 3, 5), not contiguous
  REQUIRE_FALSE(x.is_contiguous());
  std::vector<double> const w{1, 1, 1}, b{0, 0, 0};
  Tensor const rm = zeros({3}), rv = ones({3});
  Tensor const y = batch_norm(x, rm, rv, {}, {}, true, 0.1, 1e-5);
  auto const ref = reference_batch_norm(values_of(x), 2, 3, 5, nullptr, nullptr, w, b, 1e-5);
  CHECK(allclose(y, tensor_of(ref.out, {2, 3, 5}), {1e-5, 1e-5}));

  Tensor const x2 = randn({6, 3}, gen);
  auto const ref2 = reference_batch_norm(values_of(x2), 6, 3, 1, nullptr, nullptr, w, b, 1e-5);
  CHECK(allclose(batch_norm(x2, {}, {}, {}, {}, true), tensor_of(ref2.out, {6, 3}), {1e-5, 1e-5}));

  Tensor const x4 = randn({2, 3, 2, 2}, gen);
  auto const ref4 = reference_batch_norm(values_of(x4), 2, 3, 4, nullptr, nullptr, w, b, 1e-5);
  CHECK(allclose(batch_norm(x4, {}, {}, {}, {}, true), tensor_of(ref4.out, {2, 3, 2, 2}),
                 {1e-5, 1e-5}));
}

TEST_CASE("batch_norm on half input keeps float32 statistics") {
  Generator gen{4};
  Tensor const x = randn({4, 2, 3}, gen).to(dtype::float16);
  Tensor const rm = zeros({2}), rv = ones({2}); // float32 running stats, as PyTorch allows
  Tensor const y = batch_norm(x, rm, rv, ones({2}), zeros({2}), true);
  CHECK(y.dtype() == dtype::float16);
  std::vector<double> const w{1, 1}, b{0, 0};
  auto const ref = reference_batch_norm(values_of(x), 4, 2, 3, nullptr, nullptr, w, b, 1e-5);
  CHECK(allclose(y, tensor_of(ref.out, {4, 2, 3}), {1e-2, 1e-2}));
  CHECK(rm.dtype() == dtype::float32);
  CHECK(rm.at<float>({0}) == doctest::Approx(0.1 * ref.mean[0]).epsilon(1e-3));
}

TEST_CASE("batch_norm rejects bad input") {
  Tensor const rm = zeros({3}), rv = ones({3});
  CHECK_THROWS_WITH_AS(batch_norm(ones({1, 3}), rm, rv, {}, {}, true),
                       "Expected more than 1 value per channel when training, got input size "
                       "[1, 3]",
                       value_error);
  CHECK_NOTHROW(batch_norm(ones({1, 3}), rm, rv)); // fine in eval
  CHECK_THROWS_WITH_AS(batch_norm(ones({2, 3}), zeros({4}), rv),
                       doctest::Contains("running_mean should contain 3 elements not 4"),
                       shape_error);
  CHECK_THROWS_WITH_AS(batch_norm(ones({2, 3}), rm, rv, ones({2})),
                       doctest::Contains("weight should contain 3 elements not 2"), shape_error);
  CHECK_THROWS_WITH_AS(batch_norm(ones({3}), rm, rv), doctest::Contains("got a tensor of size [3]"),
                       shape_error);
  CHECK_THROWS_WITH_AS(batch_norm(ones({2, 3}, {.dtype = dtype::int64}), rm, rv),
                       doctest::Contains("not implemented for 'int64'"), dtype_error);
  CHECK_THROWS_WITH_AS(batch_norm(ones({2, 3}), rm, rv, ones({3}, {.dtype = dtype::float64})),
                       doctest::Contains("expected weight to have dtype torch.float32"),
                       dtype_error);
  CHECK_THROWS_WITH_AS(batch_norm(ones({2, 3}), {}, {}),
                       doctest::Contains("must be defined in evaluation mode"), value_error);
}

TEST_CASE("batch_norm records the functional op and leaves an empty batch's stats alone") {
  Tensor const rm = full({2}, 0.5), rv = full({2}, 2.0);
  Tensor const y = batch_norm(zeros({0, 2, 3}), rm, rv, {}, {}, true);
  CHECK(y.numel() == 0);
  CHECK(equal(rm, full({2}, 0.5)));
  CHECK(equal(rv, full({2}, 2.0)));
  ops::batch_norm_functional::attributes const a{true, 0.1, 1e-5};
  CHECK(ops::boxed_attributes::of<ops::batch_norm_functional>(a).str()
        == "training=True, momentum=0.1, eps=1e-05");
  CHECK(ops::schema_of<ops::batch_norm_functional>.name
        == "aten::_native_batch_norm_legit_functional");
  CHECK(ops::schema_of<ops::batch_norm_no_training>.kind == ops::op_kind::core);
}

namespace {
struct op_log final : ops::op_interceptor {
  std::vector<std::string> names;
  ops::tensor_list intercept(ops::boxed_attributes const& a, std::span<Tensor const> in,
                             source_location const&) override {
    names.emplace_back(a.schema().name);
    return xport::kernels::eager_call(a, in);
  }
};
} // namespace

TEST_CASE("batch_norm in training records the functional op and two copy_ into the buffers") {
  op_log log;
  Tensor const rm = zeros({2}), rv = ones({2});
  {
    ops::interceptor_scope scope(log);
    batch_norm(from<float>({{1.f, 2.f}, {3.f, 4.f}}), rm, rv, {}, {}, true, 0.5);
  }
  REQUIRE(log.names.size() == 3);
  CHECK(log.names[0] == "aten::_native_batch_norm_legit_functional");
  CHECK(log.names[1] == "aten::copy_");
  CHECK(log.names[2] == "aten::copy_");
  CHECK(allclose(rm, from<float>({1.f, 1.5f})));
  log.names.clear();
  {
    ops::interceptor_scope scope(log);
    batch_norm(from<float>({{1.f, 2.f}, {3.f, 4.f}}), rm, rv);
    batch_norm(from<float>({{1.f, 2.f}, {3.f, 4.f}}), {}, {}, {}, {}, true);
  }
  REQUIRE(log.names.size() == 2);
  CHECK(log.names[0] == "aten::_native_batch_norm_legit_no_training");
  CHECK(log.names[1] == "aten::_native_batch_norm_legit.no_stats");
}

// ---------------------------------------------------------------------------------------------
// layer_norm

namespace {

std::vector<double> reference_rows(std::vector<double> const& x, std::size_t row,
                                   std::vector<double> const& w, std::vector<double> const& b,
                                   double eps) {
  std::vector<double> out(x.size());
  for (std::size_t r = 0; r * row < x.size(); ++r) {
    double m = 0, v = 0;
    for (std::size_t i = 0; i < row; ++i)
      m += x[r * row + i];
    m /= static_cast<double>(row);
    for (std::size_t i = 0; i < row; ++i)
      v += (x[r * row + i] - m) * (x[r * row + i] - m);
    v /= static_cast<double>(row);
    for (std::size_t i = 0; i < row; ++i)
      out[r * row + i] = (x[r * row + i] - m) / std::sqrt(v + eps) * (w.empty() ? 1 : w[i])
                         + (b.empty() ? 0 : b[i]);
  }
  return out;
}

} // namespace

TEST_CASE_TEMPLATE("layer_norm matches a loop reference", T, float, double, half, bfloat16) {
  Generator gen{5};
  dtype const type = dtype_of<T>;
  Tensor const x = randn({2, 3, 4}, gen, {.dtype = type});
  Tensor const w = randn({3, 4}, gen, {.dtype = type});
  Tensor const b = randn({3, 4}, gen, {.dtype = type});
  Tensor const y = layer_norm(x, {3, 4}, w, b, 1e-5);
  CHECK(y.dtype() == type);
  auto const ref = reference_rows(values_of(x), 12, values_of(w), values_of(b), 1e-5);
  CHECK(allclose(y, tensor_of(ref, {2, 3, 4}), tolerance_for_norm<T>()));
  Tensor const y1 = layer_norm(x, {4});
  CHECK(allclose(y1, tensor_of(reference_rows(values_of(x), 4, {}, {}, 1e-5), {2, 3, 4}),
                 tolerance_for_norm<T>()));
}

TEST_CASE("layer_norm on a non-contiguous input and with float32 parameters for half input") {
  Generator gen{6};
  Tensor const x = randn({4, 3}, gen).t(); // (3, 4), not contiguous
  REQUIRE_FALSE(x.is_contiguous());
  CHECK(allclose(layer_norm(x, {4}),
                 tensor_of(reference_rows(values_of(x), 4, {}, {}, 1e-5), {3, 4}), {1e-5, 1e-5}));
  Tensor const h = x.to(dtype::float16);
  Tensor const y = layer_norm(h, {4}, full({4}, 2.0), full({4}, 1.0));
  CHECK(y.dtype() == dtype::float16);
  std::vector<double> const w(4, 2.0), b(4, 1.0);
  CHECK(allclose(y, tensor_of(reference_rows(values_of(h), 4, w, b, 1e-5), {3, 4}), {1e-2, 1e-2}));
  CHECK(layer_norm(zeros({0, 4}), {4}).numel() == 0);
}

TEST_CASE("layer_norm errors name the shapes") {
  CHECK_THROWS_WITH_AS(layer_norm(ones({2, 3}), {4}),
                       "Given normalized_shape=[4], expected input with shape [*, 4], but got "
                       "input of size[2, 3]",
                       shape_error);
  CHECK_THROWS_WITH_AS(layer_norm(ones({3}), {2, 3}),
                       doctest::Contains("expected input with shape [*, 2, 3]"), shape_error);
  CHECK_THROWS_WITH_AS(layer_norm(ones({2, 4}), {4}, ones({3})),
                       "Expected weight to be of same shape as normalized_shape, but got weight "
                       "of shape [3] and normalized_shape = [4]",
                       shape_error);
  CHECK_THROWS_WITH_AS(layer_norm(ones({2, 4}), {4}, {}, ones({2, 2})),
                       doctest::Contains("got bias of shape [2, 2]"), shape_error);
  CHECK_THROWS_WITH_AS(layer_norm(ones({2, 4}), {}), doctest::Contains("at least 1-dimensional"),
                       shape_error);
  CHECK_THROWS_AS(layer_norm(ones({2, 4}, {.dtype = dtype::int32}), {4}), dtype_error);
}

// ---------------------------------------------------------------------------------------------
// group_norm

TEST_CASE_TEMPLATE("group_norm matches a loop reference", T, float, double, bfloat16) {
  Generator gen{7};
  dtype const type = dtype_of<T>;
  Tensor const x = randn({2, 6, 3}, gen, {.dtype = type});
  Tensor const w = randn({6}, gen, {.dtype = type});
  Tensor const b = randn({6}, gen, {.dtype = type});
  Tensor const y = group_norm(x, 3, w, b, 1e-5);
  std::vector<double> const xv = values_of(x), wv = values_of(w), bv = values_of(b);
  std::vector<double> ref(xv.size());
  for (std::size_t n = 0; n < 2; ++n)
    for (std::size_t g = 0; g < 3; ++g) {
      double m = 0, v = 0;
      auto const at = [&](std::size_t k) { return n * 18 + g * 6 + k; }; // 2 channels x 3
      for (std::size_t k = 0; k < 6; ++k)
        m += xv[at(k)];
      m /= 6;
      for (std::size_t k = 0; k < 6; ++k)
        v += (xv[at(k)] - m) * (xv[at(k)] - m);
      v /= 6;
      for (std::size_t k = 0; k < 6; ++k) {
        std::size_t const channel = g * 2 + k / 3;
        ref[at(k)] = (xv[at(k)] - m) / std::sqrt(v + 1e-5) * wv[channel] + bv[channel];
      }
    }
  CHECK(allclose(y, tensor_of(ref, {2, 6, 3}), tolerance_for_norm<T>()));
}

TEST_CASE("group_norm: one group per channel is instance norm; errors") {
  Generator gen{8};
  Tensor const x = randn({3, 2, 5}, gen).transpose(0, 1).contiguous().transpose(0, 1);
  REQUIRE_FALSE(x.is_contiguous());
  Tensor const y = group_norm(x, 2);
  CHECK(allclose(y, tensor_of(reference_rows(values_of(x), 5, {}, {}, 1e-5), {3, 2, 5}),
                 {1e-5, 1e-5}));
  CHECK_THROWS_WITH_AS(group_norm(ones({2, 6, 4}), 4),
                       "Expected number of channels in input to be divisible by num_groups, but "
                       "got input of shape [2, 6, 4] and num_groups=4",
                       shape_error);
  CHECK_THROWS_WITH_AS(group_norm(ones({2, 6}), 3, ones({3})),
                       "Expected weight to be a vector of size equal to the number of channels "
                       "in input, but got weight of shape [3] and input of shape [2, 6]",
                       shape_error);
  CHECK_THROWS_AS(group_norm(ones({2, 6}), 0), value_error);
  CHECK_THROWS_AS(group_norm(ones({6}), 3), shape_error);
}
