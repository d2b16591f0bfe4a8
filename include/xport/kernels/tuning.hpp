//! @file
//! Thresholds where CPU kernels change method, as variables: benchmarks set them, tests
//! force each method. Not safe to change while kernels run.
#pragma once

#include <cstdint>

namespace xport::kernels::cpu {

//! @brief The size of the attention weights (batch x heads x L x S elements, in bytes)
//! from which `scaled_dot_product_attention` without dropout runs fused, never
//! materializing them (kernels/cpu/attention.hpp); below it, the weights are materialized
//! and multiplied through the GEMM library. 0 makes every call fused.
inline std::int64_t fused_attention_min_bytes = std::int64_t{64} << 20;

} // namespace xport::kernels::cpu
