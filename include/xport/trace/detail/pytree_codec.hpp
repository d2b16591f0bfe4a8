//! @file
//! Internal: how each kind of C++ value flattens, checks against a spec and unflattens
//! (`detail::traits<T>`), with the key paths that errors name.
#pragma once

#include <xport/trace/pytree_traits.hpp>

namespace xport {

namespace detail {

// A path from the root to the node being visited, kept on the call stack so that no
// string is built unless an error needs one.
struct path_link {
  enum class step : std::uint8_t { root, index, key, attr };
  path_link const* parent = nullptr;
  step how = step::root;
  std::size_t index = 0;
  std::string_view name; // the root's name, a dict key or a field name

  path_link at_index(std::size_t i) const { return {this, step::index, i, {}}; }
  path_link at_key(std::string_view key) const { return {this, step::key, 0, key}; }
  path_link at_attr(std::string_view field) const { return {this, step::attr, 0, field}; }
  path_link at_child(tree_spec const& spec, std::size_t i) const {
    if (spec.kind() == node_kind::dict) return at_key(spec.keys()[i]);
    if (spec.kind() == node_kind::dataclass) return at_attr(spec.keys()[i]);
    return at_index(i);
  }

  std::string render() const {
    std::string out = parent ? parent->render() : std::string();
    switch (how) {
    case step::root:
      return out.append(name);
    case step::index:
      return out + '[' + std::to_string(index) + ']';
    case step::key:
      return out + '[' + python_repr(name) + ']';
    case step::attr:
      return out + '.' + std::string(name);
    }
    return out;
  }
};

// "an int", "a vector", "None", "a struct geo::Point".
inline std::string with_article(std::string_view kind) {
  if (kind == "None") return "None";
  char const c = kind.empty() ? 'x' : kind.front();
  bool const vowel = c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
  return (vowel ? "an " : "a ") + std::string(kind);
}

inline std::string spec_phrase(tree_spec const& spec) {
  if (spec.kind() == node_kind::dataclass) return "a struct " + spec.type_name();
  return with_article(kind_name(spec.kind()));
}

[[noreturn]] inline void throw_kind_mismatch(path_link const& at, std::string const& actual,
                                             tree_spec const& spec) {
  std::string path = at.render();
  std::string message = path + " is " + actual + ", but the spec has " + spec_phrase(spec);
  throw structure_error(std::move(path), message);
}

[[noreturn]] inline void throw_length_mismatch(path_link const& at, std::string const& actual,
                                               std::size_t length, tree_spec const& spec) {
  std::string path = at.render();
  std::string message = path + " is " + actual + " of length " + std::to_string(length)
                        + ", but the spec has " + spec_phrase(spec) + " of length "
                        + std::to_string(spec.num_children());
  throw structure_error(std::move(path), message);
}

[[noreturn]] inline void throw_keys_mismatch(path_link const& at, std::string const& actual,
                                             char const* what, std::vector<std::string> const& keys,
                                             tree_spec const& spec) {
  auto missing_from = [](std::vector<std::string> const& from, std::vector<std::string> const& in) {
    std::vector<std::string> out;
    for (std::string const& k : from)
      if (std::find(in.begin(), in.end(), k) == in.end()) out.push_back(k);
    return out;
  };
  std::vector<std::string> const missing = missing_from(spec.keys(), keys);
  std::vector<std::string> const extra = missing_from(keys, spec.keys());
  std::string path = at.render();
  std::string message = path + " is " + actual + " with " + what + " " + python_list(keys)
                        + ", but the spec has " + spec_phrase(spec) + " with " + what + " "
                        + python_list(spec.keys());
  std::string diff;
  if (!missing.empty()) diff += "missing " + std::string(what) + ": " + python_list(missing);
  if (!extra.empty())
    diff += (diff.empty() ? "" : "; ") + std::string("extra ") + what + ": " + python_list(extra);
  if (!diff.empty()) message += " (" + diff + ")";
  throw structure_error(std::move(path), message);
}

// Leaves handed to unflatten, consumed in order; the count is checked against the spec
// before the walk, and the walk follows the spec, so it never reads past the end.
struct leaf_source {
  std::vector<leaf>& leaves;
  std::size_t next = 0;
  leaf take() { return std::move(leaves[next++]); }
  leaf const& peek() const { return leaves[next]; }
};

// traits<T>: flatten, flatten_like (check against a spec), unflatten, and the phrase
// that names T's kind in messages. The primary template is reached only for types that
// are not pytrees, after the public entry point's static_assert has fired; its members
// exist so that the assertion is the only diagnostic.
template <class T>
struct traits {
  static std::string phrase(T const&) { return "an unsupported type"; }
  static std::string type_phrase() { return "an unsupported type"; }
  static tree_spec flatten(T const&, path_link const&, std::vector<leaf>&) { return {}; }
  static void flatten_like(T const&, tree_spec const&, path_link const&, std::vector<leaf>&) {}
  static T unflatten(leaf_source&, tree_spec const&, path_link const& at) {
    throw unsupported_error(at.render() + " has a type that is not a pytree");
  }
};

template <class T>
struct static_phrase {
  static std::string phrase(T const&) { return traits<T>::type_phrase(); }
};

// Leaf types: Tensor, integers, floating point, bool, std::string.
template <class T>
requires scalar_leaf<T>
struct traits<T> : static_phrase<T> {
  static std::string type_phrase() {
    if constexpr (std::same_as<T, Tensor>)
      return "a Tensor";
    else if constexpr (std::same_as<T, SymInt>)
      return "a SymInt";
    else if constexpr (std::same_as<T, bool>)
      return "a bool";
    else if constexpr (std::same_as<T, std::string>)
      return "a str";
    else if constexpr (std::floating_point<T>)
      return "a float";
    else
      return "an int";
  }

