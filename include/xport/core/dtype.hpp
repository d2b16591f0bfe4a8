//! @file
//! Element types (`dtype`), their C++ types, names and PyTorch's type-promotion rules.
#pragma once

#include <xport/core/error.hpp>
#include <xport/core/half.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace xport {

//! @brief The element type of a tensor, one per PyTorch dtype that xport supports.
enum class dtype : std::uint8_t {
  float32,  //!< `torch.float32`, C++ `float`
  float64,  //!< `torch.float64`, C++ `double`
  float16,  //!< `torch.float16`, C++ `xport::half`
  bfloat16, //!< `torch.bfloat16`, C++ `xport::bfloat16`
  int64,    //!< `torch.int64`, C++ `std::int64_t`
  int32,    //!< `torch.int32`, C++ `std::int32_t`
  int16,    //!< `torch.int16`, C++ `std::int16_t`
  int8,     //!< `torch.int8`, C++ `std::int8_t`
  uint8,    //!< `torch.uint8`, C++ `std::uint8_t`
  bool_,    //!< `torch.bool`, C++ `bool`
};

//! @brief Every dtype, in declaration order (for sweeps in tests and tables).
inline constexpr std::array<dtype, 10> all_dtypes = {
    dtype::float32, dtype::float64, dtype::float16, dtype::bfloat16, dtype::int64,
    dtype::int32,   dtype::int16,   dtype::int8,    dtype::uint8,    dtype::bool_};

namespace detail {

struct dtype_info {
  std::string_view name;       // "float32"
  std::string_view short_name; // "f32", as in FX graph printouts
  std::size_t size;
  bool floating;
  bool is_signed;
};

inline constexpr std::array<dtype_info, 10> dtype_table = {{
    {"float32", "f32", 4, true, true},
    {"float64", "f64", 8, true, true},
    {"float16", "f16", 2, true, true},
    {"bfloat16", "bf16", 2, true, true},
    {"int64", "i64", 8, false, true},
    {"int32", "i32", 4, false, true},
    {"int16", "i16", 2, false, true},
    {"int8", "i8", 1, false, true},
    {"uint8", "u8", 1, false, false},
    {"bool", "b8", 1, false, false},
}};

constexpr dtype_info const& info(dtype type) {
  return dtype_table[static_cast<std::size_t>(type)];
}

template <class T>
struct dtype_of_impl;
// clang-format off
template <> struct dtype_of_impl<float> { static constexpr dtype value = dtype::float32; };
template <> struct dtype_of_impl<double> { static constexpr dtype value = dtype::float64; };
template <> struct dtype_of_impl<half> { static constexpr dtype value = dtype::float16; };
template <> struct dtype_of_impl<bfloat16> { static constexpr dtype value = dtype::bfloat16; };
template <> struct dtype_of_impl<std::int64_t> { static constexpr dtype value = dtype::int64; };
template <> struct dtype_of_impl<std::int32_t> { static constexpr dtype value = dtype::int32; };
template <> struct dtype_of_impl<std::int16_t> { static constexpr dtype value = dtype::int16; };
template <> struct dtype_of_impl<std::int8_t> { static constexpr dtype value = dtype::int8; };
template <> struct dtype_of_impl<std::uint8_t> { static constexpr dtype value = dtype::uint8; };
template <> struct dtype_of_impl<bool> { static constexpr dtype value = dtype::bool_; };

template <dtype D> struct cpp_type_impl;
template <> struct cpp_type_impl<dtype::float32> { using type = float; };
template <> struct cpp_type_impl<dtype::float64> { using type = double; };
template <> struct cpp_type_impl<dtype::float16> { using type = half; };
template <> struct cpp_type_impl<dtype::bfloat16> { using type = bfloat16; };
template <> struct cpp_type_impl<dtype::int64> { using type = std::int64_t; };
template <> struct cpp_type_impl<dtype::int32> { using type = std::int32_t; };
template <> struct cpp_type_impl<dtype::int16> { using type = std::int16_t; };
template <> struct cpp_type_impl<dtype::int8> { using type = std::int8_t; };
template <> struct cpp_type_impl<dtype::uint8> { using type = std::uint8_t; };
template <> struct cpp_type_impl<dtype::bool_> { using type = bool; };
// clang-format on

} // namespace detail

//! @brief True for the C++ types that map to a dtype: `float`, `double`, `half`,
//! `bfloat16`, `int64_t`, `int32_t`, `int16_t`, `int8_t`, `uint8_t` and `bool`.
template <class T>
concept element_type = requires {
  detail::dtype_of_impl<std::remove_cv_t<T>>::value;
};

