//! @file
//! `xport::save`: writes an exported program to an archive (a zip of stored entries: the
//! program as JSON and each storage's raw bytes, 64-byte aligned; docs/format.md).
#pragma once

#include <xport/serde/detail/file.hpp>
#include <xport/serde/detail/program.hpp>
#include <xport/serde/detail/zip.hpp>

#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace xport {

namespace serde::detail {

inline void require_little_endian() {
  if constexpr (std::endian::native != std::endian::little)
    throw serialization_error("xport archives store little-endian bytes; big-endian hosts are "
                              "not supported yet");
}

// Test seam: a save to a file fails (as a full disk would) after this many bytes.
inline std::size_t& fail_write_after() {
  thread_local std::size_t limit = std::numeric_limits<std::size_t>::max();
  return limit;
}

// Test seam: archives use ZIP64 records even when small (the layout of archives past
// 4 GiB, which tests cannot afford to write).
inline bool& always_zip64() {
  thread_local bool on = false;
  return on;
}

inline std::span<std::byte const> bytes_of(std::string const& text) {
  return {reinterpret_cast<std::byte const*>(text.data()), text.size()};
}

inline void write_archive(ExportedProgram const& ep, zip_writer::sink_type sink) {
  require_little_endian();
  ep.check_state("xport::save"); // never write a file that disagrees with its own graph
  ep.check_contract("xport::save");
  storage_table table;
  std::string const program = encode_program(ep, table).dump(1);
  zip_writer zip(std::move(sink), always_zip64());
  zip.add("archive/archive_format", bytes_of("xport"));
  zip.add("archive/byteorder", bytes_of("little"));
  zip.add("archive/models/model.json", bytes_of(program));
  for (std::size_t i = 0; i < table.storages.size(); ++i) {
    Storage const& s = table.storages[i];
    zip.add("archive/" + storage_entry(i), {static_cast<std::byte const*>(s.data()), s.nbytes()});
  }
  zip.finish();
}

[[noreturn]] inline void throw_io(std::string_view who, std::string const& what,
                                  std::filesystem::path const& path) {
  throw serialization_error(std::string(who) + ": " + what + " '" + path.string()
                            + "': " + std::strerror(errno));
}

//! Writes the file `path` atomically through `write` (which emits the bytes through the
//! sink it is given): to a temporary file in the same directory, flushed to disk
//! (`fsync`) and renamed over `path`, so that a failed write leaves an existing file as it
//! was. Refuses a `path` that exists and is not a regular file.
inline void write_file_atomically(std::string_view who, std::filesystem::path const& path,
                                  std::function<void(zip_writer::sink_type)> const& write) {
  // The rename would replace a FIFO or a device (even /dev/null) with the archive.
  if (struct stat target{}; ::stat(path.c_str(), &target) == 0 && !S_ISREG(target.st_mode))
    throw_not_regular(std::string(who), path, target.st_mode);
  std::filesystem::path const dir = path.has_parent_path() ? path.parent_path() : ".";
  std::string temp = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  int const fd = ::mkstemp(temp.data());
  if (fd < 0) throw_io(who, "cannot create a temporary file next to", path);
  try {
    // mkstemp makes the file private (0600); keep the mode of the file being replaced,
    // else make it readable like any new file (0644).
    struct stat existing {};
    ::fchmod(fd, ::stat(path.c_str(), &existing) == 0 ? existing.st_mode & 07777 : 0644);
    std::size_t written = 0;
    write([&](void const* data, std::size_t n) {
      auto const* p = static_cast<char const*>(data);
      while (n > 0) {
        std::size_t chunk = n < (std::size_t{1} << 30) ? n : (std::size_t{1} << 30);
        if (written + chunk > fail_write_after()) {
          chunk = fail_write_after() - written; // the seam: write part, then fail
          if (chunk > 0 && ::write(fd, p, chunk) < 0) throw_io(who, "cannot write", temp);
          errno = ENOSPC;
          throw_io(who, "cannot write", temp);
        }
        ssize_t const got = ::write(fd, p, chunk);
        if (got < 0) {
          if (errno == EINTR) continue;
          throw_io(who, "cannot write", temp);
        }
        p += got;
        n -= static_cast<std::size_t>(got);
        written += static_cast<std::size_t>(got);
      }
    });
    if (::fsync(fd) != 0) throw_io(who, "cannot flush", temp);
    if (::close(fd) != 0) {
      ::unlink(temp.c_str());
      throw_io(who, "cannot close", temp);
    }
  } catch (...) {
    ::close(fd);
    ::unlink(temp.c_str());
    throw;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int const saved = errno;
    ::unlink(temp.c_str());
    errno = saved;
    throw_io(who, "cannot rename the temporary file to", path);
  }
  if (int const dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY); dir_fd >= 0) {
    ::fsync(dir_fd); // make the rename durable; best effort
    ::close(dir_fd);
  }
}

//! Writes through `write` to a stream.
inline void write_stream(std::string_view who, std::ostream& out,
                         std::function<void(zip_writer::sink_type)> const& write) {
  write([&](void const* data, std::size_t n) {
    out.write(static_cast<char const*>(data), static_cast<std::streamsize>(n));
    if (!out) throw serialization_error(std::string(who) + ": the output stream failed");
  });
}

//! The bytes `write` emits.
inline std::vector<std::byte> write_bytes(std::function<void(zip_writer::sink_type)> const& write) {
  std::vector<std::byte> out;
  write([&](void const* data, std::size_t n) {
    auto const* p = static_cast<std::byte const*>(data);
    out.insert(out.end(), p, p + n);
  });
  return out;
}

} // namespace serde::detail

//! @brief Writes `ep` to the archive `path`, atomically: the archive is written to a
//! temporary file in the same directory, flushed to disk (`fsync`) and renamed over
//! `path`, so an interrupted or failed save leaves an existing file as it was.
//!
//! Any op saves, custom ones included: attributes are written through each node's schema
//! (loading a program with custom ops takes their op set, `load<my_ops>`).
//! @throws serialization_error naming the file and the system's reason when writing
//! fails, when `path` exists and is not a regular file (a FIFO, a device, a directory),
//! or for state that is not CPU tensor data; as `ExportedProgram::check_state` for state
//! that disagrees with the graph (a weight replaced by one of other sizes).
//!
//! @code
//! xport::save(ep, "model.xpt");
//! xport::ExportedProgram again = xport::load("model.xpt");
//! @endcode
inline void save(ExportedProgram const& ep, std::filesystem::path const& path) {
  serde::detail::write_file_atomically(
      "xport::save", path, [&](auto sink) { serde::detail::write_archive(ep, std::move(sink)); });
}

//! @brief Writes the archive of `ep` to `out` (not atomic: a stream has no rename).
//! @throws serialization_error as the path form, or when the stream fails.
inline void save(ExportedProgram const& ep, std::ostream& out) {
  serde::detail::write_stream(
      "xport::save", out, [&](auto sink) { serde::detail::write_archive(ep, std::move(sink)); });
}

//! @brief The archive of `ep` as bytes.
//! @throws serialization_error as the path form.
inline std::vector<std::byte> save_to_bytes(ExportedProgram const& ep) {
  return serde::detail::write_bytes(
      [&](auto sink) { serde::detail::write_archive(ep, std::move(sink)); });
}

} // namespace xport
