//! @file
//! Decomposition: the core op set, the default rules and table, `run_decompositions`
//! (also `ExportedProgram::run_decompositions`) and the core dialect verifier.
#pragma once

#include <xport/decomp/core_op_set.hpp>
#include <xport/decomp/rule.hpp>
#include <xport/decomp/rules.hpp>
#include <xport/decomp/run_decompositions.hpp>
#include <xport/decomp/table.hpp>
