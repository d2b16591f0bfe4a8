//! @file
//! The shape rules, written once over any size type: `std::int64_t` (eager tensors, and
//! the values of the compile-time tier) and `SymInt` (meta rules while tracing). Tensor
//! views (`core/tensor.hpp`), the ops' meta rules (`ops/`) and the compile-time tier
//! (`sym/static_shape.hpp`) all call these, so each rule has one implementation and one
//! message:
//!
//! | rule | function |
//! |---|---|
//! | broadcasting | `broadcast_size`, `broadcast_sizes` |
//! | view/reshape sizes with one -1 | `infer_size` |
//! | expanding to target sizes with -1 | `expand_sizes` |
//! | Python's slice clamping | `clamp_slice_bound`, `slice_length` |
//! | convolution and pooling windows | `window_output_size` |
//!
//! On `SymInt`s a comparison that must branch is decided through the shape environment
//! (recording a guard, as PyTorch's symbolic shapes do), and a comparison already known
//! (the same symbol on both sides) decides without one.
//! @code
//! xport::shape::broadcast_sizes<std::int64_t>({3, 1}, {4}) == dim_vector{3, 4};
//! xport::shape::infer_size<std::int64_t>({-1, 2}, 6) == dim_vector{3, 2};
//! xport::shape::window_output_size<std::int64_t>(5, 3, 2, 1, 1, false) == 3;
//! @endcode
#pragma once

#include <xport/core/error.hpp>
#include <xport/core/sym_int.hpp>

#include <boost/container/small_vector.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>

