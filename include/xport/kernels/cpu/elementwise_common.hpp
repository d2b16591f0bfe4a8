//! @file
//! Building blocks of the CPU elementwise kernels: running a functor over a tensor and
//! a tensor-or-scalar operand in a chosen compute dtype, and the integer-divisor check.
#pragma once

#include <xport/core/error.hpp>
#include <xport/core/scalar.hpp>
#include <xport/core/tensor.hpp>
#include <xport/kernels/cpu/loops.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace xport::kernels::cpu {

//! @brief Which side of a binary functor a scalar operand goes to.
enum class scalar_side : bool {
  rhs, //!< `f(tensor, scalar)`: `x - 2`
  lhs  //!< `f(scalar, tensor)`: `2 - x`
};

//! @brief `out = f(in[0], in[1])`, or with the scalar `other` in place of `in[1]`, computed
//! in element type `T` (inputs are converted to it; the functor sees `opmath_t<T>`).
//!
//! The scalar is converted to `opmath_t<T>` with the usual overflow check, so an
//! `int8` tensor plus 1000 is refused as in PyTorch.
template <class Out, class T, class F>
void binary_map(Tensor const& out, F const& f, std::span<Tensor const> in,
                std::optional<Scalar> const& other, scalar_side side = scalar_side::rhs) {
  using math = opmath_t<T>;
  Tensor const self = in[0].to(dtype_of<T>);
  if (!other) {
    map<Out, T>(out, f, self, in[1].to(dtype_of<T>));
    return;
  }
  math const s = other->to<math>();
  if (side == scalar_side::rhs)
    map<Out, T>(
        out, [&](math x) { return f(x, s); }, self);
  else
    map<Out, T>(
        out, [&](math x) { return f(s, x); }, self);
}

//! @brief The dtype PyTorch computes `in[0] op (in[1] or other)` in.
inline dtype common_dtype(std::span<Tensor const> in, std::optional<Scalar> const& other) {
  return other ? result_type(in[0], *other) : result_type(in[0], in[1]);
}

//! @brief Refuses an integer divisor with a zero element, as PyTorch does
//! ("ZeroDivisionError"); floating divisors give inf/NaN instead and pass.
//! @throws value_error naming the op.
template <class T>
void check_integer_divisor(Tensor const& divisor, std::optional<Scalar> const& scalar,
                           std::int64_t out_numel, std::string_view op) {
  if constexpr (std::is_integral_v<T>) {
    if (out_numel == 0) return;
    bool zero = false;
    if (scalar) {
      zero = scalar->to<T>() == T(0);
    } else {
      Tensor const d = divisor.to(dtype_of<T>);
      auto const* data = static_cast<T const*>(d.storage().data());
      std::array<std::span<std::int64_t const>, 1> const strides = {d.strides()};
      xport::detail::for_each_offset<1>(
          d.sizes(), strides, {d.storage_offset()},
          [&](std::array<std::int64_t, 1> const& at) { zero = zero || data[at[0]] == T(0); });
    }
    if (zero) {
      throw value_error("ZeroDivisionError: integer " + std::string(op) + " by zero (in dtype "
                        + std::string(name(dtype_of<T>))
                        + "); use a floating dtype to get inf/nan instead");
    }
  }
}

} // namespace xport::kernels::cpu
