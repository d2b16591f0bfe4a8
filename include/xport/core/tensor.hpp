//! @file
//! `Tensor`: a strided view of reference-counted storage on a device, with the view
//! operations that need no copy.
#pragma once

#include <xport/core/convert.hpp>
#include <xport/core/detail/fake_methods.hpp>
#include <xport/core/detail/strided.hpp>
#include <xport/core/device.hpp>
#include <xport/core/dtype.hpp>
#include <xport/core/error.hpp>
#include <xport/core/scalar.hpp>
#include <xport/core/shape_rules.hpp>
#include <xport/core/source_location.hpp>
#include <xport/core/storage.hpp>
#include <xport/core/sym_int.hpp>

#include <boost/container/small_vector.hpp>

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <optional>
#include <ranges>
#include <span>
#include <string>
#include <utility>

namespace xport {

//! @brief A small vector of sizes or strides; holds up to six values without allocating.
using dim_vector = detail::dim_vector;
//! @brief A non-owning list of int64 values (see `detail::int_list`)
using int_list = detail::int_list;
//! @brief A tensor's sizes or strides (`sizes()`, `strides()`): a
//! `std::span<std::int64_t const>` that also compares with `==` against any range of
//! integers, as `c10::IntArrayRef` and `torch.Size` do:
//! `x.sizes() == y.sizes()`, `x.sizes() == std::vector{2, 3}`.
using int_span = detail::int_span;

//! @brief Formats sizes like PyTorch's messages: `[2, 3]`.
inline std::string format_sizes(int_list sizes) {
  return detail::format_list(sizes);
}

//! @brief The dtype and device of a new tensor; factories default to float32 on the CPU
//! (`full` and `arange` infer the dtype from their values, like PyTorch).
//! @code
//! auto t = xport::zeros({2, 3}, {.dtype = xport::dtype::int64});
//! @endcode
struct TensorOptions {
  std::optional<xport::dtype> dtype =
      std::nullopt;   //!< element type; empty means the factory's default
  Device device = {}; //!< where the storage lives
};

//! @brief PyTorch's broadcasting of two shapes: align from the right; sizes must be
//! equal or 1. `broadcast_shapes({3, 1}, {4}) == {3, 4}` (`shape::broadcast_sizes`).
//! @throws shape_error naming the mismatching sizes and the dimension.
inline dim_vector broadcast_shapes(int_list a, int_list b) {
  return xport::shape::broadcast_sizes<std::int64_t>(a, b);
}

//! @brief Sizes that may be symbolic (six inline entries).
using sym_dim_vector = boost::container::small_vector<SymInt, 6>;

namespace detail {

// What a fake (traced) tensor has instead of data: symbolic sizes, and the tracer's
// handle for the graph value it stands for. The impl's int sizes hold the example values.
struct fake_part {
  sym_dim_vector sizes;
  std::shared_ptr<void const> value;
};

struct tensor_impl {
  Storage storage;
  dim_vector sizes;
  dim_vector strides;
  std::int64_t offset = 0; // in elements
  xport::dtype type = xport::dtype::float32;
  std::int64_t numel = 0;
  bool contiguous = true;
  std::shared_ptr<fake_part const> fake = nullptr; // set only for traced tensors
};

// Bytes for `numel` elements of `type`, refusing counts whose size overflows.
inline std::size_t checked_nbytes(std::int64_t numel, xport::dtype type) {
  auto const size = static_cast<std::int64_t>(element_size(type));
  if (numel > std::numeric_limits<std::int64_t>::max() / size) {
    throw shape_error("a tensor of " + std::to_string(numel) + " " + std::string(name(type))
                      + " elements needs more bytes than int64 can count");
  }
  return static_cast<std::size_t>(numel * size);
}

[[noreturn, gnu::cold, gnu::noinline]] inline void
throw_element_type(xport::dtype expected, xport::dtype actual, char const* what) {
  throw dtype_error(std::string(what) + "<" + std::string(name(expected))
                    + ">() called on a tensor of dtype " + torch_name(actual));
}

// Refuses element access with a C++ type other than the tensor's element type.
template <class T>
void check_element_type(xport::dtype actual, char const* what) {
  if (dtype_of<T> != actual) [[unlikely]]
    throw_element_type(dtype_of<T>, actual, what);
}

} // namespace detail

//! @brief An n-dimensional array: a strided view of reference-counted storage on a
//! device.
//!
//! Copying a `Tensor` copies the handle, not the data: both refer to the same tensor, as
//! in PyTorch. View operations (`view`, `permute`, `slice`, `expand`, ...) return new
//! tensors that share storage; `contiguous()`, `clone()` and `to()` copy when needed.
//! A default-constructed tensor is *undefined*: every accessor but `defined()` throws.
//! @code
//! xport::Tensor y = xport::arange(12).view({3, 4});   // int64, a view of 12 elements
//! xport::Tensor t = y.t();                            // a view: no copy, not contiguous
//! xport::Tensor c = t.contiguous();                   // a copy, row-major
//! @endcode
class Tensor {
public:
  //! @brief An undefined tensor (`defined() == false`).
  Tensor() = default;

