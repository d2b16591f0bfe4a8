//! @file
//! The CPU loops elementwise kernels are built from: `map` applies a functor to
//! broadcast, possibly non-contiguous inputs and writes a contiguous output. Unary math on
//! contiguous `float` and `double` runs on SLEEF's vector functions when the translation
//! unit has them (vec_math.hpp).
//!
//! Inputs are given already converted to the element type the kernel computes in; the
//! functor receives them widened to `opmath_t` (float for half and bfloat16, as PyTorch
//! computes) and its result is converted to the output's element type.
#pragma once

#include <xport/core/convert.hpp>
#include <xport/core/half.hpp>
#include <xport/core/tensor.hpp>
#include <xport/kernels/cpu/vec_math.hpp>
#include <xport/kernels/parallel.hpp>

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <utility>

namespace xport::kernels::cpu {

//! @brief The type arithmetic on `T` is carried out in: `float` for `half` and
//! `bfloat16`, `T` otherwise.
template <class T>
using opmath_t =
    std::conditional_t<std::is_same_v<T, half> || std::is_same_v<T, bfloat16>, float, T>;

//! @brief Calls `body(p, offsets)` for the positions `p` in `[begin, end)` of the row-major
//! order of `sizes`, where `offsets[i]` is position `p`'s offset in tensor `i` (`start[i]`
//! plus the index times `strides[i]`): `for_each_offset` over a part of the positions,
//! which lets threads share them.
template <std::size_t N, class Body>
void for_each_position(int_list sizes, std::array<std::span<std::int64_t const>, N> const& strides,
                       std::array<std::int64_t, N> start, std::int64_t begin, std::int64_t end,
                       Body&& body) {
  if (begin >= end) return;
  std::size_t const rank = sizes.size();
  if (rank == 0) {
    body(begin, start);
    return;
  }
  dim_vector index(rank, 0);
  std::int64_t rest = begin;
  for (std::size_t d = rank; d-- > 0;) {
    index[d] = rest % sizes[d];
    rest /= sizes[d];
    for (std::size_t k = 0; k < N; ++k)
      start[k] += index[d] * strides[k][d];
  }
  std::size_t const inner = rank - 1;
  std::int64_t p = begin;
  while (true) {
    std::array<std::int64_t, N> at = start;
    for (std::int64_t i = index[inner]; i < sizes[inner]; ++i) {
      body(p, at);
      if (++p == end) return;
      for (std::size_t k = 0; k < N; ++k)
        at[k] += strides[k][inner];
    }
    // The next row: the inner index back to 0, the odometer over the outer dims.
    for (std::size_t k = 0; k < N; ++k)
      start[k] -= index[inner] * strides[k][inner];
    index[inner] = 0;
    for (std::size_t d = inner; d-- > 0;) {
      for (std::size_t k = 0; k < N; ++k)
        start[k] += strides[k][d];
      if (++index[d] < sizes[d]) break;
      for (std::size_t k = 0; k < N; ++k)
        start[k] -= strides[k][d] * sizes[d];
      index[d] = 0;
    }
  }
}

//! @brief `out[i] = f(in[i]...)` over `out`'s shape, with the inputs broadcast to it.
//!
//! `In` is the element type of every input (they must all have it), `Out` the output's.
//! The output may be any strided, non-overlapping tensor; a flat loop runs when every
//! tensor is contiguous with the same shape.
template <class Out, class In, class F, std::same_as<Tensor>... Inputs>
void map(Tensor const& out, F&& f, Inputs const&... in) {
  using math = opmath_t<In>;
  constexpr std::size_t n = sizeof...(Inputs);
  // The inputs are read in place, broadcast through their strides: making `expand`ed
  // views would allocate one tensor per input on every call.
  std::array<Tensor const*, n> const inputs{&in...};
  std::array<In const*, n> data{};
  for (std::size_t k = 0; k < n; ++k)
    data[k] = static_cast<In const*>(inputs[k]->storage().data());
  Out* const result = static_cast<Out*>(out.storage().data());
  // Contiguous with as many elements as the output: an input broadcast without repeating
  // anything (`[4]` to `[1, 4]`) is read in the output's order.
  bool flat = out.is_contiguous();
  for (Tensor const* t : inputs)
    flat = flat && t->is_contiguous() && t->numel() == out.numel();
  if (flat) {
    // Dense pointers and one index: the loop the compiler can unroll and vectorize.
    std::int64_t const count = out.numel();
    Out* const o = result + out.storage_offset();
    std::array<In const*, n> p{};
    for (std::size_t k = 0; k < n; ++k)
      p[k] = data[k] + inputs[k]->storage_offset();
    // Chunks of the range on the pool's threads; each element is computed the same way
    // whatever the split (SLEEF pads a partial vector rather than finishing in scalar).
    kernels::parallel_for(count, grain_size, [&](std::int64_t begin, std::int64_t end) {
      if constexpr (n == 1
                    && std::is_same_v<In, Out> && vec::vectorized<std::remove_cvref_t<F>, In>) {
        vec::apply(f, p[0] + begin, o + begin, end - begin); // SLEEF (vec_math.hpp)
      } else {
        [&]<std::size_t... k>(std::index_sequence<k...>) {
          for (std::int64_t i = begin; i < end; ++i)
            o[i] = convert<Out>(f(convert<math>(p[k][i])...));
        }
        (std::make_index_sequence<n>{});
      }
    });
    return;
  }
  std::array<dim_vector, n> broadcast;
  std::array<std::span<std::int64_t const>, n + 1> strides{out.strides()};
  std::array<std::int64_t, n + 1> offsets{out.storage_offset()};
  for (std::size_t k = 0; k < n; ++k) {
    broadcast[k] =
        xport::detail::broadcast_strides(inputs[k]->sizes(), inputs[k]->strides(), out.sizes());
    strides[k + 1] = {broadcast[k].data(), broadcast[k].size()};
    offsets[k + 1] = inputs[k]->storage_offset();
  }
  // Row by row (the output's last dim), each row one loop with a stride per tensor; when
  // every stride of the row is 1 (a permuted or sliced tensor whose rows are dense, a
  // broadcast bias), a loop over dense pointers that the compiler vectorizes.
  std::size_t const rank = out.sizes().size();
  std::int64_t const width = rank == 0 ? 1 : out.sizes().back();
  if (out.numel() == 0) return;
  std::array<std::int64_t, n + 1> step{};
  std::array<std::span<std::int64_t const>, n + 1> outer;
  for (std::size_t k = 0; k <= n; ++k) {
    step[k] = rank == 0 ? 0 : strides[k][rank - 1];
    outer[k] = strides[k].first(rank == 0 ? 0 : rank - 1);
  }
  bool const dense = std::ranges::all_of(step, [](std::int64_t s) { return s == 1; });
  int_list const rows_of = out.sizes().first(rank == 0 ? 0 : rank - 1);
  kernels::parallel_for(out.numel() / width, std::max<std::int64_t>(grain_size / width, 1),
                        [&](std::int64_t begin, std::int64_t end) {
                          for_each_position<n + 1>(
                              rows_of, outer, offsets, begin, end,
                              [&](std::int64_t, std::array<std::int64_t, n + 1> const& at) {
                                Out* const o = result + at[0];
                                [&]<std::size_t... k>(std::index_sequence<k...>) {
                                  if (dense) {
                                    std::array<In const*, n> const p{(data[k] + at[k + 1])...};
                                    for (std::int64_t i = 0; i < width; ++i)
                                      o[i] = convert<Out>(f(convert<math>(p[k][i])...));
                                  } else {
                                    for (std::int64_t i = 0; i < width; ++i)
                                      o[i * step[0]] = convert<Out>(f(
                                          convert<math>(data[k][at[k + 1] + i * step[k + 1]])...));
                                  }
                                }
                                (std::make_index_sequence<n>{});
                              });
                        });
}

} // namespace xport::kernels::cpu
