//! @file
//! CPU kernels of the indexing ops (ops/indexing.hpp): strided loops over the index
//! tensors that check every index value before it is used.
#pragma once

#include <xport/core/convert.hpp>
#include <xport/core/factories.hpp>
#include <xport/kernels/cpu/loops.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/ops/indexing.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace xport::kernels::cpu::detail {

// Gather and scatter treat a 0-dim tensor as a vector of one element (as PyTorch does).
inline Tensor nonempty(Tensor const& t) {
  return t.dim() == 0 ? t.reshape({1}) : t;
}

// Calls `f.template operator()<I>()` with the element type of an int32/int64 index.
template <class F>
decltype(auto) visit_index(dtype type, F&& f) {
  if (type == dtype::int32) return f.template operator()<std::int32_t>();
  return f.template operator()<std::int64_t>();
}

inline std::span<std::int64_t const> span_of(dim_vector const& values) noexcept {
  return {values.data(), values.size()};
}

template <class T>
T* elements(Tensor const& t) {
  return static_cast<T*>(t.storage().data());
}

// `a + b` in the type PyTorch accumulates in (float for half types; or for bool).
template <class T>
T add_elements(T a, T b) {
  return convert<T>(convert<opmath_t<T>>(a) + convert<opmath_t<T>>(b));
}

[[noreturn]] inline void index_out_of_bounds(std::int64_t value, std::int64_t dim,
                                             std::int64_t size) {
  throw index_error("index " + std::to_string(value) + " is out of bounds for dimension "
                    + std::to_string(dim) + " with size " + std::to_string(size));
}

// Visits every position of `sizes` in row-major order with one element offset per
// operand (operand k moves by strides[k][d] along dimension d). The operand count is known
// only at run time here (one per index tensor), unlike `for_each_offset`.
template <class Body>
void walk(int_list sizes, std::vector<dim_vector> const& strides, std::vector<std::int64_t> offsets,
          Body&& body) {
  for (std::int64_t size : sizes) {
    if (size == 0) return;
  }
  std::size_t const rank = sizes.size();
  std::size_t const n = offsets.size();
  if (rank == 0) {
    body(std::span<std::int64_t const>(offsets));
    return;
  }
  std::size_t const inner = rank - 1;
  dim_vector position(rank, 0);
  std::vector<std::int64_t> current(n);
  while (true) {
    current = offsets;
    for (std::int64_t i = 0; i < sizes[inner]; ++i) {
      body(std::span<std::int64_t const>(current));
      for (std::size_t k = 0; k < n; ++k)
        current[k] += strides[k][inner];
    }
    std::size_t d = inner;
    while (true) {
      if (d == 0) return;
      --d;
      for (std::size_t k = 0; k < n; ++k)
        offsets[k] += strides[k][d];
      if (++position[d] < sizes[d]) break;
      for (std::size_t k = 0; k < n; ++k)
        offsets[k] -= strides[k][d] * sizes[d];
      position[d] = 0;
    }
  }
}

// True for a nonzero element (NaN counts, -0.0 does not), as PyTorch's nonzero decides.
template <class T>
bool is_nonzero(T value) {
  if constexpr (std::is_same_v<T, bool>)
    return value;
  else
    return convert<opmath_t<T>>(value) != opmath_t<T>(0);
}

// The coordinates of the nonzero elements of `t`, row-major: an int64 [n, t.dim()] tensor
// (a 0-dim tensor gives [1, 0] when nonzero, [0, 0] otherwise).
inline Tensor nonzero_coordinates(Tensor const& t) {
  auto const rank = static_cast<std::size_t>(t.dim());
  std::vector<std::int64_t> coordinates;
  std::int64_t found = 0;
  visit_dtype(t.dtype(), [&]<class T>() {
    T const* const data = elements<T const>(t);
    dim_vector position(rank, 0);
    std::int64_t offset = t.storage_offset();
    for (std::int64_t i = 0; i < t.numel(); ++i) {
      if (is_nonzero(data[offset])) {
        ++found;
        coordinates.insert(coordinates.end(), position.begin(), position.end());
      }
      // Advance the row-major position, and the element offset with it.
      for (std::size_t d = rank; d-- > 0;) {
        auto const sd = static_cast<std::int64_t>(d);
        offset += t.stride(sd);
        if (++position[d] < t.size(sd)) break;
        offset -= t.stride(sd) * t.size(sd);
        position[d] = 0;
      }
    }
  });
  return from(coordinates, {found, static_cast<std::int64_t>(rank)});
}

