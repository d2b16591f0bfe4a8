//! @file
//! `xport::load_pt2`: runs programs exported by PyTorch. Reads the archive that
//! `torch.export.save` writes (schema major version 8, archive version "0") into an
//! `ExportedProgram` — graph, signature, weights and constants, and an input contract
//! made from the archive's symbolic sizes and range constraints — without libtorch.
//!
//! @code
//! // python: torch.export.save(torch.export.export(model, (x,), dynamic_shapes=...), "m.pt2")
//! xport::ExportedProgram ep = xport::load_pt2("m.pt2");
//! std::cout << ep;                                   // the program and its contract
//! auto y = ep.module().call<xport::Tensor>(x);       // checked against the contract
//! @endcode
//!
//! A program whose ops or features xport lacks does not load in part: the load fails with
//! one `unsupported_error` listing every unsupported op, with its count and first node.
#pragma once

#include <xport/ops/default_op_set.hpp>
#include <xport/serde/detail/file.hpp>
#include <xport/serde/detail/pt2_program.hpp>
#include <xport/serde/load.hpp>

#include <cstddef>
#include <cstring>
#include <filesystem>
#include <istream>
#include <iterator>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace xport {

namespace serde::detail {

template <class OpSet>
ExportedProgram read_pt2(std::span<std::byte const> file, load_options const& options,
                         std::shared_ptr<void const> const& mapping) {
  require_little_endian();
  zip_reader const zip(file, "xport::load_pt2", "a .pt2 archive");
  // Every entry sits under one root folder (the file's name, or "archive").
  std::string root;
  for (auto const& [name, entry] : zip.entries()) {
    std::size_t const slash = name.find('/');
    if (slash != std::string::npos && name.substr(slash + 1) == "archive_format") {
      root = name.substr(0, slash + 1);
      break;
    }
  }
  auto const text = [&](std::string const& name) -> std::optional<std::string> {
    zip_entry const* e = zip.find(root + name);
    if (e == nullptr) return std::nullopt;
    zip.verify(*e);
    auto const bytes = zip.data(*e);
    return std::string(reinterpret_cast<char const*>(bytes.data()), bytes.size());
  };
  if (zip.find("serialized_exported_program.json") != nullptr
      || zip.find(root + "serialized_exported_program.json") != nullptr)
    throw serialization_error(
        "xport::load_pt2: the archive has the layout of torch 2.6 and older "
        "(serialized_exported_program.json with pickled weights), which xport does not read; "
        "load it with torch.export.load and save it again with torch 2.9 or newer");
  auto const format = text("archive_format");
  if (!format)
    throw serialization_error("xport::load_pt2: the zip archive has no 'archive_format' entry, "
                              "so it is not a .pt2 archive (torch.export.save writes one)");
  if (*format == "xport")
    throw serialization_error(
        "xport::load_pt2: this is an xport archive; read it with xport::load");
  if (*format != "pt2")
    throw serialization_error("xport::load_pt2: archive_format is '" + format->substr(0, 32)
                              + "', expected 'pt2'");
  if (auto const version = text("archive_version"); version && *version != "0")
    throw serialization_error("xport::load_pt2: archive_version is '" + version->substr(0, 32)
                              + "'; this xport reads archive version 0");
  if (auto const order = text("byteorder"); order && *order != "little")
    throw serialization_error("xport::load_pt2: the archive's byteorder is '" + order->substr(0, 32)
                              + "'; only little-endian data is supported");

  // The program: models/<name>.json, one per archive (torch.export.save writes "model").
  std::vector<std::string> models;
  for (auto const& [name, entry] : zip.entries()) {
    std::string const prefix = root + "models/";
    if (name.starts_with(prefix) && name.ends_with(".json")
        && name.find('/', prefix.size()) == std::string::npos)
      models.push_back(name.substr(prefix.size(), name.size() - prefix.size() - 5));
  }
  if (models.empty()) {
    throw serialization_error("xport::load_pt2: the archive has no program (models/<name>.json)");
  }
  if (models.size() > 1)
    throw serialization_error("xport::load_pt2: the archive holds " + std::to_string(models.size())
                              + " programs ('" + models[0] + "', '" + models[1]
                              + "', ...); xport reads archives with one");
  std::string const model = models[0];
  auto parse = [&](std::string const& name) -> std::optional<in_json> {
    auto const body = text(name);
    if (!body) return std::nullopt;
    try {
      return in_json::parse(*body);
    } catch (in_json::exception const& e) {
      throw serialization_error("xport::load_pt2: " + name + " is not valid JSON: " + e.what());
    }
  };
  in_json const program = *parse("models/" + model + ".json");
  if (!program.is_object()) fail("model.json", "expected an object, got " + kind_of(program));
  in_json const& version = field(program, "schema_version", "model");
  std::int64_t const major =
      as_int(field(version, "major", "schema_version"), "schema_version.major");
  std::int64_t const minor =
      as_int(field(version, "minor", "schema_version"), "schema_version.minor");
  if (major != pt2_schema_major)
    throw serialization_error("xport::load_pt2: the program has schema version "
                              + std::to_string(major) + "." + std::to_string(minor)
                              + "; this xport reads major version "
                              + std::to_string(pt2_schema_major) + " (torch 2.6 and newer)");
  if (zip.find(root + "data/weights/" + model + ".pt") != nullptr)
    throw serialization_error(
        "xport::load_pt2: the archive's weights are a pickled state dict (data/weights/" + model
        + ".pt, the layout of torch 2.8), which xport does not read; load it with "
          "torch.export.load and save it again with torch 2.9 or newer");
  std::optional<in_json> const weights = parse("data/weights/" + model + "_weights_config.json");
  std::optional<in_json> const constants =
      parse("data/constants/" + model + "_constants_config.json");

  // Payloads, each read (or mapped) once however many tensors view it.
  std::map<std::string, Storage> payloads;
  auto storage = [&](std::string const& config, std::string const& path,
                     std::string const& where) -> Storage {
    std::string const folder = config == "weights config" ? "data/weights/" : "data/constants/";
    std::string const entry_name = root + folder + path;
    if (auto const it = payloads.find(entry_name); it != payloads.end()) return it->second;
    zip_entry const* e = zip.find(entry_name);
    if (e == nullptr) fail(where, "the archive has no entry '" + folder + path + "'");
    auto const bytes = zip.data(*e);
    Storage s;
    if (mapping) {
      s = Storage(const_cast<std::byte*>(bytes.data()), bytes.size(), Device(cpu_t{}), mapping);
    } else {
      if (options.verify_checksums) zip.verify(*e);
      s = Storage(bytes.size(), Device(cpu_t{}));
      if (!bytes.empty()) std::memcpy(s.data(), bytes.data(), bytes.size());
    }
    payloads.emplace(entry_name, s);
    return s;
  };
  try {
    return pt2_reader<OpSet>(program, weights ? &*weights : nullptr,
                             constants ? &*constants : nullptr, storage)
        .read();
  } catch (serialization_error const& e) {
    // The JSON readers shared with xport::load name it; this is load_pt2.
    std::string_view const what = e.what();
    constexpr std::string_view shared = "xport::load: ";
    if (!what.starts_with(shared)) throw;
    throw serialization_error("xport::load_pt2: " + std::string(what.substr(shared.size())));
  }
}

} // namespace serde::detail

