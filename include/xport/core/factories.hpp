//! @file
//! Tensor factories: `empty`, `zeros`, `ones`, `full`, `arange`, `rand`, `randn`, `from`
//! and their `*_like` forms.
#pragma once

#include <xport/core/generator.hpp>
#include <xport/core/tensor.hpp>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

namespace xport {

namespace detail {

// Fills a fresh CPU tensor through `value(i)` for i in [0, numel), then moves it to the
// requested device: factories compute on the host and upload once.
template <class Fill>
Tensor make_filled(int_list sizes, xport::dtype type, Device device, Fill&& fill) {
  std::int64_t const numel = checked_numel(sizes);
  Tensor host(Storage(checked_nbytes(numel, type), Device(xport::cpu)), type, sizes,
              contiguous_strides(sizes));
  visit_dtype(type, [&]<class T>() { fill(host.data_ptr<T>(), numel); });
  return host.to(device);
}

} // namespace detail

//! @brief A tensor of `sizes` with uninitialised elements.
//! @throws shape_error for a negative size; device_error when the device is unavailable.
inline Tensor empty(int_list sizes, TensorOptions options = {}) {
  xport::dtype const type = options.dtype.value_or(dtype::float32);
  std::int64_t const numel = detail::checked_numel(sizes);
  return Tensor(Storage(detail::checked_nbytes(numel, type), options.device), type, sizes,
                detail::contiguous_strides(sizes));
}

//! @brief A tensor of `sizes` filled with `value`; the dtype defaults to the value's
//! category (bool, int64 or float32), as in PyTorch.
//! @throws value_error when `value` does not fit the dtype (`full({2}, 300, {.dtype =
//! dtype::uint8})`).
//! @throws value_error for a symbolic `value` (a size or data-dependent value while
//! exporting), which the traced factory `xport::full(ops::sym_list{...}, value)` records.
inline Tensor full(int_list sizes, Scalar value, TensorOptions options = {}) {
  if (value.is_symbolic()) {
    throw value_error("full: the fill value " + value.str()
                      + " is symbolic; record it with the traced factory, "
                        "xport::full(ops::sym_list{...}, value) from <xport/api/creation.hpp>");
  }
  xport::dtype const type =
      options.dtype.value_or(value.is_floating_point() ? dtype::float32 : value.type());
  return detail::make_filled(sizes, type, options.device, [&]<class T>(T* out, std::int64_t numel) {
    T const element = value.to<T>();
    std::fill_n(out, numel, element);
  });
}

//! @brief A tensor of `sizes` filled with zeros (float32 unless `options.dtype`).
inline Tensor zeros(int_list sizes, TensorOptions options = {}) {
  options.dtype = options.dtype.value_or(dtype::float32);
  return full(sizes, 0, options);
}

//! @brief A tensor of `sizes` filled with ones (float32 unless `options.dtype`).
inline Tensor ones(int_list sizes, TensorOptions options = {}) {
  options.dtype = options.dtype.value_or(dtype::float32);
  return full(sizes, 1, options);
}

//! @brief The 1-D tensor `start, start + step, ...` up to but excluding `end`.
//!
//! The dtype defaults to int64 when all three are integers and float32 otherwise; the
//! length is `ceil((end - start) / step)`.
//! @throws value_error when `step` is zero or points away from `end`.
inline Tensor arange(Scalar start, Scalar end, Scalar step = 1, TensorOptions options = {}) {
  bool const floating =
      start.is_floating_point() || end.is_floating_point() || step.is_floating_point();
  xport::dtype const type = options.dtype.value_or(floating ? dtype::float32 : dtype::int64);
  auto const first = start.to<double>();
  auto const last = end.to<double>();
  auto const delta = step.to<double>();
  if (delta == 0) throw value_error("arange: step must be nonzero");
  if ((delta > 0 && last < first) || (delta < 0 && last > first)) {
    std::ostringstream text;
    text << "arange: upper bound and larger bound inconsistent with step sign (start " << start
         << ", end " << end << ", step " << step << ")";
    throw value_error(text.str());
  }
  if (!std::isfinite(first) || !std::isfinite(last) || !std::isfinite(delta)) {
    std::ostringstream text;
    text << "arange: unsupported range: " << start << " -> " << end << " (step " << step << ")";
    throw value_error(text.str());
  }
  auto const too_many = [&] {
    std::ostringstream text;
    text << "arange: the range " << start << " -> " << end << " with step " << step
         << " has too many elements";
    return value_error(text.str());
  };
  std::int64_t length = 0;
  if (floating) {
    double const count = std::ceil((last - first) / delta);
    if (!(count < 0x1p62)) throw too_many();
    length = static_cast<std::int64_t>(count);
  } else { // exact: the distance has the step's sign (checked above), so no rounding
    std::int64_t distance = 0;
    if (__builtin_sub_overflow(end.to<std::int64_t>(), start.to<std::int64_t>(), &distance)) {
      throw too_many();
    }
    std::int64_t const stride = step.to<std::int64_t>();
    length = distance / stride + (distance % stride != 0 ? 1 : 0);
  }
  auto const int_start = floating ? 0 : start.to<std::int64_t>();
  auto const int_step = floating ? 0 : step.to<std::int64_t>();
  return detail::make_filled(
      {length}, type, options.device, [&]<class T>(T* out, std::int64_t numel) {
        for (std::int64_t i = 0; i < numel; ++i) {
          out[i] = floating ? convert<T>(first + static_cast<double>(i) * delta)
                            : convert<T>(int_start + i * int_step);
        }
      });
}

//! @brief `arange(0, end)`.
inline Tensor arange(Scalar end, TensorOptions options = {}) {
  return arange(0, end, 1, options);
}

namespace detail {

inline xport::dtype floating_dtype(TensorOptions const& options, char const* factory) {
  xport::dtype const type = options.dtype.value_or(dtype::float32);
  if (!is_floating_point(type)) {
    throw dtype_error(std::string(factory) + "() needs a floating-point dtype, but got "
                      + torch_name(type));
  }
  return type;
}

template <class T>
constexpr int mantissa_digits() {
  if constexpr (std::is_same_v<T, half>) {
    return 11;
  } else if constexpr (std::is_same_v<T, bfloat16>) {
    return 8;
  } else {
    return std::numeric_limits<T>::digits;
  }
}

} // namespace detail

//! @brief Uniform random numbers in [0, 1), drawn from `gen` in row-major order.
//! @throws dtype_error for a non-floating dtype.
inline Tensor rand(int_list sizes, Generator& gen, TensorOptions options = {}) {
  xport::dtype const type = detail::floating_dtype(options, "rand");
  return detail::make_filled(sizes, type, options.device, [&]<class T>(T* out, std::int64_t numel) {
    if constexpr (!std::is_integral_v<T>) {
      for (std::int64_t i = 0; i < numel; ++i)
        out[i] = convert<T>(gen.uniform(detail::mantissa_digits<T>()));
    }
  });
}

//! @brief Standard normal random numbers, drawn from `gen` in row-major order.
//! @throws dtype_error for a non-floating dtype.
inline Tensor randn(int_list sizes, Generator& gen, TensorOptions options = {}) {
  xport::dtype const type = detail::floating_dtype(options, "randn");
  return detail::make_filled(sizes, type, options.device, [&]<class T>(T* out, std::int64_t numel) {
    if constexpr (!std::is_integral_v<T>) {
      for (std::int64_t i = 0; i < numel; ++i)
        out[i] = convert<T>(gen.normal());
    }
  });
}

//! @brief A tensor of `sizes` holding `values` (copied) in row-major order; its dtype is
//! that of `T` (so `int` values give int32).
//! @throws shape_error when the number of values is not the product of `sizes`.
template <element_type T>
Tensor from(std::span<T const> values, int_list sizes, Device device = {}) {
  std::int64_t const numel = detail::checked_numel(sizes);
  if (static_cast<std::int64_t>(values.size()) != numel) {
    throw shape_error("from(): " + std::to_string(values.size())
                      + " values cannot fill a tensor of size " + format_sizes(sizes) + " ("
                      + std::to_string(numel) + " elements)");
  }
  return detail::make_filled(sizes, dtype_of<T>, device, [&]<class U>(U* out, std::int64_t) {
    if constexpr (std::is_same_v<U, T>) std::copy(values.begin(), values.end(), out);
  });
}

//! @brief `from` a vector with explicit sizes.
template <element_type T>
Tensor from(std::vector<T> const& values, int_list sizes, Device device = {}) {
  if constexpr (std::is_same_v<T, bool>) { // vector<bool> is not contiguous
    std::vector<std::uint8_t> const bytes(values.begin(), values.end());
    return from(std::span<std::uint8_t const>(bytes), sizes, device).to(dtype::bool_);
  } else {
    return from(std::span<T const>(values), sizes, device);
  }
}

//! @brief A 1-D tensor of a braced list: `xport::from({1.f, 2.f, 3.f})`.
template <element_type T>
Tensor from(std::initializer_list<T> values, Device device = {}) {
  return from(std::span<T const>(values.begin(), values.size()),
              {static_cast<std::int64_t>(values.size())}, device);
}

//! @brief A 2-D tensor of nested braced lists: `xport::from({{1, 2}, {3, 4}})`.
//! @throws shape_error when the rows have different lengths.
template <element_type T>
Tensor from(std::initializer_list<std::initializer_list<T>> rows, Device device = {}) {
  std::vector<T> values;
  std::size_t const columns = rows.size() == 0 ? 0 : rows.begin()->size();
  for (auto const& row : rows) {
    if (row.size() != columns) {
      throw shape_error("from(): rows must have equal lengths, but found rows of "
                        + std::to_string(columns) + " and " + std::to_string(row.size())
                        + " values");
    }
    values.insert(values.end(), row.begin(), row.end());
  }
  return from(values, {static_cast<std::int64_t>(rows.size()), static_cast<std::int64_t>(columns)},
              device);
}

//! @brief `empty` with the sizes, dtype and device of `t`.
inline Tensor empty_like(Tensor const& t) {
  return empty(t.sizes(), {t.dtype(), t.device()});
}
//! @brief `zeros` with the sizes, dtype and device of `t`.
inline Tensor zeros_like(Tensor const& t) {
  return zeros(t.sizes(), {t.dtype(), t.device()});
}
//! @brief `ones` with the sizes, dtype and device of `t`.
inline Tensor ones_like(Tensor const& t) {
  return ones(t.sizes(), {t.dtype(), t.device()});
}
//! @brief `full` with the sizes, dtype and device of `t`.
inline Tensor full_like(Tensor const& t, Scalar value) {
  return full(t.sizes(), value, {t.dtype(), t.device()});
}
//! @brief `rand` with the sizes, dtype and device of `t`.
inline Tensor rand_like(Tensor const& t, Generator& gen) {
  return rand(t.sizes(), gen, {t.dtype(), t.device()});
}
//! @brief `randn` with the sizes, dtype and device of `t`.
inline Tensor randn_like(Tensor const& t, Generator& gen) {
  return randn(t.sizes(), gen, {t.dtype(), t.device()});
}

} // namespace xport
