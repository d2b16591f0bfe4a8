//! @file
//! The shape front end: views (`view`, `reshape`, `flatten`, `squeeze`, `permute`,
//! `expand`, `slice`, `select`, ...) and joins, splits and copying shape ops (`cat`,
//! `stack`, `split`, `chunk`, `repeat`, `flip`, `pad`, `tril`, `triu`, `slice_scatter`,
//! `select_scatter`). Every function
//! ends in `ops::call`, so it runs eagerly on real tensors and is recorded when traced.
//!
//! Sizes, slice bounds, split sizes and indices are `SymInt`s, so a traced program can
//! carry a symbolic size (`s0`) in them; integers convert implicitly. Where PyTorch
//! returns a view, so does the eager kernel (the result shares storage with the input).
#pragma once

#include <xport/api/call.hpp>
#include <xport/core/source_location.hpp>
#include <xport/ops/shape.hpp>
#include <xport/ops/shape_join.hpp>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace xport {

namespace detail {
inline std::vector<SymInt> to_vector(ops::sym_list values) {
  return std::vector<SymInt>(values.begin(), values.end());
}
inline std::vector<std::int64_t> to_vector(int_list values) {
  return std::vector<std::int64_t>(values.begin(), values.end());
}
inline std::vector<Tensor> to_vector(ops::tensor_list&& values) {
  return std::vector<Tensor>(std::make_move_iterator(values.begin()),
                             std::make_move_iterator(values.end()));
}
} // namespace detail

//! @brief `x.view(size)`: the same elements with new sizes, sharing storage; one size
//! may be -1.
//! @throws shape_error "shape '[3, 5]' is invalid for input of size 12", or when the
//! strides do not allow a view ("... Use .reshape(...) instead.").
inline Tensor view(Tensor const& x, ops::sym_list size,
                   source_location const& where = source_location::current()) {
  return ops::call1<ops::view>({detail::to_vector(size)}, {x}, where);
}

//! @brief `x.reshape(shape)`: a view when the strides allow it, otherwise a copy.
//! @throws shape_error when the element count does not match.
inline Tensor reshape(Tensor const& x, ops::sym_list shape,
                      source_location const& where = source_location::current()) {
  return ops::call1<ops::reshape>({detail::to_vector(shape)}, {x}, where);
}

//! @brief `torch.flatten(x, start_dim, end_dim)`: merges the dimensions in between
//! (like `reshape`: a view when possible).
inline Tensor flatten(Tensor const& x, std::int64_t start_dim = 0, std::int64_t end_dim = -1,
                      source_location const& where = source_location::current()) {
  return ops::call1<ops::flatten>({start_dim, end_dim}, {x}, where);
}

//! @brief `x.unflatten(dim, sizes)`: splits dimension `dim` into `sizes` (one may be -1);
//! a view.
inline Tensor unflatten(Tensor const& x, std::int64_t dim, ops::sym_list sizes,
                        source_location const& where = source_location::current()) {
  return ops::call1<ops::unflatten>({dim, detail::to_vector(sizes)}, {x}, where);
}

//! @brief `x.squeeze()`: removes every dimension of size 1; a view.
inline Tensor squeeze(Tensor const& x, source_location const& where = source_location::current()) {
  return ops::call1<ops::squeeze>({}, {x}, where);
}

//! @brief `x.squeeze(dim)`: removes `dim` if its size is 1; a view.
inline Tensor squeeze(Tensor const& x, std::int64_t dim,
                      source_location const& where = source_location::current()) {
  return ops::call1<ops::squeeze_dims>({{dim}}, {x}, where);
}

//! @brief `x.squeeze(dims)`: removes those of `dims` whose size is 1; a view.
inline Tensor squeeze(Tensor const& x, int_list dims,
                      source_location const& where = source_location::current()) {
  return ops::call1<ops::squeeze_dims>({detail::to_vector(dims)}, {x}, where);
}

//! @brief `x.unsqueeze(dim)`: inserts a dimension of size 1; a view.
inline Tensor unsqueeze(Tensor const& x, std::int64_t dim,
                        source_location const& where = source_location::current()) {
  return ops::call1<ops::unsqueeze>({dim}, {x}, where);
}

//! @brief `x.permute(dims)`: reorders the dimensions; a view.
inline Tensor permute(Tensor const& x, int_list dims,
                      source_location const& where = source_location::current()) {
  return ops::call1<ops::permute>({detail::to_vector(dims)}, {x}, where);
}

