//! @file
//! Attributes of op nodes: the non-tensor arguments of an op, held in a Hana struct so
//! that printing, equality and hashing are written once for every op.
//!
//! An attribute is one of: `bool`, `std::int64_t`, `double`, `Scalar`, `SymInt`,
//! `std::string`, `dtype`, an enum with a `name(E)` found by ADL, `std::vector` or
//! `std::optional` of those, or a nested Hana struct.
#pragma once

#include <xport/core/dtype.hpp>
#include <xport/core/scalar.hpp>
#include <xport/core/sym_int.hpp>

#include <boost/hana/accessors.hpp>
#include <boost/hana/concept/struct.hpp>
#include <boost/hana/define_struct.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/second.hpp>
#include <boost/hana/size.hpp>
#include <boost/hana/string.hpp>

#include <charconv>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace xport::ops {

//! @brief The attributes of an op without any (`aten::relu`).
struct no_attributes {
  BOOST_HANA_DEFINE_STRUCT(no_attributes);
};

//! @brief True for a Hana struct (every op's `attributes`).
template <class T>
concept hana_struct = boost::hana::Struct<T>::value;

namespace detail {

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

// Python's repr of a float: shortest round-trip digits, `.0` on whole numbers.
inline void format_double(std::ostream& out, double value) {
  if (value != value) {
    out << "nan";
    return;
  }
  if (value == std::numeric_limits<double>::infinity()
      || value == -std::numeric_limits<double>::infinity()) {
    out << (value < 0 ? "-inf" : "inf");
    return;
  }
  char buffer[32];
  auto const end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  std::string_view const text(buffer, static_cast<std::size_t>(end - buffer));
  out << text;
  if (text.find_first_of(".e") == std::string_view::npos) out << ".0";
}

inline void mix(std::size_t& seed, std::size_t value) noexcept {
  seed ^= value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
}

} // namespace detail

template <hana_struct T>
void format_fields(std::ostream& out, T const& value);

//! @brief Prints one attribute value the way exported programs show it: `[2, 3]`, `None`,
//! `torch.float32`, `s0 + 1`, `True`, `'same'` (enums too: `'<='`).
template <class T>
void format_attribute(std::ostream& out, T const& value) {
  if constexpr (std::same_as<T, bool>) {
    out << (value ? "True" : "False");
  } else if constexpr (std::same_as<T, std::string>) {
    out << '\'' << value << '\'';
  } else if constexpr (std::same_as<T, xport::dtype>) {
    out << torch_name(value);
  } else if constexpr (std::is_enum_v<T>) {
    out << '\'' << name(value) << '\''; // spelled as a string, as PyTorch does
  } else if constexpr (detail::is_optional<T>::value) {
    if (value)
      format_attribute(out, *value);
    else
      out << "None";
  } else if constexpr (detail::is_vector<T>::value) {
    out << '[';
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (i) out << ", ";
      format_attribute(out, value[i]);
    }
    out << ']';
  } else if constexpr (hana_struct<T>) {
    out << '{';
    format_fields(out, value);
    out << '}';
  } else if constexpr (std::same_as<T, double>) {
    detail::format_double(out, value);
  } else if constexpr (std::same_as<T, Scalar>) {
    if (value.is_floating_point() && !value.is_symbolic())
      detail::format_double(out, value.template to<double>());
    else
      out << value;
  } else {
    out << value; // int64, SymInt
  }
}

//! @brief Prints the fields of a Hana struct as `name=value, ...` (absent optionals are
//! left out).
template <hana_struct T>
void format_fields(std::ostream& out, T const& value) {
  bool first = true;
  boost::hana::for_each(boost::hana::accessors<T>(), [&](auto accessor) {
    auto const& field = boost::hana::second(accessor)(value);
    if constexpr (detail::is_optional<std::remove_cvref_t<decltype(field)>>::value) {
      if (!field) return; // an absent optional reads as its default: not printed
    }
    if (!first) out << ", ";
    first = false;
    out << boost::hana::to<char const*>(boost::hana::first(accessor)) << '=';
    format_attribute(out, field);
  });
}

//! @brief `name=value, ...` for an op's attributes (empty for none).
template <hana_struct T>
std::string format_attributes(T const& value) {
  std::ostringstream out;
  format_fields(out, value);
  return out.str();
}

//! @brief Field-by-field equality of two attribute structs.
template <hana_struct T>
bool attributes_equal(T const& a, T const& b) {
  bool equal = true;
  boost::hana::for_each(boost::hana::accessors<T>(), [&](auto accessor) {
    auto const& x = boost::hana::second(accessor)(a);
    auto const& y = boost::hana::second(accessor)(b);
    using field = std::remove_cvref_t<decltype(x)>;
    if constexpr (hana_struct<field>) {
      equal = equal && attributes_equal(x, y);
    } else if constexpr (
        std::same_as<
            field,
            SymInt> || std::same_as<field, std::vector<SymInt>> || std::same_as<field, std::optional<SymInt>>) {
      std::ostringstream left, right; // symbolic values compare by expression
      format_attribute(left, x);
      format_attribute(right, y);
      equal = equal && left.str() == right.str();
    } else {
      equal = equal && x == y;
    }
  });
  return equal;
}

