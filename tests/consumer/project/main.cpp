// A downstream program: include the umbrella, make a tensor, check a value; then a matrix
// product through consumer_lib (which links xport::cpu_kernels and, when present,
// xport::blas), checked against a plain loop.
#include "lib.hpp"

#include <xport/xport.hpp>

#include <cstdint>
#include <iostream>
#include <vector>

int main() {
  xport::Tensor const t = xport::arange(6).view({2, 3}).t();
  if (t.at<std::int64_t>({2, 1}) != 5) return 1;

  // Small integers: every product and sum is exact in float32, whatever the backend.
  std::int64_t const m = 37, k = 64, n = 29;
  std::vector<float> a(static_cast<std::size_t>(m * k)), b(static_cast<std::size_t>(k * n));
  for (std::int64_t i = 0; i < m * k; ++i)
    a[static_cast<std::size_t>(i)] = static_cast<float>((i * 7) % 11) - 5.0f;
  for (std::int64_t i = 0; i < k * n; ++i)
    b[static_cast<std::size_t>(i)] = static_cast<float>((i * 5) % 13) - 6.0f;
  xport::Tensor const c = consumer::matmul(xport::from(a, {m, k}), xport::from(b, {k, n}));
  if (c.size(0) != m || c.size(1) != n) return 2;
  for (std::int64_t i = 0; i < m; ++i) {
    for (std::int64_t j = 0; j < n; ++j) {
      float expected = 0.0f;
      for (std::int64_t l = 0; l < k; ++l)
        expected += a[static_cast<std::size_t>(i * k + l)] * b[static_cast<std::size_t>(l * n + j)];
      if (c.at<float>({i, j}) != expected) {
        std::cerr << "matmul mismatch at (" << i << ", " << j << "): " << c.at<float>({i, j})
                  << " != " << expected << "\n";
        return 3;
      }
    }
  }
#if defined(CONSUMER_EXPECT_BLAS)
  if (consumer::gemm_backend() != "openblas") return 4;
#endif
  std::cout << "consumer ok: " << t << "\nmatmul " << m << "x" << k << " @ " << k << "x" << n
            << " ok (consumer_lib's gemm backend: " << consumer::gemm_backend() << ")\n";
}
