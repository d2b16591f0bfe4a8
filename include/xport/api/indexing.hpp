//! @file
//! The indexing front end: `xport::index_select`, `gather`, `scatter`, `scatter_add`,
//! `index` (advanced indexing), `index_put` and `index_put_`. Each ends in `ops::call`, so it runs
//! eagerly on real tensors and is recorded when traced.
#pragma once

#include <xport/api/call.hpp>
#include <xport/core/source_location.hpp>
#include <xport/ops/indexing.hpp>

#include <boost/container/small_vector.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace xport {

//! @brief The index list of advanced indexing: one entry per leading dimension of the
//! indexed tensor; `std::nullopt` (or an undefined `Tensor`) is a full slice, PyTorch's
//! `None`. Braces work: `xport::index(x, {std::nullopt, i})`.
using index_list = std::vector<std::optional<Tensor>>;

namespace detail {
// The op's inputs: `self`, the indices (None as an undefined Tensor), then `tail` if any.
inline boost::container::small_vector<Tensor, 6>
advanced_index_inputs(Tensor const& self, index_list const& indices, Tensor const* tail) {
  boost::container::small_vector<Tensor, 6> inputs{self};
  for (std::optional<Tensor> const& index : indices)
    inputs.push_back(index.value_or(Tensor{}));
  if (tail != nullptr) inputs.push_back(*tail);
  return inputs;
}
} // namespace detail

//! @brief The slices of `self` along `dim` that the 1-D `index` (int32 or int64) names, in
//! its order: `index_select(x, 0, {2, 0})` is rows 2 and 0 of `x`.
//! @throws index_error "index out of range in self" for an index outside
//! `[0, x.size(dim))` (negative values included, as in PyTorch); dtype_error for a
//! non-integer index.
inline Tensor index_select(Tensor const& self, std::int64_t dim, Tensor const& index,
                           source_location const& where = source_location::current()) {
  return ops::call1<ops::index_select>({dim}, {self, index}, where);
}

//! @brief Values of `self` picked along `dim` by `index` (same rank as `self`): for dim 1,
//! `out[i][j] = self[i][index[i][j]]`. The result has `index`'s shape.
//! @throws shape_error when the ranks differ or `index.size(d) > self.size(d)` for
//! `d != dim`; index_error for an index out of range.
inline Tensor gather(Tensor const& self, std::int64_t dim, Tensor const& index,
                     source_location const& where = source_location::current()) {
  return ops::call1<ops::gather>({dim}, {self, index}, where);
}

//! @brief A copy of `self` with `src` written where `index` points along `dim`: for dim 0,
//! `out[index[i][j]][j] = src[i][j]`. `src` must have `self`'s dtype; with repeated
//! indices the last write wins.
//! @throws shape_error when `index` is larger than `src`, or than `self` off `dim`;
//! index_error for an index out of range; dtype_error for mismatched dtypes.
inline Tensor scatter(Tensor const& self, std::int64_t dim, Tensor const& index, Tensor const& src,
                      source_location const& where = source_location::current()) {
  return ops::call1<ops::scatter>({dim}, {self, index, src}, where);
}

//! @brief A copy of `self` with `value` written where `index` points along `dim`.
//! @throws as the tensor form; value_error when `value` does not fit `self`'s dtype.
inline Tensor scatter(Tensor const& self, std::int64_t dim, Tensor const& index, Scalar value,
                      source_location const& where = source_location::current()) {
  return ops::call1<ops::scatter_value>({dim, value}, {self, index}, where);
}

//! @brief A copy of `self` with `src` added where `index` points along `dim`: for dim 0,
//! `out[index[i][j]][j] += src[i][j]`; repeated indices accumulate.
//! @throws as `scatter`.
inline Tensor scatter_add(Tensor const& self, std::int64_t dim, Tensor const& index,
                          Tensor const& src,
                          source_location const& where = source_location::current()) {
  return ops::call1<ops::scatter_add>({dim}, {self, index, src}, where);
}

//! @brief PyTorch's advanced indexing `self[indices]` (`aten::index.Tensor`): integer
//! index tensors broadcast together and pick elements (negative values count from the
//! end); a bool mask picks its true positions; `std::nullopt` keeps a dimension whole.
//! The broadcast dims replace the indexed dims where those are adjacent, and go first
//! otherwise: for `x` of size `[2, 3, 4]`, `index(x, {i, std::nullopt, j})` with `i`, `j`
//! of size `[5]` has size `[5, 3]`.
//! @throws index_error for too many indices, an index out of range, a mask of the wrong
//! shape, or index shapes that do not broadcast.
inline Tensor index(Tensor const& self, index_list const& indices,
                    source_location const& where = source_location::current()) {
  auto const inputs = detail::advanced_index_inputs(self, indices, nullptr);
  return ops::call<ops::index>({}, std::span<Tensor const>(inputs.data(), inputs.size()), where)
      .front();
}

//! @brief Functional `self[indices] = values` (`aten::index_put`): a copy of `self` with
//! `values` (broadcast to the shape of `index(self, indices)`, same dtype) written there;
//! with `accumulate`, added instead, and repeated positions sum. Without it, the last write
//! to a repeated position wins.
//! @throws what `index` throws; shape_error when `values` does not broadcast; dtype_error
//! when its dtype differs from `self`'s.
inline Tensor index_put(Tensor const& self, index_list const& indices, Tensor const& values,
                        bool accumulate = false,
                        source_location const& where = source_location::current()) {
  auto const inputs = detail::advanced_index_inputs(self, indices, &values);
  return ops::call<ops::index_put>({accumulate},
                                   std::span<Tensor const>(inputs.data(), inputs.size()), where)
      .front();
}

//! @brief `self[indices] = values` in place (`aten::index_put_`): as `index_put`, written
//! into `self`, which is returned. On a slice of a buffer, export records `index_put` and
//! the write back into the buffer (`slice_scatter`).
//! @throws as `index_put`.
inline Tensor index_put_(Tensor const& self, index_list const& indices, Tensor const& values,
                         bool accumulate = false,
                         source_location const& where = source_location::current()) {
  auto const inputs = detail::advanced_index_inputs(self, indices, &values);
  return ops::call<ops::index_put_>({accumulate},
                                    std::span<Tensor const>(inputs.data(), inputs.size()), where)
      .front();
}

} // namespace xport
