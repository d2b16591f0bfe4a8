//! @file
//! Every CPU kernel of xport, registered for eager execution: include this header in
//! exactly one translation unit of a program (more is harmless, only slower to compile).
//!
//! Front ends find kernels at run time (see `<xport/kernels/eager.hpp>`), so that including
//! an op family does not compile its kernels for every dtype in every translation unit;
//! this header is where they are compiled, once. Registration runs during static
//! initialization; ops called from other static initializers may run before it.
#pragma once

#include <xport/kernels/cpu/attention.hpp>
#include <xport/kernels/cpu/conv.hpp>
#include <xport/kernels/cpu/creation.hpp>
#include <xport/kernels/cpu/data_dependent.hpp>
#include <xport/kernels/cpu/dropout.hpp>
#include <xport/kernels/cpu/elementwise.hpp>
#include <xport/kernels/cpu/embedding.hpp>
#include <xport/kernels/cpu/indexing.hpp>
#include <xport/kernels/cpu/linalg.hpp>
#include <xport/kernels/cpu/norm.hpp>
#include <xport/kernels/cpu/pool.hpp>
#include <xport/kernels/cpu/reduction.hpp>
#include <xport/kernels/cpu/register.hpp>
#include <xport/kernels/cpu/shape.hpp>
#include <xport/kernels/cpu/shape_join.hpp>
#include <xport/kernels/eager.hpp>
#include <xport/ops/default_op_set.hpp>

namespace xport::kernels::cpu {

//! @brief True once every CPU kernel of `ops::default_op_set` is registered (at static
//! initialization of any program that includes this header).
inline bool const all_registered = registered<ops::default_op_set>;

} // namespace xport::kernels::cpu
