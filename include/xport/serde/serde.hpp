//! @file
//! Saving and loading exported programs: `xport::save`, `xport::load` and their stream and
//! buffer forms (docs/format.md describes the archive), and `xport::load_pt2` for programs
//! exported by PyTorch and `xport::save_pt2` for PyTorch to load (docs/pytorch.md).
#pragma once

#include <xport/serde/load.hpp>
#include <xport/serde/load_pt2.hpp>
#include <xport/serde/save.hpp>
#include <xport/serde/save_pt2.hpp>
#include <xport/serde/version.hpp>
