// Unary math on 1M contiguous floats: the scalar loop the kernels ran before
// (`scalar/<fn>`: std::exp and friends, one element at a time) against SLEEF's vectors
// (`sleef/<fn>`, vec_math.hpp), and the whole eager op (`op/<fn>`: xport::exp on a
// tensor, output allocation included), which runs the SLEEF loop when the kernels were
// built with it (xport::cpu_kernels links xport::sleef when SLEEF is installed). Read
// sleef/<fn> and op/<fn> as ratios against scalar/<fn> of the same run.
#include <xport/api/elementwise.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/kernels/cpu/vec_math.hpp>
#include <xport/kernels/elementwise_functors.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

namespace {

namespace k = xport::kernels;

constexpr std::int64_t count = 1 << 20;

std::vector<float> inputs() {
  std::vector<float> xs(count);
  for (std::int64_t i = 0; i < count; ++i)
    xs[static_cast<std::size_t>(i)] = -6.f + 12.f * static_cast<float>(i) / count;
  return xs;
}

template <class F>
void scalar(benchmark::State& state, F f) {
  std::vector<float> const xs = inputs();
  std::vector<float> out(xs.size());
  for (auto _ : state) {
    for (std::size_t i = 0; i < xs.size(); ++i)
      out[i] = f(xs[i]);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * count);
}

#if XPORT_VEC_MATH
template <class F>
void sleef(benchmark::State& state, F f) {
  std::vector<float> const xs = inputs();
  std::vector<float> out(xs.size());
  for (auto _ : state) {
    xport::kernels::cpu::vec::apply(f, xs.data(), out.data(), count);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * count);
}
#endif

template <class Op>
void op(benchmark::State& state, Op call) {
  xport::Generator gen{0};
  xport::Tensor const x = xport::randn({count}, gen);
  for (auto _ : state)
    benchmark::DoNotOptimize(call(x));
  state.SetItemsProcessed(state.iterations() * count);
}

#if XPORT_VEC_MATH
#define XPORT_BENCH_SLEEF(name, f) BENCHMARK_CAPTURE(sleef, name, f);
#else
#define XPORT_BENCH_SLEEF(name, f)
#endif

// NOLINTBEGIN(cppcoreguidelines-macro-usage): one row per function, three ways.
#define XPORT_BENCH_UNARY(name, f, call)                                                           \
  BENCHMARK_CAPTURE(scalar, name, f);                                                              \
  XPORT_BENCH_SLEEF(name, f)                                                                       \
  BENCHMARK_CAPTURE(op, name, [](xport::Tensor const& t) { return call; });

XPORT_BENCH_UNARY(exp, k::exp_fn{}, xport::exp(t))
XPORT_BENCH_UNARY(log, k::log_fn{}, xport::log(t))
XPORT_BENCH_UNARY(tanh, k::tanh_fn{}, xport::tanh(t))
XPORT_BENCH_UNARY(erf, k::erf_fn{}, xport::erf(t))
XPORT_BENCH_UNARY(sigmoid, k::sigmoid_fn{}, xport::sigmoid(t))
XPORT_BENCH_UNARY(gelu, k::gelu_fn{false}, xport::gelu(t))
XPORT_BENCH_UNARY(gelu_tanh, k::gelu_fn{true}, xport::gelu(t, "tanh"))
XPORT_BENCH_UNARY(sin, k::sin_fn{}, xport::sin(t))
// NOLINTEND(cppcoreguidelines-macro-usage)

} // namespace