  static leaf to_leaf(T const& value, path_link const& at) {
    if constexpr (std::floating_point<T>) {
      return static_cast<double>(value);
    } else if constexpr (integer_leaf<T>) {
      if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
        if (value > static_cast<T>(std::numeric_limits<std::int64_t>::max())) {
          throw value_error(at.render() + ": the integer " + std::to_string(value)
                            + " does not fit in an int64 leaf");
        }
      }
      return static_cast<std::int64_t>(value);
    } else {
      return value;
    }
  }

  static tree_spec flatten(T const& value, path_link const& at, std::vector<leaf>& out) {
    out.push_back(to_leaf(value, at));
    return {};
  }

  static void flatten_like(T const& value, tree_spec const& spec, path_link const& at,
                           std::vector<leaf>& out) {
    if (!spec.is_leaf()) throw_kind_mismatch(at, type_phrase(), spec);
    out.push_back(to_leaf(value, at));
  }

  static T unflatten(leaf_source& in, tree_spec const& spec, path_link const& at) {
    if (!spec.is_leaf()) throw_kind_mismatch(at, type_phrase(), spec);
    leaf l = in.take();
    if constexpr (std::same_as<T, SymInt>) { // a concrete int passed for a SymInt is fine
      if (auto const* i = std::get_if<std::int64_t>(&l)) return SymInt(*i);
    }
    using held = std::conditional_t<integer_leaf<T>, std::int64_t,
                                    std::conditional_t<std::floating_point<T>, double, T>>;
    auto* value = std::get_if<held>(&l);
    if (value == nullptr) {
      std::string path = at.render();
      // Tensors are left out: their values say nothing about the mismatch.
      std::string const shown =
          std::holds_alternative<Tensor>(l) || is_none(l) ? "" : " (" + repr(l) + ")";
      throw structure_error(path, path + " is " + type_phrase() + ", but the leaf there is "
                                      + with_article(kind_name(l)) + shown);
    }
    if constexpr (integer_leaf<T>) {
      if (!std::in_range<T>(*value)) {
        std::string path = at.render();
        throw structure_error(path, path + ": the int leaf " + std::to_string(*value)
                                        + " does not fit in " + std::string(type_name<T>()));
      }
      return static_cast<T>(*value);
    } else if constexpr (std::floating_point<T>) {
      return static_cast<T>(*value);
    } else {
      return std::move(*value);
    }
  }
};

// None, a leaf and tree_value: the dynamic forms.
template <>
struct traits<none_t> : static_phrase<none_t> {
  static std::string type_phrase() { return "None"; }
  static tree_spec flatten(none_t, path_link const&, std::vector<leaf>&) { return none_spec(); }
  static void flatten_like(none_t, tree_spec const& spec, path_link const& at,
                           std::vector<leaf>& out) {
    if (spec.is_leaf())
      out.emplace_back(none); // a leaf spec accepts None, as in PyTorch
    else if (!spec.is_none())
      throw_kind_mismatch(at, "None", spec);
  }
  static none_t unflatten(leaf_source& in, tree_spec const& spec, path_link const& at) {
    if (spec.is_none()) return none;
    if (spec.is_leaf() && is_none(in.peek())) {
      in.take();
      return none;
    }
    if (spec.is_leaf()) {
      std::string path = at.render();
      throw structure_error(path, path + " is None, but the leaf there is "
                                      + with_article(kind_name(in.peek())));
    }
    throw_kind_mismatch(at, "None", spec);
  }
};

template <>
struct traits<leaf> {
  static std::string phrase(leaf const& l) { return with_article(kind_name(l)); }
  static std::string type_phrase() { return "a leaf"; }
  static tree_spec flatten(leaf const& l, path_link const&, std::vector<leaf>& out) {
    if (is_none(l)) return none_spec();
    out.push_back(l);
    return {};
  }
  static void flatten_like(leaf const& l, tree_spec const& spec, path_link const& at,
                           std::vector<leaf>& out) {
    if (spec.is_leaf())
      out.push_back(l);
    else if (!(spec.is_none() && is_none(l)))
      throw_kind_mismatch(at, phrase(l), spec);
  }
  static leaf unflatten(leaf_source& in, tree_spec const& spec, path_link const& at) {
    if (spec.is_leaf()) return in.take();
    if (spec.is_none()) return none;
    throw_kind_mismatch(at, type_phrase(), spec);
  }
};

template <>
struct traits<tree_value> {
  static std::string phrase(tree_value const& v) {
    if (v.is_leaf()) return with_article(kind_name(v.as_leaf()));
    if (v.kind() == node_kind::dataclass) return "a struct " + v.type_name();
    return with_article(kind_name(v.kind()));
  }