//! @brief A hash of one attribute value, consistent with `attributes_equal`.
template <class T>
std::size_t hash_attribute(T const& value) {
  if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) {
    return std::hash<T>{}(value);
  } else if constexpr (std::same_as<T, std::string>) {
    return std::hash<std::string>{}(value);
  } else if constexpr (detail::is_optional<T>::value) {
    return value ? hash_attribute(*value) + 1 : 0;
  } else if constexpr (detail::is_vector<T>::value) {
    std::size_t seed = value.size();
    for (auto const& item : value)
      detail::mix(seed, hash_attribute(item));
    return seed;
  } else if constexpr (hana_struct<T>) {
    std::size_t seed = 0;
    boost::hana::for_each(boost::hana::accessors<T>(), [&](auto accessor) {
      detail::mix(seed, hash_attribute(boost::hana::second(accessor)(value)));
    });
    return seed;
  } else {
    std::ostringstream text; // Scalar, SymInt: by printed value
    text << value;
    return std::hash<std::string>{}(text.str());
  }
}

//! @brief One attribute value without its C++ type: what a consumer that knows no op
//! types reads (saving a program walks these instead of instantiating an encoder for
//! every op). Optionals are `none` or their value; enums and dtypes are their names;
//! nested structs and an op's whole attributes are records of named fields, in order.
struct attribute_value {
  //! @brief What the value holds.
  enum class kind : std::uint8_t {
    none,       //!< an absent optional
    boolean,    //!< `flag`
    integer,    //!< `integer`
    floating,   //!< `floating`
    string,     //!< `text`
    dtype,      //!< `text`: the dtype's name
    enumerator, //!< `text`: the enumerator's name
    symint,     //!< `size`
    scalar,     //!< `number`
    list,       //!< `items`
    record      //!< `names` and `items`: the fields' names and values
  };
  kind what = kind::none;             //!< which members hold the value
  bool flag = false;                  //!< a bool
  std::int64_t integer = 0;           //!< an int
  double floating = 0;                //!< a float
  std::string text;                   //!< a string, or a dtype's or enumerator's name
  SymInt size;                        //!< a SymInt
  Scalar number;                      //!< a Scalar
  std::vector<attribute_value> items; //!< a list's values, or a record's fields in order
  std::vector<std::string> names;     //!< a record's field names, one per item
};

//! @brief The value of one attribute (or, for a Hana struct, the record of its fields).
template <class T>
attribute_value to_attribute_value(T const& value) {
  using kind = attribute_value::kind;
  attribute_value out;
  if constexpr (std::same_as<T, bool>) {
    out.what = kind::boolean;
    out.flag = value;
  } else if constexpr (std::same_as<T, std::int64_t>) {
    out.what = kind::integer;
    out.integer = value;
  } else if constexpr (std::same_as<T, double>) {
    out.what = kind::floating;
    out.floating = value;
  } else if constexpr (std::same_as<T, std::string>) {
    out.what = kind::string;
    out.text = value;
  } else if constexpr (std::same_as<T, xport::dtype>) {
    out.what = kind::dtype;
    out.text = std::string(xport::name(value));
  } else if constexpr (std::is_enum_v<T>) {
    out.what = kind::enumerator;
    out.text = std::string(name(value));
  } else if constexpr (std::same_as<T, SymInt>) {
    out.what = kind::symint;
    out.size = value;
  } else if constexpr (std::same_as<T, Scalar>) {
    out.what = kind::scalar;
    out.number = value;
  } else if constexpr (detail::is_optional<T>::value) {
    if (value) return to_attribute_value(*value);
  } else if constexpr (detail::is_vector<T>::value) {
    out.what = kind::list;
    for (auto const& item : value)
      out.items.push_back(to_attribute_value(item));
  } else {
    static_assert(hana_struct<T>, "xport: an attribute of a kind attribute_value cannot hold");
    out.what = kind::record;
    boost::hana::for_each(boost::hana::accessors<T>(), [&](auto accessor) {
      out.names.emplace_back(boost::hana::to<char const*>(boost::hana::first(accessor)));
      out.items.push_back(to_attribute_value(boost::hana::second(accessor)(value)));
    });
  }
  return out;
}

//! @brief True when an attribute value holds a symbolic `SymInt` or `Scalar` (then a
//! program must evaluate it for each call's sizes).
template <class T>
bool has_symbolic(T const& value) {
  if constexpr (std::same_as<T, SymInt> || std::same_as<T, Scalar>) {
    return value.is_symbolic();
  } else if constexpr (detail::is_optional<T>::value) {
    return value && has_symbolic(*value);
  } else if constexpr (detail::is_vector<T>::value) {
    for (auto const& item : value)
      if (has_symbolic(item)) return true;
    return false;
  } else if constexpr (hana_struct<T>) {
    bool any = false;
    boost::hana::for_each(boost::hana::accessors<T>(), [&](auto accessor) {
      any = any || has_symbolic(boost::hana::second(accessor)(value));
    });
    return any;
  } else {
    return false;
  }
}

//! @brief Replaces every symbolic `SymInt` or `Scalar` in `value` by `evaluate(s)` (an
//! int64), in place: how a program turns `view(x, [s0, -1])` into `view(x, [8, -1])`
//! for one call.
template <class T, class Evaluate>
void concretize(T& value, Evaluate const& evaluate) {
  if constexpr (std::same_as<T, SymInt>) {
    if (value.is_symbolic()) value = SymInt(evaluate(value));
  } else if constexpr (std::same_as<T, Scalar>) {
    if (value.is_symbolic()) value = Scalar(evaluate(value.sym_int()));
  } else if constexpr (detail::is_optional<T>::value) {
    if (value) concretize(*value, evaluate);
  } else if constexpr (detail::is_vector<T>::value) {
    for (auto& item : value)
      concretize(item, evaluate);
  } else if constexpr (hana_struct<T>) {
    boost::hana::for_each(boost::hana::accessors<T>(), [&](auto accessor) {
      concretize(boost::hana::second(accessor)(value), evaluate);
    });
  }
}

} // namespace xport::ops
