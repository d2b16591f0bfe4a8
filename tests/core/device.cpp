#include <xport/core/device.hpp>

#include <doctest/doctest.h>

#include <sstream>

using xport::Device;

TEST_CASE("devices parse and print like PyTorch's") {
  CHECK(Device("cpu").is_cpu());
  CHECK(Device("cuda").is_cuda());
  CHECK(Device("cuda").index() == -1);
  CHECK(Device("cuda:3").index() == 3);
  CHECK(Device("cuda:3").str() == "cuda:3");
  CHECK(Device("cuda").str() == "cuda");
  CHECK(Device(xport::cuda, 1) == Device("cuda:1"));
  CHECK(Device(xport::cpu) == Device());
  CHECK(Device("cuda:0") != Device("cuda"));
  std::ostringstream out;
  out << Device("cuda:2");
  CHECK(out.str() == "cuda:2");
  static_assert(Device(xport::cuda, 0).kind() == xport::device_kind::cuda);
}

TEST_CASE("malformed devices are refused with the accepted forms") {
  for (char const* spelling : {"gpu", "cuda:", "cuda:-1", "cuda:1x", "cpu:0", "CUDA", ""}) {
    CAPTURE(spelling);
    CHECK_THROWS_WITH_AS(Device{std::string_view(spelling)},
                         doctest::Contains("expected a device such as 'cpu', 'cuda' or 'cuda:1'"),
                         xport::device_error);
  }
  CHECK_THROWS_AS(Device(xport::cuda, -2), xport::device_error);
}
