// CPU GEMM: the measurements behind docs/gemm.md. Read them as ratios within one run:
// "openblas" (cblas_?gemm called directly), "eigen" (Eigen 3 Map product, when the
// benchmark is built with Eigen), "xport" (xport::kernels::cpu::gemm on Tensors: the
// backend plus validation and dispatch) and "portable" (the loop xport uses without
// BLAS). Shapes are those models use: square, a batch of 8 through a 784 -> 128 layer, a
// single row through 4096 x 4096, and 64 small matrices (bmm). "layer" is the same
// product as an exported nn::Linear (weight [n, k] and a bias) called through
// ExportedModule::run_into: what a GEMM-bound layer of a model gets, plan and bias included;
// "layer_frozen" the same with the state frozen (runtime::plan_options::freeze), so the
// plan reads a copy of the weight laid out once for the product (runtime/packing.hpp),
// and "layer_frozen_copied" with an output the plan cannot write in place (it shares
// the input's storage), so the result is copied out of the plan's arena;
// "openblas_layer" the same layer written by hand on OpenBLAS (the bias copied into each
// row of the output, then one sgemm adding to it, the weight stored [k, n]): the most a
// layer with a bias can get from this BLAS, and the baseline the "layer" rows are read against;
// "openblas_layer_t" the same with the weight stored [n, k] as nn::Linear keeps it and read
// transposed by OpenBLAS, as an unfrozen "layer" reads it.
// Run single-threaded for a fair comparison: OPENBLAS_NUM_THREADS=1 ./bench_cpu_gemm
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/export/export.hpp>
#include <xport/kernels/cpu/gemm.hpp>
#include <xport/nn/linear.hpp>

#include <benchmark/benchmark.h>

#if defined(XPORT_BENCH_EIGEN) && XPORT_BENCH_EIGEN
#include <Eigen/Core>
#endif

#include <cstdint>
#include <cstring>
#include <tuple>
#include <vector>

namespace {

struct problem {
  xport::Tensor a, b, out;
  std::int64_t batch, m, k, n;
};

template <class T>
problem make_problem(benchmark::State const& state) {
  std::int64_t const batch = state.range(0), m = state.range(1), k = state.range(2),
                     n = state.range(3);
  xport::Generator gen(1);
  xport::dtype const type = xport::dtype_of<T>;
  return {xport::randn({batch, m, k}, gen).to(type),
          xport::randn({batch, k, n}, gen).to(type),
          xport::zeros({batch, m, n}, {.dtype = type}),
          batch,
          m,
          k,
          n};
}

void count_flops(benchmark::State& state, problem const& p) {
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * static_cast<double>(p.batch * p.m * p.k * p.n),
      benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

template <class T>
void xport_gemm(benchmark::State& state) {
  problem const p = make_problem<T>(state);
  // 2-D calls for a batch of one, so the matrix entry point is what is measured.
  xport::Tensor const a = p.batch == 1 ? p.a.select(0, 0) : p.a;
  xport::Tensor const b = p.batch == 1 ? p.b.select(0, 0) : p.b;
  xport::Tensor const out = p.batch == 1 ? p.out.select(0, 0) : p.out;
  for (auto _ : state) {
    if (p.batch == 1) {
      xport::kernels::cpu::gemm(a, b, out);
    } else {
      xport::kernels::cpu::gemm_batched(a, b, out);
    }
    benchmark::ClobberMemory();
  }
  count_flops(state, p);
  state.SetLabel(std::string(xport::kernels::cpu::gemm_backend));
}

template <class T>
void portable(benchmark::State& state) {
  problem const p = make_problem<T>(state);
  namespace detail = xport::kernels::cpu::gemm_detail;
  for (auto _ : state) {
    detail::portable_gemm<T>(p.batch, p.m, p.n, p.k, T{1}, detail::matrix_of<T const>(p.a),
                             detail::matrix_of<T const>(p.b), T{0}, detail::matrix_of<T>(p.out));
    benchmark::ClobberMemory();
  }
  count_flops(state, p);
}

#if defined(XPORT_HAS_CBLAS) && XPORT_HAS_CBLAS
template <class T>
void openblas(benchmark::State& state) {
  problem const p = make_problem<T>(state);
  auto const m = static_cast<int>(p.m), k = static_cast<int>(p.k), n = static_cast<int>(p.n);
  T const* a = p.a.data_ptr<T>();
  T const* b = p.b.data_ptr<T>();
  T* c = p.out.data_ptr<T>();
  for (auto _ : state) {
    for (std::int64_t i = 0; i < p.batch; ++i) {
      T const* ai = a + i * p.m * p.k;
      T const* bi = b + i * p.k * p.n;
      T* ci = c + i * p.m * p.n;
      if constexpr (std::is_same_v<T, float>) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, ai, k, bi, n, 0.0f,
                    ci, n);
      } else {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0, ai, k, bi, n, 0.0, ci,
                    n);
      }
    }
    benchmark::ClobberMemory();
  }
  count_flops(state, p);
  state.SetLabel(openblas_get_corename());
}

