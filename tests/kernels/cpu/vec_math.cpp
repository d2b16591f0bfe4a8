// xport::kernels::cpu::vec (SLEEF's vector math) against references computed independently:
// float results against the double-precision function rounded to float, double results
// against the long-double function; special values; the padded last vector; and the
// elementwise kernels running on it; the row kernels (softmax, layer norm) against
// double-precision references; which vector unit runs them. CTest runs this file once
// per unit the CPU has (XPORT_CPU_CAPABILITY=sse2, avx2, and unset). Built with XPORT_HAS_SLEEF
// where SLEEF is installed (CI installs it); without it, only the scalar fallback is checked.
#include <xport/kernels/cpu/vec_math.hpp>
#include <xport/kernels/cpu/vec_rows.hpp>

#include <xport/api/elementwise.hpp>
#include <xport/api/reduction.hpp>
#include <xport/core/factories.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace vec = xport::kernels::cpu::vec;
namespace k = xport::kernels;

#if XPORT_VEC_MATH

// Distance in units in the last place: how many representable values lie between a and b
// (0 when equal, also for two NaNs).
template <class T>
std::int64_t ulp_distance(T a, T b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : INT64_MAX;
  if (a == b) return 0; // also +0 and -0
  using I = std::conditional_t<sizeof(T) == 4, std::int32_t, std::int64_t>;
  auto ordered = [](T x) {
    auto const i = static_cast<std::int64_t>(std::bit_cast<I>(x));
    return i < 0 ? static_cast<std::int64_t>(std::numeric_limits<I>::min()) - i : i;
  };
  std::int64_t const d = ordered(a) - ordered(b);
  return d < 0 ? -d : d;
}

// Inputs over [lo, hi]: evenly spaced, plus values spaced geometrically toward 0 on both
// sides (where relative accuracy is hardest).
template <class T>
std::vector<T> sweep(T lo, T hi, int count) {
  std::vector<T> xs;
  for (int i = 0; i <= count; ++i)
    xs.push_back(lo + (hi - lo) * static_cast<T>(i) / static_cast<T>(count));
  for (T x = std::min(hi, T(1)); x > T(1e-30); x *= T(0.93)) {
    if (x >= lo) xs.push_back(x);
    if (-x >= lo && -x <= hi) xs.push_back(-x);
  }
  return xs;
}

// The worst ULP distance of vec::apply(f) from `reference` over `xs` (MESSAGE'd with its input).
template <class T, class F, class Ref>
std::int64_t worst_ulp(F const& f, std::vector<T> const& xs, Ref&& reference,
                       std::string_view what) {
  std::vector<T> got(xs.size());
  vec::apply(f, xs.data(), got.data(), static_cast<std::int64_t>(xs.size()));
  std::int64_t worst = 0;
  T at = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    std::int64_t const d = ulp_distance(got[i], reference(xs[i]));
    if (d > worst) {
      worst = d;
      at = xs[i];
    }
  }
  MESSAGE(what << ": worst " << worst << " ULP at x = " << at);
  return worst;
}

// float: the function in double, rounded once to float (correctly rounded nearly always).
template <class F, class D>
std::int64_t worst_float(F const& f, float lo, float hi, D&& in_double, std::string_view what) {
  return worst_ulp<float>(
      f, sweep(lo, hi, 200000), [&](float x) { return static_cast<float>(in_double(double{x})); },
      what);
}

// double: the function in long double (x87's 64-bit significand), rounded once to double.
template <class F, class L>
std::int64_t worst_double(F const& f, double lo, double hi, L&& in_long, std::string_view what) {
  return worst_ulp<double>(
      f, sweep(lo, hi, 200000),
      [&](double x) { return static_cast<double>(in_long(static_cast<long double>(x))); }, what);
}

