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
#include <tuple>
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

//! The bytes a `.pt2` payload needs for a weights-config entry's `tensor_meta` (its last
//! element's end), or -1 when the entry is malformed or needs more than
//! `max_storage_bytes`.
inline std::int64_t pt2_payload_bytes(nlohmann::json const& meta) {
  auto ints = [&](char const* key) -> std::vector<std::int64_t> {
    std::vector<std::int64_t> out;
    if (!meta.contains(key) || !meta[key].is_array()) return out;
    for (nlohmann::json const& v : meta[key]) {
      if (!v.is_object() || !v.contains("as_int") || !v["as_int"].is_number_integer()) return {};
      out.push_back(v["as_int"].get<std::int64_t>());
    }
    return out;
  };
  std::vector<std::int64_t> const sizes = ints("sizes");
  std::vector<std::int64_t> const strides = ints("strides");
  if (sizes.size() != strides.size() || !meta.contains("dtype")
      || !meta["dtype"].is_number_integer())
    return -1;
  std::int64_t const code = meta["dtype"].get<std::int64_t>();
  std::int64_t const element = code == 8 || code == 5                 ? 8
                               : code == 7 || code == 4               ? 4
                               : code == 6 || code == 13 || code == 3 ? 2
                                                                      : 1;
  std::int64_t end = 1;
  if (meta.contains("storage_offset") && meta["storage_offset"].is_object()
      && meta["storage_offset"].value("as_int", nlohmann::json()).is_number_integer())
    end += meta["storage_offset"]["as_int"].get<std::int64_t>();
  for (std::size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] < 0 || strides[d] < 0 || sizes[d] > max_storage_bytes
        || strides[d] > max_storage_bytes)
      return -1;
    if (sizes[d] == 0) return 0;
    end += (sizes[d] - 1) * strides[d];
  }
  if (end < 0 || end > max_storage_bytes / element) return -1;
  return end * element;
}

//! A `.pt2` archive (as torch.export.save lays it out, root folder `archive/`) from
//! `{"model": ..., "weights": ..., "constants": ...}`: the program JSON, the two configs,
//! and a payload of 0x3f bytes for each config entry, as large as its view needs.
inline std::vector<std::byte> pt2_archive_for_json(std::uint8_t const* data, std::size_t size) {
  std::vector<std::byte> out;
  xport::serde::detail::zip_writer zip([&](void const* p, std::size_t n) {
    auto const* b = static_cast<std::byte const*>(p);
    out.insert(out.end(), b, b + n);
  });
  auto add_text = [&](std::string const& name, std::string const& text) {
    zip.add(name, std::span(reinterpret_cast<std::byte const*>(text.data()), text.size()));
  };
  add_text("archive/archive_format", "pt2");
  add_text("archive/archive_version", "0");
  add_text("archive/byteorder", "little");
  nlohmann::json const root = nlohmann::json::parse(data, data + size, nullptr, false);
  if (!root.is_object()) {
    add_text("archive/models/model.json", std::string(reinterpret_cast<char const*>(data), size));
  } else {
    if (root.contains("model")) add_text("archive/models/model.json", root["model"].dump());
    std::vector<std::string> added;
    for (auto const& [key, folder, file] :
         {std::tuple{"weights", "archive/data/weights/", "model_weights_config.json"},
          std::tuple{"constants", "archive/data/constants/", "model_constants_config.json"}}) {
      if (!root.contains(key)) continue;
      nlohmann::json const& config = root[key];
      add_text(std::string(folder) + file, config.dump());
      if (!config.is_object() || !config.contains("config") || !config["config"].is_object())
        continue;
      for (auto const& [fqn, entry] : config["config"].items()) {
        if (!entry.is_object() || !entry.contains("path_name") || !entry["path_name"].is_string()
            || !entry.contains("tensor_meta") || !entry["tensor_meta"].is_object())
          continue;
        std::string const name = folder + entry["path_name"].get<std::string>();
        std::int64_t const nbytes = pt2_payload_bytes(entry["tensor_meta"]);
        if (nbytes < 0 || std::find(added.begin(), added.end(), name) != added.end()) continue;
        added.push_back(name);
        std::vector<std::byte> const filler(static_cast<std::size_t>(nbytes), std::byte{0x3f});
        zip.add(name, filler);
      }
    }
  }
  zip.finish();
  return out;
}

} // namespace fuzz