// Advanced indexing laid out for a strided loop over the result: for each result position,
// the element of `self` is `self_offset + sum_j wrap(index_j) * stride_j`, where
// `self_offset` advances with `self_strides` (0 along the broadcast index dims) and each
// index_j is read with its own result-shaped strides.
struct advanced_index_plan {
  dim_vector result_sizes;
  dim_vector self_strides;
  std::vector<Tensor> indices;              // int64, kept alive for `index_strides`
  std::vector<dim_vector> index_strides;    // per index: strides over the result shape
  std::vector<std::int64_t> indexed_dim;    // per index: the dim of self it selects in
  std::vector<std::int64_t> indexed_size;   // per index: that dim's size
  std::vector<std::int64_t> indexed_stride; // per index: that dim's stride in self

  // The offset into self's storage of the element at one result position, given the
  // operand offsets of `walk` (self's own offset at `first_index - 1`, then the indices).
  std::int64_t source_offset(std::span<std::int64_t const> at, std::size_t first_index) const {
    std::int64_t offset = at[first_index - 1];
    for (std::size_t j = 0; j < indices.size(); ++j) {
      std::int64_t value = elements<std::int64_t const>(indices[j])[at[first_index + j]];
      std::int64_t const size = indexed_size[j];
      if (value < -size || value >= size) index_out_of_bounds(value, indexed_dim[j], size);
      if (value < 0) value += size;
      offset += value * indexed_stride[j];
    }
    return offset;
  }
};

// Plans `self[indices]` (undefined = full slice); masks become their coordinates.
inline advanced_index_plan plan_advanced_index(Tensor const& self,
                                               std::span<Tensor const> indices) {
  struct entry {
    std::int64_t dim;
    Tensor index; // int64
  };
  std::vector<entry> entries;
  std::vector<bool> indexed(static_cast<std::size_t>(self.dim()), false);
  std::int64_t d = 0;
  for (Tensor const& index : indices) {
    if (!index.defined()) {
      ++d;
      continue;
    }
    if (index.dtype() == dtype::bool_ || index.dtype() == dtype::uint8) {
      Tensor const coordinates = nonzero_coordinates(index);
      for (std::int64_t j = 0; j < index.dim(); ++j) {
        indexed[static_cast<std::size_t>(d)] = true;
        entries.push_back({d++, coordinates.select(1, j)});
      }
    } else {
      indexed[static_cast<std::size_t>(d)] = true;
      entries.push_back({d++, index.to(dtype::int64)});
    }
  }

  advanced_index_plan plan;
  if (entries.empty()) {
    plan.result_sizes.assign(self.sizes().begin(), self.sizes().end());
    plan.self_strides.assign(self.strides().begin(), self.strides().end());
    return plan;
  }

  // Broadcast the index shapes (mask counts are known only now).
  dim_vector common;
  std::string shapes;
  for (entry const& e : entries) {
    shapes += (shapes.empty() ? "" : ", ") + format_sizes(e.index.sizes());
    auto const sizes = e.index.sizes();
    if (sizes.size() > common.size())
      common.insert(common.begin(), sizes.size() - common.size(), 1);
    std::size_t const offset = common.size() - sizes.size();
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      std::int64_t& c = common[offset + i];
      if (c == 1) {
        c = sizes[i];
      } else if (sizes[i] != 1 && sizes[i] != c) {
        throw index_error("shape mismatch: indexing tensors could not be broadcast together with "
                          "shapes "
                          + shapes + (&e == &entries.back() ? "" : ", ..."));
      }
    }
  }

  std::int64_t const first = entries.front().dim;
  std::int64_t const last = entries.back().dim;
  bool const adjacent = last - first + 1 == static_cast<std::int64_t>(entries.size());

  // Result dims: the sliced dims of self, with the broadcast dims in place of the indexed
  // ones (adjacent) or in front (not adjacent). `slot` is where the broadcast dims start.
  std::size_t slot = 0;
  for (std::int64_t k = 0; k < self.dim(); ++k) {
    if (indexed[static_cast<std::size_t>(k)]) continue;
    if (adjacent && k < first) ++slot;
    plan.result_sizes.push_back(self.size(k));
    plan.self_strides.push_back(self.stride(k));
  }
  plan.result_sizes.insert(plan.result_sizes.begin() + static_cast<std::ptrdiff_t>(slot),
                           common.begin(), common.end());
  plan.self_strides.insert(plan.self_strides.begin() + static_cast<std::ptrdiff_t>(slot),
                           common.size(), 0);
  for (entry& e : entries) {
    Tensor const expanded = e.index.expand(common);
    dim_vector strides(plan.result_sizes.size(), 0);
    for (std::size_t i = 0; i < common.size(); ++i)
      strides[slot + i] = expanded.stride(static_cast<std::int64_t>(i));
    plan.index_strides.push_back(std::move(strides));
    plan.indexed_dim.push_back(e.dim);
    plan.indexed_size.push_back(self.size(e.dim));
    plan.indexed_stride.push_back(self.stride(e.dim));
    plan.indices.push_back(expanded);
  }
  return plan;
}