TEST_CASE("SLEEF's functions stay within 1 ULP of the correctly rounded result") {
  // SLEEF's _u10 functions promise 1.0 ULP against the exact value; against the exact
  // value rounded (our reference) that is at most 1 apart as an integer distance.
  CHECK(worst_float(
            k::exp_fn{}, -100.f, 88.f, [](double x) { return std::exp(x); }, "expf")
        <= 1);
  CHECK(worst_float(
            k::log_fn{}, 1e-30f, 1e30f, [](double x) { return std::log(x); }, "logf")
        <= 1);
  CHECK(worst_float(
            k::log1p_fn{}, -0.999f, 1e6f, [](double x) { return std::log1p(x); }, "log1pf")
        <= 1);
  CHECK(worst_float(
            k::sin_fn{}, -1000.f, 1000.f, [](double x) { return std::sin(x); }, "sinf")
        <= 1);
  CHECK(worst_float(
            k::cos_fn{}, -1000.f, 1000.f, [](double x) { return std::cos(x); }, "cosf")
        <= 1);
  CHECK(worst_float(
            k::tanh_fn{}, -20.f, 20.f, [](double x) { return std::tanh(x); }, "tanhf")
        <= 1);
  CHECK(worst_float(
            k::erf_fn{}, -6.f, 6.f, [](double x) { return std::erf(x); }, "erff")
        <= 1);

  CHECK(worst_double(
            k::exp_fn{}, -700., 709., [](long double x) { return std::exp(x); }, "exp")
        <= 1);
  CHECK(worst_double(
            k::log_fn{}, 1e-300, 1e300, [](long double x) { return std::log(x); }, "log")
        <= 1);
  CHECK(worst_double(
            k::tanh_fn{}, -30., 30., [](long double x) { return std::tanh(x); }, "tanh")
        <= 1);
  CHECK(worst_double(
            k::erf_fn{}, -7., 7., [](long double x) { return std::erf(x); }, "erf")
        <= 1);
}

TEST_CASE("the activations built on SLEEF agree with their formulas in double") {
  // sigmoid and SiLU are a few float operations around a 1-ULP exp: within 2 ULP where the
  // result is not tiny.
  auto bounded = [](auto const& f, auto&& in_double, std::string_view what) {
    std::vector<float> xs = sweep(-8.f, 8.f, 100000);
    std::vector<float> kept;
    for (float x : xs)
      if (std::abs(in_double(double{x})) > 1e-3) kept.push_back(x);
    return worst_ulp<float>(
        f, kept, [&](float x) { return static_cast<float>(in_double(double{x})); }, what);
  };
  CHECK(bounded(
            k::sigmoid_fn{}, [](double x) { return 1 / (1 + std::exp(-x)); }, "sigmoid")
        <= 2);
  CHECK(bounded(
            k::silu_fn{}, [](double x) { return x / (1 + std::exp(-x)); }, "silu")
        <= 2);

  // GELU is x/2 (1 + erf(x/sqrt 2)): for negative x, 1 + erf cancels, so the float formula
  // (scalar or vector, PyTorch's included) is accurate relative to |x|, not to the result:
  // the error stays within a few float epsilons of max(|x|, |result|).
  auto worst_relative_to_x = [](k::gelu_fn f, auto&& in_double) {
    std::vector<float> const xs = sweep(-10.f, 10.f, 100000);
    std::vector<float> got(xs.size());
    vec::apply(f, xs.data(), got.data(), static_cast<std::int64_t>(xs.size()));
    double worst = 0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      double const exact = in_double(double{xs[i]});
      double const scale = std::max(std::abs(double{xs[i]}), std::abs(exact));
      if (scale > 0) worst = std::max(worst, std::abs(got[i] - exact) / scale);
    }
    return worst / std::numeric_limits<float>::epsilon();
  };
  double const exact_gelu = worst_relative_to_x(
      k::gelu_fn{false}, [](double x) { return x * 0.5 * (1 + std::erf(x / std::sqrt(2.0))); });
  double const tanh_gelu = worst_relative_to_x(k::gelu_fn{true}, [](double x) {
    return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
  });
  MESSAGE("gelu: " << exact_gelu << " eps, gelu tanh: " << tanh_gelu << " eps of max(|x|, |y|)");
  CHECK(exact_gelu <= 2);
  CHECK(tanh_gelu <= 2);
}

