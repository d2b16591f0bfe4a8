// Expected strings are what PyTorch prints for the same tensors.
#include <xport/core/factories.hpp>
#include <xport/core/print.hpp>

#include <doctest/doctest.h>

#include <cmath>

using xport::dtype;
using xport::to_string;

TEST_CASE("floating-point tensors: fixed, int and scientific modes") {
  CHECK(to_string(xport::from({1.5f, 2.0f})) == "tensor([1.5000, 2.0000])");
  CHECK(to_string(xport::from({1.0f, 2.0f})) == "tensor([1., 2.])");
  CHECK(to_string(xport::from({-1.5f, 2.25f})) == "tensor([-1.5000,  2.2500])");
  CHECK(to_string(xport::from({1e-5f, 1.0f})) == "tensor([1.0000e-05, 1.0000e+00])");
  CHECK(to_string(xport::from({1e9f, 1.0f})) == "tensor([1.0000e+09, 1.0000e+00])");
  CHECK(to_string(xport::from({NAN, 1.0f, -INFINITY})) == "tensor([nan, 1., -inf])");
  CHECK(to_string(xport::zeros({3})) == "tensor([0., 0., 0.])");
  CHECK(to_string(xport::full({}, 3.5)) == "tensor(3.5000)");
  CHECK(to_string(xport::ones({2}, {.dtype = dtype::float16}))
        == "tensor([1., 1.], dtype=torch.float16)");
  CHECK(to_string(xport::from({0.5, 0.25})) == "tensor([0.5000, 0.2500], dtype=torch.float64)");
}

TEST_CASE("integer and bool tensors") {
  CHECK(to_string(xport::arange(6).view({2, 3})) == "tensor([[0, 1, 2],\n        [3, 4, 5]])");
  CHECK(to_string(xport::from({1, 2})) == "tensor([1, 2], dtype=torch.int32)");
  CHECK(to_string(xport::from({-10, 5})) == "tensor([-10,   5], dtype=torch.int32)");
  CHECK(to_string(xport::from({true, false})) == "tensor([ True, False])");
  CHECK(to_string(xport::full({1}, std::int64_t{9007199254740993}))
        == "tensor([9007199254740993])");
}

TEST_CASE("empty, nested and summarized tensors") {
  CHECK(to_string(xport::zeros({0})) == "tensor([])");
  CHECK(to_string(xport::zeros({0, 3})) == "tensor([], size=(0, 3))");
  CHECK(to_string(xport::zeros({2, 0}, {.dtype = dtype::int32}))
        == "tensor([], size=(2, 0), dtype=torch.int32)");
  CHECK(to_string(xport::arange(8).view({2, 2, 2}))
        == "tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]])");
  CHECK(to_string(xport::arange(2000)) == "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])");
  CHECK(to_string(xport::arange(2000).view({1000, 2}))
        == "tensor([[   0,    1],\n        [   2,    3],\n        [   4,    5],\n        ...,\n"
           "        [1994, 1995],\n        [1996, 1997],\n        [1998, 1999]])");
}

TEST_CASE("long rows wrap at 80 columns") {
  CHECK(to_string(xport::arange(30))
        == "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n"
           "        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])");
}
