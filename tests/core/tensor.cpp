#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/print.hpp>
#include <xport/core/tensor.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <concepts>
#include <ranges>
#include <span>
#include <string>
#include <vector>

using xport::dtype;
using xport::Tensor;

namespace {

std::vector<std::int64_t> as_vector(xport::int_list values) {
  return {values.begin(), values.end()};
}
using shape = std::vector<std::int64_t>;

// Row-major values of any int64 tensor, read through at<>() (independent of copies).
std::vector<std::int64_t> values_of(Tensor const& t) {
  std::vector<std::int64_t> out;
  Tensor const flat = t.contiguous().view({-1});
  for (std::int64_t i = 0; i < flat.numel(); ++i)
    out.push_back(flat.at<std::int64_t>({i}));
  return out;
}

} // namespace

TEST_CASE("a new tensor is contiguous with row-major strides") {
  Tensor const t = xport::empty({2, 3, 4});
  CHECK(t.dim() == 3);
  CHECK(as_vector(t.sizes()) == shape{2, 3, 4});
  CHECK(as_vector(t.strides()) == shape{12, 4, 1});
  CHECK(t.numel() == 24);
  CHECK(t.size(-1) == 4);
  CHECK(t.stride(0) == 12);
  CHECK(t.is_contiguous());
  CHECK(t.dtype() == dtype::float32);
  CHECK(t.device() == xport::Device(xport::cpu));
  CHECK(t.storage().nbytes() == 24 * 4);
  CHECK_THROWS_WITH_AS(
      t.size(3),
      doctest::Contains("Dimension out of range (expected to be in range of [-3, 2], but got 3)"),
      xport::index_error);
}

TEST_CASE("sizes and strides compare with == against any range of integers") {
  Tensor const a = xport::empty({2, 3});
  Tensor const b = xport::zeros({2, 3}, {.dtype = dtype::int64});
  Tensor const c = xport::empty({3, 2});
  CHECK(a.sizes() == b.sizes());
  CHECK(a.sizes() != c.sizes());
  CHECK(a.sizes() == std::vector{2, 3});               // ints, as torch.Size == (2, 3)
  CHECK(std::vector<std::int64_t>{2, 3} == a.sizes()); // either side
  CHECK(a.sizes() == std::array<std::int64_t, 2>{2, 3});
  CHECK(a.sizes() == xport::dim_vector{2, 3});
  CHECK(a.sizes() != std::vector{2}); // a prefix is not equal
  CHECK(a.sizes() != std::vector{2, 3, 1});
  CHECK(a.sizes() != std::vector{-2, 3}); // no sign surprises
  CHECK(a.strides() == std::vector{3, 1});
  CHECK(a.t().strides() != a.strides());
  CHECK(xport::empty(xport::int_list{}).sizes() == std::vector<int>{}); // 0-dim: empty sizes
  std::span<std::int64_t const> const plain = a.sizes();                // still a std::span
  CHECK(plain.size() == 2);
  // A view into the tensor's sizes, as std::span is: iterators outlive the span object.
  static_assert(std::ranges::borrowed_range<xport::int_span>);
  static_assert(std::ranges::view<xport::int_span>);
  CHECK(*std::ranges::find(a.sizes(), 3) == 3);
  // Only integer ranges compare (no bool or characters).
  static_assert(!std::equality_comparable_with<xport::int_span, std::vector<bool>>);
  static_assert(!std::equality_comparable_with<xport::int_span, std::string>);
}