namespace detail {
template <class T>
constexpr dtype checked_dtype_of() {
  static_assert(element_type<T>,
                "xport: unsupported tensor element type; use float, double, xport::half, "
                "xport::bfloat16, int64_t, int32_t, int16_t, int8_t, uint8_t or bool");
  if constexpr (element_type<T>) {
    return dtype_of_impl<std::remove_cv_t<T>>::value;
  } else {
    return dtype::float32; // unreachable: the static_assert has already failed
  }
}
} // namespace detail

//! @brief The dtype of the C++ element type `T`; a compile error names the supported
//! types when `T` has none (e.g. `long double`, `char16_t`).
//! @code
//! static_assert(xport::dtype_of<float> == xport::dtype::float32);
//! @endcode
template <class T>
inline constexpr dtype dtype_of = detail::checked_dtype_of<T>();

//! @brief The C++ element type of dtype `D` (`cpp_type<dtype::float16>` is `xport::half`).
template <dtype D>
using cpp_type = typename detail::cpp_type_impl<D>::type;

//! @brief The dtype's name without prefix, as PyTorch prints it after `torch.`:
//! `name(dtype::float32) == "float32"`, `name(dtype::bool_) == "bool"`.
constexpr std::string_view name(dtype type) {
  return detail::info(type).name;
}

//! @brief The short name used in graph printouts: `f32`, `f64`, `f16`, `bf16`, `i64`,
//! `i32`, `i16`, `i8`, `u8`, `b8`.
constexpr std::string_view short_name(dtype type) {
  return detail::info(type).short_name;
}

//! @brief PyTorch's spelling: `torch_name(dtype::float32) == "torch.float32"`.
inline std::string torch_name(dtype type) {
  return "torch." + std::string(name(type));
}

//! @brief Size of one element in bytes.
constexpr std::size_t element_size(dtype type) {
  return detail::info(type).size;
}

//! @brief True for float32, float64, float16 and bfloat16.
constexpr bool is_floating_point(dtype type) {
  return detail::info(type).floating;
}

//! @brief True for the integer dtypes; `bool_` counts only when `include_bool` is set
//! (PyTorch's `isIntegralType(t, includeBool)`).
constexpr bool is_integral(dtype type, bool include_bool = false) {
  return type == dtype::bool_ ? include_bool : !is_floating_point(type);
}

//! @brief True for dtypes that can represent negative values.
constexpr bool is_signed(dtype type) {
  return detail::info(type).is_signed;
}

//! @brief Parses a dtype name: `"float32"`, `"f32"` or `"torch.float32"` (and PyTorch's
//! aliases `float`, `double`, `half`, `long`, `int`, `short`).
//! @throws dtype_error naming the text and the accepted names.
inline dtype parse_dtype(std::string_view text) {
  std::string_view bare = text;
  if (bare.starts_with("torch.")) bare.remove_prefix(6);
  for (dtype type : all_dtypes) {
    if (bare == name(type) || bare == short_name(type)) return type;
  }
  constexpr std::array<std::pair<std::string_view, dtype>, 6> aliases = {
      {{"float", dtype::float32},
       {"double", dtype::float64},
       {"half", dtype::float16},
       {"long", dtype::int64},
       {"int", dtype::int32},
       {"short", dtype::int16}}};
  for (auto const& [alias, type] : aliases) {
    if (bare == alias) return type;
  }
  throw dtype_error("unknown dtype '" + std::string(text)
                    + "'; expected a name such as float32, f32 or torch.float32");
}

//! @brief Prints `torch.float32`-style names.
inline std::ostream& operator<<(std::ostream& out, dtype type) {
  return out << torch_name(type);
}

//! @brief PyTorch's `promote_types`: the smallest dtype both `a` and `b` convert to
//! without losing their category.
//!
//! bool < integers < floating point; `uint8` with a signed integer needs the next wider
//! signed type (`uint8, int8 -> int16`); `float16` with `bfloat16` meets at `float32`.
//! @code
//! static_assert(xport::promote_types(xport::dtype::uint8, xport::dtype::int8) ==
//! xport::dtype::int16); static_assert(xport::promote_types(xport::dtype::int64,
//! xport::dtype::float16) == xport::dtype::float16);
//! @endcode
constexpr dtype promote_types(dtype a, dtype b) {
  if (a == b) return a;
  if (a == dtype::bool_) return b;
  if (b == dtype::bool_) return a;
  bool const a_float = is_floating_point(a);
  bool const b_float = is_floating_point(b);
  if (a_float != b_float) return a_float ? a : b;
  if (a_float) { // two different floating types
    if (a == dtype::float64 || b == dtype::float64) return dtype::float64;
    return dtype::float32; // f32 with a 16-bit type, or f16 with bf16
  }
  if (a == dtype::uint8 || b == dtype::uint8) {
    dtype const other = a == dtype::uint8 ? b : a;
    return other == dtype::int8 ? dtype::int16 : other;
  }
  return element_size(a) >= element_size(b) ? a : b;
}