  //! @brief A view of `storage` with the given element type, sizes, strides and offset
  //! (in elements).
  //! @throws shape_error when sizes and strides differ in rank, a size or stride is
  //! negative, or the view reaches past the end of the storage.
  Tensor(Storage storage, xport::dtype type, int_list sizes, int_list strides,
         std::int64_t offset = 0) {
    if (sizes.size() != strides.size()) {
      throw shape_error("sizes " + format_sizes(sizes) + " and strides " + format_sizes(strides)
                        + " must have the same length");
    }
    std::int64_t const numel = detail::checked_numel(sizes);
    if (offset < 0)
      throw shape_error("a view's storage offset must not be negative, but got "
                        + std::to_string(offset));
    // The last element reached, in checked arithmetic: absurd strides or offsets fail here
    // instead of wrapping around to a small, plausible reach.
    std::int64_t last = offset;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      if (strides[i] < 0)
        throw shape_error("negative strides are not supported: " + format_sizes(strides));
      if (sizes[i] > 0) last = xport::shape::add(last, xport::shape::mul(sizes[i] - 1, strides[i]));
    }
    std::size_t const needed =
        numel == 0 ? 0 : detail::checked_nbytes(xport::shape::add(last, 1), type);
    if (needed > storage.nbytes()) {
      throw shape_error("a view of size " + format_sizes(sizes) + ", strides "
                        + format_sizes(strides) + " and offset " + std::to_string(offset)
                        + " needs " + std::to_string(needed) + " bytes of "
                        + std::string(name(type)) + " storage, but the storage has "
                        + std::to_string(storage.nbytes()));
    }
    impl_ = std::allocate_shared<detail::tensor_impl>(
        detail::recycling_allocator<detail::tensor_impl>(),
        detail::tensor_impl{std::move(storage), dim_vector(sizes.begin(), sizes.end()),
                            dim_vector(strides.begin(), strides.end()), offset, type, numel,
                            detail::compute_contiguous(sizes, strides), nullptr});
  }

  //! @brief A fake tensor for tracers: dtype, device and symbolic sizes, no data, and
  //! the tracer's handle `value` for the graph value it stands for.
  //! @throws shape_error for a negative concrete size.
  static Tensor make_fake(xport::dtype type, Device device, std::span<SymInt const> sizes,
                          std::shared_ptr<void const> value) {
    dim_vector hints(sizes.size());
    for (std::size_t i = 0; i < sizes.size(); ++i)
      hints[i] = sizes[i].hint().value_or(0); // unbacked sizes have no example value
    Tensor result;
    dim_vector strides = detail::contiguous_strides(hints);
    std::int64_t const numel = detail::checked_numel(hints);
    auto fake = std::make_shared<detail::fake_part const>(
        detail::fake_part{sym_dim_vector(sizes.begin(), sizes.end()), std::move(value)});
    result.impl_ = std::allocate_shared<detail::tensor_impl>(
        detail::recycling_allocator<detail::tensor_impl>(),
        // No data, so no allocator: fake tensors may be on devices this build cannot use.
        detail::tensor_impl{Storage(nullptr, 0, device, nullptr), std::move(hints),
                            std::move(strides), 0, type, numel, true, std::move(fake)});
    return result;
  }
  //! @brief The tracer's handle of a fake tensor (null for a real one).
  std::shared_ptr<void const> const& fake_value() const {
    static std::shared_ptr<void const> const none;
    return impl().fake ? impl().fake->value : none;
  }