  static tree_spec flatten(tree_value const& v, path_link const& at, std::vector<leaf>& out) {
    switch (v.kind()) {
    case node_kind::leaf_node:
      out.push_back(v.as_leaf());
      return {};
    case node_kind::none_node:
      return none_spec();
    default:
      break;
    }
    std::vector<tree_spec> children;
    children.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
      path_link const here = v.kind() == node_kind::dict        ? at.at_key(v.keys()[i])
                             : v.kind() == node_kind::dataclass ? at.at_attr(v.keys()[i])
                                                                : at.at_index(i);
      children.push_back(flatten(v.children()[i], here, out));
    }
    switch (v.kind()) {
    case node_kind::tuple:
      return tuple_spec(std::move(children));
    case node_kind::list:
      return list_spec(std::move(children));
    case node_kind::dict:
      return dict_spec(v.keys(), std::move(children));
    default:
      return dataclass_spec(v.type_name(), v.keys(), std::move(children));
    }
  }

  static void flatten_like(tree_value const& v, tree_spec const& spec, path_link const& at,
                           std::vector<leaf>& out) {
    if (spec.is_leaf() && (v.is_leaf() || v.is_none())) {
      out.push_back(v.as_leaf());
      return;
    }
    if (v.kind() != spec.kind() || v.type_name() != spec.type_name())
      throw_kind_mismatch(at, phrase(v), spec);
    switch (v.kind()) {
    case node_kind::tuple:
    case node_kind::list:
      if (v.size() != spec.num_children()) throw_length_mismatch(at, phrase(v), v.size(), spec);
      for (std::size_t i = 0; i < v.size(); ++i)
        flatten_like(v.children()[i], spec.children()[i], at.at_index(i), out);
      return;
    case node_kind::dict: {
      // A dict matches a spec with the same keys in any order; leaves follow the spec's
      // order (PyTorch's flatten_up_to does the same).
      std::vector<std::string> sorted_value = v.keys(), sorted_spec = spec.keys();
      std::sort(sorted_value.begin(), sorted_value.end());
      std::sort(sorted_spec.begin(), sorted_spec.end());
      if (sorted_value != sorted_spec) throw_keys_mismatch(at, phrase(v), "keys", v.keys(), spec);
      for (std::size_t i = 0; i < spec.num_children(); ++i)
        flatten_like(v.at(spec.keys()[i]), spec.children()[i], at.at_key(spec.keys()[i]), out);
      return;
    }
    case node_kind::dataclass:
      if (v.keys() != spec.keys()) throw_keys_mismatch(at, phrase(v), "fields", v.keys(), spec);
      for (std::size_t i = 0; i < v.size(); ++i)
        flatten_like(v.children()[i], spec.children()[i], at.at_attr(v.keys()[i]), out);
      return;
    default:
      return; // None matches None
    }
  }

