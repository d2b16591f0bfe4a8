//! @file
//! A small reader and writer of zip archives with stored (uncompressed) entries whose data
//! starts on 64-byte boundaries, for serde/'s archives.
//!
//! Why by hand: the archive needs stored entries padded so that each entry's data is
//! 64-byte aligned (then mapped weights can be used in place, as PyTorch's `.pt2` does).
//! Debian's libzip cannot place entry data at a chosen alignment, and miniz (what PyTorch
//! uses) is not packaged as a development library; the subset needed here (no
//! compression, one disk; ZIP64 records for archives past 4 GiB or 65535 entries) is a
//! few hundred lines. The reader treats every byte
//! as hostile: every offset and size is checked against the bytes it has before use.
#pragma once

#include <xport/core/error.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xport::serde::detail {

//! The alignment of every entry's data within the archive.
inline constexpr std::size_t zip_alignment = 64;

// CRC-32 (IEEE 802.3, reflected, as zip uses), slicing by 8: eight tables, eight bytes a
// step.
inline std::array<std::array<std::uint32_t, 256>, 8> const& crc_tables() {
  static auto const tables = [] {
    std::array<std::array<std::uint32_t, 256>, 8> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k)
        c = (c & 1U) ? 0xEDB88320U ^ (c >> 1) : c >> 1;
      t[0][i] = c;
    }
    for (std::uint32_t i = 0; i < 256; ++i)
      for (std::size_t k = 1; k < 8; ++k)
        t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFFU];
    return t;
  }();
  return tables;
}