  //! @name Properties
  //! @{

  //! @brief False for a default-constructed tensor.
  bool defined() const noexcept { return impl_ != nullptr; }
  //! @brief The element type.
  xport::dtype dtype() const { return impl().type; }
  //! @brief The device holding the storage.
  Device device() const { return impl().storage.device(); }
  //! @brief The number of dimensions (0 for a scalar tensor).
  std::int64_t dim() const { return static_cast<std::int64_t>(impl().sizes.size()); }
  //! @brief The size of every dimension.
  //!
  //! On a fake tensor (inside export) symbolic sizes are specialized to their example
  //! values, recording guards at `where` — like `int(x.shape[0])` in PyTorch. Use
  //! `sym_sizes()` to keep them symbolic.
  int_span sizes(source_location const& where = source_location::current()) const {
    if (impl().fake) specialize(where);
    return {impl().sizes.data(), impl().sizes.size()};
  }
  //! @brief The sizes as SymInts: symbolic on a fake tensor, concrete otherwise.
  sym_dim_vector sym_sizes() const {
    if (impl().fake) return impl().fake->sizes;
    return sym_dim_vector(impl().sizes.begin(), impl().sizes.end());
  }
  //! @brief The size of dimension `d` as a SymInt (symbolic on a fake tensor): what
  //! model code should use for shapes that must stay dynamic under export.
  //! @throws index_error when `d` is out of range.
  SymInt sym_size(std::int64_t d) const {
    std::size_t const i = wrap(d);
    return impl().fake ? impl().fake->sizes[i] : SymInt(impl().sizes[i]);
  }
  //! @brief True for a fake tensor: a value being traced by export, with symbolic sizes
  //! and no data.
  bool is_fake() const noexcept { return impl_ && impl_->fake; }
  //! @brief The stride of every dimension, in elements.
  int_span strides() const { return {impl().strides.data(), impl().strides.size()}; }
  //! @brief The size of dimension `d`; negative `d` counts from the end.
  //! @throws index_error when `d` is out of range.
  //! On a fake tensor a symbolic size is specialized to its example value (a guard at
  //! `where`); `sym_size(d)` keeps it symbolic.
  std::int64_t size(std::int64_t d,
                    source_location const& where = source_location::current()) const {
    std::size_t const i = wrap(d);
    if (impl().fake) impl().fake->sizes[i].guard_int(where);
    return impl().sizes[i];
  }
  //! @brief The stride of dimension `d`; negative `d` counts from the end.
  //! @throws index_error when `d` is out of range.
  std::int64_t stride(std::int64_t d) const { return impl().strides[wrap(d)]; }
  //! @brief The number of elements (the product of the sizes).
  std::int64_t numel() const { return impl().numel; }
  //! @brief Offset of the first element in the storage, in elements.
  std::int64_t storage_offset() const { return impl().offset; }
  //! @brief Bytes per element.
  std::size_t element_size() const { return xport::element_size(dtype()); }
  //! @brief The storage this tensor views.
  //! @throws value_error on a fake tensor (it has none).
  Storage const& storage() const { return data_storage(); }
  //! @brief True when the elements are laid out row-major without gaps (dimensions of
  //! size 1 may have any stride).
  bool is_contiguous() const { return impl().contiguous; }
  //! @brief True when both handles refer to the same tensor (not merely equal values).
  bool is_same(Tensor const& other) const noexcept { return impl_ == other.impl_; }
  //! @}

