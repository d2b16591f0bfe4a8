//! @file
//! The `xport::error` hierarchy: every failure xport reports is one of these types.
#pragma once

#include <stdexcept>
#include <string>

namespace xport {

//! @brief Base of every exception xport throws.
//!
//! Messages name what is wrong (the values involved) and, where one exists, how to fix
//! it. Catch `xport::error` to handle any xport failure; catch a subclass to handle one
//! kind.
class error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

//! @brief A tensor has the wrong shape or rank, or shapes are incompatible.
class shape_error : public error {
public:
  using error::error;
};

//! @brief An index is outside the valid range of a dimension, or a dimension index is
//! outside a tensor's rank.
class index_error : public shape_error {
public:
  using shape_error::shape_error;
};

//! @brief A value has the wrong dtype, or dtypes cannot be combined.
class dtype_error : public error {
public:
  using error::error;
};

//! @brief A tensor is on the wrong device, or a device is unavailable or malformed.
class device_error : public error {
public:
  using error::error;
};

//! @brief An argument has an invalid value (a zero step, an empty range, a number that
//! does not fit the requested dtype, a malformed name, ...).
class value_error : public error {
public:
  using error::error;
};

//! @brief The dynamic-shape contract of a program does not hold: the spec contradicts
//! the program's shape logic, or an input violates the program's constraints.
class constraint_violation : public error {
public:
  using error::error;
};

//! @brief Shape logic depends on a data-dependent (unbacked) size that cannot be
//! decided without a hint; the message suggests an `xport::check(...)` to add.
class data_dependent_error : public error {
public:
  using error::error;
};

//! @brief A saved program is malformed, truncated, of an unknown version, or otherwise
//! cannot be read or written.
class serialization_error : public error {
public:
  using error::error;
};

//! @brief An operation, dtype, device or feature is not supported (for example, no
//! kernel is registered for an op on a device).
class unsupported_error : public error {
public:
  using error::error;
};

} // namespace xport