// The operand strides and offsets `walk` needs: `lead` (the result or the values), self,
// then every index tensor.
struct walk_layout {
  std::vector<dim_vector> strides;
  std::vector<std::int64_t> offsets;
};

inline walk_layout walk_operands(advanced_index_plan const& plan, Tensor const& lead,
                                 dim_vector lead_strides, Tensor const& self) {
  std::vector<dim_vector> strides{std::move(lead_strides), plan.self_strides};
  std::vector<std::int64_t> offsets{lead.storage_offset(), self.storage_offset()};
  for (std::size_t j = 0; j < plan.indices.size(); ++j) {
    strides.push_back(plan.index_strides[j]);
    offsets.push_back(plan.indices[j].storage_offset());
  }
  return {std::move(strides), std::move(offsets)};
}

// Scatter and scatter_add into `out` (already a copy of self): walks index's positions;
// `src` is null for the scalar form, which writes `value`.
inline void scatter_into(Tensor const& out_tensor, std::int64_t dim, Tensor const& index_tensor,
                         Tensor const* src_tensor, Scalar const& value, bool accumulate) {
  if (index_tensor.numel() == 0) return;
  Tensor const out = nonempty(out_tensor);
  Tensor const index = nonempty(index_tensor);
  Tensor const src = src_tensor != nullptr ? nonempty(*src_tensor) : index;
  std::int64_t const d = xport::detail::wrap_dim(dim, out_tensor.dim());
  std::int64_t const size = out.size(d);
  std::int64_t const stride = out.stride(d);
  dim_vector out_strides(out.strides().begin(), out.strides().end());
  out_strides[static_cast<std::size_t>(d)] = 0;
  dim_vector src_strides(src.strides().begin(), src.strides().end());
  if (src_tensor == nullptr) src_strides.assign(src_strides.size(), 0);
  visit_dtype(out.dtype(), [&]<class T>() {
    T* const result = elements<T>(out);
    T const* const source = src_tensor != nullptr ? elements<T const>(src) : nullptr;
    T const fill = src_tensor == nullptr ? value.to<T>() : T{};
    visit_index(index.dtype(), [&]<class I>() {
      I const* const positions = elements<I const>(index);
      xport::detail::for_each_offset<3>(
          index.sizes(), {index.strides(), span_of(src_strides), span_of(out_strides)},
          {index.storage_offset(), src.storage_offset(), out.storage_offset()},
          [&](std::array<std::int64_t, 3> const& at) {
            auto const i = static_cast<std::int64_t>(positions[at[0]]);
            if (i < 0 || i >= size) index_out_of_bounds(i, d, size);
            T& target = result[at[2] + i * stride];
            T const v = source != nullptr ? source[at[1]] : fill;
            if (accumulate)
              target = add_elements(target, v);
            else
              target = v;
          });
    });
  });
}

} // namespace xport::kernels::cpu::detail

