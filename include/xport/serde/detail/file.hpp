//! @file
//! The one refusal of paths that are not regular files, shared by `save` and `load`: a
//! FIFO would block the reader and a device or directory would be replaced by the atomic
//! rename, so both check the file type first (without opening anything that can block).
#pragma once

#include <xport/core/error.hpp>

#include <filesystem>
#include <string>
#include <string_view>

#include <sys/stat.h>

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

} // namespace xport::serde::detail
