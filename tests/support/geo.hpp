// geo::Point, the user struct of the pytree tests (tests/trace/pytree_*.cpp): one
// definition, so that the tests can share a translation unit.
#pragma once

#include <xport/core/tensor.hpp>

#include <boost/hana/define_struct.hpp>

#include <optional>

namespace geo {
//! A struct with a required and an optional tensor, as a model's input or output.
struct Point {
  BOOST_HANA_DEFINE_STRUCT(Point, (xport::Tensor, x), (std::optional<xport::Tensor>, y));
};
} // namespace geo
