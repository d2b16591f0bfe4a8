// Helpers for tests that read printed programs and save them: one definition for every
// test file that needs them.
#pragma once

#include <xport/export/program.hpp>
#include <xport/serde/serde.hpp>

#include <sstream>
#include <string>

namespace xport_test {

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
