//! @file
//! `xport::load`: reads an exported program from an archive written by `xport::save`,
//! checking every byte it uses (a corrupted or hostile file raises `serialization_error`),
//! with weights copied or mapped from the file without copying.
#pragma once

#include <xport/ops/default_op_set.hpp>
#include <xport/serde/detail/decode.hpp>
#include <xport/serde/detail/file.hpp>
#include <xport/serde/detail/zip.hpp>
#include <xport/serde/save.hpp>

#include <cstddef>
#include <cstring>
#include <filesystem>
#include <istream>
#include <iterator>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace xport {

//! @brief How `load` reads an archive.
struct load_options {
  //! @brief Map the file and let the program's state use its bytes in place (copy on
  //! write: a program that mutates a buffer never changes the file). Loading then takes
  //! about the same time for any weight size; the file's pages are read as tensors are
  //! used. Only the path form of `load` maps.
  bool map_weights = false;
  //! @brief Check the CRC-32 of every weight entry (the program's JSON is always
  //! checked). Mapped loads skip it for weights, since it would read every byte.
  bool verify_checksums = true;
};

namespace serde::detail {

template <class OpSet>
ExportedProgram read_archive(std::span<std::byte const> file, load_options const& options,
                             std::shared_ptr<void const> const& mapping) {
  require_little_endian();
  zip_reader const zip(file);
  zip_entry const* format = zip.find("archive/archive_format");
  for (auto const& [name, entry] : zip.entries()) // torch.export.save's root is the file name
    if (format == nullptr && name.ends_with("/archive_format")
        && name.find('/') == name.size() - 15)
      format = &entry;
  if (format == nullptr)
    throw serialization_error("xport::load: wrong magic: the zip archive has no "
                              "'archive/archive_format' entry, so it is not an xport archive");
  zip.verify(*format);
  auto const text = [&](zip_entry const& e) {
    auto const bytes = zip.data(e);
    return std::string(reinterpret_cast<char const*>(bytes.data()), bytes.size());
  };
  std::string const kind = text(*format);
  if (kind == "pt2")
    throw serialization_error(
        "xport::load: this is a PyTorch .pt2 archive; read it with xport::load_pt2");
  if (kind != "xport")
    throw serialization_error("xport::load: wrong magic: archive_format is '" + kind.substr(0, 32)
                              + "', expected 'xport'");
  zip_entry const* order = zip.find("archive/byteorder");
  if (order == nullptr || (zip.verify(*order), text(*order) != "little"))
    throw serialization_error("xport::load: the archive does not record little-endian data "
                              "('archive/byteorder')");
  zip_entry const* model = zip.find("archive/models/model.json");
  if (model == nullptr)
    throw serialization_error("xport::load: the archive has no 'archive/models/model.json'");
  zip.verify(*model);
  in_json root;
  try {
    auto const bytes = zip.data(*model);
    root = in_json::parse(reinterpret_cast<char const*>(bytes.data()),
                          reinterpret_cast<char const*>(bytes.data()) + bytes.size());
  } catch (in_json::exception const& e) {
    throw serialization_error(std::string("xport::load: models/model.json is not valid JSON: ")
                              + e.what());
  }
  if (!root.is_object()) fail("model.json", "expected an object, got " + kind_of(root));
  if (as_string(field(root, "format", "model.json"), "format") != "xport.exported_program")
    fail("format", "expected 'xport.exported_program'");
  in_json const& version = field(root, "schema_version", "model.json");
  std::int64_t const major =
      as_int(field(version, "major", "schema_version"), "schema_version.major");
  std::int64_t const minor =
      as_int(field(version, "minor", "schema_version"), "schema_version.minor");
  if (major != serde::current_schema_version.major)
    throw serialization_error(
        "xport::load: the archive has schema version " + std::to_string(major) + "."
        + std::to_string(minor) + ", but this xport reads major version "
        + std::to_string(serde::current_schema_version.major)
        + (major > serde::current_schema_version.major ? " (it was written by a newer xport; "
                                                         "upgrade xport to read it)"
                                                       : " (re-export the program)"));
  if (as_string(field(root, "byteorder", "model.json"), "byteorder") != "little")
    fail("byteorder", "only little-endian archives are supported");

  // Storages: each one entry of raw bytes, its size as recorded; nothing is allocated
  // beyond what the file holds.
  in_json const& list = as_array(field(root, "storages", "model.json"), "storages");
  std::vector<Storage> storages;
  std::set<std::string> used;
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string const w = at("storages", i);
    std::string const& entry = as_string(field(list[i], "entry", w), dot(w, "entry"));
    std::int64_t const nbytes = as_int(field(list[i], "nbytes", w), dot(w, "nbytes"));
    zip_entry const* e = zip.find("archive/" + entry);
    if (e == nullptr) fail(dot(w, "entry"), "the archive has no entry '" + entry + "'");
    if (!used.insert(entry).second) fail(dot(w, "entry"), "entry '" + entry + "' is used twice");
    if (nbytes < 0 || static_cast<std::uint64_t>(nbytes) != e->size)
      fail(dot(w, "nbytes"), "the storage records " + std::to_string(nbytes)
                                 + " bytes, but its entry holds " + std::to_string(e->size));
    auto const bytes = zip.data(*e);
    if (mapping) {
      storages.emplace_back(const_cast<std::byte*>(bytes.data()), bytes.size(), Device(cpu_t{}),
                            mapping);
    } else {
      if (options.verify_checksums) zip.verify(*e);
      Storage s(bytes.size(), Device(cpu_t{}));
      if (!bytes.empty()) std::memcpy(s.data(), bytes.data(), bytes.size());
      storages.push_back(std::move(s));
    }
  }
  (void)minor; // every minor of this major reads: unknown fields are ignored
  ExportedProgram ep = decode_program<OpSet>(root, storages);
  // A file is checked against its own graph: a stored weight of other sizes or dtype
  // than its placeholder would otherwise load and run silently wrong.
  try {
    ep.check_state("xport::load");
  } catch (error const& e) {
    throw serialization_error(e.what());
  }
  return ep;
}

} // namespace serde::detail

