//! @file
//! CPU kernels of the convolution ops (ops/conv.hpp): im2col followed by GEMM — one
//! GEMM over a block of images (their columns side by side) without groups, one per image
//! and group with them.
//!
//! Why im2col + GEMM rather than a direct loop: the unfolded input turns the convolution
//! into a matrix product `weight[OC/g, C/g*KH*KW] @ columns[C/g*KH*KW, OH*OW]`, which
//! runs in the GEMM library (OpenBLAS when linked: blocked, vectorized, multi-threaded),
//! at the cost of one copy of the input per kernel tap. A direct loop does the same
//! multiply-adds without that copy but with a memory access pattern no compiler
//! vectorizes well; benchmarks/cpu_conv.cpp measures both in one run. Images go through
//! one GEMM together because a model's convolutions are small (a few channels, a few
//! dozen pixels): one product of the block's columns keeps the GEMM library's blocking
//! (and threads) busy where one per image would not; the unfolding runs in parallel, one
//! image per task, and the result is scattered to `[N, OC, OH*OW]` with the bias added. A
//! 1x1 kernel with stride 1 and no padding, one image at a time, skips the unfolding (the
//! input already is the column matrix).
#pragma once

#include <xport/core/factories.hpp>
#include <xport/kernels/cpu/gemm.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/kernels/parallel.hpp>
#include <xport/ops/conv.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

