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
#include <functional>
#include <span>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  fuzz::bound_allocations();
  try {
    std::vector<std::byte> const wrapped =
        size > 0 && data[0] == '{' ? fuzz::archive_for_json(data, size) : std::vector<std::byte>{};
    std::span<std::byte const> const bytes =
        wrapped.empty() ? std::span(reinterpret_cast<std::byte const*>(data), size)
                        : std::span<std::byte const>(wrapped);
    xport::ExportedProgram const ep = xport::load_from_bytes(bytes);
    fuzz::call_inside(ep, std::hash<std::string_view>{}(
                              std::string_view(reinterpret_cast<char const*>(data), size)));
  } catch (xport::error const&) {
    // refused with a message: what hostile input must get
  }
  return 0;
}