namespace xport {

//! @brief `index_select` on CPU, every dtype; int32 or int64 indices.
template <>
struct kernel<ops::index_select, cpu_t> {
  //! @brief `out[0].select(dim, i) = in[0].select(dim, in[1][i])`.
  //! @throws index_error "index out of range in self" for an index outside `[0, size)`.
  static void run(ops::index_select::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    using namespace kernels::cpu::detail;
    Tensor const self = nonempty(in[0]);
    Tensor const index = in[1].reshape({-1});
    Tensor const result = nonempty(out[0]);
    std::int64_t const d = xport::detail::wrap_dim(a.dim, in[0].dim());
    std::int64_t const size = self.size(d);
    visit_index(index.dtype(), [&]<class I>() {
      I const* const positions = elements<I const>(index);
      for (std::int64_t k = 0; k < index.numel(); ++k) {
        auto const i =
            static_cast<std::int64_t>(positions[index.storage_offset() + k * index.stride(0)]);
        if (i < 0 || i >= size) {
          throw index_error("index out of range in self: index " + std::to_string(i)
                            + " is out of bounds for dimension " + std::to_string(d) + " with size "
                            + std::to_string(size));
        }
        result.select(d, k).copy_(self.select(d, i));
      }
    });
  }
};

//! @brief `gather` on CPU, every dtype; int32 or int64 indices.
template <>
struct kernel<ops::gather, cpu_t> {
  //! @brief `out[p] = self[p with p[dim] = index[p]]`.
  //! @throws index_error naming the index, the dim and its size when out of range.
  static void run(ops::gather::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    using namespace kernels::cpu::detail;
    if (in[1].numel() == 0) return;
    Tensor const self = nonempty(in[0]);
    Tensor const index = nonempty(in[1]);
    Tensor const result = nonempty(out[0]);
    std::int64_t const d = xport::detail::wrap_dim(a.dim, in[0].dim());
    std::int64_t const size = self.size(d);
    std::int64_t const stride = self.stride(d);
    dim_vector self_strides(self.strides().begin(), self.strides().end());
    self_strides[static_cast<std::size_t>(d)] = 0;
    visit_dtype(result.dtype(), [&]<class T>() {
      T* const target = elements<T>(result);
      T const* const source = elements<T const>(self);
      visit_index(index.dtype(), [&]<class I>() {
        I const* const positions = elements<I const>(index);
        xport::detail::for_each_offset<3>(
            index.sizes(), {result.strides(), index.strides(), span_of(self_strides)},
            {result.storage_offset(), index.storage_offset(), self.storage_offset()},
            [&](std::array<std::int64_t, 3> const& at) {
              auto const i = static_cast<std::int64_t>(positions[at[1]]);
              if (i < 0 || i >= size) index_out_of_bounds(i, d, size);
              target[at[0]] = source[at[2] + i * stride];
            });
      });
    });
  }
};

//! @brief `scatter.src` on CPU, every dtype.
template <>
struct kernel<ops::scatter, cpu_t> {
  //! @brief `out = self; out[p with p[dim] = index[p]] = src[p]`.
  //! @throws index_error when an index is out of range.
  static void run(ops::scatter::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    out[0].copy_(in[0]);
    kernels::cpu::detail::scatter_into(out[0], a.dim, in[1], &in[2], Scalar(), false);
  }
};

//! @brief `scatter.value` on CPU, every dtype.
template <>
struct kernel<ops::scatter_value, cpu_t> {
  //! @brief `out = self; out[p with p[dim] = index[p]] = value`.
  //! @throws index_error when an index is out of range; value_error when `value` does not
  //! fit the dtype.
  static void run(ops::scatter_value::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    out[0].copy_(in[0]);
    kernels::cpu::detail::scatter_into(out[0], a.dim, in[1], nullptr, a.value, false);
  }
};

//! @brief `scatter_add` on CPU, every dtype (bool adds as logical or).
template <>
struct kernel<ops::scatter_add, cpu_t> {
  //! @brief `out = self; out[p with p[dim] = index[p]] += src[p]`.
  //! @throws index_error when an index is out of range.
  static void run(ops::scatter_add::attributes const& a, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    out[0].copy_(in[0]);
    kernels::cpu::detail::scatter_into(out[0], a.dim, in[1], &in[2], Scalar(), true);
  }
};

//! @brief `index.Tensor` on CPU, every dtype; int32/int64 indices and bool/uint8 masks.
template <>
struct kernel<ops::index, cpu_t> {
  //! @brief Gathers `self[indices]` into a new tensor (its size depends on the masks).
  //! @throws index_error for an out-of-range index or index shapes that do not broadcast.
  static ops::tensor_list compute(ops::index::attributes const&, std::span<Tensor const> in,
                                  ops::meta_list const&) {
    using namespace kernels::cpu::detail;
    Tensor const& self = in[0];
    advanced_index_plan const plan = plan_advanced_index(self, in.subspan(1));
    Tensor result = empty(plan.result_sizes, {.dtype = self.dtype(), .device = self.device()});
    walk_layout const layout = walk_operands(
        plan, result, dim_vector(result.strides().begin(), result.strides().end()), self);
    visit_dtype(self.dtype(), [&]<class T>() {
      T* const target = elements<T>(result);
      T const* const source = elements<T const>(self);
      walk(plan.result_sizes, layout.strides, layout.offsets,
           [&](std::span<std::int64_t const> at) {
             target[at[0]] = source[plan.source_offset(at, 2)];
           });
    });
    return {result};
  }
};

//! @brief `index_put` on CPU, every dtype.
template <>
struct kernel<ops::index_put, cpu_t> {
  //! @brief A copy of `self` with `values` written at (or, accumulating, added to)
  //! `self[indices]`, in row-major order of the indexing result.
  //! @throws index_error for an out-of-range index; shape_error when the values do not
  //! broadcast to the indexing result.
  static ops::tensor_list compute(ops::index_put::attributes const& a, std::span<Tensor const> in,
                                  ops::meta_list const&) {
    using namespace kernels::cpu::detail;
    Tensor const result = in.front().clone();
    Tensor const& values = in.back();
    advanced_index_plan const plan = plan_advanced_index(result, in.subspan(1, in.size() - 2));
    bool fits = values.dim() <= static_cast<std::int64_t>(plan.result_sizes.size());
    for (std::int64_t i = 1; fits && i <= values.dim(); ++i) {
      std::int64_t const v = values.size(-i);
      fits =
          v == 1 || v == plan.result_sizes[plan.result_sizes.size() - static_cast<std::size_t>(i)];
    }
    if (!fits) {
      throw shape_error("shape mismatch: value tensor of shape " + format_sizes(values.sizes())
                        + " cannot be broadcast to indexing result of shape "
                        + format_sizes(plan.result_sizes));
    }
    Tensor const source = values.expand(plan.result_sizes);
    walk_layout const layout = walk_operands(
        plan, source, dim_vector(source.strides().begin(), source.strides().end()), result);
    visit_dtype(result.dtype(), [&]<class T>() {
      T* const target = elements<T>(result);
      T const* const from_values = elements<T const>(source);
      walk(plan.result_sizes, layout.strides, layout.offsets,
           [&](std::span<std::int64_t const> at) {
             T& element = target[plan.source_offset(at, 2)];
             T const v = from_values[at[0]];
             if (a.accumulate)
               element = add_elements(element, v);
             else
               element = v;
           });
    });
    return {result};
  }
};

//! @brief `index_put_` on CPU: `index_put`'s result written back into `self`.
template <>
struct kernel<ops::index_put_, cpu_t> {
  //! @brief Writes `values` at (or adds them to) `self[indices]`; returns `self`.
  //! @throws as `index_put`.
  static ops::tensor_list compute(ops::index_put_::attributes const& a, std::span<Tensor const> in,
                                  ops::meta_list const& metas) {
    Tensor const result = kernel<ops::index_put, cpu_t>::compute(a, in, metas).front();
    in.front().copy_(result);
    return {in.front()};
  }
};

} // namespace xport