  //! @name Element access
  //! @{

  //! @brief Pointer to the first element; a device pointer for CUDA tensors.
  //! @throws dtype_error when `T` is not the tensor's element type.
  template <element_type T>
  T* data_ptr() const {
    detail::check_element_type<T>(dtype(), "data_ptr");
    return static_cast<T*>(data_storage().data()) + impl().offset;
  }

  //! @brief Untyped pointer to the first element.
  void* data() const {
    return static_cast<std::byte*>(data_storage().data())
           + impl().offset * static_cast<std::int64_t>(element_size());
  }

  //! @brief The element at `index` (one entry per dimension; negative entries count from
  //! the end). Works on any device.
  //! @throws dtype_error when `T` is not the element type; index_error when the index has
  //! the wrong length or is out of range.
  template <element_type T>
  T at(int_list index) const {
    detail::check_element_type<T>(dtype(), "at");
    T value;
    copy_bytes(&value, Device(xport::cpu),
               static_cast<T const*>(data_storage().data()) + element_offset(index), device(),
               sizeof(T));
    return value;
  }

  //! @brief The value of a one-element tensor, as a Scalar of its category.
  //! @throws shape_error when the tensor does not have exactly one element.
  Scalar item() const {
    if (is_fake()) return detail::fake_methods().item(*this);
    if (numel() != 1) {
      throw shape_error("a Tensor with " + std::to_string(numel())
                        + " elements cannot be converted to Scalar");
    }
    dim_vector const zeros(static_cast<std::size_t>(dim()), 0);
    return visit_dtype(dtype(), [&]<class T>() -> Scalar {
      T const value = at<T>(zeros);
      if constexpr (std::is_same_v<T, bool> || std::is_integral_v<T>) {
        return Scalar(value);
      } else {
        return Scalar(static_cast<double>(value));
      }
    });
  }

  //! @brief The value of a one-element tensor converted to `T` (checked, see
  //! `Scalar::to`).
  template <element_type T>
  T item() const {
    return item().to<T>();
  }
  //! @}

  //! @name Views (no copy)
  //! @{

  //! @brief The same elements with new sizes; one size may be -1 (inferred).
  //! @throws shape_error when the element count differs, or when the strides do not
  //! allow a view (then `reshape` copies instead).
  Tensor view(int_list shape, source_location const& where = source_location::current()) const {
    if (is_fake()) return detail::fake_methods().view(*this, shape, where);
    dim_vector sizes = xport::shape::infer_size<std::int64_t>(shape, numel());
    auto strides = detail::view_strides(this->sizes(), this->strides(), sizes, numel());
    if (!strides) {
      throw shape_error(
          "view size is not compatible with input tensor's size and stride (at least one dimension "
          "spans across two contiguous subspaces): cannot view size "
          + format_sizes(this->sizes()) + " with strides " + format_sizes(this->strides()) + " as "
          + format_sizes(sizes) + ". Use .reshape(...) instead.");
    }
    return make_view(std::move(sizes), std::move(*strides), storage_offset());
  }

  //! @brief Like `view`, but copies (as `contiguous().view(shape)`) when no view exists.
  Tensor reshape(int_list shape, source_location const& where = source_location::current()) const {
    if (is_fake()) return detail::fake_methods().reshape(*this, shape, where);
    dim_vector sizes = xport::shape::infer_size<std::int64_t>(shape, numel());
    if (auto strides = detail::view_strides(this->sizes(), this->strides(), sizes, numel())) {
      return make_view(std::move(sizes), std::move(*strides), storage_offset());
    }
    return contiguous().view(sizes);
  }

