//! @file
//! Checks of module constructor arguments shared by the standard layers.
#pragma once

#include <xport/core/error.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xport::detail {

// "Linear: in_features must be positive, but got 0".
inline void expect_positive(std::string_view module, std::string_view what, std::int64_t value) {
  if (value <= 0) {
    throw value_error(std::string(module) + ": " + std::string(what) + " must be positive, but got "
                      + std::to_string(value));
  }
}

inline void expect_non_negative(std::string_view module, std::string_view what,
                                std::int64_t value) {
  if (value < 0) {
    throw value_error(std::string(module) + ": " + std::string(what)
                      + " must be non-negative, but got " + std::to_string(value));
  }
}

template <std::size_t N>
void expect_positive(std::string_view module, std::string_view what,
                     std::array<std::int64_t, N> const& values) {
  for (std::int64_t const value : values)
    if (value <= 0) {
      std::string text;
      for (std::size_t i = 0; i < N; ++i)
        text += (i == 0 ? "" : ", ") + std::to_string(values[i]);
      throw value_error(std::string(module) + ": " + std::string(what)
                        + " must be positive, but got (" + text + ")");
    }
}

template <std::size_t N>
std::vector<std::int64_t> to_vector(std::array<std::int64_t, N> const& values) {
  return {values.begin(), values.end()};
}

// PyTorch's dropout probability check (nn.Dropout, nn.MultiheadAttention, ...).
inline void expect_probability(double p) {
  if (!(p >= 0.0 && p <= 1.0)) {
    throw value_error("dropout probability has to be between 0 and 1, but got "
                      + std::to_string(p));
  }
}

} // namespace xport::detail
