//! @file
//! The dropout front end: `xport::dropout` (PyTorch's `F.dropout`).
#pragma once

#include <xport/api/call.hpp>
#include <xport/core/generator.hpp>
#include <xport/core/source_location.hpp>
#include <xport/ops/dropout.hpp>

#include <cstdint>
#include <string>

namespace xport {

namespace detail {

// The seed of a dropout mask: 64 bits from the caller's generator, drawn only when a mask
// is needed (0 < p < 1 in training), so eval calls leave the generator untouched.
inline std::int64_t draw_dropout_seed(double p, bool training, Generator* gen, char const* op) {
  if (!training || p <= 0.0 || p >= 1.0) return 0;
  if (gen == nullptr) {
    throw value_error(std::string(op)
                      + ": a dropout mask needs a Generator (xport has no "
                        "global one); pass one, e.g. `xport::Generator gen{42};` and `&gen`, or "
                        "turn dropout off (training=false or p=0)");
  }
  return static_cast<std::int64_t>(gen->next_bits());
}

} // namespace detail

//! @brief `F.dropout(x, p, training)`: in training each element is zeroed with
//! probability `p` and the rest scaled by `1 / (1 - p)`; otherwise `x` itself.
//!
//! The mask is drawn from `gen` at call time and recorded as the op's `seed` attribute
//! (the same generator state gives the same mask, traced or eager). `p == 1` gives zeros.
//! @code
//! xport::Generator gen{0};
//! auto y = xport::dropout(x, 0.1, /*training=*/true, &gen);
//! @endcode
//! @throws value_error "dropout probability has to be between 0 and 1, but got 1.5", or
//! when a mask is needed and `gen` is null; dtype_error for a non-floating input in
//! training.
inline Tensor dropout(Tensor const& x, double p = 0.5, bool training = true,
                      Generator* gen = nullptr,
                      source_location const& where = source_location::current()) {
  ops::detail::check_dropout_probability(p);
  std::int64_t const seed = detail::draw_dropout_seed(p, training, gen, "dropout");
  return ops::call1<ops::dropout>({p, training, seed}, {x}, where);
}

} // namespace xport