  static tree_value unflatten(leaf_source& in, tree_spec const& spec, path_link const& at) {
    std::vector<tree_value> children;
    std::vector<std::pair<std::string, tree_value>> entries;
    for (std::size_t i = 0; i < spec.num_children(); ++i) {
      tree_value child = unflatten(in, spec.children()[i], at.at_child(spec, i));
      if (spec.kind() == node_kind::dict || spec.kind() == node_kind::dataclass)
        entries.emplace_back(spec.keys()[i], std::move(child));
      else
        children.push_back(std::move(child));
    }
    switch (spec.kind()) {
    case node_kind::leaf_node:
      return tree_value(in.take());
    case node_kind::none_node:
      return tree_value();
    case node_kind::tuple:
      return tree_value::tuple(std::move(children));
    case node_kind::list:
      return tree_value::list(std::move(children));
    case node_kind::dict:
      return tree_value::dict(std::move(entries));
    case node_kind::dataclass:
      return tree_value::dataclass(spec.type_name(), std::move(entries));
    }
    return tree_value();
  }
};

// std::optional: empty is None (no leaves); engaged is its value, with no node of its own,
// exactly as Python's Optional[T].
template <class T>
struct traits<std::optional<T>> {
  static std::string phrase(std::optional<T> const& v) {
    return v ? traits<T>::phrase(*v) : "None";
  }
  static tree_spec flatten(std::optional<T> const& v, path_link const& at, std::vector<leaf>& out) {
    return v ? traits<T>::flatten(*v, at, out) : none_spec();
  }
  static void flatten_like(std::optional<T> const& v, tree_spec const& spec, path_link const& at,
                           std::vector<leaf>& out) {
    if (v)
      traits<T>::flatten_like(*v, spec, at, out);
    else
      traits<none_t>::flatten_like(none, spec, at, out);
  }
  static std::optional<T> unflatten(leaf_source& in, tree_spec const& spec, path_link const& at) {
    if (spec.is_none()) return std::nullopt;
    if (spec.is_leaf() && is_none(in.peek())) {
      in.take();
      return std::nullopt;
    }
    return traits<T>::unflatten(in, spec, at);
  }
};

// Homogeneous sequences: std::vector and std::array are lists.
template <class Seq, class T, std::size_t Extent>
struct sequence_traits : static_phrase<Seq> {
  static constexpr bool fixed = Extent != std::dynamic_extent;
  static std::string type_phrase() { return fixed ? "an array" : "a vector"; }

  static tree_spec flatten(Seq const& v, path_link const& at, std::vector<leaf>& out) {
    std::vector<tree_spec> children;
    children.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i)
      children.push_back(traits<T>::flatten(v[i], at.at_index(i), out));
    return list_spec(std::move(children));
  }

  static void check(tree_spec const& spec, std::size_t size, path_link const& at) {
    if (spec.kind() != node_kind::list) throw_kind_mismatch(at, type_phrase(), spec);
    if (size != spec.num_children()) throw_length_mismatch(at, type_phrase(), size, spec);
  }

  static void flatten_like(Seq const& v, tree_spec const& spec, path_link const& at,
                           std::vector<leaf>& out) {
    check(spec, v.size(), at);
    for (std::size_t i = 0; i < v.size(); ++i)
      traits<T>::flatten_like(v[i], spec.children()[i], at.at_index(i), out);
  }

  static Seq unflatten(leaf_source& in, tree_spec const& spec, path_link const& at) {
    Seq result{};
    if constexpr (fixed) {
      check(spec, Extent, at);
      for (std::size_t i = 0; i < Extent; ++i)
        result[i] = traits<T>::unflatten(in, spec.children()[i], at.at_index(i));
    } else {
      if (spec.kind() != node_kind::list) throw_kind_mismatch(at, type_phrase(), spec);
      result.reserve(spec.num_children());
      for (std::size_t i = 0; i < spec.num_children(); ++i)
        result.push_back(traits<T>::unflatten(in, spec.children()[i], at.at_index(i)));
    }
    return result;
  }
};