  //! @brief Reorders the dimensions: result dimension i is input dimension `dims[i]`.
  //! @throws index_error for a wrong count, an out-of-range or a repeated dim.
  Tensor permute(int_list dims, source_location const& where = source_location::current()) const {
    if (is_fake()) return detail::fake_methods().permute(*this, dims, where);
    if (static_cast<std::int64_t>(dims.size()) != dim()) {
      throw index_error("permute(): number of dims don't match in permute: input.dim() = "
                        + std::to_string(dim())
                        + " is not equal to len(dims) = " + std::to_string(dims.size()));
    }
    if (dims.empty()) return *this;
    dim_vector sizes(dims.size());
    dim_vector strides(dims.size());
    boost::container::small_vector<bool, 6> seen(dims.size(), false);
    for (std::size_t i = 0; i < dims.size(); ++i) {
      std::size_t const d = wrap(dims[i]);
      if (seen[d])
        throw index_error("permute(): duplicate dims are not allowed: " + format_sizes(dims));
      seen[d] = true;
      sizes[i] = impl().sizes[d];
      strides[i] = impl().strides[d];
    }
    return make_view(std::move(sizes), std::move(strides), storage_offset());
  }

  //! @brief Swaps dimensions `dim0` and `dim1`.
  Tensor transpose(std::int64_t dim0, std::int64_t dim1,
                   source_location const& where = source_location::current()) const {
    if (is_fake()) return detail::fake_methods().transpose(*this, dim0, dim1, where);
    if (dim() == 0) { // PyTorch allows dims 0 and -1 of a scalar here
      detail::wrap_dim(dim0, 0);
      detail::wrap_dim(dim1, 0);
      return *this;
    }
    std::size_t const a = wrap(dim0);
    std::size_t const b = wrap(dim1);
    dim_vector sizes = impl().sizes;
    dim_vector strides = impl().strides;
    std::swap(sizes[a], sizes[b]);
    std::swap(strides[a], strides[b]);
    return make_view(std::move(sizes), std::move(strides), storage_offset());
  }

  //! @brief Transpose of a matrix; tensors of rank 0 and 1 are returned as they are.
  //! @throws shape_error for rank > 2.
  Tensor t(source_location const& where = source_location::current()) const {
    if (is_fake()) return detail::fake_methods().t(*this, where);
    if (dim() > 2)
      throw shape_error("t() expects a tensor with <= 2 dimensions, but self is "
                        + std::to_string(dim()) + "D");
    return dim() < 2 ? *this : transpose(0, 1);
  }

  //! @brief Elements `start, start + step, ...` before `end` along `dim`, with Python's
  //! slice rules: missing bounds mean the whole dimension, negative bounds count from the
  //! end, and out-of-range bounds are clamped (`x.slice(0, -100, 100)` is all of dim 0).
  //! @throws value_error when `step` is not positive.
  Tensor slice(std::int64_t dim, std::optional<std::int64_t> start = {},
               std::optional<std::int64_t> end = {}, std::int64_t step = 1,
               source_location const& where = source_location::current()) const {
    if (is_fake()) return detail::fake_methods().slice(*this, dim, start, end, step, where);
    if (this->dim() == 0) throw detail::zero_dim_error("slice");
    std::size_t const d = wrap(dim);
    if (step <= 0)
      throw value_error("slice step must be positive, but got " + std::to_string(step));
    std::int64_t const size = impl().sizes[d];
    std::int64_t const first =
        xport::shape::clamp_slice_bound<std::int64_t>(start.value_or(0), size);
    dim_vector sizes = impl().sizes;
    dim_vector strides = impl().strides;
    sizes[d] = xport::shape::slice_length<std::int64_t>(size, first, end.value_or(size), step);
    strides[d] = xport::shape::mul(strides[d], step);
    return make_view(std::move(sizes), std::move(strides),
                     storage_offset() + first * impl().strides[d]);
  }

  //! @brief `length` elements from `start` along `dim` (a slice that must be in range).
  //! @throws index_error when `[start, start + length)` leaves the dimension.
  Tensor narrow(std::int64_t dim, std::int64_t start, std::int64_t length,
                source_location const& where = source_location::current()) const {
    if (is_fake()) return detail::fake_methods().narrow(*this, dim, start, length, where);
    if (this->dim() == 0) throw detail::zero_dim_error("narrow");
    std::int64_t const size = this->size(dim);
    if (start < 0 && start >= -size) start += size;
    if (start < 0 || start > size || length < 0 || length > size - start) {
      throw index_error("narrow(): start (" + std::to_string(start) + ") + length ("
                        + std::to_string(length) + ") exceeds dimension size ("
                        + std::to_string(size) + ")");
    }
    return slice(dim, start, start + length);
  }

