//! @file
//! The header of a program that only exports: modules and layers, the front ends of every
//! op, `export_program`, `ExportedProgram` and `save` — and nothing that runs ops,
//! lowers or loads programs (kernels, decompositions, `load`, the verifier).
//!
//! A program that also runs ops eagerly, or calls `ep.module()`, registers the CPU
//! kernels once (`<xport/kernels/cpu/all.hpp>` in one translation unit, or the
//! `xport::cpu_kernels` CMake target).
#pragma once

#include <xport/api/attention.hpp>
#include <xport/api/control_flow.hpp>
#include <xport/api/conv.hpp>
#include <xport/api/creation.hpp>
#include <xport/api/data_dependent.hpp>
#include <xport/api/dropout.hpp>
#include <xport/api/elementwise.hpp>
#include <xport/api/embedding.hpp>
#include <xport/api/indexing.hpp>
#include <xport/api/item.hpp>
#include <xport/api/linalg.hpp>
#include <xport/api/norm.hpp>
#include <xport/api/pool.hpp>
#include <xport/api/reduction.hpp>
#include <xport/api/shape.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/export/export.hpp>
#include <xport/nn/layers.hpp>
#include <xport/nn/module.hpp>
#include <xport/nn/sequential.hpp>
#include <xport/serde/save.hpp>
#include <xport/sym/dim.hpp>
#include <xport/sym/spec.hpp>
