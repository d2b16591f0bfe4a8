//! @file
//! Control flow, PyTorch's higher-order ops: `xport::cond` (`torch.cond`: one of two
//! functions, chosen by a predicate), `xport::while_loop` (`torch.while_loop`: a loop over
//! carried values) and `xport::map` (`control_flow.map`: a function over the leading dim).
//!
//! Eagerly each runs its functions as plain C++ — through the op's own `run`, so eager
//! calls and exported programs loop, pick and stack the same way. While a program is
//! being exported, the functions are handed to the tracer, which traces each into a
//! sub-graph of one node (`<xport/ops/control_flow.hpp>`).
#pragma once

#include <xport/api/call.hpp>
#include <xport/core/source_location.hpp>
#include <xport/core/sym_int.hpp>
#include <xport/core/tensor.hpp>
#include <xport/ops/control_flow.hpp>
#include <xport/sym/sym_node.hpp>

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

// What a function of a higher-order op may return, and how it travels as a tensor list.
template <class R>
struct tensors_result : std::false_type {};

template <>
struct tensors_result<Tensor> : std::true_type {
  static ops::tensor_list to_list(Tensor t) { return {std::move(t)}; }
  static Tensor from_list(ops::tensor_list const& list) { return list.at(0); }
};

template <>
struct tensors_result<std::vector<Tensor>> : std::true_type {
  static ops::tensor_list to_list(std::vector<Tensor> const& v) {
    return ops::tensor_list(v.begin(), v.end());
  }
  static std::vector<Tensor> from_list(ops::tensor_list const& list) {
    return std::vector<Tensor>(list.begin(), list.end());
  }
};

template <class... T>
requires(std::same_as<T, Tensor>&&...) struct tensors_result<std::tuple<T...>> : std::true_type {
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

// `fn` called on the first N tensors of a list, its result as a list.
template <std::size_t N, class Fn>
ops::subgraph_function as_subgraph(Fn& fn) {
  return [&fn](std::span<Tensor const> in) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      using R = std::remove_cvref_t<decltype(fn(in[I]...))>;
      return tensors_result<R>::to_list(fn(in[I]...));
    }
    (std::make_index_sequence<N>{});
  };
}

template <class... T>
std::array<Tensor, sizeof...(T)> tensor_array(std::tuple<T...> const& t) {
  return std::apply([](auto const&... x) { return std::array<Tensor, sizeof...(T)>{x...}; }, t);
}

// Runs the higher-order op `Op` with `attributes` on `inputs`: recorded by the active
// interceptor (the tracer), or run eagerly through the op's own `run` with `functions`
// standing for its sub-graphs.
template <ops::higher_order_op Op>
ops::tensor_list
call_higher_order(typename Op::attributes attributes, std::span<Tensor const> inputs,
                  std::span<ops::subgraph_function const> functions, source_location const& where) {
  if (ops::op_interceptor* interceptor = ops::active_interceptor()) {
    return interceptor->intercept_higher_order(
        {ops::boxed_attributes::of<Op>(std::move(attributes)), inputs, functions}, where);
  }
  return Op::run(attributes, inputs,
                 [&](std::size_t i, std::span<Tensor const> args) { return functions[i](args); });
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
//! Eagerly only the chosen function runs. While exporting, a `bool` or a `SymBool` that
//! the known ranges decide picks one function, as in eager code; a predicate tensor or an
//! undecided `SymBool` is recorded as a `higher_order::cond` node with both branches as
//! sub-graphs (`true_graph_0`, `false_graph_0`), and the program decides on each call.
//! @snippet tests/export/cond_models.hpp signed
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
  static_assert(detail::tensors_result<R>::value,
                "xport::cond: a branch must return a Tensor, a std::tuple of Tensors or a "
                "std::vector<Tensor>");
  auto pick = [&](bool value) -> R {
    return value ? std::apply(true_fn, operands) : std::apply(false_fn, operands);
  };
  if constexpr (std::same_as<P, bool>) {
    return pick(pred);
  } else {
    ops::op_interceptor* const interceptor = ops::active_interceptor();
    if constexpr (std::same_as<P, SymBool>) {
      if (interceptor == nullptr) return pick(pred.guard(where));
      if (auto const known = interceptor->decide(pred)) return pick(*known);
    } else {
      if (interceptor == nullptr) return pick(ops::cond::holds(pred));
    }
    ops::cond::attributes attributes;
    std::array<Tensor, sizeof...(Operands) + 1> inputs;
    if constexpr (std::same_as<P, SymBool>) {
      std::optional<sym::relation_parts> const parts = sym::parts_of(pred);
      if (!parts) throw value_error("cond: the predicate is not a relation of sizes of this trace");
      attributes = {parts->lhs, ops::comparison_of(parts->op), parts->rhs};
    } else {
      inputs[0] = pred;
    }
    std::array<Tensor, sizeof...(Operands)> const given = detail::tensor_array(operands);
    std::copy(given.begin(), given.end(), inputs.begin() + 1);
    std::array<ops::subgraph_function, 2> const functions = {
        detail::as_subgraph<sizeof...(Operands)>(true_fn),
        detail::as_subgraph<sizeof...(Operands)>(false_fn)};
    return detail::tensors_result<R>::from_list(
        detail::call_higher_order<ops::cond>(std::move(attributes), inputs, functions, where));
  }
}

