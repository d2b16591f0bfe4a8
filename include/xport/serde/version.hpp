//! @file
//! The version of xport's archive schema, and the rule for reading other versions.
#pragma once

#include <cstdint>

namespace xport::serde {

//! @brief A schema version: `major.minor`.
//!
//! A major bump breaks readers (a field changes meaning or is removed): archives of
//! another major are refused. A minor bump only adds optional fields: a reader accepts
//! every minor of its major, reading fields it does not know as absent (an older minor)
//! or ignoring them (a newer minor). docs/format.md lists what each minor added.
struct schema_version {
  std::int64_t major = 0; //!< breaking changes
  std::int64_t minor = 0; //!< additive changes
  //! @brief Equal when both parts are.
  friend constexpr bool operator==(schema_version, schema_version) = default;
};

//! @brief The version this xport writes: 1.4 (see docs/format.md, "Versions").
inline constexpr schema_version current_schema_version{1, 4};

} // namespace xport::serde
