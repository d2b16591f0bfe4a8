//! @file
//! The non-tensor arguments of a `.pt2` node (`{"as_int": 3}`, `{"as_ints": [1, 0]}`,
//! `{"as_sym_int": {"as_name": "sym_size_int"}}`, `{"as_none": true}`, ...) read into the
//! members of an op's attribute struct, by the member's C++ type.
#pragma once

#include <xport/serde/detail/pt2_expr.hpp>

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace xport::serde::detail {

//! What reading arguments needs: symbolic sizes by the name of the value that holds them
//! (`sym_size_int` -> `s0`).
struct pt2_scope {
  sym::ShapeEnv* env = nullptr;
  std::function<SymInt(std::string const& name, std::string const& where)> sym_int;
};

//! The one key of a `.pt2` union (`{"as_int": 3}` -> `as_int`) and its value.
inline std::pair<std::string, in_json const*> union_of(in_json const& j, std::string const& where) {
  if (!j.is_object() || j.size() != 1)
    fail(where,
         "expected an object with exactly one key (a union), got " + j.dump().substr(0, 200));
  return {j.begin().key(), &j.begin().value()};
}

//! PyTorch's `ScalarType` numbers of the dtypes xport has.
inline constexpr std::pair<std::int64_t, dtype> pt2_scalar_types[] = {
    {1, dtype::uint8},  {2, dtype::int8},     {3, dtype::int16},   {4, dtype::int32},
    {5, dtype::int64},  {6, dtype::float16},  {7, dtype::float32}, {8, dtype::float64},
    {12, dtype::bool_}, {13, dtype::bfloat16}};

//! PyTorch's `ScalarType` number as an xport dtype.
inline dtype pt2_dtype(in_json const& j, std::string const& where) {
  std::int64_t const code = as_int(j, where);
  for (auto const& [number, type] : pt2_scalar_types)
    if (number == code) return type;
  fail(where, "the dtype with PyTorch ScalarType number " + std::to_string(code)
                  + " is not supported (xport has uint8, int8, int16, int32, int64, float16, "
                    "float32, float64, bool and bfloat16)");
}

//! The `ScalarType` number of an xport dtype.
inline std::int64_t pt2_scalar_type(dtype type) {
  for (auto const& [number, t] : pt2_scalar_types)
    if (t == type) return number;
  throw unsupported_error("xport::save_pt2: the dtype " + std::string(name(type))
                          + " has no PyTorch ScalarType");
}

//! A float of the archive: a number, or "Infinity", "-Infinity", "NaN".
inline double pt2_float(in_json const& j, std::string const& where) {
  if (j.is_number()) return j.get<double>();
  if (j.is_string()) {
    std::string const& s = j.get_ref<std::string const&>();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  }
  fail(where, "expected a number, \"Infinity\", \"-Infinity\" or \"NaN\", got " + j.dump());
}

//! A `.pt2` SymInt (`{"as_int": 3}` or `{"as_name": "sym_size_int"}`).
inline SymInt pt2_sym_int(in_json const& j, pt2_scope const& scope, std::string const& where) {
  auto const [key, value] = union_of(j, where);
  if (key == "as_int") return SymInt(as_int(*value, dot(where, key)));
  if (key == "as_name") return scope.sym_int(as_string(*value, dot(where, key)), dot(where, key));
  fail(where, "expected as_int or as_name, got '" + key + "'");
}

//! The attribute types that `.pt2` arguments fill (xport's own attributes, such as the
//! expressions of `_assert_scalar`, are made by the reader itself).
template <class T>
inline constexpr bool pt2_readable =
    std::same_as<
        T,
        bool> || std::same_as<T, std::int64_t> || std::same_as<T, double> || std::same_as<T, std::string> || std::same_as<T, dtype> || std::same_as<T, Scalar> || std::same_as<T, SymInt>;
template <class T>
inline constexpr bool pt2_readable<std::optional<T>> = pt2_readable<T>;
template <class T>
inline constexpr bool pt2_readable<std::vector<T>> =
    std::same_as<T, std::int64_t> || std::same_as<T, SymInt>;

//! The argument `j` (a `.pt2` Argument union) as a value of type `T` (`pt2_readable`).
template <class T>
T read_pt2_argument(in_json const& j, pt2_scope const& scope, std::string const& where) {
  auto const parts = union_of(j, where); // not a structured binding: lambdas capture it
  std::string const& key = parts.first;
  in_json const* const value = parts.second;
  std::string const w = dot(where, key);
  auto wrong = [&]() -> T { fail(where, "'" + key + "' cannot be read as this argument's type"); };
  if constexpr (is_optional<T>::value) {
    if (key == "as_none") return std::nullopt;
    return T{read_pt2_argument<typename T::value_type>(j, scope, where)};
  } else if constexpr (std::same_as<T, bool>) {
    if (key == "as_bool") return as_bool(*value, w);
    return wrong();
  } else if constexpr (std::same_as<T, std::int64_t>) {
    if (key == "as_int") return as_int(*value, w);
    if (key == "as_sym_int") {
      SymInt const v = pt2_sym_int(*value, scope, w);
      if (auto const k = v.maybe_int()) return *k;
      fail(where, "a symbolic size where xport needs a constant integer");
    }
    return wrong();
  } else if constexpr (std::same_as<T, double>) {
    if (key == "as_float") return pt2_float(*value, w);
    if (key == "as_int") return static_cast<double>(as_int(*value, w));
    return wrong();
  } else if constexpr (std::same_as<T, std::string>) {
    if (key == "as_string") return as_string(*value, w);
    if (key == "as_device") { // {"type": "cuda", "index": 0} -> "cuda:0"
      std::string device = as_string(field(*value, "type", w), dot(w, "type"));
      if (auto const* index = optional_field(*value, "index", w); index && !index->is_null())
        device += ":" + std::to_string(as_int(*index, dot(w, "index")));
      return device;
    }
    return wrong();
  } else if constexpr (std::same_as<T, dtype>) {
    if (key == "as_scalar_type") return pt2_dtype(*value, w);
    return wrong();
  } else if constexpr (std::same_as<T, Scalar>) {
    if (key == "as_int") return Scalar(as_int(*value, w));
    if (key == "as_sym_int") return Scalar(pt2_sym_int(*value, scope, w));
    if (key == "as_float") return Scalar(pt2_float(*value, w));
    if (key == "as_bool") return Scalar(as_bool(*value, w));
    return wrong();
  } else if constexpr (std::same_as<T, SymInt>) {
    if (key == "as_int") return SymInt(as_int(*value, w));
    if (key == "as_sym_int") return pt2_sym_int(*value, scope, w);
    return wrong();
  } else if constexpr (is_vector<T>::value) {
    using item = typename T::value_type;
    T out;
    if (key == "as_ints" || key == "as_sym_ints") {
      as_array(*value, w);
      for (std::size_t i = 0; i < value->size(); ++i) {
        in_json const& v = (*value)[i];
        SymInt const s =
            key == "as_ints" ? SymInt(as_int(v, at(w, i))) : pt2_sym_int(v, scope, at(w, i));
        if constexpr (std::same_as<item, SymInt>) {
          out.push_back(s);
        } else if constexpr (std::same_as<item, std::int64_t>) {
          if (!s.maybe_int()) fail(at(w, i), "a symbolic size where xport needs an integer");
          out.push_back(*s.maybe_int());
        } else {
          return wrong();
        }
      }
      return out;
    }
    if (key == "as_int") { // `int[1] dim` written as one integer
      if constexpr (std::same_as<item, std::int64_t> || std::same_as<item, SymInt>) {
        out.push_back(as_int(*value, w));
        return out;
      }
    }
    return wrong();
  } else {
    static_assert(pt2_readable<T>, "xport: an attribute type .pt2 arguments cannot fill");
  }
}

} // namespace xport::serde::detail