// A linear layer on OpenBLAS alone: y = bias (each row), then y += x @ w with w [k, n]
// (`transposed`: w stored [n, k] as nn::Linear's weight, and read transposed).
void openblas_layer(benchmark::State& state, bool transposed) {
  problem const p = make_problem<float>(state);
  auto const m = static_cast<int>(p.m), k = static_cast<int>(p.k), n = static_cast<int>(p.n);
  xport::Generator gen(2);
  xport::Tensor const bias = xport::randn({p.n}, gen);
  float const* x = p.a.data_ptr<float>();
  float const* w = p.b.data_ptr<float>();
  float const* b = bias.data_ptr<float>();
  float* y = p.out.data_ptr<float>();
  for (auto _ : state) {
    for (std::int64_t r = 0; r < p.m; ++r)
      std::memcpy(y + r * p.n, b, static_cast<std::size_t>(p.n) * sizeof(float));
    cblas_sgemm(CblasRowMajor, CblasNoTrans, transposed ? CblasTrans : CblasNoTrans, m, n, k, 1.0f,
                x, k, w, transposed ? k : n, 1.0f, y, n);
    benchmark::ClobberMemory();
  }
  count_flops(state, p);
}
#endif

#if defined(XPORT_BENCH_EIGEN) && XPORT_BENCH_EIGEN
template <class T>
void eigen(benchmark::State& state) {
  using matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  problem const p = make_problem<T>(state);
  for (auto _ : state) {
    for (std::int64_t i = 0; i < p.batch; ++i) {
      Eigen::Map<matrix const> const a(p.a.data_ptr<T>() + i * p.m * p.k, p.m, p.k);
      Eigen::Map<matrix const> const b(p.b.data_ptr<T>() + i * p.k * p.n, p.k, p.n);
      Eigen::Map<matrix> c(p.out.data_ptr<T>() + i * p.m * p.n, p.m, p.n);
      c.noalias() = a * b;
    }
    benchmark::ClobberMemory();
  }
  count_flops(state, p);
  state.SetLabel(Eigen::SimdInstructionSetsInUse());
}
#endif

// `copied`: the output tensor shares storage with the input, so the plan cannot write
// into it and copies the result from its arena (the baseline for writing in place).
void layer(benchmark::State& state, bool freeze, bool copied) {
  std::int64_t const m = state.range(1), k = state.range(2), n = state.range(3);
  xport::Generator gen(1);
  xport::nn::Linear fc(k, n, gen);
  xport::Tensor const storage = xport::empty({m * k + m * n + 16}); // 64-byte apart
  xport::Tensor const x = storage.narrow(0, 0, m * k).view({m, k});
  x.copy_(xport::randn({m, k}, gen));
  xport::ExportedModule run = xport::export_program(fc, std::tuple{x}).module({.freeze = freeze});
  xport::Tensor const out =
      copied ? storage.narrow(0, m * k + 16, m * n).view({m, n}) : xport::empty({m, n});
  std::vector<xport::leaf> const in{x};
  for (auto _ : state)
    run.run_into(in, {&out, 1});
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * static_cast<double>(m * k * n),
                                                 benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
}

// {batch, m, k, n}
constexpr std::int64_t problems[][4] = {{1, 64, 64, 64},  {1, 256, 256, 256}, {1, 1024, 1024, 1024},
                                        {1, 8, 784, 128}, {1, 1, 4096, 4096}, {64, 64, 64, 64}};

void shapes(benchmark::internal::Benchmark* bench) {
  bench->ArgNames({"batch", "m", "k", "n"});
  for (auto const& p : problems)
    bench->Args({p[0], p[1], p[2], p[3]});
  bench->Unit(benchmark::kMicrosecond);
}

// The single matrices of `shapes` (a layer has one weight).
void layer_shapes(benchmark::internal::Benchmark* bench) {
  bench->ArgNames({"batch", "m", "k", "n"});
  for (auto const& p : problems)
    if (p[0] == 1) bench->Args({p[0], p[1], p[2], p[3]});
  bench->Unit(benchmark::kMicrosecond);
}

} // namespace

#if defined(XPORT_HAS_CBLAS) && XPORT_HAS_CBLAS
BENCHMARK(openblas<float>)->Name("sgemm/openblas")->Apply(shapes);
BENCHMARK(openblas<double>)->Name("dgemm/openblas")->Apply(shapes);
BENCHMARK_CAPTURE(openblas_layer, plain, false)->Name("sgemm/openblas_layer")->Apply(layer_shapes);
BENCHMARK_CAPTURE(openblas_layer, transposed, true)
    ->Name("sgemm/openblas_layer_t")
    ->Apply(layer_shapes);
#endif
#if defined(XPORT_BENCH_EIGEN) && XPORT_BENCH_EIGEN
BENCHMARK(eigen<float>)->Name("sgemm/eigen")->Apply(shapes);
BENCHMARK(eigen<double>)->Name("dgemm/eigen")->Apply(shapes);
#endif
BENCHMARK(xport_gemm<float>)->Name("sgemm/xport")->Apply(shapes);
BENCHMARK_CAPTURE(layer, plain, false, false)->Name("sgemm/layer")->Apply(layer_shapes);
BENCHMARK_CAPTURE(layer, frozen, true, false)->Name("sgemm/layer_frozen")->Apply(layer_shapes);
BENCHMARK_CAPTURE(layer, frozen_copied, true, true)
    ->Name("sgemm/layer_frozen_copied")
    ->Apply(layer_shapes);
BENCHMARK(xport_gemm<double>)->Name("dgemm/xport")->Apply(shapes);
BENCHMARK(portable<float>)->Name("sgemm/portable")->Apply(shapes);
BENCHMARK(portable<double>)->Name("dgemm/portable")->Apply(shapes);