namespace xport {

namespace kernels::cpu::detail {

// Unfolds channels [c0, c0 + channels) of one image [C, H, W] (contiguous) into
// columns[channels * KH * KW, OH * OW], whose rows are `ld` elements apart (OH * OW when
// the columns are one image's alone); out-of-image taps read zero.
template <class T>
void im2col(T const* image, std::int64_t channels, std::int64_t height, std::int64_t width,
            std::int64_t kh, std::int64_t kw, std::array<std::int64_t, 2> const& stride,
            std::array<std::int64_t, 2> const& pad, std::array<std::int64_t, 2> const& dilation,
            std::int64_t oh, std::int64_t ow, T* columns, std::int64_t ld) {
  // Stride 1 with rows as wide as the image's ("same" padding): a tap's in-image part is
  // one contiguous run of the plane, copied at once; the columns that fall outside the
  // image are zeroed after, one column at a time (small images would otherwise pay a
  // call to memmove and two to memset per output row).
  bool const whole_rows = stride[0] == 1 && stride[1] == 1 && ow == width;
  for (std::int64_t c = 0; c < channels; ++c) {
    T const* plane = image + c * height * width;
    for (std::int64_t ki = 0; ki < kh; ++ki) {
      for (std::int64_t kj = 0; kj < kw; ++kj) {
        T* row = columns + ((c * kh + ki) * kw + kj) * ld;
        if (whole_rows) {
          std::int64_t const sy = ki * dilation[0] - pad[0], sx = kj * dilation[1] - pad[1];
          std::int64_t const y0 = std::clamp<std::int64_t>(-sy, 0, oh);
          std::int64_t const y1 = std::clamp<std::int64_t>(height - sy, y0, oh);
          std::int64_t const first = std::clamp<std::int64_t>(-sx, 0, ow);
          std::int64_t const last = std::clamp<std::int64_t>(width - sx, first, ow);
          if (y0 == y1 || first == last) { // the tap never lands in the image
            std::fill(row, row + oh * ow, T{0});
            continue;
          }
          std::fill(row, row + y0 * ow, T{0});
          std::fill(row + y1 * ow, row + oh * ow, T{0});
          // out[y * ow + x] = plane[(y + sy) * width + x + sx]: one offset, as ow == width.
          std::int64_t const begin = y0 * ow + first, end = (y1 - 1) * ow + last;
          std::int64_t const offset = sy * width + sx;
          std::copy(plane + begin + offset, plane + end + offset, row + begin);
          auto const zero_column = [&](std::int64_t x) {
            for (std::int64_t y = y0; y < y1; ++y)
              row[y * ow + x] = T{0};
          };
          for (std::int64_t x = 0; x < first; ++x)
            zero_column(x);
          for (std::int64_t x = last; x < ow; ++x)
            zero_column(x);
          continue;
        }
        for (std::int64_t y = 0; y < oh; ++y) {
          std::int64_t const iy = y * stride[0] - pad[0] + ki * dilation[0];
          T* out = row + y * ow;
          if (iy < 0 || iy >= height) {
            std::fill(out, out + ow, T{0});
            continue;
          }
          T const* line = plane + iy * width;
          std::int64_t const shift = kj * dilation[1] - pad[1];
          if (stride[1] == 1) { // contiguous run: copy the in-image part, zero the rest
            std::int64_t const first = std::clamp<std::int64_t>(-shift, 0, ow);
            std::int64_t const last = std::clamp<std::int64_t>(width - shift, first, ow);
            std::fill(out, out + first, T{0});
            std::copy(line + first + shift, line + last + shift, out + first);
            std::fill(out + last, out + ow, T{0});
          } else {
            for (std::int64_t x = 0; x < ow; ++x) {
              std::int64_t const ix = x * stride[1] + shift;
              out[x] = ix >= 0 && ix < width ? line[ix] : T{0};
            }
          }
        }
      }
    }
  }
}

// input [N, C, H, W], weight [OC, C/g, KH, KW], bias [OC] or undefined, out [N, OC, OH,
// OW]; all contiguous of element type T (float or double). 1-D convolutions come here
// with H = KH = OH = 1.
template <class T>
void conv2d_forward(Tensor const& input, Tensor const& weight, Tensor const& bias,
                    Tensor const& out, std::array<std::int64_t, 2> const& stride,
                    std::array<std::int64_t, 2> const& pad,
                    std::array<std::int64_t, 2> const& dilation, std::int64_t groups) {
  std::int64_t const batch = input.size(0), channels = input.size(1), height = input.size(2),
                     width = input.size(3);
  std::int64_t const out_channels = weight.size(0), kh = weight.size(2), kw = weight.size(3);
  std::int64_t const oh = out.size(2), ow = out.size(3);
  std::int64_t const group_in = channels / groups, group_out = out_channels / groups;
  std::int64_t const taps = group_in * kh * kw;
  if (out.numel() == 0) return;
  bool const pointwise = kh == 1 && kw == 1 && stride == std::array<std::int64_t, 2>{1, 1}
                         && pad == std::array<std::int64_t, 2>{0, 0};
  std::int64_t const plane = oh * ow;
  if (groups == 1 && batch > 1) {
    // Blocks of images whose columns fit in about 16 MiB, each block one GEMM.
    std::int64_t const per_image =
        std::max<std::int64_t>(taps * plane * static_cast<std::int64_t>(sizeof(T)), 1);
    std::int64_t const block = std::clamp<std::int64_t>((16 << 20) / per_image, 1, batch);
    Tensor const columns = empty({taps, block * plane}, {.dtype = dtype_of<T>});
    Tensor const product = empty({out_channels, block * plane}, {.dtype = dtype_of<T>});
    T const* x = input.data_ptr<T>();
    T* o = out.data_ptr<T>();
    T const* b = bias.defined() ? bias.data_ptr<T>() : nullptr;
    for (std::int64_t first = 0; first < batch; first += block) {
      std::int64_t const count = std::min(block, batch - first);
      std::int64_t const ld = count * plane;
      T* cols = columns.data_ptr<T>();
      kernels::parallel_for(
          count, std::max<std::int64_t>(grain_size / std::max<std::int64_t>(taps * plane, 1), 1),
          [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t n = begin; n < end; ++n)
              im2col<T>(x + (first + n) * channels * height * width, channels, height, width, kh,
                        kw, stride, pad, dilation, oh, ow, cols + n * plane, ld);
          });
      // The block's columns and product, packed `ld` elements per row.
      auto const packed = [ld](Tensor const& buffer, std::int64_t rows) {
        return buffer.view({-1}).narrow(0, 0, rows * ld).view({rows, ld});
      };
      Tensor const c = packed(columns, taps);
      Tensor const p = packed(product, out_channels);
      gemm(weight.view({out_channels, taps}), c, p);
      T const* r = p.data_ptr<T>();
      // p[oc, n * plane + i] -> out[first + n, oc, i], plus the bias.
      kernels::parallel_for(count * out_channels, std::max<std::int64_t>(grain_size / plane, 1),
                            [&](std::int64_t begin, std::int64_t end) {
                              for (std::int64_t row = begin; row < end; ++row) {
                                std::int64_t const n = row / out_channels, oc = row % out_channels;
                                T const* from = r + oc * ld + n * plane;
                                T* to = o + ((first + n) * out_channels + oc) * plane;
                                T const shift = b ? b[oc] : T{0};
                                for (std::int64_t i = 0; i < plane; ++i)
                                  to[i] = from[i] + shift;
                              }
                            });
    }
    return;
  }
  Tensor const columns = pointwise ? Tensor{} : empty({taps, plane}, {.dtype = dtype_of<T>});
  Tensor const weights = weight.view({groups, group_out, taps});
  Tensor const images = input.view({batch, groups, group_in, height * width});
  Tensor const results = out.view({batch, groups, group_out, plane});
  for (std::int64_t n = 0; n < batch; ++n) {
    for (std::int64_t g = 0; g < groups; ++g) {
      Tensor const image = images.select(0, n).select(0, g); // [C/g, H*W]
      Tensor const result = results.select(0, n).select(0, g);
      if (pointwise) {
        gemm(weights.select(0, g), image, result);
        continue;
      }
      im2col<T>(image.data_ptr<T>(), group_in, height, width, kh, kw, stride, pad, dilation, oh, ow,
                columns.data_ptr<T>(), plane);
      gemm(weights.select(0, g), columns, result);
    }
  }
  if (!bias.defined()) return;
  T const* b = bias.data_ptr<T>();
  T* o = out.data_ptr<T>();
  for (std::int64_t n = 0; n < batch; ++n)
    for (std::int64_t c = 0; c < out_channels; ++c) {
      T* p = o + (n * out_channels + c) * plane;
      for (std::int64_t i = 0; i < plane; ++i)
        p[i] += b[c];
    }
}

// Runs a 1-D or 2-D convolution of batched `input` into `out` (any float dtype; half and
// bfloat16 compute in float32 and round once, as PyTorch's CPU kernels accumulate).
inline void convolution_forward(Tensor input, Tensor weight, Tensor bias, Tensor const& out,
                                ops::conv_geometry const& g) {
  bool const one_d = input.dim() == 3;
  std::array<std::int64_t, 2> const stride =
      one_d ? std::array<std::int64_t, 2>{1, g.stride[0]}
            : std::array<std::int64_t, 2>{g.stride[0], g.stride[1]};
  std::array<std::int64_t, 2> const dilation =
      one_d ? std::array<std::int64_t, 2>{1, g.dilation[0]}
            : std::array<std::int64_t, 2>{g.dilation[0], g.dilation[1]};
  std::size_t const spatial = one_d ? 1 : 2;
  bool asymmetric = false;
  for (std::size_t i = 0; i < spatial; ++i)
    asymmetric = asymmetric || g.padding_before[i] != g.padding_after[i];
  if (asymmetric) {
    // "same" with an even dilated kernel: PyTorch pads the extra zero at the end
    // explicitly; so do we, then run with the leading padding on both sides.
    dim_vector sizes(input.sizes().begin(), input.sizes().end());
    for (std::size_t i = 0; i < spatial; ++i)
      sizes[2 + i] += g.padding_after[i] - g.padding_before[i];
    Tensor const padded = zeros(sizes, {.dtype = input.dtype()});
    Tensor window = padded;
    for (std::size_t i = 0; i < spatial; ++i)
      window = window.narrow(static_cast<std::int64_t>(2 + i), 0,
                             input.size(static_cast<std::int64_t>(2 + i)));
    window.copy_(input);
    input = padded;
  }
  std::array<std::int64_t, 2> const pad =
      one_d ? std::array<std::int64_t, 2>{0, g.padding_before[0]}
            : std::array<std::int64_t, 2>{g.padding_before[0], g.padding_before[1]};
  dtype const type = out.dtype();
  dtype const math = type == dtype::float64 ? dtype::float64 : dtype::float32;
  Tensor const x = input.to(math).contiguous();
  Tensor const w = weight.to(math).contiguous();
  Tensor const b = bias.defined() ? bias.to(math).contiguous() : Tensor{};
  Tensor const result =
      type == math && out.is_contiguous() ? out : empty(out.sizes(), {.dtype = math});
  auto const as_2d = [&](Tensor const& t) { return one_d ? t.unsqueeze(2) : t; };
  if (math == dtype::float64)
    conv2d_forward<double>(as_2d(x), as_2d(w), b, as_2d(result), stride, pad, dilation, g.groups);
  else
    conv2d_forward<float>(as_2d(x), as_2d(w), b, as_2d(result), stride, pad, dilation, g.groups);
  if (!result.is_same(out)) out.copy_(result);
}

// conv1d/conv2d: an unbatched input runs as a batch of one.
inline void conv_nd_forward(std::span<Tensor const> in, Tensor const& out,
                            ops::conv_geometry const& g, std::int64_t batched_rank) {
  Tensor const bias = in.size() > 2 ? in[2] : Tensor{};
  if (in[0].dim() == batched_rank - 1) {
    convolution_forward(in[0].unsqueeze(0), in[1], bias, out.unsqueeze(0), g);
  } else {
    convolution_forward(in[0], in[1], bias, out, g);
  }
}

// The metas of concrete inputs, for the geometry of string padding.
inline std::array<ops::tensor_meta, 2> conv_metas(std::span<Tensor const> in) {
  return {ops::tensor_meta::of(in[0]), ops::tensor_meta::of(in[1])};
}

} // namespace kernels::cpu::detail

