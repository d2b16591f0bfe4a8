//! @file
//! The one loop every CPU reduction is built from: split a tensor's dims into kept and
//! reduced ones, visit each kept position (an output element, or a lane of softmax and
//! cumsum), and walk the reduced elements under it, strided, in row-major order.
//!
//! Inputs may have any strides (transposed, sliced, expanded); nothing is copied.
#pragma once

#include <xport/core/convert.hpp>
#include <xport/core/tensor.hpp>
#include <xport/kernels/cpu/loops.hpp>
#include <xport/kernels/parallel.hpp>
#include <xport/ops/reduction_common.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace xport::kernels::cpu {

//! @brief The sizes and strides of a tensor's kept and reduced dims, in dim order.
struct reduction_layout {
  dim_vector kept_sizes;      //!< sizes of the kept dims
  dim_vector kept_strides;    //!< their strides, in elements
  dim_vector reduced_sizes;   //!< sizes of the reduced dims
  dim_vector reduced_strides; //!< their strides, in elements
  std::int64_t offset = 0;    //!< storage offset of the first element
  //! @brief The number of reduced elements under each kept position when they are one
  //! contiguous run in row-major order (the common case: trailing dims of a contiguous
  //! tensor), so that element `k` is at `base + k`; -1 otherwise.
  std::int64_t run = -1;

  //! @brief The layout of `t` for the reduced dims `mask` (`mask.size() == t.dim()`).
  static reduction_layout of(Tensor const& t, ops::dim_mask const& mask) {
    reduction_layout layout;
    layout.offset = t.storage_offset();
    for (std::size_t d = 0; d < mask.size(); ++d) {
      auto const i = static_cast<std::int64_t>(d);
      (mask[d] ? layout.reduced_sizes : layout.kept_sizes).push_back(t.size(i));
      (mask[d] ? layout.reduced_strides : layout.kept_strides).push_back(t.stride(i));
    }
    std::int64_t expected = 1;
    for (std::size_t d = layout.reduced_sizes.size(); d-- > 0 && expected >= 0;) {
      if (layout.reduced_sizes[d] == 1) continue;
      expected = layout.reduced_strides[d] == expected ? expected * layout.reduced_sizes[d] : -1;
    }
    layout.run = expected >= 0 ? layout.reduced_numel() : -1;
    return layout;
  }

  //! @brief The number of elements under each kept position.
  std::int64_t reduced_numel() const {
    std::int64_t n = 1;
    for (std::int64_t s : reduced_sizes)
      n *= s;
    return n;
  }

  //! @brief Calls `f(offset, k)` for every reduced element under the kept position
  //! whose first element is at `base`; `k` counts from 0 in row-major order of the
  //! reduced dims (so it is the flat index when every dim is reduced).
  template <class F>
  void for_each_reduced(std::int64_t base, F&& f) const {
    if (run >= 0) { // a plain loop the compiler can see through
      for (std::int64_t k = 0; k < run; ++k)
        f(base + k, k);
      return;
    }
    std::array<std::span<std::int64_t const>, 1> const strides{
        std::span<std::int64_t const>(reduced_strides.data(), reduced_strides.size())};
    std::int64_t k = 0;
    xport::detail::for_each_offset<1>(
        reduced_sizes, strides, {base},
        [&](std::array<std::int64_t, 1> const& at) { f(at[0], k++); });
  }
};

//! @brief Calls `body(o, bases)` for every kept position, where `o` counts kept
//! positions in row-major order (the index into a contiguous reduced output) and
//! `bases[i]` is the storage offset of that position's first element in `tensors[i]`.
//!
//! All tensors must have the same sizes; they may have different strides. Returns
//! `layout`s of the tensors, for `for_each_reduced`. Positions are shared among
//! `get_num_threads()` threads when there are enough of them (`body` must only write what
//! belongs to its position); each position's work is the same whatever the split.
template <std::size_t N, class Body>
std::array<reduction_layout, N> for_each_kept(std::array<Tensor const*, N> const& tensors,
                                              ops::dim_mask const& mask, Body&& body) {
  std::array<reduction_layout, N> layouts;
  std::array<std::span<std::int64_t const>, N> strides;
  std::array<std::int64_t, N> offsets{};
  for (std::size_t i = 0; i < N; ++i) {
    layouts[i] = reduction_layout::of(*tensors[i], mask);
    offsets[i] = layouts[i].offset;
  }
  for (std::size_t i = 0; i < N; ++i)
    strides[i] = {layouts[i].kept_strides.data(), layouts[i].kept_strides.size()};
  std::int64_t kept = 1;
  for (std::int64_t s : layouts[0].kept_sizes)
    kept *= s;
  std::int64_t const per_position = std::max<std::int64_t>(layouts[0].reduced_numel(), 1);
  kernels::parallel_for(kept, std::max<std::int64_t>(grain_size / per_position, 1),
                        [&](std::int64_t begin, std::int64_t end) {
                          for_each_position<N>(layouts[0].kept_sizes, strides, offsets, begin, end,
                                               body);
                        });
  return layouts;
}

