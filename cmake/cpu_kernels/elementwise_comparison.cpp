// xport's CPU kernels for the comparisons, logical and bitwise ops, and where/masked_fill/clamp:
// one of the translation units of the xport::cpu_kernels CMake target
// (cmake/xport-cpu-kernels.cmake), which compiles the kernels once per build tree, a group of op
// families per unit (smaller units, built in parallel, rebuilt only where a family changed).
#include <xport/kernels/cpu/elementwise_binary.hpp>
#include <xport/kernels/cpu/elementwise_select.hpp>
#include <xport/kernels/cpu/register.hpp>
#include <xport/ops/elementwise.hpp>

namespace {

[[maybe_unused]] bool const comparison_registered =
    xport::kernels::cpu::registered<xport::ops::comparison_ops>;
[[maybe_unused]] bool const select_registered =
    xport::kernels::cpu::registered<xport::ops::select_ops>;

} // namespace
