// Draws input sizes from an exported program's input contract: sizes inside it (every
// symbol in its range, every derived dim and guard satisfied) for property tests that
// compare a program with eager execution, and sizes just outside it, each with the message
// the contract must refuse them with. Shared by the export property tests, the OpInfo
// sweep and the loader fuzzer (fuzz/load.cpp).
#pragma once

#include <xport/core/error.hpp>
#include <xport/sym/input_check.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace test {

//! One shape per tensor input of a contract (a scalar input's one "dim" is its value).
using shapes = std::vector<std::vector<std::int64_t>>;

namespace detail {

inline bool accepts(xport::sym::input_contract const& contract, shapes const& s) {
  std::vector<xport::sym::shape_view> views(s.begin(), s.end());
  try {
    contract.check(views);
    return true;
  } catch (xport::error const&) {
    return false;
  }
}

inline shapes evaluate(xport::sym::input_contract const& contract,
                       std::vector<std::int64_t> const& values) {
  shapes out(contract.num_inputs());
  for (std::size_t i = 0; i < out.size(); ++i)
    for (xport::sym::expr const& e : contract.input_dims(i))
      out[i].push_back(
          xport::sym::evaluate(e, [&](xport::sym::symbol s) { return values.at(s.index); }));
  return out;
}

} // namespace detail

//! Sizes inside a contract and the symbol values they came from.
struct draw {
  shapes sizes;                     //!< one shape per tensor input
  std::vector<std::int64_t> values; //!< one value per symbol
};

//! Draws sizes inside @p contract: each symbol uniformly from its range, cut to at most
//! @p span values above its minimum so that tensors stay small; retried until the guards
//! hold too (`s % 2 == 0`, `s2 >= 2*s6 - 1`), the cut widening by one every 64 tries.
//! Empty when 1024 draws all broke a guard.
inline std::optional<draw> draw_inside(xport::sym::input_contract const& contract,
                                       std::mt19937_64& rng, std::int64_t span = 6) {
  for (int attempt = 0; attempt < 1024; ++attempt) {
    std::vector<std::int64_t> values;
    for (std::uint32_t i = 0; i < contract.num_symbols(); ++i) {
      xport::sym::value_range const r = contract.range(xport::sym::symbol{.index = i});
      std::int64_t const lo = std::max<std::int64_t>(r.lo, 0);
      std::int64_t const hi = std::min(r.hi, lo + span + attempt / 64);
      values.push_back(std::uniform_int_distribution<std::int64_t>(lo, hi)(rng));
    }
    shapes s = detail::evaluate(contract, values);
    if (detail::accepts(contract, s)) return draw{std::move(s), std::move(values)};
  }
  return std::nullopt;
}

//! Sizes that break a contract, and what its refusal must say.
struct violation {
  shapes sizes;         //!< the input sizes
  std::string phrase;   //!< a key phrase of the message
  std::string what;     //!< the kind of break, for failure messages
  bool is_rank = false; //!< a wrong number of dims: a shape_error, not a constraint_violation
};

//! Every way to break @p contract starting from a draw inside it, each outside by
//! construction rather than by asking the contract: each input with one dim too many;
//! each symbol one past its maximum and one below its enforced minimum (every dim
//! following); each dim changed alone by one, unless it is the first to name one of its
//! symbols (which then takes another value). Constant dims are always changed alone.
inline std::vector<violation> draw_outside(xport::sym::input_contract const& contract,
                                           draw const& from) {
  using xport::sym::expr;
  shapes const& inside = from.sizes;
  std::vector<violation> out;
  for (std::size_t i = 0; i < inside.size(); ++i) {
    if (contract.input_is_scalar(i)) continue;
    shapes s = inside;
    s[i].push_back(1);
    out.push_back({s, "Unexpected number of dimensions in input at " + contract.input_path(i),
                   "extra dim of input " + std::to_string(i), true});
  }
  // Symbols out of range: every dim follows.
  for (std::uint32_t k = 0; k < contract.num_symbols(); ++k) {
    xport::sym::value_range const r = contract.range(xport::sym::symbol{.index = k});
    bool const min_enforced = contract.policy() == xport::sym::zero_one_policy::enforce || r.lo > 2;
    for (std::int64_t v :
         {r.hi == xport::sym::int_oo ? -1 : r.hi + 1, min_enforced ? r.lo - 1 : -1}) {
      if (v < 0) continue;
      std::vector<std::int64_t> vs = from.values;
      vs[k] = v;
      out.push_back({detail::evaluate(contract, vs), "Expected input",
                     contract.symbol_name(k) + " = " + std::to_string(v)});
    }
  }
  // One dim changed alone: a static dim, a repeated symbol, a derived dim.
  std::vector<bool> seen(contract.num_symbols());
  for (std::size_t i = 0; i < inside.size(); ++i) {
    for (std::size_t d = 0; d < inside[i].size(); ++d) {
      bool first = false;
      for (xport::sym::symbol const s : xport::sym::free_symbols(contract.input_dims(i)[d]))
        if (!seen[s.index]) first = seen[s.index] = true;
      if (first) continue;
      shapes s = inside;
      s[i][d] += 1;
      out.push_back(
          {s, "Expected input",
           "dim " + std::to_string(d) + " of input " + std::to_string(i) + " changed alone"});
    }
  }
  return out;
}

} // namespace test