  //! @brief The sub-tensor at `index` along `dim`, which is removed.
  //! @throws index_error when `index` is out of range (negative counts from the end).
  Tensor select(std::int64_t dim, std::int64_t index,
                source_location const& where = source_location::current()) const {
    if (is_fake()) return detail::fake_methods().select(*this, dim, index, where);
    if (this->dim() == 0) throw detail::zero_dim_error("select");
    std::size_t const d = wrap(dim);
    std::int64_t const size = impl().sizes[d];
    if (index < -size || index >= size) {
      throw index_error("select(): index " + std::to_string(index)
                        + " out of range for tensor of size " + format_sizes(sizes())
                        + " at dimension " + std::to_string(d));
    }
    if (index < 0) index += size;
    dim_vector sizes = impl().sizes;
    dim_vector strides = impl().strides;
    std::int64_t const offset = storage_offset() + index * strides[d];
    sizes.erase(sizes.begin() + static_cast<std::ptrdiff_t>(d));
    strides.erase(strides.begin() + static_cast<std::ptrdiff_t>(d));
    return make_view(std::move(sizes), std::move(strides), offset);
  }

  //! @brief Broadcasts to `sizes` without copying: new leading dimensions and dimensions
  //! of size 1 get stride 0; -1 keeps a size (the rule and its messages are
  //! `shape::expand_sizes`, which the `expand` op's meta rule shares).
  //! @throws shape_error for fewer sizes than dimensions, a negative size other than -1,
  //! or a non-singleton size that would change.
  Tensor expand(int_list sizes, source_location const& where = source_location::current()) const {
    if (is_fake()) return detail::fake_methods().expand(*this, sizes, where);
    dim_vector new_sizes = xport::shape::expand_sizes<std::int64_t>(this->sizes(), sizes);
    // A kept dimension keeps its stride; a broadcast or new one repeats with stride 0.
    dim_vector new_strides(new_sizes.size(), 0);
    std::size_t const leading = new_sizes.size() - impl().sizes.size();
    for (std::size_t i = 0; i < impl().sizes.size(); ++i)
      if (impl().sizes[i] == new_sizes[leading + i]) new_strides[leading + i] = impl().strides[i];
    return make_view(std::move(new_sizes), std::move(new_strides), storage_offset());
  }

  //! @brief Removes every dimension of size 1.
  Tensor squeeze(source_location const& where = source_location::current()) const {
    if (is_fake()) return detail::fake_methods().squeeze(*this, std::nullopt, where);
    dim_vector sizes;
    dim_vector strides;
    for (std::size_t i = 0; i < impl().sizes.size(); ++i) {
      if (impl().sizes[i] == 1) continue;
      sizes.push_back(impl().sizes[i]);
      strides.push_back(impl().strides[i]);
    }
    return make_view(std::move(sizes), std::move(strides), storage_offset());
  }

  //! @brief Removes dimension `dim` if its size is 1; otherwise returns the same view.
  Tensor squeeze(std::int64_t dim,
                 source_location const& where = source_location::current()) const {
    if (is_fake()) return detail::fake_methods().squeeze(*this, dim, where);
    if (this->dim() == 0) {
      detail::wrap_dim(dim, 0); // dims 0 and -1 of a scalar are allowed
      return *this;
    }
    std::size_t const d = wrap(dim);
    if (impl().sizes[d] != 1) return *this;
    dim_vector sizes = impl().sizes;
    dim_vector strides = impl().strides;
    sizes.erase(sizes.begin() + static_cast<std::ptrdiff_t>(d));
    strides.erase(strides.begin() + static_cast<std::ptrdiff_t>(d));
    return make_view(std::move(sizes), std::move(strides), storage_offset());
  }

