// xport's CPU kernels for shapes, factories, indexing and data-dependent ops: one of the
// translation units of the xport::cpu_kernels CMake target (cmake/xport-cpu-kernels.cmake), which
// compiles the kernels once per build tree, a group of op families per unit (smaller units, built
// in parallel, rebuilt only where a family changed).
#include <xport/kernels/cpu/creation.hpp>
#include <xport/kernels/cpu/data_dependent.hpp>
#include <xport/kernels/cpu/indexing.hpp>
#include <xport/kernels/cpu/register.hpp>
#include <xport/kernels/cpu/shape.hpp>
#include <xport/kernels/cpu/shape_join.hpp>
#include <xport/ops/creation.hpp>
#include <xport/ops/data_dependent.hpp>
#include <xport/ops/indexing.hpp>
#include <xport/ops/shape_join.hpp>

namespace {

[[maybe_unused]] bool const shape_registered =
    xport::kernels::cpu::registered<xport::ops::shape_ops>;
[[maybe_unused]] bool const creation_registered =
    xport::kernels::cpu::registered<xport::ops::creation_ops>;
[[maybe_unused]] bool const indexing_registered =
    xport::kernels::cpu::registered<xport::ops::indexing_ops>;
[[maybe_unused]] bool const data_dependent_registered =
    xport::kernels::cpu::registered<xport::ops::data_dependent_ops>;

} // namespace