TEST_CASE("special values follow IEEE and libm") {
  float const inf = std::numeric_limits<float>::infinity();
  float const nan = std::numeric_limits<float>::quiet_NaN();
  auto one = [](auto const& f, float x) {
    float y = 0;
    vec::apply(f, &x, &y, 1);
    return y;
  };
  CHECK(one(k::exp_fn{}, -inf) == 0.f);
  CHECK(one(k::exp_fn{}, inf) == inf);
  CHECK(one(k::exp_fn{}, 89.f) == inf); // overflow
  CHECK(std::isnan(one(k::exp_fn{}, nan)));
  CHECK(one(k::log_fn{}, 0.f) == -inf);
  CHECK(std::isnan(one(k::log_fn{}, -1.f)));
  CHECK(one(k::log1p_fn{}, -1.f) == -inf);
  CHECK(one(k::tanh_fn{}, inf) == 1.f);
  CHECK(one(k::tanh_fn{}, -inf) == -1.f);
  CHECK(one(k::erf_fn{}, -inf) == -1.f);
  CHECK(one(k::sigmoid_fn{}, -inf) == 0.f);
  CHECK(one(k::sigmoid_fn{}, inf) == 1.f);
  CHECK(std::isnan(one(k::sin_fn{}, inf)));
  CHECK(std::isnan(one(k::gelu_fn{false}, nan)));
  CHECK(std::signbit(one(k::tanh_fn{}, -0.f)));
}

TEST_CASE("an element's result does not depend on its position, the array's length or aliasing") {
  std::vector<float> xs;
  for (int i = 0; i < 37; ++i)
    xs.push_back(-3.3f + 0.21f * static_cast<float>(i));
  std::vector<float> whole(xs.size());
  vec::apply(k::tanh_fn{}, xs.data(), whole.data(), static_cast<std::int64_t>(xs.size()));
  for (std::size_t n = 1; n <= 17; ++n) { // every tail length of 4- and 8-wide vectors
    for (std::size_t start : {std::size_t{0}, std::size_t{3}, std::size_t{20}}) {
      std::vector<float> part(n, -7.f);
      vec::apply(k::tanh_fn{}, xs.data() + start, part.data(), static_cast<std::int64_t>(n));
      for (std::size_t i = 0; i < n; ++i)
        CHECK(part[i] == whole[start + i]);
    }
  }
  std::vector<float> in_place = xs;
  vec::apply(k::tanh_fn{}, in_place.data(), in_place.data(), static_cast<std::int64_t>(xs.size()));
  CHECK(in_place == whole);
  std::vector<float> untouched(8, 5.f); // n == 0 writes nothing
  vec::apply(k::exp_fn{}, xs.data(), untouched.data(), 0);
  CHECK(untouched == std::vector<float>(8, 5.f));
}

template <class T>
std::vector<T> values(xport::Tensor const& t) {
  xport::Tensor const c = t.contiguous();
  T const* p = c.data_ptr<T>();
  return {p, p + c.numel()};
}

template <class T>
xport::Tensor tensor(std::vector<T> const& xs) {
  return xport::from(std::span<T const>(xs), {static_cast<std::int64_t>(xs.size())});
}

TEST_CASE("the elementwise kernels run contiguous float and double math on SLEEF") {
  // The kernels (xport::cpu_kernels, built with SLEEF here) give vec::apply's results
  // bit for bit on contiguous tensors, and the same math on strided ones within 1 ULP.
  std::vector<float> xs = sweep(-5.f, 5.f, 997);
  auto const n = static_cast<std::int64_t>(xs.size());
  xport::Tensor const t = tensor(xs);
  std::vector<float> expected(xs.size());
  vec::apply(k::erf_fn{}, xs.data(), expected.data(), n);
  CHECK(values<float>(xport::erf(t)) == expected);
  vec::apply(k::gelu_fn{true}, xs.data(), expected.data(), n);
  CHECK(values<float>(xport::gelu(t, "tanh")) == expected);

  std::vector<float> pairs; // [n, 2]: column 0 has stride 2
  for (float x : xs)
    pairs.insert(pairs.end(), {x, 0.f});
  xport::Tensor const strided = xport::from(std::span<float const>(pairs), {n, 2}).select(1, 0);
  REQUIRE_FALSE(strided.is_contiguous());
  std::vector<float> const from_strided = values<float>(xport::exp(strided));
  for (std::size_t i = 0; i < xs.size(); ++i)
    CHECK(ulp_distance(from_strided[i], static_cast<float>(std::exp(double{xs[i]}))) <= 1);

  std::vector<double> ds = {-2.5, -1.0, 0.0, 0.5, 3.0};
  std::vector<double> dexpected(ds.size());
  vec::apply(k::sigmoid_fn{}, ds.data(), dexpected.data(), 5);
  CHECK(values<double>(xport::sigmoid(tensor(ds))) == dexpected);
}

