//! @file
//! The definition of `Tensor::copy_` and the host-staging helpers it uses; included at the
//! end of tensor.hpp, because it needs the complete `Tensor`.
#pragma once

#include <xport/core/tensor.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

namespace xport {

namespace detail {

// [first, last] element range of the storage that `t` touches (empty when numel == 0).
inline std::pair<std::int64_t, std::int64_t> storage_span(Tensor const& t) {
  std::int64_t last = t.storage_offset();
  for (std::int64_t d = 0; d < t.dim(); ++d)
    last += (t.size(d) - 1) * t.stride(d);
  return {t.storage_offset(), last};
}

// A CPU tensor with the same sizes and strides as `t`: `t` itself on the CPU, otherwise
// a host copy of the storage range it touches (skipped with `download = false`).
inline Tensor host_view(Tensor const& t, bool download) {
  if (t.device().is_cpu()) return t;
  auto const [first, last] = storage_span(t);
  std::size_t const esize = t.element_size();
  auto const count = static_cast<std::size_t>(last - first + 1);
  Storage host(count * esize, Device(xport::cpu));
  if (download) {
    copy_bytes(host.data(), Device(xport::cpu),
               static_cast<std::byte const*>(t.storage().data())
                   + static_cast<std::size_t>(first) * esize,
               t.device(), count * esize);
  }
  return Tensor(host, t.dtype(), t.sizes(), t.strides(), t.storage_offset() - first);
}

// Copies `n` elements of `From` at stride `in_stride` (elements) to `n` of `To` at
// `out_stride`, converting each with `convert`. One small function per dtype pair, found at
// run time (`row_copier`), so that a translation unit that copies tensors compiles 100 of
// these loops rather than 100 instantiations of the strided walk around them.
template <class To, class From>
void copy_row(void* out, std::int64_t out_stride, void const* in, std::int64_t in_stride,
              std::int64_t n) {
  auto* o = static_cast<To*>(out);
  auto const* i = static_cast<From const*>(in);
  if (out_stride == 1 && in_stride == 1) {
    for (std::int64_t k = 0; k < n; ++k)
      o[k] = convert<To>(i[k]);
  } else {
    for (std::int64_t k = 0; k < n; ++k)
      o[k * out_stride] = convert<To>(i[k * in_stride]);
  }
}

// `copy_row` for equal dtypes: the bits of each element, whatever its type.
template <class Bits>
void copy_row_bits(void* out, std::int64_t out_stride, void const* in, std::int64_t in_stride,
                   std::int64_t n) {
  auto* o = static_cast<Bits*>(out);
  auto const* i = static_cast<Bits const*>(in);
  if (out_stride == 1 && in_stride == 1) {
    std::copy_n(i, n, o);
  } else {
    for (std::int64_t k = 0; k < n; ++k)
      o[k * out_stride] = i[k * in_stride];
  }
}

using row_copy_fn = void (*)(void*, std::int64_t, void const*, std::int64_t, std::int64_t);

// The row copy from `from` elements to `to` elements.
inline row_copy_fn row_copier(dtype to, dtype from) {
  if (to == from) {
    switch (element_size(to)) {
    case 1:
      return &copy_row_bits<std::uint8_t>;
    case 2:
      return &copy_row_bits<std::uint16_t>;
    case 4:
      return &copy_row_bits<std::uint32_t>;
    default:
      return &copy_row_bits<std::uint64_t>;
    }
  }
  row_copy_fn f = nullptr;
  visit_dtype(
      to, [&]<class To>() { visit_dtype(from, [&]<class From>() { f = &copy_row<To, From>; }); });
  return f;
}

// dst = src converted to dst's dtype, both on the CPU with the same sizes: row by row
// along the innermost dimension (one row when both are contiguous).
inline void copy_on_cpu(Tensor const& src, Tensor const& dst) {
  row_copy_fn const copy = row_copier(dst.dtype(), src.dtype());
  auto* out = static_cast<std::byte*>(dst.storage().data());
  auto const* in = static_cast<std::byte const*>(src.storage().data());
  auto const out_size = static_cast<std::int64_t>(dst.element_size());
  auto const in_size = static_cast<std::int64_t>(src.element_size());
  if (dst.numel() == 0) return;
  if (dst.dim() == 0 || (dst.is_contiguous() && src.is_contiguous())) {
    copy(out + dst.storage_offset() * out_size, 1, in + src.storage_offset() * in_size, 1,
         dst.numel());
    return;
  }
  // The rows: every index of the outer dimensions (an odometer), innermost row each.
  std::span<std::int64_t const> const sizes = dst.sizes();
  std::span<std::int64_t const> const out_strides = dst.strides();
  std::span<std::int64_t const> const in_strides = src.strides();
  std::size_t const inner = sizes.size() - 1;
  dim_vector index(inner, 0);
  std::int64_t out_at = dst.storage_offset();
  std::int64_t in_at = src.storage_offset();
  while (true) {
    copy(out + out_at * out_size, out_strides[inner], in + in_at * in_size, in_strides[inner],
         sizes[inner]);
    std::size_t d = inner;
    while (true) {
      if (d == 0) return;
      --d;
      out_at += out_strides[d];
      in_at += in_strides[d];
      if (++index[d] < sizes[d]) break;
      out_at -= out_strides[d] * sizes[d];
      in_at -= in_strides[d] * sizes[d];
      index[d] = 0;
    }
  }
}

} // namespace detail

inline Tensor const& Tensor::copy_(Tensor const& src, source_location const& where) const {
  if (is_fake() || src.is_fake()) {
    detail::fake_methods().copy_(*this, src, where);
    return *this;
  }
  if (numel() == 0) return *this;
  for (std::int64_t d = 0; d < dim(); ++d) {
    if (stride(d) == 0 && size(d) > 1) {
      throw value_error("unsupported operation: more than one element of the written-to tensor "
                        "refers to a single memory location (size "
                        + format_sizes(sizes()) + ", strides " + format_sizes(strides())
                        + "); call .clone() before writing");
    }
  }
  // A source that shares storage with the destination is read from a copy, so that
  // overlapping views copy as if all elements were read before any is written.
  Tensor const source = (src.storage().is_alias_of(storage()) ? src.clone() : src).expand(sizes());
  // Work on host views; device sides are downloaded (source, and a destination with
  // gaps) and uploaded again afterwards.
  bool const dst_dense = is_contiguous();
  Tensor const host_dst = detail::host_view(*this, !dst_dense);
  detail::copy_on_cpu(detail::host_view(source, true), host_dst);
  if (!device().is_cpu()) {
    auto const [first, last] = detail::storage_span(*this);
    std::size_t const esize = element_size();
    copy_bytes(static_cast<std::byte*>(storage().data()) + static_cast<std::size_t>(first) * esize,
               device(), host_dst.storage().data(), Device(xport::cpu),
               static_cast<std::size_t>(last - first + 1) * esize);
  }
  return *this;
}

} // namespace xport
