// consumer_lib: a downstream static library that runs an op eagerly.
#pragma once

#include <xport/core/tensor.hpp>

#include <string_view>

namespace consumer {
//! `a @ b` by xport::matmul (the CPU kernels' GEMM), run eagerly.
xport::Tensor matmul(xport::Tensor const& a, xport::Tensor const& b);
//! The GEMM backend of this library's translation unit: "openblas" when it links xport::blas.
std::string_view gemm_backend();
} // namespace consumer
