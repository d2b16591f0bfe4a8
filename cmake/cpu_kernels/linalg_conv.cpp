// xport's CPU kernels for matrix products and convolution (GEMM): one of the translation units of
// the xport::cpu_kernels CMake target (cmake/xport-cpu-kernels.cmake), which compiles the kernels
// once per build tree, a group of op families per unit (smaller units, built in parallel, rebuilt
// only where a family changed).
#include <xport/kernels/cpu/conv.hpp>
#include <xport/kernels/cpu/linalg.hpp>
#include <xport/kernels/cpu/register.hpp>
#include <xport/ops/conv.hpp>
#include <xport/ops/linalg.hpp>

namespace {

[[maybe_unused]] bool const linalg_registered =
    xport::kernels::cpu::registered<xport::ops::linalg_ops>;
[[maybe_unused]] bool const conv_registered = xport::kernels::cpu::registered<xport::ops::conv_ops>;

} // namespace