// The CRC-32 of `data`, continuing from `crc` (0 to start).
inline std::uint32_t crc32(std::span<std::byte const> data, std::uint32_t crc = 0) {
  auto const& t = crc_tables();
  std::uint32_t c = ~crc;
  std::byte const* p = data.data();
  std::size_t n = data.size();
  while (n >= 8) {
    std::uint32_t lo = 0, hi = 0;
    std::memcpy(&lo, p, 4); // little-endian hosts only (checked by serde's entry points)
    std::memcpy(&hi, p + 4, 4);
    lo ^= c;
    c = t[7][lo & 0xFFU] ^ t[6][(lo >> 8) & 0xFFU] ^ t[5][(lo >> 16) & 0xFFU] ^ t[4][lo >> 24]
        ^ t[3][hi & 0xFFU] ^ t[2][(hi >> 8) & 0xFFU] ^ t[1][(hi >> 16) & 0xFFU] ^ t[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  for (; n > 0; --n, ++p)
    c = t[0][(c ^ static_cast<std::uint32_t>(*p)) & 0xFFU] ^ (c >> 8);
  return ~c;
}

inline constexpr std::uint32_t local_signature = 0x04034b50;
inline constexpr std::uint32_t central_signature = 0x02014b50;
inline constexpr std::uint32_t end_signature = 0x06054b50;
inline constexpr std::size_t local_header_size = 30;
inline constexpr std::size_t central_header_size = 46;
inline constexpr std::size_t end_record_size = 22;
inline constexpr std::uint16_t padding_extra_id = 0x5850; // "XP": alignment padding
inline constexpr std::uint32_t zip64_end_signature = 0x06064b50;
inline constexpr std::uint32_t zip64_locator_signature = 0x07064b50;
inline constexpr std::size_t zip64_end_size = 56;
inline constexpr std::size_t zip64_locator_size = 20;
inline constexpr std::uint16_t zip64_extra_id = 0x0001;
// A 32-bit field at this value (16-bit: 0xFFFF) means "see the ZIP64 record".
inline constexpr std::uint64_t zip32_max = 0xFFFFFFFFULL;

// Writes an archive through `sink` (called with consecutive chunks of the file).
class zip_writer {
public:
  using sink_type = std::function<void(void const*, std::size_t)>;

  // A writer emitting through `sink`; `always_zip64` writes ZIP64 records even for a small
  // archive (tests use it to cover the large-archive format).
  explicit zip_writer(sink_type sink, bool always_zip64 = false)
      : sink_(std::move(sink)), always_zip64_(always_zip64) {}

  // Appends entry `name` holding `data` (stored, 64-byte aligned). An entry past 4 GiB,
  // or starting past it, carries its sizes in a ZIP64 extra field (as does every entry
  // when `always_zip64`).
  void add(std::string const& name, std::span<std::byte const> data) {
    if (name.empty() || name.size() > 0xFFFF)
      throw serialization_error("zip: an entry name must have 1 to 65535 bytes");
    bool const zip64 = always_zip64_ || data.size() >= zip32_max || offset_ >= zip32_max;
    std::uint32_t const crc = crc32(data);
    std::size_t const extra = zip64 ? 20 : 0; // the ZIP64 field: id, size, two sizes
    std::size_t const unpadded = offset_ + local_header_size + name.size() + extra;
    std::size_t padding = (zip_alignment - unpadded % zip_alignment) % zip_alignment;
    if (padding != 0 && padding < 4) padding += zip_alignment; // room for the extra's header
    std::vector<std::byte> header;
    put32(header, local_signature);
    put16(header, zip64 ? 45 : 20); // version needed: 4.5 for ZIP64, else 2.0
    put16(header, 0);               // flags
    put16(header, 0);               // method: stored
    put16(header, 0);               // time
    put16(header, 0x21);            // date: 1980-01-01
    put32(header, crc);
    put32(header, zip64 ? 0xFFFFFFFFU : static_cast<std::uint32_t>(data.size()));
    put32(header, zip64 ? 0xFFFFFFFFU : static_cast<std::uint32_t>(data.size()));
    put16(header, static_cast<std::uint16_t>(name.size()));
    put16(header, static_cast<std::uint16_t>(extra + padding));
    for (char c : name)
      header.push_back(static_cast<std::byte>(c));
    if (zip64) {
      put16(header, zip64_extra_id);
      put16(header, 16);
      put64(header, data.size()); // uncompressed
      put64(header, data.size()); // compressed
    }
    if (padding != 0) {
      put16(header, padding_extra_id);
      put16(header, static_cast<std::uint16_t>(padding - 4));
      header.resize(header.size() + padding - 4, std::byte{0});
    }
    entries_.push_back({name, offset_, data.size(), crc});
    emit(header.data(), header.size());
    emit(data.data(), data.size());
  }

  // Writes the central directory and the end record (with the ZIP64 end record and its
  // locator first when the archive needs them).
  void finish() {
    std::size_t const directory_offset = offset_;
    std::vector<std::byte> out;
    bool any_zip64 = always_zip64_ || entries_.size() >= 0xFFFF;
    for (entry const& e : entries_) {
      bool const zip64 = always_zip64_ || e.size >= zip32_max || e.offset >= zip32_max;
      any_zip64 = any_zip64 || zip64;
      put32(out, central_signature);
      put16(out, zip64 ? 45 : 20); // made by
      put16(out, zip64 ? 45 : 20); // needed
      put16(out, 0);
      put16(out, 0);
      put16(out, 0);
      put16(out, 0x21);
      put32(out, e.crc);
      put32(out, zip64 ? 0xFFFFFFFFU : static_cast<std::uint32_t>(e.size));
      put32(out, zip64 ? 0xFFFFFFFFU : static_cast<std::uint32_t>(e.size));
      put16(out, static_cast<std::uint16_t>(e.name.size()));
      put16(out, zip64 ? 28 : 0); // extra: the ZIP64 field
      put16(out, 0);              // comment
      put16(out, 0);              // disk
      put16(out, 0);              // internal attributes
      put32(out, 0);              // external attributes
      put32(out, zip64 ? 0xFFFFFFFFU : static_cast<std::uint32_t>(e.offset));
      for (char c : e.name)
        out.push_back(static_cast<std::byte>(c));
      if (zip64) {
        put16(out, zip64_extra_id);
        put16(out, 24);
        put64(out, e.size);
        put64(out, e.size);
        put64(out, e.offset);
      }
    }
    std::size_t const directory_size = out.size();
    any_zip64 = any_zip64 || directory_offset + directory_size >= zip32_max;
    if (any_zip64) {
      std::size_t const zip64_end = directory_offset + directory_size;
      put32(out, zip64_end_signature);
      put64(out, zip64_end_size - 12); // the record's size after this field
      put16(out, 45);
      put16(out, 45);
      put32(out, 0); // this disk
      put32(out, 0); // the directory's disk
      put64(out, entries_.size());
      put64(out, entries_.size());
      put64(out, directory_size);
      put64(out, directory_offset);
      put32(out, zip64_locator_signature);
      put32(out, 0); // the ZIP64 end record's disk
      put64(out, zip64_end);
      put32(out, 1); // disks
    }
    auto field16 = [&](std::size_t v) {
      return any_zip64 ? std::uint16_t{0xFFFF} : static_cast<std::uint16_t>(v);
    };
    auto field32 = [&](std::size_t v) {
      return any_zip64 ? 0xFFFFFFFFU : static_cast<std::uint32_t>(v);
    };
    put32(out, end_signature);
    put16(out, 0);
    put16(out, 0);
    put16(out, field16(entries_.size()));
    put16(out, field16(entries_.size()));
    put32(out, field32(directory_size));
    put32(out, field32(directory_offset));
    put16(out, 0); // comment
    emit(out.data(), out.size());
  }

private:
  struct entry {
    std::string name;
    std::size_t offset;
    std::size_t size;
    std::uint32_t crc;
  };

  static void put16(std::vector<std::byte>& out, std::uint16_t v) {
    out.push_back(static_cast<std::byte>(v & 0xFFU));
    out.push_back(static_cast<std::byte>(v >> 8));
  }
  static void put32(std::vector<std::byte>& out, std::uint32_t v) {
    for (int k = 0; k < 4; ++k)
      out.push_back(static_cast<std::byte>((v >> (8 * k)) & 0xFFU));
  }
  static void put64(std::vector<std::byte>& out, std::uint64_t v) {
    for (int k = 0; k < 8; ++k)
      out.push_back(static_cast<std::byte>((v >> (8 * k)) & 0xFFU));
  }
  void emit(void const* data, std::size_t n) {
    if (n == 0) return;
    sink_(data, n);
    offset_ += n;
  }

  sink_type sink_;
  bool always_zip64_ = false;
  std::size_t offset_ = 0;
  std::vector<entry> entries_;
};

// One entry of an archive being read: where its data is.
struct zip_entry {
  std::string name;
  std::size_t offset = 0; // of the data, from the start of the file
  std::size_t size = 0;
  std::uint32_t crc = 0;
};

// Reads the directory of an archive held in `file`; every offset is checked.
class zip_reader {
public:
  // `who` names the reader in messages (`xport::load`), `kind` what it expects.
  explicit zip_reader(std::span<std::byte const> file, std::string who = "xport::load",
                      std::string kind = "an xport archive")
      : file_(file), who_(std::move(who)) {
    if (file.size() < end_record_size)
      fail("the file has " + std::to_string(file.size())
           + " bytes, fewer than a zip archive's end record (is it truncated?)");
    if (get32(0) != local_signature && get32(0) != end_signature)
      fail("wrong magic: the file does not start with a zip local header ('PK\\3\\4'); "
           + ("it is not " + kind));
    std::size_t const end = find_end_record();
    if (get16(end + 4) != 0 || get16(end + 6) != 0) fail("multi-disk archives are not supported");
    std::size_t count = get16(end + 10);
    std::size_t directory_size = get32(end + 12);
    std::size_t directory_offset = get32(end + 16);
    if (get16(end + 8) != count) fail("the end record's entry counts disagree");
    std::size_t data_end = end; // the directory ends before the end records
    if (count == 0xFFFF || directory_size == zip32_max || directory_offset == zip32_max) {
      // ZIP64: the locator sits right before the end record, and points at the ZIP64 end
      // record, which holds the real count, size and offset.
      if (end < zip64_locator_size || get32(end - zip64_locator_size) != zip64_locator_signature)
        fail("the end record refers to a ZIP64 end record, but its locator is missing");
      std::size_t const locator = end - zip64_locator_size;
      if (get32(locator + 4) != 0 || get32(locator + 16) != 1)
        fail("multi-disk archives are not supported");
      std::size_t const record = get64(locator + 8);
      if (record > locator || locator - record < zip64_end_size)
        fail("the ZIP64 end record (offset " + std::to_string(record) + ") lies outside the file");
      if (get32(record) != zip64_end_signature) fail("the ZIP64 end record has a wrong signature");
      if (get32(record + 16) != 0 || get32(record + 20) != 0)
        fail("multi-disk archives are not supported");
      count = get64(record + 24);
      if (get64(record + 32) != count) fail("the ZIP64 end record's entry counts disagree");
      directory_size = get64(record + 40);
      directory_offset = get64(record + 48);
      data_end = record;
    }
    if (directory_offset > data_end || directory_size > data_end - directory_offset)
      fail("the central directory (offset " + std::to_string(directory_offset) + ", "
           + std::to_string(directory_size) + " bytes) lies outside the file (end records at "
           + std::to_string(data_end) + ")");
    std::size_t at = directory_offset;
    std::size_t const directory_end = directory_offset + directory_size;
    for (std::size_t i = 0; i < count; ++i) {
      if (directory_end - at < central_header_size)
        fail("central directory entry " + std::to_string(i) + " is truncated");
      if (get32(at) != central_signature)
        fail("central directory entry " + std::to_string(i) + " has a wrong signature");
      std::uint16_t const flags = get16(at + 8);
      std::uint16_t const method = get16(at + 10);
      zip_entry e;
      e.crc = get32(at + 16);
      std::size_t compressed = get32(at + 20);
      e.size = get32(at + 24);
      std::size_t const name_size = get16(at + 28);
      std::size_t const extra_size = get16(at + 30);
      std::size_t const comment_size = get16(at + 32);
      std::size_t local = get32(at + 42);
      std::size_t const record = central_header_size + name_size + extra_size + comment_size;
      if (directory_end - at < record)
        fail("central directory entry " + std::to_string(i) + " runs past the directory");
      e.name.assign(reinterpret_cast<char const*>(file_.data() + at + central_header_size),
                    name_size);
      if (e.size == zip32_max || compressed == zip32_max || local == zip32_max) {
        read_zip64_field(at + central_header_size + name_size, extra_size, e, compressed, local);
      }
      if ((flags & 1U) != 0) fail("entry '" + e.name + "' is encrypted");
      if (method != 0 || compressed != e.size)
        fail("entry '" + e.name + "' is compressed (method " + std::to_string(method)
             + "); xport archives store entries uncompressed");
      if (local > directory_offset || directory_offset - local < local_header_size)
        fail("entry '" + e.name + "' has its local header outside the file's data area");
      if (get32(local) != local_signature)
        fail("entry '" + e.name + "' has a wrong local header signature");
      std::size_t const local_name = get16(local + 26);
      std::size_t const local_extra = get16(local + 28);
      std::size_t const data = local + local_header_size + local_name + local_extra;
      if (data > directory_offset || e.size > directory_offset - data)
        fail("entry '" + e.name + "' (" + std::to_string(e.size) + " bytes at offset "
             + std::to_string(data) + ") runs past the data area, which ends at "
             + std::to_string(directory_offset));
      if (local_name != name_size
          || std::memcmp(file_.data() + local + local_header_size, e.name.data(), name_size) != 0)
        fail("entry '" + e.name + "' has a different name in its local header");
      e.offset = data;
      if (!entries_.emplace(e.name, e).second) fail("duplicate entry '" + e.name + "'");
      at += record;
    }
  }

  // The entry named `name`, or null.
  zip_entry const* find(std::string const& name) const {
    auto const it = entries_.find(name);
    return it == entries_.end() ? nullptr : &it->second;
  }

  // Every entry, by name.
  std::map<std::string, zip_entry> const& entries() const noexcept { return entries_; }

  // The bytes of `e`.
  std::span<std::byte const> data(zip_entry const& e) const {
    return file_.subspan(e.offset, e.size);
  }

  // Throws when the bytes of `e` do not have its recorded CRC-32.
  void verify(zip_entry const& e) const {
    if (crc32(data(e)) != e.crc)
      fail("entry '" + e.name + "' is corrupted: its CRC-32 does not match its bytes");
  }

private:
  [[noreturn]] void fail(std::string const& what) const {
    throw serialization_error(who_ + ": not a readable archive: " + what);
  }

  // The ZIP64 extra field among the `size` bytes of extra fields at `at` of central
  // entry `e`: 64-bit values, in order, for each of size, compressed size and local
  // header offset whose 32-bit field is saturated.
  void read_zip64_field(std::size_t at, std::size_t size, zip_entry& e, std::size_t& compressed,
                        std::size_t& local) const {
    std::size_t const end = at + size;
    while (end - at >= 4) {
      std::size_t const id = get16(at);
      std::size_t const length = get16(at + 2);
      if (end - at - 4 < length) break;
      if (id == zip64_extra_id) {
        std::size_t next = at + 4;
        for (std::size_t* field : {&e.size, &compressed, &local}) {
          if (*field != zip32_max) continue;
          if (next + 8 > at + 4 + length)
            fail("entry '" + e.name + "' has a ZIP64 field too short for its sizes");
          *field = get64(next);
          next += 8;
        }
        return;
      }
      at += 4 + length;
    }
    fail("entry '" + e.name + "' has saturated sizes but no ZIP64 field");
  }

  // Callers check `at + 4 <= size` through the structure sizes; these check again.
  std::uint64_t get64(std::size_t at) const {
    return static_cast<std::uint64_t>(get32(at))
           | (static_cast<std::uint64_t>(get32(at + 4)) << 32);
  }
  std::uint32_t get32(std::size_t at) const {
    if (at > file_.size() || file_.size() - at < 4) fail("a header runs past the end of the file");
    std::uint32_t v = 0;
    for (int k = 3; k >= 0; --k)
      v = (v << 8) | static_cast<std::uint32_t>(file_[at + static_cast<std::size_t>(k)]);
    return v;
  }
  std::uint16_t get16(std::size_t at) const {
    if (at > file_.size() || file_.size() - at < 2) fail("a header runs past the end of the file");
    return static_cast<std::uint16_t>(static_cast<unsigned>(file_[at])
                                      | (static_cast<unsigned>(file_[at + 1]) << 8));
  }

  std::size_t find_end_record() const {
    std::size_t const last = file_.size() - end_record_size;
    std::size_t const first = last > 0xFFFF ? last - 0xFFFF : 0;
    for (std::size_t at = last + 1; at-- > first;) {
      if (get32(at) == end_signature && at + end_record_size + get16(at + 20) == file_.size())
        return at;
    }
    fail("no end-of-central-directory record (the file is truncated or not a zip archive)");
  }

  std::span<std::byte const> file_;
  std::string who_;
  std::map<std::string, zip_entry> entries_;
};

} // namespace xport::serde::detail
