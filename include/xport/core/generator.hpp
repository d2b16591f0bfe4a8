//! @file
//! `Generator`: an explicit, seeded source of random numbers that gives the same
//! sequence on every platform.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <optional>
#include <random>

namespace xport {

//! @brief A seeded random number generator for `rand`, `randn` and module
//! initialisation; there is no hidden global generator.
//!
//! The bits come from `std::mt19937_64`, whose sequence the C++ standard fixes, and the
//! conversions to floating point are xport's own (`std::uniform_real_distribution` and
//! `std::normal_distribution` differ between standard libraries). So a seed gives the
//! same uniform numbers everywhere, and the same normal numbers wherever `std::log`,
//! `std::sqrt`, `std::cos` and `std::sin` are correctly rounded.
//! @code
//! xport::Generator gen{42};
//! auto w = xport::randn({3, 4}, gen);
//! @endcode
class Generator {
public:
  //! @brief A generator seeded with `seed`.
  explicit Generator(std::uint64_t seed = 0) : engine_(seed), seed_(seed) {}

  //! @brief Restarts the sequence from `seed`.
  void manual_seed(std::uint64_t seed) {
    engine_.seed(seed);
    seed_ = seed;
    spare_normal_.reset();
  }

  //! @brief The seed of the current sequence.
  std::uint64_t initial_seed() const noexcept { return seed_; }

  //! @brief 64 random bits.
  std::uint64_t next_bits() { return engine_(); }

  //! @brief A uniform number in [0, 1) with `digits` random mantissa bits (24 for float,
  //! 53 for double, 11 for half, 8 for bfloat16), so it is exact in a type with that
  //! many digits and never rounds up to 1.
  double uniform(int digits = 53) {
    return static_cast<double>(next_bits() >> (64 - digits)) * std::ldexp(1.0, -digits);
  }

  //! @brief A standard normal number (mean 0, standard deviation 1) by the Box–Muller
  //! transform; numbers are produced in pairs and the second is kept for the next call.
  double normal() {
    if (spare_normal_) {
      double const value = *spare_normal_;
      spare_normal_.reset();
      return value;
    }
    double const u1 = 1.0 - uniform(); // (0, 1]: the logarithm stays finite
    double const u2 = uniform();
    double const radius = std::sqrt(-2.0 * std::log(u1));
    double const angle = 2.0 * std::numbers::pi * u2;
    spare_normal_ = radius * std::sin(angle);
    return radius * std::cos(angle);
  }

private:
  std::mt19937_64 engine_;
  std::uint64_t seed_;
  std::optional<double> spare_normal_;
};

} // namespace xport
