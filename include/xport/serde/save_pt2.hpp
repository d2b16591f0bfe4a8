//! @file
//! `xport::save_pt2`: writes an exported program as the archive `torch.export.save` writes
//! (schema 8.20, archive version "0"), for `torch.export.load` to read and run.
//!
//! @code
//! xport::save_pt2(ep, "model.pt2");
//! // python: torch.export.load("model.pt2").module()(x)
//! @endcode
//!
//! Every op is written under PyTorch's schema of the same name; symbolic sizes become
//! sympy expressions, with the `sym_size` and `_operator` nodes that compute the
//! symbolic arguments of ops (`view(x, [s0, 4])`). A program that PyTorch's format cannot
//! hold (an op PyTorch lacks, an integer input) is refused whole, with one
//! `unsupported_error` that lists every reason.
#pragma once

#include <xport/serde/detail/pt2_write.hpp>
#include <xport/serde/save.hpp>

#include <cstddef>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace xport {

namespace serde::detail {

inline void write_pt2_archive(ExportedProgram const& ep, zip_writer::sink_type sink) {
  require_little_endian();
  pt2_files const files = pt2_writer(ep).write();
  zip_writer zip(std::move(sink), always_zip64());
  std::string const root = "archive/";
  zip.add(root + "archive_format", bytes_of("pt2"));
  zip.add(root + "archive_version", bytes_of("0"));
  zip.add(root + "byteorder", bytes_of("little"));
  zip.add(root + ".data/version", bytes_of("6\n"));
  zip.add(root + "models/model.json", bytes_of(files.model));
  zip.add(root + "data/weights/model_weights_config.json", bytes_of(files.weights_config));
  zip.add(root + "data/constants/model_constants_config.json", bytes_of(files.constants_config));
  // No example inputs (torch.export.save's `serialize_example_inputs=False`): an empty
  // entry, which torch.export.load requires and reads as None.
  zip.add(root + "data/sample_inputs/model.pt", {});
  for (auto const& [path, storage] : files.payloads)
    zip.add(root + path, {static_cast<std::byte const*>(storage.data()), storage.nbytes()});
  zip.finish();
}

} // namespace serde::detail

//! @brief Writes `ep` to `path` as a PyTorch `.pt2` archive, atomically (as `save`).
//! @throws unsupported_error listing every op and feature PyTorch's format cannot hold
//! (nothing is written); serialization_error as `save` for the file and the state.
inline void save_pt2(ExportedProgram const& ep, std::filesystem::path const& path) {
  serde::detail::write_file_atomically("xport::save_pt2", path, [&](auto sink) {
    serde::detail::write_pt2_archive(ep, std::move(sink));
  });
}

//! @brief Writes the `.pt2` archive of `ep` to `out` (not atomic).
//! @throws as the path form, or serialization_error when the stream fails.
inline void save_pt2(ExportedProgram const& ep, std::ostream& out) {
  serde::detail::write_stream("xport::save_pt2", out, [&](auto sink) {
    serde::detail::write_pt2_archive(ep, std::move(sink));
  });
}

//! @brief The `.pt2` archive of `ep` as bytes.
//! @throws as the path form.
inline std::vector<std::byte> save_pt2_to_bytes(ExportedProgram const& ep) {
  return serde::detail::write_bytes(
      [&](auto sink) { serde::detail::write_pt2_archive(ep, std::move(sink)); });
}

} // namespace xport
