//! @file
//! CPU kernels of the joining, splitting and copying shape ops (ops/shape_join.hpp).
//!
//! Joins, tilings and scatters write through views of the output with `Tensor::copy_`
//! (which converts dtypes and reads any strides); flip and the non-constant pads gather
//! each output element from a computed input index.
#pragma once

#include <xport/kernels/eager.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/ops/shape_join.hpp>

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

namespace xport {

namespace detail {

// Pieces of `x` along `dim` with the sizes of `metas`: consecutive views.
inline ops::tensor_list split_views(Tensor const& x, std::int64_t dim,
                                    ops::meta_list const& metas) {
  auto const d = static_cast<std::size_t>(wrap_dim(dim, x.dim()));
  ops::tensor_list out;
  std::int64_t start = 0;
  for (ops::tensor_meta const& m : metas) {
    std::int64_t const length = m.sizes[d].expect_int();
    out.push_back(x.narrow(static_cast<std::int64_t>(d), start, length));
    start += length;
  }
  return out;
}

// For every element of `out` (contiguous), the input element at `source(index)`, where
// `index` is the output's multi-index; both tensors have the same rank and dtype.
template <class Source>
void gather_elements(Tensor const& out, Tensor const& in, Source&& source) {
  visit_dtype(out.dtype(), [&]<class T>() {
    T* dst = out.data_ptr<T>();
    T const* src = in.data_ptr<T>();
    auto const rank = static_cast<std::size_t>(out.dim());
    dim_vector index(rank, 0);
    dim_vector from(rank, 0);
    for (std::int64_t i = 0; i < out.numel(); ++i) {
      std::int64_t offset = 0;
      for (std::size_t d = 0; d < rank; ++d)
        offset += source(d, index[d]) * in.strides()[d];
      dst[i] = src[offset];
      for (std::size_t d = rank; d-- > 0;) { // advance the row-major odometer
        if (++index[d] < out.sizes()[d]) break;
        index[d] = 0;
      }
    }
  });
}

// Zeroes the elements of a contiguous batch of matrices where `drop(row, column)`.
template <class Drop>
void zero_where(Tensor const& out, Drop&& drop) {
  std::int64_t const rows = out.size(-2);
  std::int64_t const columns = out.size(-1);
  if (rows == 0 || columns == 0) return;
  std::int64_t const batch = out.numel() / (rows * columns);
  visit_dtype(out.dtype(), [&]<class T>() {
    T* data = out.data_ptr<T>();
    for (std::int64_t b = 0; b < batch; ++b) {
      for (std::int64_t r = 0; r < rows; ++r) {
        for (std::int64_t c = 0; c < columns; ++c) {
          if (drop(r, c)) data[(b * rows + r) * columns + c] = T(0);
        }
      }
    }
  });
}

} // namespace detail

//! @brief `cat` on CPU: each input copied (and converted) into its slice of the output.
template <>
struct kernel<ops::cat, cpu_t> {
  //! @brief Writes the inputs one after another along `dim`.
  static void run(ops::cat::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    if (out[0].dim() == 1 && out[0].size(0) == 0) return;
    std::int64_t const d = ops::wrap_dim(a.dim, out[0].dim());
    std::int64_t offset = 0;
    for (Tensor const& t : in) {
      if (t.dim() == 1 && t.size(0) == 0) continue; // PyTorch's legacy skip
      out[0].narrow(d, offset, t.size(d)).copy_(t);
      offset += t.size(d);
    }
  }
};

//! @brief `stack` on CPU: input i copied (and converted) into index i of the new dim.
template <>
struct kernel<ops::stack, cpu_t> {
  //! @brief Writes each input into its slot.
  static void run(ops::stack::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    std::int64_t const d = ops::wrap_dim(a.dim, out[0].dim());
    for (std::size_t i = 0; i < in.size(); ++i)
      out[0].select(d, static_cast<std::int64_t>(i)).copy_(in[i]);
  }
};

//! @brief `split.Tensor` on CPU: views.
template <>
struct kernel<ops::split, cpu_t> {
  //! @brief Consecutive narrows.
  static ops::tensor_list compute(ops::split::attributes const& a, std::span<Tensor const> in,
                                  ops::meta_list const& metas) {
    return detail::split_views(in[0], a.dim, metas);
  }
};

//! @brief `split_with_sizes` on CPU: views.
template <>
struct kernel<ops::split_with_sizes, cpu_t> {
  //! @brief Consecutive narrows.
  static ops::tensor_list compute(ops::split_with_sizes::attributes const& a,
                                  std::span<Tensor const> in, ops::meta_list const& metas) {
    return detail::split_views(in[0], a.dim, metas);
  }
};

//! @brief `chunk` on CPU: views.
template <>
struct kernel<ops::chunk, cpu_t> {
  //! @brief Consecutive narrows.
  static ops::tensor_list compute(ops::chunk::attributes const& a, std::span<Tensor const> in,
                                  ops::meta_list const& metas) {
    return detail::split_views(in[0], a.dim, metas);
  }
};

//! @brief `repeat` on CPU: the output viewed as `[r0, s0, r1, s1, ...]` receives the
//! input expanded along the `r` dimensions, in one strided copy.
template <>
struct kernel<ops::repeat, cpu_t> {
  //! @brief Writes the tiles.
  static void run(ops::repeat::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    if (out[0].numel() == 0) return;
    std::size_t const rank = a.repeats.size();
    std::size_t const lead = rank - static_cast<std::size_t>(in[0].dim());
    dim_vector interleaved;
    dim_vector source;
    for (std::size_t i = 0; i < rank; ++i) {
      std::int64_t const own = i < lead ? 1 : in[0].size(static_cast<std::int64_t>(i - lead));
      interleaved.push_back(a.repeats[i].expect_int());
      interleaved.push_back(own);
      source.push_back(1);
      source.push_back(own);
    }
    out[0].view(interleaved).copy_(in[0].reshape(source).expand(interleaved));
  }
};

//! @brief `flip` on CPU: each output element gathered from the mirrored index.
template <>
struct kernel<ops::flip, cpu_t> {
  //! @brief Writes the reversed elements.
  static void run(ops::flip::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    Tensor const& x = in[0];
    std::vector<bool> flipped(static_cast<std::size_t>(x.dim()), false);
    // Dims 0 and -1 of a 0-dim tensor name its one element: nothing to reverse.
    if (x.dim() > 0) {
      for (std::int64_t dim : a.dims)
        flipped[static_cast<std::size_t>(ops::wrap_dim(dim, x.dim()))] = true;
    }
    detail::gather_elements(out[0], x, [&](std::size_t d, std::int64_t i) {
      return flipped[d] ? x.sizes()[d] - 1 - i : i;
    });
  }
};

//! @brief `pad` on CPU: constant mode fills and copies the kept region; the other modes
//! gather each element from its reflected, clamped or wrapped index.
template <>
struct kernel<ops::pad, cpu_t> {
  //! @brief Writes the padded tensor.
  static void run(ops::pad::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    Tensor const& x = in[0];
    Tensor const& y = out[0];
    ops::pad_mode const mode = ops::parse_pad_mode(a.mode);
    auto const padded = a.pad.size() / 2;
    auto const rank = static_cast<std::size_t>(x.dim());
    dim_vector before(rank, 0);
    for (std::size_t i = 0; i < padded; ++i)
      before[rank - 1 - i] = a.pad[2 * i].expect_int();
    if (mode == ops::pad_mode::constant) {
      Scalar const value = a.value.value_or(0.0);
      visit_dtype(y.dtype(),
                  [&]<class T>() { std::fill_n(y.data_ptr<T>(), y.numel(), value.to<T>()); });
      Tensor source = x;
      Tensor target = y;
      for (std::size_t d = 0; d < rank; ++d) {
        auto const sd = static_cast<std::int64_t>(d);
        std::int64_t const crop = std::max<std::int64_t>(-before[d], 0);
        std::int64_t const shift = std::max<std::int64_t>(before[d], 0);
        std::int64_t const kept =
            std::min(x.size(sd) - crop, y.size(sd) - shift); // after cropping both ends
        if (kept <= 0) return;
        source = source.narrow(sd, crop, kept);
        target = target.narrow(sd, shift, kept);
      }
      target.copy_(source);
      return;
    }
    detail::gather_elements(y, x, [&](std::size_t d, std::int64_t i) {
      std::int64_t const size = x.sizes()[d];
      std::int64_t j = i - before[d];
      switch (mode) {
      case ops::pad_mode::reflect:
        if (j < 0) j = -j;
        if (j >= size) j = 2 * (size - 1) - j;
        return j;
      case ops::pad_mode::replicate:
        return std::clamp<std::int64_t>(j, 0, size - 1);
      case ops::pad_mode::circular:
        return ((j % size) + size) % size;
      case ops::pad_mode::constant:
        break;
      }
      return j;
    });
  }
};

//! @brief `tril` on CPU: a copy with the elements above the diagonal zeroed.
template <>
struct kernel<ops::tril, cpu_t> {
  //! @brief Writes the lower triangle.
  static void run(ops::tril::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    out[0].copy_(in[0]);
    detail::zero_where(out[0], [&](std::int64_t r, std::int64_t c) { return c - r > a.diagonal; });
  }
};

//! @brief `triu` on CPU: a copy with the elements below the diagonal zeroed.
template <>
struct kernel<ops::triu, cpu_t> {
  //! @brief Writes the upper triangle.
  static void run(ops::triu::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    out[0].copy_(in[0]);
    detail::zero_where(out[0], [&](std::int64_t r, std::int64_t c) { return c - r < a.diagonal; });
  }
};

//! @brief `slice_scatter` on CPU: `self` copied, then `src` copied into the slice.
template <>
struct kernel<ops::slice_scatter, cpu_t> {
  //! @brief Writes `self` with its slice replaced.
  static void run(ops::slice_scatter::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    out[0].copy_(in[0]);
    out[0].slice(a.dim, a.start.expect_int(), a.end.expect_int(), a.step.expect_int()).copy_(in[1]);
  }
};

//! @brief `select_scatter` on CPU: `self` copied, then `src` copied into the selection.
template <>
struct kernel<ops::select_scatter, cpu_t> {
  //! @brief Writes `self` with its sub-tensor at `index` replaced.
  static void run(ops::select_scatter::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    out[0].copy_(in[0]);
    out[0].select(a.dim, a.index.expect_int()).copy_(in[1]);
  }
};

} // namespace xport
