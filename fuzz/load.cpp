// libFuzzer target: xport::load_from_bytes on arbitrary bytes, with the full default op
// set, then a call of whatever loaded on inputs drawn inside its own contract. Loading must
// either succeed or raise xport::error; a loaded program must run or raise xport::error.
// Any crash, sanitizer report, leak or other exception is a bug.
//
// Inputs that start with '{' are a program's JSON, wrapped into an archive with the
// storages that JSON lists (fuzz/archive.hpp); other inputs are whole archives. See
// fuzz/run.sh and docs/fuzzing.md.
#include "archive.hpp"
#include "call.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  return fuzz::load_and_call(
      data, size, fuzz::archive_for_json,
      [](std::span<std::byte const> bytes) { return xport::load_from_bytes(bytes); });
}
