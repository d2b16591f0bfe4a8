// Small tensor helpers shared by test files (which are compiled together in unity batches,
// so a helper lives here once rather than in each file).
#pragma once

#include <xport/core/factories.hpp>

#include <cstdint>
#include <vector>

namespace test {

// 0, 1, 2, ... laid out in `sizes`.
inline xport::Tensor iota(std::vector<std::int64_t> const& sizes,
                          xport::dtype type = xport::dtype::float32) {
  std::int64_t n = 1;
  for (auto s : sizes)
    n *= s;
  return xport::arange(0, n, 1, {.dtype = type}).view(sizes);
}

// True when `t` has exactly `sizes`.
inline bool sizes_are(xport::Tensor const& t, std::vector<std::int64_t> const& sizes) {
  return std::vector<std::int64_t>(t.sizes().begin(), t.sizes().end()) == sizes;
}

} // namespace test