//! @brief Reads the `.pt2` archive held in `bytes` (copying what it keeps).
//! @throws serialization_error naming the JSON path of what is malformed (`graph_module
//! .graph.nodes[3] ('addmm').inputs: refers to the tensor 'x_9', which no earlier node or
//! input defines`), for archives of another schema major version or layout, and for
//! weights that do not fit their payload; unsupported_error listing every op (with its
//! count and first node) and feature xport cannot run.
template <class OpSet = ops::default_op_set>
ExportedProgram load_pt2_from_bytes(std::span<std::byte const> bytes, load_options options = {}) {
  return serde::detail::read_pt2<OpSet>(bytes, options, nullptr);
}

//! @brief Reads the `.pt2` archive in the stream `in` (to its end).
//! @throws as `load_pt2_from_bytes`, or serialization_error when the stream fails.
template <class OpSet = ops::default_op_set>
ExportedProgram load_pt2(std::istream& in, load_options options = {}) {
  return load_pt2_from_bytes<OpSet>(serde::detail::read_stream("xport::load_pt2", in), options);
}

//! @brief Reads the `.pt2` archive at `path` (written by `torch.export.save`); with
//! `options.map_weights`, the weights use the mapped file's bytes in place.
//! @throws serialization_error naming the file and the reason it cannot be opened, or as
//! `load_pt2_from_bytes`.
template <class OpSet = ops::default_op_set>
ExportedProgram load_pt2(std::filesystem::path const& path, load_options options = {}) {
  serde::detail::mapped_file const file =
      serde::detail::map_file("xport::load_pt2", path, options.map_weights);
  try {
    return serde::detail::read_pt2<OpSet>(file.bytes, options,
                                          options.map_weights ? file.mapping : nullptr);
  } catch (serialization_error const& e) {
    throw serialization_error(std::string(e.what()) + " (in '" + path.string() + "')");
  } catch (unsupported_error const& e) {
    throw unsupported_error(std::string(e.what()) + " (in '" + path.string() + "')");
  }
}

} // namespace xport
