//! @file
//! CPU kernels of the data-dependent ops (ops/data_dependent.hpp): each computes its
//! output size from the data (the meta rule's size is a placeholder in eager calls).
#pragma once

#include <xport/core/factories.hpp>
#include <xport/kernels/cpu/indexing.hpp>
#include <xport/kernels/dispatch.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/ops/data_dependent.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace xport {

//! @brief `nonzero` on CPU, every dtype.
template <>
struct kernel<ops::nonzero, cpu_t> {
  //! @brief The int64 `[n, rank]` coordinates of the nonzero elements of `in[0]`.
  static ops::tensor_list compute(ops::nonzero::attributes const&, std::span<Tensor const> in,
                                  ops::meta_list const&) {
    return {kernels::cpu::detail::nonzero_coordinates(in[0])};
  }
};

//! @brief `_local_scalar_dense` on CPU, every dtype.
template <>
struct kernel<ops::local_scalar_dense, cpu_t> {
  //! @brief Copies the one element of `in[0]` into the 0-dim `out[0]`.
  static void run(ops::local_scalar_dense::attributes const&, std::span<Tensor const> in,
                  std::span<Tensor> out) {
    out[0].copy_(in[0].reshape(int_list{}));
  }
};

//! @brief `_assert_scalar` on CPU (it touches no tensors).
template <>
struct kernel<ops::assert_scalar, cpu_t> {
  //! @brief Checks the concrete relation.
  //! @throws constraint_violation with the recorded message and the values compared;
  //! value_error when the attributes are still symbolic (the caller did not evaluate them).
  static void run(ops::assert_scalar::attributes const& a, std::span<Tensor const>,
                  std::span<Tensor>) {
    auto const lhs = a.lhs.maybe_int(), rhs = a.rhs.maybe_int();
    if (!lhs || !rhs) {
      throw value_error("_assert_scalar: the relation " + a.lhs.str() + " "
                        + std::string(name(a.op)) + " " + a.rhs.str()
                        + " is symbolic; evaluate it with the call's sizes first");
    }
    if (!ops::compare(*lhs, a.op, *rhs)) {
      throw constraint_violation(a.msg + " (got " + std::to_string(*lhs) + " "
                                 + std::string(name(a.op)) + " " + std::to_string(*rhs) + ")");
    }
  }
};

//! @brief `masked_select` on CPU, every dtype.
template <>
struct kernel<ops::masked_select, cpu_t> {
  //! @brief The elements of `in[0]` where `in[1]` is true, both broadcast, row-major.
  static ops::tensor_list compute(ops::masked_select::attributes const&, std::span<Tensor const> in,
                                  ops::meta_list const&) {
    using namespace kernels::cpu::detail;
    dim_vector const shape = broadcast_shapes(in[0].sizes(), in[1].sizes());
    Tensor const self = in[0].expand(shape);
    Tensor const mask = in[1].expand(shape);
    Tensor result;
    visit_dtype(self.dtype(), [&]<class T>() {
      std::vector<T> selected;
      T const* const values = elements<T const>(self);
      bool const* const keep = elements<bool const>(mask);
      xport::detail::for_each_offset<2>(shape, {self.strides(), mask.strides()},
                                        {self.storage_offset(), mask.storage_offset()},
                                        [&](std::array<std::int64_t, 2> const& at) {
                                          if (keep[at[1]]) selected.push_back(values[at[0]]);
                                        });
      result = from(selected, {static_cast<std::int64_t>(selected.size())}, self.device());
    });
    return {result};
  }
};

//! @brief `bincount` on CPU: integer inputs; weights of any dtype (summed in float32 for
//! float32 weights, float64 otherwise).
template <>
struct kernel<ops::bincount, cpu_t> {
  //! @brief Counts (or sums the weights of) each value of `in[0]`.
  //! @throws value_error for a negative value.
  static ops::tensor_list compute(ops::bincount::attributes const& a, std::span<Tensor const> in,
                                  ops::meta_list const& metas) {
    using namespace kernels::cpu::detail;
    Tensor const self = in[0].to(dtype::int64).contiguous();
    std::int64_t const n = self.numel();
    if (n == 0) return {zeros({a.minlength}, {.dtype = dtype::int64})};
    std::int64_t const* const values = elements<std::int64_t const>(self) + self.storage_offset();
    auto const [low, high] = std::minmax_element(values, values + n);
    if (*low < 0) {
      throw value_error("bincount only supports 1-d non-negative integral inputs. (found the value "
                        + std::to_string(*low) + ")");
    }
    if (*high == std::numeric_limits<std::int64_t>::max()) {
      throw value_error("bincount: the value " + std::to_string(*high)
                        + " needs more bins than a tensor can have");
    }
    std::int64_t const bins = std::max(*high + 1, a.minlength);
    dtype const result_type = metas.front().dtype;
    Tensor result = zeros({bins}, {.dtype = result_type});
    if (!in[1].defined()) {
      std::int64_t* const counts = elements<std::int64_t>(result);
      for (std::int64_t i = 0; i < n; ++i)
        ++counts[values[i]];
      return {result};
    }
    Tensor const weights = in[1].to(result_type).contiguous();
    // Weighted counts are float32 for float32 weights, float64 otherwise (the meta rule).
    kernels::visit_computed<dtype_set{dtype::float32} | dtype::float64>(
        result_type, "bincount", [&]<class W>() {
          W* const sums = elements<W>(result);
          W const* const w = elements<W const>(weights) + weights.storage_offset();
          for (std::int64_t i = 0; i < n; ++i)
            sums[values[i]] += w[i];
        });
    return {result};
  }
};

} // namespace xport