TEST_CASE("softmax and log_softmax of contiguous float rows run on SLEEF's exp") {
  // Rows of 37 (a 4- and 8-wide tail), with a large spread and a -inf (weight 0).
  std::vector<float> xs;
  for (int r = 0; r < 3; ++r)
    for (int j = 0; j < 37; ++j)
      xs.push_back(static_cast<float>((j * 7 + r * 13) % 23) * 1.7f - 20.f * static_cast<float>(r));
  xs[5] = -std::numeric_limits<float>::infinity();
  xport::Tensor const t = xport::from(std::span<float const>(xs), {3, 37});
  std::vector<float> const soft = values<float>(xport::softmax(t, 1));
  std::vector<float> const log_soft = values<float>(xport::log_softmax(t, 1));
  for (std::size_t r = 0; r < 3; ++r) {
    double top = -INFINITY;
    for (std::size_t j = 0; j < 37; ++j)
      top = std::max(top, double{xs[r * 37 + j]});
    double total = 0;
    for (std::size_t j = 0; j < 37; ++j)
      total += std::exp(double{xs[r * 37 + j]} - top);
    for (std::size_t j = 0; j < 37; ++j) {
      double const centered = double{xs[r * 37 + j]} - top;
      CHECK(ulp_distance(soft[r * 37 + j], static_cast<float>(std::exp(centered) / total)) <= 2);
      CHECK(ulp_distance(log_soft[r * 37 + j], static_cast<float>(centered - std::log(total)))
            <= 2);
    }
  }
  CHECK(soft[5] == 0.f);
  CHECK(log_soft[5] == -std::numeric_limits<float>::infinity());
  // NaN anywhere in a row makes the whole row NaN; other rows are untouched.
  xs[40] = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> const with_nan =
      values<float>(xport::softmax(xport::from(std::span<float const>(xs), {3, 37}), 1));
  CHECK(std::isnan(with_nan[37]));
  CHECK(std::isnan(with_nan[73]));
  CHECK(with_nan[0] == soft[0]);
}

// softmax of each row in double: exp(x - max) / sum; NaN rows NaN, -inf rows zeros.
std::vector<double> softmax_reference(std::vector<float> const& x, std::int64_t width) {
  std::vector<double> out(x.size());
  for (std::size_t r = 0; r < x.size() / static_cast<std::size_t>(width); ++r) {
    auto const row =
        std::span(x).subspan(r * static_cast<std::size_t>(width), static_cast<std::size_t>(width));
    std::span<double> const y(out.data() + r * static_cast<std::size_t>(width), row.size());
    bool const nan = std::ranges::any_of(row, [](float v) { return std::isnan(v); });
    double const top = *std::ranges::max_element(row);
    if (nan || top == -std::numeric_limits<double>::infinity()) {
      std::ranges::fill(y, nan ? std::nan("") : 0.0);
      continue;
    }
    double sum = 0;
    for (std::size_t i = 0; i < row.size(); ++i)
      sum += y[i] = std::exp(double{row[i]} - top);
    for (double& v : y)
      v /= sum;
  }
  return out;
}

TEST_CASE("softmax_rows: each row's softmax, zeros for a row of -inf, NaN for a row with NaN") {
  constexpr float inf = std::numeric_limits<float>::infinity();
  for (std::int64_t const width : {1, 7, 8, 9, 32, 100}) {
    CAPTURE(width);
    std::vector<float> x;
    for (std::int64_t r = 0; r < 5; ++r)
      for (std::int64_t i = 0; i < width; ++i)
        x.push_back(static_cast<float>(std::sin(static_cast<double>(r * 31 + i)) * 20));
    std::vector<float> row(static_cast<std::size_t>(width), -inf); // masked out entirely
    x.insert(x.end(), row.begin(), row.end());
    row.back() = std::nanf("");
    x.insert(x.end(), row.begin(), row.end());
    row.assign(row.size(), 3.0f);
    row.front() = -inf; // one masked entry
    x.insert(x.end(), row.begin(), row.end());
    std::vector<double> const want = softmax_reference(x, width);
    vec::softmax_rows(x.data(), static_cast<std::int64_t>(x.size()) / width, width);
    for (std::size_t i = 0; i < x.size(); ++i) {
      CAPTURE(i);
      if (std::isnan(want[i])) {
        CHECK(std::isnan(x[i]));
      } else {
        CHECK(double{x[i]} == doctest::Approx(want[i]).epsilon(2e-6));
      }
    }
  }
}