template <class T>
struct traits<std::vector<T>> : sequence_traits<std::vector<T>, T, std::dynamic_extent> {};
template <class T, std::size_t N>
struct traits<std::array<T, N>> : sequence_traits<std::array<T, N>, T, N> {};

// Heterogeneous sequences: std::tuple and std::pair are tuples.
template <class Tuple, bool IsPair, class... Ts>
struct product_traits : static_phrase<Tuple> {
  static std::string type_phrase() { return IsPair ? "a pair" : "a tuple"; }

  static tree_spec flatten(Tuple const& v, path_link const& at, std::vector<leaf>& out) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      std::vector<tree_spec> children;
      children.reserve(sizeof...(Ts));
      (children.push_back(traits<Ts>::flatten(std::get<I>(v), at.at_index(I), out)), ...);
      return tuple_spec(std::move(children));
    }
    (std::index_sequence_for<Ts...>{});
  }

  static void check(tree_spec const& spec, path_link const& at) {
    if (spec.kind() != node_kind::tuple) throw_kind_mismatch(at, type_phrase(), spec);
    if (spec.num_children() != sizeof...(Ts))
      throw_length_mismatch(at, type_phrase(), sizeof...(Ts), spec);
  }

  static void flatten_like(Tuple const& v, tree_spec const& spec, path_link const& at,
                           std::vector<leaf>& out) {
    check(spec, at);
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (traits<Ts>::flatten_like(std::get<I>(v), spec.children()[I], at.at_index(I), out), ...);
    }
    (std::index_sequence_for<Ts...>{});
  }

  static Tuple unflatten(leaf_source& in, tree_spec const& spec, path_link const& at) {
    check(spec, at);
    // Braced initialization evaluates its elements left to right, so leaves are taken
    // in order.
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return Tuple{traits<Ts>::unflatten(in, spec.children()[I], at.at_index(I))...};
    }
    (std::index_sequence_for<Ts...>{});
  }
};

template <class... Ts>
struct traits<std::tuple<Ts...>> : product_traits<std::tuple<Ts...>, false, Ts...> {};
template <class A, class B>
struct traits<std::pair<A, B>> : product_traits<std::pair<A, B>, true, A, B> {};

// std::map<std::string, T> is a dict whose keys are in std::map's (sorted) order.
template <class T>
struct traits<std::map<std::string, T>> : static_phrase<std::map<std::string, T>> {
  using map = std::map<std::string, T>;
  static std::string type_phrase() { return "a map"; }

  static std::vector<std::string> keys_of(map const& v) {
    std::vector<std::string> keys;
    keys.reserve(v.size());
    for (auto const& entry : v)
      keys.push_back(entry.first);
    return keys;
  }

  static tree_spec flatten(map const& v, path_link const& at, std::vector<leaf>& out) {
    std::vector<tree_spec> children;
    children.reserve(v.size());
    for (auto const& [key, child] : v)
      children.push_back(traits<T>::flatten(child, at.at_key(key), out));
    return dict_spec(keys_of(v), std::move(children));
  }

  static void flatten_like(map const& v, tree_spec const& spec, path_link const& at,
                           std::vector<leaf>& out) {
    if (spec.kind() != node_kind::dict) throw_kind_mismatch(at, type_phrase(), spec);
    bool same_keys = v.size() == spec.num_children();
    for (std::size_t i = 0; same_keys && i < spec.num_children(); ++i)
      same_keys = v.contains(spec.keys()[i]);
    if (!same_keys) throw_keys_mismatch(at, type_phrase(), "keys", keys_of(v), spec);
    for (std::size_t i = 0; i < spec.num_children(); ++i) {
      std::string const& key = spec.keys()[i];
      traits<T>::flatten_like(v.find(key)->second, spec.children()[i], at.at_key(key), out);
    }
  }

