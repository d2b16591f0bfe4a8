// libFuzzer target: xport::load_from_bytes on arbitrary bytes must either load or raise
// xport::error (serialization_error); any crash, sanitizer report or other exception is
// a bug. Inputs that start with '{' are taken as the program JSON and wrapped in a valid
// archive (with the storages of tests/serde/golden/linear_relu.xpt's layout: two float
// storages of 12 and 48 bytes), so that mutations reach the JSON decoder instead of
// stopping at the zip checksum. See fuzz/run.sh.
#include <xport/serde/load.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace {

// The ops of the seed programs (and a few with other attribute kinds): decoding is
// generic over attribute structs, and a small set keeps this target quick to build.
using fuzz_ops = xport::ops::op_set<xport::ops::linear, xport::ops::relu, xport::ops::slice,
                                    xport::ops::local_scalar_dense, xport::ops::assert_scalar>;

std::vector<std::byte> wrap_json(std::uint8_t const* data, std::size_t size) {
  std::vector<std::byte> out;
  xport::serde::detail::zip_writer zip([&](void const* p, std::size_t n) {
    auto const* b = static_cast<std::byte const*>(p);
    out.insert(out.end(), b, b + n);
  });
  auto text = [](char const* s) {
    return std::span<std::byte const>(reinterpret_cast<std::byte const*>(s), std::strlen(s));
  };
  zip.add("archive/archive_format", text("xport"));
  zip.add("archive/byteorder", text("little"));
  zip.add("archive/models/model.json", {reinterpret_cast<std::byte const*>(data), size});
  std::vector<std::byte> const weights(48, std::byte{0x3f});
  zip.add("archive/data/storage_0", std::span(weights).first(12));
  zip.add("archive/data/storage_1", weights);
  zip.finish();
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  try {
    if (size > 0 && data[0] == '{') {
      std::vector<std::byte> const archive = wrap_json(data, size);
      (void)xport::load_from_bytes<fuzz_ops>(archive);
    } else {
      (void)xport::load_from_bytes<fuzz_ops>({reinterpret_cast<std::byte const*>(data), size});
    }
  } catch (xport::error const&) {
    // refused with a message: what hostile input must get
  }
  return 0;
}
