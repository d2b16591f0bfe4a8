//! @file
//! Internal: shape arithmetic and the strided loop that copies, compares and prints use.
#pragma once

#include <xport/core/error.hpp>

#include <boost/container/small_vector.hpp>

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <ranges>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

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

// A tensor's sizes or strides as returned: a std::span that also compares with `==`
// against any range of integers (another span, a std::vector, a dim_vector, a
// std::array), as c10::IntArrayRef and Python's torch.Size compare.
class int_span : public std::span<std::int64_t const> {
public:
  using std::span<std::int64_t const>::span;

  // Integers only: no bool or character ranges (std::cmp_equal refuses them).
  template <std::ranges::input_range R>
  requires std::
      integral<std::ranges::range_value_t<R>> &&(!std::same_as<std::ranges::range_value_t<R>, bool>)&&(
          !std::same_as<
              std::ranges::range_value_t<R>,
              char>)&&(!std::
                           same_as<
                               std::ranges::range_value_t<R>,
                               wchar_t>)&&(!std::
                                               same_as<
                                                   std::ranges::range_value_t<R>,
                                                   char8_t>)&&(!std::
                                                                   same_as<
                                                                       std::ranges::range_value_t<
                                                                           R>,
                                                                       char16_t>)&&(!std::
                                                                                        same_as<
                                                                                            std::ranges::
                                                                                                range_value_t<
                                                                                                    R>,
                                                                                            char32_t>)friend bool
      operator==(int_span a, R const& b) {
    return std::ranges::equal(a, b, [](std::int64_t x, auto y) { return std::cmp_equal(x, y); });
  }
};

} // namespace xport::detail

// A span refers to memory it does not own, so iterators into one outlive it (what
// std::span itself declares; a derived class does not inherit it).
template <>
inline constexpr bool std::ranges::enable_borrowed_range<xport::detail::int_span> = true;
template <>
inline constexpr bool std::ranges::enable_view<xport::detail::int_span> = true;

namespace xport::detail {

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

// The strides of a tensor of `sizes` and `strides` read as if expanded to `to` (as
// `expand` would make them, without making the view): its own stride where a dim keeps
// its size, 0 where a size-1 or missing leading dim is broadcast.
inline dim_vector broadcast_strides(int_list sizes, int_list strides, int_list to) {
  if (sizes.size() > to.size())
    throw shape_error("cannot broadcast size " + format_list(sizes) + " to " + format_list(to));
  dim_vector out(to.size(), 0);
  std::size_t const leading = to.size() - sizes.size();
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == to[leading + i]) {
      out[leading + i] = strides[i];
    } else if (sizes[i] != 1) {
      throw shape_error("cannot broadcast size " + format_list(sizes) + " to " + format_list(to));
    }
  }
  return out;
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

// The refusals of `wrap_dim` and `wrap_existing_dim`, out of line and marked cold: the
// checks inline into every size and stride access, the message building does not.
[[noreturn, gnu::cold, gnu::noinline]] inline void throw_dim_out_of_range(std::int64_t dim,
                                                                          std::int64_t bound) {
  throw index_error("Dimension out of range (expected to be in range of [" + std::to_string(-bound)
                    + ", " + std::to_string(bound - 1) + "], but got " + std::to_string(dim) + ")");
}

[[noreturn, gnu::cold, gnu::noinline]] inline void throw_no_dimensions(std::int64_t dim) {
  throw index_error("Dimension specified as " + std::to_string(dim)
                    + " but tensor has no dimensions");
}

// Maps a possibly negative dim to [0, rank); PyTorch treats a scalar as rank 1 here.
inline std::int64_t wrap_dim(std::int64_t dim, std::int64_t rank) {
  std::int64_t const bound = rank == 0 ? 1 : rank;
  if (dim < -bound || dim >= bound) [[unlikely]]
    throw_dim_out_of_range(dim, bound);
  return dim < 0 ? dim + bound : dim;
}

// Maps a possibly negative dim to an existing dimension: unlike `wrap_dim`, a 0-dim tensor
// has none (`x.size(0)` of a scalar is an error in PyTorch, `x.sum(0)` is not).
inline std::size_t wrap_existing_dim(std::int64_t dim, std::int64_t rank) {
  if (rank == 0) [[unlikely]]
    throw_no_dimensions(dim);
  return static_cast<std::size_t>(wrap_dim(dim, rank));
}

// PyTorch's refusal of an op that picks along one dimension (`select`, `slice`, `narrow`)
// applied to a 0-dim tensor; tensor members and meta rules throw the same.
inline index_error zero_dim_error(std::string_view op) {
  return index_error(std::string(op) + "() cannot be applied to a 0-dim tensor.");
}

inline bool compute_contiguous(int_list sizes, int_list strides) {
  std::int64_t expected = 1;
  for (std::size_t i = sizes.size(); i-- > 0;) {
    if (sizes[i] == 0) return true;
    if (sizes[i] != 1 && strides[i] != expected) return false;
    expected *= sizes[i];
  }
  return true;
}

// Strides that let `new_sizes` view the same elements as (sizes, strides) without a copy,
// or nothing when some new dimension would have to span two non-mergeable old ones.
// Walks the old dimensions from the back in "chunks" that are contiguous among
// themselves, and requires each chunk to be rebuilt exactly by consecutive new sizes.
inline std::optional<dim_vector> view_strides(int_list sizes, int_list strides, int_list new_sizes,
                                              std::int64_t numel) {
  dim_vector result(new_sizes.size());
  if (numel == 0 || sizes.empty()) return contiguous_strides(new_sizes); // no memory to span
  auto view_d = static_cast<std::int64_t>(new_sizes.size()) - 1;
  std::int64_t chunk_stride = strides.empty() ? 1 : strides[strides.size() - 1];
  std::int64_t chunk_numel = 1;
  std::int64_t view_numel = 1;
  for (auto d = static_cast<std::int64_t>(sizes.size()) - 1; d >= 0; --d) {
    auto const ud = static_cast<std::size_t>(d);
    chunk_numel *= sizes[ud];
    bool const chunk_ends =
        d == 0 || (sizes[ud - 1] != 1 && strides[ud - 1] != chunk_numel * chunk_stride);
    if (!chunk_ends) continue;
    while (view_d >= 0
           && (view_numel < chunk_numel || new_sizes[static_cast<std::size_t>(view_d)] == 1)) {
      result[static_cast<std::size_t>(view_d)] = view_numel * chunk_stride;
      view_numel *= new_sizes[static_cast<std::size_t>(view_d)];
      --view_d;
    }
    if (view_numel != chunk_numel) return std::nullopt;
    if (d > 0) {
      chunk_stride = strides[ud - 1];
      chunk_numel = 1;
      view_numel = 1;
    }
  }
  if (view_d != -1) return std::nullopt;
  return result;
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
