//! @file
//! The definition of `Tensor::copy_` and the host-staging helpers it uses; included at the
//! end of tensor.hpp, because it needs the complete `Tensor`.
#pragma once

#include <xport/core/tensor.hpp>

#include <cstddef>
#include <cstdint>
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

inline void copy_on_cpu(Tensor const& src, Tensor const& dst) {
  std::array<std::span<std::int64_t const>, 2> const strides = {dst.strides(), src.strides()};
  visit_dtype(dst.dtype(), [&]<class To>() {
    visit_dtype(src.dtype(), [&]<class From>() {
      auto* out = static_cast<To*>(dst.storage().data());
      auto const* in = static_cast<From const*>(src.storage().data());
      if constexpr (std::is_same_v<To, From>) {
        if (dst.is_contiguous() && src.is_contiguous()) {
          std::copy_n(in + src.storage_offset(), dst.numel(), out + dst.storage_offset());
          return;
        }
      }
      for_each_offset<2>(
          dst.sizes(), strides, {dst.storage_offset(), src.storage_offset()},
          [&](std::array<std::int64_t, 2> const& at) { out[at[0]] = convert<To>(in[at[1]]); });
    });
  });
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
