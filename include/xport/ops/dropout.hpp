//! @file
//! The dropout op node type, whose randomness is an attribute: the seed drawn from the
//! caller's generator, so a recorded program replays the same mask.
#pragma once

#include <xport/core/dtype.hpp>
#include <xport/ops/op.hpp>
#include <xport/ops/op_set.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace xport::ops {

namespace detail {

// PyTorch's check of F.dropout's probability (also used by attention's dropout_p).
inline void check_dropout_probability(double p, std::string_view what = "dropout probability") {
  if (!(p >= 0.0 && p <= 1.0)) { // NaN fails too
    std::string value = std::to_string(p);
    value.erase(value.find_last_not_of('0') + 1);
    if (value.back() == '.') value += '0';
    throw value_error(std::string(what) + " has to be between 0 and 1, but got " + value);
  }
}

} // namespace detail

//! @brief `aten::dropout`: in training, zeroes each element with probability `p` and
//! scales the others by `1 / (1 - p)`; otherwise the identity.
//!
//! The keep mask is a function of `seed` alone (a Bernoulli(1 - p) draw per element in
//! row-major order from `Generator{seed}`), so the node is reproducible and serializable.
//! `p == 1` multiplies by zero (NaN and infinity give NaN, as in PyTorch's CPU kernel).
struct dropout {
  static constexpr std::string_view name = "aten::dropout"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;       //!< decomposed later
  static constexpr op_tag tags = op_tag::random;            //!< draws a dropout mask
  static constexpr dtype_set dtypes = dtype_sets::all;      //!< supported dtypes
  //! @brief The drop probability, whether training, and the mask's seed (64 random bits
  //! drawn from the caller's generator; 0 when no mask is drawn).
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (double, p), (bool, train), (std::int64_t, seed));
  };
  //! @brief Same shape and dtype as the input: `f32[s0, 16]` -> `f32[s0, 16]`.
  //! @throws value_error "dropout probability has to be between 0 and 1, but got 1.5";
  //! dtype_error for a non-floating input in training.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    detail::check_dropout_probability(a.p);
    if (a.train && a.p > 0.0 && !is_floating_point(in[0].dtype)) {
      throw dtype_error("dropout: training needs a floating-point input, but got "
                        + torch_name(in[0].dtype) + "; convert it with .to()");
    }
    return {tensor_meta{in[0].dtype, in[0].device, in[0].sizes}};
  }
};

//! @brief The dropout op.
using dropout_ops = op_set<dropout>;

} // namespace xport::ops