//! @brief `x.transpose(dim0, dim1)`: swaps two dimensions; a view.
inline Tensor transpose(Tensor const& x, std::int64_t dim0, std::int64_t dim1,
                        source_location const& where = source_location::current()) {
  return ops::call1<ops::transpose>({dim0, dim1}, {x}, where);
}

//! @brief `x.t()`: transposes a matrix (rank 0 and 1 unchanged); a view.
inline Tensor t(Tensor const& x, source_location const& where = source_location::current()) {
  return ops::call1<ops::t>({}, {x}, where);
}

//! @brief `x.expand(size)`: broadcasts without copying (-1 keeps a size); a view.
inline Tensor expand(Tensor const& x, ops::sym_list size,
                     source_location const& where = source_location::current()) {
  return ops::call1<ops::expand>({detail::to_vector(size)}, {x}, where);
}

//! @brief `x.contiguous()`: `x` itself when already contiguous, otherwise a copy.
inline Tensor contiguous(Tensor const& x,
                         source_location const& where = source_location::current()) {
  return ops::call1<ops::contiguous>({}, {x}, where);
}

//! @brief `x[start:end:step]` along `dim` with Python's clamping; a view. No `end` slices to
//! the end: `slice(y, 0, 1, {}, 2)` is `y[1::2]`.
//! @throws value_error for a step that is not positive.
inline Tensor slice(Tensor const& x, std::int64_t dim = 0, SymInt start = 0,
                    std::optional<SymInt> end = std::nullopt, SymInt step = 1,
                    source_location const& where = source_location::current()) {
  SymInt stop = end ? *std::move(end) : SymInt(std::numeric_limits<std::int64_t>::max());
  return ops::call1<ops::slice>({dim, std::move(start), std::move(stop), std::move(step)}, {x},
                                where);
}

//! @brief `x.select(dim, index)`: the sub-tensor at `index`, `dim` removed; a view.
//! @throws index_error when `index` is out of range.
inline Tensor select(Tensor const& x, std::int64_t dim, SymInt index,
                     source_location const& where = source_location::current()) {
  return ops::call1<ops::select>({dim, std::move(index)}, {x}, where);
}

//! @brief `x.narrow(dim, start, length)`: `length` elements from `start`; a view.
//! @throws index_error when the range leaves the dimension.
inline Tensor narrow(Tensor const& x, std::int64_t dim, SymInt start, SymInt length,
                     source_location const& where = source_location::current()) {
  return ops::call1<ops::narrow>({dim, std::move(start), std::move(length)}, {x}, where);
}

//! @brief `torch.cat(tensors, dim)`: joins along `dim`, promoting dtypes; 1-D empty
//! tensors are skipped (PyTorch's legacy rule). A new tensor.
//! @throws shape_error "Sizes of tensors must match except in dimension 1. Expected size
//! 2 but got size 3 for tensor number 1 in the list."
inline Tensor cat(std::span<Tensor const> tensors, std::int64_t dim = 0,
                  source_location const& where = source_location::current()) {
  return std::move(ops::call<ops::cat>({dim}, tensors, where).front());
}
//! @brief `cat` of a braced list: `xport::cat({a, b}, 1)`.
inline Tensor cat(std::initializer_list<Tensor> tensors, std::int64_t dim = 0,
                  source_location const& where = source_location::current()) {
  return cat(std::span<Tensor const>(tensors.begin(), tensors.size()), dim, where);
}

//! @brief `torch.stack(tensors, dim)`: joins equal-sized tensors along a new dimension.
//! @throws shape_error naming the first two different sizes.
inline Tensor stack(std::span<Tensor const> tensors, std::int64_t dim = 0,
                    source_location const& where = source_location::current()) {
  return std::move(ops::call<ops::stack>({dim}, tensors, where).front());
}
//! @brief `stack` of a braced list: `xport::stack({a, b})`.
inline Tensor stack(std::initializer_list<Tensor> tensors, std::int64_t dim = 0,
                    source_location const& where = source_location::current()) {
  return stack(std::span<Tensor const>(tensors.begin(), tensors.size()), dim, where);
}

//! @brief `x.split(split_size, dim)`: pieces of `split_size` (the last may be smaller);
//! views.
//! @throws value_error for a negative size, or 0 on a non-empty dimension.
inline std::vector<Tensor> split(Tensor const& x, SymInt split_size, std::int64_t dim = 0,
                                 source_location const& where = source_location::current()) {
  Tensor const inputs[] = {x};
  return detail::to_vector(ops::call<ops::split>({std::move(split_size), dim}, inputs, where));
}