  //! @brief Inserts a dimension of size 1 at `dim`, in `[-dim()-1, dim()]`.
  Tensor unsqueeze(std::int64_t dim,
                   source_location const& where = source_location::current()) const {
    if (is_fake()) return detail::fake_methods().unsqueeze(*this, dim, where);
    auto const d = static_cast<std::size_t>(detail::wrap_dim(dim, this->dim() + 1));
    dim_vector sizes = impl().sizes;
    dim_vector strides = impl().strides;
    std::int64_t const stride = d < strides.size() ? strides[d] * sizes[d] : 1;
    sizes.insert(sizes.begin() + static_cast<std::ptrdiff_t>(d), 1);
    strides.insert(strides.begin() + static_cast<std::ptrdiff_t>(d), stride);
    return make_view(std::move(sizes), std::move(strides), storage_offset());
  }

  //! @brief Merges dimensions `start_dim..end_dim` into one (a view when strides allow,
  //! a copy otherwise, like `reshape`). A scalar becomes a one-element vector.
  Tensor flatten(std::int64_t start_dim = 0, std::int64_t end_dim = -1,
                 source_location const& where = source_location::current()) const {
    if (is_fake()) return detail::fake_methods().flatten(*this, start_dim, end_dim, where);
    if (dim() == 0) {
      detail::wrap_dim(start_dim, 0);
      detail::wrap_dim(end_dim, 0);
      return reshape({1});
    }
    std::size_t const first = wrap(start_dim);
    std::size_t const last = wrap(end_dim);
    if (first > last)
      throw index_error("flatten() has invalid args: start_dim cannot come after end_dim");
    dim_vector sizes(impl().sizes.begin(),
                     impl().sizes.begin() + static_cast<std::ptrdiff_t>(first));
    std::int64_t merged = 1;
    for (std::size_t i = first; i <= last; ++i)
      merged *= impl().sizes[i]; // at most numel(): cannot overflow
    sizes.push_back(merged);
    sizes.insert(sizes.end(), impl().sizes.begin() + static_cast<std::ptrdiff_t>(last + 1),
                 impl().sizes.end());
    return reshape(sizes);
  }
  //! @}

  //! @name Copies
  //! @{

  //! @brief This tensor if it is contiguous, otherwise a contiguous copy.
  Tensor contiguous(source_location const& where = source_location::current()) const {
    if (is_fake()) return detail::fake_methods().contiguous(*this, where);
    return is_contiguous() ? *this : clone();
  }

  //! @brief A contiguous copy with its own storage, on the same device.
  Tensor clone(source_location const& where = source_location::current()) const {
    if (is_fake()) return detail::fake_methods().clone(*this, where);
    return to_new(dtype(), device());
  }

  //! @brief This tensor if it already has `type`, otherwise a converted copy (see
  //! `xport::convert` for the conversion of each element).
  Tensor to(xport::dtype type, source_location const& where = source_location::current()) const {
    if (is_fake()) return detail::fake_methods().to(*this, type, where);
    return type == dtype() ? *this : to_new(type, device());
  }

  //! @brief This tensor if it is already on `target`, otherwise a copy there.
  //! @throws device_error when the device is unavailable.
  Tensor to(Device target) const { return target == device() ? *this : to_new(dtype(), target); }

  //! @brief `to(Device(xport::cpu))`.
  Tensor cpu() const { return to(Device(xport::cpu)); }

  //! @brief Copies `src` into this tensor, broadcasting it to this tensor's sizes and
  //! converting its dtype; the devices may differ, and `src` may overlap this tensor.
  //! Returns `*this`.
  //! @throws shape_error when `src` does not broadcast to this tensor's sizes;
  //! value_error when this tensor is expanded (several elements share one location).
  Tensor const& copy_(Tensor const& src,
                      source_location const& where = source_location::current()) const;
  //! @}

private:
  // The checks of every access inline; the refusals, out of line and cold, do not.
  detail::tensor_impl const& impl() const {
    if (!impl_) [[unlikely]]
      throw_undefined();
    return *impl_;
  }