TEST_CASE("layer_norm_rows: each row normalized in double, with and without weight and bias") {
  for (std::int64_t const n : {1, 7, 16, 33}) {
    std::vector<double> x, w, b;
    for (std::int64_t i = 0; i < 3 * n; ++i)
      x.push_back(std::cos(static_cast<double>(i) * 0.7) * 5 + 100); // a large mean
    for (std::int64_t i = 0; i < n; ++i) {
      w.push_back(0.5 + static_cast<double>(i) / 10);
      b.push_back(static_cast<double>(i) - 3);
    }
    for (bool const weight : {false, true}) {
      for (bool const bias : {false, true}) {
        CAPTURE(n);
        CAPTURE(weight);
        CAPTURE(bias);
        std::vector<double> got(x.size());
        vec::layer_norm_rows(x.data(), got.data(), 3, n, 1e-5, weight ? w.data() : nullptr,
                             bias ? b.data() : nullptr);
        for (std::int64_t r = 0; r < 3; ++r) {
          double mean = 0, var = 0;
          for (std::int64_t i = 0; i < n; ++i)
            mean += x[static_cast<std::size_t>(r * n + i)] / static_cast<double>(n);
          for (std::int64_t i = 0; i < n; ++i) {
            double const d = x[static_cast<std::size_t>(r * n + i)] - mean;
            var += d * d / static_cast<double>(n);
          }
          for (std::int64_t i = 0; i < n; ++i) {
            auto const k = static_cast<std::size_t>(i);
            double want = (x[static_cast<std::size_t>(r * n + i)] - mean) / std::sqrt(var + 1e-5);
            if (weight) want *= w[k];
            if (bias) want += b[k];
            CHECK(got[static_cast<std::size_t>(r * n + i)] == doctest::Approx(want).epsilon(1e-12));
          }
        }
      }
    }
  }
}

#endif // XPORT_VEC_MATH

TEST_CASE("the vector kernels run on the widest unit the CPU has, capped by "
          "XPORT_CPU_CAPABILITY") {
  vec::wide_table const* const table = vec::wide.load();
  char const* const env = std::getenv("XPORT_CPU_CAPABILITY");
  std::string_view const cap = env != nullptr ? env : "";
  MESSAGE("vector unit: " << (table != nullptr ? table->name : "the caller's own (sse2)"));
#if XPORT_VEC_MATH && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  bool const avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  bool const avx512 = avx2 && __builtin_cpu_supports("avx512f")
                      && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")
                      && __builtin_cpu_supports("avx512bw");
  std::string_view want = avx512 ? "avx512" : avx2 ? "avx2" : "";
  if (cap == "sse2" || (cap == "avx2" && want == "avx512")) want = cap == "sse2" ? "" : "avx2";
  CHECK(std::string_view(table != nullptr ? table->name : "") == want);
  if (table != nullptr) CHECK(table->bytes == (want == "avx512" ? 64 : 32));
#else
  CHECK(table == nullptr);
#endif
}

TEST_CASE("which functors and element types are vectorized") {
  CHECK_FALSE(vec::vectorized<k::neg_fn, float>);       // the compiler vectorizes it already
  CHECK_FALSE(vec::vectorized<k::exp_fn, int>);         // integer inputs compute in float
  CHECK_FALSE(vec::vectorized<k::exp_fn, xport::half>); // half computes in float, converted
#if XPORT_VEC_MATH
  CHECK(vec::vectorized<k::exp_fn, float>);
  CHECK(vec::vectorized<k::gelu_fn, double>);
#else
  CHECK_FALSE(vec::vectorized<k::exp_fn, float>);
  MESSAGE(
      "built without SLEEF (XPORT_HAS_SLEEF): the kernels use scalar loops; vector tests skipped");
#endif
}

} // namespace
