//! @file
//! The header of a program that only runs saved programs: `load` (xport's archives) and
//! the `ExportedProgram` it gives, called through `ep.module()` behind its input
//! contract; tensors and their factories. No tracing, decomposition or saving.
//!
//! The CPU kernels are registered once per program: `<xport/kernels/cpu/all.hpp>` in one
//! translation unit, or the `xport::cpu_kernels` CMake target.
#pragma once

#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/core/print.hpp>
#include <xport/core/tensor.hpp>
#include <xport/export/exported_module.hpp>
#include <xport/serde/load.hpp>
