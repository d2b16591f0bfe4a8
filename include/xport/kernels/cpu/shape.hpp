//! @file
//! CPU kernels of the view-making shape ops (ops/shape.hpp): each returns a view of its
//! input made by `Tensor`'s own view methods, with the sizes the meta rule resolved.
#pragma once

#include <xport/kernels/eager.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/ops/shape.hpp>

#include <cstdint>
#include <span>

namespace xport {

namespace detail {

// One output: `in[0]` viewed with the sizes its meta rule computed.
template <class Op>
struct resized_view_kernel {
  static ops::tensor_list compute(typename Op::attributes const&, std::span<Tensor const> in,
                                  ops::meta_list const& metas) {
    return {in[0].view(metas[0].concrete_sizes())};
  }
};

} // namespace detail

//! @brief `view` on CPU: a view, or shape_error when the strides do not allow one.
template <>
struct kernel<ops::view, cpu_t> : detail::resized_view_kernel<ops::view> {};
//! @brief `unflatten` on CPU: always a view (one dimension splits).
template <>
struct kernel<ops::unflatten, cpu_t> : detail::resized_view_kernel<ops::unflatten> {};
//! @brief `squeeze` on CPU: a view.
template <>
struct kernel<ops::squeeze, cpu_t> : detail::resized_view_kernel<ops::squeeze> {};
//! @brief `squeeze.dims` on CPU: a view.
template <>
struct kernel<ops::squeeze_dims, cpu_t> : detail::resized_view_kernel<ops::squeeze_dims> {};

//! @brief `reshape` on CPU: a view when the strides allow, a copy otherwise.
template <>
struct kernel<ops::reshape, cpu_t> {
  //! @brief `in[0].reshape(sizes)`.
  static ops::tensor_list compute(ops::reshape::attributes const&, std::span<Tensor const> in,
                                  ops::meta_list const& metas) {
    return {in[0].reshape(metas[0].concrete_sizes())};
  }
};

//! @brief `flatten` on CPU: a view when the strides allow, a copy otherwise.
template <>
struct kernel<ops::flatten, cpu_t> {
  //! @brief `in[0].flatten(start, end)`.
  static ops::tensor_list compute(ops::flatten::attributes const& a, std::span<Tensor const> in,
                                  ops::meta_list const&) {
    return {in[0].flatten(a.start_dim, a.end_dim)};
  }
};

//! @brief `unsqueeze` on CPU: a view.
template <>
struct kernel<ops::unsqueeze, cpu_t> {
  //! @brief `in[0].unsqueeze(dim)`.
  static ops::tensor_list compute(ops::unsqueeze::attributes const& a, std::span<Tensor const> in,
                                  ops::meta_list const&) {
    return {in[0].unsqueeze(a.dim)};
  }
};

//! @brief `permute` on CPU: a view.
template <>
struct kernel<ops::permute, cpu_t> {
  //! @brief `in[0].permute(dims)`.
  static ops::tensor_list compute(ops::permute::attributes const& a, std::span<Tensor const> in,
                                  ops::meta_list const&) {
    return {in[0].permute(a.dims)};
  }
};

//! @brief `transpose.int` on CPU: a view.
template <>
struct kernel<ops::transpose, cpu_t> {
  //! @brief `in[0].transpose(dim0, dim1)` (a 0-dim input is returned as a view of itself).
  static ops::tensor_list compute(ops::transpose::attributes const& a, std::span<Tensor const> in,
                                  ops::meta_list const&) {
    if (in[0].dim() == 0) return {in[0].view({})};
    return {in[0].transpose(a.dim0, a.dim1)};
  }
};

//! @brief `t` on CPU: a view.
template <>
struct kernel<ops::t, cpu_t> {
  //! @brief `in[0].t()`.
  static ops::tensor_list compute(ops::t::attributes const&, std::span<Tensor const> in,
                                  ops::meta_list const&) {
    return {in[0].t()};
  }
};

//! @brief `expand` on CPU: a view with stride 0 on broadcast dimensions.
template <>
struct kernel<ops::expand, cpu_t> {
  //! @brief `in[0].expand(sizes)` with -1 resolved by the meta rule.
  static ops::tensor_list compute(ops::expand::attributes const&, std::span<Tensor const> in,
                                  ops::meta_list const& metas) {
    return {in[0].expand(metas[0].concrete_sizes())};
  }
};

//! @brief `contiguous` on CPU: the input itself when contiguous, otherwise a copy.
template <>
struct kernel<ops::contiguous, cpu_t> {
  //! @brief `in[0].contiguous()`.
  static ops::tensor_list compute(ops::contiguous::attributes const&, std::span<Tensor const> in,
                                  ops::meta_list const&) {
    return {in[0].contiguous()};
  }
};

//! @brief `slice.Tensor` on CPU: a view.
template <>
struct kernel<ops::slice, cpu_t> {
  //! @brief `in[0].slice(dim, start, end, step)` (the bounds are concrete in eager calls).
  static ops::tensor_list compute(ops::slice::attributes const& a, std::span<Tensor const> in,
                                  ops::meta_list const&) {
    return {in[0].slice(a.dim, a.start.expect_int(), a.end.expect_int(), a.step.expect_int())};
  }
};

//! @brief `select.int` on CPU: a view.
template <>
struct kernel<ops::select, cpu_t> {
  //! @brief `in[0].select(dim, index)`.
  static ops::tensor_list compute(ops::select::attributes const& a, std::span<Tensor const> in,
                                  ops::meta_list const&) {
    return {in[0].select(a.dim, a.index.expect_int())};
  }
};

//! @brief `narrow` on CPU: a view.
template <>
struct kernel<ops::narrow, cpu_t> {
  //! @brief `in[0].narrow(dim, start, length)`.
  static ops::tensor_list compute(ops::narrow::attributes const& a, std::span<Tensor const> in,
                                  ops::meta_list const&) {
    return {in[0].narrow(a.dim, a.start.expect_int(), a.length.expect_int())};
  }
};

} // namespace xport
