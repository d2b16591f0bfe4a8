//! @file
//! CPU kernels of the pooling ops (ops/pool.hpp): direct loops over each output
//! element's window (pooling reads every input element about k*k/s^2 times and does no
//! multiply-accumulate chains worth a library), computed in float for half and bfloat16.
#pragma once

#include <xport/core/factories.hpp>
#include <xport/core/half.hpp>
#include <xport/kernels/cpu/loops.hpp>
#include <xport/kernels/dispatch.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/kernels/parallel.hpp>
#include <xport/ops/pool.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>

namespace xport {

namespace kernels::cpu::detail {

// Runs f.template operator()<T>(in, out, planes, H, W, OH, OW) on the input made
// contiguous and the output (contiguous from the meta rule), viewing an unbatched
// [C, H, W] and a batched [N, C, H, W] alike as planes = N * C images.
template <class F>
void for_pool_planes(Tensor const& input, Tensor const& out, F&& f) {
  Tensor const x = input.contiguous();
  std::int64_t const h = x.size(-2), w = x.size(-1), oh = out.size(-2), ow = out.size(-1);
  std::int64_t const planes = h * w == 0 ? 0 : x.numel() / (h * w);
  if (out.numel() == 0) return;
  kernels::visit_computed<dtype_sets::floating>(out.dtype(), "pool2d", [&]<class T>() {
    f.template operator()<T>(x.data_ptr<T>(), out.data_ptr<T>(), planes, h, w, oh, ow);
  });
}

// Max pooling of every plane: y[.., oy, ox] = the maximum of the window at (oy, ox), and
// when `indices` is given the position `iy * w + ix` of the element chosen, PyTorch's way:
// a later element replaces the best so far when it is greater or NaN (so NaN propagates,
// the last NaN is chosen, and the first of equal maxima); a window of only -inf points at
// its first element.
template <class T>
void max_pool_planes(ops::pool_window const& win, T const* x, T* y, std::int64_t* indices,
                     std::int64_t planes, std::int64_t h, std::int64_t w, std::int64_t oh,
                     std::int64_t ow) {
  using math = kernels::cpu::opmath_t<T>;
  std::int64_t const per_plane = oh * ow * win.kernel[0] * win.kernel[1];
  // Without padding, and with the last window inside the image (no ceil_mode overhang),
  // no tap needs a bounds check: the common case gets a loop of its own.
  bool const inside = win.padding[0] == 0 && win.padding[1] == 0
                      && (oh - 1) * win.stride[0] + (win.kernel[0] - 1) * win.dilation[0] < h
                      && (ow - 1) * win.stride[1] + (win.kernel[1] - 1) * win.dilation[1] < w;
  kernels::parallel_for(
      planes, std::max<std::int64_t>(1, grain_size / std::max<std::int64_t>(1, per_plane)),
      [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t p = begin; p < end; ++p) {
          T const* image = x + p * h * w;
          for (std::int64_t oy = 0; oy < oh; ++oy) {
            for (std::int64_t ox = 0; ox < ow; ++ox) {
              std::int64_t const y0 = oy * win.stride[0] - win.padding[0];
              std::int64_t const x0 = ox * win.stride[1] - win.padding[1];
              auto const for_taps = [&](auto&& f) { // f(position) for each tap in the image
                if (inside) {
                  for (std::int64_t i = 0; i < win.kernel[0]; ++i)
                    for (std::int64_t j = 0; j < win.kernel[1]; ++j)
                      f((y0 + i * win.dilation[0]) * w + x0 + j * win.dilation[1]);
                  return;
                }
                for (std::int64_t i = 0; i < win.kernel[0]; ++i) {
                  std::int64_t const iy = y0 + i * win.dilation[0];
                  if (iy < 0 || iy >= h) continue;
                  for (std::int64_t j = 0; j < win.kernel[1]; ++j) {
                    std::int64_t const ix = x0 + j * win.dilation[1];
                    if (ix >= 0 && ix < w) f(iy * w + ix);
                  }
                }
              };
              // The maximum without a branch per tap (which tap wins is data: mispredicted
              // branches cost more than the rest of the loop); then, in the rare window with
              // a NaN, the last NaN (its value and position), or, only when asked, where the
              // maximum is: its first tap.
              math best = -std::numeric_limits<math>::infinity();
              bool nan = false;
              for_taps([&](std::int64_t position) {
                auto const v = static_cast<math>(image[position]);
                best = v > best ? v : best;
                nan |= std::isnan(v);
              });
              std::int64_t at = -1;
              if (nan) {
                for_taps([&](std::int64_t position) {
                  auto const v = static_cast<math>(image[position]);
                  if (std::isnan(v)) {
                    best = v;
                    at = position;
                  }
                });
              } else if (indices) {
                for_taps([&](std::int64_t position) {
                  if (at < 0 && static_cast<math>(image[position]) == best) at = position;
                });
              }
              std::int64_t const o = (p * oh + oy) * ow + ox;
              y[o] = static_cast<T>(best);
              if (indices) indices[o] = std::max<std::int64_t>(at, 0);
            }
          }
        }
      });
}

} // namespace kernels::cpu::detail

//! @brief `max_pool2d` on CPU.
template <>
struct kernel<ops::max_pool2d, cpu_t> {
  //! @brief `out[0][.., y, x]` = the maximum of the window at (y, x); NaN propagates.
  static void run(ops::max_pool2d::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    ops::pool_window const win = ops::max_pool2d::window(a);
    kernels::cpu::detail::for_pool_planes(
        in[0], out[0],
        [&]<class T>(T const* x, T* y, std::int64_t planes, std::int64_t h, std::int64_t w,
                     std::int64_t oh, std::int64_t ow) {
          kernels::cpu::detail::max_pool_planes<T>(win, x, y, nullptr, planes, h, w, oh, ow);
        });
  }
};