//! @brief How an operand takes part in `result_type`: PyTorch ranks tensors with
//! dimensions above zero-dimensional tensors above wrapped numbers (C++ scalars).
enum class operand_kind : std::uint8_t {
  dimensioned,   //!< a tensor with at least one dimension
  zero_dim,      //!< a zero-dimensional tensor
  wrapped_number //!< a C++ scalar (PyTorch's "wrapped number")
};

//! @brief One operand of an op, as `result_type` sees it.
struct promotion_operand {
  dtype type;        //!< its dtype; for a wrapped number the scalar's own type
  operand_kind kind; //!< its priority tier
};

//! @brief PyTorch's `torch.result_type` over operands of three priority tiers.
//!
//! Within a tier dtypes promote normally. A lower tier changes the result only when its
//! category (bool < integral < floating) is higher; a floating wrapped number then counts
//! as the default dtype float32. So `int32 tensor + 2.5 -> float32`,
//! `float16 tensor + 2.5 -> float16`, `uint8 tensor + 1000 -> uint8`,
//! `bool tensor + 1 -> int64`, `int32 tensor + float64 zero-dim tensor -> float64`.
//! @pre `operands` is not empty.
constexpr dtype result_type(std::span<promotion_operand const> operands) {
  struct tier {
    bool present = false;
    dtype type = dtype::bool_;
  };
  tier tiers[3] = {};
  for (promotion_operand const& operand : operands) {
    dtype type = operand.type;
    if (operand.kind == operand_kind::wrapped_number && is_floating_point(type)) {
      type = dtype::float32; // PyTorch's default dtype
    }
    tier& t = tiers[static_cast<std::size_t>(operand.kind)];
    t.type = t.present ? promote_types(t.type, type) : type;
    t.present = true;
  }
  // A lower tier wins only where it raises the category.
  auto combine = [](tier higher, tier lower) {
    if (!higher.present) return lower;
    if (!lower.present || is_floating_point(higher.type)) return higher;
    if (higher.type == dtype::bool_ || is_floating_point(lower.type)) {
      return tier{true, promote_types(higher.type, lower.type)};
    }
    return higher;
  };
  tier const result = combine(tiers[0], combine(tiers[1], tiers[2]));
  return result.present ? result.type : dtype::float32;
}

//! @brief The name PyTorch's C++ core gives a dtype in messages (`c10::ScalarType`):
//! `Float`, `Double`, `Half`, `BFloat16`, `Long`, `Int`, `Short`, `Char`, `Byte`, `Bool`
//! (as in "\"relu\" not implemented for 'Bool'").
constexpr std::string_view scalar_type_name(dtype type) noexcept {
  constexpr std::string_view names[] = {"Float", "Double", "Half", "BFloat16", "Long",
                                        "Int",   "Short",  "Char", "Byte",     "Bool"};
  switch (type) {
  case dtype::float32:
    return names[0];
  case dtype::float64:
    return names[1];
  case dtype::float16:
    return names[2];
  case dtype::bfloat16:
    return names[3];
  case dtype::int64:
    return names[4];
  case dtype::int32:
    return names[5];
  case dtype::int16:
    return names[6];
  case dtype::int8:
    return names[7];
  case dtype::uint8:
    return names[8];
  case dtype::bool_:
    break;
  }
  return names[9];
}

//! @brief Calls `f.template operator()<T>()` with `T = cpp_type<type>`: the one switch
//! from a runtime dtype to a C++ type.
//! @code
//! auto bytes = xport::visit_dtype(type, []<class T>() { return sizeof(T); });
//! @endcode
template <class F>
constexpr decltype(auto) visit_dtype(dtype type, F&& f) {
  switch (type) {
  case dtype::float32:
    return f.template operator()<float>();
  case dtype::float64:
    return f.template operator()<double>();
  case dtype::float16:
    return f.template operator()<half>();
  case dtype::bfloat16:
    return f.template operator()<bfloat16>();
  case dtype::int64:
    return f.template operator()<std::int64_t>();
  case dtype::int32:
    return f.template operator()<std::int32_t>();
  case dtype::int16:
    return f.template operator()<std::int16_t>();
  case dtype::int8:
    return f.template operator()<std::int8_t>();
  case dtype::uint8:
    return f.template operator()<std::uint8_t>();
  case dtype::bool_:
    break;
  }
  return f.template operator()<bool>();
}

} // namespace xport