//! @brief Reads the program saved in `bytes` (copying what it keeps).
//! @throws serialization_error saying what is wrong and where (`graph.nodes[3] ('relu')
//! .args[0]: refers to 'x_9', which is not a node defined before this one`) for any
//! malformed, truncated, corrupted or unknown-version input, for stored state that
//! disagrees with its placeholder (dtype, sizes, device; see
//! `ExportedProgram::check_state`), and for ops that `OpSet` lacks (the message says how
//! to register them).
template <class OpSet = ops::default_op_set>
ExportedProgram load_from_bytes(std::span<std::byte const> bytes, load_options options = {}) {
  return serde::detail::read_archive<OpSet>(bytes, options, nullptr);
}

//! @brief Reads the program saved in the stream `in` (to its end).
//! @throws serialization_error as `load_from_bytes`, or when the stream fails.
template <class OpSet = ops::default_op_set>
ExportedProgram load(std::istream& in, load_options options = {}) {
  return load_from_bytes<OpSet>(serde::detail::read_stream("xport::load", in), options);
}

//! @brief Reads the program saved at `path` by `xport::save`; with
//! `options.map_weights`, the state uses the mapped file's bytes in place.
//! @throws serialization_error naming the file and the reason it cannot be opened, or as
//! `load_from_bytes`.
//!
//! Programs with custom ops load with an op set that has them:
//! @code
//! auto ep = xport::load<xport::ops::default_op_set::extend<my_op>>("model.xpt");
//! @endcode
template <class OpSet = ops::default_op_set>
ExportedProgram load(std::filesystem::path const& path, load_options options = {}) {
  serde::detail::mapped_file const file =
      serde::detail::map_file("xport::load", path, options.map_weights);
  try {
    return serde::detail::read_archive<OpSet>(file.bytes, options,
                                              options.map_weights ? file.mapping : nullptr);
  } catch (serialization_error const& e) {
    throw serialization_error(std::string(e.what()) + " (in '" + path.string() + "')");
  }
}

} // namespace xport