  Storage const& data_storage() const {
    if (impl().fake) [[unlikely]]
      throw_no_data();
    return impl().storage;
  }

  [[noreturn, gnu::cold, gnu::noinline]] static void throw_undefined() {
    throw value_error(
        "this tensor is undefined (default-constructed); assign a tensor to it first");
  }

  [[noreturn, gnu::cold, gnu::noinline]] void throw_no_data() const {
    throw value_error("a fake tensor (a value traced by export, sizes "
                      + format_sym_sizes(impl().fake->sizes)
                      + ") has no data; reading or writing elements is not traceable — "
                        "compute with xport ops instead");
  }

  void specialize(source_location const& where) const {
    for (SymInt const& size : impl().fake->sizes)
      size.guard_int(where);
  }

  static std::string format_sym_sizes(sym_dim_vector const& sizes) {
    std::string out = "[";
    for (std::size_t i = 0; i < sizes.size(); ++i)
      out += (i ? ", " : "") + sizes[i].str();
    return out + "]";
  }

  // An existing dimension (a 0-dim tensor has none: `size(0)` of a scalar throws).
  std::size_t wrap(std::int64_t d) const { return detail::wrap_existing_dim(d, dim()); }

  std::int64_t element_offset(int_list index) const {
    if (static_cast<std::int64_t>(index.size()) != dim()) {
      throw index_error("an index of " + std::to_string(index.size()) + " entries "
                        + format_sizes(index) + " cannot address a tensor of "
                        + std::to_string(dim()) + " dimensions " + format_sizes(sizes()));
    }
    std::int64_t offset = storage_offset();
    for (std::size_t d = 0; d < index.size(); ++d) {
      std::int64_t i = index[d];
      std::int64_t const size = impl().sizes[d];
      if (i < -size || i >= size) {
        throw index_error("index " + std::to_string(i) + " is out of bounds for dimension "
                          + std::to_string(d) + " with size " + std::to_string(size));
      }
      offset += (i < 0 ? i + size : i) * impl().strides[d];
    }
    return offset;
  }

  Tensor make_view(dim_vector sizes, dim_vector strides, std::int64_t offset) const {
    Tensor result;
    bool const contiguous = detail::compute_contiguous(sizes, strides);
    std::int64_t const numel = detail::checked_numel(sizes);
    result.impl_ = std::allocate_shared<detail::tensor_impl>(
        detail::recycling_allocator<detail::tensor_impl>(),
        detail::tensor_impl{data_storage(), std::move(sizes), std::move(strides), offset, dtype(),
                            numel, contiguous, nullptr});
    return result;
  }

  Tensor to_new(xport::dtype type, Device target) const {
    dim_vector const& sizes = impl().sizes;
    Tensor result(Storage(detail::checked_nbytes(numel(), type), target), type, sizes,
                  detail::contiguous_strides(sizes));
    result.copy_(*this);
    return result;
  }

  std::shared_ptr<detail::tensor_impl> impl_;
};

//! @brief How a tensor takes part in type promotion: zero-dimensional tensors rank below
//! tensors with dimensions.
inline promotion_operand promotion_operand_of(Tensor const& t) {
  return {t.dtype(), t.dim() == 0 ? operand_kind::zero_dim : operand_kind::dimensioned};
}

//! @brief `torch.result_type(a, b)` for two tensors.
inline xport::dtype result_type(Tensor const& a, Tensor const& b) {
  promotion_operand const operands[] = {promotion_operand_of(a), promotion_operand_of(b)};
  return result_type(operands);
}

//! @brief `torch.result_type(t, s)` for a tensor and a C++ number (a wrapped number).
inline xport::dtype result_type(Tensor const& t, Scalar s) {
  promotion_operand const operands[] = {promotion_operand_of(t),
                                        {s.type(), operand_kind::wrapped_number}};
  return result_type(operands);
}

} // namespace xport

#include <xport/core/detail/tensor_copy.hpp> // Tensor::copy_, which needs the whole class
