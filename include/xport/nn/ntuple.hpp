//! @file
//! `nn::ntuple<N>`: a layer argument given as one integer or as N integers (PyTorch's
//! `_size_2_t`), such as a kernel size or a stride.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace xport::nn {

//! @brief N integers, written either as one (repeated: `3` means `(3, 3)`) or as all N
//! (`{3, 5}`), as PyTorch's layers accept `kernel_size=3` or `kernel_size=(3, 5)`.
//! @code
//! xport::nn::ntuple<2> k = 3;        // (3, 3)
//! xport::nn::ntuple<2> s = {2, 1};   // (2, 1)
//! @endcode
//! @tparam N the number of spatial dimensions
template <std::size_t N>
struct ntuple {
  std::array<std::int64_t, N> values{}; //!< one entry per spatial dimension

  //! @brief Zeros.
  constexpr ntuple() = default;
  //! @brief `value` in every dimension.
  constexpr ntuple(std::int64_t value) noexcept { // NOLINT: implicit, like PyTorch's int
    values.fill(value);
  }
  //! @brief One value per dimension.
  constexpr ntuple(std::array<std::int64_t, N> each) noexcept : values(each) {} // NOLINT
  //! @brief One value per dimension, in braces: `{3, 5}`.
  template <std::integral... I>
  requires(N > 1 && sizeof...(I) == N) constexpr ntuple(I... each) noexcept
      : values{static_cast<std::int64_t>(each)...} {} // NOLINT

  //! @brief The value of dimension `i`.
  constexpr std::int64_t operator[](std::size_t i) const noexcept { return values[i]; }

  //! @brief The values as a list, for the front-end functions.
  std::vector<std::int64_t> list() const { return {values.begin(), values.end()}; }

  //! @brief `"(3, 5)"` (or `"3"` for N = 1), as PyTorch prints layer arguments.
  std::string str() const {
    if constexpr (N == 1) {
      return std::to_string(values[0]);
    } else {
      std::string out = "(";
      for (std::size_t i = 0; i < N; ++i)
        out += (i == 0 ? "" : ", ") + std::to_string(values[i]);
      return out + ")";
    }
  }

  //! @brief Equal when every dimension is.
  friend constexpr bool operator==(ntuple const&, ntuple const&) = default;
};

} // namespace xport::nn
