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
    if constexpr (n == 1
                  && std::is_same_v<In, Out> && vec::vectorized<std::remove_cvref_t<F>, In>) {
      vec::apply(f, p[0], o, count); // SLEEF's vector math (vec_math.hpp)
      return;
    }
    [&]<std::size_t... k>(std::index_sequence<k...>) {
      for (std::int64_t i = 0; i < count; ++i)
        o[i] = convert<Out>(f(convert<math>(p[k][i])...));
    }
    (std::make_index_sequence<n>{});
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
  xport::detail::for_each_offset<n + 1>(
      out.sizes(), strides, offsets, [&](std::array<std::int64_t, n + 1> const& at) {
        [&]<std::size_t... k>(std::index_sequence<k...>) {
          result[at[0]] = convert<Out>(f(convert<math>(data[k][at[k + 1]])...));
        }
        (std::make_index_sequence<n>{});
      });
}

} // namespace xport::kernels::cpu