//! @brief `cond` with one operand: `xport::cond(pred, true_fn, false_fn, x)`.
template <cond_predicate P, class TrueFn, class FalseFn>
auto cond(P const& pred, TrueFn&& true_fn, FalseFn&& false_fn, Tensor const& operand,
          source_location const& where = source_location::current()) {
  return xport::cond(pred, std::forward<TrueFn>(true_fn), std::forward<FalseFn>(false_fn),
                     std::tuple<Tensor>(operand), where);
}

//! @brief `while (cond_fn(carried...)) carried = body_fn(carried...)`: PyTorch's
//! `torch.while_loop(cond_fn, body_fn, carried_inputs)`; returns the last carried values.
//!
//! `cond_fn` takes the carried tensors and returns a 0-dim bool `Tensor`; `body_fn`
//! takes them and returns their next values, as a `std::tuple` of as many tensors (a
//! `Tensor` when one is carried) with the same dtypes, devices and sizes. Both may read
//! other tensors (parameters, tensors of the caller), which export passes as additional
//! inputs; neither may mutate a tensor it did not create.
//!
//! Eagerly the loop runs in C++. While exporting it is recorded as one
//! `higher_order::while_loop` node with the two functions as sub-graphs
//! (`while_loop_cond_graph_0`, `while_loop_body_graph_0`); the program loops on each call,
//! so the number of iterations may depend on the inputs.
//! @snippet tests/export/loop_models.hpp while_loop
//! @throws dtype_error or shape_error when `cond_fn` does not return a boolean scalar;
//! value_error, dtype_error, device_error or shape_error in PyTorch's words ("Expected
//! body_fn_output and carried_inputs to have same metadata but found: ...") when
//! `body_fn` changes a carried value's metadata; while exporting, unsupported_error as
//! for `cond`.
template <class CondFn, class BodyFn, class... Carried>
requires(sizeof...(Carried) >= 1 && (std::same_as<Carried, Tensor> && ...))
    std::tuple<Carried...> while_loop(CondFn&& cond_fn, BodyFn&& body_fn,
                                      std::tuple<Carried...> const& carried,
                                      source_location const& where = source_location::current()) {
  constexpr std::size_t n = sizeof...(Carried);
  static_assert(
      std::is_same_v<std::remove_cvref_t<std::invoke_result_t<CondFn&, Carried const&...>>, Tensor>,
      "xport::while_loop: cond_fn must return a Tensor (a 0-dim bool tensor)");
  using B = std::remove_cvref_t<std::invoke_result_t<BodyFn&, Carried const&...>>;
  static_assert(std::is_same_v<B, std::tuple<Carried...>> || (n == 1 && std::is_same_v<B, Tensor>),
                "xport::while_loop: body_fn must return as many Tensors as are carried (a "
                "std::tuple, or a Tensor when one is carried)");
  std::array<Tensor, n> const inputs = detail::tensor_array(carried);
  ops::subgraph_function const body = detail::as_subgraph<n>(body_fn);
  std::array<ops::subgraph_function, 2> functions = {detail::as_subgraph<n>(cond_fn), body};
  if (ops::active_interceptor() == nullptr) {
    // Eagerly, each step's values are checked as tracing checks the body's outputs.
    functions[1] = [&](std::span<Tensor const> in) {
      ops::tensor_list next = body(in);
      ops::meta_list before, after;
      for (std::size_t k = 0; k < n; ++k)
        before.push_back(ops::tensor_meta::of(in[k]));
      for (Tensor const& t : next)
        after.push_back(ops::tensor_meta::of(t));
      ops::expect_same_metadata("while_loop", "body_fn_output", after, "carried_inputs", before);
      return next;
    };
    functions[0] = [&, condition = functions[0]](std::span<Tensor const> in) {
      ops::tensor_list c = condition(in);
      ops::meta_list metas{ops::tensor_meta::of(c.at(0))};
      ops::while_loop::expect_condition(metas);
      return c;
    };
  }
  ops::tensor_list const out = detail::call_higher_order<ops::while_loop>(
      {static_cast<std::int64_t>(n)}, inputs, functions, where);
  return detail::tensors_result<std::tuple<Carried...>>::from_list(out);
}