namespace xport::shape {

//! @brief A size the rules work on: a plain `std::int64_t` or a `SymInt`.
template <class I>
concept size_value = std::same_as<I, std::int64_t> || std::same_as<I, SymInt>;

//! @brief Sizes of one shape (six inline entries, like `dim_vector`).
template <size_value I>
using sizes_of = boost::container::small_vector<I, 6>;

//! @brief Whether a comparison holds: a `bool`, or a `SymBool` decided through its shape
//! environment (which may record a guard).
constexpr bool holds(bool b) noexcept {
  return b;
}
//! @brief Whether a comparison of symbolic sizes holds (may record a guard).
inline bool holds(SymBool const& b) {
  return static_cast<bool>(b);
}

//! @brief Whether a comparison that shape logic requires holds: a `bool`, or a `SymBool`
//! decided as `holds` does, except that one on data-dependent sizes is asserted at run time
//! instead (`xport::expect_true`, PyTorch's `TORCH_SYM_CHECK`).
constexpr bool expect(bool b, std::string_view) noexcept {
  return b;
}
//! @brief Whether a required comparison of symbolic sizes holds (may record a guard, or a
//! runtime assert for data-dependent sizes).
inline bool expect(SymBool const& b, std::string_view message) {
  return expect_true(b, message);
}

//! @brief Whether a comparison holds, taking one that depends on data as false (PyTorch's
//! `guard_or_false`): for the special cases of shape logic (a size of 1 that broadcasts),
//! whose general case stays correct, asserted where it needs to be.
constexpr bool holds_or_false(bool b) noexcept {
  return b;
}
//! @brief `holds_or_false` for symbolic sizes.
inline bool holds_or_false(SymBool const& b) {
  try {
    return static_cast<bool>(b);
  } catch (data_dependent_error const&) {
    return false;
  }
}

//! @brief Whether a comparison is known to hold without deciding anything: a `bool`, or a
//! `SymBool` whose relation is settled already (`s0 == s0`).
constexpr bool known(bool b) noexcept {
  return b;
}
//! @brief Whether a comparison of symbolic sizes is settled without a guard.
inline bool known(SymBool const& b) {
  std::optional<bool> const value = b.maybe_bool();
  return value && *value;
}

//! @brief The size as text: `4`, `s0`.
inline std::string text(std::int64_t v) {
  return std::to_string(v);
}
//! @brief A symbolic size as text: `s0`.
inline std::string text(SymInt const& v) {
  return v.str();
}

//! @brief `[3, s0]`.
template <size_value I>
std::string text(std::span<I const> sizes) {
  std::string out = "[";
  for (std::size_t i = 0; i < sizes.size(); ++i)
    out += (i ? ", " : "") + text(sizes[i]);
  return out + "]";
}

//! @brief The value of `v` when it is a known integer.
constexpr std::optional<std::int64_t> value_of(std::int64_t v) noexcept {
  return v;
}
//! @brief The value of a symbolic size when it is a known integer.
inline std::optional<std::int64_t> value_of(SymInt const& v) {
  return v.maybe_int();
}

//! @brief Overflow-checked arithmetic with Python's floor division, on either size type
//! (plain `std::int64_t` arithmetic would wrap silently on absurd sizes).
//! @throws value_error on overflow or division by zero.
inline std::int64_t add(std::int64_t a, std::int64_t b) {
  return xport::detail::concrete_arith(sym_arith::add, a, b);
}
//! @brief `a - b`, checked.
inline std::int64_t sub(std::int64_t a, std::int64_t b) {
  return xport::detail::concrete_arith(sym_arith::sub, a, b);
}
//! @brief `a * b`, checked.
inline std::int64_t mul(std::int64_t a, std::int64_t b) {
  return xport::detail::concrete_arith(sym_arith::mul, a, b);
}
//! @brief Python's `a // b`, checked.
inline std::int64_t div_floor(std::int64_t a, std::int64_t b) {
  return xport::detail::concrete_arith(sym_arith::floordiv, a, b);
}
//! @brief Python's `a % b`, checked.
inline std::int64_t mod_floor(std::int64_t a, std::int64_t b) {
  return xport::detail::concrete_arith(sym_arith::mod, a, b);
}
//! @brief `a + b` on symbolic sizes.
inline SymInt add(SymInt const& a, SymInt const& b) {
  return a + b;
}
//! @brief `a - b` on symbolic sizes.
inline SymInt sub(SymInt const& a, SymInt const& b) {
  return a - b;
}
//! @brief `a * b` on symbolic sizes.
inline SymInt mul(SymInt const& a, SymInt const& b) {
  return a * b;
}
//! @brief Python's `a // b` on symbolic sizes.
inline SymInt div_floor(SymInt const& a, SymInt const& b) {
  return floordiv(a, b);
}
//! @brief Python's `a % b` on symbolic sizes.
inline SymInt mod_floor(SymInt const& a, SymInt const& b) {
  return mod(a, b);
}

//! @brief PyTorch's message for two sizes that do not broadcast.
inline shape_error broadcast_error(std::string const& a, std::string const& b, std::size_t dim) {
  return shape_error("The size of tensor a (" + a + ") must match the size of tensor b (" + b
                     + ") at non-singleton dimension " + std::to_string(dim));
}

//! @brief One dim of a broadcast: sizes `a` and `b` must be equal or 1; the result is the
//! other one. A literal 1 (a missing dim, a 0-dim operand) gives the other size whatever
//! its value, as in PyTorch: no decision on it, so a data-dependent `u0` broadcasts against
//! a scalar. Sizes known equal need no decision either.
//! @throws shape_error "The size of tensor a (3) must match the size of tensor b (4) at
//! non-singleton dimension 1".
template <size_value I>
constexpr I broadcast_size(I const& a, I const& b, std::size_t dim) {
  if (value_of(b) == 1) return a;
  if (value_of(a) == 1) return b;
  if (known(a == b)) return a;
  if (holds(a == 1)) return b;
  if (holds(b == 1) || holds(a == b)) return a;
  throw broadcast_error(text(a), text(b), dim);
}

//! @brief PyTorch's broadcasting of two shapes: aligned from the right, each dim by
//! `broadcast_size`.
//! @throws shape_error naming both sizes, the dim and both shapes.
template <size_value I>
sizes_of<I> broadcast_sizes(std::span<I const> a, std::span<I const> b) {
  std::size_t const rank = std::max(a.size(), b.size());
  sizes_of<I> out(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    I const size_a = i < a.size() ? a[a.size() - 1 - i] : I(1);
    I const size_b = i < b.size() ? b[b.size() - 1 - i] : I(1);
    try {
      out[rank - 1 - i] = broadcast_size(size_a, size_b, rank - 1 - i);
    } catch (shape_error const& e) {
      throw shape_error(std::string(e.what()) + " (shapes " + text(a) + " and " + text(b) + ")");
    }
  }
  return out;
}

//! @brief The sizes of `shape` with its one -1 (if any) worked out from `numel`:
//! `[s0, 2, -1]` for `4*s0` elements is `[s0, 2, 2]`.
//! @throws shape_error for two -1s, a size below -1 or an ambiguous -1 (a zero size
//! elsewhere); `invalid()` (a shape_error) for sizes whose product is not `numel`.
template <size_value I, class Invalid>
sizes_of<I> infer_size(std::span<I const> shape, I const& numel, Invalid&& invalid) {
  sizes_of<I> result(shape.begin(), shape.end());
  std::optional<std::size_t> inferred;
  I known_product = 1;
  for (std::size_t i = 0; i < result.size(); ++i) {
    std::optional<std::int64_t> const value = value_of(result[i]);
    if (value == -1) {
      if (inferred)
        throw shape_error("only one dimension can be inferred, but shape is " + text(shape));
      inferred = i;
    } else if (value && *value < 0) {
      throw shape_error("invalid shape dimension " + std::to_string(*value) + " in shape "
                        + text(shape));
    } else {
      known_product = mul(known_product, result[i]);
    }
  }
  if (inferred) {
    if (!expect(known_product != 0, "the sizes around -1 must not multiply to 0")) {
      throw shape_error("cannot reshape tensor of " + text(numel) + " elements into shape "
                        + text(shape)
                        + " because the unspecified dimension size -1 can be any value and is "
                          "ambiguous");
    }
    if (!expect(mod_floor(numel, known_product) == 0, "the shape must divide the elements"))
      throw invalid();
    result[*inferred] = div_floor(numel, known_product);
  } else if (!expect(numel == known_product, "the shape must keep the number of elements")) {
    throw invalid();
  }
  return result;
}

//! @brief `infer_size` with view's message for sizes that do not multiply up: "shape
//! '[2, 5]' is invalid for input of size 12".
template <size_value I>
sizes_of<I> infer_size(std::span<I const> shape, I const& numel) {
  return infer_size(shape, numel, [&] {
    return shape_error("shape '" + text(shape) + "' is invalid for input of size " + text(numel));
  });
}

//! @brief Python's clamping of one slice bound into `[0, size]`: negative bounds count
//! from the end; `INT64_MAX` (how an absent end reaches an op) is the end.
template <size_value I>
I clamp_slice_bound(I bound, I const& size) {
  // Comparing INT64_MAX with an unbounded symbolic size would guard for nothing.
  if (value_of(bound) == std::numeric_limits<std::int64_t>::max()) return size;
  if (holds(bound < 0)) bound = add(bound, size);
  if (holds(bound < 0)) return I(0);
  if (holds(bound > size)) return size; // not `>=`: at equality both give `size`, unguarded
  return bound;
}

//! @brief The length of `[start:end:step]` of a dim of `size`, after clamping:
//! `ceil((end - start) / step)`, 0 when empty.
//! @pre `step > 0`.
template <size_value I>
I slice_length(I const& size, I const& start, I const& end, I const& step) {
  I const first = clamp_slice_bound(start, size);
  I last = clamp_slice_bound(end, size);
  if (holds(last < first)) last = first;
  I const span = sub(last, first);
  if (value_of(step) == 1) return span;
  // Known values take `(n - 1) // step + 1`, which cannot overflow for any step
  // (`x[5::INT64_MAX]` is one element); symbolic ones keep the ceil form they print as.
  if (auto const n = value_of(span), k = value_of(step); n && k)
    return I(*n == 0 ? 0 : (*n - 1) / *k + 1);
  return div_floor(sub(add(span, step), I(1)), step);
}

//! @brief PyTorch's `expand`: `self` aligned with `target` from the right; -1 keeps a
//! size, a size of 1 takes the target's, and new leading dimensions take the target's
//! (which must be given: not -1 nor negative). `expand_sizes({3, 1}, {2, -1, 4})` is
//! `{2, 3, 4}`.
//! @throws shape_error in PyTorch's words for fewer target sizes than dimensions, a
//! negative target size other than -1, or a non-singleton size that would change.
template <size_value I>
sizes_of<I> expand_sizes(std::span<I const> self, std::span<I const> target) {
  std::size_t const rank = target.size();
  if (rank < self.size()) {
    throw shape_error("expand: the number of sizes provided (" + std::to_string(rank)
                      + ") must be greater or equal to the number of dimensions in the tensor ("
                      + std::to_string(self.size()) + ")");
  }
  std::size_t const leading = rank - self.size();
  sizes_of<I> out(target.begin(), target.end());
  for (std::size_t i = 0; i < rank; ++i) {
    std::optional<std::int64_t> const value = value_of(out[i]);
    bool const negative = value && *value < 0;
    if (i < leading) {
      if (negative) {
        throw shape_error("The expanded size of the tensor (" + text(out[i])
                          + ") isn't allowed in a leading, non-existing dimension "
                          + std::to_string(i));
      }
      continue;
    }
    I const& size = self[i - leading];
    if (value == -1) {
      out[i] = size;
    } else if (negative) {
      throw shape_error("The expanded size of the tensor (" + text(out[i])
                        + ") isn't allowed; sizes must be non-negative or -1");
    } else if (!holds_or_false(size == out[i])
               && !holds_or_false(size == I(1))
               // A data-dependent size not known to be 1 must equal its target: asserted.
               && !expect(size == out[i], "expand: a size that is not 1 must not change")) {
      throw shape_error("The expanded size of the tensor (" + text(out[i])
                        + ") must match the existing size (" + text(size)
                        + ") at non-singleton dimension " + std::to_string(i)
                        + ".  Target sizes: " + text(target) + ".  Tensor sizes: " + text(self));
    }
  }
  return out;
}

//! @brief The number of positions of a window of `kernel` sizes sliding over `size`
//! (convolution and pooling; PyTorch's `pooling_output_shape`): `(size + pad_before +
//! pad_after - d(k-1) - 1 + (ceil ? s - 1 : 0)) // s + 1`, less one when `ceil_mode` would
//! start the last window at or past `size + pad_before`.
//! @throws value_error when the constant part overflows (absurd paddings or dilations).
template <size_value I>
I window_output_size(I const& size, I const& kernel, std::int64_t stride, std::int64_t pad_before,
                     std::int64_t pad_after, std::int64_t dilation, bool ceil_mode) {
  I const span = add(mul(I(dilation), sub(kernel, I(1))), I(1));
  std::int64_t const pads = add(add(pad_before, pad_after), ceil_mode ? sub(stride, 1) : 0);
  I out = add(div_floor(sub(add(size, I(pads)), span), I(stride)), I(1));
  if (ceil_mode && holds(mul(sub(out, I(1)), I(stride)) >= add(size, I(pad_before))))
    out = sub(out, I(1));
  return out;
}

//! @brief `window_output_size` with the same padding on both sides (pooling).
template <size_value I>
I window_output_size(I const& size, std::int64_t kernel, std::int64_t stride, std::int64_t padding,
                     std::int64_t dilation, bool ceil_mode) {
  return window_output_size(size, I(kernel), stride, padding, padding, dilation, ceil_mode);
}

} // namespace xport::shape
