// Helpers for tests that read printed programs and save them: one definition for every
// test file that needs them.
#pragma once

#include <xport/export/program.hpp>
#include <xport/serde/load_pt2.hpp>
#include <xport/serde/save_pt2.hpp>
#include <xport/serde/serde.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace xport_test {

// How many call nodes of `g` call `op` (`aten::_assert_scalar`); sub-graphs not included.
inline std::size_t calls_of(xport::graph::Graph const& g, std::string_view op) {
  std::size_t n = 0;
  for (xport::graph::node const& node : g.nodes())
    if (node.target && node.target->schema().name == op) ++n;
  return n;
}

// Whether `text` (a printed program, a message) contains `part`.
inline bool says(std::string const& text, std::string const& part) {
  return text.find(part) != std::string::npos;
}

// `ep` saved in xport's format and loaded again.
inline xport::ExportedProgram reloaded(xport::ExportedProgram const& ep) {
  std::stringstream bytes;
  xport::save(ep, bytes);
  return xport::load(bytes);
}

// `ep`, the same saved and loaded in xport's format, and in PyTorch's `.pt2`.
inline std::vector<xport::ExportedProgram> three_forms(xport::ExportedProgram const& ep) {
  return {ep, reloaded(ep), xport::load_pt2_from_bytes(xport::save_pt2_to_bytes(ep))};
}

// The value of a SymInt that must be concrete (a program's integer output).
inline std::int64_t value_of(xport::SymInt const& n) {
  REQUIRE_FALSE(n.is_symbolic());
  return *n.maybe_int();
}

} // namespace xport_test
