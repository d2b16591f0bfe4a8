//! @file
//! `nn::Dropout`: zeroes random elements in training and is the identity in evaluation
//! (PyTorch's `nn.Dropout`).
#pragma once

#include <xport/api/dropout.hpp>
#include <xport/core/generator.hpp>
#include <xport/core/tensor.hpp>
#include <xport/nn/detail/layer_args.hpp>
#include <xport/nn/module.hpp>

#include <cstdint>

namespace xport::nn {

//! @brief In training mode, zeroes each element with probability `p` and scales the rest
//! by `1 / (1 - p)`; in evaluation mode (`eval()`), returns its input (PyTorch's
//! `nn.Dropout`).
//!
//! xport has no global generator, so a `Dropout` owns one: seeded with `seed`, or with a
//! seed drawn from the generator a model is built from (so one seed fixes both the weights
//! and the dropout masks). Copies of a module carry the generator's state with them.
//! Calling one `Dropout` from several threads at once in training mode is a data race on
//! its generator, as it would be on any shared generator.
//! @code
//! xport::nn::Dropout drop{0.1, gen};
//! @endcode
class Dropout : public Module<Dropout> {
public:
  double p = 0.5; //!< probability of zeroing an element

  //! @brief Dropout with probability `p_`, its masks drawn from a generator seeded `seed`.
  //! @throws value_error when `p_` is outside [0, 1].
  explicit Dropout(double p_ = 0.5, std::uint64_t seed = 0) : p(p_), generator_(seed) {
    detail::expect_probability(p);
  }

  //! @brief Dropout with probability `p_`, its generator seeded from `gen`.
  //! @throws value_error when `p_` is outside [0, 1].
  Dropout(double p_, Generator& gen) : Dropout(p_, gen.next_bits()) {}

  //! @brief `dropout(input, p, is_training(), &generator())`: a fresh mask per call in
  //! training mode, `input` itself in evaluation mode.
  //! @throws dtype_error for a non-floating input in training mode.
  Tensor forward(Tensor const& input) const {
    return dropout(input, p, this->is_training(), &generator_);
  }

  //! @brief The generator the masks are drawn from (to reseed it: `manual_seed`).
  Generator& generator() const noexcept { return generator_; }

private:
  // Drawing a mask advances the generator; `forward` is const like every forward.
  mutable Generator generator_;
};

} // namespace xport::nn
