//! @file
//! Pytrees: `flatten` a nested C++ value into leaves and a `tree_spec`, `unflatten` it back,
//! check a value against a spec (`flatten_like`), and map over leaves (`tree_map`).
#pragma once

#include <xport/trace/detail/pytree_codec.hpp>
#include <xport/trace/pytree_traits.hpp>

#include <string_view>
#include <vector>

namespace xport {

//! @brief The leaves of `value` in PyTorch's order, and its `tree_spec`.
//!
//! Leaves are collected depth first, children in order: tuple, pair, array and vector
//! elements by position; `std::map` entries in the map's (sorted) key order, where Python
//! would keep a dict's insertion order, since `std::map` has no other; struct fields in
//! declaration order. An empty `std::optional` is a None node with no leaves; an engaged
//! one is its value. Integers become `int64` leaves and floating-point numbers `double`.
//! @code
//! auto [leaves, spec] = xport::flatten(std::tuple{x, std::map<std::string, int>{{"b", 2}, {"a",
//! 1}}});
//! // leaves: x, 1, 2    spec.pretty(): (*, {'a': *, 'b': *})
//! @endcode
//! @param value the value to flatten.
//! @param root names the value in error messages.
//! @throws value_error when an unsigned integer does not fit in int64.
template <class T>
flat_tree flatten(T const& value, std::string_view root = "tree") {
  static_assert(detail::check_pytree<T>);
  flat_tree result;
  detail::path_link const at{nullptr, detail::path_link::step::root, 0, root};
  result.spec = detail::traits<T>::flatten(value, at, result.leaves);
  return result;
}

//! @brief The leaves of `value` in the order `spec` gives them, after checking that
//! `value` has `spec`'s structure (PyTorch's `flatten_up_to`, used to check the inputs of
//! an exported program against its `in_spec`).
//!
//! Kinds must match (a vector or array is a list, a tuple or pair is a tuple, a map is a
//! dict, a reflected struct is a dataclass of the same type name and fields); lengths
//! must be equal; a dict matches keys in any order, and its leaves follow the spec's
//! order. A leaf spec accepts a leaf value or None.
//! @code
//! xport::flatten_like(std::tuple{std::vector{x, y}}, tuple_spec({tuple_spec({leaf_spec(),
//! leaf_spec()})}), "inputs");
//! // throws structure_error: "inputs[0] is a vector, but the spec has a tuple"
//! @endcode
//! @param value the value to check and flatten.
//! @param spec the structure `value` must have.
//! @param root names the value in error messages (`"inputs"` gives `inputs[0]['k']`).
//! @throws structure_error naming the path and both kinds, lengths, keys or fields.
template <class T>
std::vector<leaf> flatten_like(T const& value, tree_spec const& spec,
                               std::string_view root = "tree") {
  static_assert(detail::check_pytree<T>);
  std::vector<leaf> leaves;
  leaves.reserve(spec.num_leaves());
  detail::path_link const at{nullptr, detail::path_link::step::root, 0, root};
  detail::traits<T>::flatten_like(value, spec, at, leaves);
  return leaves;
}

namespace detail {
template <class T>
T unflatten_checked(std::vector<leaf>& leaves, tree_spec const& spec, std::string_view root) {
  path_link const at{nullptr, path_link::step::root, 0, root};
  if (leaves.size() != spec.num_leaves()) {
    throw structure_error(
        at.render(), "unflatten: `leaves` has length " + std::to_string(leaves.size())
                         + " but the spec refers to a pytree that holds "
                         + std::to_string(spec.num_leaves()) + " items (" + spec.pretty() + ")");
  }
  leaf_source in{leaves};
  return traits<T>::unflatten(in, spec, at);
}
} // namespace detail

//! @brief Rebuilds a `T` from `leaves` (in leaf order) and `spec`, the inverse of
//! `flatten`: `unflatten<T>(flatten(v).leaves, flatten(v).spec)` equals `v`.
//!
//! The spec must have `T`'s structure (as in `flatten_like`, except that a vector takes a
//! list of any length and a map takes the spec's keys). A `None` spec or a `None` leaf
//! makes an empty `std::optional`. An int leaf fills any integer type it fits, a float
//! leaf `float` or `double`; otherwise a leaf's kind must be the target's.
//! @param leaves one leaf per leaf of `spec`, in leaf order.
//! @param spec the structure to rebuild.
//! @param root names the value in error messages.
//! @throws structure_error when the leaf count differs from `spec.num_leaves()`, or a
//! node or leaf does not match (the message names the path and both kinds).
template <class T>
T unflatten(std::vector<leaf> leaves, tree_spec const& spec, std::string_view root = "tree") {
  static_assert(detail::check_pytree<T>);
  return detail::unflatten_checked<std::remove_const_t<T>>(leaves, spec, root);
}

//! @brief Rebuilds any spec as a `tree_value`: the untyped form, for values whose C++
//! type is not known when the program is compiled (a loaded program's outputs).
//! `unflatten({1, 2}, tuple_spec({leaf_spec(), leaf_spec()})).repr() == "(1, 2)"`.
//! @throws structure_error when the leaf count differs from `spec.num_leaves()`.
inline tree_value unflatten(std::vector<leaf> leaves, tree_spec const& spec,
                            std::string_view root = "tree") {
  return detail::unflatten_checked<tree_value>(leaves, spec, root);
}

//! @brief `tree` with `f` applied to every leaf, structure kept (PyTorch's `tree_map`):
//! `tree_map([](leaf const& l) { return l; }, v)` is a copy of `v`.
//! @param f called as `f(leaf const&)`; its result must convert to `leaf`.
//! @param tree the value to map over.
//! @throws structure_error when a result does not fit `T` where it lands (an int where
//! `T` holds a Tensor); use `tree_value` as `T` for results of any kind.
template <class T, class F>
requires std::invocable<F&, leaf const&> && std::convertible_to<
    std::invoke_result_t<F&, leaf const&>, leaf>
    T tree_map(F&& f, T const& tree) {
  auto [leaves, spec] = flatten(tree);
  for (leaf& l : leaves)
    l = leaf(std::invoke(f, std::as_const(l)));
  return unflatten<T>(std::move(leaves), spec);
}

//! @brief `tree` with `f` applied to every leaf that holds an `Only` (PyTorch's
//! `tree_map_only`), other leaves kept:
//! `tree_map_only<Tensor>([](Tensor const& t) { return t.clone(); }, inputs)`.
//! @tparam Only one of `Tensor`, `std::int64_t`, `double`, `bool`, `std::string`.
//! @throws structure_error when a result does not fit `T` where it lands.
template <class Only, class T, class F>
requires(
    std::same_as<
        Only,
        Tensor> || std::same_as<Only, std::int64_t> || std::same_as<Only, double> || std::same_as<Only, bool> || std::same_as<Only, std::string>)
    && std::invocable<F&, Only const&>&& std::convertible_to<std::invoke_result_t<F&, Only const&>,
                                                             leaf> T
    tree_map_only(F&& f, T const& tree) {
  auto [leaves, spec] = flatten(tree);
  for (leaf& l : leaves)
    if (auto const* value = std::get_if<Only>(&l)) l = leaf(std::invoke(f, *value));
  return unflatten<T>(std::move(leaves), spec);
}

} // namespace xport
