//! @file
//! The one refusal of paths that are not regular files, shared by `save` and the loaders:
//! a FIFO would block the reader and a device or directory would be replaced by the atomic
//! rename, so both check the file type first (without opening anything that can block).
//! And the one way the loaders map an archive into memory.
#pragma once

#include <xport/core/error.hpp>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <istream>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace xport::serde::detail {

// What a path that is not a regular file is, in words.
inline std::string_view file_kind(mode_t mode) noexcept {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a plain file";
}

// "xport::load: '/tmp/p' is not a regular file (it is a FIFO)".
[[noreturn]] inline void throw_not_regular(std::string_view who, std::filesystem::path const& path,
                                           mode_t mode) {
  throw serialization_error(std::string(who) + ": '" + path.string()
                            + "' is not a regular file (it is " + std::string(file_kind(mode))
                            + "); archives are read from and written to regular files only");
}

// An archive mapped into memory: its bytes, alive as long as `mapping`.
struct mapped_file {
  std::span<std::byte const> bytes;
  std::shared_ptr<void const> mapping;
};

// Maps the regular file at `path` for reading (`who` names the caller in messages).
// `writable`: private and writable, so that state a program mutates is copied on write,
// never written back; otherwise read-only with the pages populated up front (a copying
// load reads them all anyway; populating a writable private mapping would copy every page).
inline mapped_file map_file(std::string_view who, std::filesystem::path const& path,
                            bool writable) {
  // Non-blocking: opening a FIFO for reading would otherwise wait for a writer.
  int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    throw serialization_error(std::string(who) + ": cannot open '" + path.string()
                              + "': " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int const saved = errno;
    ::close(fd);
    throw serialization_error(std::string(who) + ": cannot inspect '" + path.string()
                              + "': " + std::strerror(saved));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw_not_regular(who, path, st.st_mode);
  }
  auto const size = static_cast<std::size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    throw serialization_error(std::string(who) + ": '" + path.string()
                              + "' is empty (0 bytes); it is not an archive");
  }
  int const protection = writable ? PROT_READ | PROT_WRITE : PROT_READ;
  int const flags = MAP_PRIVATE | (writable ? 0 : MAP_POPULATE);
  void* const base = ::mmap(nullptr, size, protection, flags, fd, 0);
  int const saved = errno;
  ::close(fd);
  if (base == MAP_FAILED)
    throw serialization_error(std::string(who) + ": cannot map '" + path.string()
                              + "': " + std::strerror(saved));
  std::shared_ptr<void const> mapping(
      base, [size](void const* p) { ::munmap(const_cast<void*>(p), size); });
  return {std::span<std::byte const>(static_cast<std::byte const*>(base), size),
          std::move(mapping)};
}

// The rest of stream `in` (`who` names the caller in messages).
inline std::vector<std::byte> read_stream(std::string_view who, std::istream& in) {
  std::vector<char> const data((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
  if (in.bad()) throw serialization_error(std::string(who) + ": the input stream failed");
  std::vector<std::byte> out(data.size());
  if (!data.empty()) std::memcpy(out.data(), data.data(), data.size());
  return out;
}

} // namespace xport::serde::detail