//! @brief `convolution` on CPU (im2col + GEMM; see the file comment).
template <>
struct kernel<ops::convolution, cpu_t> {
  //! @brief `out[0] = convolution(in[0], in[1], in[2])`.
  static void run(ops::convolution::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::convolution_forward(
        in[0], in[1], in.size() > 2 ? in[2] : Tensor{}, out[0],
        ops::convolution::geometry(a, static_cast<std::size_t>(in[1].dim() - 2)));
  }
};

//! @brief `conv1d` on CPU.
template <>
struct kernel<ops::conv1d, cpu_t> {
  //! @brief `out[0] = conv1d(in[0], in[1], in[2])`.
  static void run(ops::conv1d::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::conv_nd_forward(in, out[0], ops::conv1d::geometry(a, {}), 3);
  }
};

//! @brief `conv2d` on CPU.
template <>
struct kernel<ops::conv2d, cpu_t> {
  //! @brief `out[0] = conv2d(in[0], in[1], in[2])`.
  static void run(ops::conv2d::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::conv_nd_forward(in, out[0], ops::conv2d::geometry(a, {}), 4);
  }
};

//! @brief `conv1d.padding` on CPU.
template <>
struct kernel<ops::conv1d_padding, cpu_t> {
  //! @brief `out[0] = conv1d(in[0], in[1], in[2], padding=a.padding)`.
  static void run(ops::conv1d_padding::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    auto const metas = kernels::cpu::detail::conv_metas(in);
    kernels::cpu::detail::conv_nd_forward(in, out[0], ops::conv1d_padding::geometry(a, metas), 3);
  }
};

//! @brief `conv2d.padding` on CPU.
template <>
struct kernel<ops::conv2d_padding, cpu_t> {
  //! @brief `out[0] = conv2d(in[0], in[1], in[2], padding=a.padding)`.
  static void run(ops::conv2d_padding::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    auto const metas = kernels::cpu::detail::conv_metas(in);
    kernels::cpu::detail::conv_nd_forward(in, out[0], ops::conv2d_padding::geometry(a, metas), 4);
  }
};

} // namespace xport
