//! @file
//! Shape and dtype helpers shared by the meta rules of the linear-algebra, convolution
//! and pooling ops: PyTorch's spellings of element types in messages, and the checks of
//! "expandable to" and of per-dimension argument lists.
#pragma once

#include <xport/core/dtype.hpp>
#include <xport/core/error.hpp>
#include <xport/ops/meta.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xport::ops {

//! @brief The C++ spelling PyTorch's messages use for an element type (c10's type
//! names): `"float"`, `"double"`, `"c10::Half"`, `"long int"`, ...
//!
//! @code
//! element_type_name(dtype::float64) // "double"
//! @endcode
constexpr std::string_view element_type_name(dtype type) noexcept {
  switch (type) {
  case dtype::float32:
    return "float";
  case dtype::float64:
    return "double";
  case dtype::float16:
    return "c10::Half";
  case dtype::bfloat16:
    return "c10::BFloat16";
  case dtype::int64:
    return "long int";
  case dtype::int32:
    return "int";
  case dtype::int16:
    return "short int";
  case dtype::int8:
    return "signed char";
  case dtype::uint8:
    return "unsigned char";
  case dtype::bool_:
    break;
  }
  return "bool";
}

namespace detail {

// A per-spatial-dimension argument (stride, padding, ...) given as one value for all
// dimensions or one per dimension, as PyTorch's `_pair`/`expand_param_if_needed` accept.
// (A `dim_vector`: kernels call this on every call, which must not allocate.)
inline dim_vector expand_param(std::vector<std::int64_t> const& values, std::size_t spatial,
                               std::string_view op, std::string_view what) {
  if (values.size() == 1) return dim_vector(spatial, values[0]);
  if (values.size() == spatial) return dim_vector(values.begin(), values.end());
  std::string list = "[";
  for (std::size_t i = 0; i < values.size(); ++i)
    list += (i ? ", " : "") + std::to_string(values[i]);
  throw value_error(std::string(op) + ": expected " + std::string(what)
                    + " to be a single integer value or a list of " + std::to_string(spatial)
                    + " values to match the convolution dimensions, but got " + std::string(what)
                    + "=" + list + "]");
}

} // namespace detail

//! @brief Requires a floating-point element type, as PyTorch's CPU kernels for
//! convolution and pooling do.
//! @throws dtype_error "\"`kernel`\" not implemented for 'Long'".
inline void expect_floating_input(tensor_meta const& t, std::string_view kernel) {
  if (!is_floating_point(t.dtype)) {
    throw dtype_error("\"" + std::string(kernel) + "\" not implemented for '"
                      + std::string(xport::scalar_type_name(t.dtype))
                      + "'; convert the input to a floating-point dtype with .to()");
  }
}

//! @brief Requires `sizes` to expand to `target` (PyTorch's `expand` rule: align from the
//! right; each size equals the target's or is 1). Symbolic sizes decide through guards.
//! @throws shape_error in PyTorch's words: "The expanded size of the tensor (5) must match
//! the existing size (3) at non-singleton dimension 1.  Target sizes: [2, 5].  Tensor
//! sizes: [3]".
inline void expect_expandable(sym_list sizes, sym_list target, std::string_view what) {
  auto const fail = [&](std::string detail) {
    throw shape_error(std::string(what) + ": " + detail + "Target sizes: "
                      + format_sym_sizes(target) + ".  Tensor sizes: " + format_sym_sizes(sizes));
  };
  if (sizes.size() > target.size()) {
    fail("the number of sizes provided (" + std::to_string(target.size())
         + ") must be greater or equal to the number of dimensions in the tensor ("
         + std::to_string(sizes.size()) + ").  ");
  }
  std::size_t const lead = target.size() - sizes.size();
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    SymInt const& size = sizes[i];
    SymInt const& wanted = target[lead + i];
    if (static_cast<bool>(size == 1) || static_cast<bool>(size == wanted)) continue;
    fail("The expanded size of the tensor (" + wanted.str() + ") must match the existing size ("
         + size.str() + ") at non-singleton dimension " + std::to_string(lead + i) + ".  ");
  }
}

} // namespace xport::ops