//! @brief `max_pool2d_with_indices` on CPU.
template <>
struct kernel<ops::max_pool2d_with_indices, cpu_t> {
  //! @brief `out[0]` as `max_pool2d`'s; `out[1]` (int64) where each maximum lies in its
  //! input plane.
  static void run(ops::max_pool2d_with_indices::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    ops::pool_window const win = ops::max_pool2d_with_indices::window(a);
    bool const dense = out[1].is_contiguous();
    Tensor const indices = dense ? out[1] : empty(out[1].sizes(), {.dtype = dtype::int64});
    kernels::cpu::detail::for_pool_planes(
        in[0], out[0],
        [&]<class T>(T const* x, T* y, std::int64_t planes, std::int64_t h, std::int64_t w,
                     std::int64_t oh, std::int64_t ow) {
          kernels::cpu::detail::max_pool_planes<T>(win, x, y, indices.data_ptr<std::int64_t>(),
                                                   planes, h, w, oh, ow);
        });
    if (!dense) out[1].copy_(indices);
  }
};

//! @brief `avg_pool2d` on CPU, with PyTorch's divisor rules: the window clipped to the
//! padded input (`count_include_pad`), or to the input, or `divisor_override`.
template <>
struct kernel<ops::avg_pool2d, cpu_t> {
  //! @brief `out[0][.., y, x]` = the sum of the window at (y, x) over its divisor.
  static void run(ops::avg_pool2d::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    ops::pool_window const win = ops::avg_pool2d::window(a);
    kernels::cpu::detail::for_pool_planes(
        in[0], out[0],
        [&]<class T>(T const* x, T* y, std::int64_t planes, std::int64_t h, std::int64_t w,
                     std::int64_t oh, std::int64_t ow) {
          using math = kernels::cpu::opmath_t<T>;
          for (std::int64_t p = 0; p < planes; ++p) {
            T const* image = x + p * h * w;
            for (std::int64_t oy = 0; oy < oh; ++oy) {
              for (std::int64_t ox = 0; ox < ow; ++ox) {
                std::int64_t y0 = oy * win.stride[0] - win.padding[0];
                std::int64_t x0 = ox * win.stride[1] - win.padding[1];
                std::int64_t y1 = std::min(y0 + win.kernel[0], h + win.padding[0]);
                std::int64_t x1 = std::min(x0 + win.kernel[1], w + win.padding[1]);
                std::int64_t const padded_count = (y1 - y0) * (x1 - x0);
                y0 = std::max<std::int64_t>(y0, 0);
                x0 = std::max<std::int64_t>(x0, 0);
                y1 = std::min(y1, h);
                x1 = std::min(x1, w);
                T& target = y[(p * oh + oy) * ow + ox];
                if (y0 >= y1 || x0 >= x1) { // a ceil_mode window wholly in the padding
                  target = T(0);
                  continue;
                }
                math sum = 0;
                for (std::int64_t iy = y0; iy < y1; ++iy)
                  for (std::int64_t ix = x0; ix < x1; ++ix)
                    sum += static_cast<math>(image[iy * w + ix]);
                std::int64_t const divisor =
                    a.divisor_override
                        ? *a.divisor_override
                        : (a.count_include_pad ? padded_count : (y1 - y0) * (x1 - x0));
                target = static_cast<T>(sum / static_cast<math>(divisor));
              }
            }
          }
        });
  }
};

//! @brief `adaptive_avg_pool2d` on CPU.
template <>
struct kernel<ops::adaptive_avg_pool2d, cpu_t> {
  //! @brief `out[0][.., i, j]` = the mean of rows `[floor(i*H/oh), ceil((i+1)*H/oh))` and
  //! the matching columns.
  static void run(ops::adaptive_avg_pool2d::attributes const&, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    kernels::cpu::detail::for_pool_planes(
        in[0], out[0],
        [&]<class T>(T const* x, T* y, std::int64_t planes, std::int64_t h, std::int64_t w,
                     std::int64_t oh, std::int64_t ow) {
          using math = kernels::cpu::opmath_t<T>;
          auto const start = [](std::int64_t i, std::int64_t size, std::int64_t n) {
            return (i * size) / n;
          };
          auto const end = [](std::int64_t i, std::int64_t size, std::int64_t n) {
            return ((i + 1) * size + n - 1) / n;
          };
          for (std::int64_t p = 0; p < planes; ++p) {
            T const* image = x + p * h * w;
            for (std::int64_t oy = 0; oy < oh; ++oy) {
              std::int64_t const y0 = start(oy, h, oh), y1 = end(oy, h, oh);
              for (std::int64_t ox = 0; ox < ow; ++ox) {
                std::int64_t const x0 = start(ox, w, ow), x1 = end(ox, w, ow);
                math sum = 0;
                for (std::int64_t iy = y0; iy < y1; ++iy)
                  for (std::int64_t ix = x0; ix < x1; ++ix)
                    sum += static_cast<math>(image[iy * w + ix]);
                y[(p * oh + oy) * ow + ox] =
                    static_cast<T>(sum / static_cast<math>((y1 - y0) * (x1 - x0)));
              }
            }
          }
        });
  }
};

} // namespace xport
