// xport's CPU kernels for pooling, normalization, embedding, dropout and attention: one of the
// translation units of the xport::cpu_kernels CMake target (cmake/xport-cpu-kernels.cmake), which
// compiles the kernels once per build tree, a group of op families per unit (smaller units, built
// in parallel, rebuilt only where a family changed).
#include <xport/kernels/cpu/attention.hpp>
#include <xport/kernels/cpu/dropout.hpp>
#include <xport/kernels/cpu/embedding.hpp>
#include <xport/kernels/cpu/norm.hpp>
#include <xport/kernels/cpu/pool.hpp>
#include <xport/kernels/cpu/register.hpp>
#include <xport/ops/attention.hpp>
#include <xport/ops/dropout.hpp>
#include <xport/ops/embedding.hpp>
#include <xport/ops/norm.hpp>
#include <xport/ops/pool.hpp>

namespace {

[[maybe_unused]] bool const pool_registered = xport::kernels::cpu::registered<xport::ops::pool_ops>;
[[maybe_unused]] bool const norm_registered = xport::kernels::cpu::registered<xport::ops::norm_ops>;
[[maybe_unused]] bool const embedding_registered =
    xport::kernels::cpu::registered<xport::ops::embedding_ops>;
[[maybe_unused]] bool const dropout_registered =
    xport::kernels::cpu::registered<xport::ops::dropout_ops>;
[[maybe_unused]] bool const attention_registered =
    xport::kernels::cpu::registered<xport::ops::attention_ops>;

} // namespace
