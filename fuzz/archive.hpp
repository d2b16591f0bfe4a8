// Shared by the fuzz targets: turns a program's JSON into a whole archive, with one zero-
// filled entry per storage that the JSON itself lists, so that mutations of the JSON reach
// the decoder and the program instead of stopping at the zip's checksums.
#pragma once

#include <xport/serde/detail/zip.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace fuzz {

//! The largest storage the wrapper makes (a JSON may claim any size).
inline constexpr std::int64_t max_storage_bytes = 1 << 20;

//! An archive holding @p json as `models/model.json`, and for each entry of the JSON's
//! `storages` list (`{"entry": "data/storage_0", "nbytes": 48}`) an entry of that many
//! bytes of 0x3f (1.0f in every float). Storages the JSON lists badly are left out, for
//! the loader to refuse.
inline std::vector<std::byte> archive_for_json(std::uint8_t const* data, std::size_t size) {
  std::vector<std::byte> out;
  xport::serde::detail::zip_writer zip([&](void const* p, std::size_t n) {
    auto const* b = static_cast<std::byte const*>(p);
    out.insert(out.end(), b, b + n);
  });
  auto bytes = [](std::string const& s) {
    return std::span(reinterpret_cast<std::byte const*>(s.data()), s.size());
  };
  zip.add("archive/archive_format", bytes("xport"));
  zip.add("archive/byteorder", bytes("little"));
  zip.add("archive/models/model.json", {reinterpret_cast<std::byte const*>(data), size});
  nlohmann::json const root = nlohmann::json::parse(data, data + size, nullptr, false);
  if (root.is_object() && root.contains("storages") && root["storages"].is_array()) {
    std::vector<std::string> added;
    for (nlohmann::json const& s : root["storages"]) {
      if (!s.is_object() || !s.contains("entry") || !s["entry"].is_string() || !s.contains("nbytes")
          || !s["nbytes"].is_number_integer())
        continue;
      std::string const entry = "archive/" + s["entry"].get<std::string>();
      std::int64_t const nbytes = s["nbytes"].get<std::int64_t>();
      if (nbytes < 0 || nbytes > max_storage_bytes) continue;
      if (std::find(added.begin(), added.end(), entry) != added.end()) continue;
      added.push_back(entry);
      std::vector<std::byte> const filler(static_cast<std::size_t>(nbytes), std::byte{0x3f});
      zip.add(entry, filler);
    }
  }
  zip.finish();
  return out;
}

} // namespace fuzz