//! @brief `while_loop` carrying one tensor: returns its last value.
template <class CondFn, class BodyFn>
Tensor while_loop(CondFn&& cond_fn, BodyFn&& body_fn, Tensor const& carried,
                  source_location const& where = source_location::current()) {
  return std::get<0>(xport::while_loop(std::forward<CondFn>(cond_fn), std::forward<BodyFn>(body_fn),
                                       std::tuple<Tensor>(carried), where));
}

//! @brief `f` on every slice of `xs` along dim 0, the results stacked along a new dim 0:
//! PyTorch's `control_flow.map(f, xs, *args)`.
//!
//! `xs` is a `Tensor` or a `std::tuple` of them, all of the same (nonzero) size in dim 0;
//! `f` takes one slice of each (`xs[i]`), then the tensors of `args` whole, and returns a
//! `Tensor`, a `std::tuple` or a `std::vector` of them, each of the same sizes for every
//! slice. `f` may also read other tensors (parameters, captured values), which export
//! passes as further arguments.
//!
//! Eagerly `f` runs once per slice. While exporting it is traced once, on a slice with
//! symbolic sizes, into the sub-graph of one `higher_order::map_impl` node
//! (`body_graph_0`); the mapped size may be dynamic.
//! @snippet tests/export/loop_models.hpp map
//! @throws value_error "Leading dimensions of mapped xs must be consistent. Got shapes
//! [...]." or "... cannot be 0.", and for a 0-dim `xs`; shape_error when two slices give
//! outputs of different sizes; while exporting, unsupported_error as for `cond`.
template <class F, class... Xs, class... Args>
requires(sizeof...(Xs) >= 1 && (std::same_as<Xs, Tensor> && ...)
         && (std::same_as<Args, Tensor> && ...)) auto map(F&& f, std::tuple<Xs...> const& xs,
                                                          std::tuple<Args...> const& args,
                                                          source_location const& where =
                                                              source_location::current()) {
  constexpr std::size_t n = sizeof...(Xs) + sizeof...(Args);
  using R = std::remove_cvref_t<std::invoke_result_t<F&, Xs const&..., Args const&...>>;
  static_assert(detail::tensors_result<R>::value,
                "xport::map: f must return a Tensor, a std::tuple of Tensors or a "
                "std::vector<Tensor>");
  std::array<Tensor, n> inputs;
  std::array<Tensor, sizeof...(Xs)> const mapped = detail::tensor_array(xs);
  std::array<Tensor, sizeof...(Args)> const whole = detail::tensor_array(args);
  std::copy(mapped.begin(), mapped.end(), inputs.begin());
  std::copy(whole.begin(), whole.end(), inputs.begin() + sizeof...(Xs));
  std::array<ops::subgraph_function, 1> const functions = {detail::as_subgraph<n>(f)};
  return detail::tensors_result<R>::from_list(detail::call_higher_order<ops::map_impl>(
      {static_cast<std::int64_t>(sizeof...(Xs))}, inputs, functions, where));
}

//! @brief `map` over the slices of `xs` alone: `xport::map(f, std::tuple(a, b))`.
template <class F, class... Xs>
requires(sizeof...(Xs) >= 1 && (std::same_as<Xs, Tensor> && ...)) auto map(
    F&& f, std::tuple<Xs...> const& xs, source_location const& where = source_location::current()) {
  return xport::map(std::forward<F>(f), xs, std::tuple<>{}, where);
}

//! @brief `map` over one tensor: `xport::map(f, xs)`.
template <class F>
auto map(F&& f, Tensor const& xs, source_location const& where = source_location::current()) {
  return xport::map(std::forward<F>(f), std::tuple<Tensor>(xs), std::tuple<>{}, where);
}

} // namespace xport
