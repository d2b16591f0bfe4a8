//! @file
//! `xport::cond`, PyTorch's `torch.cond`: run one of two functions on the same operands,
//! chosen by a predicate. Eagerly it calls the chosen function; while a program is being
//! exported, both are traced into the sub-graphs of one `higher_order::cond` node and
//! the choice is made each time the program runs.
#pragma once

#include <xport/api/call.hpp>
#include <xport/core/source_location.hpp>
#include <xport/core/sym_int.hpp>
#include <xport/core/tensor.hpp>
#include <xport/ops/control_flow.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <functional>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace xport {

//! @cond
namespace detail {

// What a branch may return, and how it travels as a tensor list.
template <class R>
struct branch_result : std::false_type {};

template <>
struct branch_result<Tensor> : std::true_type {
  static ops::tensor_list to_list(Tensor t) { return {std::move(t)}; }
  static Tensor from_list(ops::tensor_list const& list) { return list.at(0); }
};

template <>
struct branch_result<std::vector<Tensor>> : std::true_type {
  static ops::tensor_list to_list(std::vector<Tensor> const& v) {
    return ops::tensor_list(v.begin(), v.end());
  }
  static std::vector<Tensor> from_list(ops::tensor_list const& list) {
    return std::vector<Tensor>(list.begin(), list.end());
  }
};

template <class... T>
requires(std::same_as<T, Tensor>&&...) struct branch_result<std::tuple<T...>> : std::true_type {
  static ops::tensor_list to_list(std::tuple<T...> const& t) {
    return std::apply([](auto const&... x) { return ops::tensor_list{x...}; }, t);
  }
  static std::tuple<T...> from_list(ops::tensor_list const& list) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return std::tuple<T...>(list.at(I)...);
    }
    (std::index_sequence_for<T...>{});
  }
};

template <class Fn, std::size_t N>
ops::branch_function as_branch(Fn& fn) {
  return [&fn](std::span<Tensor const> in) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      using R = std::remove_cvref_t<decltype(fn(in[I]...))>;
      return branch_result<R>::to_list(fn(in[I]...));
    }
    (std::make_index_sequence<N>{});
  };
}

} // namespace detail
//! @endcond

//! @brief The predicate of `xport::cond`: a `bool`, a `SymBool` (a relation of sizes,
//! `x.sym_size(0) > 4`) or a one-element `Tensor` (`x.sum() > 0`).
template <class P>
concept cond_predicate =
    std::same_as<P, bool> || std::same_as<P, SymBool> || std::convertible_to<P, Tensor const&>;

//! @brief `true_fn(operands...)` if `pred` holds, else `false_fn(operands...)`: PyTorch's
//! `torch.cond(pred, true_fn, false_fn, operands)`.
//!
//! Both functions take the operands (`Tensor`s) and return the same type: a `Tensor`, a
//! `std::tuple` of them or a `std::vector<Tensor>`. They may read other tensors (a
//! module's parameters, tensors of the caller), which export passes to the branches as
//! extra operands; they must not mutate any tensor they did not create.
//!
//! The cond node's attributes say which predicate it has; its two sub-graphs are
//! `graph::node::subgraphs` (see `<xport/ops/control_flow.hpp>`).
//!
//! Eagerly only the chosen function runs. While exporting, a `bool` or a `SymBool` that
//! the known ranges decide picks one function, as in eager code; a predicate tensor or an
//! undecided `SymBool` is recorded as a `higher_order::cond` node with both branches as
//! sub-graphs (`true_graph_0`, `false_graph_0`), and the program decides on each call.
//! @code
//! Tensor y = xport::cond(x.sum() > 0, [](Tensor const& v) { return v.cos(); },
//!                        [](Tensor const& v) { return v.sin(); }, std::tuple(x));
//! @endcode
//! @throws shape_error when a predicate tensor does not have exactly one element; while
//! exporting, value_error, dtype_error, device_error or shape_error when the branches
//! return different numbers or metadata of tensors, unsupported_error when a branch
//! mutates an operand, returns a tensor whose size it computed from data, or calls
//! `xport::check`.
template <cond_predicate P, class TrueFn, class FalseFn, class... Operands>
requires(std::same_as<Operands, Tensor>&&...) auto cond(
    P const& pred, TrueFn&& true_fn, FalseFn&& false_fn, std::tuple<Operands...> const& operands,
    source_location const& where = source_location::current()) {
  using R = std::remove_cvref_t<std::invoke_result_t<TrueFn&, Operands const&...>>;
  static_assert(
      std::is_same_v<R, std::remove_cvref_t<std::invoke_result_t<FalseFn&, Operands const&...>>>,
      "xport::cond: true_fn and false_fn must return the same type");
  static_assert(detail::branch_result<R>::value,
                "xport::cond: a branch must return a Tensor, a std::tuple of Tensors or a "
                "std::vector<Tensor>");
  auto pick = [&](bool value) -> R {
    return value ? std::apply(true_fn, operands) : std::apply(false_fn, operands);
  };
  if constexpr (std::same_as<P, bool>) {
    return pick(pred);
  } else {
    if constexpr (std::same_as<P, SymBool>) {
      if (auto const known = pred.maybe_bool()) return pick(*known);
    }
    ops::op_interceptor* const interceptor = ops::active_interceptor();
    if (interceptor == nullptr) {
      if constexpr (std::same_as<P, SymBool>)
        return pick(pred.guard(where));
      else
        return pick(ops::cond::holds(pred));
    }
    std::array<Tensor, sizeof...(Operands)> const inputs = std::apply(
        [](auto const&... t) { return std::array<Tensor, sizeof...(Operands)>{t...}; }, operands);
    ops::cond_call call{.pred = {},
                        .pred_relation = std::nullopt,
                        .true_fn = detail::as_branch<TrueFn, sizeof...(Operands)>(true_fn),
                        .false_fn = detail::as_branch<FalseFn, sizeof...(Operands)>(false_fn),
                        .operands = std::span<Tensor const>(inputs.data(), inputs.size())};
    if constexpr (std::same_as<P, SymBool>)
      call.pred_relation = pred;
    else
      call.pred = pred;
    return detail::branch_result<R>::from_list(interceptor->intercept_cond(call, where));
  }
}

//! @brief `cond` with one operand: `xport::cond(pred, true_fn, false_fn, x)`.
template <cond_predicate P, class TrueFn, class FalseFn>
auto cond(P const& pred, TrueFn&& true_fn, FalseFn&& false_fn, Tensor const& operand,
          source_location const& where = source_location::current()) {
  return xport::cond(pred, std::forward<TrueFn>(true_fn), std::forward<FalseFn>(false_fn),
                     std::tuple<Tensor>(operand), where);
}

} // namespace xport
