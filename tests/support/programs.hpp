// Helpers for tests that read printed programs and save them: one definition for every
// test file that needs them.
#pragma once

#include <xport/export/program.hpp>
#include <xport/serde/serde.hpp>

#include <cstddef>
#include <sstream>
#include <string>
#include <string_view>

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

} // namespace xport_test
