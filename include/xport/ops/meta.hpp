//! @file
//! What a meta rule sees and returns: `tensor_meta` (dtype, device and `SymInt` sizes),
//! and the shape helpers meta rules share (broadcasting, dim wrapping, size checks).
//!
//! Meta rules are written once over `SymInt`: on eager tensors every size is a concrete
//! integer and the checks are plain comparisons; during tracing sizes are symbolic and
//! the same comparisons decide through the shape environment, recording guards.
#pragma once

#include <xport/core/device.hpp>
#include <xport/core/dtype.hpp>
#include <xport/core/error.hpp>
#include <xport/core/shape_rules.hpp>
#include <xport/core/sym_int.hpp>
#include <xport/core/tensor.hpp>

#include <boost/container/small_vector.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace xport::ops {

//! @brief Sizes that may be symbolic; six inline entries, like `dim_vector`.
using sym_sizes = sym_dim_vector;

//! @brief The sizes of a concrete shape as SymInts.
inline sym_sizes to_sym_sizes(int_list sizes) {
  return sym_sizes(sizes.begin(), sizes.end());
}

//! @brief A non-owning list of SymInts: from `sym_sizes`, a `std::vector`, a span, or
//! braces (`{n, 4}`).
class sym_list {
public:
  //! @brief Empty.
  sym_list() = default;
  //! @brief The values of any contiguous container of SymInts.
  template <class R>
  requires requires(R const& r) {
    { r.data() } -> std::convertible_to<SymInt const*>;
    r.size();
  }
  sym_list(R const& values) noexcept // NOLINT: implicit on purpose
      : data_(values.data()), size_(values.size()) {}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime" // by design: a parameter type
#endif
  //! @brief The values in braces (valid for the full expression, as for int_list).
  sym_list(std::initializer_list<SymInt> values) noexcept
      : data_(values.begin()), size_(values.size()) {}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
  //! @brief The number of values.
  std::size_t size() const noexcept {
    return size_;
  }
  //! @brief True when empty.
  bool empty() const noexcept {
    return size_ == 0;
  }
  //! @brief Value `i`.
  SymInt const& operator[](std::size_t i) const noexcept {
    return data_[i];
  }
  //! @brief First value.
  SymInt const* begin() const noexcept {
    return data_;
  }
  //! @brief Past the last value.
  SymInt const* end() const noexcept {
    return data_ + size_;
  }

private:
  SymInt const* data_ = nullptr;
  std::size_t size_ = 0;
};

//! @brief Formats sizes as PyTorch prints symbolic shapes: `[s0, 128]`.
inline std::string format_sym_sizes(sym_list sizes) {
  std::string out = "[";
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    if (i) out += ", ";
    out += sizes[i].str();
  }
  return out + "]";
}

//! @brief The part of a tensor that shape logic sees: element type, device and sizes.
//!
//! A meta rule maps the metas of an op's inputs to the metas of its outputs. Outputs of
//! meta rules are contiguous; views keep their input's layout at run time.
struct tensor_meta {
  xport::dtype dtype = xport::dtype::float32; //!< element type
  Device device = {};                         //!< where the tensor lives
  sym_sizes sizes;                            //!< size of every dimension
  bool defined = true; //!< false for an absent optional input (an undefined `Tensor`)

  //! @brief The meta of a concrete tensor.
  static tensor_meta of(Tensor const& t) {
    if (!t.defined()) return {.sizes = {}, .defined = false};
    if (t.is_fake()) {
      return {t.dtype(), t.device(), t.sym_sizes()};
    }
    return {t.dtype(), t.device(), to_sym_sizes(t.sizes())};
  }
  //! @brief The number of dimensions.
  std::int64_t dim() const noexcept { return static_cast<std::int64_t>(sizes.size()); }
  //! @brief The product of the sizes.
  SymInt numel() const {
    SymInt n = 1;
    for (SymInt const& s : sizes)
      n = n * s;
    return n;
  }
  //! @brief The sizes as integers.
  //! @throws value_error when a size is symbolic.
  dim_vector concrete_sizes() const {
    dim_vector out(sizes.size());
    for (std::size_t i = 0; i < sizes.size(); ++i)
      out[i] = sizes[i].expect_int();
    return out;
  }
  //! @brief `f32[s0, 128]`, the way exported programs print values.
  std::string str() const {
    std::string out(short_name(dtype));
    out += format_sym_sizes(sizes);
    return out;
  }
};

//! @brief The outputs of a meta rule (most ops have one).
using meta_list = boost::container::small_vector<tensor_meta, 2>;

//! @brief Maps a possibly negative `dim` into `[0, rank)`, as PyTorch does (a scalar
//! counts as rank 1).
//! @throws index_error naming the valid range.
inline std::int64_t wrap_dim(std::int64_t dim, std::int64_t rank) {
  return xport::detail::wrap_dim(dim, rank);
}

//! @brief PyTorch's broadcasting over symbolic sizes: align from the right, sizes must
//! be equal or 1.
//!
//! Deciding whether a symbolic size is 1 may guard (as in PyTorch, where a dynamic dim
//! broadcast against a static one specializes or gets a range).
//! @throws shape_error naming both shapes and the dimension.
inline sym_sizes broadcast_sizes(sym_list a, sym_list b) {
  return xport::shape::broadcast_sizes<SymInt>(std::span<SymInt const>(a.begin(), a.size()),
                                               std::span<SymInt const>(b.begin(), b.size()));
}

//! @brief Requires `actual == expected` for a size, naming `what` in the error.
//! @throws shape_error "`what`: expected size E, but got A".
inline void expect_size(SymInt const& actual, SymInt const& expected, std::string_view what) {
  if (!static_cast<bool>(actual == expected)) {
    throw shape_error(std::string(what) + ": expected size " + expected.str() + ", but got "
                      + actual.str());
  }
}

//! @brief Requires the tensor to have rank `rank`, naming the op and the argument.
//! @throws shape_error "`op`: expected `arg` to be R-D, but got a tensor of size [...]".
inline void expect_rank(tensor_meta const& t, std::int64_t rank, std::string_view op,
                        std::string_view arg) {
  if (t.dim() != rank) {
    throw shape_error(std::string(op) + ": expected " + std::string(arg) + " to be "
                      + std::to_string(rank) + "-D, but got a tensor of size "
                      + format_sym_sizes(t.sizes));
  }
}

//! @brief Requires exactly `count` tensor inputs (absent optional ones count, as
//! undefined tensors).
//! @throws value_error naming the op and both counts.
inline void expect_inputs(std::span<tensor_meta const> in, std::size_t count, std::string_view op) {
  if (in.size() != count) {
    throw value_error(std::string(op) + ": expected " + std::to_string(count)
                      + " tensor inputs (undefined tensors for absent optional ones), but got "
                      + std::to_string(in.size()));
  }
}

//! @brief Requires every input to be on the same device as the first.
//! @throws device_error naming both devices.
inline void expect_same_device(std::span<tensor_meta const> inputs, std::string_view op) {
  for (std::size_t i = 1; i < inputs.size(); ++i) {
    if (inputs[i].device != inputs[0].device) {
      throw device_error(std::string(op)
                         + ": Expected all tensors to be on the same device, but found at "
                           "least two devices, "
                         + inputs[0].device.str() + " and " + inputs[i].device.str()
                         + "; move them with .to(device)");
    }
  }
}

} // namespace xport::ops
