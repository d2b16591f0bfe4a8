// libFuzzer target: the program decoder on its own (no zip, no call), with the full default
// op set and a dictionary of the format's keys, op names and enum values
// (fuzz/program.dict, made by fuzz/make_dict.py from the corpus). JSON that is not a valid
// program, whatever its structure, must give an xport::error (bytes that are not JSON stop
// at the JSON library, as they do in the loader). It runs many more inputs per second than
// the load target, so it reaches deeper into each op's attribute decoding.
//
// The storages are those the JSON lists, zero-filled (up to 1 MiB each), in order: the
// decoder's checks of views against their storage see the sizes the JSON claims.
#include "archive.hpp"

#include <xport/serde/load.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  using xport::serde::detail::in_json;
  in_json const root = in_json::parse(data, data + size, nullptr, false);
  if (root.is_discarded()) return 0; // not JSON: the loader's parse error (tested elsewhere)
  std::vector<xport::Storage> storages;
  if (root.is_object() && root.contains("storages") && root["storages"].is_array()) {
    for (in_json const& s : root["storages"]) {
      std::int64_t const nbytes =
          s.is_object() && s.contains("nbytes") && s["nbytes"].is_number_integer()
              ? s["nbytes"].get<std::int64_t>()
              : 0;
      std::size_t const n =
          nbytes > 0 && nbytes <= fuzz::max_storage_bytes ? static_cast<std::size_t>(nbytes) : 0;
      storages.emplace_back(n, xport::Device{});
    }
  }
  try {
    xport::ExportedProgram const ep =
        xport::serde::detail::decode_program<xport::ops::default_op_set>(root, storages);
    ep.check_state("fuzz"); // the loader's check of the state against the placeholders
    (void)ep.str();         // printing reads every meta, symbol and attribute decoded
  } catch (xport::error const&) {
    // refused with a message
  }
  return 0;
}