  static map unflatten(leaf_source& in, tree_spec const& spec, path_link const& at) {
    if (spec.kind() != node_kind::dict) throw_kind_mismatch(at, type_phrase(), spec);
    map result;
    for (std::size_t i = 0; i < spec.num_children(); ++i) {
      std::string const& key = spec.keys()[i];
      result.emplace(key, traits<T>::unflatten(in, spec.children()[i], at.at_key(key)));
    }
    return result;
  }
};

// Reflected structs are dataclasses: fields in declaration order, named by Hana.
template <class T>
requires hana_struct<T> &&(!scalar_leaf<T>)&&(!dynamic_tree<T>)struct traits<T> : static_phrase<T> {
  static std::string type_phrase() { return "a struct " + std::string(dataclass_name<T>); }

  static std::vector<std::string> const& field_names() {
    static std::vector<std::string> const names = [] {
      std::vector<std::string> out;
      boost::hana::for_each(boost::hana::accessors<T>(), [&](auto accessor) {
        out.emplace_back(boost::hana::to<char const*>(boost::hana::first(accessor)));
      });
      return out;
    }();
    return names;
  }

  // Calls visit(field_index, name, member) for each field of `value` in order.
  template <class Value, class Visit>
  static void for_each_field(Value& value, Visit&& visit) {
    std::size_t i = 0;
    boost::hana::for_each(boost::hana::accessors<T>(), [&](auto accessor) {
      visit(i, field_names()[i], boost::hana::second(accessor)(value));
      ++i;
    });
  }

  static void check(tree_spec const& spec, path_link const& at) {
    if (spec.kind() != node_kind::dataclass || spec.type_name() != dataclass_name<T>)
      throw_kind_mismatch(at, type_phrase(), spec);
    if (spec.keys() != field_names())
      throw_keys_mismatch(at, type_phrase(), "fields", field_names(), spec);
  }

  static tree_spec flatten(T const& value, path_link const& at, std::vector<leaf>& out) {
    std::vector<tree_spec> children;
    for_each_field(value, [&](std::size_t, std::string const& name, auto const& member) {
      using M = std::remove_cvref_t<decltype(member)>;
      children.push_back(traits<M>::flatten(member, at.at_attr(name), out));
    });
    return dataclass_spec(std::string(dataclass_name<T>), field_names(), std::move(children));
  }

  static void flatten_like(T const& value, tree_spec const& spec, path_link const& at,
                           std::vector<leaf>& out) {
    check(spec, at);
    for_each_field(value, [&](std::size_t i, std::string const& name, auto const& member) {
      using M = std::remove_cvref_t<decltype(member)>;
      traits<M>::flatten_like(member, spec.children()[i], at.at_attr(name), out);
    });
  }

  static T unflatten(leaf_source& in, tree_spec const& spec, path_link const& at) {
    static_assert(std::default_initializable<T>,
                  "xport::unflatten: a reflected struct must be default-constructible to be "
                  "rebuilt from leaves (its fields are assigned one by one)");
    check(spec, at);
    T result{};
    for_each_field(result, [&](std::size_t i, std::string const& name, auto& member) {
      using M = std::remove_cvref_t<decltype(member)>;
      member = traits<M>::unflatten(in, spec.children()[i], at.at_attr(name));
    });
    return result;
  }
};

// Instantiated with the innermost type that is not a pytree, so the compiler's
// "required from" line names it.
template <class NotAPytree>
struct require_pytree {
  static_assert(std::is_void_v<NotAPytree>,
                "xport pytree: this type is not a pytree. Supported: xport::Tensor, integers, "
                "float, double, bool, std::string, std::tuple, std::pair, std::array, "
                "std::vector, std::optional, std::map<std::string, T>, xport::leaf, "
                "xport::tree_value, and structs reflected with BOOST_HANA_DEFINE_STRUCT or "
                "BOOST_HANA_ADAPT_STRUCT whose fields are pytrees");
  static constexpr bool value = true;
};

template <class T>
inline constexpr bool check_pytree = require_pytree<typename first_unsupported<T>::type>::value;

} // namespace detail

} // namespace xport
