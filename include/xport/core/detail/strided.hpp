//! @file
//! Internal: shape arithmetic and the strided loop that copies, compares and prints use.
#pragma once

#include <xport/core/error.hpp>

#include <boost/container/small_vector.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <span>
#include <sstream>
#include <string>

namespace xport::detail {

// Rank of most tensors fits inline; larger ranks spill to the heap transparently.
using dim_vector = boost::container::small_vector<std::int64_t, 6>;

// A non-owning list of int64 values, taken by functions that accept sizes, dims or
// indices: a braced list `{2, 3}`, a std::vector, a std::span or a dim_vector. Like
// std::span it refers to its source, so it is meant as a parameter type only.
class int_list {
public:
  constexpr int_list() = default;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime" // by design: a parameter type
#endif
  constexpr int_list(std::initializer_list<std::int64_t> values) noexcept
      : data_(values.begin()), size_(values.size()) {}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
  template <class R>
  requires requires(R const& r) {
    { r.data() } -> std::convertible_to<std::int64_t const*>;
    { r.size() } -> std::convertible_to<std::size_t>;
  }
  constexpr int_list(R const& values) noexcept : data_(values.data()), size_(values.size()) {}

  constexpr std::size_t size() const noexcept {
    return size_;
  }
  constexpr bool empty() const noexcept {
    return size_ == 0;
  }
  constexpr std::int64_t operator[](std::size_t i) const noexcept {
    return data_[i];
  }
  constexpr std::int64_t const* data() const noexcept {
    return data_;
  }
  constexpr std::int64_t const* begin() const noexcept {
    return data_;
  }
  constexpr std::int64_t const* end() const noexcept {
    return data_ + size_;
  }

private:
  std::int64_t const* data_ = nullptr;
  std::size_t size_ = 0;
};

inline std::string format_list(int_list values) {
  std::ostringstream out;
  out << '[';
  for (std::size_t i = 0; i < values.size(); ++i)
    out << (i ? ", " : "") << values[i];
  out << ']';
  return out.str();
}

inline dim_vector contiguous_strides(int_list sizes) {
  dim_vector strides(sizes.size());
  std::int64_t running = 1;
  for (std::size_t i = sizes.size(); i-- > 0;) {
    strides[i] = running;
    running *= sizes[i] > 1 ? sizes[i] : 1;
  }
  return strides;
}

// Product of sizes; refuses negative sizes and products that overflow int64.
inline std::int64_t checked_numel(int_list sizes) {
  std::int64_t numel = 1;
  for (std::int64_t size : sizes) {
    if (size < 0) {
      throw shape_error("Trying to create tensor with negative dimension " + std::to_string(size)
                        + ": " + format_list(sizes));
    }
    if (__builtin_mul_overflow(numel, size, &numel)) {
      throw shape_error("the number of elements of a tensor of size " + format_list(sizes)
                        + " overflows int64");
    }
  }
  return numel;
}

// Maps a possibly negative dim to [0, rank); PyTorch treats a scalar as rank 1 here.
inline std::int64_t wrap_dim(std::int64_t dim, std::int64_t rank) {
  std::int64_t const bound = rank == 0 ? 1 : rank;
  if (dim < -bound || dim >= bound) {
    throw index_error("Dimension out of range (expected to be in range of ["
                      + std::to_string(-bound) + ", " + std::to_string(bound - 1) + "], but got "
                      + std::to_string(dim) + ")");
  }
  return dim < 0 ? dim + bound : dim;
}

// Calls body(offsets) for every index of `sizes` in row-major order, where offsets[k] is
// base[k] plus the index dotted with strides[k]. The innermost dimension is a plain loop.
template <std::size_t N, class Body>
void for_each_offset(int_list sizes, std::array<std::span<std::int64_t const>, N> const& strides,
                     std::array<std::int64_t, N> offsets, Body&& body) {
  std::size_t const rank = sizes.size();
  for (std::int64_t size : sizes) {
    if (size == 0) return;
  }
  if (rank == 0) {
    body(offsets);
    return;
  }
  std::size_t const inner = rank - 1;
  dim_vector index(rank, 0);
  while (true) {
    std::array<std::int64_t, N> current = offsets;
    for (std::int64_t i = 0; i < sizes[inner]; ++i) {
      body(current);
      for (std::size_t k = 0; k < N; ++k)
        current[k] += strides[k][inner];
    }
    // Advance the odometer over the outer dimensions.
    std::size_t d = inner;
    while (true) {
      if (d == 0) return;
      --d;
      for (std::size_t k = 0; k < N; ++k)
        offsets[k] += strides[k][d];
      if (++index[d] < sizes[d]) break;
      for (std::size_t k = 0; k < N; ++k)
        offsets[k] -= strides[k][d] * sizes[d];
      index[d] = 0;
    }
  }
}

} // namespace xport::detail