namespace xport {

//! @brief A set of dtypes: what an op declares it supports (`ops::add::dtypes`), and
//! what kernels dispatch over. A `constexpr` bit set, written with `|`:
//! @code
//! constexpr dtype_set ints = dtype_set{dtype::int32} | dtype::int64;
//! static_assert(ints.contains(dtype::int64) && !ints.contains(dtype::float32));
//! static_assert(dtype_sets::floating.size() == 4);
//! @endcode
class dtype_set {
public:
  //! @brief The empty set.
  constexpr dtype_set() noexcept = default;
  //! @brief `{type}`.
  constexpr dtype_set(dtype type) noexcept // NOLINT: a dtype is a one-element set
      : bits(bit(type)) {}
  //! @brief The dtypes for which `pred(dtype)` holds.
  template <class Pred>
  static constexpr dtype_set where(Pred pred) noexcept {
    dtype_set out;
    for (dtype d : all_dtypes)
      if (pred(d)) out = out | d;
    return out;
  }
  //! @brief True when `type` is in the set.
  constexpr bool contains(dtype type) const noexcept { return (bits & bit(type)) != 0; }
  //! @brief The number of dtypes in the set.
  constexpr std::size_t size() const noexcept {
    std::size_t n = 0;
    for (dtype d : all_dtypes)
      n += contains(d) ? 1 : 0;
    return n;
  }
  //! @brief True for the empty set.
  constexpr bool empty() const noexcept { return bits == 0; }
  //! @brief The first dtype of the set in `all_dtypes` order.
  //! @pre `!empty()`.
  constexpr dtype first() const noexcept {
    for (dtype d : all_dtypes)
      if (contains(d)) return d;
    return dtype::float32;
  }
  //! @brief The union.
  friend constexpr dtype_set operator|(dtype_set a, dtype_set b) noexcept {
    return from_bits(a.bits | b.bits);
  }
  //! @brief The intersection.
  friend constexpr dtype_set operator&(dtype_set a, dtype_set b) noexcept {
    return from_bits(a.bits & b.bits);
  }
  //! @brief The dtypes of `a` that are not in `b`.
  friend constexpr dtype_set operator-(dtype_set a, dtype_set b) noexcept {
    return from_bits(a.bits & static_cast<std::uint16_t>(~b.bits));
  }
  //! @brief Equal sets.
  friend constexpr bool operator==(dtype_set, dtype_set) noexcept = default;
  //! @brief The names in `all_dtypes` order: `{float32, float64}`.
  std::string str() const {
    std::string out = "{";
    for (dtype d : all_dtypes) {
      if (!contains(d)) continue;
      if (out.size() > 1) out += ", ";
      out += name(d);
    }
    return out + "}";
  }

  //! @brief One bit per dtype, by its enum value (public, so that a set can be a
  //! template argument).
  std::uint16_t bits = 0;

private:
  static constexpr std::uint16_t bit(dtype type) noexcept {
    return static_cast<std::uint16_t>(1U << static_cast<unsigned>(type));
  }
  static constexpr dtype_set from_bits(unsigned value) noexcept {
    dtype_set out;
    out.bits = static_cast<std::uint16_t>(value);
    return out;
  }
};

//! @brief The dtype sets ops declare most often.
namespace dtype_sets {
//! @brief Every dtype.
inline constexpr dtype_set all = dtype_set::where([](dtype) { return true; });
//! @brief `float32`, `float64`, `float16`, `bfloat16`.
inline constexpr dtype_set floating =
    dtype_set::where([](dtype d) { return is_floating_point(d); });
//! @brief The integer dtypes, without bool.
inline constexpr dtype_set integral = dtype_set::where([](dtype d) { return is_integral(d); });
//! @brief The integer dtypes and bool.
inline constexpr dtype_set integral_and_bool = integral | dtype::bool_;
//! @brief Every dtype but bool.
inline constexpr dtype_set numeric = all - dtype::bool_;
//! @brief The index dtypes: `int64` and `int32`.
inline constexpr dtype_set index = dtype_set{dtype::int64} | dtype::int32;
} // namespace dtype_sets

//! @brief Calls `f.template operator()<T>()` with `T = cpp_type<type>` when `type` is in
//! `Set`, and `otherwise()` when it is not: a switch that instantiates `f` only for the
//! dtypes of `Set` (an op's declared dtypes), so a kernel compiles exactly those cases.
//! @code
//! xport::visit_dtype_in<xport::dtype_sets::floating>(type, []<class T>() { ... },
//!                                                    [] { throw ...; });
//! @endcode
template <dtype_set Set, class F, class Otherwise>
constexpr decltype(auto) visit_dtype_in(dtype type, F&& f, Otherwise&& otherwise) {
  return visit_dtype(type, [&]<class T>() -> decltype(auto) {
    if constexpr (Set.contains(dtype_of<T>))
      return f.template operator()<T>();
    else
      return otherwise();
  });
}

} // namespace xport