//! @brief `x.split(split_sizes, dim)` (`split_with_sizes`): pieces of the given sizes,
//! which must sum to the dimension; views.
//! @throws shape_error when the sizes do not sum to the dimension's size.
inline std::vector<Tensor> split(Tensor const& x, ops::sym_list split_sizes, std::int64_t dim = 0,
                                 source_location const& where = source_location::current()) {
  Tensor const inputs[] = {x};
  return detail::to_vector(
      ops::call<ops::split_with_sizes>({detail::to_vector(split_sizes), dim}, inputs, where));
}

//! @brief `x.chunk(chunks, dim)`: at most `chunks` pieces of `ceil(size / chunks)`;
//! views.
//! @throws value_error when `chunks` is not positive.
inline std::vector<Tensor> chunk(Tensor const& x, std::int64_t chunks, std::int64_t dim = 0,
                                 source_location const& where = source_location::current()) {
  Tensor const inputs[] = {x};
  return detail::to_vector(ops::call<ops::chunk>({chunks, dim}, inputs, where));
}

//! @brief `x.repeat(repeats)`: tiles `x` (`repeats` may add leading dimensions). A new
//! tensor.
inline Tensor repeat(Tensor const& x, ops::sym_list repeats,
                     source_location const& where = source_location::current()) {
  return ops::call1<ops::repeat>({detail::to_vector(repeats)}, {x}, where);
}

//! @brief `torch.flip(x, dims)`: reverses the order along `dims`. A new tensor.
inline Tensor flip(Tensor const& x, int_list dims,
                   source_location const& where = source_location::current()) {
  return ops::call1<ops::flip>({detail::to_vector(dims)}, {x}, where);
}

//! @brief `torch.nn.functional.pad(x, pad, mode, value)`: `pad` lists (before, after)
//! pairs from the last dimension backwards; negative pads crop. `mode` is "constant"
//! (filled with `value`, default 0), "reflect", "replicate" or "circular".
//! @throws shape_error for an odd or too long `pad`, a negative result size, or a
//! reflect pad not smaller than its dimension; value_error for an unknown mode.
inline Tensor pad(Tensor const& x, ops::sym_list pad, std::string mode = "constant",
                  std::optional<double> value = std::nullopt,
                  source_location const& where = source_location::current()) {
  return ops::call1<ops::pad>({detail::to_vector(pad), std::move(mode), value}, {x}, where);
}

//! @brief `torch.tril(x, diagonal)`: zeroes the elements above the `diagonal`-th
//! diagonal of the last two dimensions. A new tensor.
inline Tensor tril(Tensor const& x, std::int64_t diagonal = 0,
                   source_location const& where = source_location::current()) {
  return ops::call1<ops::tril>({diagonal}, {x}, where);
}

//! @brief `torch.triu(x, diagonal)`: zeroes the elements below the `diagonal`-th
//! diagonal of the last two dimensions. A new tensor.
inline Tensor triu(Tensor const& x, std::int64_t diagonal = 0,
                   source_location const& where = source_location::current()) {
  return ops::call1<ops::triu>({diagonal}, {x}, where);
}

//! @brief `torch.slice_scatter(self, src, dim, start, end, step)`: a copy of `self`
//! whose slice `[start:end:step]` along `dim` holds `src`, as `slice` bounds it (no
//! `end`: to the end). A new tensor; export records `slice(buf, ...).copy_(src)` on a
//! buffer or input as this op.
//! @throws shape_error when `src`'s sizes are not the slice's.
inline Tensor slice_scatter(Tensor const& self, Tensor const& src, std::int64_t dim = 0,
                            SymInt start = 0, std::optional<SymInt> end = std::nullopt,
                            SymInt step = 1,
                            source_location const& where = source_location::current()) {
  SymInt stop = end ? *std::move(end) : SymInt(std::numeric_limits<std::int64_t>::max());
  return ops::call1<ops::slice_scatter>({dim, std::move(start), std::move(stop), std::move(step)},
                                        {self, src}, where);
}

//! @brief `torch.select_scatter(self, src, dim, index)`: a copy of `self` whose
//! sub-tensor at `index` along `dim` holds `src`. A new tensor.
//! @throws shape_error when `src`'s sizes are not the selection's; index_error when
//! `index` is out of range.
inline Tensor select_scatter(Tensor const& self, Tensor const& src, std::int64_t dim, SymInt index,
                             source_location const& where = source_location::current()) {
  return ops::call1<ops::select_scatter>({dim, std::move(index)}, {self, src}, where);
}

} // namespace xport