TEST_CASE("views share storage and never copy") {
  Tensor const base = xport::arange(24).view({2, 3, 4});
  Tensor const views[] = {base.view({6, 4}),         base.permute({2, 0, 1}), base.transpose(0, 2),
                          base.slice(2, 1, 3),       base.select(1, 2),       base.unsqueeze(0),
                          base.expand({5, 2, 3, 4}), base.narrow(0, 1, 1),    base.flatten(),
                          base.reshape({4, 6})};
  for (Tensor const& view : views)
    CHECK(view.storage().is_alias_of(base.storage()));
  base.data_ptr<std::int64_t>()[5] = 100;
  CHECK(base.view({6, 4}).at<std::int64_t>({1, 1}) == 100);
  CHECK(base.permute({2, 0, 1}).at<std::int64_t>({1, 0, 1}) == 100);
}

TEST_CASE("view infers -1 and refuses incompatible strides") {
  Tensor const t = xport::arange(12).view({3, -1});
  CHECK(as_vector(t.sizes()) == shape{3, 4});
  CHECK(as_vector(t.view({2, 2, 3}).strides()) == shape{6, 3, 1});
  CHECK_THROWS_WITH_AS(t.view({5, -1}),
                       doctest::Contains("shape '[5, -1]' is invalid for input of size 12"),
                       xport::shape_error);
  CHECK_THROWS_WITH_AS(t.view({-1, -1}), doctest::Contains("only one dimension can be inferred"),
                       xport::shape_error);
  Tensor const transposed = t.t(); // sizes [4, 3], strides [1, 4]
  CHECK_THROWS_WITH_AS(transposed.view({12}), doctest::Contains("Use .reshape(...) instead"),
                       xport::shape_error);
  // Splitting or merging within one contiguous chunk is still a view.
  CHECK(as_vector(transposed.view({2, 2, 3}).strides()) == shape{2, 1, 4});
  Tensor const reshaped = transposed.reshape({12});
  CHECK_FALSE(reshaped.storage().is_alias_of(t.storage()));
  CHECK(values_of(reshaped) == std::vector<std::int64_t>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
}

TEST_CASE("view of tensors with size-1 and size-0 dims") {
  Tensor const t = xport::arange(6).view({1, 2, 1, 3}).permute({2, 1, 0, 3});
  CHECK(as_vector(t.view({2, 3}).sizes()) == shape{2, 3});
  Tensor const empty = xport::empty({0, 4});
  CHECK(as_vector(empty.view({2, 0, 2}).sizes()) == shape{2, 0, 2});
  CHECK(as_vector(empty.view({4, -1}).sizes()) == shape{4, 0});
  CHECK_THROWS_WITH_AS(
      empty.view({-1, 0}),
      doctest::Contains("the unspecified dimension size -1 can be any value and is ambiguous"),
      xport::shape_error);
}

TEST_CASE("permute, transpose and t") {
  Tensor const t = xport::arange(6).view({2, 3});
  Tensor const p = t.permute({1, 0});
  CHECK(as_vector(p.sizes()) == shape{3, 2});
  CHECK(as_vector(p.strides()) == shape{1, 3});
  CHECK_FALSE(p.is_contiguous());
  CHECK(values_of(p) == std::vector<std::int64_t>{0, 3, 1, 4, 2, 5});
  CHECK(xport::equal(t.transpose(-1, 0), p));
  CHECK(xport::equal(t.t(), p));
  CHECK_THROWS_WITH_AS(t.permute({0}),
                       doctest::Contains("input.dim() = 2 is not equal to len(dims) = 1"),
                       xport::index_error);
  CHECK_THROWS_WITH_AS(t.permute({1, -1}), doctest::Contains("duplicate dims are not allowed"),
                       xport::index_error);
  CHECK_THROWS_WITH_AS(xport::empty({2, 2, 2}).t(),
                       doctest::Contains("t() expects a tensor with <= 2 dimensions"),
                       xport::shape_error);
}

TEST_CASE("slice follows Python's rules: negative bounds, clamping, steps") {
  Tensor const t = xport::arange(10);
  CHECK(values_of(t.slice(0, 2, 5)) == std::vector<std::int64_t>{2, 3, 4});
  CHECK(values_of(t.slice(0, -3)) == std::vector<std::int64_t>{7, 8, 9});
  CHECK(values_of(t.slice(0, {}, -8)) == std::vector<std::int64_t>{0, 1});
  CHECK(values_of(t.slice(0, -100, 100)) == values_of(t));
  CHECK(t.slice(0, 7, 3).numel() == 0);
  CHECK(values_of(t.slice(0, 1, {}, 3)) == std::vector<std::int64_t>{1, 4, 7});
  CHECK(values_of(t.slice(0, 1, 8, 3)) == std::vector<std::int64_t>{1, 4, 7});
  Tensor const m = xport::arange(12).view({3, 4}).slice(1, 1, {}, 2);
  CHECK(as_vector(m.strides()) == shape{4, 2});
  CHECK(m.storage_offset() == 1);
  CHECK(values_of(m) == std::vector<std::int64_t>{1, 3, 5, 7, 9, 11});
  CHECK_THROWS_WITH_AS(t.slice(0, 0, 5, 0), doctest::Contains("slice step must be positive"),
                       xport::value_error);
}

TEST_CASE("select and narrow") {
  Tensor const t = xport::arange(12).view({3, 4});
  CHECK(values_of(t.select(0, -1)) == std::vector<std::int64_t>{8, 9, 10, 11});
  CHECK(values_of(t.select(1, 1)) == std::vector<std::int64_t>{1, 5, 9});
  CHECK(t.select(0, 1).select(0, 2).dim() == 0);
  CHECK(t.select(0, 1).select(0, 2).item<std::int64_t>() == 6);
  CHECK_THROWS_WITH_AS(
      t.select(0, 3),
      doctest::Contains("select(): index 3 out of range for tensor of size [3, 4] at dimension 0"),
      xport::index_error);
  CHECK(values_of(t.narrow(1, 1, 2)) == std::vector<std::int64_t>{1, 2, 5, 6, 9, 10});
  CHECK_THROWS_WITH_AS(t.narrow(1, 3, 2),
                       doctest::Contains("start (3) + length (2) exceeds dimension size (4)"),
                       xport::index_error);
}

TEST_CASE("expand broadcasts with stride 0") {
  Tensor const column = xport::arange(3).view({3, 1});
  Tensor const e = column.expand({2, 3, 4});
  CHECK(as_vector(e.sizes()) == shape{2, 3, 4});
  CHECK(as_vector(e.strides()) == shape{0, 1, 0});
  CHECK(e.at<std::int64_t>({1, 2, 3}) == 2);
  CHECK(as_vector(column.expand({-1, 5}).sizes()) == shape{3, 5});
  CHECK_THROWS_WITH_AS(column.expand({4, 4}),
                       doctest::Contains("The expanded size of the tensor (4) must match the "
                                         "existing size (3) at non-singleton dimension 0"),
                       xport::shape_error);
  CHECK_THROWS_AS(column.expand({4}), xport::shape_error);
  CHECK_THROWS_AS(column.expand({-1, 3, 1}), xport::shape_error);
}

TEST_CASE("squeeze, unsqueeze and flatten") {
  Tensor const t = xport::zeros({1, 3, 1, 2});
  CHECK(as_vector(t.squeeze().sizes()) == shape{3, 2});
  CHECK(as_vector(t.squeeze(2).sizes()) == shape{1, 3, 2});
  CHECK(as_vector(t.squeeze(1).sizes()) == shape{1, 3, 1, 2});
  CHECK(as_vector(t.unsqueeze(-1).sizes()) == shape{1, 3, 1, 2, 1});
  CHECK(as_vector(t.unsqueeze(0).sizes()) == shape{1, 1, 3, 1, 2});
  CHECK_THROWS_AS(t.unsqueeze(6), xport::index_error);
  CHECK(as_vector(t.flatten(1, 2).sizes()) == shape{1, 3, 2});
  CHECK(as_vector(t.flatten().sizes()) == shape{6});
  CHECK(as_vector(xport::zeros({}).flatten().sizes()) == shape{1});
  CHECK(as_vector(xport::zeros({}).unsqueeze(0).sizes()) == shape{1});
  CHECK_THROWS_AS(t.flatten(2, 1), xport::index_error);
}

TEST_CASE("contiguous, clone and to(dtype) copy with the right values") {
  Tensor const t = xport::arange(6).view({2, 3}).t();
  Tensor const c = t.contiguous();
  CHECK(c.is_contiguous());
  CHECK_FALSE(c.storage().is_alias_of(t.storage()));
  CHECK(xport::equal(c, t));
  CHECK(c.contiguous().is_same(c));
  Tensor const copy = c.clone();
  copy.data_ptr<std::int64_t>()[0] = 42;
  CHECK(c.at<std::int64_t>({0, 0}) == 0);

  Tensor const halves = t.to(dtype::float16);
  CHECK(halves.dtype() == dtype::float16);
  CHECK(static_cast<float>(halves.at<xport::half>({2, 1})) == 5.0f);
  CHECK(t.to(dtype::int64).is_same(t));
  Tensor const bools = xport::from({0.0f, -0.5f, 2.0f}).to(dtype::bool_);
  CHECK(bools.at<bool>({0}) == false);
  CHECK(bools.at<bool>({1}) == true);
  // Out of range: truncated to int64, then wrapped, as PyTorch's CPU conversion gives
  // (torch.tensor([300., -300., nan, -1.75]).to(torch.int8) == [44, -44, 0, -1]).
  Tensor const wrapped = xport::from({300.0f, -300.0f, NAN, -1.75f}).to(dtype::int8);
  CHECK(wrapped.at<std::int8_t>({0}) == 44);
  CHECK(wrapped.at<std::int8_t>({1}) == -44);
  CHECK(wrapped.at<std::int8_t>({2}) == 0);
  CHECK(wrapped.at<std::int8_t>({3}) == -1);
  Tensor const bytes = xport::from({-1.75f, 300.0f, -300.0f}).to(dtype::uint8);
  CHECK(bytes.at<std::uint8_t>({0}) == 255);
  CHECK(bytes.at<std::uint8_t>({1}) == 44);
  CHECK(bytes.at<std::uint8_t>({2}) == 212);
  CHECK(xport::convert<std::int32_t>(1e30) == -1); // beyond int64: saturated, then wrapped
}

TEST_CASE("copy_ broadcasts and converts into a strided destination") {
  Tensor const dst = xport::zeros({3, 4}, {.dtype = dtype::int32});
  dst.slice(1, 0, {}, 2).copy_(xport::from({1.9f, -2.5f}));
  CHECK(values_of(dst.to(dtype::int64))
        == std::vector<std::int64_t>{1, 0, -2, 0, 1, 0, -2, 0, 1, 0, -2, 0});
  CHECK_THROWS_AS(dst.copy_(xport::zeros({5})), xport::shape_error);
  // Overlapping source and destination behave as if the source were read first.
  Tensor const row = xport::arange(6);
  row.slice(0, 1).copy_(row.slice(0, 0, 5));
  CHECK(values_of(row) == std::vector<std::int64_t>{0, 0, 1, 2, 3, 4});
  Tensor const square = xport::arange(4).view({2, 2});
  square.copy_(square.t());
  CHECK(values_of(square) == std::vector<std::int64_t>{0, 2, 1, 3});
  CHECK_THROWS_WITH_AS(xport::zeros({1, 3}).expand({2, 3}).copy_(xport::ones({2, 3})),
                       doctest::Contains("more than one element of the written-to tensor"),
                       xport::value_error);
}

TEST_CASE("element access checks dtype, rank and bounds") {
  Tensor const t = xport::arange(6).view({2, 3});
  CHECK(t.at<std::int64_t>({-1, -1}) == 5);
  CHECK_THROWS_WITH_AS(t.at<float>({0, 0}),
                       doctest::Contains("at<float32>() called on a tensor of dtype torch.int64"),
                       xport::dtype_error);
  CHECK_THROWS_WITH_AS(t.data_ptr<double>(), doctest::Contains("data_ptr<float64>()"),
                       xport::dtype_error);
  CHECK_THROWS_WITH_AS(t.at<std::int64_t>({0}),
                       doctest::Contains("cannot address a tensor of 2 dimensions"),
                       xport::index_error);
  CHECK_THROWS_WITH_AS(t.at<std::int64_t>({0, 3}),
                       doctest::Contains("index 3 is out of bounds for dimension 1 with size 3"),
                       xport::index_error);
  CHECK_THROWS_WITH_AS(t.item(),
                       doctest::Contains("a Tensor with 6 elements cannot be converted to Scalar"),
                       xport::shape_error);
  CHECK(xport::full({1, 1}, 2.5).item<double>() == 2.5);
  CHECK(xport::full({}, 7).item<float>() == 7.0f);
  CHECK_THROWS_AS(xport::full({}, 300).item<std::uint8_t>(), xport::value_error);
}

TEST_CASE("an undefined tensor says so") {
  Tensor const t;
  CHECK_FALSE(t.defined());
  CHECK_THROWS_WITH_AS(t.sizes(), doctest::Contains("undefined"), xport::value_error);
  CHECK(xport::to_string(t) == "tensor(undefined)");
}

TEST_CASE("the storage constructor validates the view") {
  xport::Storage storage(16, xport::Device(xport::cpu));
  CHECK(Tensor(storage, dtype::float32, {2, 2}, {2, 1}).numel() == 4);
  CHECK_THROWS_WITH_AS(Tensor(storage, dtype::float32, {2, 3}, {3, 1}),
                       doctest::Contains("needs 24 bytes"), xport::shape_error);
  CHECK_THROWS_AS(Tensor(storage, dtype::float32, {2}, {1, 1}), xport::shape_error);
  CHECK_THROWS_AS(Tensor(storage, dtype::float32, {2}, {-1}), xport::shape_error);
  CHECK_THROWS_WITH_AS(
      xport::empty({2, -1}),
      doctest::Contains("Trying to create tensor with negative dimension -1: [2, -1]"),
      xport::shape_error);
  CHECK_THROWS_WITH_AS(xport::empty({1LL << 40, 1LL << 40}), doctest::Contains("overflows int64"),
                       xport::shape_error);
  CHECK_THROWS_WITH_AS(xport::empty({1LL << 62}),
                       doctest::Contains("needs more bytes than int64 can count"),
                       xport::shape_error);
  CHECK_THROWS_AS(xport::arange(0, 1LL << 62), xport::shape_error);
}

TEST_CASE("broadcast_shapes") {
  CHECK(as_vector(xport::broadcast_shapes({3, 1}, {4})) == shape{3, 4});
  CHECK(as_vector(xport::broadcast_shapes({}, {2, 2})) == shape{2, 2});
  CHECK(as_vector(xport::broadcast_shapes({0, 1}, {1, 5})) == shape{0, 5});
  CHECK_THROWS_WITH_AS(xport::broadcast_shapes({3, 2}, {3}),
                       doctest::Contains("The size of tensor a (2) must match the size of tensor b "
                                         "(3) at non-singleton dimension 1"),
                       xport::shape_error);
}

TEST_CASE("without <xport/cuda.hpp>, CUDA devices are refused with a way out") {
  CHECK_THROWS_WITH_AS(xport::zeros({2}, {.device = xport::Device("cuda")}),
                       doctest::Contains("include <xport/cuda.hpp> and link CUDA::cudart"),
                       xport::device_error);
  CHECK_THROWS_AS(xport::zeros({2}).to(xport::Device("cuda:0")), xport::device_error);
}
