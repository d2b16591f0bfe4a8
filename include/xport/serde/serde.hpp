//! @file
//! Saving and loading exported programs: `xport::save`, `xport::load` and their stream and
//! buffer forms (docs/format.md describes the archive).
#pragma once

#include <xport/serde/load.hpp>
#include <xport/serde/save.hpp>
#include <xport/serde/version.hpp>
