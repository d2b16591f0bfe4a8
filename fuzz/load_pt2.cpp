// libFuzzer target: xport::load_pt2_from_bytes on arbitrary bytes; whatever loaded is
// written again with xport::save_pt2 and must read back the same (save_pt2 inverts
// load_pt2), then it is called on inputs drawn inside its own contract. Loading must
// succeed or raise xport::error; a loaded program must run or raise xport::error. Any
// crash, sanitizer report, leak, other exception or round trip that changes the program
// is a bug.
//
// Inputs that start with '{' are {"model": <models/model.json>, "weights": <weights
// config>, "constants": <constants config>}, wrapped into an archive with a payload for
// every config entry (fuzz/archive.hpp), so that mutations reach the reader instead of
// stopping at the zip's checksums; other inputs are whole archives. The corpus starts
// from tests/fixtures/pt2 (archives, and the same programs as JSON: fuzz/seed_pt2.py).
#include "archive.hpp"
#include "call.hpp"

#include <xport/serde/save_pt2.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  return fuzz::load_and_call(data, size, fuzz::pt2_archive_for_json,
                             [](std::span<std::byte const> bytes) {
                               xport::ExportedProgram ep = xport::load_pt2_from_bytes(bytes);
                               xport::ExportedProgram const again =
                                   xport::load_pt2_from_bytes(xport::save_pt2_to_bytes(ep));
                               if (again.str() != ep.str())
                                 std::abort(); // a finding: the round trip changed it
                               return ep;
                             });
}
