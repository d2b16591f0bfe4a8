// CPU conv2d: xport's im2col + GEMM kernel (through the xport::conv2d front end) against
// a direct seven-loop convolution, in one run; read the numbers as ratios. The GEMM is
// OpenBLAS when this program is built with xport::blas (XPORT_HAS_CBLAS), otherwise the
// portable loop: `gemm_backend` is printed in the counters' label.
// Shapes: a ResNet 3x3 stage, a small-CNN first layer, a 1x1 (pointwise) layer, a strided
// 3x3 and a depthwise 3x3.
// Run single-threaded for a fair comparison: OPENBLAS_NUM_THREADS=1 ./bench_cpu_conv
// Measured on the shared 2-core Xeon (g++ 12, -O2, CPU time), direct / im2col+GEMM time:
// with OpenBLAS 45x (ResNet 3x3), 20x (small CNN), 100x (1x1), 45x (strided 3x3), 3.3x
// (depthwise, where each GEMM is 1 x 9 x 3136); with the portable GEMM 1.9x, 6x, 1.8x.
#include <xport/api/conv.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/kernels/cpu/gemm.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

namespace {

struct conv_problem {
  xport::Tensor input, weight, bias;
  std::int64_t stride, padding, groups;
};

// Args: N, C, H (= W), OC, K, stride, padding, groups.
conv_problem make_problem(benchmark::State const& state) {
  xport::Generator gen(1);
  std::int64_t const n = state.range(0), c = state.range(1), h = state.range(2),
                     oc = state.range(3), k = state.range(4), groups = state.range(7);
  return {xport::randn({n, c, h, h}, gen),
          xport::randn({oc, c / groups, k, k}, gen),
          xport::randn({oc}, gen),
          state.range(5),
          state.range(6),
          groups};
}

// The baseline: out[n, o, y, x] = bias[o] + sum_{c, i, j} in[n, g*cg + c, ...] * w[o, c, i, j],
// innermost loop over the kernel width, zero padding by bounds checks.
void direct_conv2d(conv_problem const& p, xport::Tensor const& out) {
  float const* x = p.input.data_ptr<float>();
  float const* w = p.weight.data_ptr<float>();
  float const* b = p.bias.data_ptr<float>();
  float* y = out.data_ptr<float>();
  std::int64_t const N = p.input.size(0), C = p.input.size(1), H = p.input.size(2),
                     W = p.input.size(3);
  std::int64_t const O = p.weight.size(0), K = p.weight.size(2);
  std::int64_t const OH = out.size(2), OW = out.size(3);
  std::int64_t const cg = C / p.groups, og = O / p.groups;
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t o = 0; o < O; ++o) {
      std::int64_t const first = (o / og) * cg;
      for (std::int64_t oy = 0; oy < OH; ++oy)
        for (std::int64_t ox = 0; ox < OW; ++ox) {
          float sum = b[o];
          for (std::int64_t c = 0; c < cg; ++c)
            for (std::int64_t i = 0; i < K; ++i) {
              std::int64_t const iy = oy * p.stride - p.padding + i;
              if (iy < 0 || iy >= H) continue;
              float const* row = x + ((n * C + first + c) * H + iy) * W;
              float const* taps = w + ((o * cg + c) * K + i) * K;
              for (std::int64_t j = 0; j < K; ++j) {
                std::int64_t const ix = ox * p.stride - p.padding + j;
                if (ix >= 0 && ix < W) sum += row[ix] * taps[j];
              }
            }
          y[((n * O + o) * OH + oy) * OW + ox] = sum;
        }
    }
}

void set_counters(benchmark::State& state, conv_problem const& p, xport::Tensor const& out) {
  double const macs = static_cast<double>(out.numel()) * static_cast<double>(p.weight.numel())
                      / static_cast<double>(p.weight.size(0));
  state.counters["GFLOP/s"] =
      benchmark::Counter(2 * macs * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
  state.SetLabel(std::string(xport::kernels::cpu::gemm_backend));
}

void BM_im2col_gemm(benchmark::State& state) {
  conv_problem const p = make_problem(state);
  xport::Tensor out;
  for (auto _ : state) {
    out = xport::conv2d(p.input, p.weight, p.bias,
                        {.stride = {p.stride}, .padding = {p.padding}, .groups = p.groups});
    benchmark::DoNotOptimize(out.data());
  }
  set_counters(state, p, out);
}

void BM_direct(benchmark::State& state) {
  conv_problem const p = make_problem(state);
  xport::Tensor const shape =
      xport::conv2d(p.input, p.weight, p.bias,
                    {.stride = {p.stride}, .padding = {p.padding}, .groups = p.groups});
  xport::Tensor const out = xport::empty(shape.sizes());
  for (auto _ : state) {
    direct_conv2d(p, out);
    benchmark::DoNotOptimize(out.data());
  }
  set_counters(state, p, out);
}

void shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"N", "C", "H", "OC", "K", "s", "p", "g"});
  b->Args({1, 64, 56, 64, 3, 1, 1, 1});   // ResNet stage 1, 3x3
  b->Args({8, 3, 32, 16, 3, 1, 1, 1});    // small CNN, first layer
  b->Args({1, 128, 28, 128, 1, 1, 0, 1}); // pointwise
  b->Args({1, 64, 56, 128, 3, 2, 1, 1});  // strided 3x3
  b->Args({1, 64, 56, 64, 3, 1, 1, 64});  // depthwise 3x3
  b->Unit(benchmark::kMillisecond);
}

} // namespace

BENCHMARK(BM_im2col_gemm)->Apply(shapes);
BENCHMARK(BM_direct)->Apply(shapes);