//! @brief The reduction loop: for every output element `o`, starts from `init`, folds
//! every reduced element with `fold(acc, value, k)` (`k`: its row-major position among
//! the reduced elements), and hands the accumulator to `finish(o, acc)`.
//!
//! `T` is `in`'s element type. With no reduced elements `finish` sees `init` untouched,
//! which is how empty sums give 0 and empty products 1.
template <class T, class Acc, class Fold, class Finish>
void reduce(Tensor const& in, ops::dim_mask const& mask, Acc const& init, Fold&& fold,
            Finish&& finish) {
  auto const* const data = static_cast<T const*>(in.storage().data());
  reduction_layout const layout = reduction_layout::of(in, mask);
  std::array<Tensor const*, 1> const tensors{&in};
  for_each_kept<1>(tensors, mask, [&](std::int64_t o, std::array<std::int64_t, 1> const& base) {
    Acc acc = init;
    layout.for_each_reduced(base[0],
                            [&](std::int64_t at, std::int64_t k) { fold(acc, data[at], k); });
    finish(o, acc);
  });
}

//! @brief `f(x[0]) + ... + f(x[n - 1])` in double (elements converted to double first),
//! in eight interleaved partial sums: the loop vectorizes and no add waits on the one
//! before. For float32 and narrower elements, double's 29 extra bits of mantissa make
//! compensation unnecessary.
template <class T, class F>
double lane_sum(T const* x, std::int64_t n, F&& f) {
  constexpr std::int64_t lanes = 8;
  std::array<double, lanes> part{};
  std::int64_t k = 0;
  for (; k + lanes <= n; k += lanes)
    for (std::int64_t j = 0; j < lanes; ++j)
      part[static_cast<std::size_t>(j)] += f(convert<double>(x[k + j]));
  double total = 0;
  for (; k < n; ++k)
    total += f(convert<double>(x[k]));
  for (double const p : part)
    total += p;
  return total;
}

//! @brief `reduce`, with a faster form for the common layout: when the reduced elements
//! under every kept position are one contiguous run (`reduction_layout::run`),
//! `row(o, first, n)` computes output `o` from `first[0]`, ..., `first[n - 1]` (a loop the
//! compiler can vectorize); otherwise each element goes through `fold` as in `reduce`.
template <class T, class Acc, class Fold, class Finish, class Row>
void reduce_rows(Tensor const& in, ops::dim_mask const& mask, Acc const& init, Fold&& fold,
                 Finish&& finish, Row&& row) {
  reduction_layout const layout = reduction_layout::of(in, mask);
  if (layout.run < 0) {
    reduce<T>(in, mask, init, fold, finish);
    return;
  }
  auto const* const data = static_cast<T const*>(in.storage().data());
  std::array<Tensor const*, 1> const tensors{&in};
  for_each_kept<1>(tensors, mask, [&](std::int64_t o, std::array<std::int64_t, 1> const& base) {
    row(o, data + base[0], layout.run);
  });
}

//! @brief Calls `body(in_base, out_base, size, in_stride, out_stride)` for every lane of
//! `in` along `dim` (softmax, cumsum): the lane's elements are at `in_base + j *
//! in_stride` and its results go to `out_base + j * out_stride`, `j < size`.
//!
//! `out` must have `in`'s sizes. A 0-dim tensor is one lane of one element.
template <class Body>
void for_each_lane(Tensor const& in, Tensor const& out, std::int64_t dim, Body&& body) {
  if (in.dim() == 0) {
    body(in.storage_offset(), out.storage_offset(), std::int64_t{1}, std::int64_t{0},
         std::int64_t{0});
    return;
  }
  std::int64_t const d = ops::wrap_dim(dim, in.dim());
  ops::dim_mask mask(static_cast<std::size_t>(in.dim()), false);
  mask[static_cast<std::size_t>(d)] = true;
  std::int64_t const size = in.size(d);
  std::int64_t const in_stride = in.stride(d);
  std::int64_t const out_stride = out.stride(d);
  std::array<Tensor const*, 2> const tensors{&in, &out};
  for_each_kept<2>(tensors, mask, [&](std::int64_t, std::array<std::int64_t, 2> const& bases) {
    body(bases[0], bases[1], size, in_stride, out_stride);
  });
}

} // namespace xport::kernels::cpu
